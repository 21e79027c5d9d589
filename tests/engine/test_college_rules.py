"""Family B (SCIC multi-college voting): the edge cases of docs/rules.md sections 3, 7, 8b, 10.

Every expected value below was computed by hand from docs/rules.md; the arithmetic is in each
case's ``why``. Weights are written in percent and reported as fractions of 1 (50 -> "1/2").
Proportional method (3.4): share_c = yes_c / base_c, S = sum(w_c * share_c) over expressing
colleges, divided by the expressing weight under ``redistribute`` and by 1 under ``fixed``.
Bloc method (3.5): S = yes-college weight / expressing weight (or / 1 under ``fixed``).
"""

from __future__ import annotations

from typing import Any

import pytest

from decisions.engine import evaluate, load_case
from decisions.engine.testing import differences

Case = dict[str, Any]
Heads = dict[str, tuple[int, int]]
Tallies = dict[str, dict[str, int]]


def weights(*pairs: tuple[str, Any]) -> list[dict[str, Any]]:
    return [{"id": college, "weight": weight} for college, weight in pairs]


W532 = weights(("salaries", 50), ("usagers", 30), ("partenaires", 20))
W4325 = weights(("salaries", 40), ("usagers", 35), ("partenaires", 25))


def rule(threshold: Any, base: Any, colleges: list[dict[str, Any]], **more: Any) -> dict[str, Any]:
    """Meeting parameters, proportional and redistribute unless ``more`` says otherwise."""
    return {"mode": "meeting", "threshold": threshold, "base": base, "quorum": None,
            "colleges": colleges, **more}


def vote(params: dict[str, Any], heads: Heads, tallies: Tallies) -> Case:
    """Heads ``{college: (members, present)}`` and a tally by college."""
    return {"family": "scic_college", "params": params,
            "electorate": {"colleges": {c: {"members": m, "present": p}
                                        for c, (m, p) in heads.items()}},
            "ballots": {"format": "tally_by_college", **tallies}}


def yes_by(count: int, *colleges: str) -> Tallies:
    return {c: {"yes": count} for c in colleges}


def check(case: Case, expected: dict[str, Any], why: str) -> None:
    assert expected, "every case must expect something specific"
    result = evaluate(load_case(case)).to_json()
    assert differences(expected, result) == [], why


# Proportional counting: thresholds, abstentions, silent colleges --------------------------

ALL_ABSTAIN_IN_PARTENAIRES = ({"salaries": (10, 5), "usagers": (9, 3), "partenaires": (6, 4)},
                              {"salaries": {"yes": 3, "no": 2}, "usagers": {"yes": 1, "no": 2},
                               "partenaires": {"abstain": 4}})

PROPORTIONAL = [
    pytest.param(
        vote(rule("two_thirds", "YN", W532),
             {"salaries": (10, 6), "usagers": (5, 3), "partenaires": (8, 6)},
             {"salaries": {"yes": 4, "no": 2}, "usagers": {"yes": 3},
              "partenaires": {"yes": 1, "no": 5}}),
        {"outcome": "adopted", "weighted_yes_share": "2/3", "weighted_yes_share_decimal": 0.6667,
         "colleges": {"salaries": {"yes_share": "2/3", "base": 6},
                      "usagers": {"yes_share": "1/1", "base": 3},
                      "partenaires": {"yes_share": "1/6", "base": 6}}},
        "1/2*2/3 + 3/10*1 + 1/5*1/6 = 10/30 + 9/30 + 1/30 = 2/3 exactly; 3*S >= 2 inclusive",
        id="an_exact_weighted_two_thirds_passes_a_two_thirds_rule",
    ),
    pytest.param(
        vote(rule("two_thirds", "YN", W532),
             {"salaries": (10, 6), "usagers": (5, 3), "partenaires": (8, 7)},
             {"salaries": {"yes": 4, "no": 2}, "usagers": {"yes": 3},
              "partenaires": {"yes": 1, "no": 6}}),
        {"outcome": "rejected", "weighted_yes_share": "139/210",
         "weighted_yes_share_decimal": 0.6619, "colleges": {"partenaires": {"yes_share": "1/7"}}},
        "1/3 + 3/10 + 1/5*1/7 = 70/210 + 63/210 + 6/210 = 139/210 < 140/210 = 2/3",
        id="a_weighted_share_just_below_two_thirds_fails",
    ),
    pytest.param(
        vote(rule("absolute", "YN", W532), *ALL_ABSTAIN_IN_PARTENAIRES),
        {"outcome": "rejected", "present": 12, "eligible": 25, "weighted_yes_share": "1/2",
         "weighted_yes_share_decimal": 0.5,
         "colleges": {"salaries": {"weight": "1/2", "weight_effective": "5/8",
                                   "yes_share": "3/5", "expressing": True},
                      "usagers": {"weight": "3/10", "weight_effective": "3/8",
                                  "yes_share": "1/3", "expressing": True},
                      "partenaires": {"weight": "1/5", "weight_effective": "0/1", "base": 0,
                                      "abstain": 4, "expressing": False}}},
        "partenaires present but all abstain: YN base 0, silent, weight redistributed over 80:"
        " (1/2*3/5 + 3/10*1/3)/(4/5) = (2/5)/(4/5) = 1/2; absolute is strict -> rejected;"
        " present 5+3+4 = 12 (abstainers are present)",
        id="a_present_college_that_only_abstains_is_silent_and_an_exact_half_fails",
    ),
    pytest.param(
        vote(rule("simple", "YN", W532), *ALL_ABSTAIN_IN_PARTENAIRES),
        {"outcome": "rejected", "weighted_yes_share": "1/2"},
        "simple: weighted yes 1/2*3/5 + 3/10*1/3 = 2/5 vs weighted no 1/2*2/5 + 3/10*2/3 = 2/5:"
        " 2/5 > 2/5 is false -> tie rejected",
        id="a_weighted_tie_fails_a_simple_majority",
    ),
    pytest.param(
        vote(rule("two_thirds", "YN", W532),
             {"salaries": (10, 10), "usagers": (6, 6), "partenaires": (4, 4)},
             {"salaries": {"yes": 6, "no": 2, "abstain": 2}, "usagers": {"yes": 3, "no": 3},
              "partenaires": {"yes": 2, "abstain": 2}}),
        {"outcome": "adopted", "weighted_yes_share": "29/40",
         "colleges": {"salaries": {"base": 8, "yes_share": "3/4", "abstain": 2},
                      "partenaires": {"base": 2, "yes_share": "1/1"}}},
        "YN: 1/2*6/8 + 3/10*3/6 + 1/5*2/2 = 15/40 + 6/40 + 8/40 = 29/40; 3*29 = 87 >= 80",
        id="abstentions_left_out_of_each_college_base_can_carry_two_thirds",
    ),
    pytest.param(
        vote(rule("two_thirds", "YNA", W532),
             {"salaries": (10, 10), "usagers": (6, 6), "partenaires": (4, 4)},
             {"salaries": {"yes": 6, "no": 2, "abstain": 2}, "usagers": {"yes": 3, "no": 3},
              "partenaires": {"yes": 2, "abstain": 2}}),
        {"outcome": "rejected", "weighted_yes_share": "11/20",
         "colleges": {"salaries": {"base": 10, "yes_share": "3/5"},
                      "partenaires": {"base": 4, "yes_share": "1/2"}}},
        "YNA: 1/2*6/10 + 3/10*3/6 + 1/5*2/4 = 6/20 + 3/20 + 2/20 = 11/20; 33 >= 40 false",
        id="abstentions_in_each_college_base_pull_the_same_votes_below_two_thirds",
    ),
    pytest.param(
        vote(rule("two_thirds", "present", W532),
             {"salaries": (10, 6), "usagers": (6, 3), "partenaires": (5, 3)},
             {"salaries": {"yes": 4, "no": 1, "abstain": 1}, "usagers": {"yes": 2, "no": 1},
              "partenaires": {"yes": 1}}),
        {"outcome": "rejected", "weighted_yes_share": "3/5",
         "colleges": {"partenaires": {"base": 3, "yes_share": "1/3"}}},
        "base present per college: 4/6, 2/3, 1/3 (2 partenaires present did not vote):"
        " 1/3 + 1/5 + 1/15 = 9/15 = 3/5; 9/5 >= 2 false (over YN partenaires would be 1/1)",
        id="the_present_base_of_a_college_counts_its_silent_members",
    ),
    pytest.param(
        vote(rule("absolute", "YN", W4325),
             {"salaries": (8, 4), "usagers": (10, 4), "partenaires": (5, 0)},
             {"salaries": {"yes": 3, "no": 1}, "usagers": {"yes": 2, "no": 2}}),
        {"outcome": "adopted", "weighted_yes_share": "19/30",
         "weighted_yes_share_decimal": 0.6333,
         "colleges": {"salaries": {"weight_effective": "8/15"},
                      "usagers": {"weight_effective": "7/15"},
                      "partenaires": {"weight_effective": "0/1", "expressing": False}}},
        "redistribute over 40+35 = 75: (2/5*3/4 + 7/20*1/2)/(3/4) = (19/40)*(4/3) = 19/30;"
        " effective 40/75 = 8/15, 35/75 = 7/15",
        id="an_absent_college_is_left_out_and_its_weight_redistributed",
    ),
    pytest.param(
        vote(rule("absolute", "YN", W4325, empty_college_policy="fixed"),
             {"salaries": (8, 4), "usagers": (10, 4), "partenaires": (5, 0)},
             {"salaries": {"yes": 3, "no": 1}, "usagers": {"yes": 2, "no": 2}}),
        {"outcome": "rejected", "weighted_yes_share": "19/40",
         "weighted_yes_share_decimal": 0.475,
         "colleges": {"salaries": {"weight_effective": "2/5"},
                      "usagers": {"weight_effective": "7/20"},
                      "partenaires": {"weight_effective": "1/4", "expressing": False}}},
        "fixed: 2/5*3/4 + 7/20*1/2 = 3/10 + 7/40 = 19/40 < 1/2; weight_effective is the"
        " statutory weight under fixed (8b), partenaires 25 % -> 1/4",
        id="under_fixed_an_absent_college_counts_as_not_yes",
    ),
    pytest.param(
        vote(rule("absolute", "YN", W532, empty_college_policy="fixed"),
             {"salaries": (10, 0), "usagers": (5, 5), "partenaires": (4, 4)},
             yes_by(4, "partenaires") | yes_by(5, "usagers")),
        {"outcome": "rejected", "weighted_yes_share": "1/2"},
        "salaries (50 %) absent; fixed: 3/10*1 + 1/5*1 = 1/2, and 1/2 > 1/2 is false",
        id="under_fixed_a_half_weight_absent_college_makes_adoption_impossible",
    ),
    pytest.param(
        vote(rule("absolute", "YN", W532),
             {"salaries": (10, 0), "usagers": (5, 5), "partenaires": (4, 4)},
             yes_by(4, "partenaires") | yes_by(5, "usagers")),
        {"outcome": "adopted", "weighted_yes_share": "1/1",
         "colleges": {"salaries": {"weight_effective": "0/1"},
                      "usagers": {"weight_effective": "3/5"},
                      "partenaires": {"weight_effective": "2/5"}}},
        "redistribute over 30+20 = 50: (3/10 + 1/5)/(1/2) = 1; effective 30/50, 20/50",
        id="under_redistribute_the_same_absence_leaves_the_decision_to_those_present",
    ),
    pytest.param(
        vote(rule("absolute", "YNA", W532), *ALL_ABSTAIN_IN_PARTENAIRES),
        {"outcome": "rejected", "weighted_yes_share": "2/5",
         "colleges": {"partenaires": {"base": 4, "yes_share": "0/1", "expressing": True,
                                      "weight_effective": "1/5"}}},
        "with abstentions in the base, partenaires (4 abstain) expresses a share 0/4:"
        " 1/2*3/5 + 3/10*1/3 + 1/5*0 = 3/10 + 1/10 = 2/5 over the full weight 1",
        id="an_abstaining_college_expresses_a_zero_share_when_abstentions_are_in_the_base",
    ),
    pytest.param(
        vote(rule("simple", "YNA", W532),
             {"salaries": (10, 10), "usagers": (3, 3), "partenaires": (2, 2)},
             {"salaries": {"yes": 4, "no": 1, "abstain": 5}, "usagers": {"yes": 1, "no": 2},
              "partenaires": {"yes": 1, "no": 1}}),
        {"outcome": "adopted", "weighted_yes_share": "2/5"},
        "simple compares weighted yes with weighted no: yes 1/2*4/10 + 3/10*1/3 + 1/5*1/2 ="
        " 8/20 vs no 1/2*1/10 + 3/10*2/3 + 1/5*1/2 = 7/20 -> adopted, although S = 2/5 < 1/2",
        id="a_simple_threshold_with_colleges_compares_weighted_yes_with_weighted_no",
    ),
    pytest.param(
        vote(rule("absolute", "YN", W532),
             {"salaries": (10, 3), "usagers": (5, 2), "partenaires": (4, 1)},
             {"salaries": {"abstain": 3}, "usagers": {"abstain": 2},
              "partenaires": {"abstain": 1}}),
        {"outcome": "rejected", "reason": "empty_base"},
        "every college has YN base 0: no expressing college -> rejected (empty_base)",
        id="no_expressing_college_at_all_is_an_empty_base",
    ),
]


@pytest.mark.parametrize(("case", "expected", "why"), PROPORTIONAL)
def test_proportional_counting_weights_each_college_share(
    case: Case, expected: dict[str, Any], why: str
) -> None:
    check(case, expected, why)


# Weights: equal default, bounds, sums, fraction strings, enforce_scic_bounds ----------------

NULL3 = weights(("salaries", None), ("usagers", None), ("partenaires", None))


def many(n: int) -> tuple[list[dict[str, Any]], Heads]:
    """``n`` colleges c01..cNN listed in reverse order, with null weights, one member each."""
    ids = [f"c{i:02d}" for i in range(n, 0, -1)]
    return weights(*((c, None) for c in ids)), dict.fromkeys(ids, (1, 1))


TEN, TEN_HEADS = many(10)
ELEVEN, ELEVEN_HEADS = many(11)
ELEVEN_IDS = sorted(ELEVEN_HEADS)
FIRST_SIX = [f"c{i:02d}" for i in range(1, 7)]


def split(heads: Heads, yes: list[str]) -> Tallies:
    return {c: {"yes": 1} if c in yes else {"no": 1} for c in heads}


SMALL = {"salaries": (2, 2), "usagers": (2, 2), "partenaires": (2, 2)}
SMALL_VOTES: Tallies = {"salaries": {"yes": 2}, "usagers": {"no": 2},
                        "partenaires": {"yes": 2}}

WEIGHTS = [
    pytest.param(
        vote(rule("absolute", "YN", NULL3), SMALL,
             {"salaries": {"yes": 2}, "usagers": {"no": 2}, "partenaires": {"yes": 1, "no": 1}}),
        {"outcome": "rejected", "weighted_yes_share": "1/2",
         "colleges": {c: {"weight": "1/3", "weight_effective": "1/3"}
                      for c in ("salaries", "usagers", "partenaires")}},
        "all weights null -> 100/3 % each = 1/3; (1 + 0 + 1/2)/3 = 1/2, not > 1/2",
        id="null_weights_give_three_colleges_a_third_each",
    ),
    pytest.param(
        vote(rule("absolute", "YN", weights(("a", None), ("b", None), ("c", None), ("d", None))),
             {"a": (2, 2), "b": (2, 2), "c": (2, 2), "d": (2, 2)},
             {"a": {"yes": 2}, "b": {"yes": 2}, "c": {"yes": 1, "no": 1}, "d": {"no": 2}}),
        {"outcome": "adopted", "weighted_yes_share": "5/8",
         "colleges": {"a": {"weight": "1/4"}, "d": {"weight": "1/4", "yes_share": "0/1"}}},
        "4 null weights -> 1/4 each; (1 + 1 + 1/2 + 0)/4 = 5/8 > 1/2",
        id="null_weights_give_four_colleges_a_quarter_each",
    ),
    pytest.param(
        vote(rule("absolute", "YN", TEN), TEN_HEADS, split(TEN_HEADS, FIRST_SIX)),
        {"outcome": "adopted", "weighted_yes_share": "3/5",
         "colleges": {"c01": {"weight": "1/10"}, "c10": {"weight": "1/10"}}},
        "10 equal colleges: 10 % each, exactly the lower bound; 6 yes colleges -> 6/10",
        id="ten_equal_colleges_are_the_most_the_bounds_allow",
    ),
    pytest.param(
        vote(rule("absolute", "YN", ELEVEN), ELEVEN_HEADS, split(ELEVEN_HEADS, FIRST_SIX)),
        {"outcome": "invalid_config", "config_error": "weight_out_of_bounds",
         "colleges": ELEVEN_IDS},
        "11 equal colleges: 100/11 % < 10 % for every one -> all 11 listed, sorted",
        id="eleven_equal_colleges_put_every_weight_below_ten_percent",
    ),
    pytest.param(
        vote(rule("absolute", "YN", weights(("usagers", 50), ("salaries", 50))),
             {"usagers": (2, 2), "salaries": (2, 2)}, yes_by(2, "usagers", "salaries")),
        {"outcome": "invalid_config", "config_error": "too_few_colleges",
         "colleges": ["salaries", "usagers"]},
        "art. 19 octies needs at least 3 colleges; all ids listed, sorted (8b)",
        id="two_colleges_are_too_few_for_a_scic",
    ),
    pytest.param(
        vote(rule("absolute", "YN", weights(("usagers", 30), ("salaries", 50),
                                            ("partenaires", 30))), SMALL, SMALL_VOTES),
        {"outcome": "invalid_config", "config_error": "weights_sum",
         "colleges": ["partenaires", "salaries", "usagers"]},
        "50 + 30 + 30 = 110 != 100: never renormalised; all ids listed sorted",
        id="weights_summing_to_more_than_one_hundred_are_refused",
    ),
    pytest.param(
        vote(rule("absolute", "YN", weights(("usagers", 60), ("salaries", 60))),
             {"usagers": (2, 2), "salaries": (2, 2)}, yes_by(2, "usagers", "salaries")),
        {"outcome": "invalid_config", "config_error": "too_few_colleges",
         "colleges": ["salaries", "usagers"]},
        "3.2 order: the college count (rule 1) is checked before the sum (rule 3, 120)",
        id="too_few_colleges_is_reported_before_a_wrong_sum",
    ),
    pytest.param(
        vote(rule("absolute", "YN", weights(("salaries", 60), ("usagers", 30),
                                            ("partenaires", 20))), SMALL, SMALL_VOTES),
        {"outcome": "invalid_config", "config_error": "weights_sum",
         "colleges": ["partenaires", "salaries", "usagers"]},
        "3.2 order: the sum 110 (rule 3) is checked before the 50 % bound (rule 4)",
        id="a_wrong_sum_is_reported_before_an_out_of_bounds_weight",
    ),
    pytest.param(
        vote(rule("absolute", "YN", weights(("salaries", 40), ("usagers", 30),
                                            ("partenaires", 20))), SMALL, SMALL_VOTES),
        {"outcome": "invalid_config", "config_error": "weights_sum",
         "colleges": ["partenaires", "salaries", "usagers"]},
        "40 + 30 + 20 = 90 != 100",
        id="weights_summing_to_less_than_one_hundred_are_refused",
    ),
    pytest.param(
        vote(rule("absolute", "YN", weights(("salaries", 50), ("usagers", None),
                                            ("partenaires", 50))), SMALL, SMALL_VOTES),
        {"outcome": "invalid_config", "config_error": "weights_sum",
         "colleges": ["partenaires", "salaries", "usagers"]},
        "mixed null and numeric weights fail with weights_sum (8b), though 50 + 50 = 100",
        id="mixed_null_and_numeric_weights_fail_the_sum_check",
    ),
    pytest.param(
        vote(rule("absolute", "YN", weights(("salaries", 51), ("usagers", 29),
                                            ("partenaires", 20))), SMALL, SMALL_VOTES),
        {"outcome": "invalid_config", "config_error": "weight_out_of_bounds",
         "colleges": ["salaries"]},
        "51 > 50 % (sum 100 is fine)",
        id="a_weight_above_half_of_the_votes_is_refused",
    ),
    pytest.param(
        vote(rule("absolute", "YN", weights(("salaries", 45), ("usagers", 45.5),
                                            ("partenaires", 9.5))), SMALL, SMALL_VOTES),
        {"outcome": "invalid_config", "config_error": "weight_out_of_bounds",
         "colleges": ["partenaires"]},
        "45 + 45.5 + 9.5 = 100 exactly; 9.5 < 10 %",
        id="a_weight_below_ten_percent_is_refused",
    ),
    pytest.param(
        vote(rule("absolute", "YN", weights(("zeta", 5), ("beta", 45), ("gamma", 45),
                                            ("alpha", 5))),
             {"zeta": (1, 1), "beta": (1, 1), "gamma": (1, 1), "alpha": (1, 1)},
             yes_by(1, "zeta", "beta", "gamma", "alpha")),
        {"outcome": "invalid_config", "config_error": "weight_out_of_bounds",
         "colleges": ["alpha", "zeta"]},
        "5 + 45 + 45 + 5 = 100; zeta and alpha at 5 % are both out, listed sorted",
        id="every_out_of_bounds_college_is_listed_in_sorted_order",
    ),
    pytest.param(
        vote(rule("absolute", "YN", weights(("salaries", 50), ("usagers", 40),
                                            ("partenaires", 10))), SMALL,
             {"salaries": {"yes": 1, "no": 1}, "usagers": {"yes": 2},
              "partenaires": {"no": 2}}),
        {"outcome": "adopted", "weighted_yes_share": "13/20",
         "colleges": {"salaries": {"weight": "1/2"}, "usagers": {"weight": "2/5"},
                      "partenaires": {"weight": "1/10"}}},
        "10 <= w <= 50 is inclusive; 1/2*1/2 + 2/5*1 + 1/10*0 = 1/4 + 2/5 = 13/20",
        id="weights_exactly_at_ten_and_fifty_percent_are_allowed",
    ),
    pytest.param(
        vote(rule("two_thirds", "YN", weights(("salaries", "100/3"), ("usagers", "100/3"),
                                               ("partenaires", "100/3"))),
             {"salaries": (3, 3), "usagers": (3, 3), "partenaires": (3, 3)},
             {c: {"yes": 2, "no": 1} for c in ("salaries", "usagers", "partenaires")}),
        {"outcome": "adopted", "weighted_yes_share": "2/3",
         "colleges": {"salaries": {"weight": "1/3"}, "partenaires": {"weight": "1/3"}}},
        "3 * 100/3 = 100 exactly; each college 2/3 -> S = 2/3 >= 2/3",
        id="fraction_string_weights_of_a_third_sum_exactly_to_one_hundred",
    ),
    pytest.param(
        vote(rule("absolute", "YN", weights(("salaries", "125/3"), ("usagers", "100/3"),
                                            ("partenaires", 25))),
             {"salaries": (1, 1), "usagers": (1, 1), "partenaires": (1, 1)},
             {"salaries": {"yes": 1}, "usagers": {"no": 1}, "partenaires": {"no": 1}}),
        {"outcome": "rejected", "weighted_yes_share": "5/12",
         "weighted_yes_share_decimal": 0.4167,
         "colleges": {"salaries": {"weight": "5/12"}, "usagers": {"weight": "1/3"},
                      "partenaires": {"weight": "1/4"}}},
        "125/3 + 100/3 + 75/3 = 100; S = 125/300 = 5/12 < 1/2",
        id="fraction_string_and_integer_weights_mix_exactly",
    ),
    pytest.param(
        vote(rule("absolute", "YN", weights(("salaries", 33.33), ("usagers", 33.33),
                                            ("partenaires", 33.33))), SMALL, SMALL_VOTES),
        {"outcome": "invalid_config", "config_error": "weights_sum",
         "colleges": ["partenaires", "salaries", "usagers"]},
        "3 * 33.33 = 99.99 != 100: decimals are read exactly, not rounded to thirds",
        id="decimal_weights_that_only_approximate_thirds_fail_the_sum_check",
    ),
    pytest.param(
        vote(rule("absolute", "YN", weights(("salaries", 70), ("usagers", 30)),
                  enforce_scic_bounds=False),
             {"salaries": (4, 4), "usagers": (4, 4)},
             {"salaries": {"yes": 3, "no": 1}, "usagers": {"no": 4}}),
        {"outcome": "adopted", "weighted_yes_share": "21/40",
         "colleges": {"salaries": {"weight": "7/10"}, "usagers": {"weight": "3/10"}}},
        "enforce_scic_bounds false (section 10): 2 colleges and 70 % allowed;"
        " 7/10*3/4 = 21/40, 42 > 40",
        id="without_scic_bounds_two_colleges_and_a_seventy_percent_weight_are_accepted",
    ),
    pytest.param(
        vote(rule("absolute", "YN", weights(("salaries", 100)), enforce_scic_bounds=False),
             {"salaries": (4, 4)}, yes_by(4, "salaries")),
        {"outcome": "invalid_config", "config_error": "too_few_colleges",
         "colleges": ["salaries"]},
        "without SCIC bounds: any number of colleges from 2 up, so 1 is too few",
        id="without_scic_bounds_one_college_is_still_too_few",
    ),
    pytest.param(
        vote(rule("absolute", "YN", weights(("salaries", 70), ("usagers", 40)),
                  enforce_scic_bounds=False),
             {"salaries": (4, 4), "usagers": (4, 4)}, yes_by(4, "salaries", "usagers")),
        {"outcome": "invalid_config", "config_error": "weights_sum",
         "colleges": ["salaries", "usagers"]},
        "without SCIC bounds the weights must still sum to 100: 70 + 40 = 110",
        id="without_scic_bounds_the_weights_must_still_sum_to_one_hundred",
    ),
    pytest.param(
        vote(rule("absolute", "YN", ELEVEN, enforce_scic_bounds=False), ELEVEN_HEADS,
             split(ELEVEN_HEADS, FIRST_SIX)),
        {"outcome": "adopted", "weighted_yes_share": "6/11",
         "colleges": {"c01": {"weight": "1/11"}, "c11": {"weight": "1/11"}}},
        "without SCIC bounds 11 equal colleges are fine: 1/11 each; 6/11 > 1/2",
        id="without_scic_bounds_eleven_equal_colleges_are_accepted",
    ),
]


@pytest.mark.parametrize(("case", "expected", "why"), WEIGHTS)
def test_college_weights_are_checked_before_any_counting(
    case: Case, expected: dict[str, Any], why: str
) -> None:
    check(case, expected, why)


# Bloc method --------------------------------------------------------------------------

BLOC_TIE = ({"salaries": (6, 6), "usagers": (5, 5), "partenaires": (3, 3)},
            {"salaries": {"yes": 3, "no": 3}, "usagers": {"yes": 4, "no": 1},
             "partenaires": {"yes": 1, "no": 2}})
SPLIT_ASSEMBLY = ({"salaries": (10, 10), "usagers": (20, 20), "partenaires": (5, 5)},
                  {"salaries": {"yes": 6, "no": 4}, "usagers": {"yes": 2, "no": 18},
                   "partenaires": {"yes": 3, "no": 2}})

BLOC = [
    pytest.param(
        vote(rule("absolute", "YN", W532, method="bloc"), *BLOC_TIE),
        {"outcome": "adopted", "weighted_yes_share": "3/5",
         "colleges": {"salaries": {"bloc": "none", "weight_effective": "0/1"},
                      "usagers": {"bloc": "yes", "weight_effective": "3/5"},
                      "partenaires": {"bloc": "no", "weight_effective": "2/5"}}},
        "salaries 3 = 3 -> none (silent); usagers 4 > 1 yes; partenaires 1 < 2 no;"
        " redistribute over 30+20: S = 30/50 = 3/5 > 1/2",
        id="a_tied_college_votes_none_in_bloc_and_its_weight_is_redistributed",
    ),
    pytest.param(
        vote(rule("absolute", "YN", W532, method="bloc", empty_college_policy="fixed"),
             *BLOC_TIE),
        {"outcome": "rejected", "weighted_yes_share": "3/10",
         "colleges": {"salaries": {"bloc": "none", "weight_effective": "1/2"}}},
        "fixed: S = 30/100 = 3/10; salaries keeps its statutory weight_effective 1/2",
        id="a_tied_college_under_fixed_bloc_counts_as_not_yes",
    ),
    pytest.param(
        vote(rule("two_thirds", "YN", W4325, method="bloc"),
             {"salaries": (4, 4), "usagers": (5, 5), "partenaires": (3, 3)},
             {"salaries": {"abstain": 4}, "usagers": {"yes": 3, "no": 2},
              "partenaires": {"no": 3}}),
        {"outcome": "rejected", "weighted_yes_share": "7/12",
         "colleges": {"salaries": {"bloc": "none"}, "usagers": {"bloc": "yes"},
                      "partenaires": {"bloc": "no"}}},
        "salaries expresses nothing -> none; S = 35/(35+25) = 7/12; 3*7 = 21 >= 24 false",
        id="a_college_expressing_nothing_votes_none_in_bloc",
    ),
    pytest.param(
        vote(rule("absolute", "YN", W532, method="bloc"), *SPLIT_ASSEMBLY),
        {"outcome": "adopted", "weighted_yes_share": "7/10",
         "colleges": {"salaries": {"bloc": "yes"}, "usagers": {"bloc": "no"},
                      "partenaires": {"bloc": "yes"}}},
        "bloc: salaries 6 > 4 yes (50), usagers 2 < 18 no, partenaires 3 > 2 yes (20): 70/100",
        id="the_bloc_method_adopts_what_a_majority_of_colleges_supports",
    ),
    pytest.param(
        vote(rule("absolute", "YN", W532), *SPLIT_ASSEMBLY),
        {"outcome": "rejected", "weighted_yes_share": "9/20",
         "weighted_yes_share_decimal": 0.45},
        "proportional, same ballots: 1/2*6/10 + 3/10*2/20 + 1/5*3/5 = 30/100 + 3/100 + 12/100"
        " = 45/100 = 9/20 < 1/2",
        id="the_proportional_method_rejects_the_same_ballots",
    ),
]


@pytest.mark.parametrize(("case", "expected", "why"), BLOC)
def test_the_bloc_method_counts_each_college_as_one_block(
    case: Case, expected: dict[str, Any], why: str
) -> None:
    check(case, expected, why)


# Quorum: scopes and convocations ----------------------------------------------------------

Q14 = {"num": 1, "den": 4}
ALL_YES_15 = {"salaries": {"yes": 2}, "usagers": {"yes": 10}, "partenaires": {"yes": 3}}

QUORUMS = [
    pytest.param(
        vote({"preset": "scic_sa_age", "mode": "meeting", "colleges": W532},
             {"salaries": (10, 3), "usagers": (40, 9), "partenaires": (6, 2)},
             {"salaries": {"yes": 3}, "usagers": {"yes": 6, "no": 3}, "partenaires": {"yes": 2}}),
        {"outcome": "adopted", "eligible": 56, "present": 14, "quorum_met": True,
         "weighted_yes_share": "9/10"},
        "assembly heads, 1st convocation 1/4: 14*4 = 56 >= 56 exactly;"
        " S = 1/2*1 + 3/10*2/3 + 1/5*1 = 9/10 >= 2/3",
        id="a_quorum_of_heads_reached_exactly_on_first_convocation_is_met",
    ),
    pytest.param(
        vote({"preset": "scic_sa_age", "mode": "meeting", "colleges": W532},
             {"salaries": (10, 3), "usagers": (40, 8), "partenaires": (6, 2)},
             {"salaries": {"yes": 3}, "usagers": {"yes": 5, "no": 3}, "partenaires": {"yes": 2}}),
        {"outcome": "no_quorum", "present": 13, "quorum_met": False},
        "13*4 = 52 >= 56 is false -> no_quorum",
        id="one_head_short_of_the_first_convocation_quorum_is_no_quorum",
    ),
    pytest.param(
        vote({"preset": "scic_sa_age", "mode": "meeting", "colleges": W532,
              "convocation": "second"},
             {"salaries": (10, 3), "usagers": (40, 7), "partenaires": (6, 2)},
             {"salaries": {"yes": 3}, "usagers": {"yes": 5, "no": 2}, "partenaires": {"yes": 2}}),
        {"outcome": "adopted", "present": 12, "quorum_met": True,
         "weighted_yes_share": "32/35"},
        "2nd convocation 1/5: 12*5 = 60 >= 56 (1st: 48 < 56);"
        " S = 1/2 + 3/10*5/7 + 1/5 = 35/70 + 15/70 + 14/70 = 64/70 = 32/35",
        id="the_second_convocation_quorum_of_a_fifth_lets_a_smaller_assembly_decide",
    ),
    pytest.param(
        vote({"preset": "scic_sa_ago", "mode": "meeting", "colleges": W532},
             {"salaries": (10, 10), "usagers": (40, 3), "partenaires": (5, 5)},
             {"salaries": {"yes": 2, "no": 8}, "usagers": {"yes": 3},
              "partenaires": {"yes": 1, "no": 4}}),
        {"outcome": "rejected", "quorum_met": True, "weighted_yes_share": "11/25",
         "colleges": {"usagers": {"weight_effective": "3/10", "yes_share": "1/1"}}},
        "heads 18*5 = 90 >= 55; 3 usagers out of 40 still carry 30 %:"
        " 1/2*1/5 + 3/10*1 + 1/5*1/5 = 10/100 + 30/100 + 4/100 = 11/25",
        id="a_college_with_few_present_still_carries_its_full_weight",
    ),
    pytest.param(
        vote(rule("absolute", "YN", W532, quorum=Q14),
             {"salaries": (10, 2), "usagers": (40, 10), "partenaires": (10, 3)}, ALL_YES_15),
        {"outcome": "adopted", "quorum_met": True, "present": 15, "eligible": 60},
        "default scope assembly_heads: 15*4 = 60 >= 60",
        id="the_default_quorum_counts_heads_across_the_assembly",
    ),
    pytest.param(
        vote(rule("absolute", "YN", W532, quorum=Q14, quorum_scope="weighted"),
             {"salaries": (10, 2), "usagers": (40, 10), "partenaires": (10, 3)}, ALL_YES_15),
        {"outcome": "no_quorum", "quorum_met": False},
        "weighted: 1/2*2/10 + 3/10*10/40 + 1/5*3/10 = 20/200 + 15/200 + 12/200 = 47/200"
        " < 1/4 = 50/200",
        id="a_weighted_quorum_can_fail_where_the_heads_quorum_is_met",
    ),
    pytest.param(
        vote(rule("absolute", "YN", W532, quorum=Q14, quorum_scope="weighted"),
             {"salaries": (10, 2), "usagers": (40, 12), "partenaires": (10, 3)},
             ALL_YES_15 | {"usagers": {"yes": 12}}),
        {"outcome": "adopted", "quorum_met": True},
        "weighted: 1/10 + 3/10*12/40 + 1/5*3/10 = 10/100 + 9/100 + 6/100 = 1/4 exactly",
        id="a_weighted_quorum_reached_exactly_is_met",
    ),
    pytest.param(
        vote(rule("absolute", "YN", W532, quorum=Q14, quorum_scope="per_college_min"),
             {"salaries": (10, 3), "usagers": (40, 10), "partenaires": (10, 2)},
             {"salaries": {"yes": 3}, "usagers": {"yes": 10}, "partenaires": {"yes": 2}}),
        {"outcome": "no_quorum", "quorum_met": False},
        "per college 1/4: salaries 3*4 = 12 >= 10, usagers 40 >= 40, partenaires 2*4 = 8 >= 10"
        " fails (heads 15/60 and weighted 53/200 would both pass)",
        id="a_per_college_quorum_fails_when_one_college_is_short",
    ),
    pytest.param(
        vote(rule("absolute", "YN", W532, quorum=Q14, quorum_scope="per_college_min"),
             {"salaries": (4, 1), "usagers": (8, 2), "partenaires": (12, 3)},
             {"salaries": {"yes": 1}, "usagers": {"yes": 1, "no": 1},
              "partenaires": {"yes": 2, "no": 1}}),
        {"outcome": "adopted", "quorum_met": True, "weighted_yes_share": "47/60"},
        "each college exactly 1/4: 4 >= 4, 8 >= 8, 12 >= 12;"
        " S = 1/2 + 3/10*1/2 + 1/5*2/3 = 30/60 + 9/60 + 8/60 = 47/60",
        id="a_per_college_quorum_reached_exactly_in_every_college_is_met",
    ),
]


@pytest.mark.parametrize(("case", "expected", "why"), QUORUMS)
def test_the_college_quorum_follows_its_scope_and_convocation(
    case: Case, expected: dict[str, Any], why: str
) -> None:
    check(case, expected, why)


# SARL form, presets, individual ballots, convocation -------------------------------------

SARL_HEADS: Heads = {"salaries": (10, 8), "usagers": (20, 6), "partenaires": (5, 3)}
SARL_VOTES: Tallies = {"salaries": {"yes": 6, "no": 2}, "usagers": {"yes": 5, "no": 1},
                       "partenaires": {"yes": 3}}

MEMBERS = [{"id": "s1", "college": "salaries"}, {"id": "s2", "college": "salaries"},
           {"id": "u1", "college": "usagers"}, {"id": "u2", "college": "usagers"},
           {"id": "u3", "college": "usagers"}, {"id": "p1", "college": "partenaires"}]


def individual(threshold: str, ballots: list[tuple[str, str, str]]) -> Case:
    return {"family": "scic_college",
            "params": {"threshold": threshold, "base": "YN", "quorum": None, "colleges": W532},
            "electorate": {"members": MEMBERS},
            "ballots": [{"voter": v, "position": p, "cast_at": t} for v, p, t in ballots]}


BALLOTS = [("s1", "yes", "2025-03-04T09:00:00Z"), ("s2", "no", "2025-03-04T09:01:00Z"),
           ("u1", "yes", "2025-03-04T09:02:00Z"), ("u2", "yes", "2025-03-04T09:03:00Z"),
           ("u3", "no", "2025-03-04T09:04:00Z"), ("p1", "yes", "2025-03-04T09:05:00Z"),
           ("z", "yes", "2025-03-04T09:06:00Z")]


def noticed(colleges: list[dict[str, Any]]) -> Case:
    params = {"preset": "scic_sa_ago", "mode": "meeting", "colleges": colleges,
              "convocation_check": {"sent_on": "2025-03-10", "meeting_on": "2025-03-16"}}
    return vote(params, {"salaries": (2, 2), "usagers": (2, 2), "partenaires": (2, 2)},
                yes_by(2, "salaries", "usagers", "partenaires"))


OTHERS = [
    pytest.param(
        vote({"preset": "scic_sarl_ordinary", "mode": "meeting", "colleges": W532,
              "convocation": "first"}, SARL_HEADS, SARL_VOTES),
        {"outcome": "rejected", "weighted_yes_share": "99/200",
         "weighted_yes_share_decimal": 0.495,
         "colleges": {"salaries": {"base": 10, "yes_share": "3/5"},
                      "usagers": {"base": 20, "yes_share": "1/4"},
                      "partenaires": {"base": 5, "yes_share": "3/5"}}},
        "SARL 1st consultation, base entitled = members of each college: 6/10, 5/20, 3/5;"
        " 3/10 + 3/40 + 3/25 = 60/200 + 15/200 + 24/200 = 99/200 < 1/2",
        id="a_sarl_first_consultation_counts_every_member_of_each_college",
    ),
    pytest.param(
        vote({"preset": "scic_sarl_ordinary", "mode": "meeting", "colleges": W532,
              "convocation": "second"}, SARL_HEADS, SARL_VOTES),
        {"outcome": "adopted", "weighted_yes_share": "33/40",
         "colleges": {"salaries": {"base": 8}, "usagers": {"base": 6},
                      "partenaires": {"base": 3}}},
        "2nd consultation, base YN: 6/8, 5/6, 3/3 -> 3/8 + 1/4 + 1/5 = 33/40",
        id="a_sarl_second_consultation_counts_the_votes_cast_in_each_college",
    ),
    pytest.param(
        vote({"preset": "scic_sa_ago", "mode": "meeting", "colleges": W4325},
             {"salaries": (8, 4), "usagers": (10, 4), "partenaires": (5, 0)},
             {"salaries": {"yes": 3, "no": 1}, "usagers": {"yes": 2, "no": 2}}),
        {"outcome": "adopted", "quorum_met": True, "weighted_yes_share": "19/30",
         "colleges": {"salaries": {"weight_effective": "8/15"},
                      "partenaires": {"weight_effective": "0/1"}}},
        "preset + colleges -> proportional, redistribute, assembly_heads (section 7):"
        " heads 8*5 = 40 >= 23; S = 19/30 (bloc would give 40/40 = 1, fixed 19/40)",
        id="a_preset_with_colleges_counts_proportionally_and_redistributes_by_default",
    ),
    pytest.param(
        individual("absolute", BALLOTS),
        {"outcome": "adopted", "weighted_yes_share": "13/20",
         "rejected_ballots": [{"voter": "z", "reason": "not_eligible"}],
         "colleges": {"salaries": {"yes": 1, "no": 1, "yes_share": "1/2"},
                      "usagers": {"yes": 2, "no": 1, "yes_share": "2/3"},
                      "partenaires": {"yes": 1, "no": 0, "yes_share": "1/1"}}},
        "ballots counted in the voter's college: 1/2*1/2 + 3/10*2/3 + 1/5*1 = 1/4 + 1/5 + 1/5"
        " = 13/20 > 1/2; z has no college and is not eligible",
        id="individual_ballots_are_counted_in_each_member_s_college",
    ),
    pytest.param(
        individual("two_thirds", [*BALLOTS, ("s2", "yes", "2025-03-05T09:00:00Z")]),
        {"outcome": "adopted", "weighted_yes_share": "9/10", "superseded_ballots": 1,
         "colleges": {"salaries": {"yes": 2, "no": 0, "yes_share": "1/1"}}},
        "s2 changes to yes (latest counts): 1/2*1 + 1/5 + 1/5 = 9/10 >= 2/3"
        " (without the change 13/20: 39 >= 40 would fail)",
        id="a_changed_individual_ballot_moves_its_college_share",
    ),
    pytest.param(
        {"family": "scic_college",
         "params": {"mode": "meeting", "threshold": "absolute", "base": "YN",
                    "quorum": {"num": 2, "den": 3}, "colleges": W532},
         "electorate": {"members": MEMBERS, "present": ["s1"]},
         "ballots": [{"voter": "s2", "position": "yes", "cast_at": "2025-03-04T09:00:00Z"},
                     {"voter": "u1", "position": "yes", "cast_at": "2025-03-04T09:01:00Z"},
                     {"voter": "p1", "position": "no", "cast_at": "2025-03-04T09:02:00Z"}]},
        {"outcome": "adopted", "present": 4, "eligible": 6, "quorum_met": True,
         "weighted_yes_share": "4/5"},
        "meeting: present = list {s1} U voters {s2,u1,p1} = 4 (8b): 4*3 = 12 >= 2*6;"
        " S = 1/2*1 + 3/10*1 + 1/5*0 = 4/5",
        id="in_a_college_meeting_the_present_are_the_list_and_everyone_who_voted",
    ),
    pytest.param(
        {"family": "scic_college",
         "params": {"threshold": "absolute", "base": "YN", "quorum": {"num": 1, "den": 2},
                    "colleges": W532, "opens_at": "2025-03-03T08:00:00Z",
                    "closes_at": "2025-03-10T18:00:00Z"},
         "electorate": {"members": MEMBERS},
         "ballots": [{"voter": "s1", "position": "yes", "cast_at": "2025-03-04T09:00:00Z"},
                     {"voter": "u1", "position": "no", "cast_at": "2025-03-04T09:01:00Z"},
                     {"voter": "p1", "position": "abstain", "cast_at": "2025-03-04T09:02:00Z"},
                     {"voter": "u2", "position": "no", "cast_at": "2025-03-10T18:00:00Z"}]},
        {"outcome": "adopted", "participants": 3, "quorum_met": True,
         "weighted_yes_share": "5/8",
         "rejected_ballots": [{"voter": "u2", "reason": "late"}],
         "colleges": {"salaries": {"weight_effective": "5/8"},
                      "usagers": {"weight_effective": "3/8"},
                      "partenaires": {"weight_effective": "0/1", "expressing": False}}},
        "async: u2 at closes_at is late; participants s1,u1,p1 = 3: 3*2 = 6 >= 6;"
        " partenaires only abstains -> silent; (1/2*1 + 3/10*0)/(4/5) = 5/8",
        id="an_async_college_vote_counts_participation_and_refuses_late_ballots",
    ),
    pytest.param(
        {"family": "scic_college",
         "params": {"threshold": "absolute", "base": "YN", "quorum": None, "colleges": W532,
                    "opens_at": "2025-03-03T08:00:00Z", "closes_at": "2025-03-10T18:00:00Z",
                    "evaluated_at": "2025-03-06T12:00:00Z"},
         "electorate": {"members": MEMBERS},
         "ballots": [{"voter": "s1", "position": "yes", "cast_at": "2025-03-04T09:00:00Z"},
                     {"voter": "u1", "position": "no", "cast_at": "2025-03-07T09:00:00Z"},
                     {"voter": "u2", "position": "no", "cast_at": "2025-03-10T18:00:00Z"}]},
        {"outcome": "pending", "participants": 1,
         "rejected_ballots": [{"voter": "u2", "reason": "late"}]},
        "evaluated 03-06 12:00 < closes_at: u2 at closes_at is late whatever the instant"
        " (0.3); u1's ballot of 03-07 is on time but not known yet -> pending, 1 participant",
        id="a_late_college_ballot_is_refused_even_when_evaluated_before_the_deadline",
    ),
    pytest.param(
        noticed(weights(("salaries", 55), ("usagers", 25), ("partenaires", 20))),
        {"outcome": "invalid_config", "config_error": "weight_out_of_bounds",
         "colleges": ["salaries"]},
        "55 > 50 and only 6 days of notice: invalid_config is decided first (8b)",
        id="an_invalid_configuration_is_reported_before_an_invalid_convocation",
    ),
    pytest.param(
        noticed(W532),
        {"outcome": "invalid_convocation", "convocation_days": 6},
        "valid weights; 03-16 minus 03-10 = 6 days < 15 (SA first convocation)",
        id="a_short_notice_makes_a_college_vote_an_invalid_convocation",
    ),
]


@pytest.mark.parametrize(("case", "expected", "why"), OTHERS)
def test_college_votes_follow_presets_ballots_and_convocation_rules(
    case: Case, expected: dict[str, Any], why: str
) -> None:
    check(case, expected, why)
