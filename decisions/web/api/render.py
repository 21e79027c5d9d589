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
    Assembly,
    AssemblyStatus,
    ElectorateScope,
    Invitation,
    Membership,
    Organisation,
    Proposal,
    ProposalVersion,
    Round,
)
from ..services import assemblies, audit, minutes, policies, results
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


# General assemblies ----------------------------------------------------------------------


def assembly_summary(row: Assembly) -> schemas.AssemblySummary:
    """An assembly as the list shows it."""
    return schemas.AssemblySummary(id=row.id, title=row.title, kind=row.kind, status=row.status,
                                   convocation=row.convocation, meets_at=row.meets_at)


def attendance(sheet: assemblies.Sheet) -> schemas.Attendance:
    """The figures of an attendance sheet (no member's line: the sheet's page has them)."""
    return schemas.Attendance(
        present=sheet.present, eligible=sheet.eligible, counts=dict(sheet.attendance),
        by_college={college: dict(counts) for college, counts in sheet.by_college.items()},
        quorums=[schemas.Quorum(preset=q.preset, required=q.required, met=q.met,
                                present=q.present, eligible=q.eligible) for q in sheet.quorums],
        quorum_met=sheet.quorum_met, refused_proxies=len(sheet.refused_proxies),
        refused_postal=len(sheet.refused_postal))


def _sheet(session: Session, row: Assembly, now: datetime) -> assemblies.Sheet | None:
    """The sheet as the sitting's page reads it: live once convened, as stored at the close
    afterwards; none for a sitting in preparation or without agenda."""
    if not row.items or row.status is AssemblyStatus.DRAFT:
        return None
    if row.status in (AssemblyStatus.CLOSED, AssemblyStatus.NO_QUORUM):
        return minutes.stored_sheet(session, row, now)
    return assemblies.sheet(session, row, now)


def _name(member: Membership | None) -> str | None:
    return None if member is None else member.user.name


def assembly(session: Session, row: Assembly, reader: Membership,
             now: datetime) -> schemas.Assembly:
    """A sitting as its page shows it to ``reader`` at ``now``."""
    agenda = []
    for item in row.items:
        proposal_, round_ = item.proposal, item.round
        agenda.append(schemas.Resolution(
            number=item.number, proposal_id=proposal_.id, title=proposal_.title,
            version=item.version_number, family=Family(proposal_.family),
            preset=json.loads(proposal_.params or "{}").get("preset"), secret=proposal_.secret,
            round_id=None if round_ is None else round_.id,
            round_status=None if round_ is None else round_.status,
            outcome=round_.outcome if round_ is not None and round_.closed_at else None))
    current = assemblies.current_item(row)
    sheet = _sheet(session, row, now)
    situation = assemblies.situation(session, row, reader, now)
    return schemas.Assembly(
        id=row.id, organisation=row.organisation.slug, title=row.title, kind=row.kind,
        status=row.status, convocation=row.convocation, first_sitting_id=row.first_sitting_id,
        meets_at=row.meets_at, second_meets_at=row.second_meets_at, place=row.place,
        video_link=row.video_link, convened_at=row.convened_at, opened_at=row.opened_at,
        closed_at=row.closed_at, chair=_name(row.chair), secretary=_name(row.secretary),
        max_proxies_per_holder=row.max_proxies_per_holder,
        proxy_same_college=row.proxy_same_college,
        remote_counts_as_present=row.remote_counts_as_present, agenda=agenda,
        current_round_id=None if current is None or current.round is None
        else current.round.id,
        attendance=None if sheet is None else attendance(sheet),
        me=schemas.AssemblyMe(
            on_roll=situation.on_roll,
            proxy_holder_id=None if situation.proxy is None else situation.proxy.holder_id,
            proxies_held=[giver for giver, _given in situation.held],
            voted_by_post=bool(situation.postal),
            checked_in=None if situation.attendance is None else situation.attendance.mode,
            voices=[schemas.Voice(member_id=v.for_id, name=v.name, own=v.own, cast=v.cast)
                    for v in situation.voices]))


def minutes_of(found: minutes.Minutes) -> schemas.Minutes:
    """The figures of a sitting's minutes, the explanations in the caller's language."""
    row = found.assembly
    return schemas.Minutes(
        assembly_id=row.id, organisation=found.organisation, title=row.title, kind=row.kind,
        status=row.status, convocation=row.convocation, meets_at=row.meets_at,
        first_meets_at=found.first_meets_at, closed_at=row.closed_at, chair=found.chair,
        secretary=found.secretary, notice_days=found.notice_days,
        attendance=attendance(found.sheet),
        resolutions=[schemas.MinutesResolution(
            number=r.number, title=r.title, version=r.version, preset=r.preset,
            secret=r.secret, voted=r.voted, outcome=r.outcome, round_id=r.round_id,
            case_sha256=r.case_sha256,
            colleges=[schemas.CollegeFigures(
                name=c.name, weight=c.weight, members=c.members, present=c.present, yes=c.yes,
                no=c.no, abstain=c.abstain, blank=c.blank, invalid=c.invalid,
                yes_share=c.yes_share, carried=c.carried) for c in r.colleges],
            explanation=render(r.steps, _language()) if r.steps else None)
            for r in found.resolutions],
        refused_proxies=[schemas.RefusedProxy(member=member_, holder=holder, reason=reason)
                         for member_, holder, reason in found.refused_proxies],
        audit_seq=found.audit_seq, audit_head=found.audit_head)
