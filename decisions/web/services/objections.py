"""Objections in consent rounds: recording whether one qualifies (valid, invalid, or a
concern), as decided by its author or by the circle with the rationale written down, and
recording that its author withdrew it (docs/rules.md 4.1 and 5.3).

The engine never judges an objection itself: it reads these events, recorded while the round
is open, from the round's case. A facilitator records them; the facilitator alone never
decides, so ``decided_by`` names the objector or the circle.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, insert, literal, select
from sqlalchemy.orm import Session

from .. import round_cases
from ..models import Ballot, Elector, Membership, Round, RoundEvent, RoundKind, User
from . import ServiceError, audit
from .messages import N_

QUALIFICATIONS = ("valid", "invalid", "concern")
WITHDRAWN = "withdrawn"
#: Who decided a qualification: the objector, or the circle by consent.
DECIDERS = ("objector", "circle")


class ObjectionError(ServiceError):
    """An objection's qualification or withdrawal that cannot be recorded now (said next
    to the objector unless another field is named)."""

    field = "objector"


def standing_objections(db: Session, round_id: int) -> list[tuple[int, str, str]]:
    """Members whose counted position in the round is an objection: (membership id, name,
    reason), by name."""
    rows = db.execute(
        round_cases.counted(select(Ballot.membership_id, User.name, Ballot.reason), round_id)
        .join(Membership, Membership.id == Ballot.membership_id)
        .join(User, User.id == Membership.user_id)
        .where(Elector.position == "object")
        .order_by(User.name, Ballot.membership_id))
    return [(int(member), name, reason) for member, name, reason in rows]


def _record(db: Session, round_id: int, objector_id: int, *, kind: str, result: str | None,
            decided_by: str, rationale: str, recorded_by: int, now: datetime) -> None:
    """Store the event if the round is open by the server's clock, checked in the statement
    that stores it (as for a ballot: an event after the deadline would not count)."""
    round_ = db.get(Round, round_id)
    if round_ is None or round_.kind is not RoundKind.CONSENT:
        raise ObjectionError("objection.not_consent",
                             N_("Objections are recorded in consent rounds only."))
    if objector_id not in {member for member, _, _ in standing_objections(db, round_id)}:
        raise ObjectionError("objection.not_standing",
                             N_("This member has no objection standing in this round."))
    is_open = exists().where(Round.id == round_id, Round.accepting(now))
    values = select(literal(round_id), literal(kind), literal(objector_id), literal(result),
                    literal(decided_by), literal(rationale),
                    literal(recorded_by), literal(now, RoundEvent.at.type)).where(is_open)
    stored = db.execute(insert(RoundEvent).from_select(
        ["round_id", "kind", "membership_id", "result", "decided_by", "rationale",
         "recorded_by_id", "at"], values).returning(RoundEvent.id))
    if stored.scalar_one_or_none() is None:
        raise ObjectionError("round.closed", N_("This round is closed: its deadline has passed."))
    audit.round_event(db, round_, kind, at=now, member=objector_id, result=result,
                      decided_by=decided_by, rationale=rationale)


def qualify_objection(db: Session, round_id: int, objector_id: int, result: str, *,
                      decided_by: str, rationale: str, recorded_by: int,
                      now: datetime) -> None:
    """Record that an objection is valid, invalid, or a concern, decided by the objector or
    by the circle, with the rationale."""
    if result not in QUALIFICATIONS:
        raise ObjectionError("objection.qualification", N_("Choose what the objection is."),
                             field="action")
    if decided_by not in DECIDERS:
        raise ObjectionError("objection.decider",
                             N_("Choose who decided: the objector or the circle."),
                             field="decided_by")
    if not rationale.strip():
        raise ObjectionError("objection.rationale", N_("Write the rationale of this decision."),
                             field="rationale")
    decider = round_cases.member_key(objector_id) if decided_by == "objector" else "circle"
    _record(db, round_id, objector_id, kind="objection_qualified", result=result,
            decided_by=decider, rationale=rationale.strip(), recorded_by=recorded_by, now=now)


def withdraw_objection(db: Session, round_id: int, objector_id: int, *, note: str,
                       recorded_by: int, now: datetime) -> None:
    """Record that the objector withdrew their objection."""
    _record(db, round_id, objector_id, kind="objection_withdrawn", result=None,
            decided_by=round_cases.member_key(objector_id), rationale=note.strip(),
            recorded_by=recorded_by, now=now)
