"""The parameters of each family of rules, resolved: preset, then explicit values.

A parameter neither given nor in the preset takes the family default of docs/rules.md section 8;
the defaults below are those.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar, Literal

from .model import (
    AbsentPolicy,
    Base,
    ByConvocation,
    College,
    CollegeMethod,
    Convocation,
    ConvocationCheck,
    EmptyCollegePolicy,
    Family,
    Mode,
    Position,
    PostalOnAmended,
    Quorum,
    QuorumScope,
    SilencePolicy,
    Threshold,
    UnreasonedObjectionPolicy,
)
from .timing import Window

__all__ = [
    "CollegeParams",
    "ConsentParams",
    "ElectionParams",
    "MajorityParams",
    "Params",
    "SociocraticParams",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class MajorityParams:
    """Parameters of a majority vote, one member one vote (docs/rules.md 2.1).

    ``mode`` ``None`` means: meeting when the electorate or the ballots are counts, or
    when the roll has an attendance sheet (remote members, proxies, postal votes), else
    async. ``convocation_check.min_days`` ``None`` takes the preset's notice period.

    Meetings (docs/rules.md 0.4): ``max_proxies_per_holder`` is the statutory cap on the
    proxies one holder may hold (``"unlimited"`` when the statuts set none; ``None``, not
    given, is refused for a roll with proxies: no legal default is assumed);
    ``proxy_same_college`` asks that a holder be of the represented member's college;
    ``remote_counts_as_present`` that members taking part remotely count as present (only
    if the statuts say so, C. com. L225-107 II); ``postal_deadline`` is the instant by
    which postal forms must be received (``None``: ``opens_at``, the meeting's opening,
    C. com. L225-107 I); ``amended_in_meeting`` says that the resolution voted was amended
    in the meeting, and ``postal_on_amended`` what postal votes then count as.
    """

    family: ClassVar[Family] = Family.MAJORITY

    threshold: ByConvocation[Threshold]
    base: ByConvocation[Base]
    preset: str | None = None
    mode: Mode | None = None
    quorum: ByConvocation[Quorum | None] = ByConvocation(None, None)
    convocation: Convocation = Convocation.FIRST
    convocation_check: ConvocationCheck | None = None
    window: Window = Window()
    allow_vote_change: bool = True
    close_when_all_voted: bool = False
    max_proxies_per_holder: int | Literal["unlimited"] | None = None
    proxy_same_college: bool = False
    remote_counts_as_present: bool = False
    postal_deadline: datetime | None = None
    amended_in_meeting: bool = False
    postal_on_amended: PostalOnAmended = PostalOnAmended.ABSENT


@dataclass(frozen=True, slots=True, kw_only=True)
class CollegeParams(MajorityParams):
    """Parameters of a multi-college vote as in SCIC general assemblies (docs/rules.md 3.1).

    ``enforce_scic_bounds`` false lets organisations that are not SCICs use any two or more
    colleges with positive weights summing to 100.
    """

    family: ClassVar[Family] = Family.SCIC_COLLEGE

    colleges: tuple[College, ...]
    method: CollegeMethod = CollegeMethod.PROPORTIONAL
    empty_college_policy: EmptyCollegePolicy = EmptyCollegePolicy.REDISTRIBUTE
    quorum_scope: QuorumScope = QuorumScope.ASSEMBLY_HEADS
    enforce_scic_bounds: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class ConsentParams:
    """Parameters of an asynchronous consent process, Loomio-style (docs/rules.md 4.1)."""

    family: ClassVar[Family] = Family.CONSENT

    preset: str | None = None
    positions: tuple[Position, ...] = (Position.CONSENT, Position.ABSTAIN, Position.OBJECT)
    objection_requires_reason: bool = True
    unreasoned_objection_policy: UnreasonedObjectionPolicy = (
        UnreasonedObjectionPolicy.REJECT_BALLOT
    )
    silence_policy: SilencePolicy = SilencePolicy.CONSENT
    min_responses: Quorum | None = None
    min_consents: int = 1
    close_when_all_responded: bool = True
    allow_abstain: bool = True
    allow_vote_change: bool = True
    window: Window = Window()


@dataclass(frozen=True, slots=True, kw_only=True)
class SociocraticParams:
    """Parameters of sociocratic consent rounds (docs/rules.md 5.2).

    ``escalation_target`` ``None`` blocks at the rounds limit; a circle's name escalates to it.
    """

    family: ClassVar[Family] = Family.SOCIOCRATIC_CONSENT

    preset: str | None = None
    max_consent_rounds: int = 3
    escalation_target: str | None = None
    allow_abstain: bool = False
    objection_requires_reason: bool = True
    recheck_all_after_amend: bool = True
    absent_policy: AbsentPolicy = AbsentPolicy.AWAIT
    require_phases: tuple[str, ...] = ("clarifying", "reactions")
    review_date: date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ElectionParams(SociocraticParams):
    """Parameters of a sociocratic election (docs/rules.md 6).

    ``proposal_rule``: ``facilitator`` (the facilitator's proposal decides the candidate;
    without one, the unique top nominee) or ``top_nominee`` (always the unique top nominee).
    """

    family: ClassVar[Family] = Family.SOCIOCRATIC_ELECTION

    role: str | None = None
    term_months: int | None = None
    self_nomination: bool = True
    proposal_rule: str = "facilitator"
    tie_rule: str = "facilitator_choice"


Params = MajorityParams | CollegeParams | ConsentParams | SociocraticParams | ElectionParams
