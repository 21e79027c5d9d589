"""Counts of the people in the room: a facilitator enters them for an in-person or hybrid
assembly, beside the ballots cast online (per college for a multi-college vote)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from decisions.engine import Tally

from .. import round_cases
from ..families import descriptor
from ..models import Round, RoundKind, RoundTally
from . import ServiceError
from .messages import N_


class TallyError(ServiceError):
    """Counts that cannot be entered; ``college`` and ``field`` (else ``present``) say where
    the problem is."""

    field = "present"

    def __init__(self, code: str, message: str, *, field: str | None = None,
                 college: str = "", params: Mapping[str, object] | None = None) -> None:
        super().__init__(code, message, field=field, params=params)
        self.college = college


@dataclass(frozen=True, slots=True)
class RoomCount(Tally):
    """How the people in the room voted (the engine's tally of a meeting, weighted by vote
    weight) and how many were present."""

    present: int = 0


def tally_groups(db: Session, round_: Round) -> list[str]:
    """The groups counted separately: the colleges of a multi-college vote (as they were
    when it opened, the names its electors have), else ``""``."""
    if not descriptor(round_.proposal.family).by_college:
        return [""]
    return [college["id"] for college in round_cases.round_colleges(db, round_)]


def entered(db: Session, round_id: int) -> dict[str, RoomCount]:
    """The counts entered so far, by group."""
    return {row.college or "": RoomCount(present=row.present, yes=row.yes, no=row.no,
                                         abstain=row.abstain, blank=row.blank,
                                         invalid=row.invalid)
            for row in round_cases.entered_tallies(db, round_id)}


def enter_tally(db: Session, round_id: int, counts: Mapping[str, RoomCount], *,
                entered_by: int, now: datetime) -> None:
    """Replace the room's counts of an open vote by these (a group left at zero is not
    counted as a meeting)."""
    round_ = db.get(Round, round_id, with_for_update={"read": True})
    if round_ is None or round_.kind is not RoundKind.VOTE:
        raise TallyError("tally.not_vote", N_("Counts from the room are entered for votes only."))
    if not round_.accepting(now):
        raise TallyError("round.closed", N_("This round is closed: its deadline has passed."))
    groups = tally_groups(db, round_)
    sizes = round_cases.electorate_counts(db, round_id)
    for group, count in counts.items():
        if group not in groups:
            raise TallyError("tally.unknown_college", N_("Unknown college."), college=group)
        for name in (f.name for f in fields(RoomCount)):
            if getattr(count, name) < 0:
                raise TallyError("tally.negative", N_("Counts cannot be negative."), field=name,
                                 college=group)
        if count.present > sizes.get(group, 0):
            raise TallyError("tally.more_present_than_electors",
                             N_("More people present than in the electorate (%(count)d)."),
                             college=group, params={"count": sizes.get(group, 0)})
        if count.total > count.present:
            raise TallyError("tally.more_ballots_than_present",
                             N_("More ballots than people present."), college=group)
    db.execute(delete(RoundTally).where(RoundTally.round_id == round_id))
    db.add_all(RoundTally(round_id=round_id, college=group, present=count.present,
                          yes=count.yes, no=count.no, abstain=count.abstain, blank=count.blank,
                          invalid=count.invalid, entered_by_id=entered_by, entered_at=now)
               for group, count in counts.items() if count != RoomCount())
    db.flush()
