"""Family A (majority voting): the edge cases of docs/rules.md sections 0, 2, 7, 8 and 8b.

Every expected value below was computed by hand from docs/rules.md; the arithmetic is in each
case's ``why`` (the comparisons of section 0.1: ``2*yes > base``, ``3*yes >= 2*base``,
``4*yes >= 3*base``, ``yes*den >= num*base``, quorum ``present*den >= num*eligible``).
Results are compared with docs/case-format.md's matching rule (``differences``).
"""

from __future__ import annotations

from typing import Any

import pytest

from decisions.engine import evaluate, load_case
from decisions.engine.testing import differences

Case = dict[str, Any]
Ballot = tuple[str, str, str] | dict[str, Any]

OPENS = "2025-03-03T08:00:00Z"
CLOSES = "2025-03-10T18:00:00Z"
WINDOW: dict[str, Any] = {"opens_at": OPENS, "closes_at": CLOSES}


def rule(threshold: Any, base: Any, **more: Any) -> dict[str, Any]:
    """Meeting-mode parameters with no quorum unless ``more`` says otherwise."""
    return {"mode": "meeting", "threshold": threshold, "base": base, "quorum": None, **more}


def tally(params: dict[str, Any], eligible: int, present: int, **counts: int) -> Case:
    """A meeting counted by heads, with a tally of ballots."""
    return {"family": "majority", "params": params,
            "electorate": {"eligible": eligible, "present": present},
            "ballots": {"format": "tally", **counts}}


def named(params: dict[str, Any], members: str, ballots: list[Ballot],
          present: str | None = None) -> Case:
    """Named members (``"a b c"``) and individual ballots ``(voter, position, cast_at)``."""
    electorate: dict[str, Any] = {"members": members.split()}
    if present is not None:
        electorate["present"] = present.split()
    rows = [b if isinstance(b, dict) else {"voter": b[0], "position": b[1], "cast_at": b[2]}
            for b in ballots]
    return {"family": "majority", "params": params, "electorate": electorate, "ballots": rows}


def counts(yes: int = 0, no: int = 0, abstain: int = 0, blank: int = 0,
           invalid: int = 0) -> dict[str, int]:
    return {"yes": yes, "no": no, "abstain": abstain, "blank": blank, "invalid": invalid}


def check(case: Case, expected: dict[str, Any], why: str) -> None:
    assert expected, "every case must expect something specific"
    result = evaluate(load_case(case)).to_json()
    assert differences(expected, result) == [], why


# Thresholds and bases --------------------------------------------------------------------

THRESHOLDS = [
    pytest.param(
        tally(rule("simple", "YN"), 20, 16, yes=8, no=6, abstain=2),
        {"outcome": "adopted", "counts": counts(8, 6, 2), "base": "YN", "base_count": 14,
         "yes_share": "4/7"},
        "simple: 8 > 6; base YN = 8+6 = 14, yes_share 8/14 = 4/7 (reported only)",
        id="a_simple_majority_needs_more_yes_than_no_and_leaves_abstentions_out",
    ),
    pytest.param(
        tally(rule("simple", "YN"), 13, 13, yes=5, no=5, abstain=3),
        {"outcome": "rejected", "base_count": 10, "yes_share": "1/2"},
        "simple: 5 > 5 is false (tie, no casting vote); base YN = 10, yes_share 5/10",
        id="a_tie_fails_a_simple_majority",
    ),
    pytest.param(
        tally(rule("simple", "YNA"), 12, 12, yes=4, no=3, abstain=5),
        {"outcome": "adopted", "base": "YNA", "base_count": 12, "yes_share": "1/3"},
        "simple ignores the base (2.2 step 6): 4 > 3 adopts although yes is 4/12 = 1/3 of YNA",
        id="a_simple_majority_ignores_the_base_even_when_abstentions_are_in_it",
    ),
    pytest.param(
        tally(rule("absolute", "YN"), 15, 15, yes=7, no=5, abstain=3),
        {"outcome": "adopted", "base_count": 12, "yes_share": "7/12"},
        "absolute over YN: 2*7 = 14 > 12",
        id="an_absolute_majority_over_YN_leaves_abstentions_out",
    ),
    pytest.param(
        tally(rule("absolute", "YNA"), 15, 15, yes=7, no=5, abstain=3),
        {"outcome": "rejected", "base": "YNA", "base_count": 15, "yes_share": "7/15"},
        "absolute over YNA: base 7+5+3 = 15, 2*7 = 14 > 15 is false",
        id="an_absolute_majority_over_YNA_counts_abstentions_against",
    ),
    pytest.param(
        tally(rule("absolute", "YNA"), 12, 12, yes=6, no=4, abstain=2),
        {"outcome": "rejected", "base_count": 12, "yes_share": "1/2"},
        "absolute is strict: base 6+4+2 = 12, 2*6 = 12 > 12 is false",
        id="exactly_half_of_the_base_fails_an_absolute_majority",
    ),
    pytest.param(
        tally(rule("two_thirds", "YNA"), 15, 15, yes=10, no=3, abstain=2),
        {"outcome": "adopted", "base_count": 15, "yes_share": "2/3"},
        "two_thirds inclusive: base 15, 3*10 = 30 >= 2*15 = 30",
        id="an_exact_two_thirds_share_passes_a_two_thirds_rule",
    ),
    pytest.param(
        tally(rule("two_thirds", "YNA"), 16, 16, yes=10, no=3, abstain=3),
        {"outcome": "rejected", "base_count": 16, "yes_share": "5/8"},
        "one more abstention: base 16, 3*10 = 30 >= 32 is false",
        id="a_share_just_below_two_thirds_fails_a_two_thirds_rule",
    ),
    pytest.param(
        tally(rule("three_quarters", "YN"), 12, 12, yes=9, no=3),
        {"outcome": "adopted", "base_count": 12, "yes_share": "3/4"},
        "three_quarters inclusive: 4*9 = 36 >= 3*12 = 36",
        id="an_exact_three_quarters_share_passes_a_three_quarters_rule",
    ),
    pytest.param(
        tally(rule("three_quarters", "YN"), 11, 11, yes=8, no=3),
        {"outcome": "rejected", "base_count": 11, "yes_share": "8/11"},
        "4*8 = 32 >= 3*11 = 33 is false",
        id="a_share_just_below_three_quarters_fails",
    ),
    pytest.param(
        tally(rule({"num": 3, "den": 5, "inclusive": True}, "YN"), 10, 10, yes=6, no=4),
        {"outcome": "adopted", "yes_share": "3/5"},
        "custom inclusive 3/5: 6*5 = 30 >= 3*10 = 30",
        id="an_inclusive_custom_threshold_is_passed_by_an_exact_share",
    ),
    pytest.param(
        tally(rule({"num": 3, "den": 5, "inclusive": False}, "YN"), 10, 10, yes=6, no=4),
        {"outcome": "rejected", "yes_share": "3/5"},
        "custom strict 3/5: 6*5 = 30 > 30 is false",
        id="a_strict_custom_threshold_is_failed_by_an_exact_share",
    ),
    pytest.param(
        tally(rule({"num": 3, "den": 5, "inclusive": False}, "YN"), 11, 11, yes=7, no=4),
        {"outcome": "adopted", "yes_share": "7/11"},
        "custom strict 3/5: 7*5 = 35 > 3*11 = 33",
        id="a_strict_custom_threshold_is_passed_by_a_larger_share",
    ),
    pytest.param(
        tally(rule("absolute", "valid"), 12, 12, yes=6, no=3, blank=2, invalid=1),
        {"outcome": "adopted", "counts": counts(6, 3, 0, 2, 1), "base": "valid",
         "base_count": 11, "yes_share": "6/11"},
        "valid = YNA + blank = 6+3+0+2 = 11 (spoiled left out): 2*6 = 12 > 11",
        id="a_blank_ballot_is_in_the_valid_base_and_a_spoiled_one_is_not",
    ),
    pytest.param(
        tally(rule("absolute", "cast"), 12, 12, yes=6, no=3, blank=2, invalid=1),
        {"outcome": "rejected", "base": "cast", "base_count": 12, "yes_share": "1/2"},
        "cast = valid + invalid = 11+1 = 12: 2*6 = 12 > 12 is false",
        id="a_spoiled_ballot_in_the_cast_base_turns_the_same_votes_down",
    ),
    pytest.param(
        tally(rule("absolute", "YNA"), 12, 12, yes=6, no=3, blank=2, invalid=1),
        {"outcome": "adopted", "base_count": 9, "yes_share": "2/3"},
        "YNA = 6+3+0 = 9 (blank is not abstain): 2*6 = 12 > 9",
        id="blank_ballots_are_not_abstentions_in_a_YNA_base",
    ),
    pytest.param(
        tally(rule("absolute", "present"), 30, 20, yes=10, no=5, abstain=1),
        {"outcome": "rejected", "base": "present", "base_count": 20, "yes_share": "1/2"},
        "present = 20 including 4 who did not vote: 2*10 = 20 > 20 is false",
        id="the_present_base_counts_members_present_who_did_not_vote",
    ),
    pytest.param(
        tally(rule("absolute", "entitled"), 30, 25, yes=16, no=4),
        {"outcome": "adopted", "base": "entitled", "base_count": 30, "yes_share": "8/15"},
        "entitled = all 30 eligible: 2*16 = 32 > 30; yes_share 16/30 = 8/15",
        id="the_entitled_base_counts_every_eligible_member",
    ),
]


@pytest.mark.parametrize(("case", "expected", "why"), THRESHOLDS)
def test_the_threshold_is_tested_exactly_on_the_chosen_base(
    case: Case, expected: dict[str, Any], why: str
) -> None:
    check(case, expected, why)


EMPTY_BASES = [
    pytest.param(
        tally(rule("simple", "YN"), 10, 10, abstain=10),
        {"outcome": "rejected", "reason": "empty_base", "base_count": 0, "yes_share": None},
        "everyone abstains: YN = 0, guard of 0.1 -> rejected (empty_base); yes_share null (8b)",
        id="everyone_abstaining_leaves_an_empty_base_that_never_adopts",
    ),
    pytest.param(
        tally(rule("two_thirds", "YNA"), 4, 4, blank=4),
        {"outcome": "rejected", "reason": "empty_base", "base_count": 0, "yes_share": None},
        "only blank ballots: YNA = 0+0+0 = 0 although 3*0 >= 2*0 would hold -> empty_base",
        id="blank_ballots_alone_leave_a_YNA_base_empty",
    ),
    pytest.param(
        tally(rule("absolute", "valid"), 4, 4, blank=4),
        {"outcome": "rejected", "base_count": 4, "yes_share": "0/1"},
        "only blank ballots: valid = 4, not empty; 2*0 > 4 is false -> rejected on the threshold",
        id="blank_ballots_alone_fill_a_valid_base_and_fail_the_threshold",
    ),
]


@pytest.mark.parametrize(("case", "expected", "why"), EMPTY_BASES)
def test_an_empty_base_is_rejected_and_reports_no_share(
    case: Case, expected: dict[str, Any], why: str
) -> None:
    check(case, expected, why)


# Quorum and convocations -----------------------------------------------------------------

Q15 = {"num": 1, "den": 5}

QUORUMS = [
    pytest.param(
        tally(rule("absolute", "YN", quorum=Q15), 100, 20, yes=11, no=9),
        {"outcome": "adopted", "quorum_met": True, "present": 20, "eligible": 100},
        "quorum 1/5: 20*5 = 100 >= 1*100 (inclusive); then 2*11 = 22 > 20",
        id="a_quorum_reached_exactly_is_met",
    ),
    pytest.param(
        tally(rule("absolute", "YN", quorum=Q15), 100, 19, yes=19),
        {"outcome": "no_quorum", "quorum_met": False},
        "19*5 = 95 >= 100 is false -> no_quorum, the unanimous yes is not evaluated",
        id="one_member_short_of_the_quorum_means_no_quorum",
    ),
    pytest.param(
        tally(rule("absolute", "YN", quorum=Q15), 50, 10, yes=1, abstain=9),
        {"outcome": "adopted", "quorum_met": True, "base_count": 1, "yes_share": "1/1"},
        "9 abstainers are present: 10*5 = 50 >= 50 met; base YN = 1, 2*1 > 1",
        id="abstainers_count_for_the_quorum_though_not_in_the_base",
    ),
    pytest.param(
        tally({"preset": "scic_sa_age", "mode": "meeting", "convocation": "first"}, 40, 9,
              yes=6, no=3),
        {"outcome": "no_quorum", "quorum_met": False},
        "SA AGE first convocation quorum 1/4: 9*4 = 36 >= 40 is false",
        id="an_extraordinary_assembly_needs_a_quarter_on_first_convocation",
    ),
    pytest.param(
        tally({"preset": "scic_sa_age", "mode": "meeting", "convocation": "second"}, 40, 9,
              yes=6, no=3),
        {"outcome": "adopted", "quorum_met": True, "yes_share": "2/3"},
        "second convocation quorum 1/5: 9*5 = 45 >= 40; two_thirds YN: 3*6 = 18 >= 2*9 = 18",
        id="an_extraordinary_assembly_needs_a_fifth_on_second_convocation",
    ),
    pytest.param(
        tally({"preset": "scic_sa_ago", "mode": "meeting", "convocation": "second"}, 100, 3,
              yes=2, no=1),
        {"outcome": "adopted", "quorum_met": True},
        "SA AGO second convocation: quorum none, so 3 of 100 suffice; 2*2 = 4 > 3",
        id="an_ordinary_assembly_needs_no_quorum_on_second_convocation",
    ),
    pytest.param(
        tally(rule({"first": "two_thirds", "second": "absolute"}, "YN", convocation="first"),
              10, 10, yes=6, no=4),
        {"outcome": "rejected", "yes_share": "3/5"},
        "first convocation uses two_thirds: 3*6 = 18 >= 2*10 = 20 is false",
        id="a_per_convocation_threshold_applies_the_first_rule_on_first_convocation",
    ),
    pytest.param(
        tally(rule({"first": "two_thirds", "second": "absolute"}, "YN", convocation="second"),
              10, 10, yes=6, no=4),
        {"outcome": "adopted", "yes_share": "3/5"},
        "second convocation uses absolute: 2*6 = 12 > 10",
        id="a_per_convocation_threshold_applies_the_second_rule_on_second_convocation",
    ),
    pytest.param(
        tally(rule("absolute", {"first": "present", "second": "YN"}, convocation="first"),
              20, 12, yes=6, no=4, abstain=1),
        {"outcome": "rejected", "base": "present", "base_count": 12, "yes_share": "1/2"},
        "first: base present = 12, 2*6 = 12 > 12 is false",
        id="a_per_convocation_base_uses_the_first_base_on_first_convocation",
    ),
    pytest.param(
        tally(rule("absolute", {"first": "present", "second": "YN"}, convocation="second"),
              20, 12, yes=6, no=4, abstain=1),
        {"outcome": "adopted", "base": "YN", "base_count": 10, "yes_share": "3/5"},
        "second: base YN = 6+4 = 10, 2*6 = 12 > 10",
        id="a_per_convocation_base_uses_the_second_base_on_second_convocation",
    ),
    pytest.param(
        tally(rule("simple", "YN", convocation="first",
                   quorum={"first": {"num": 1, "den": 2}, "second": {"num": 1, "den": 3}}),
              30, 10, yes=6, no=4),
        {"outcome": "no_quorum", "quorum_met": False},
        "first convocation quorum 1/2: 10*2 = 20 >= 30 is false",
        id="a_per_convocation_quorum_applies_the_first_fraction_on_first_convocation",
    ),
    pytest.param(
        tally(rule("simple", "YN", convocation="second",
                   quorum={"first": {"num": 1, "den": 2}, "second": {"num": 1, "den": 3}}),
              30, 10, yes=6, no=4),
        {"outcome": "adopted", "quorum_met": True},
        "second convocation quorum 1/3: 10*3 = 30 >= 30 (exactly); 6 > 4",
        id="a_per_convocation_quorum_applies_the_second_fraction_on_second_convocation",
    ),
]


@pytest.mark.parametrize(("case", "expected", "why"), QUORUMS)
def test_the_quorum_of_the_convocation_is_checked_before_the_votes(
    case: Case, expected: dict[str, Any], why: str
) -> None:
    check(case, expected, why)


# Presets (section 7) and their overriding --------------------------------------------------

PRESETS = [
    pytest.param(
        tally({"preset": "scic_sarl_ordinary", "mode": "meeting", "convocation": "first"},
              10, 8, yes=5, no=3),
        {"outcome": "rejected", "base": "entitled", "base_count": 10, "yes_share": "1/2"},
        "SARL ordinary, 1st consultation: > 1/2 of all members: 2*5 = 10 > 10 is false",
        id="a_sarl_first_consultation_needs_more_than_half_of_all_members",
    ),
    pytest.param(
        tally({"preset": "scic_sarl_ordinary", "mode": "meeting", "convocation": "second"},
              10, 8, yes=5, no=3),
        {"outcome": "adopted", "base": "YN", "base_count": 8, "yes_share": "5/8"},
        "SARL 2nd consultation: majority of votes cast, base YN = 8: 2*5 = 10 > 8",
        id="a_sarl_second_consultation_counts_the_votes_cast",
    ),
    pytest.param(
        tally({"preset": "scic_sarl_statutes", "mode": "meeting", "convocation": "first"},
              20, 7, yes=4, abstain=2),
        {"outcome": "rejected", "quorum_met": True, "base": "present", "base_count": 7,
         "yes_share": "4/7"},
        "quorum 1/4: 7*4 = 28 >= 20; two_thirds of present 7: 3*4 = 12 >= 14 is false",
        id="a_sarl_statute_change_counts_abstentions_and_silent_members_as_no",
    ),
    pytest.param(
        tally({"preset": "scic_sa_age", "mode": "meeting"}, 40, 10, yes=6, no=3, abstain=1),
        {"outcome": "adopted", "quorum_met": True, "base": "YN", "base_count": 9,
         "yes_share": "2/3"},
        "SA AGE (2019): quorum 1/4: 40 >= 40; two_thirds of YN 9: 18 >= 18",
        id="the_post_2019_sa_preset_leaves_abstentions_out_of_the_base",
    ),
    pytest.param(
        tally({"preset": "sa_age_pre_2019", "mode": "meeting"}, 40, 10, yes=6, no=3, abstain=1),
        {"outcome": "rejected", "quorum_met": True, "base": "present", "base_count": 10,
         "yes_share": "3/5"},
        "pre-2019: base present 10: 3*6 = 18 >= 20 is false (abstention = no)",
        id="the_pre_2019_sa_preset_counts_abstentions_as_no",
    ),
    pytest.param(
        tally({"preset": "association_default", "mode": "meeting"}, 40, 15,
              yes=3, no=2, abstain=10),
        {"outcome": "adopted", "quorum_met": True, "base": "YN", "base_count": 5,
         "yes_share": "3/5"},
        "association_default: simple over YN, no quorum: 3 > 2 with 15 of 40 present",
        id="the_association_preset_is_a_simple_majority_without_quorum",
    ),
    pytest.param(
        tally({"preset": "scic_sas_ago", "mode": "meeting"}, 50, 10, yes=5, no=5),
        {"outcome": "rejected", "quorum_met": True, "base": "YN", "yes_share": "1/2"},
        "SAS preset = SA AGO: quorum 1/5: 50 >= 50; absolute: 2*5 = 10 > 10 is false",
        id="the_sas_ordinary_preset_behaves_as_the_sa_one",
    ),
    pytest.param(
        tally({"preset": "scic_sa_ago", "mode": "meeting", "base": "YNA"}, 15, 15,
              yes=7, no=5, abstain=3),
        {"outcome": "rejected", "base": "YNA", "base_count": 15},
        "explicit base YNA overrides YN: 2*7 = 14 > 15 is false (YN would give 14 > 12)",
        id="an_explicit_base_overrides_the_preset",
    ),
    pytest.param(
        tally({"preset": "scic_sa_age", "mode": "meeting", "threshold": "absolute"}, 20, 10,
              yes=6, no=4),
        {"outcome": "adopted", "quorum_met": True, "yes_share": "3/5"},
        "explicit absolute overrides two_thirds: 12 > 10 (two_thirds: 18 >= 20 false);"
        " quorum 1/4 kept: 40 >= 20",
        id="an_explicit_threshold_overrides_the_preset",
    ),
    pytest.param(
        tally({"preset": "scic_sa_ago", "mode": "meeting", "quorum": None}, 100, 5,
              yes=3, no=2),
        {"outcome": "adopted", "quorum_met": True},
        "explicit null quorum overrides 1/5 (5*5 = 25 < 100 would fail): 2*3 = 6 > 5",
        id="an_explicit_null_quorum_overrides_the_preset",
    ),
]


@pytest.mark.parametrize(("case", "expected", "why"), PRESETS)
def test_a_preset_gives_the_law_defaults_and_yields_to_explicit_parameters(
    case: Case, expected: dict[str, Any], why: str
) -> None:
    check(case, expected, why)


# Notice period (convocation_check) --------------------------------------------------------


def noticed(preset: str, convocation: str, sent_on: str, meeting_on: str,
            min_days: int | None = None, eligible: int = 10, present: int = 10,
            **votes: int) -> Case:
    check_: dict[str, Any] = {"sent_on": sent_on, "meeting_on": meeting_on}
    if min_days is not None:
        check_["min_days"] = min_days
    params = {"preset": preset, "mode": "meeting", "convocation": convocation,
              "convocation_check": check_}
    return tally(params, eligible, present, **(votes or {"yes": 6, "no": 4}))


NOTICES = [
    pytest.param(
        noticed("scic_sa_ago", "first", "2025-03-01", "2025-03-16"),
        {"outcome": "adopted", "convocation_days": 15},
        "03-16 minus 03-01 = 15 days >= SA 1st convocation 15; then 2*6 = 12 > 10",
        id="exactly_fifteen_days_notice_is_enough_on_first_convocation",
    ),
    pytest.param(
        noticed("scic_sa_ago", "first", "2025-03-02", "2025-03-16"),
        {"outcome": "invalid_convocation", "convocation_days": 14},
        "03-16 minus 03-02 = 14 days < 15",
        id="fourteen_days_notice_makes_the_convocation_invalid",
    ),
    pytest.param(
        noticed("scic_sa_ago", "second", "2025-03-06", "2025-03-16"),
        {"outcome": "adopted", "convocation_days": 10},
        "SA second convocation needs 10 days: 10 >= 10; no quorum on 2nd AGO; 12 > 10",
        id="an_sa_second_convocation_needs_ten_days",
    ),
    pytest.param(
        noticed("scic_sarl_ordinary", "second", "2025-03-06", "2025-03-16"),
        {"outcome": "invalid_convocation", "convocation_days": 10},
        "SARL notice is 15 days (R223-20) for every consultation: 10 < 15",
        id="a_sarl_second_consultation_still_needs_fifteen_days",
    ),
    pytest.param(
        noticed("scic_sa_ago", "first", "2025-03-01", "2025-03-16", min_days=21),
        {"outcome": "invalid_convocation", "convocation_days": 15},
        "statutory min_days 21 overrides the preset's 15: 15 < 21",
        id="an_explicit_notice_period_overrides_the_preset",
    ),
    pytest.param(
        tally({"threshold": "simple", "base": "YN", "mode": "meeting", "quorum": None,
               "convocation": "second",
               "convocation_check": {"sent_on": "2025-03-05", "meeting_on": "2025-03-16",
                                     "min_days": 12}},
              10, 10, yes=6, no=4),
        {"outcome": "invalid_convocation", "convocation_days": 11},
        "no preset, statutory min_days 12: 03-16 minus 03-05 = 11 < 12",
        id="a_statutory_notice_period_applies_without_a_preset",
    ),
    pytest.param(
        noticed("scic_sa_ago", "first", "2025-03-05", "2025-03-16", eligible=100, present=1,
                yes=1),
        {"outcome": "invalid_convocation", "convocation_days": 11},
        "step 1 before step 4: 11 days < 15 decides, though the quorum (1*5 < 100) also fails",
        id="an_invalid_convocation_is_decided_before_the_quorum",
    ),
]


@pytest.mark.parametrize(("case", "expected", "why"), NOTICES)
def test_the_notice_period_counts_days_from_sending_to_the_meeting(
    case: Case, expected: dict[str, Any], why: str
) -> None:
    check(case, expected, why)


# Ballots in time: deadlines, changes, early close ---------------------------------------

ASYNC = {"mode": "async", "threshold": "simple", "base": "YN", "quorum": None, **WINDOW}

TIMING = [
    pytest.param(
        named(dict(ASYNC), "a b c d", [
            ("a", "yes", "2025-03-05T09:00:00Z"), ("c", "no", "2025-03-06T09:00:00Z"),
            ("b", "yes", CLOSES), ("d", "yes", "2025-03-10T18:00:01Z")]),
        {"outcome": "rejected", "counts": counts(1, 1), "participants": 2,
         "rejected_ballots": [{"voter": "b", "reason": "late"},
                              {"voter": "d", "reason": "late"}]},
        "deadline exclusive: b at exactly closes_at is late; counted yes 1 no 1 -> tie rejected",
        id="a_ballot_at_exactly_the_deadline_is_late_by_default",
    ),
    pytest.param(
        named({**ASYNC, "deadline_inclusive": True}, "a b c d", [
            ("a", "yes", "2025-03-05T09:00:00Z"), ("c", "no", "2025-03-06T09:00:00Z"),
            ("b", "yes", CLOSES), ("d", "yes", "2025-03-10T18:00:01Z")]),
        {"outcome": "adopted", "counts": counts(2, 1), "participants": 3,
         "rejected_ballots": [{"voter": "d", "reason": "late"}]},
        "deadline_inclusive: b at closes_at counts (cast_at <= closes_at), d one second later"
        " is still late; yes 2 > no 1",
        id="an_inclusive_deadline_accepts_a_ballot_at_exactly_the_deadline",
    ),
    pytest.param(
        named(dict(ASYNC), "a b", [
            ("a", "yes", OPENS), ("b", "no", "2025-03-03T07:59:59Z")]),
        {"outcome": "adopted", "counts": counts(1, 0),
         "rejected_ballots": [{"voter": "b", "reason": "too_early"}]},
        "opens_at <= cast_at: a at exactly opens_at counts, b one second before is too_early",
        id="a_ballot_before_the_opening_is_too_early",
    ),
    pytest.param(
        named({**ASYNC, "evaluated_at": "2025-03-07T12:00:00Z"}, "a b c", [
            ("a", "yes", "2025-03-04T09:00:00Z"), ("b", "yes", "2025-03-05T09:00:00Z"),
            ("c", "no", "2025-03-06T09:00:00Z")]),
        {"outcome": "pending", "counts": counts(2, 1)},
        "close_when_all_voted defaults to false for majority (8b): evaluated before closes_at"
        " -> pending with provisional counts even though everyone voted",
        id="a_vote_evaluated_before_its_deadline_is_pending_with_provisional_counts",
    ),
    pytest.param(
        named({**ASYNC, "quorum": {"num": 1, "den": 2}, "evaluated_at": "2025-03-05T12:00:00Z"},
              "a b c d e f g h i j", [("a", "yes", "2025-03-04T09:00:00Z")]),
        {"outcome": "pending", "counts": counts(1, 0)},
        "step 3 (pending) comes before step 4 (quorum): 1 of 10 is not yet no_quorum",
        id="a_quorum_not_yet_reached_before_the_deadline_is_pending_not_no_quorum",
    ),
    pytest.param(
        named({**ASYNC, "close_when_all_voted": True, "evaluated_at": "2025-03-07T12:00:00Z"},
              "a b c", [
                  ("a", "yes", "2025-03-04T09:00:00Z"), ("b", "yes", "2025-03-05T09:00:00Z"),
                  ("c", "no", "2025-03-06T09:00:00Z")]),
        {"outcome": "adopted", "counts": counts(2, 1), "participants": 3},
        "close_when_all_voted and all 3 eligible voted -> evaluated early: 2 > 1",
        id="a_vote_closes_early_when_everyone_has_voted_and_early_close_is_on",
    ),
    pytest.param(
        named({**ASYNC, "close_when_all_voted": True, "evaluated_at": "2025-03-07T12:00:00Z"},
              "a b c", [
                  ("a", "yes", "2025-03-04T09:00:00Z"), ("b", "yes", "2025-03-05T09:00:00Z")]),
        {"outcome": "pending", "counts": counts(2, 0)},
        "c has not voted: early close does not apply, before closes_at -> pending",
        id="early_close_waits_for_every_eligible_member",
    ),
    pytest.param(
        named({**ASYNC, "close_when_all_voted": True, "evaluated_at": "2025-03-07T12:00:00Z"},
              "a b", [
                  ("a", "yes", "2025-03-04T09:00:00Z"), ("z", "yes", "2025-03-05T09:00:00Z")]),
        {"outcome": "pending", "rejected_ballots": [{"voter": "z", "reason": "not_eligible"}]},
        "z is not eligible, so b is still missing: no early close -> pending",
        id="an_ineligible_ballot_does_not_complete_the_electorate_for_early_close",
    ),
    pytest.param(
        named({**ASYNC, "close_when_all_voted": True, "evaluated_at": "2025-03-07T12:00:00Z"},
              "a b c", [
                  ("a", "yes", "2025-03-04T09:00:00Z"), ("a", "no", "2025-03-04T10:00:00Z"),
                  ("b", "yes", "2025-03-05T09:00:00Z"), ("c", "yes", "2025-03-05T10:00:00Z"),
                  ("b", "no", "2025-03-06T09:00:00Z")]),
        {"outcome": "adopted", "counts": counts(2, 1), "superseded_ballots": 1,
         "rejected_ballots": [{"voter": "b", "reason": "change_not_allowed"}]},
        "a's change before the early close is allowed (a: no, 1 superseded); all voted at"
        " 03-05 10:00; b's change on 03-06 < closes_at -> change_not_allowed (8b); yes b,c = 2"
        " > no a = 1",
        id="a_change_after_an_early_close_is_refused_as_change_not_allowed",
    ),
    pytest.param(
        named({**ASYNC, "close_when_all_voted": True, "evaluated_at": "2025-03-11T08:00:00Z"},
              "a b c", [
                  ("a", "yes", "2025-03-04T09:00:00Z"), ("b", "yes", "2025-03-05T09:00:00Z"),
                  ("c", "no", "2025-03-05T12:00:00Z"), ("c", "yes", CLOSES)]),
        {"outcome": "adopted", "counts": counts(2, 1),
         "rejected_ballots": [{"voter": "c", "reason": "late"}]},
        "after an early close, a ballot at or after closes_at is late (8b), not change_not_allowed",
        id="a_ballot_at_the_deadline_after_an_early_close_is_late",
    ),
    pytest.param(
        named({**ASYNC, "close_when_all_voted": True, "evaluated_at": "2025-03-11T08:00:00Z"},
              "a b c", [
                  ("a", "yes", "2025-03-04T09:00:00Z"), ("b", "yes", "2025-03-05T09:00:00Z"),
                  ("c", "no", "2025-03-05T10:00:00Z"), ("a", "no", "2025-03-06T09:00:00Z")]),
        {"outcome": "adopted", "counts": counts(2, 1),
         "rejected_ballots": [{"voter": "a", "reason": "change_not_allowed"}]},
        "the vote closed early on 03-05 10:00 when c voted; a's change on 03-06 (before"
        " closes_at) is refused even though the evaluation happens after closes_at",
        id="a_change_after_an_early_close_stays_refused_when_evaluated_after_the_deadline",
    ),
    pytest.param(
        named({**ASYNC, "evaluated_at": "2025-03-07T12:00:00Z"}, "a b c", [
            ("a", "yes", "2025-03-04T09:00:00Z"), ("b", "no", CLOSES),
            ("c", "yes", "2025-03-11T09:00:00Z"), ("z", "yes", "2025-03-12T09:00:00Z"),
            ("c", "no", "2025-03-08T09:00:00Z")]),
        {"outcome": "pending", "counts": counts(1, 0),
         "rejected_ballots": [{"voter": "b", "reason": "late"},
                              {"voter": "c", "reason": "late"},
                              {"voter": "z", "reason": "not_eligible"}]},
        "evaluated 03-07 12:00, before closes_at: b (at closes_at) and c (03-11) are late"
        " whatever the instant (0.3, 8b), z is refused with its first defect; c's ballot of"
        " 03-08 is on time but not known yet at 03-07 12:00, so left out -> pending, yes 1",
        id="a_ballot_at_or_after_the_deadline_is_refused_even_when_evaluated_before_it",
    ),
    pytest.param(
        named({**ASYNC, "close_when_all_voted": True, "evaluated_at": "2025-03-07T12:00:00Z"},
              "a b c", [
                  ("a", "yes", "2025-03-04T09:00:00Z"), ("b", "yes", "2025-03-05T09:00:00Z"),
                  ("c", "no", "2025-03-05T10:00:00Z"), ("a", "no", "2025-03-08T09:00:00Z"),
                  ("b", "no", "2025-03-12T09:00:00Z")]),
        {"outcome": "adopted", "counts": counts(2, 1), "superseded_ballots": 0,
         "rejected_ballots": [{"voter": "a", "reason": "change_not_allowed"},
                              {"voter": "b", "reason": "late"}]},
        "closed early on 03-05 10:00, evaluated 03-07 12:00: a's change of 03-08 (before"
        " closes_at) is change_not_allowed and b's of 03-12 is late (8b), though both are"
        " cast after the instant of evaluation: 2 > 1",
        id="ballots_after_an_early_close_are_refused_even_when_cast_after_the_evaluation",
    ),
    pytest.param(
        named({**ASYNC, "close_when_all_voted": True, "evaluated_at": "2025-03-07T12:00:00Z"},
              "a b", [
                  ("a", "yes", "2025-03-04T09:00:00Z"), ("b", "invalid", "2025-03-05T09:00:00Z")]),
        {"outcome": "pending",
         "rejected_ballots": [{"voter": "b", "reason": "position_not_allowed"}]},
        "b's only ballot is refused (invalid in async), so b has no accepted ballot:"
        " no early close -> pending",
        id="a_refused_ballot_does_not_count_as_having_voted_for_early_close",
    ),
    pytest.param(
        named({**ASYNC, "evaluated_at": CLOSES}, "a b c", [
            ("a", "yes", "2025-03-04T09:00:00Z"), ("b", "no", "2025-03-05T09:00:00Z")]),
        {"outcome": "rejected", "counts": counts(1, 1)},
        "evaluated_at == closes_at is not before closes_at (2.2 step 3): decided, 1 = 1 tie",
        id="a_vote_evaluated_at_exactly_its_deadline_is_decided",
    ),
    pytest.param(
        named(dict(ASYNC), "a b c d", [
            ("a", "yes", "2025-03-04T09:00:00Z"), ("b", "yes", "2025-03-04T10:00:00Z"),
            ("c", "no", "2025-03-04T11:00:00Z"), ("d", "no", "2025-03-04T12:00:00Z"),
            ("d", "yes", "2025-03-05T09:00:00Z")]),
        {"outcome": "adopted", "counts": counts(3, 1), "superseded_ballots": 1,
         "rejected_ballots": []},
        "allow_vote_change default true: d's latest ballot (yes) counts -> 3 > 1",
        id="a_changed_vote_counts_its_latest_ballot_when_changes_are_allowed",
    ),
    pytest.param(
        named({**ASYNC, "allow_vote_change": False}, "a b c d", [
            ("a", "yes", "2025-03-04T09:00:00Z"), ("b", "yes", "2025-03-04T10:00:00Z"),
            ("c", "no", "2025-03-04T11:00:00Z"), ("d", "no", "2025-03-04T12:00:00Z"),
            ("d", "yes", "2025-03-05T09:00:00Z")]),
        {"outcome": "rejected", "counts": counts(2, 2), "superseded_ballots": 0,
         "rejected_ballots": [{"voter": "d", "reason": "change_not_allowed"}]},
        "changes forbidden: d's first ballot (no) stands -> 2 = 2, tie rejected",
        id="a_forbidden_change_keeps_the_first_ballot_and_can_leave_a_tie",
    ),
    pytest.param(
        named(dict(ASYNC), "a b", [
            ("a", "yes", "2025-03-04T09:00:00Z"), ("a", "no", "2025-03-04T10:00:00Z"),
            ("a", "yes", "2025-03-04T11:00:00Z"), ("b", "no", "2025-03-05T09:00:00Z")]),
        {"outcome": "rejected", "counts": counts(1, 1), "superseded_ballots": 2},
        "a voted three times: the latest (yes) counts, two ballots superseded; 1 = 1 tie",
        id="every_superseded_ballot_is_counted_once_changes_are_allowed",
    ),
    pytest.param(
        named(dict(ASYNC), "a b", [
            {"voter": "a", "position": "no", "cast_at": "2025-03-04T09:00:00Z", "seq": 2},
            {"voter": "a", "position": "yes", "cast_at": "2025-03-04T09:00:00Z", "seq": 1},
            ("b", "yes", "2025-03-05T09:00:00Z")]),
        {"outcome": "rejected", "counts": counts(1, 1), "superseded_ballots": 1},
        "equal cast_at: seq orders them, seq 2 (no) is a's latest although listed first;"
        " yes b 1 = no a 1 -> tie rejected",
        id="ballots_with_equal_times_are_ordered_by_their_sequence_number",
    ),
    pytest.param(
        named(dict(ASYNC), "a b", [
            ("a", "no", "2025-03-04T09:00:00Z"), ("z", "yes", "2025-03-04T10:00:00Z"),
            ("b", "yes", "2025-03-04T11:00:00Z")]),
        {"outcome": "rejected", "counts": counts(1, 1), "participants": 2,
         "rejected_ballots": [{"voter": "z", "reason": "not_eligible"}]},
        "z is not a member: refused; yes 1 = no 1 -> rejected (with z it would be 2 > 1)",
        id="a_ballot_from_an_ineligible_voter_is_refused_and_not_counted",
    ),
]


@pytest.mark.parametrize(("case", "expected", "why"), TIMING)
def test_ballots_are_filtered_by_time_eligibility_and_change_rules(
    case: Case, expected: dict[str, Any], why: str
) -> None:
    check(case, expected, why)


# Participation, presence and modes ----------------------------------------------------------

TEN = "a b c d e f g h i j"

PARTICIPATION = [
    pytest.param(
        named({**ASYNC, "quorum": {"num": 1, "den": 2}}, TEN, [
            ("a", "yes", "2025-03-04T09:00:00Z"), ("b", "yes", "2025-03-04T10:00:00Z"),
            ("c", "no", "2025-03-04T11:00:00Z"), ("d", "abstain", "2025-03-04T12:00:00Z"),
            ("e", "blank", "2025-03-04T13:00:00Z")]),
        {"outcome": "adopted", "quorum_met": True, "participants": 5,
         "counts": counts(2, 1, 1, 1), "base_count": 3},
        "async participation = 5 distinct voters incl. abstain and blank: 5*2 = 10 >= 10;"
        " YN = 3, 2 > 1",
        id="abstentions_and_blanks_count_as_participation_in_an_async_quorum",
    ),
    pytest.param(
        named({**ASYNC, "quorum": {"num": 1, "den": 2}}, TEN, [
            ("a", "yes", "2025-03-04T09:00:00Z"), ("b", "yes", "2025-03-04T10:00:00Z"),
            ("c", "no", "2025-03-04T11:00:00Z"), ("d", "abstain", "2025-03-04T12:00:00Z"),
            ("e", "blank", CLOSES)]),
        {"outcome": "no_quorum", "quorum_met": False, "participants": 4},
        "e's ballot at closes_at is late, so 4 participants: 4*2 = 8 >= 10 is false",
        id="a_late_ballot_does_not_count_for_the_async_quorum",
    ),
    pytest.param(
        named({**ASYNC, "threshold": "absolute", "base": "present"}, "a b c d e f", [
            ("a", "yes", "2025-03-04T09:00:00Z"), ("b", "yes", "2025-03-04T10:00:00Z"),
            ("c", "no", "2025-03-04T11:00:00Z"), ("d", "abstain", "2025-03-04T12:00:00Z"),
            ("e", "yes", CLOSES)]),
        {"outcome": "rejected", "base": "present", "base_count": 4, "yes_share": "1/2"},
        "async base present = participants a,b,c,d (e late) = 4: 2*2 = 4 > 4 is false",
        id="in_async_mode_the_present_base_is_the_participants",
    ),
    pytest.param(
        named({**ASYNC, "threshold": "absolute", "base": "entitled"}, "a b c d e", [
            ("a", "yes", "2025-03-04T09:00:00Z"), ("b", "yes", "2025-03-04T10:00:00Z"),
            ("c", "yes", "2025-03-04T11:00:00Z")]),
        {"outcome": "adopted", "base_count": 5, "yes_share": "3/5"},
        "entitled = 5 members: 2*3 = 6 > 5",
        id="in_async_mode_the_entitled_base_is_every_member",
    ),
    pytest.param(
        named({"mode": "meeting", "threshold": "simple", "base": "YN",
               "quorum": {"num": 2, "den": 3}}, "a b c d e f", [
            ("a", "yes", "2025-03-04T09:00:00Z"), ("b", "yes", "2025-03-04T09:01:00Z"),
            ("d", "yes", "2025-03-04T09:02:00Z")], present="a b c"),
        {"outcome": "adopted", "present": 4, "quorum_met": True},
        "present = list {a,b,c} U voters {a,b,d} = 4 (8b): 4*3 = 12 >= 2*6 = 12;"
        " the list alone (3*3 = 9) would fail",
        id="in_a_meeting_the_present_are_the_list_and_everyone_who_voted",
    ),
    pytest.param(
        named({"mode": "meeting", "threshold": "absolute", "base": "present", "quorum": None},
              "a b c d e f", [
            ("a", "yes", "2025-03-04T09:00:00Z"), ("d", "no", "2025-03-04T09:01:00Z"),
            ("e", "abstain", "2025-03-04T09:02:00Z")], present="a b c"),
        {"outcome": "rejected", "base_count": 5, "yes_share": "1/5"},
        "present = {a,b,c} U {a,d,e} = 5: 2*1 = 2 > 5 is false",
        id="the_meeting_present_base_includes_voters_missing_from_the_list",
    ),
    pytest.param(
        named({"mode": "async", "threshold": "absolute", "base": "YN", "quorum": None},
              "a b", [("a", "yes", "2025-03-04T09:00:00Z"),
                      ("b", "invalid", "2025-03-04T10:00:00Z")]),
        {"outcome": "adopted", "counts": counts(1, 0), "participants": 1,
         "rejected_ballots": [{"voter": "b", "reason": "position_not_allowed"}]},
        "invalid (spoiled) is a meeting-mode position: refused in async (8b); 2*1 > 1",
        id="a_spoiled_ballot_is_refused_in_async_mode",
    ),
    pytest.param(
        named({"threshold": "absolute", "base": "YN", "quorum": None},
              "a b", [("a", "yes", "2025-03-04T09:00:00Z"),
                      ("b", "invalid", "2025-03-04T10:00:00Z")]),
        {"outcome": "adopted", "counts": counts(1, 0),
         "rejected_ballots": [{"voter": "b", "reason": "position_not_allowed"}]},
        "no mode + named members and ballots -> async (8b), so invalid is refused",
        id="named_members_without_a_mode_vote_in_async_mode",
    ),
    pytest.param(
        named({"mode": "meeting", "threshold": "absolute", "base": "cast", "quorum": None},
              "a b", [("a", "yes", "2025-03-04T09:00:00Z"),
                      ("b", "invalid", "2025-03-04T10:00:00Z")]),
        {"outcome": "rejected", "counts": counts(1, 0, 0, 0, 1), "base_count": 2,
         "rejected_ballots": []},
        "meeting mode accepts invalid: cast = 1+1 = 2, 2*1 = 2 > 2 is false",
        id="a_spoiled_ballot_is_accepted_and_counted_in_a_meeting",
    ),
    pytest.param(
        tally({"threshold": "absolute", "base": "present", "quorum": None}, 10, 8,
              yes=3, no=1),
        {"outcome": "rejected", "base": "present", "base_count": 8, "yes_share": "3/8"},
        "no mode + counted electorate -> meeting (8b): base present = the 8 present (not the"
        " 4 participants of async): 2*3 = 6 > 8 is false",
        id="a_counted_electorate_without_a_mode_is_a_meeting",
    ),
]


@pytest.mark.parametrize(("case", "expected", "why"), PARTICIPATION)
def test_participation_and_presence_follow_the_mode_of_the_vote(
    case: Case, expected: dict[str, Any], why: str
) -> None:
    check(case, expected, why)


# Order of rejection reasons (8b) ---------------------------------------------------------

REASONS = [
    pytest.param(
        named(dict(ASYNC), "a", [("a", "yes", "2025-03-04T09:00:00Z"),
                                 ("z", "yes", "2025-03-11T09:00:00Z")]),
        [{"voter": "z", "reason": "not_eligible"}],
        "z is both ineligible and late: not_eligible comes first",
        id="an_ineligible_late_ballot_is_reported_not_eligible",
    ),
    pytest.param(
        named(dict(ASYNC), "a b", [("a", "yes", "2025-03-04T09:00:00Z"),
                                   ("b", "invalid", "2025-03-02T09:00:00Z")]),
        [{"voter": "b", "reason": "too_early"}],
        "b's spoiled ballot in async is also too early: too_early before position checks",
        id="a_too_early_spoiled_ballot_is_reported_too_early",
    ),
    pytest.param(
        named(dict(ASYNC), "a b", [("a", "yes", "2025-03-04T09:00:00Z"),
                                   ("b", "invalid", "2025-03-11T09:00:00Z")]),
        [{"voter": "b", "reason": "late"}],
        "late before position_not_allowed",
        id="a_late_spoiled_ballot_is_reported_late",
    ),
    pytest.param(
        named({**ASYNC, "allow_vote_change": False}, "a b", [
            ("a", "yes", "2025-03-04T09:00:00Z"), ("b", "no", "2025-03-04T10:00:00Z"),
            ("b", "invalid", "2025-03-05T09:00:00Z")]),
        [{"voter": "b", "reason": "position_not_allowed"}],
        "b's second ballot is a forbidden change and a spoiled one in async:"
        " position checks come before change_not_allowed",
        id="a_forbidden_change_to_a_refused_position_is_reported_position_not_allowed",
    ),
    pytest.param(
        named(dict(ASYNC), "a b c", [
            ("b", "no", "2025-03-11T09:00:00Z"), ("a", "yes", "2025-03-04T09:00:00Z"),
            ("c", "yes", "2025-03-02T09:00:00Z"), ("z", "no", "2025-03-05T09:00:00Z")]),
        [{"voter": "c", "reason": "too_early"}, {"voter": "z", "reason": "not_eligible"},
         {"voter": "b", "reason": "late"}],
        "rejected ballots are records, listed in chronological order (docs/case-format.md"
        " conventions): c 03-02, z 03-05, b 03-11, whatever the input order",
        id="rejected_ballots_are_listed_in_chronological_order",
    ),
]


@pytest.mark.parametrize(("case", "rejected", "why"), REASONS)
def test_each_refused_ballot_reports_its_first_defect_in_chronological_order(
    case: Case, rejected: list[dict[str, str]], why: str
) -> None:
    check(case, {"rejected_ballots": rejected}, why)
