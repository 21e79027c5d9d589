"""The public testing module builds cases as platforms would, and compares results."""

from __future__ import annotations

import pytest

from decisions.engine import CaseError, Outcome, evaluate
from decisions.engine.testing import CaseBuilder, at, differences, evaluate_json, matches, roundtrip


def test_the_readme_consent_example_is_blocked_by_the_objection() -> None:
    case = (CaseBuilder("consent", preset="consent_async",
                        opens_at="2025-04-01T08:00:00Z", closes_at="2025-04-08T08:00:00Z")
            .members("a", "b", "c")
            .ballot("a", "consent", "2025-04-02T10:00:00Z")
            .ballot("b", "object", "2025-04-03T10:00:00Z", reason="Budget over the limit")
            .build())
    assert evaluate(case).outcome is Outcome.BLOCKED
    assert roundtrip(case) == case


def test_a_tally_case_is_built_and_evaluated_to_json() -> None:
    builder = (CaseBuilder("majority", case_id="t-1", preset="association_default")
               .head_count(15, 15).tally(yes=7, no=5, abstain=3))
    result = evaluate_json(builder.json())
    assert matches({"id": "t-1", "outcome": "adopted", "yes_share": "7/12"}, result)
    assert not matches({"outcome": "rejected"}, result)


def test_college_builders_give_a_weighted_case() -> None:
    case = (CaseBuilder("scic_college", preset="scic_sa_ago",
                        colleges=[{"id": "w", "weight": 50}, {"id": "u", "weight": 30},
                                  {"id": "p", "weight": 20}])
            .college_heads(w=(10, 10), u=(40, 40), p=(5, 5))
            .college_tally(w={"yes": 8, "no": 2}, u={"yes": 12, "no": 28},
                           p={"yes": 3, "no": 2})
            .build())
    assert evaluate_json(case)["weighted_yes_share"] == "61/100"


def test_events_build_a_sociocratic_log() -> None:
    builder = CaseBuilder("sociocratic_consent", preset="sociocratic_consent").members("p", "q")
    builder.event("round_open", round=1, version=1)
    for voter in ("p", "q"):
        builder.event("position", round=1, version=1, voter=voter, position="consent")
    assert evaluate(builder.build()).outcome is Outcome.ADOPTED


def test_times_are_written_from_a_fixed_start() -> None:
    assert at() == "2025-01-06T08:00:00Z"
    assert at(90, days=1) == "2025-01-07T09:30:00Z"


def test_differences_name_every_mismatch_with_its_path() -> None:
    expected = {"outcome": "adopted", "counts": {"yes": 3}, "rounds": [{"round": 1}], "x": 0.5}
    actual = {"outcome": "rejected", "counts": {"yes": 3}, "rounds": [], "x": 0.50004}
    assert differences(expected, actual) == [
        "$.outcome: expected 'adopted', got 'rejected'",
        "$.rounds: expected [{'round': 1}], got []",
    ]


def test_a_malformed_built_case_raises_the_case_error() -> None:
    with pytest.raises(CaseError, match=r"\$\.ballots\[0\]\.position"):
        CaseBuilder("majority", preset="association_default").members("a").ballot(
            "a", "maybe", at()).build()


def test_the_builder_writes_a_meeting_with_proxies_and_postal_votes() -> None:
    case = (CaseBuilder("majority", preset="scic_sa_ago", max_proxies_per_holder=1,
                        opens_at=at(0))
            .members("a", "b", "c", weights={"c": "3/2"}, present=["a"])
            .attendance(represented_by={"b": "a"}, postal={"c": at(-60)})
            .ballot("a", "yes", at(5))
            .ballot("b", "no", at(6), cast_by="a")
            .ballot("c", "yes", at(-60), postal=True)
            .build())
    result = evaluate_json(case)
    assert (result["outcome"], result["present"], result["counts"]["yes"]) == (
        "adopted", "7/2", "5/2")
    assert result["represented_by"] == {"b": "a"}
