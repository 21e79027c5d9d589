"""Family D: sociocratic consent rounds (docs/rules.md section 5).

The result is a pure function of the event log: rounds open on versions, members take
positions, objections are withdrawn or re-qualified, amendments publish new versions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ..explain import Step
from ..model import (
    AbsentPolicy,
    Amend,
    Case,
    Event,
    Family,
    ObjectionQualified,
    ObjectionWithdrawn,
    Outcome,
    PhaseMark,
    Position,
    PositionTaken,
    Qualification,
    RejectionReason,
    Roll,
    RoundOpen,
)
from ..params import SociocraticParams
from ..results import RejectedEvent, RoundResult, SociocraticResult

__all__ = ["CIRCLE", "ConsentRounds", "SociocraticRule"]

#: ``decided_by`` value of a re-qualification made by the circle, by consent.
CIRCLE = "circle"


@dataclass
class Stance:
    """A member's position in one round, and what became of it if it is an objection."""

    position: Position
    reason: str | None
    qualification: Qualification | None = None
    withdrawn: bool = False

    @property
    def objects(self) -> bool:
        """Whether this stance is an objection still standing as valid."""
        return (self.position is Position.OBJECT and not self.withdrawn
                and self.qualification in (None, Qualification.VALID))


@dataclass
class Round:
    """A consent round being played: its version, candidate and the stances taken."""

    number: int
    version: int
    candidate: str | None = None
    stances: dict[str, Stance] = field(default_factory=dict)
    last_voter: str | None = None


class ConsentRounds:
    """Plays a sociocratic event log, round by round; elections extend it."""

    #: Whether an adopted decision should carry a review date (a mandate has its term).
    asks_review_date = True

    def __init__(self, params: SociocraticParams, roll: Roll) -> None:
        self.params = params
        self.members = frozenset(roll.ids)
        present = roll.present
        self.present = self.members if present is None else frozenset(present)
        self.rounds: list[Round] = []
        self.version = 1
        self.amended_after_round = False
        self.rejected: list[RejectedEvent] = []
        self.phases: list[str] = []
        self.notes: list[str] = []

    # Playing the log ---------------------------------------------------------------------

    def play(self, events: tuple[Event, ...]) -> None:
        """Apply every event in log order."""
        for event in events:
            self.apply(event)

    def apply(self, event: Event) -> None:
        """Apply one event."""
        if isinstance(event, PhaseMark):
            self.phases.append(event.phase)
        elif isinstance(event, RoundOpen):
            version = self.version if event.version is None else event.version
            self.version = version
            self.rounds.append(Round(event.round, version, self.candidate_for(event)))
            self.amended_after_round = False
        elif isinstance(event, PositionTaken):
            self._take(event)
        elif isinstance(event, ObjectionQualified):
            self._qualify(event)
        elif isinstance(event, ObjectionWithdrawn):
            self._withdraw(event)
        elif isinstance(event, Amend):
            self.version = event.version
            self.amended_after_round = bool(self.rounds)

    def candidate_for(self, event: RoundOpen) -> str | None:
        """The candidate a round is about (elections only)."""
        return event.candidate

    def refuse(self, voter: str, round_: int | None, reason: RejectionReason,
               event: str = "position") -> None:
        """Record a refused event."""
        self.rejected.append(RejectedEvent(voter, round_, reason, event))

    def _refusal(self, event: PositionTaken) -> RejectionReason | None:
        current = self.rounds[-1] if self.rounds else None
        if event.voter not in self.members:
            return RejectionReason.NOT_ELIGIBLE
        if current is None or event.round > current.number:
            return RejectionReason.TOO_EARLY
        if event.round < current.number:
            return RejectionReason.LATE
        if event.version is not None and event.version != current.version:
            return RejectionReason.STALE_VERSION
        if event.position is Position.ABSTAIN and not self.params.allow_abstain:
            return RejectionReason.ABSTAIN_NOT_ALLOWED
        if event.position is Position.OBJECT:
            if (self.params.absent_policy is AbsentPolicy.CANNOT_OBJECT
                    and event.voter not in self.present):
                return RejectionReason.POSITION_NOT_ALLOWED
            if self.params.objection_requires_reason and not (event.reason or "").strip():
                return RejectionReason.MISSING_REASON
        return None

    def _take(self, event: PositionTaken) -> None:
        refusal = self._refusal(event)
        if refusal is not None:
            self.refuse(event.voter, event.round, refusal)
            return
        current = self.rounds[-1]
        current.stances[event.voter] = Stance(event.position, event.reason)
        current.last_voter = event.voter

    def _round(self, number: int | None) -> Round | None:
        if number is None:
            return self.rounds[-1] if self.rounds else None
        return next((r for r in self.rounds if r.number == number), None)

    def _objection(self, voter: str, number: int | None, kind: str) -> Stance | None:
        round_ = self._round(number)
        stance = None if round_ is None else round_.stances.get(voter)
        if stance is None or stance.position is not Position.OBJECT or stance.withdrawn:
            where = "" if round_ is None else f" in round {round_.number}"
            self.notes.append(f"{kind} ignored: {voter} has no objection standing{where}")
            return None
        return stance

    def _qualify(self, event: ObjectionQualified) -> None:
        if event.decided_by not in (event.voter, CIRCLE):
            self.refuse(event.voter, event.round, RejectionReason.NOT_AUTHORIZED,
                        "objection_qualified")
            return
        stance = self._objection(event.voter, event.round, "objection_qualified")
        if stance is not None:
            stance.qualification = event.result

    def _withdraw(self, event: ObjectionWithdrawn) -> None:
        stance = self._objection(event.voter, event.round, "objection_withdrawn")
        if stance is not None:
            stance.withdrawn = True

    # Deciding ------------------------------------------------------------------------------

    def required(self) -> frozenset[str]:
        """Who must answer in each round, by the absent policy."""
        if self.params.absent_policy is AbsentPolicy.AWAIT:
            return self.members
        return self.present

    def _carried(self, index: int) -> dict[str, Stance]:
        """Consents given on earlier versions, when they carry over."""
        if self.params.recheck_all_after_amend:
            return {}
        carried: dict[str, Stance] = {}
        for earlier in self.rounds[:index]:
            for voter, stance in earlier.stances.items():
                carried[voter] = stance
        return {v: s for v, s in carried.items() if s.position in (Position.CONSENT,
                                                                    Position.CONCERN)}

    def judge(self, index: int) -> RoundResult:
        """The outcome of the round at ``index`` (0-based) of the log."""
        round_ = self.rounds[index]
        stances = {**self._carried(index), **round_.stances}
        objections = sorted(v for v, s in stances.items() if s.objects)
        concerns = sorted(v for v, s in stances.items()
                          if s.position is Position.CONCERN or (
                              s.position is Position.OBJECT and not s.withdrawn
                              and s.qualification is Qualification.CONCERN))
        dismissed = sorted(v for v, s in stances.items() if s.position is Position.OBJECT
                           and not s.withdrawn and s.qualification is Qualification.INVALID)
        withdrawn = sorted(v for v, s in stances.items() if s.withdrawn)
        consents = sum(1 for s in stances.values()
                       if not s.objects and s.position is not Position.ABSTAIN)
        missing = sorted(self.required() - set(stances))
        if missing:
            outcome = Outcome.PENDING
        elif objections:
            if index + 1 < self.params.max_consent_rounds:
                outcome = Outcome.NEEDS_INTEGRATION
            elif self.params.escalation_target is not None:
                outcome = Outcome.ESCALATED
            else:
                outcome = Outcome.BLOCKED
        else:
            outcome = Outcome.ADOPTED
        candidate = round_.candidate
        return RoundResult(
            round=round_.number, version=round_.version, outcome=outcome, consents=consents,
            objections=tuple(objections), concerns=tuple(concerns),
            dismissed_objections=tuple(dismissed), withdrawn_objections=tuple(withdrawn),
            missing=tuple(missing), candidate=candidate,
            candidate_responded_last=None if candidate is None
            else round_.last_voter == candidate,
        )

    def judge_all(self) -> tuple[RoundResult, ...]:
        """Every round's outcome, in log order."""
        return tuple(self.judge(i) for i in range(len(self.rounds)))

    def warnings(self, outcome: Outcome) -> list[str]:
        """What the record should draw attention to, without changing the outcome."""
        found = list(self.notes)
        seen = set(self.phases)
        found += [f"phase_skipped: {p}" for p in self.params.require_phases if p not in seen]
        if (outcome is Outcome.ADOPTED and self.asks_review_date
                and self.params.review_date is None):
            found.append("review_date_missing")
        return found


def round_step(result: RoundResult) -> Step:
    """The explanation of one round."""
    return Step.of("round", round=result.round, version=result.version,
                   outcome=result.outcome.value, consents=result.consents,
                   objections=result.objections, missing=result.missing,
                   candidate=result.candidate)


def overall(
    rounds: ConsentRounds, results: tuple[RoundResult, ...]
) -> tuple[Outcome, list[Step]]:
    """The process's outcome: the last round decides, unless a new version awaits its round."""
    steps = [round_step(r) for r in results]
    if not results:
        return Outcome.PENDING, [Step.of("no_round")]
    if rounds.amended_after_round:
        return Outcome.PENDING, [*steps, Step.of("amend_pending", version=rounds.version)]
    outcome = results[-1].outcome
    params = rounds.params
    if outcome is Outcome.ESCALATED:
        steps.append(Step.of("escalated", target=params.escalation_target,
                             max_rounds=params.max_consent_rounds))
    elif outcome is Outcome.BLOCKED:
        steps.append(Step.of("rounds_limit", max_rounds=params.max_consent_rounds))
    elif outcome is Outcome.ADOPTED and rounds.asks_review_date and params.review_date is None:
        steps.append(Step.of("review_date_missing"))
    return outcome, steps


class SociocraticRule:
    """Sociocratic consent: rounds on versions, reasoned objections, integration into an
    amended proposal and re-consent, within a rounds limit."""

    family = Family.SOCIOCRATIC_CONSENT

    def evaluate(self, case: Case, now: datetime | None = None) -> SociocraticResult:
        """Decide a sociocratic consent case (the log is its own clock: ``now`` is unused)."""
        params = case.params
        if not isinstance(params, SociocraticParams) or not isinstance(case.electorate, Roll):
            raise TypeError("a sociocratic case needs SociocraticParams and a roll of members")
        rounds = ConsentRounds(params, case.electorate)
        rounds.play(case.events)
        results = rounds.judge_all()
        outcome, steps = overall(rounds, results)
        return SociocraticResult(
            outcome=outcome, explanation=tuple(steps), case_id=case.id,
            current_round=results[-1].round if results else None,
            current_version=rounds.version, rounds=results,
            rejected_events=tuple(rounds.rejected), phases=tuple(rounds.phases),
            warnings=tuple(rounds.warnings(outcome)),
            escalation_target=params.escalation_target,
        )
