"""The values of a case: vocabularies, electorates, ballots and events.

Every value is immutable. Shares, weights and thresholds are ``Fraction``; times are aware
``datetime`` in UTC. The JSON form of these values is in ``cases.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from fractions import Fraction
from typing import TYPE_CHECKING, Generic, TypeVar, overload

__all__ = [
    "OUTSIDE_SEARCH",
    "AbsentPolicy",
    "Amend",
    "Ballot",
    "Ballots",
    "Base",
    "ByConvocation",
    "Case",
    "Change",
    "College",
    "CollegeHeadCount",
    "CollegeHeads",
    "CollegeMethod",
    "CollegeTallies",
    "ConfigError",
    "Convocation",
    "ConvocationCheck",
    "Electorate",
    "EmptyCollegePolicy",
    "Event",
    "FacilitatorProposal",
    "Family",
    "HeadCount",
    "Member",
    "Mode",
    "Nomination",
    "ObjectionQualified",
    "ObjectionWithdrawn",
    "Outcome",
    "PhaseMark",
    "Position",
    "PositionTaken",
    "Qualification",
    "Quorum",
    "QuorumBasis",
    "QuorumScope",
    "RejectionReason",
    "Roll",
    "RoundOpen",
    "SilencePolicy",
    "Tally",
    "Threshold",
    "ThresholdName",
    "UnreasonedObjectionPolicy",
]

T = TypeVar("T")

#: The reserved nominee id of an election: "search outside the circle" (RULES.md 6.2).
OUTSIDE_SEARCH = "outside_search"


class Family(StrEnum):
    """The five families of decision rules (RULES.md sections 2 to 6)."""

    MAJORITY = "majority"
    SCIC_COLLEGE = "scic_college"
    CONSENT = "consent"
    SOCIOCRATIC_CONSENT = "sociocratic_consent"
    SOCIOCRATIC_ELECTION = "sociocratic_election"


class Outcome(StrEnum):
    """What the engine decides about a case (RULES.md 0.2)."""

    PENDING = "pending"
    ADOPTED = "adopted"
    REJECTED = "rejected"
    NO_QUORUM = "no_quorum"
    BLOCKED = "blocked"
    NEEDS_INTEGRATION = "needs_integration"
    ESCALATED = "escalated"
    INVALID_CONFIG = "invalid_config"
    INVALID_CONVOCATION = "invalid_convocation"


class Position(StrEnum):
    """A position a member can take; each family accepts its own subset."""

    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"
    BLANK = "blank"
    INVALID = "invalid"
    CONSENT = "consent"
    OBJECT = "object"
    CONCERN = "concern"


class RejectionReason(StrEnum):
    """Why a ballot or an event was refused (RULES.md 0.3 and 8b)."""

    NOT_ELIGIBLE = "not_eligible"
    TOO_EARLY = "too_early"
    LATE = "late"
    POSITION_NOT_ALLOWED = "position_not_allowed"
    ABSTAIN_NOT_ALLOWED = "abstain_not_allowed"
    MISSING_REASON = "missing_reason"
    CHANGE_NOT_ALLOWED = "change_not_allowed"
    STALE_VERSION = "stale_version"
    NOT_AUTHORIZED = "not_authorized"


class Mode(StrEnum):
    """Meeting (present members, counts, proxies) or asynchronous (online ballots)."""

    MEETING = "meeting"
    ASYNC = "async"


class Base(StrEnum):
    """What counts in the denominator of a majority (RULES.md 2.1)."""

    YN = "YN"
    YNA = "YNA"
    VALID = "valid"
    CAST = "cast"
    PRESENT = "present"
    ENTITLED = "entitled"


class ThresholdName(StrEnum):
    """The named thresholds; ``custom`` carries its own fraction."""

    SIMPLE = "simple"
    ABSOLUTE = "absolute"
    TWO_THIRDS = "two_thirds"
    THREE_QUARTERS = "three_quarters"
    CUSTOM = "custom"


class Convocation(StrEnum):
    """First or second convocation (or consultation) of an assembly."""

    FIRST = "first"
    SECOND = "second"


class QuorumBasis(StrEnum):
    """What a quorum counts: heads present or represented (cooperatives) or capital."""

    MEMBERS_PRESENT_OR_REPRESENTED = "members_present_or_represented"
    CAPITAL = "capital"


class QuorumScope(StrEnum):
    """How a multi-college assembly checks its quorum (RULES.md 3.3)."""

    ASSEMBLY_HEADS = "assembly_heads"
    WEIGHTED = "weighted"
    PER_COLLEGE_MIN = "per_college_min"


class CollegeMethod(StrEnum):
    """How college results combine: proportional shares or each college as one bloc."""

    PROPORTIONAL = "proportional"
    BLOC = "bloc"


class EmptyCollegePolicy(StrEnum):
    """What the weight of a college that expresses nothing does (RULES.md 3.4)."""

    REDISTRIBUTE = "redistribute"
    FIXED = "fixed"


class ConfigError(StrEnum):
    """Why a college configuration is refused (RULES.md 3.2)."""

    TOO_FEW_COLLEGES = "too_few_colleges"
    WEIGHTS_SUM = "weights_sum"
    WEIGHT_OUT_OF_BOUNDS = "weight_out_of_bounds"


class SilencePolicy(StrEnum):
    """Whether silence at the deadline of a consent process means consent."""

    CONSENT = "consent"
    REQUIRE_ALL = "require_all"


class UnreasonedObjectionPolicy(StrEnum):
    """What happens to an objection given without a reason when one is required."""

    REJECT_BALLOT = "reject_ballot"
    DOWNGRADE_TO_CONCERN = "downgrade_to_concern"


class AbsentPolicy(StrEnum):
    """How a sociocratic circle treats absent members (SoFA options A, B, C)."""

    AWAIT = "await"
    CANNOT_OBJECT = "cannot_object"
    PRIOR_INPUT = "prior_input"


class Qualification(StrEnum):
    """What an objection was recognised as, by a recorded decision."""

    VALID = "valid"
    INVALID = "invalid"
    CONCERN = "concern"


@dataclass(frozen=True, slots=True)
class Threshold:
    """A majority threshold; named ones are exact fractions compared by cross-multiplication.

    ``simple`` is more yes than no, whatever the base; the others compare yes with a fraction
    of the base, strictly (``absolute``) or inclusively (``two_thirds``, ``three_quarters``).
    """

    name: ThresholdName
    fraction: Fraction = Fraction(1, 2)
    inclusive: bool = False

    @classmethod
    def named(cls, name: ThresholdName) -> Threshold:
        """The threshold a name stands for (``custom`` needs :meth:`custom`)."""
        fractions = {
            ThresholdName.SIMPLE: (Fraction(1, 2), False),
            ThresholdName.ABSOLUTE: (Fraction(1, 2), False),
            ThresholdName.TWO_THIRDS: (Fraction(2, 3), True),
            ThresholdName.THREE_QUARTERS: (Fraction(3, 4), True),
        }
        if name not in fractions:
            raise ValueError("a custom threshold needs a fraction: use Threshold.custom")
        fraction, inclusive = fractions[name]
        return cls(name, fraction, inclusive)

    @classmethod
    def custom(cls, num: int, den: int, *, inclusive: bool) -> Threshold:
        """A threshold of ``num/den`` of the base, inclusive ("at least") or strict."""
        return cls(ThresholdName.CUSTOM, Fraction(num, den), inclusive)

    def reached(self, share: Fraction) -> bool:
        """Whether a share of the base reaches this threshold (not for ``simple``)."""
        return share >= self.fraction if self.inclusive else share > self.fraction


@dataclass(frozen=True, slots=True)
class Quorum:
    """Minimum participation: at least ``num/den`` of the eligible ("au moins le cinquième")."""

    num: int
    den: int

    @property
    def fraction(self) -> Fraction:
        """The quorum as an exact fraction of the eligible."""
        return Fraction(self.num, self.den)

    def met(self, present: int | Fraction, eligible: int | Fraction) -> bool:
        """Inclusive test by cross-multiplication: ``present*den >= num*eligible``."""
        return present * self.den >= self.num * eligible


@dataclass(frozen=True, slots=True)
class ByConvocation(Generic[T]):
    """A parameter that may differ between first and second convocation."""

    first: T
    second: T

    def at(self, convocation: Convocation) -> T:
        """The value that applies at a convocation."""
        return self.first if convocation is Convocation.FIRST else self.second


@dataclass(frozen=True, slots=True)
class ConvocationCheck:
    """The notice given for a meeting: days from sending (excluded) to meeting (included)."""

    sent_on: date
    meeting_on: date
    min_days: int | None = None

    @property
    def days(self) -> int:
        """Notice days, counted as the courts do: the sending day out, the meeting day in."""
        return (self.meeting_on - self.sent_on).days


@dataclass(frozen=True, slots=True)
class College:
    """A college of a multi-college assembly; ``weight`` in percent, ``None`` for equal."""

    id: str
    weight: Fraction | None = None


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


# The case ------------------------------------------------------------------------------

if TYPE_CHECKING:
    from .params import Params


@dataclass(frozen=True, slots=True, kw_only=True)
class Case:
    """Everything needed to decide one vote: rule parameters, electorate, ballots, events.

    ``ballots`` holds individual ballots or tallies; ``events`` the other records of a
    consent process or an election (qualifications, rounds, positions, nominations...), in
    log order. ``id`` is echoed in the result.
    """

    params: Params
    electorate: Electorate
    ballots: Ballots | Tally | CollegeTallies = Ballots()
    events: tuple[Event, ...] = ()
    id: str | None = None

    @property
    def family(self) -> Family:
        """The family of rules the case is decided by."""
        return self.params.family
