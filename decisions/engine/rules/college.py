"""Family B: SCIC multi-college voting (docs/rules.md section 3, art. 19 octies loi 47-1775)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from ..explain import Step
from ..model import (
    Case,
    College,
    CollegeMethod,
    CollegeRefusal,
    EmptyCollegePolicy,
    Family,
    Mode,
    Outcome,
    QuorumScope,
    ThresholdName,
    Votes,
)
from ..params import CollegeParams
from ..results import CollegeOutcome, CollegeResult, fraction_json, votes_json
from ..thresholds import base_count
from .majority import (
    attendance_fields,
    convocation_refusal,
    counted_tallies,
    decision_step,
    pending_step,
    quorum_step,
    turnout_steps,
)
from .turnout import Turnout, take_turnout

__all__ = ["CollegeRule", "check_colleges"]

_HUNDRED = Fraction(100)


def check_colleges(
    colleges: tuple[College, ...], *, enforce_scic_bounds: bool = True
) -> tuple[CollegeRefusal, tuple[str, ...]] | dict[str, Fraction]:
    """Validate a college configuration before any counting (docs/rules.md 3.2).

    Returns each college's weight as a fraction of the total voting rights, or the error
    and the offending college ids (sorted; all ids for a count or sum error).
    """
    ids = tuple(sorted(c.id for c in colleges))
    if len(colleges) < (3 if enforce_scic_bounds else 2):
        return CollegeRefusal.TOO_FEW_COLLEGES, ids
    given = [c.weight for c in colleges]
    if all(w is None for w in given):
        weights = {c.id: _HUNDRED / len(colleges) for c in colleges}
    elif any(w is None for w in given) or sum(w for w in given if w is not None) != _HUNDRED:
        return CollegeRefusal.WEIGHTS_SUM, ids
    else:
        weights = {c.id: Fraction(c.weight or 0) for c in colleges}
    if enforce_scic_bounds:
        bad = [c for c, w in weights.items() if not 10 <= w <= 50]
    else:
        bad = [c for c, w in weights.items() if w <= 0]
    if bad:
        return CollegeRefusal.WEIGHT_OUT_OF_BOUNDS, tuple(sorted(bad))
    return {c: w / _HUNDRED for c, w in weights.items()}


@dataclass(frozen=True, slots=True)
class _Combined:
    """The colleges' results combined: the weighted share and the per-college records."""

    share: Fraction | None
    passed: bool
    colleges: tuple[CollegeOutcome, ...]


class CollegeRule:
    """Multi-college weighted voting: proportional or bloc, silent colleges redistributed
    or fixed, quorum on heads, weighted or per college."""

    family = Family.SCIC_COLLEGE

    def evaluate(self, case: Case, now: datetime | None = None) -> CollegeResult:
        """Decide a multi-college case at ``now`` (default: the case's ``evaluated_at``)."""
        params = case.params
        if not isinstance(params, CollegeParams):
            raise TypeError("a multi-college case needs CollegeParams")
        checked = check_colleges(params.colleges, enforce_scic_bounds=params.enforce_scic_bounds)
        if isinstance(checked, tuple):
            error, offending = checked
            step = Step.of("config_error", error=error.value, colleges=offending,
                           minimum=3 if params.enforce_scic_bounds else 2)
            return CollegeResult(outcome=Outcome.INVALID_CONFIG, explanation=(step,),
                                 case_id=case.id, convocation=params.convocation,
                                 config_error=error, offending_colleges=offending,
                                 method=params.method)
        refusal = convocation_refusal(params)
        if refusal is not None:
            days = params.convocation_check.days if params.convocation_check else None
            return CollegeResult(outcome=Outcome.INVALID_CONVOCATION, explanation=refusal,
                                 case_id=case.id, convocation=params.convocation,
                                 convocation_days=days, method=params.method)
        instant = now if now is not None else params.window.evaluated_at
        ids = tuple(c.id for c in params.colleges)
        turnout = take_turnout(params, case.electorate, case.ballots, ids, instant,
                               counted_tallies(case))
        return _decide(params, checked, turnout, instant, case.id)


def _attending(turnout: Turnout, college: str) -> Votes:
    group = turnout.groups[college]
    return group.present if turnout.mode is Mode.MEETING else group.participants


def _quorum(
    params: CollegeParams, weights: dict[str, Fraction], turnout: Turnout
) -> tuple[bool, list[Step]]:
    quorum = params.quorum.at(params.convocation)
    if quorum is None:
        return True, []
    whole = turnout.assembly
    attending = sum(_attending(turnout, c) for c in weights)
    if params.quorum_scope is QuorumScope.ASSEMBLY_HEADS:
        met = quorum.met(attending, whole.members)
        return met, [quorum_step(quorum, met, attending, whole.members, params.convocation)]
    if params.quorum_scope is QuorumScope.WEIGHTED:
        share = sum(
            (w * Fraction(_attending(turnout, c), turnout.groups[c].members)
             for c, w in weights.items() if turnout.groups[c].members),
            Fraction(0),
        )
        met = share >= quorum.fraction
        return met, [Step.of("quorum", met=met, present=votes_json(attending),
                             eligible=votes_json(whole.members),
                             required=fraction_json(quorum.fraction), scope="weighted",
                             share=fraction_json(share),
                             convocation=params.convocation.value)]
    short = tuple(sorted(c for c in weights
                         if not quorum.met(_attending(turnout, c), turnout.groups[c].members)))
    return not short, [Step.of("quorum", met=not short, present=votes_json(attending),
                               eligible=votes_json(whole.members),
                               required=fraction_json(quorum.fraction),
                               scope="per_college_min", colleges=short,
                               convocation=params.convocation.value)]


def _combine(
    params: CollegeParams, weights: dict[str, Fraction], turnout: Turnout
) -> _Combined:
    base = params.base.at(params.convocation)
    threshold = params.threshold.at(params.convocation)
    bloc_method = params.method is CollegeMethod.BLOC
    rows = []
    for college, weight in weights.items():
        group = turnout.groups[college]
        counts = group.counts
        count = base_count(counts, base, present=_attending(turnout, college),
                           eligible=group.members)
        bloc = None
        if bloc_method:
            bloc = "yes" if counts.yes > counts.no else "no" if counts.no > counts.yes else "none"
            expressing = bloc != "none" and count > 0
        else:
            expressing = count > 0
        rows.append((college, weight, group, count, expressing, bloc))
    expressed = sum((w for _, w, _, _, e, _ in rows if e), Fraction(0))
    redistribute = params.empty_college_policy is EmptyCollegePolicy.REDISTRIBUTE
    denominator = expressed if redistribute else Fraction(1)
    yes_side = no_side = Fraction(0)
    records = []
    for college, weight, group, count, expressing, bloc in rows:
        share = Fraction(group.counts.yes, count) if count else None
        if expressing:
            if bloc_method:
                yes_side += weight if bloc == "yes" else 0
                no_side += weight if bloc == "no" else 0
            else:
                yes_side += weight * Fraction(group.counts.yes, count)
                no_side += weight * Fraction(group.counts.no, count)
        effective = weight if not redistribute else (
            weight / expressed if expressing else Fraction(0))
        records.append(CollegeOutcome(
            college=college, weight=weight, weight_effective=effective, counts=group.counts,
            members=group.members, present=_attending(turnout, college), base=count,
            yes_share=share, expressing=expressing, bloc=bloc, attendance=group.attendance,
        ))
    if not expressed:
        return _Combined(None, False, tuple(records))
    weighted_share = yes_side / denominator
    if threshold.name is ThresholdName.SIMPLE:
        passed = yes_side > no_side
    else:
        passed = threshold.reached(weighted_share)
    return _Combined(weighted_share, passed, tuple(records))


def _college_step(record: CollegeOutcome) -> Step:
    return Step.of("college", college=record.college,
                   weight_effective=fraction_json(record.weight_effective),
                   yes=votes_json(record.counts.yes), no=votes_json(record.counts.no),
                   base_count=votes_json(record.base),
                   share=fraction_json(record.yes_share), expressing=record.expressing,
                   bloc=record.bloc)


def _decide(
    params: CollegeParams,
    weights: dict[str, Fraction],
    turnout: Turnout,
    instant: datetime | None,
    case_id: str | None,
) -> CollegeResult:
    whole = turnout.assembly
    convocation = params.convocation
    base, threshold = params.base.at(convocation), params.threshold.at(convocation)
    attending = sum(_attending(turnout, c) for c in weights)
    quorum_met, quorum_steps = _quorum(params, weights, turnout)
    combined = _combine(params, weights, turnout)
    count = sum(c.base for c in combined.colleges)
    college_steps = [_college_step(c) for c in combined.colleges]
    reason = None
    if params.window.still_open(instant) and turnout.closed_early_at is None:
        outcome = Outcome.PENDING
        steps = [pending_step(params, whole.participants, whole.members)]
    elif not quorum_met:
        outcome, steps = Outcome.NO_QUORUM, quorum_steps
    elif combined.share is None:
        outcome, reason = Outcome.REJECTED, "empty_base"
        steps = [Step.of("empty_base", base=base.value), *quorum_steps]
    else:
        outcome = Outcome.ADOPTED if combined.passed else Outcome.REJECTED
        decision = decision_step(outcome, threshold, base, whole.counts, count, combined.share,
                                 weighted=True)
        steps = [decision, *quorum_steps, *college_steps]
    return CollegeResult(
        outcome=outcome, reason=reason, explanation=(*steps, *turnout_steps(turnout)),
        case_id=case_id, convocation=convocation, counts=whole.counts,
        participants=whole.participants, eligible=whole.members, present=attending,
        quorum_met=quorum_met, base=base, base_count=count,
        yes_share=Fraction(whole.counts.yes, count) if count else None, threshold=threshold,
        rejected_ballots=turnout.rejected, superseded_ballots=turnout.superseded,
        convocation_days=None if params.convocation_check is None
        else params.convocation_check.days,
        closed_early_at=turnout.closed_early_at, method=params.method,
        weighted_yes_share=combined.share, colleges=combined.colleges,
        **attendance_fields(turnout),
    )
