"""Family C: asynchronous consent, Loomio-style (docs/rules.md section 4).

Passes unless a valid objection stands at the deadline. The engine never judges whether an
objection is valid: it applies the qualifications recorded by people, with who and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..counting import PositionRules, count_ballots
from ..explain import Step
from ..model import (
    Ballots,
    Case,
    Family,
    ObjectionQualified,
    ObjectionWithdrawn,
    Outcome,
    Position,
    Qualification,
    RejectionReason,
    Roll,
    SilencePolicy,
    UnreasonedObjectionPolicy,
)
from ..params import ConsentParams
from ..results import ConsentCounts, ConsentResult, fraction_json, time_json
from ..timing import Window
from .majority import ballot_steps

__all__ = ["ConsentRule", "consent_position_rules"]


def consent_position_rules(params: ConsentParams) -> PositionRules:
    """Which positions a consent process refuses, and which need a reason."""
    refused: dict[Position, RejectionReason] = {}
    for position in (Position.CONSENT, Position.ABSTAIN, Position.OBJECT):
        if position is Position.ABSTAIN and (
            not params.allow_abstain or Position.ABSTAIN not in params.positions
        ):
            refused[position] = RejectionReason.ABSTAIN_NOT_ALLOWED
        elif position not in params.positions:
            refused[position] = RejectionReason.POSITION_NOT_ALLOWED
    rejects_unreasoned = (
        params.objection_requires_reason
        and params.unreasoned_objection_policy is UnreasonedObjectionPolicy.REJECT_BALLOT
    )
    return PositionRules(refused, frozenset({Position.OBJECT} if rejects_unreasoned else ()))


@dataclass
class _Objections:
    """The fate of each standing objection, as the recorded events decide it."""

    outstanding: set[str] = field(default_factory=set)
    dismissed: set[str] = field(default_factory=set)
    concerns: set[str] = field(default_factory=set)
    ignored: list[dict[str, Any]] = field(default_factory=list)


def _on_time(at: datetime | None, window: Window, instant: datetime | None) -> bool:
    if at is None:
        return True
    if instant is not None and at > instant:
        return False
    return window.closes_at is None or at < window.closes_at


def _apply_events(
    case: Case, params: ConsentParams, objectors: dict[str, datetime], instant: datetime | None
) -> _Objections:
    fate = _Objections(outstanding=set(objectors))
    decided: dict[str, tuple[datetime | None, Qualification | None]] = {}
    for event in case.events:
        if not isinstance(event, ObjectionQualified | ObjectionWithdrawn):
            continue
        kind = "objection_qualified" if isinstance(event, ObjectionQualified) else (
            "objection_withdrawn")
        why = None
        if event.voter not in objectors:
            why = "no_objection"
        elif not _on_time(event.at, params.window, instant):
            why = "after_deadline"
        elif event.at is not None and event.at < objectors[event.voter]:
            why = "before_objection"
        if why is not None:
            fate.ignored.append({"type": kind, "voter": event.voter, "reason": why})
            continue
        result = event.result if isinstance(event, ObjectionQualified) else None
        previous = decided.get(event.voter)
        if previous is None or previous[0] is None or event.at is None or event.at >= previous[0]:
            decided[event.voter] = (event.at, result)
    for voter, (_, result) in decided.items():
        if result is Qualification.VALID:
            continue
        fate.outstanding.discard(voter)
        (fate.concerns if result is Qualification.CONCERN else fate.dismissed).add(voter)
    return fate


class ConsentRule:
    """Asynchronous consent: consent, abstain or object with a reason; passes unless a
    valid objection stands at the deadline."""

    family = Family.CONSENT

    def evaluate(self, case: Case, now: datetime | None = None) -> ConsentResult:
        """Decide a consent case at ``now`` (default: the case's ``evaluated_at``)."""
        params = case.params
        if not isinstance(params, ConsentParams) or not isinstance(case.electorate, Roll):
            raise TypeError("a consent case needs ConsentParams and a roll of members")
        if not isinstance(case.ballots, Ballots):
            raise TypeError("a consent case takes individual ballots")
        instant = now if now is not None else params.window.evaluated_at
        ids = case.electorate.ids
        ballots = case.ballots
        counted = count_ballots(
            ballots, frozenset(ids), params.window, instant, consent_position_rules(params),
            allow_change=params.allow_vote_change,
            close_when_all=params.close_when_all_responded,
        )
        latest = {v: ballots[i] for v, i in counted.latest.items()}
        downgraded = {v for v, b in latest.items()
                      if b.position is Position.OBJECT and not (b.reason or "").strip()
                      and params.objection_requires_reason}
        objectors = {v: b.cast_at for v, b in latest.items()
                     if b.position is Position.OBJECT and v not in downgraded}
        fate = _apply_events(case, params, objectors, instant)
        consents = sum(1 for b in latest.values() if b.position is Position.CONSENT)
        counts = ConsentCounts(
            consent=consents + len(downgraded),
            abstain=sum(1 for b in latest.values() if b.position is Position.ABSTAIN),
            object=len(objectors),
        )
        concerns = fate.concerns | downgraded | {
            v for v, b in latest.items() if b.position is Position.CONSENT and b.concern}
        missing = tuple(sorted(set(ids) - set(latest)))
        outcome, reason, steps = _decide(params, instant, counted.closed_early_at, counts,
                                         len(latest), len(ids), missing, fate)
        if outcome is Outcome.ADOPTED:
            steps.append(Step.of("consent_adopted", consents=counts.consent,
                                 abstain=counts.abstain, concerns=tuple(sorted(concerns)),
                                 dismissed=tuple(sorted(fate.dismissed))))
        refusals = ballot_steps(counted.rejected, counted.superseded, counted.closed_early_at)
        return ConsentResult(
            outcome=outcome, reason=reason, explanation=(*steps, *refusals),
            case_id=case.id, counts=counts, eligible=len(ids), responders=len(latest),
            missing=missing, outstanding_objections=tuple(sorted(fate.outstanding)),
            dismissed_objections=tuple(sorted(fate.dismissed)),
            concerns=tuple(sorted(concerns)), rejected_ballots=counted.rejected,
            superseded_ballots=counted.superseded, min_consents=params.min_consents,
            closed_early_at=counted.closed_early_at, ignored_events=tuple(fate.ignored),
        )


def _decide(
    params: ConsentParams,
    instant: datetime | None,
    closed_early_at: datetime | None,
    counts: ConsentCounts,
    responders: int,
    eligible: int,
    missing: tuple[str, ...],
    fate: _Objections,
) -> tuple[Outcome, str | None, list[Step]]:
    """Pending, participation, objections, support: docs/rules.md 4.2 steps 3 to 7."""
    if params.window.still_open(instant) and closed_early_at is None:
        closes = params.window.closes_at
        return Outcome.PENDING, None, [Step.of(
            "consent_pending", closes_at=None if closes is None else time_json(closes),
            participants=responders, eligible=eligible,
            objections=tuple(sorted(fate.outstanding)))]
    if params.silence_policy is SilencePolicy.REQUIRE_ALL and missing:
        return Outcome.NO_QUORUM, "require_all", [Step.of(
            "participation", met=False, responders=responders, eligible=eligible,
            policy="require_all", missing=missing)]
    steps: list[Step] = []
    if params.min_responses is not None:
        met = params.min_responses.met(responders, eligible)
        steps.append(Step.of("participation", met=met, responders=responders, eligible=eligible,
                             policy="min_responses",
                             required=fraction_json(params.min_responses.fraction)))
        if not met:
            return Outcome.NO_QUORUM, "min_responses", steps
    if fate.outstanding:
        return Outcome.BLOCKED, None, [
            Step.of("objections_standing", voters=tuple(sorted(fate.outstanding))), *steps]
    if counts.consent < params.min_consents:
        return Outcome.REJECTED, "min_consents", [
            Step.of("consents_too_few", consents=counts.consent, required=params.min_consents),
            *steps]
    return Outcome.ADOPTED, None, steps


