"""Rounds as engine cases: the case of a round is gathered from its rows, in the engine's
JSON case format, so that the exact case can be stored beside the result and recounted.

Vote rounds (majority, colleges) are gathered as counts aggregated in SQL (the engine's tally
formats), weighted by each member's vote weight: no ballot is ever loaded as an object.
Consent and sociocratic rounds name their members (objections need names); circles are small.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from decisions.engine import Case, load_case
from decisions.engine.results import time_json

from .models import (
    Ballot,
    College,
    Elector,
    Proposal,
    ProposalVersion,
    Round,
    RoundEvent,
    RoundKind,
    RoundStatus,
    RoundTally,
    SecretBallot,
)

POSITIONS = ("yes", "no", "abstain", "blank", "invalid")
PHASE_KINDS = {RoundKind.CLARIFYING: "clarifying", RoundKind.REACTIONS: "reactions"}


def member_key(membership_id: int) -> str:
    """The engine's id of a member (the membership row id)."""
    return str(membership_id)


def _latest_ballots(round_id: int) -> Any:
    """The id of each member's latest ballot in a round (ids grow with time)."""
    return (select(func.max(Ballot.id)).where(Ballot.round_id == round_id)
            .group_by(Ballot.membership_id))


def vote_counts(db: Session, round_id: int) -> dict[str, dict[str, int]]:
    """Weighted counts by college (``""`` without colleges) and position, in one query."""
    rows = db.execute(
        select(Elector.college, Ballot.position, func.sum(Elector.vote_weight))
        .join(Elector, (Elector.round_id == Ballot.round_id)
              & (Elector.membership_id == Ballot.membership_id))
        .where(Ballot.id.in_(_latest_ballots(round_id)))
        .group_by(Elector.college, Ballot.position)
    ).all()
    counts: dict[str, dict[str, int]] = {}
    for college, position, weight in rows:
        counts.setdefault(college or "", dict.fromkeys(POSITIONS, 0))[position] = int(weight)
    return counts


def secret_vote_counts(db: Session, round_id: int) -> dict[str, dict[str, int]]:
    """Weighted counts of a secret round, from the secret ballots alone (the college and
    weight were copied on each when it was cast), in the same format as ``vote_counts``."""
    rows = db.execute(
        select(SecretBallot.college, SecretBallot.position, func.sum(SecretBallot.vote_weight))
        .where(SecretBallot.round_id == round_id)
        .group_by(SecretBallot.college, SecretBallot.position)
    ).all()
    counts: dict[str, dict[str, int]] = {}
    for college, position, weight in rows:
        counts.setdefault(college or "", dict.fromkeys(POSITIONS, 0))[position] = int(weight)
    return counts


def electorate_counts(db: Session, round_id: int) -> dict[str, int]:
    """Weighted size of the electorate by college (``""`` without colleges), in one query."""
    rows = db.execute(select(Elector.college, func.sum(Elector.vote_weight))
                      .where(Elector.round_id == round_id).group_by(Elector.college)).all()
    return {college or "": int(weight) for college, weight in rows}


def entered_tallies(db: Session, round_id: int) -> list[Any]:
    """Counts a facilitator entered for the people in the room."""
    return list(db.execute(
        select(RoundTally.college, RoundTally.present, RoundTally.yes, RoundTally.no,
               RoundTally.abstain, RoundTally.blank, RoundTally.invalid)
        .where(RoundTally.round_id == round_id)).all())


def _params(proposal: Proposal, round_: Round, now: datetime) -> dict[str, Any]:
    params: dict[str, Any] = json.loads(proposal.params or "{}")
    params.update(opens_at=time_json(round_.opens_at), closes_at=time_json(round_.closes_at),
                  evaluated_at=time_json(now))
    return params


def _vote_case(db: Session, proposal: Proposal, round_: Round, now: datetime) -> dict[str, Any]:
    counts = (secret_vote_counts if proposal.secret else vote_counts)(db, round_.id)
    sizes = electorate_counts(db, round_.id)
    entered = entered_tallies(db, round_.id)
    params = _params(proposal, round_, now)
    params["convocation"] = round_.convocation
    params["mode"] = "meeting" if entered else "async"
    groups = {key: dict(values) for key, values in counts.items()}
    present = {key: sum(values.values()) for key, values in counts.items()}
    for college, in_room, *room_counts in entered:
        key = college or ""
        row = groups.setdefault(key, dict.fromkeys(POSITIONS, 0))
        for position, count in zip(POSITIONS, room_counts, strict=True):
            row[position] += count
        present[key] = present.get(key, 0) + in_room
    if proposal.family == "scic_college":
        colleges = db.scalars(select(College).where(
            College.organisation_id == proposal.organisation_id).order_by(College.id)).all()
        params.setdefault("enforce_scic_bounds", proposal.organisation.is_scic)
        params["colleges"] = [{"id": c.name, "weight": None if c.weight is None else
                               f"{c.weight.numerator}/{c.weight.denominator}"} for c in colleges]
        electorate: dict[str, Any] = {"colleges": {c.name: {"members": sizes.get(c.name, 0),
                                            "present": min(present.get(c.name, 0),
                                                           sizes.get(c.name, 0))}
                                   for c in colleges}}
        ballots: dict[str, Any] = {"format": "tally_by_college",
                                   **{c: v for c, v in groups.items() if c}}
    else:
        eligible = sum(sizes.values())
        electorate = {"eligible": eligible,
                      "present": min(sum(present.values()), eligible)}
        total = dict.fromkeys(POSITIONS, 0)
        for row in groups.values():
            for position in POSITIONS:
                total[position] += row[position]
        ballots = {"format": "tally", **total}
    return {"family": proposal.family, "params": params, "electorate": electorate,
            "ballots": ballots}


def _electors(db: Session, round_id: int) -> list[str]:
    return [member_key(i) for i in db.scalars(
        select(Elector.membership_id).where(Elector.round_id == round_id)
        .order_by(Elector.membership_id))]


def _ballot_rows(db: Session, round_id: int) -> list[Any]:
    return list(db.execute(
        select(Ballot.id, Ballot.membership_id, Ballot.position, Ballot.reason, Ballot.concern,
               Ballot.nominee_id, Ballot.cast_at)
        .where(Ballot.round_id == round_id).order_by(Ballot.id)).all())


def _event_rows(db: Session, round_id: int) -> list[RoundEvent]:
    return list(db.scalars(select(RoundEvent).where(RoundEvent.round_id == round_id)
                           .order_by(RoundEvent.id)))


def _consent_case(db: Session, proposal: Proposal, round_: Round,
                  now: datetime) -> dict[str, Any]:
    entries: list[dict[str, Any]] = []
    for row in _ballot_rows(db, round_.id):
        ballot: dict[str, Any] = {"voter": member_key(row.membership_id),
                                  "position": row.position, "cast_at": time_json(row.cast_at),
                                  "seq": row.id}
        if row.reason:
            ballot["reason"] = row.reason
        if row.concern:
            ballot["concern"] = row.concern
        entries.append(ballot)
    entries += [_event_json(event, None) for event in _event_rows(db, round_.id)]
    return {"family": "consent", "params": _params(proposal, round_, now),
            "electorate": {"members": _electors(db, round_.id)}, "ballots": entries}


def _event_json(event: RoundEvent, number: int | None) -> dict[str, Any]:
    data: dict[str, Any] = {"type": event.kind, "voter": member_key(event.membership_id),
                            "at": time_json(event.at)}
    if number is not None:
        data["round"] = number
    if event.kind == "objection_qualified":
        data.update(result=event.result, decided_by=event.decided_by,
                    rationale=event.rationale)
    return data


def _sociocratic_case(db: Session, proposal: Proposal, upto: Round,
                      now: datetime) -> dict[str, Any]:
    """The whole log of a sociocratic proposal, up to and including ``upto``."""
    timed: list[tuple[datetime, int, dict[str, Any]]] = []
    # Versions published after ``upto`` (numbered above its version) are not its history.
    versions = db.scalars(select(ProposalVersion).where(
        ProposalVersion.proposal_id == proposal.id,
        ProposalVersion.number <= upto.version_number).order_by(ProposalVersion.number)).all()
    for version in versions[1:]:
        timed.append((version.created_at, 0, {"type": "amend", "version": version.number,
                                              "summary": version.summary}))
    consent_number = 0
    for round_ in db.scalars(select(Round).where(
            Round.proposal_id == proposal.id, Round.number <= upto.number,
            Round.status != RoundStatus.CANCELLED).order_by(Round.number)):
        if round_.kind in PHASE_KINDS:
            timed.append((round_.opens_at, 1, {"type": "phase",
                                               "phase": PHASE_KINDS[round_.kind]}))
            continue
        if round_.kind in (RoundKind.NOMINATION, RoundKind.CHANGE):
            kind = "nomination" if round_.kind is RoundKind.NOMINATION else "change"
            latest: dict[int, Any] = {}
            for row in _ballot_rows(db, round_.id):
                latest[row.membership_id] = row
            for row in latest.values():
                timed.append((row.cast_at, 2, {
                    "type": kind, "voter": member_key(row.membership_id),
                    "nominee": member_key(row.nominee_id or 0), "reason": row.reason or None}))
            continue
        consent_number += 1
        opening: dict[str, Any] = {"type": "round_open", "round": consent_number,
                                   "version": round_.version_number}
        if round_.candidate_id is not None:
            timed.append((round_.opens_at, 2, {"type": "facilitator_proposal",
                                               "candidate": member_key(round_.candidate_id)}))
            opening["candidate"] = member_key(round_.candidate_id)
        timed.append((round_.opens_at, 3, opening))
        for row in _ballot_rows(db, round_.id):
            if row.cast_at >= round_.closes_at:
                continue  # refused when cast; kept out of the log of positions
            timed.append((row.cast_at, 4, {
                "type": "position", "round": consent_number, "version": round_.version_number,
                "voter": member_key(row.membership_id), "position": row.position,
                "reason": row.reason or None}))
        for event in _event_rows(db, round_.id):
            timed.append((event.at, 5, _event_json(event, consent_number)))
    timed.sort(key=lambda item: (item[0], item[1]))
    params: dict[str, Any] = json.loads(proposal.params or "{}")
    if proposal.review_date is not None:
        params["review_date"] = proposal.review_date.isoformat()
    return {"family": proposal.family, "params": params,
            "electorate": {"members": _electors(db, upto.id)},
            "ballots": [entry for _, _, entry in timed]}


def case_json(db: Session, round_: Round, now: datetime) -> dict[str, Any]:
    """The case of a round, as the engine's JSON case format."""
    proposal = round_.proposal
    if proposal.family in ("majority", "scic_college"):
        data = _vote_case(db, proposal, round_, now)
    elif proposal.family == "consent":
        data = _consent_case(db, proposal, round_, now)
    else:
        data = _sociocratic_case(db, proposal, round_, now)
    data["id"] = f"{proposal.organisation.slug}/proposal-{proposal.id}/round-{round_.number}"
    return data


def round_case(db: Session, round_: Round, now: datetime) -> Case:
    """The case of a round, read by the engine (raises ``CaseError`` if inconsistent)."""
    return load_case(case_json(db, round_, now))
