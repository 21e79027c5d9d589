"""Family E, sociocratic election (docs/rules.md sections 6, 5 and 8b), case by case.

Every expected value was worked out by hand from docs/rules.md and docs/case-format.md; the
reasoning is in each case's ``why``. A result matches when ``differences`` (the matching rule
of docs/case-format.md) finds nothing.

Common frame unless a case says otherwise: members a..f (all present), role facilitator for
12 months, the ``sociocratic_election`` preset (self_nomination true, proposal_rule
facilitator, tie_rule facilitator_choice, max_consent_rounds 3, absent_policy await,
allow_abstain false).
"""

from __future__ import annotations

from typing import Any

import pytest

from decisions.engine import evaluate, load_case
from decisions.engine.testing import differences

MEMBERS = ("a", "b", "c", "d", "e", "f")
REASON = "skills match the role description"


def nominate(voter: str, nominee: str) -> dict[str, Any]:
    return {"type": "nomination", "voter": voter, "nominee": nominee, "reason": REASON}


def change(voter: str, nominee: str) -> dict[str, Any]:
    return {"type": "change", "voter": voter, "nominee": nominee,
            "reason": "convinced by the nomination round"}


def propose(candidate: str) -> dict[str, Any]:
    return {"type": "facilitator_proposal", "candidate": candidate,
            "reason": "from the reasons heard"}


def opened(round_: int, version: int = 1, candidate: str | None = None) -> dict[str, Any]:
    event: dict[str, Any] = {"type": "round_open", "round": round_, "version": version}
    if candidate is not None:
        event["candidate"] = candidate
    return event


def position(round_: int, voter: str, what: str, reason: str | None = None,
             version: int = 1) -> dict[str, Any]:
    event: dict[str, Any] = {"type": "position", "round": round_, "version": version,
                             "voter": voter, "position": what}
    if reason is not None:
        event["reason"] = reason
    return event


def consent(round_: int, *voters: str, version: int = 1) -> list[dict[str, Any]]:
    return [position(round_, v, "consent", version=version) for v in voters]


def nominations(pairs: str) -> list[dict[str, Any]]:
    """``"ab cb"``: a nominates b, c nominates b."""
    return [nominate(pair[0], pair[1]) for pair in pairs.split()]


# ELE-01's nomination round: b 3 (a, c, d), c 2 (b, e), f 1 (f); then e changes to b.
ELE01 = [*nominations("ab bc cb db ec ff"), change("e", "b")]
# ELE-02's nomination round: b 3 (a, c, e), c 3 (b, d, f); nobody changes.
ELE02 = nominations("ab bc cb dc eb fc")


def case(case_id: str, why: str, events: list[dict[str, Any]], expected: dict[str, Any],
         members: tuple[str, ...] = MEMBERS, **params: Any) -> Any:
    data = {"id": case_id, "family": "sociocratic_election",
            "params": {"preset": "sociocratic_election", "role": "facilitator",
                       "term_months": 12, **params},
            "electorate": {"members": list(members)}, "ballots": events,
            "expected": expected, "why": why}
    return pytest.param(data, id=case_id)


CASES = [
    # --- nomination and change rounds (6.2, 6.3) --------------------------------------------
    case(
        "the_proposed_candidate_is_elected_when_everyone_consents",
        "Nominations b 3, c 2, f 1 (f self-nominates, allowed); change round e -> b gives b 4,"
        " c 1, f 1; facilitator proposes b; 6 consents, b asked last -> b elected (ELE-01).",
        [*ELE01, propose("b"), opened(1, candidate="b"),
         *consent(1, "a", "c", "d", "e", "f", "b")],
        {"outcome": "adopted", "elected": "b", "nomination_counts": {"b": 3, "c": 2, "f": 1},
         "after_change_round": {"b": 4, "c": 1, "f": 1}, "first_proposed": "b",
         "rounds": [{"round": 1, "candidate": "b", "consents": 6, "objections": [],
                     "outcome": "adopted"}]},
    ),
    case(
        "without_changes_the_change_round_repeats_the_nomination_counts",
        "No change events: after_change_round equals nomination_counts (b 3, c 3); the tie"
        " and no facilitator proposal -> pending, facilitator_choice_required (ELE-02).",
        ELE02,
        {"outcome": "pending", "reason": "facilitator_choice_required", "tied": ["b", "c"],
         "nomination_counts": {"b": 3, "c": 3}, "after_change_round": {"b": 3, "c": 3}},
    ),
    case(
        "only_the_latest_change_of_a_voter_counts",
        "6.3: latest per voter. e nominated c, changes to b, then to f -> e counts for f:"
        " b 3, c 1, f 2.",
        [*nominations("ab bc cb db ec ff"), change("e", "b"), change("e", "f")],
        {"nomination_counts": {"b": 3, "c": 2, "f": 1},
         "after_change_round": {"b": 3, "c": 1, "f": 2}},
    ),
    case(
        "a_change_round_can_create_a_tie_at_the_top",
        "Nominations b 3, c 2, f 1; f changes to c -> b 3, c 3: tie, no proposal -> pending"
        " facilitator_choice_required, tied [b, c].",
        [*nominations("ab bc cb db ec ff"), change("f", "c")],
        {"outcome": "pending", "reason": "facilitator_choice_required", "tied": ["b", "c"],
         "after_change_round": {"b": 3, "c": 3}},
    ),
    case(
        "a_three_way_tie_lists_every_tied_nominee",
        "b 2 (a, d), c 2 (b, e), d 2 (c, f): tie at the top, no proposal -> pending with"
        " tied [b, c, d].",
        nominations("ab bc cd db ec fd"),
        {"outcome": "pending", "reason": "facilitator_choice_required",
         "tied": ["b", "c", "d"], "after_change_round": {"b": 2, "c": 2, "d": 2}},
    ),
    case(
        "a_change_round_that_breaks_the_tie_lets_the_unique_top_nominee_be_proposed",
        "ELE-02 nominations, f changes c -> b: b 4, c 2. round_open without candidate and no"
        " proposal -> about the unique top nominee b (8b); 6 consents -> b elected.",
        [*ELE02, change("f", "b"), opened(1), *consent(1, "a", "c", "d", "e", "f", "b")],
        {"outcome": "adopted", "elected": "b", "after_change_round": {"b": 4, "c": 2},
         "rounds": [{"round": 1, "candidate": "b", "consents": 6, "outcome": "adopted"}]},
    ),
    case(
        "a_tie_below_the_top_does_not_stop_the_top_nominee",
        "b 3, c 1, d 1, f 1: b is the unique top nominee; round_open without candidate -> b;"
        " 6 consents -> b elected.",
        [*nominations("ab bc cb dd eb ff"), opened(1),
         *consent(1, "a", "c", "d", "e", "f", "b")],
        {"outcome": "adopted", "elected": "b",
         "nomination_counts": {"b": 3, "c": 1, "d": 1, "f": 1},
         "rounds": [{"round": 1, "candidate": "b"}]},
    ),
    case(
        "a_tie_with_a_round_opened_without_candidate_still_needs_the_facilitator",
        "8b: round_open without candidate -> latest proposal (none), else the unique top"
        " nominee (none: b and c tie) -> pending facilitator_choice_required.",
        [*ELE02, opened(1), *consent(1, *MEMBERS)],
        {"outcome": "pending", "reason": "facilitator_choice_required", "tied": ["b", "c"],
         "elected": None},
    ),
    case(
        "the_outside_search_nominee_is_counted_like_any_other",
        "6.2: nominating an outside search is modelled as a reserved nominee id and counted"
        " like a member: a, b -> outside_search 2; c (self), d, e -> c 3; f (self) -> f 1.",
        [nominate("a", "outside_search"), nominate("b", "outside_search"),
         *nominations("cc dc ec ff")],
        {"nomination_counts": {"outside_search": 2, "c": 3, "f": 1}},
    ),
    # --- facilitator proposal (6.4) ---------------------------------------------------------
    case(
        "the_facilitators_proposal_is_not_bound_by_the_plurality",
        "ELE-04: after the change round b 4, c 1, f 1, but the facilitator proposes c from the"
        " reasons heard; 6 consents -> c elected; first_proposed c.",
        [*ELE01, propose("c"), opened(1, candidate="c"),
         *consent(1, "a", "b", "d", "e", "f", "c")],
        {"outcome": "adopted", "elected": "c", "first_proposed": "c",
         "after_change_round": {"b": 4, "c": 1, "f": 1},
         "rounds": [{"round": 1, "candidate": "c", "consents": 6}]},
    ),
    case(
        "a_facilitator_proposal_resolves_a_tie",
        "b 3, c 3 tie, but the facilitator proposes c -> no facilitator_choice_required; round"
        " on c with 6 consents -> c elected.",
        [*ELE02, propose("c"), opened(1, candidate="c"),
         *consent(1, "a", "b", "d", "e", "f", "c")],
        {"outcome": "adopted", "elected": "c", "first_proposed": "c",
         "rounds": [{"round": 1, "candidate": "c", "outcome": "adopted"}]},
    ),
    case(
        "a_round_opened_without_candidate_is_about_the_latest_proposal",
        "8b: the facilitator proposes b, then c; round_open without candidate -> c (latest"
        " proposal), 6 consents -> c elected.",
        [*ELE01, propose("b"), propose("c"), opened(1),
         *consent(1, "a", "b", "d", "e", "f", "c")],
        {"outcome": "adopted", "elected": "c",
         "rounds": [{"round": 1, "candidate": "c", "outcome": "adopted"}]},
    ),
    # --- consent rounds on the candidate (6.5, 6.6) ----------------------------------------
    case(
        "an_objection_to_the_candidate_needs_integration",
        "6.6: d objects (with a reason) to b -> needs_integration (1 < 3); nobody elected yet.",
        [*ELE01, propose("b"), opened(1, candidate="b"), *consent(1, "a", "c", "e", "f", "b"),
         position(1, "d", "object", "b already holds two roles")],
        {"outcome": "needs_integration", "elected": None,
         "rounds": [{"round": 1, "candidate": "b", "consents": 5, "objections": ["d"],
                     "outcome": "needs_integration"}]},
    ),
    case(
        "the_candidates_own_objection_needs_integration",
        "6.6: the candidate's own objection counts like any other -> needs_integration,"
        " objections [b].",
        [*ELE01, propose("b"), opened(1, candidate="b"), *consent(1, "a", "c", "d", "e", "f"),
         position(1, "b", "object", "I cannot take it on for 12 months")],
        {"outcome": "needs_integration", "elected": None,
         "rounds": [{"round": 1, "candidate": "b", "objections": ["b"],
                     "outcome": "needs_integration"}]},
    ),
    case(
        "after_an_objection_another_candidate_is_proposed_and_elected",
        "ELE-03: round 1 on b, b objects to self -> needs_integration; the facilitator proposes"
        " c; round 2 on c: 6 consents -> c elected; first_proposed stays b.",
        [*ELE01, propose("b"), opened(1, candidate="b"), *consent(1, "a", "c", "d", "e", "f"),
         position(1, "b", "object", "I cannot take it on this year"), propose("c"),
         opened(2, candidate="c"), *consent(2, "a", "b", "d", "e", "f", "c")],
        {"outcome": "adopted", "elected": "c", "first_proposed": "b", "current_round": 2,
         "rounds": [{"round": 1, "candidate": "b", "outcome": "needs_integration"},
                    {"round": 2, "candidate": "c", "consents": 6, "outcome": "adopted"}]},
    ),
    case(
        "after_amending_the_term_the_same_candidate_is_elected",
        "6.6: resolve by amending the proposal (term): amend v2, round 2 without candidate ->"
        " latest proposal b; 6 consents on v2 -> b elected, current_version 2.",
        [*ELE01, propose("b"), opened(1, candidate="b"), *consent(1, "a", "c", "d", "e", "f"),
         position(1, "b", "object", "12 months is too long for me"),
         {"type": "amend", "version": 2, "summary": "term 6 months",
          "integrates": [{"round": 1, "voter": "b"}]},
         opened(2, version=2), *consent(2, "a", "c", "d", "e", "f", "b", version=2)],
        {"outcome": "adopted", "elected": "b", "current_round": 2, "current_version": 2,
         "rounds": [{"round": 1, "candidate": "b", "outcome": "needs_integration"},
                    {"round": 2, "version": 2, "candidate": "b", "outcome": "adopted"}]},
    ),
    case(
        "the_candidate_must_answer_before_anyone_is_elected",
        "Family D: every present member is required; the candidate b has not answered ->"
        " pending, missing [b].",
        [*ELE01, propose("b"), opened(1, candidate="b"), *consent(1, "a", "c", "d", "e", "f")],
        {"outcome": "pending", "elected": None,
         "rounds": [{"round": 1, "candidate": "b", "missing": ["b"], "outcome": "pending"}]},
    ),
    case(
        "the_record_notes_that_the_candidate_responded_last",
        "6.5: b, the candidate, answers after everyone else -> candidate_responded_last true.",
        [*ELE01, propose("b"), opened(1, candidate="b"),
         *consent(1, "a", "c", "d", "e", "f", "b")],
        {"rounds": [{"round": 1, "candidate": "b", "candidate_responded_last": True}]},
    ),
    case(
        "the_record_notes_that_the_candidate_did_not_respond_last",
        "6.5: b answers first, before a, c, d, e, f -> candidate_responded_last false (audit"
        " only: b is still elected).",
        [*ELE01, propose("b"), opened(1, candidate="b"),
         *consent(1, "b", "a", "c", "d", "e", "f")],
        {"outcome": "adopted", "elected": "b",
         "rounds": [{"round": 1, "candidate": "b", "candidate_responded_last": False}]},
    ),
    case(
        "candidate_responded_last_is_recorded_for_each_round",
        "Round 1 on b: b answers last (true), objects; round 2 on c: c answers first (false).",
        [*ELE01, propose("b"), opened(1, candidate="b"), *consent(1, "a", "c", "d", "e", "f"),
         position(1, "b", "object", "not this year"), propose("c"), opened(2, candidate="c"),
         *consent(2, "c", "a", "b", "d", "e", "f")],
        {"outcome": "adopted", "elected": "c",
         "rounds": [{"round": 1, "candidate_responded_last": True},
                    {"round": 2, "candidate_responded_last": False}]},
    ),
    case(
        "an_objection_at_the_rounds_limit_blocks_the_election",
        "6.6 / 5.2: max_consent_rounds 1, no escalation target; d's objection in round 1 ->"
        " blocked, nobody elected.",
        [*ELE01, propose("b"), opened(1, candidate="b"), *consent(1, "a", "c", "e", "f", "b"),
         position(1, "d", "object", "b already holds two roles")],
        {"outcome": "blocked", "elected": None, "rounds": [{"round": 1, "outcome": "blocked"}]},
        max_consent_rounds=1,
    ),
    case(
        "an_objection_at_the_rounds_limit_escalates_with_a_target",
        "max_consent_rounds 1 with escalation_target general_circle -> escalated.",
        [*ELE01, propose("b"), opened(1, candidate="b"), *consent(1, "a", "c", "e", "f", "b"),
         position(1, "d", "object", "b already holds two roles")],
        {"outcome": "escalated", "elected": None,
         "rounds": [{"round": 1, "outcome": "escalated"}]},
        max_consent_rounds=1, escalation_target="general_circle",
    ),
    case(
        "an_abstention_in_the_election_consent_round_is_refused",
        "allow_abstain false: d's abstain -> abstain_not_allowed; d still owes a position ->"
        " pending, missing [d].",
        [*ELE01, propose("b"), opened(1, candidate="b"), *consent(1, "a", "c", "e", "f", "b"),
         position(1, "d", "abstain")],
        {"outcome": "pending", "rounds": [{"round": 1, "missing": ["d"]}],
         "rejected_events": [{"voter": "d", "round": 1, "reason": "abstain_not_allowed"}]},
    ),
    case(
        "an_unreasoned_objection_to_the_candidate_is_refused",
        "objection_requires_reason true: d's objection without a reason -> missing_reason;"
        " pending, missing [d].",
        [*ELE01, propose("b"), opened(1, candidate="b"), *consent(1, "a", "c", "e", "f", "b"),
         position(1, "d", "object")],
        {"outcome": "pending",
         "rounds": [{"round": 1, "objections": [], "missing": ["d"]}],
         "rejected_events": [{"voter": "d", "round": 1, "reason": "missing_reason"}]},
    ),
    case(
        "a_concern_about_the_candidate_does_not_stop_the_election",
        "5.3: a concern counts as consent and is logged -> 6 consents, concerns [d] -> b"
        " elected.",
        [*ELE01, propose("b"), opened(1, candidate="b"), *consent(1, "a", "c", "e", "f"),
         position(1, "d", "concern", "check b's availability in July"),
         *consent(1, "b")],
        {"outcome": "adopted", "elected": "b",
         "rounds": [{"round": 1, "consents": 6, "concerns": ["d"], "objections": []}]},
    ),
    # --- self_nomination, eligibility (6, 8b) -----------------------------------------------
    case(
        "a_self_nomination_is_refused_when_self_nomination_is_false",
        "self_nomination false: f nominates f -> refused with position_not_allowed (8b) and not"
        " counted: b 3, c 2; after e's change b 4, c 1.",
        ELE01,
        {"nomination_counts": {"b": 3, "c": 2}, "after_change_round": {"b": 4, "c": 1},
         "rejected_events": [{"voter": "f", "reason": "position_not_allowed"}]},
        self_nomination=False,
    ),
    case(
        "a_nomination_by_a_non_member_is_not_eligible",
        "z is not a member -> not_eligible (0.3), not counted: b 3, c 2, f 1.",
        [*nominations("ab bc cb db ec ff"), nominate("z", "c")],
        {"nomination_counts": {"b": 3, "c": 2, "f": 1},
         "rejected_events": [{"voter": "z", "reason": "not_eligible"}]},
    ),
    case(
        "a_change_to_oneself_is_refused_when_self_nomination_is_false",
        "self_nomination false: f's change round move to f is a self-nomination -> refused"
        " with position_not_allowed; f's nomination of b stands: b 4, c 2.",
        [*nominations("ab bc cb db ec fb"), change("f", "f")],
        {"after_change_round": {"b": 4, "c": 2},
         "rejected_events": [{"voter": "f", "reason": "position_not_allowed"}]},
        self_nomination=False,
    ),
    case(
        "an_absent_member_is_awaited_in_the_election_consent_round",
        "absent_policy await (family D): f is absent but required; no answer -> pending,"
        " missing [f], nobody elected.",
        [*ELE01, propose("b"), opened(1, candidate="b"), *consent(1, "a", "c", "d", "e", "b")],
        {"outcome": "pending", "elected": None,
         "rounds": [{"round": 1, "missing": ["f"], "outcome": "pending"}]},
        absent_policy="await",
    ),
    # --- role and term (6) ------------------------------------------------------------------
    case(
        "the_role_and_the_term_are_recorded_in_the_result",
        "6: role and term_months are recorded in the result: facilitator, 12 months.",
        [*ELE01, propose("b"), opened(1, candidate="b"),
         *consent(1, "a", "c", "d", "e", "f", "b")],
        {"outcome": "adopted", "elected": "b", "role": "facilitator", "term_months": 12},
    ),
    case(
        "a_different_role_and_term_are_recorded_as_given",
        "role treasurer, term_months 24 are echoed in the result.",
        [*ELE01, propose("b"), opened(1, candidate="b"),
         *consent(1, "a", "c", "d", "e", "f", "b")],
        {"outcome": "adopted", "role": "treasurer", "term_months": 24},
        role="treasurer", term_months=24,
    ),
]


@pytest.mark.parametrize("example", CASES)
def test_a_sociocratic_election_is_decided_as_rules_section_6_says(
    example: dict[str, Any],
) -> None:
    result = evaluate(load_case(example)).to_json()
    assert differences(example["expected"], result) == [], example["why"]


def test_the_explanation_mentions_the_role_and_the_term() -> None:
    """docs/rules.md 6: term_months and role are "recorded in the result and the explanation"."""
    data = {"family": "sociocratic_election",
            "params": {"preset": "sociocratic_election", "role": "treasurer",
                       "term_months": 24},
            "electorate": {"members": list(MEMBERS)},
            "ballots": [*ELE01, propose("b"), opened(1, candidate="b"),
                        *consent(1, "a", "c", "d", "e", "f", "b")]}
    result = evaluate(load_case(data))
    values = [v for step in result.to_json()["explanation"] for v in step.values()]
    assert "treasurer" in values
    assert 24 in values
    assert "treasurer" in result.text("en")
    assert "24" in result.text("en")


def test_nominations_alone_without_a_tie_are_pending_but_need_no_facilitator_choice() -> None:
    """Nominations b 4, c 1, f 1 and no round yet: nothing decided (pending), but the unique
    top nominee exists, so the reason is not facilitator_choice_required and nothing is
    tied (6.4)."""
    data = {"family": "sociocratic_election",
            "params": {"preset": "sociocratic_election"},
            "electorate": {"members": list(MEMBERS)}, "ballots": ELE01}
    result = evaluate(load_case(data)).to_json()
    assert result["outcome"] == "pending"
    assert result.get("reason") != "facilitator_choice_required"
    assert result["tied"] == []
    assert result["elected"] is None
