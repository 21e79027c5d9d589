"""What the engine answers: one result type per family, each with its JSON form.

Field names follow docs/case-format.md; ``to_json`` gives exact fractions as ``"num/den"``
strings and lists of member ids sorted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any, ClassVar

from .explain import Language, Step, render
from .model import (
    Base,
    CollegeMethod,
    CollegeRefusal,
    Convocation,
    CountedTally,
    Family,
    Outcome,
    PostalOnAmended,
    ProxyRefusal,
    RejectionReason,
    Tally,
    Threshold,
    Votes,
)

__all__ = [
    "AttendanceCounts",
    "CollegeOutcome",
    "CollegeResult",
    "ConsentCounts",
    "ConsentResult",
    "ElectionResult",
    "MajorityResult",
    "RefusedPostal",
    "RefusedProxy",
    "RejectedBallot",
    "RejectedEvent",
    "Result",
    "RoundResult",
    "SociocraticResult",
    "fraction_json",
    "time_json",
    "votes_json",
]


def fraction_json(value: Fraction | None) -> str | None:
    """An exact fraction as ``"num/den"`` in lowest terms (``"0/1"`` for zero)."""
    return None if value is None else f"{value.numerator}/{value.denominator}"


def votes_json(value: Votes) -> int | str:
    """A number of votes: an integer when whole (every count without weights), else an
    exact fraction ``"num/den"`` (sums of fractional vote weights)."""
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return value.numerator
        return f"{value.numerator}/{value.denominator}"
    return value


def _maybe_votes_json(value: Votes | None) -> int | str | None:
    return None if value is None else votes_json(value)


def decimal_json(value: Fraction | None) -> float | None:
    """A fraction rounded to 4 places, for display only."""
    return None if value is None else round(float(value), 4)


def time_json(value: datetime) -> str:
    """An aware UTC time as ISO 8601 with ``Z``."""
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


@dataclass(frozen=True, slots=True)
class RejectedBallot:
    """A ballot that was not counted, and why; ``cast_by`` the proxy holder who cast it,
    ``postal`` when it came by post."""

    voter: str
    reason: RejectionReason
    cast_at: datetime | None = None
    cast_by: str | None = None
    postal: bool = False

    def to_json(self) -> dict[str, Any]:
        """The docs/case-format.md record ``{voter, reason}`` (with ``cast_at`` when known,
        ``cast_by`` and ``postal`` when they apply)."""
        record: dict[str, Any] = {"voter": self.voter, "reason": self.reason.value}
        if self.cast_at is not None:
            record["cast_at"] = time_json(self.cast_at)
        if self.cast_by is not None:
            record["cast_by"] = self.cast_by
        if self.postal:
            record["postal"] = True
        return record


@dataclass(frozen=True, slots=True)
class RefusedProxy:
    """A proxy of the attendance sheet that was refused: ``member`` gave it to ``holder``.

    The member is then not represented: they count as absent unless they take part
    themself, and a ballot the holder casts for them is refused ``proxy_refused``.
    """

    member: str
    holder: str
    reason: ProxyRefusal

    def to_json(self) -> dict[str, Any]:
        """``{member, holder, reason}``."""
        return {"member": self.member, "holder": self.holder, "reason": self.reason.value}


@dataclass(frozen=True, slots=True)
class RefusedPostal:
    """A postal form received too late to count (C. com. L225-107 I): the member counts
    as absent and their postal ballots are refused ``late``."""

    member: str
    received_at: datetime
    reason: RejectionReason = RejectionReason.LATE

    def to_json(self) -> dict[str, Any]:
        """``{member, reason, received_at}``."""
        return {"member": self.member, "reason": self.reason.value,
                "received_at": time_json(self.received_at)}


@dataclass(frozen=True, slots=True)
class AttendanceCounts:
    """Who took part in a meeting, and how, in heads (members, whatever their weight).

    ``in_room`` present in the room; ``remote`` taking part remotely and counted present;
    ``remote_not_counted`` taking part remotely when the statuts do not count them;
    ``represented`` by an accepted proxy; ``postal`` by a postal form received in time.
    A member in the room who also sent a postal form counts once, as postal.
    """

    in_room: int = 0
    remote: int = 0
    remote_not_counted: int = 0
    represented: int = 0
    postal: int = 0

    def __add__(self, other: AttendanceCounts) -> AttendanceCounts:
        return AttendanceCounts(
            self.in_room + other.in_room, self.remote + other.remote,
            self.remote_not_counted + other.remote_not_counted,
            self.represented + other.represented, self.postal + other.postal)

    def to_json(self) -> dict[str, int]:
        """The five counts by name."""
        return {"in_room": self.in_room, "remote": self.remote,
                "remote_not_counted": self.remote_not_counted,
                "represented": self.represented, "postal": self.postal}


@dataclass(frozen=True, slots=True)
class RejectedEvent:
    """An event of a consent process or election that was refused, and why."""

    voter: str
    round: int | None
    reason: RejectionReason
    event: str = "position"

    def to_json(self) -> dict[str, Any]:
        """The docs/case-format.md record ``{voter, round, reason}`` (with the event type)."""
        return {"voter": self.voter, "round": self.round, "reason": self.reason.value,
                "event": self.event}


@dataclass(frozen=True, slots=True, kw_only=True)
class Result:
    """The common part of every result: outcome, reason and explanation steps."""

    family: ClassVar[Family]

    outcome: Outcome
    explanation: tuple[Step, ...] = ()
    reason: str | None = None
    case_id: str | None = None

    def text(self, language: Language = "en") -> str:
        """The explanation as plain sentences, in English (``en``) or French (``fr``)."""
        return render(self.explanation, language)

    def to_json(self) -> dict[str, Any]:
        """The result as docs/case-format.md describes it."""
        data: dict[str, Any] = {}
        if self.case_id is not None:
            data["id"] = self.case_id
        data["outcome"] = self.outcome.value
        if self.reason is not None:
            data["reason"] = self.reason
        data.update(self._details_json())
        data["explanation"] = [step.to_json() for step in self.explanation]
        return data

    def _details_json(self) -> dict[str, Any]:
        return {}


def _tally_json(counts: Tally) -> dict[str, int | str]:
    return {"yes": votes_json(counts.yes), "no": votes_json(counts.no),
            "abstain": votes_json(counts.abstain), "blank": votes_json(counts.blank),
            "invalid": votes_json(counts.invalid)}


@dataclass(frozen=True, slots=True, kw_only=True)
class MajorityResult(Result):
    """A majority vote's result. Counting fields are ``None`` when nothing was counted
    (``invalid_convocation``, ``invalid_config``).

    Counts, ``participants``, ``eligible``, ``present`` and ``base_count`` are in votes:
    heads, or exact sums of the members' vote weights. A meeting with an attendance sheet
    also reports ``attendance`` (in heads), the accepted proxies (``represented_by``,
    pairs ``(member, holder)``), the refused ones and the refused postal forms.
    """

    family: ClassVar[Family] = Family.MAJORITY

    convocation: Convocation = Convocation.FIRST
    counts: Tally | None = None
    participants: Votes | None = None
    eligible: Votes | None = None
    present: Votes | None = None
    quorum_met: bool | None = None
    base: Base | None = None
    base_count: Votes | None = None
    yes_share: Fraction | None = None
    threshold: Threshold | None = None
    rejected_ballots: tuple[RejectedBallot, ...] = ()
    superseded_ballots: int = 0
    convocation_days: int | None = None
    closed_early_at: datetime | None = None
    attendance: AttendanceCounts | None = None
    represented_by: tuple[tuple[str, str], ...] = ()
    refused_proxies: tuple[RefusedProxy, ...] = ()
    refused_postal: tuple[RefusedPostal, ...] = ()
    postal_on_amended: PostalOnAmended | None = None
    tallies: tuple[CountedTally, ...] = ()

    def _details_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"convocation": self.convocation.value}
        if self.convocation_days is not None:
            data["convocation_days"] = self.convocation_days
        if self.counts is None:
            return data
        data.update(
            counts=_tally_json(self.counts),
            participants=_maybe_votes_json(self.participants),
            eligible=_maybe_votes_json(self.eligible),
            present=_maybe_votes_json(self.present),
            quorum_met=self.quorum_met,
            base=None if self.base is None else self.base.value,
            base_count=_maybe_votes_json(self.base_count),
            yes_share=fraction_json(self.yes_share),
            yes_share_decimal=decimal_json(self.yes_share),
            rejected_ballots=[r.to_json() for r in self.rejected_ballots],
            superseded_ballots=self.superseded_ballots,
        )
        if self.closed_early_at is not None:
            data["closed_early_at"] = time_json(self.closed_early_at)
        if self.attendance is not None:
            data.update(
                attendance=self.attendance.to_json(),
                represented_by=dict(sorted(self.represented_by)),
                refused_proxies=[r.to_json() for r in self.refused_proxies],
                refused_postal=[r.to_json() for r in self.refused_postal],
            )
        if self.postal_on_amended is not None:
            data["postal_on_amended"] = self.postal_on_amended.value
        if self.tallies:
            data["tallies"] = [_counted_json(t) for t in self.tallies]
        return data


def _counted_json(counted: CountedTally) -> dict[str, Any]:
    """Votes counted without names, as the case format writes them."""
    data: dict[str, Any] = {}
    if counted.college is not None:
        data["college"] = counted.college
    if counted.source is not None:
        data["source"] = counted.source
    return {**data, **_tally_json(counted.tally)}


@dataclass(frozen=True, slots=True, kw_only=True)
class CollegeOutcome:
    """One college's part in a multi-college vote.

    ``weight`` and ``weight_effective`` are fractions of the total voting rights; ``base``
    is the college's base count.
    """

    college: str
    weight: Fraction
    weight_effective: Fraction
    counts: Tally
    members: Votes
    present: Votes
    base: Votes
    yes_share: Fraction | None
    expressing: bool
    bloc: str | None = None
    attendance: AttendanceCounts | None = None

    def to_json(self) -> dict[str, Any]:
        """The docs/case-format.md per-college record."""
        data: dict[str, Any] = {
            "weight": fraction_json(self.weight),
            "weight_effective": fraction_json(self.weight_effective),
            **_tally_json(self.counts),
            "members": votes_json(self.members),
            "present": votes_json(self.present),
            "base": votes_json(self.base),
            "yes_share": fraction_json(self.yes_share),
            "expressing": self.expressing,
        }
        if self.bloc is not None:
            data["bloc"] = self.bloc
        if self.attendance is not None:
            data["attendance"] = self.attendance.to_json()
        return data


@dataclass(frozen=True, slots=True, kw_only=True)
class CollegeResult(MajorityResult):
    """A multi-college vote's result: the assembly's figures and each college's."""

    family: ClassVar[Family] = Family.SCIC_COLLEGE

    method: CollegeMethod = CollegeMethod.PROPORTIONAL
    weighted_yes_share: Fraction | None = None
    colleges: tuple[CollegeOutcome, ...] = ()
    config_error: CollegeRefusal | None = None
    offending_colleges: tuple[str, ...] = ()

    def _details_json(self) -> dict[str, Any]:
        if self.config_error is not None:
            return {"config_error": self.config_error.value,
                    "colleges": list(self.offending_colleges)}
        data = MajorityResult._details_json(self)
        if self.counts is None:
            return data
        data.update(
            method=self.method.value,
            weighted_yes_share=fraction_json(self.weighted_yes_share),
            weighted_yes_share_decimal=decimal_json(self.weighted_yes_share),
            colleges={c.college: c.to_json() for c in self.colleges},
        )
        return data


@dataclass(frozen=True, slots=True)
class ConsentCounts:
    """Latest positions in a consent process."""

    consent: int = 0
    abstain: int = 0
    object: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class ConsentResult(Result):
    """An asynchronous consent process's result (docs/rules.md 4.3)."""

    family: ClassVar[Family] = Family.CONSENT

    counts: ConsentCounts = ConsentCounts()
    eligible: int = 0
    responders: int = 0
    missing: tuple[str, ...] = ()
    outstanding_objections: tuple[str, ...] = ()
    dismissed_objections: tuple[str, ...] = ()
    concerns: tuple[str, ...] = ()
    rejected_ballots: tuple[RejectedBallot, ...] = ()
    superseded_ballots: int = 0
    min_consents: int = 1
    closed_early_at: datetime | None = None
    ignored_events: tuple[Mapping[str, Any], ...] = ()

    def _details_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "counts": {"consent": self.counts.consent, "abstain": self.counts.abstain,
                       "object": self.counts.object},
            "eligible": self.eligible,
            "responders": self.responders,
            "missing": list(self.missing),
            "outstanding_objections": list(self.outstanding_objections),
            "dismissed_objections": list(self.dismissed_objections),
            "concerns": list(self.concerns),
            "rejected_ballots": [r.to_json() for r in self.rejected_ballots],
            "superseded_ballots": self.superseded_ballots,
            "ignored_events": [dict(e) for e in self.ignored_events],
        }
        if self.closed_early_at is not None:
            data["closed_early_at"] = time_json(self.closed_early_at)
        return data


@dataclass(frozen=True, slots=True, kw_only=True)
class RoundResult:
    """One consent round of a sociocratic process."""

    round: int
    version: int
    outcome: Outcome
    consents: int
    objections: tuple[str, ...] = ()
    concerns: tuple[str, ...] = ()
    dismissed_objections: tuple[str, ...] = ()
    withdrawn_objections: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    candidate: str | None = None
    candidate_responded_last: bool | None = None

    def to_json(self) -> dict[str, Any]:
        """The docs/case-format.md round record."""
        data: dict[str, Any] = {
            "round": self.round,
            "version": self.version,
            "consents": self.consents,
            "objections": list(self.objections),
            "concerns": list(self.concerns),
            "dismissed_objections": list(self.dismissed_objections),
            "withdrawn_objections": list(self.withdrawn_objections),
            "missing": list(self.missing),
            "outcome": self.outcome.value,
        }
        if self.candidate is not None:
            data["candidate"] = self.candidate
            data["candidate_responded_last"] = self.candidate_responded_last
        return data


@dataclass(frozen=True, slots=True, kw_only=True)
class SociocraticResult(Result):
    """A sociocratic consent process's result: the rounds so far (docs/rules.md 5.4)."""

    family: ClassVar[Family] = Family.SOCIOCRATIC_CONSENT

    current_round: int | None = None
    current_version: int | None = None
    rounds: tuple[RoundResult, ...] = ()
    rejected_events: tuple[RejectedEvent, ...] = ()
    phases: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    escalation_target: str | None = None

    def _details_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "current_round": self.current_round,
            "current_version": self.current_version,
            "rounds": [r.to_json() for r in self.rounds],
            "rejected_events": [e.to_json() for e in self.rejected_events],
            "phases": list(self.phases),
            "warnings": list(self.warnings),
        }
        if self.outcome is Outcome.ESCALATED:
            data["escalation_target"] = self.escalation_target
        return data


@dataclass(frozen=True, slots=True, kw_only=True)
class ElectionResult(SociocraticResult):
    """A sociocratic election's result (docs/rules.md 6)."""

    family: ClassVar[Family] = Family.SOCIOCRATIC_ELECTION

    role: str | None = None
    term_months: int | None = None
    elected: str | None = None
    nomination_counts: tuple[tuple[str, int], ...] = ()
    after_change_round: tuple[tuple[str, int], ...] = ()
    first_proposed: str | None = None
    tied: tuple[str, ...] = ()

    def _details_json(self) -> dict[str, Any]:
        data = SociocraticResult._details_json(self)
        data.update(
            role=self.role,
            term_months=self.term_months,
            elected=self.elected,
            nomination_counts=dict(self.nomination_counts),
            after_change_round=dict(self.after_change_round),
            first_proposed=self.first_proposed,
            tied=list(self.tied),
        )
        return data
