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
from fractions import Fraction
from typing import TypeAlias, overload

from .vocabulary import Position, Qualification

__all__ = [
    "Amend",
    "Ballot",
    "Ballots",
    "Change",
    "CollegeHeadCount",
    "CollegeHeads",
    "CollegeTallies",
    "CountedTally",
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
    "Votes",
]

Votes: TypeAlias = int | Fraction
"""A number of votes: heads (``int``), or the exact sum of members' vote weights."""


# Electorates -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Member:
    """A member entitled to take part, with their college when the assembly has colleges,
    and their vote weight (exact, 1 unless the statuts give some members more votes)."""

    id: str
    college: str | None = None
    weight: Votes = 1


@dataclass(frozen=True, slots=True)
class Roll:
    """A named electorate, snapshotted when the vote opened, and its attendance sheet.

    Kept as columns (an assembly can have tens of thousands of members): ``colleges`` is
    empty, or gives each member's college in the order of ``ids``; ``weights`` is empty
    (every member has one vote), or gives each member's vote weight in that order.

    The attendance sheet of a meeting (docs/rules.md 0.4): ``present`` in the room,
    ``remote`` (by video or telephone: present only when the statuts allow it),
    ``represented_by`` (pairs ``(represented member, proxy holder)``) and ``postal``
    (pairs ``(member, time their postal form was received)``).
    """

    ids: tuple[str, ...]
    colleges: tuple[str | None, ...] = ()
    present: tuple[str, ...] | None = None
    weights: tuple[Votes, ...] = ()
    remote: tuple[str, ...] = ()
    represented_by: tuple[tuple[str, str], ...] = ()
    postal: tuple[tuple[str, datetime], ...] = ()

    def __post_init__(self) -> None:
        if self.colleges and len(self.colleges) != len(self.ids):
            raise ValueError("colleges must give one college per member, or be empty")
        if self.weights and len(self.weights) != len(self.ids):
            raise ValueError("weights must give one weight per member, or be empty")
        if any(isinstance(w, float) or w <= 0 for w in self.weights):
            raise ValueError("vote weights must be exact (int or Fraction) and positive")

    @classmethod
    def of(cls, ids: Iterable[str], present: Iterable[str] | None = None) -> Roll:
        """A roll of members without colleges."""
        return cls(tuple(ids), (), None if present is None else tuple(present))

    @classmethod
    def of_members(cls, members: Iterable[Member], present: Iterable[str] | None = None) -> Roll:
        """A roll from :class:`Member` values (with their colleges and weights)."""
        items = tuple(members)
        colleges = tuple(m.college for m in items)
        weights = tuple(m.weight for m in items)
        return cls(tuple(m.id for m in items),
                   colleges if any(c is not None for c in colleges) else (),
                   None if present is None else tuple(present),
                   weights if any(w != 1 for w in weights) else ())

    @property
    def members(self) -> tuple[Member, ...]:
        """The members as values, in roll order."""
        colleges = self.colleges or (None,) * len(self.ids)
        weights = self.weights or (1,) * len(self.ids)
        return tuple(Member(i, c, w)
                     for i, c, w in zip(self.ids, colleges, weights, strict=True))

    @property
    def has_attendance_sheet(self) -> bool:
        """Whether the roll says more than who is present in the room: remote members,
        proxies or postal votes (then the vote is a meeting's)."""
        return bool(self.remote or self.represented_by or self.postal)


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
    """One member's answer. ``seq`` orders ballots cast at the same instant.

    ``cast_by`` names the proxy holder who cast the ballot of ``voter``, the member they
    represent (``None``: cast by the member themself); ``postal`` marks a vote by post,
    sent before the meeting (docs/rules.md 0.4).
    """

    voter: str
    position: Position
    cast_at: datetime
    reason: str | None = None
    concern: str | None = None
    seq: int | None = None
    cast_by: str | None = None
    postal: bool = False


@dataclass(frozen=True, slots=True)
class Ballots(Sequence[Ballot]):
    """The individual ballots of a case, kept column by column.

    An assembly can bring a million ballots; columns keep them compact and fast to count,
    while the value still reads as a sequence of :class:`Ballot`. The columns
    ``cast_by`` and ``postal`` are empty when no ballot was cast by a proxy holder or by
    post (as :meth:`of` leaves them).
    """

    voters: tuple[str, ...] = ()
    positions: tuple[Position, ...] = ()
    cast_at: tuple[datetime, ...] = ()
    reasons: tuple[str | None, ...] = ()
    concerns: tuple[str | None, ...] = ()
    seqs: tuple[int | None, ...] = ()
    cast_by: tuple[str | None, ...] = ()
    postal: tuple[bool, ...] = ()

    def __post_init__(self) -> None:
        n = len(self.voters)
        columns = (self.positions, self.cast_at, self.reasons, self.concerns, self.seqs)
        if any(len(column) != n for column in columns):
            raise ValueError("every ballot column must have the same length")
        if any(column and len(column) != n for column in (self.cast_by, self.postal)):
            raise ValueError("cast_by and postal must give one value per ballot, or be empty")

    @property
    def by_channel(self) -> bool:
        """Whether some ballot was cast by a proxy holder or by post."""
        return any(self.postal) or any(b is not None for b in self.cast_by)

    @classmethod
    def of(cls, ballots: Iterable[Ballot]) -> Ballots:
        """Ballots from individual :class:`Ballot` values, in arrival order."""
        items = tuple(ballots)
        cast_by = tuple(b.cast_by for b in items)
        postal = tuple(b.postal for b in items)
        return cls(
            tuple(b.voter for b in items),
            tuple(b.position for b in items),
            tuple(b.cast_at for b in items),
            tuple(b.reason for b in items),
            tuple(b.concern for b in items),
            tuple(b.seq for b in items),
            cast_by if any(c is not None for c in cast_by) else (),
            postal if any(postal) else (),
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
            self.cast_by[index] if self.cast_by else None,
            self.postal[index] if self.postal else False,
        )

    def __iter__(self) -> Iterator[Ballot]:
        for i in range(len(self)):
            yield self[i]


@dataclass(frozen=True, slots=True)
class Tally:
    """Counted ballots of a meeting (show of hands, paper ballots), or the counts of a
    vote: in votes, exact sums of the members' weights when they have weights."""

    yes: Votes = 0
    no: Votes = 0
    abstain: Votes = 0
    blank: Votes = 0
    invalid: Votes = 0

    @property
    def total(self) -> Votes:
        """Every ballot counted, spoiled ones included."""
        return self.yes + self.no + self.abstain + self.blank + self.invalid


@dataclass(frozen=True, slots=True)
class CollegeTallies:
    """Counted ballots by college; a college that is not listed counted nothing."""

    by_college: tuple[tuple[str, Tally], ...]

    def of(self, college: str) -> Tally:
        """The tally of one college (empty if not listed)."""
        return dict(self.by_college).get(college, Tally())


@dataclass(frozen=True, slots=True)
class CountedTally:
    """Votes of a meeting counted without names, beside its named ballots: a show of hands
    or paper ballots in the room, or the counters of a secret ballot. ``college`` is the
    group counted (``None`` without colleges); ``source`` says where the count comes from,
    in the platform's words, and is only reported back."""

    tally: Tally
    college: str | None = None
    source: str | None = None


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
    CountedTally
    | ObjectionQualified
    | ObjectionWithdrawn
    | PhaseMark
    | RoundOpen
    | PositionTaken
    | Amend
    | Nomination
    | Change
    | FacilitatorProposal
)
