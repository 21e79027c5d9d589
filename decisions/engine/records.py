"""What a vote records: who may take part, what they answered, and what happened.

Electorates (a named roll, or head counts), ballots (individual ones, or tallies of a
meeting) and the events of consent processes and elections (qualifications, rounds,
positions, amendments, nominations). Every value is immutable; times are aware
``datetime`` in UTC. A roll and individual ballots are kept column by column, because an
assembly can bring tens of thousands of members and a million ballots.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import overload

from .vocabulary import Position, Qualification

__all__ = [
    "Amend",
    "Ballot",
    "Ballots",
    "Change",
    "CollegeHeadCount",
    "CollegeHeads",
    "CollegeTallies",
    "Electorate",
    "Event",
    "FacilitatorProposal",
    "HeadCount",
    "Member",
    "Nomination",
    "ObjectionQualified",
    "ObjectionWithdrawn",
    "PhaseMark",
    "PositionTaken",
    "Roll",
    "RoundOpen",
    "Tally",
]


# Electorates -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Member:
    """A member entitled to take part, with their college when the assembly has colleges."""

    id: str
    college: str | None = None


@dataclass(frozen=True, slots=True)
class Roll:
    """A named electorate, snapshotted when the vote opened; ``present`` in meeting mode.

    Kept as columns (an assembly can have tens of thousands of members): ``colleges`` is
    empty, or gives each member's college in the order of ``ids``.
    """

    ids: tuple[str, ...]
    colleges: tuple[str | None, ...] = ()
    present: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.colleges and len(self.colleges) != len(self.ids):
            raise ValueError("colleges must give one college per member, or be empty")

    @classmethod
    def of(cls, ids: Iterable[str], present: Iterable[str] | None = None) -> Roll:
        """A roll of members without colleges."""
        return cls(tuple(ids), (), None if present is None else tuple(present))

    @classmethod
    def of_members(cls, members: Iterable[Member], present: Iterable[str] | None = None) -> Roll:
        """A roll from :class:`Member` values (with their colleges)."""
        items = tuple(members)
        colleges = tuple(m.college for m in items)
        return cls(tuple(m.id for m in items),
                   colleges if any(c is not None for c in colleges) else (),
                   None if present is None else tuple(present))

    @property
    def members(self) -> tuple[Member, ...]:
        """The members as values, in roll order."""
        colleges = self.colleges or (None,) * len(self.ids)
        return tuple(Member(i, c) for i, c in zip(self.ids, colleges, strict=True))


@dataclass(frozen=True, slots=True)
class HeadCount:
    """A counted electorate of a meeting: how many may vote, how many are present."""

    eligible: int
    present: int | None = None


@dataclass(frozen=True, slots=True)
class CollegeHeads:
    """The head count of one college."""

    college: str
    members: int
    present: int


@dataclass(frozen=True, slots=True)
class CollegeHeadCount:
    """A counted electorate by college."""

    colleges: tuple[CollegeHeads, ...]


Electorate = Roll | HeadCount | CollegeHeadCount


# Ballots -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ballot:
    """One member's answer. ``seq`` orders ballots cast at the same instant."""

    voter: str
    position: Position
    cast_at: datetime
    reason: str | None = None
    concern: str | None = None
    seq: int | None = None


@dataclass(frozen=True, slots=True)
class Ballots(Sequence[Ballot]):
    """The individual ballots of a case, kept column by column.

    An assembly can bring a million ballots; columns keep them compact and fast to count,
    while the value still reads as a sequence of :class:`Ballot`.
    """

    voters: tuple[str, ...] = ()
    positions: tuple[Position, ...] = ()
    cast_at: tuple[datetime, ...] = ()
    reasons: tuple[str | None, ...] = ()
    concerns: tuple[str | None, ...] = ()
    seqs: tuple[int | None, ...] = ()

    def __post_init__(self) -> None:
        n = len(self.voters)
        columns = (self.positions, self.cast_at, self.reasons, self.concerns, self.seqs)
        if any(len(column) != n for column in columns):
            raise ValueError("every ballot column must have the same length")

    @classmethod
    def of(cls, ballots: Iterable[Ballot]) -> Ballots:
        """Ballots from individual :class:`Ballot` values, in arrival order."""
        items = tuple(ballots)
        return cls(
            tuple(b.voter for b in items),
            tuple(b.position for b in items),
            tuple(b.cast_at for b in items),
            tuple(b.reason for b in items),
            tuple(b.concern for b in items),
            tuple(b.seq for b in items),
        )

    def __len__(self) -> int:
        return len(self.voters)

    @overload
    def __getitem__(self, index: int) -> Ballot: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Ballot]: ...

    def __getitem__(self, index: int | slice) -> Ballot | Sequence[Ballot]:
        if isinstance(index, slice):
            return Ballots.of(self[i] for i in range(*index.indices(len(self))))
        return Ballot(
            self.voters[index],
            self.positions[index],
            self.cast_at[index],
            self.reasons[index],
            self.concerns[index],
            self.seqs[index],
        )

    def __iter__(self) -> Iterator[Ballot]:
        for i in range(len(self)):
            yield self[i]


@dataclass(frozen=True, slots=True)
class Tally:
    """Counted ballots of a meeting (show of hands, paper ballots)."""

    yes: int = 0
    no: int = 0
    abstain: int = 0
    blank: int = 0
    invalid: int = 0

    @property
    def total(self) -> int:
        """Every ballot counted, spoiled ones included."""
        return self.yes + self.no + self.abstain + self.blank + self.invalid


@dataclass(frozen=True, slots=True)
class CollegeTallies:
    """Counted ballots by college; a college that is not listed counted nothing."""

    by_college: tuple[tuple[str, Tally], ...]

    def of(self, college: str) -> Tally:
        """The tally of one college (empty if not listed)."""
        return dict(self.by_college).get(college, Tally())


# Events of consent processes and elections -------------------------------------------


@dataclass(frozen=True, slots=True)
class ObjectionQualified:
    """A recorded decision on what an objection is: valid, invalid or a concern."""

    voter: str
    result: Qualification
    decided_by: str
    rationale: str | None = None
    at: datetime | None = None
    round: int | None = None


@dataclass(frozen=True, slots=True)
class ObjectionWithdrawn:
    """The objector withdraws their objection, without any change of text."""

    voter: str
    round: int | None = None
    note: str | None = None
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class PhaseMark:
    """A phase of a sociocratic process took place (clarifying questions, reactions)."""

    phase: str


@dataclass(frozen=True, slots=True)
class RoundOpen:
    """A consent round opens on a version (and, in an election, on a candidate).

    Without a version, the round is about the latest version published (1 at first).
    """

    round: int
    version: int | None = None
    candidate: str | None = None


@dataclass(frozen=True, slots=True)
class PositionTaken:
    """A member's position in a sociocratic consent round."""

    round: int
    voter: str
    position: Position
    version: int | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Amend:
    """A new version of the proposal, integrating objections ``(round, voter)``."""

    version: int
    summary: str | None = None
    integrates: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Nomination:
    """In an election, a member nominates someone (themself when allowed)."""

    voter: str
    nominee: str
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Change:
    """In an election's change round, a member changes their nomination."""

    voter: str
    nominee: str
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class FacilitatorProposal:
    """The facilitator proposes a candidate, from the reasons heard."""

    candidate: str
    reason: str | None = None


Event = (
    ObjectionQualified
    | ObjectionWithdrawn
    | PhaseMark
    | RoundOpen
    | PositionTaken
    | Amend
    | Nomination
    | Change
    | FacilitatorProposal
)
