"""Counts of the people in the room: a facilitator enters them for an in-person or hybrid
assembly, beside the ballots cast online (per college for a multi-college vote)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete
from sqlalchemy.orm import Session

from .. import casebook
from ..models import Round, RoundKind, RoundTally
from . import ServiceError

ROOM_POSITIONS = ("yes", "no", "abstain", "blank", "invalid")


class TallyError(ServiceError):
    """Counts that cannot be entered; ``college`` and ``field`` say where the problem is."""

    def __init__(self, message: object, field: str = "present", college: str = "") -> None:
        super().__init__(message, field)
        self.college = college


@dataclass(frozen=True, slots=True)
class RoomCount:
    """The people present in the room (weighted by vote weight) and how they voted."""

    present: int = 0
    yes: int = 0
    no: int = 0
    abstain: int = 0
    blank: int = 0
    invalid: int = 0

    @property
    def ballots(self) -> int:
        """Ballots counted in the room."""
        return self.yes + self.no + self.abstain + self.blank + self.invalid


def tally_groups(db: Session, round_: Round) -> list[str]:
    """The groups counted separately: the colleges of a multi-college vote (as they were
    when it opened, the names its electors have), else ``""``."""
    if round_.proposal.family != "scic_college":
        return [""]
    return [college["id"] for college in casebook.round_colleges(db, round_)]


def entered(db: Session, round_id: int) -> dict[str, RoomCount]:
    """The counts entered so far, by group."""
    return {row.college or "": RoomCount(row.present, row.yes, row.no, row.abstain, row.blank,
                                         row.invalid)
            for row in casebook.entered_tallies(db, round_id)}


def enter_tally(db: Session, round_id: int, counts: Mapping[str, RoomCount], *,
                entered_by: int, now: datetime) -> None:
    """Replace the room's counts of an open vote by these (a group left at zero is not
    counted as a meeting)."""
    round_ = db.get(Round, round_id, with_for_update={"read": True})
    if round_ is None or round_.kind is not RoundKind.VOTE:
        raise TallyError(_l("Counts from the room are entered for votes only."))
    if not round_.accepting(now):
        raise TallyError(_l("This round is closed: its deadline has passed."))
    groups = tally_groups(db, round_)
    sizes = casebook.electorate_counts(db, round_id)
    for group, count in counts.items():
        if group not in groups:
            raise TallyError(_l("Unknown college."), college=group)
        for name in (f.name for f in fields(RoomCount)):
            if getattr(count, name) < 0:
                raise TallyError(_l("Counts cannot be negative."), name, group)
        if count.present > sizes.get(group, 0):
            raise TallyError(_l("More people present than in the electorate (%(count)d).",
                                count=sizes.get(group, 0)), "present", group)
        if count.ballots > count.present:
            raise TallyError(_l("More ballots than people present."), "present", group)
    db.execute(delete(RoundTally).where(RoundTally.round_id == round_id))
    db.add_all(RoundTally(round_id=round_id, college=group, present=count.present,
                          yes=count.yes, no=count.no, abstain=count.abstain, blank=count.blank,
                          invalid=count.invalid, entered_by_id=entered_by, entered_at=now)
               for group, count in counts.items() if count != RoomCount())
    db.flush()
