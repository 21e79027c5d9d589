"""The values of a case: the rule's parameter values, and the case itself.

Every value is immutable. Shares, weights and thresholds are ``Fraction``; times are aware
``datetime`` in UTC. The parameters of each family, built from these values, are in
``params``; the JSON form of a case is read and written by the ``cases`` package.

This module also gathers, for its importers, the names defined in ``vocabulary`` (the
enums of the case format) and ``records`` (electorates, ballots and events), so that
``from decisions.engine.model import ...`` reaches every value of a case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import TYPE_CHECKING, Generic, TypeVar

from .records import (
    Amend,
    Ballot,
    Ballots,
    Change,
    CollegeHeadCount,
    CollegeHeads,
    CollegeTallies,
    CountedTally,
    Electorate,
    Event,
    FacilitatorProposal,
    HeadCount,
    Member,
    Nomination,
    ObjectionQualified,
    ObjectionWithdrawn,
    PhaseMark,
    PositionTaken,
    Roll,
    RoundOpen,
    Tally,
    Votes,
)
from .vocabulary import (
    OUTSIDE_SEARCH,
    UNLIMITED,
    AbsentPolicy,
    Base,
    CollegeMethod,
    CollegeRefusal,
    ConfigError,
    Convocation,
    EmptyCollegePolicy,
    Family,
    Mode,
    Outcome,
    Position,
    PostalOnAmended,
    ProxyRefusal,
    Qualification,
    QuorumBasis,
    QuorumScope,
    RejectionReason,
    SilencePolicy,
    ThresholdName,
    UnreasonedObjectionPolicy,
)

if TYPE_CHECKING:
    from .params import Params

__all__ = [
    "OUTSIDE_SEARCH",
    "UNLIMITED",
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
    "CollegeRefusal",
    "CollegeTallies",
    "ConfigError",
    "Convocation",
    "ConvocationCheck",
    "CountedTally",
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
    "PostalOnAmended",
    "ProxyRefusal",
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
    "Votes",
]

T = TypeVar("T")


# Values of parameters --------------------------------------------------------------------


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


# The case ------------------------------------------------------------------------------


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
