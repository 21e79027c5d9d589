"""Rows and read models of the services as the API's shapes (``schemas``): what a view
answers. Nothing here decides who sees what: the services' read models (``results``,
``policies``, ``audit.latest``) already did, as for the pages."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from decisions.engine import Family, render
from decisions.engine.results import fraction_json

from ..models import (
    ElectorateScope,
    Invitation,
    Membership,
    Organisation,
    Proposal,
    ProposalVersion,
    Round,
)
from ..services import audit, policies, results
from ..services import rounds as round_service
from . import schemas


def _language() -> Literal["en", "fr"]:
    return "fr" if str(get_locale()).startswith("fr") else "en"


def member(row: Membership) -> schemas.Member:
    """A membership as the API shows it."""
    return schemas.Member(id=row.id, name=row.user.name, role=row.role,
                          college=None if row.college is None else row.college.name,
                          college_id=row.college_id, vote_weight=row.vote_weight,
                          joined_at=row.joined_at)


def organisation(row: Organisation, me: Membership) -> schemas.Organisation:
    """An organisation, and the member the request acts as."""
    return schemas.Organisation(
        slug=row.slug, name=row.name, timezone=row.timezone, language=row.language,
        is_scic=row.is_scic, allow_member_proposals=row.allow_member_proposals,
        colleges=[schemas.College(id=c.id, name=c.name, weight=fraction_json(c.weight))
                  for c in row.colleges],
        me=member(me))


def invitation(row: Invitation, now: datetime) -> schemas.Invitation:
    """An invitation just sent."""
    return schemas.Invitation(id=row.id, email=row.email, role=row.role,
                              college_id=row.college_id, created_at=row.created_at,
                              expires_at=row.expires_at, status=str(row.status(now)))


def version(row: ProposalVersion) -> schemas.Version:
    """One version of a proposal."""
    return schemas.Version(number=row.number, title=row.title, body=row.body,
                           body_html=row.body_html, summary=row.summary,
                           author_id=row.author_id, created_at=row.created_at)


def round_summary(row: Round) -> schemas.RoundSummary:
    """A round as its proposal lists it."""
    return schemas.RoundSummary(id=row.id, number=row.number, kind=row.kind, status=row.status,
                                opens_at=row.opens_at, closes_at=row.closes_at,
                                outcome=row.outcome)


def proposal_summary(row: Proposal) -> schemas.ProposalSummary:
    """A proposal as the list shows it."""
    return schemas.ProposalSummary(id=row.id, title=row.title, status=row.status,
                                   family=Family(row.family), secret=row.secret,
                                   outcome=row.outcome,
                                   created_at=row.created_at, decided_at=row.decided_at)


def proposal(row: Proposal, reader: Membership) -> schemas.Proposal:
    """A proposal, with what ``reader`` may open next."""
    electors = ([e.membership_id for e in row.chosen_electors]
                if row.electorate_scope is ElectorateScope.LIST else None)
    may_open = (sorted(round_service.next_kinds(row))
                if policies.may_open_round(row, reader) else [])
    return schemas.Proposal(
        id=row.id, organisation=row.organisation.slug, title=row.title, status=row.status,
        family=Family(row.family), params=json.loads(row.params or "{}"),
        electorate_scope=row.electorate_scope, circle_id=row.circle_id,
        electors=None if electors is None else sorted(electors),
        hide_results=row.hide_results, secret=row.secret, voters_visible=row.voters_visible,
        reasons_required=sorted(round_service.reasons_required(row)),
        reminder_hours=row.reminder_hours, outcome=row.outcome,
        outcome_statement=row.outcome_statement, review_date=row.review_date,
        author_id=row.author_id, created_at=row.created_at, decided_at=row.decided_at,
        version=version(row.current_version),
        rounds=[round_summary(r) for r in row.rounds], may_open=may_open)


def round_(session: Session, row: Round, reader: Membership, now: datetime) -> schemas.Round:
    """A round, with what ``reader`` may do in it at ``now``."""
    proposal_ = row.proposal
    actions = policies.round_actions(session, row, reader, now)
    return schemas.Round(
        id=row.id, proposal_id=row.proposal_id, number=row.number, kind=row.kind,
        status=row.status, version=row.version_number, convocation=row.convocation,
        candidate_id=row.candidate_id, opens_at=row.opens_at, closes_at=row.closes_at,
        closed_at=row.closed_at, outcome=row.outcome, secret=proposal_.secret,
        positions=list(round_service.positions_of(proposal_, row.kind)),
        reasons_required=sorted(round_service.reasons_required(proposal_, row.kind)),
        actions=schemas.Actions(elector=actions.elector, vote=actions.vote,
                                comment=actions.comment, extend=actions.extend,
                                close=actions.close, cancel=actions.cancel))


def ballot(session: Session, row: Round, reader: Membership) -> schemas.Ballot:
    """The reader's ballot that counts in the round; of a secret round, only whether they
    voted."""
    if row.proposal.secret:
        return schemas.Ballot(round_id=row.id, secret=True,
                              voted=results.took_part(session, row.id, reader.id),
                              position=None, reason=None, concern=None, nominee=None,
                              cast_at=None, round_status=row.status)
    lines = results.own_ballots(session, row.id, reader.id)  # latest first
    if not lines:
        return schemas.Ballot(round_id=row.id, secret=False, voted=False, position=None,
                              reason=None, concern=None, nominee=None, cast_at=None,
                              round_status=row.status)
    counted = (lines[0] if round_service.changes_allowed(row.proposal, row.kind)
               else lines[-1])
    return schemas.Ballot(round_id=row.id, secret=False, voted=True,
                          position=counted.position, reason=counted.reason,
                          concern=counted.concern, nominee=counted.nominee,
                          cast_at=counted.cast_at, round_status=row.status)


def _fraction(value: Any) -> str | None:
    return None if value is None else fraction_json(value)


def result(session: Session, row: Round, reader: Membership, now: datetime) -> schemas.Result:
    """The round's results as its results page shows them to ``reader``."""
    found = results.round_results(session, row, reader, now, someone=str(_("a member")))
    participation = found.participation
    voters = found.voters
    return schemas.Result(
        round_id=row.id, status=row.status, closed=found.closed, secret=found.secret,
        counts_visible=found.counts_visible,
        participation=schemas.Participation(
            responded=participation.responded, eligible=participation.eligible,
            quorum=_fraction(participation.quorum), quorum_met=participation.quorum_met,
            needed=participation.needed),
        counts=None if found.counts is None else {k: int(v) for k, v in found.counts.items()},
        colleges=None if found.colleges is None else [
            schemas.CollegeResult(name=c.name, weight_effective=_fraction(c.weight_effective) or "",
                                  members=c.members, present=c.present,
                                  counts=dict(c.counts), yes_share=_fraction(c.yes_share))
            for c in found.colleges],
        nominations=None if found.nominations is None else [
            schemas.Nomination(name=name, count=count) for name, count in found.nominations],
        outcome=found.outcome,
        explanation=render(found.explanation, _language()) if found.explanation else None,
        voters=None if voters is None else [
            schemas.Voter(name=v.name, position=v.position, reason=v.reason,
                          concern=v.concern, nominee=v.nominee, cast_at=v.cast_at)
            for v in voters.lines],
        voters_total=None if voters is None else voters.total,
        case_available=found.case_visible)


def audit_entry(entry: audit.Shown) -> schemas.AuditEntry:
    """An audit entry as members read it."""
    return schemas.AuditEntry(seq=entry.seq, at=entry.at, kind=entry.kind,
                              actor_id=entry.actor, data=entry.data, hash=entry.hash)
