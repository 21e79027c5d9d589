"""Family A: majority voting, one member one vote (docs/rules.md section 2)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from fractions import Fraction
from typing import Any

from ..explain import Step
from ..model import (
    Base,
    Case,
    Convocation,
    CountedTally,
    Family,
    Mode,
    Outcome,
    ProxyRefusal,
    Quorum,
    Tally,
    Threshold,
    Votes,
)
from ..params import MajorityParams
from ..results import MajorityResult, RejectedBallot, fraction_json, time_json, votes_json
from ..thresholds import base_count, passes
from .turnout import ASSEMBLY, Turnout, take_turnout

__all__ = [
    "MajorityRule",
    "attendance_fields",
    "attendance_steps",
    "ballot_steps",
    "convocation_refusal",
    "counted_tallies",
    "decide_majority",
    "decision_step",
    "pending_step",
    "quorum_step",
    "turnout_steps",
]


class MajorityRule:
    """Majority voting: simple, absolute, two-thirds, three-quarters or custom thresholds
    over an explicit base, with quorum, convocations and deadlines."""

    family = Family.MAJORITY

    def evaluate(self, case: Case, now: datetime | None = None) -> MajorityResult:
        """Decide a majority case at ``now`` (default: the case's ``evaluated_at``)."""
        params = case.params
        if not isinstance(params, MajorityParams):
            raise TypeError("a majority case needs MajorityParams")
        refusal = convocation_refusal(params)
        if refusal is not None:
            return MajorityResult(
                outcome=Outcome.INVALID_CONVOCATION, explanation=refusal,
                case_id=case.id, convocation=params.convocation,
                convocation_days=_notice_days(params),
            )
        instant = now if now is not None else params.window.evaluated_at
        turnout = take_turnout(params, case.electorate, case.ballots, (ASSEMBLY,), instant,
                               counted_tallies(case))
        return decide_majority(params, turnout, instant, case.id)


def counted_tallies(case: Case) -> tuple[CountedTally, ...]:
    """The votes of a meeting counted without names, in the case's ballots."""
    return tuple(e for e in case.events if isinstance(e, CountedTally))


def convocation_refusal(params: MajorityParams) -> tuple[Step, ...] | None:
    """The explanation when the notice period of the convocation was not respected."""
    check = params.convocation_check
    if check is None or check.min_days is None or check.days >= check.min_days:
        return None
    return (Step.of("convocation", days=check.days, min_days=check.min_days, met=False),)


def _notice_days(params: MajorityParams) -> int | None:
    return None if params.convocation_check is None else params.convocation_check.days


def ballot_steps(
    rejected: tuple[RejectedBallot, ...], superseded: int, closed_early_at: datetime | None
) -> list[Step]:
    """Steps telling which ballots were refused or replaced, and an early close."""
    steps: list[Step] = []
    if rejected:
        reasons = Counter(r.reason.value for r in rejected)
        steps.append(Step.of("ballots_refused", count=len(rejected),
                             reasons=dict(sorted(reasons.items()))))
    if superseded:
        steps.append(Step.of("superseded", count=superseded))
    if closed_early_at is not None:
        steps.append(Step.of("closed_early", at=time_json(closed_early_at)))
    return steps


def turnout_steps(turnout: Turnout) -> list[Step]:
    """The attendance and ballot steps of a vote's turnout."""
    return [*attendance_steps(turnout), *tally_steps(turnout),
            *ballot_steps(turnout.rejected, turnout.superseded, turnout.closed_early_at)]


def tally_steps(turnout: Turnout) -> list[Step]:
    """One step for each count of votes without names (a show of hands, paper ballots,
    a secret ballot's counters)."""
    return [Step.of("tally_added", college=t.college, source=t.source,
                    **{k: votes_json(getattr(t.tally, k)) for k in _TALLY_KEYS})
            for t in turnout.tallies]


_TALLY_KEYS = ("yes", "no", "abstain", "blank", "invalid")


def attendance_steps(turnout: Turnout) -> list[Step]:
    """Steps telling who took part in a meeting and how, and every proxy or postal form
    refused, with its reason (docs/rules.md 0.4)."""
    sheet, counts = turnout.attendance, turnout.assembly.attendance
    if sheet is None or counts is None:
        return []
    steps = [Step.of("attendance", **counts.to_json(),
                     present=votes_json(turnout.assembly.present))]
    held = Counter(r.holder for r in sheet.refused_proxies
                   if r.reason is ProxyRefusal.HOLDER_OVER_CAP)
    cap = sheet.max_proxies_per_holder
    for proxy in sheet.refused_proxies:
        over = proxy.reason is ProxyRefusal.HOLDER_OVER_CAP
        steps.append(Step.of("proxy_refused", member=proxy.member, holder=proxy.holder,
                             reason=proxy.reason.value, held=held[proxy.holder] if over else None,
                             max_proxies=cap if over else None))
    deadline = sheet.postal_deadline
    for form in sheet.refused_postal:
        steps.append(Step.of("postal_refused", member=form.member,
                             received_at=time_json(form.received_at),
                             deadline=None if deadline is None else time_json(deadline)))
    if sheet.postal_on_amended is not None:
        steps.append(Step.of("postal_amended", policy=sheet.postal_on_amended.value,
                             forms=len(sheet.postal)))
    return steps


def attendance_fields(turnout: Turnout) -> dict[str, Any]:
    """The result fields of a meeting's attendance sheet (none without one)."""
    sheet = turnout.attendance
    if sheet is None:
        return {"tallies": turnout.tallies}
    return {
        "tallies": turnout.tallies,
        "attendance": turnout.assembly.attendance,
        "represented_by": tuple(sorted(sheet.represented.items())),
        "refused_proxies": sheet.refused_proxies,
        "refused_postal": sheet.refused_postal,
        "postal_on_amended": sheet.postal_on_amended,
    }


def pending_step(params: MajorityParams, participants: Votes, eligible: Votes) -> Step:
    """The explanation of a vote still open."""
    closes = params.window.closes_at
    return Step.of("pending", closes_at=None if closes is None else time_json(closes),
                   participants=votes_json(participants), eligible=votes_json(eligible))


def quorum_step(
    quorum: Quorum, met: bool, present: Votes, eligible: Votes, convocation: Convocation
) -> Step:
    """The explanation of a quorum check on heads (on votes when members have weights)."""
    return Step.of("quorum", met=met, present=votes_json(present),
                   eligible=votes_json(eligible),
                   required=fraction_json(quorum.fraction), convocation=convocation.value,
                   scope="heads")


def decision_step(
    outcome: Outcome, threshold: Threshold, base: Base, counts: Tally, count: Votes,
    share: Fraction, *, weighted: bool = False,
) -> Step:
    """The explanation of a threshold test."""
    return Step.of("decision", outcome=outcome.value, threshold=threshold.name.value,
                   required=fraction_json(threshold.fraction), inclusive=threshold.inclusive,
                   base=base.value, yes=votes_json(counts.yes), no=votes_json(counts.no),
                   base_count=votes_json(count),
                   share=fraction_json(share), weighted=weighted)


def decide_majority(
    params: MajorityParams, turnout: Turnout, instant: datetime | None, case_id: str | None
) -> MajorityResult:
    """Pending, quorum, base and threshold, in the order of docs/rules.md 2.2."""
    whole = turnout.assembly
    counts = whole.counts
    convocation = params.convocation
    threshold, base = params.threshold.at(convocation), params.base.at(convocation)
    quorum = params.quorum.at(convocation)
    attending = whole.present if turnout.mode is Mode.MEETING else whole.participants
    count = base_count(counts, base, present=attending, eligible=whole.members)
    share = Fraction(counts.yes, count) if count else None
    quorum_met = True if quorum is None else quorum.met(attending, whole.members)
    quorum_steps = [] if quorum is None else [
        quorum_step(quorum, quorum_met, attending, whole.members, convocation)]

    reason = None
    if params.window.still_open(instant) and turnout.closed_early_at is None:
        outcome, steps = Outcome.PENDING, [pending_step(params, whole.participants, whole.members)]
    elif not quorum_met:
        outcome, steps = Outcome.NO_QUORUM, quorum_steps
    elif share is None:
        outcome, reason = Outcome.REJECTED, "empty_base"
        steps = [Step.of("empty_base", base=base.value), *quorum_steps]
    else:
        adopted = passes(threshold, Fraction(counts.yes), Fraction(counts.no), Fraction(count))
        outcome = Outcome.ADOPTED if adopted else Outcome.REJECTED
        steps = [decision_step(outcome, threshold, base, counts, count, share), *quorum_steps]
    return MajorityResult(
        outcome=outcome, reason=reason, explanation=(*steps, *turnout_steps(turnout)),
        case_id=case_id, convocation=convocation, counts=counts,
        participants=whole.participants, eligible=whole.members, present=attending,
        quorum_met=quorum_met, base=base, base_count=count, yes_share=share,
        threshold=threshold, rejected_ballots=turnout.rejected,
        superseded_ballots=turnout.superseded, convocation_days=_notice_days(params),
        closed_early_at=turnout.closed_early_at, **attendance_fields(turnout),
    )
