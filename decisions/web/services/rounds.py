"""Rounds: opening with an electorate snapshot, casting ballots against the server's clock,
closing through the engine (idempotent, safe from several processes), and the deadlines.

Which round may follow which is one table, ``NEXT_ROUNDS``; what a closed round does to its
proposal is another, ``AFTER_ROUND``.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any, cast

from flask_babel import lazy_gettext as _l
from sqlalchemy import CursorResult, Result, exists, insert, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from decisions.engine import dump_case, evaluate

from .. import casebook
from ..models import (
    Ballot,
    CircleMember,
    Elector,
    ElectorateScope,
    Membership,
    Participation,
    Proposal,
    ProposalElector,
    ProposalStatus,
    Round,
    RoundKind,
    RoundStatus,
    SecretBallot,
)
from ..models.secret import random_id
from . import audit

logger = logging.getLogger(__name__)


class RoundError(ValueError):
    """A round action that cannot be done now, with a message for the person."""


class BallotRefused(RoundError):
    """A ballot the server refuses (round closed, not in the electorate, bad position)."""


#: Rounds each family may open, after which kind of round and outcome. ``None`` keys the
#: first round. Comment rounds (questions, reactions, nominations) may follow each other.
_SOCIOCRATIC_FIRST = {RoundKind.CLARIFYING, RoundKind.REACTIONS, RoundKind.CONSENT}
NEXT_ROUNDS: dict[str, dict[tuple[RoundKind | None, str | None], set[RoundKind]]] = {
    "majority": {(None, None): {RoundKind.VOTE}, (RoundKind.VOTE, "no_quorum"): {RoundKind.VOTE}},
    "scic_college": {(None, None): {RoundKind.VOTE},
                     (RoundKind.VOTE, "no_quorum"): {RoundKind.VOTE}},
    "consent": {(None, None): {RoundKind.CONSENT}},
    "sociocratic_consent": {
        (None, None): _SOCIOCRATIC_FIRST,
        (RoundKind.CLARIFYING, None): _SOCIOCRATIC_FIRST,
        (RoundKind.REACTIONS, None): _SOCIOCRATIC_FIRST,
        (RoundKind.CONSENT, "needs_integration"): {RoundKind.CONSENT},
        (RoundKind.CONSENT, "pending"): {RoundKind.CONSENT},
    },
    "sociocratic_election": {
        (None, None): {RoundKind.NOMINATION},
        (RoundKind.NOMINATION, None): {RoundKind.CHANGE, RoundKind.CONSENT},
        (RoundKind.CHANGE, None): {RoundKind.CONSENT},
        (RoundKind.CONSENT, "needs_integration"): {RoundKind.CONSENT},
        (RoundKind.CONSENT, "pending"): {RoundKind.CONSENT},
    },
}

#: Outcomes of a closed round that leave the proposal open for another round.
STAYS_OPEN = {"needs_integration", "pending"}

POSITIONS: dict[tuple[str, RoundKind], tuple[str, ...]] = {
    ("majority", RoundKind.VOTE): ("yes", "no", "abstain", "blank"),
    ("scic_college", RoundKind.VOTE): ("yes", "no", "abstain", "blank"),
    ("consent", RoundKind.CONSENT): ("consent", "abstain", "object"),
    ("sociocratic_consent", RoundKind.CONSENT): ("consent", "concern", "object"),
    ("sociocratic_election", RoundKind.CONSENT): ("consent", "concern", "object"),
    ("sociocratic_election", RoundKind.NOMINATION): ("nominate",),
    ("sociocratic_election", RoundKind.CHANGE): ("nominate",),
}


def _rowcount(result: Result[Any]) -> int:
    """Rows changed by an INSERT or UPDATE."""
    return cast(CursorResult[Any], result).rowcount


def positions_of(proposal: Proposal, kind: RoundKind) -> tuple[str, ...]:
    """The positions a member may take in a round of this kind."""
    allowed = POSITIONS.get((proposal.family, kind), ())
    params = json.loads(proposal.params or "{}")
    if kind is RoundKind.CONSENT and params.get("allow_abstain") and "abstain" not in allowed:
        allowed = (*allowed, "abstain")
    if proposal.family == "consent" and "positions" in params:
        allowed = tuple(p for p in allowed if p in params["positions"])
    return allowed


def _last_round(proposal: Proposal) -> Round | None:
    done = [r for r in proposal.rounds if r.status is not RoundStatus.CANCELLED]
    return done[-1] if done else None


def next_kinds(proposal: Proposal) -> set[RoundKind]:
    """The kinds of round a facilitator may open now on this proposal."""
    if proposal.status not in (ProposalStatus.DRAFT, ProposalStatus.OPEN):
        return set()
    last = _last_round(proposal)
    table = NEXT_ROUNDS.get(proposal.family, {})
    if last is None:
        return set(table.get((None, None), set()))
    if last.status in (RoundStatus.OPEN, RoundStatus.SCHEDULED):
        return set()
    if last.kind is RoundKind.VOTE and last.convocation == "second":
        return set()
    outcome = None if last.kind not in (RoundKind.CONSENT, RoundKind.VOTE) else last.outcome
    return set(table.get((last.kind, outcome), set()))


def electorate_of(db: Session, proposal: Proposal) -> list[Membership]:
    """The members who decide on this proposal now (snapshotted when a round opens)."""
    query = select(Membership).where(Membership.organisation_id == proposal.organisation_id)
    if proposal.electorate_scope is ElectorateScope.CIRCLE and proposal.circle_id is not None:
        query = query.where(Membership.id.in_(select(CircleMember.membership_id).where(
            CircleMember.circle_id == proposal.circle_id)))
    elif proposal.electorate_scope is ElectorateScope.LIST:
        query = query.where(Membership.id.in_(select(ProposalElector.membership_id).where(
            ProposalElector.proposal_id == proposal.id)))
    members = list(db.scalars(query.order_by(Membership.id)))
    if proposal.family == "scic_college":
        members = [m for m in members if m.college is not None]
    return members


def open_round(db: Session, proposal: Proposal, kind: RoundKind, *, closes_at: datetime,
               now: datetime, candidate_id: int | None = None) -> Round:
    """Open the next round now, until ``closes_at``, with the electorate of this moment."""
    if kind not in next_kinds(proposal):
        raise RoundError(_l("This round cannot be opened now."))
    if closes_at <= now:
        raise RoundError(_l("The deadline must be in the future."))
    electorate = electorate_of(db, proposal)
    if not electorate:
        raise RoundError(_l("Nobody is in the electorate of this proposal."))
    last = _last_round(proposal)
    convocation = "first"
    if kind is RoundKind.VOTE and last is not None and last.outcome == "no_quorum":
        convocation = "second"
    if kind is RoundKind.CONSENT and proposal.family == "sociocratic_election" and (
            candidate_id is None or candidate_id not in {m.id for m in electorate}):
        raise RoundError(_l("Choose the candidate among the members of the electorate."))
    round_ = Round(proposal=proposal, number=len(proposal.rounds) + 1, kind=kind,
                   version_number=proposal.current_version.number, convocation=convocation,
                   candidate_id=candidate_id, opens_at=now, closes_at=closes_at,
                   status=RoundStatus.OPEN)
    db.add(round_)
    db.flush()
    db.add_all(Elector(round_id=round_.id, membership_id=m.id,
                       college=m.college.name if m.college is not None else None,
                       vote_weight=m.vote_weight) for m in electorate)
    proposal.status = ProposalStatus.OPEN
    db.flush()
    audit.round_event(db, round_, "round_opened", at=now, round_kind=kind.value,
                      version=round_.version_number, closes_at=closes_at,
                      electors=len(electorate))
    return round_


def cast_ballot(db: Session, round_id: int, membership_id: int, position: str, *, now: datetime,
                reason: str = "", concern: str = "", nominee_id: int | None = None) -> None:
    """Store a ballot if, by the server's clock, the round is open and the member is in its
    electorate — checked in the very statement that stores it, so a ballot racing the
    deadline or the closing is either stored before it or refused, never both."""
    round_ = db.get(Round, round_id, with_for_update={"read": True})
    if round_ is None:
        raise BallotRefused(_l("This round does not exist."))
    proposal = round_.proposal
    if position not in positions_of(proposal, round_.kind):
        raise BallotRefused(_l("This position is not possible in this round."))
    if position in proposal.reasons_required_for and not reason.strip():
        raise BallotRefused(_l("Please give a reason for this position."))
    if round_.kind in (RoundKind.NOMINATION, RoundKind.CHANGE) and nominee_id is None:
        raise BallotRefused(_l("Choose whom you nominate."))
    is_open = exists().where(Round.id == round_id, Round.status == RoundStatus.OPEN,
                             Round.opens_at <= now, Round.closes_at > now)
    is_elector = exists().where(Elector.round_id == round_id,
                                Elector.membership_id == membership_id)
    if proposal.secret:
        _cast_secret(db, round_, membership_id, position, now=now, is_open=is_open,
                     is_elector=is_elector)
        audit.ballot_cast(db, round_, None, at=now)
        return
    values = select(literal(round_id), literal(membership_id), literal(position),
                    literal(reason.strip()), literal(concern.strip()), literal(nominee_id),
                    literal(now, Ballot.cast_at.type)).where(is_open, is_elector)
    stored = db.execute(insert(Ballot).from_select(
        ["round_id", "membership_id", "position", "reason", "concern", "nominee_id", "cast_at"],
        values).returning(Ballot.id))
    ballot_id = stored.scalar_one_or_none()
    if ballot_id is not None:
        audit.ballot_cast(db, round_, ballot_id, at=now)
    else:
        if now >= round_.closes_at or round_.status is not RoundStatus.OPEN:
            raise BallotRefused(_l("This round is closed: its deadline has passed."))
        if now < round_.opens_at:
            raise BallotRefused(_l("This round is not open yet."))
        raise BallotRefused(_l("You are not in the electorate of this round."))


def _cast_secret(db: Session, round_: Round, membership_id: int, position: str, *,
                 now: datetime, is_open: Any, is_elector: Any) -> None:
    """A secret ballot: the participation (who, when) and the ballot (what, with the college
    and weight of the electorate snapshot, under a random id) in one transaction, sharing
    only the round. It cannot be changed: replacing it would need a link between the two."""
    took_part = exists().where(Participation.round_id == round_.id,
                               Participation.membership_id == membership_id)
    values = select(literal(round_.id), literal(membership_id),
                    literal(now, Participation.at.type)).where(is_open, is_elector, ~took_part)
    try:
        with db.begin_nested():
            stored = db.execute(insert(Participation).from_select(
                ["round_id", "membership_id", "at"], values).returning(Participation.round_id)
            ).scalar_one_or_none()
    except IntegrityError:  # the same member's other ballot, at the same moment
        stored = None
    if stored is None:
        if db.scalar(select(took_part)):
            raise BallotRefused(_l("You have already voted: a secret ballot cannot be changed."))
        if now >= round_.closes_at or round_.status is not RoundStatus.OPEN:
            raise BallotRefused(_l("This round is closed: its deadline has passed."))
        if now < round_.opens_at:
            raise BallotRefused(_l("This round is not open yet."))
        raise BallotRefused(_l("You are not in the electorate of this round."))
    db.execute(insert(SecretBallot).from_select(
        ["id", "round_id", "college", "vote_weight", "position"],
        select(literal(random_id()), literal(round_.id), Elector.college, Elector.vote_weight,
               literal(position)).where(Elector.round_id == round_.id,
                                        Elector.membership_id == membership_id)))


def close_round(db: Session, round_id: int, *, now: datetime) -> bool:
    """Close a round and store the engine's result and the exact case it came from.

    Idempotent: only the caller whose conditional update moves the round from open to closed
    does the work (``True``); any other, concurrent or later, gets ``False``. Everything
    happens in the caller's transaction: the round is open, or closed with its result.
    """
    won = db.connection().execute(update(Round).where(Round.id == round_id,
                                         Round.status == RoundStatus.OPEN)
                     .values(status=RoundStatus.CLOSED, closed_at=now))
    if _rowcount(won) != 1:
        return False
    round_ = db.get_one(Round, round_id, populate_existing=True)
    if round_.kind in (RoundKind.CONSENT, RoundKind.VOTE):
        evaluated_at = max(now, round_.closes_at)
        case = casebook.round_case(db, round_, evaluated_at)
        result = evaluate(case)
        round_.case_json = json.dumps(dump_case(case), ensure_ascii=False)
        round_.result_json = json.dumps(result.to_json(), ensure_ascii=False)
        round_.outcome = result.outcome.value
        _after_round(round_, now)
    db.flush()
    audit.round_closed(db, round_, at=now)
    return True


def _after_round(round_: Round, now: datetime) -> None:
    proposal = round_.proposal
    outcome = round_.outcome or ""
    if outcome in STAYS_OPEN:
        return
    if round_.kind is RoundKind.VOTE and outcome == "no_quorum" and round_.convocation == "first":
        return  # a second convocation may follow
    proposal.status = ProposalStatus.DECIDED
    proposal.outcome = outcome
    proposal.decided_at = now


def close_early(db: Session, round_id: int, *, now: datetime) -> bool:
    """A facilitator closes an open round before its deadline: the deadline becomes now."""
    round_ = db.get(Round, round_id)
    if round_ is None or round_.status is not RoundStatus.OPEN:
        raise RoundError(_l("Only an open round can be closed."))
    if now < round_.closes_at:
        round_.closes_at = now
        db.flush()
    return close_round(db, round_id, now=now)


def extend_round(db: Session, round_id: int, closes_at: datetime, *, now: datetime) -> None:
    """Move an open round's deadline later."""
    round_ = db.get(Round, round_id)
    if round_ is None or round_.status is not RoundStatus.OPEN or now >= round_.closes_at:
        raise RoundError(_l("Only an open round can be extended."))
    if closes_at <= round_.closes_at:
        raise RoundError(_l("The new deadline must be later than the current one."))
    previous, round_.closes_at = round_.closes_at, closes_at
    db.flush()
    audit.round_event(db, round_, "round_extended", at=now, closes_at=closes_at,
                      previous_closes_at=previous)


def cancel_round(db: Session, round_id: int, *, now: datetime) -> None:
    """Cancel an open round: its ballots are kept but it decides nothing."""
    changed = db.connection().execute(update(Round).where(Round.id == round_id,
                                             Round.status == RoundStatus.OPEN)
                         .values(status=RoundStatus.CANCELLED, closed_at=now))
    if _rowcount(changed) != 1:
        raise RoundError(_l("Only an open round can be cancelled."))
    audit.round_event(db, db.get_one(Round, round_id), "round_cancelled", at=now)


def due_rounds(db: Session, now: datetime) -> list[int]:
    """Open rounds whose deadline has passed."""
    return list(db.scalars(select(Round.id).where(Round.status == RoundStatus.OPEN,
                                                  Round.closes_at <= now)
                           .order_by(Round.closes_at)))


def close_due(sessions: sessionmaker[Session], now: datetime) -> list[int]:
    """Close every due round, each in its own transaction; the rounds this call closed."""
    with sessions() as db:
        due = due_rounds(db, now)
    closed = []
    for round_id in due:
        try:
            with sessions() as db, db.begin():
                if close_round(db, round_id, now=now):
                    closed.append(round_id)
        except Exception:
            # One round that cannot be closed (rolled back, tried again next time) must not
            # keep every later deadline open.
            logger.exception("Round %d could not be closed", round_id)
    return closed


def time_left(round_: Round, now: datetime) -> timedelta:
    """How long the round stays open (zero when closed)."""
    if round_.status is not RoundStatus.OPEN:
        return timedelta(0)
    return max(round_.closes_at - now, timedelta(0))
