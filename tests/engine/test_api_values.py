"""The public API used as an embedder would: cases built as typed values, no JSON.

This file is type-checked with ``mypy --strict``: it shows that the public symbols of
``decisions.engine`` compose without casts.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest

from decisions.engine import (
    Ballot,
    Ballots,
    Base,
    ByConvocation,
    Case,
    College,
    CollegeHeadCount,
    CollegeHeads,
    CollegeParams,
    CollegeResult,
    CollegeTallies,
    ConsentParams,
    ConsentResult,
    HeadCount,
    MajorityParams,
    MajorityResult,
    Outcome,
    Position,
    Quorum,
    RejectionReason,
    Roll,
    Tally,
    Threshold,
    ThresholdName,
    Window,
    dump_case,
    evaluate,
    load_case,
)

OPENS = datetime(2025, 4, 1, 8, tzinfo=UTC)
CLOSES = OPENS + timedelta(days=7)


def _consent_case() -> Case:
    ballots = Ballots.of([
        Ballot("a", Position.CONSENT, OPENS + timedelta(hours=1)),
        Ballot("b", Position.OBJECT, OPENS + timedelta(hours=2), reason="over the budget"),
        Ballot("c", Position.CONSENT, CLOSES),
    ])
    params = ConsentParams(window=Window(opens_at=OPENS, closes_at=CLOSES))
    return Case(params=params, electorate=Roll.of(["a", "b", "c"]), ballots=ballots)


def test_a_consent_case_built_from_values_is_blocked_by_a_standing_objection() -> None:
    result = evaluate(_consent_case())
    assert isinstance(result, ConsentResult)
    assert result.outcome is Outcome.BLOCKED
    assert result.outstanding_objections == ("b",)
    assert [(r.voter, r.reason) for r in result.rejected_ballots] == [
        ("c", RejectionReason.LATE)]


def test_the_same_case_is_pending_when_evaluated_before_its_deadline() -> None:
    result = evaluate(_consent_case(), now=OPENS + timedelta(days=1))
    assert result.outcome is Outcome.PENDING


def test_evaluate_refuses_a_naive_now() -> None:
    with pytest.raises(ValueError, match="aware"):
        evaluate(_consent_case(), now=datetime(2025, 4, 2))  # noqa: DTZ001 - the point


def test_a_majority_case_built_from_values_reports_its_exact_share() -> None:
    params = MajorityParams(
        threshold=ByConvocation(*(Threshold.named(ThresholdName.TWO_THIRDS),) * 2),
        base=ByConvocation(Base.YN, Base.YN),
        quorum=ByConvocation(Quorum(1, 4), Quorum(1, 5)),
    )
    case = Case(params=params, electorate=HeadCount(eligible=30, present=9),
                ballots=Tally(yes=6, no=3))
    result = evaluate(case)
    assert isinstance(result, MajorityResult)
    assert (result.outcome, result.yes_share, result.quorum_met) == (
        Outcome.ADOPTED, Fraction(2, 3), True)
    assert "at least two thirds" in result.text("en")
    assert "au moins les deux tiers" in result.text("fr")


def test_a_college_case_built_from_values_round_trips_through_json() -> None:
    colleges = (College("workers", Fraction(50)), College("users", Fraction(30)),
                College("partners", Fraction(20)))
    params = CollegeParams(
        threshold=ByConvocation(*(Threshold.named(ThresholdName.ABSOLUTE),) * 2),
        base=ByConvocation(Base.YN, Base.YN), colleges=colleges,
    )
    heads = CollegeHeadCount(tuple(CollegeHeads(c.id, 10, 10) for c in colleges))
    tallies = CollegeTallies((("workers", Tally(yes=6, no=4)), ("users", Tally(yes=3, no=7)),
                              ("partners", Tally(yes=5, no=5))))
    case = Case(params=params, electorate=heads, ballots=tallies, id="values-1")
    assert load_case(dump_case(case)) == case
    result = evaluate(case)
    assert isinstance(result, CollegeResult)
    # 1/2 * 6/10 + 3/10 * 3/10 + 1/5 * 1/2 = 3/10 + 9/100 + 1/10 = 49/100
    assert result.weighted_yes_share == Fraction(49, 100)
    assert result.outcome is Outcome.REJECTED
    assert result.to_json()["id"] == "values-1"
