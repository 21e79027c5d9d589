"""Family D, sociocratic consent (docs/rules.md sections 5 and 8b), case by case.

Every expected value was worked out by hand from docs/rules.md and docs/case-format.md; the
reasoning is in each case's ``why``. A result matches when ``differences`` (the matching rule
of docs/case-format.md) finds nothing.

Common frame unless a case says otherwise: circle members p, q, r, s, t, all present; the
``sociocratic_consent`` preset (max_consent_rounds 3, absent_policy await, allow_abstain
false, objection_requires_reason true, recheck_all_after_amend true, no escalation target).
"""

from __future__ import annotations

from typing import Any

import pytest

from decisions.engine import evaluate, load_case
from decisions.engine.testing import differences

CIRCLE = ("p", "q", "r", "s", "t")
REASON = "Budget of 1200 EUR exceeds the 1000 EUR spending limit delegated to this circle"


def opened(round_: int, version: int) -> dict[str, Any]:
    return {"type": "round_open", "round": round_, "version": version}


def position(round_: int, version: int, voter: str, what: str,
             reason: str | None = None) -> dict[str, Any]:
    event: dict[str, Any] = {"type": "position", "round": round_, "version": version,
                             "voter": voter, "position": what}
    if reason is not None:
        event["reason"] = reason
    return event


def objects(round_: int, version: int, voter: str, reason: str | None = REASON) -> dict[str, Any]:
    return position(round_, version, voter, "object", reason)


def consent(round_: int, version: int, *voters: str) -> list[dict[str, Any]]:
    return [position(round_, version, v, "consent") for v in voters]


def amend(version: int, *integrates: tuple[int, str]) -> dict[str, Any]:
    return {"type": "amend", "version": version, "summary": f"version {version}",
            "integrates": [{"round": r, "voter": v} for r, v in integrates]}


def qualified(voter: str, result: str, decided_by: str, round_: int = 1) -> dict[str, Any]:
    return {"type": "objection_qualified", "voter": voter, "result": result,
            "decided_by": decided_by, "rationale": "tested against the circle's aim",
            "round": round_}


def withdrawn(voter: str, round_: int = 1) -> dict[str, Any]:
    return {"type": "objection_withdrawn", "voter": voter, "round": round_,
            "note": "clarified, no text change"}


def round_with_objection(round_: int, version: int, objector: str = "t") -> list[dict[str, Any]]:
    """Everyone but ``objector`` consents; ``objector`` objects with a reason."""
    others = [v for v in CIRCLE if v != objector]
    return [opened(round_, version), *consent(round_, version, *others),
            objects(round_, version, objector)]


def case(case_id: str, why: str, events: list[dict[str, Any]], expected: dict[str, Any],
         present: tuple[str, ...] = CIRCLE, members: tuple[str, ...] = CIRCLE,
         **params: Any) -> Any:
    data = {"id": case_id, "family": "sociocratic_consent",
            "params": {"preset": "sociocratic_consent", **params},
            "electorate": {"members": list(members), "present": list(present)},
            "ballots": events, "expected": expected, "why": why}
    return pytest.param(data, id=case_id)


CASES = [
    # --- rounds, amendments and integration (5.1, 5.3) --------------------------------------
    case(
        "an_objection_in_round_one_is_integrated_and_version_two_is_adopted",
        "Round 1 on v1: 4 consents, t objects with a reason -> needs_integration (1 < 3)."
        " Amend v2, round 2 re-checks everyone: 5 consents -> adopted (SOC-01).",
        [{"type": "phase", "phase": "clarifying"}, {"type": "phase", "phase": "reactions"},
         *round_with_objection(1, 1), amend(2, (1, "t")), opened(2, 2),
         *consent(2, 2, *CIRCLE)],
        {"outcome": "adopted", "current_round": 2, "current_version": 2,
         "rounds": [{"round": 1, "version": 1, "consents": 4, "objections": ["t"],
                     "outcome": "needs_integration"},
                    {"round": 2, "version": 2, "consents": 5, "objections": [],
                     "missing": [], "outcome": "adopted"}]},
    ),
    case(
        "a_second_round_with_members_still_to_answer_is_pending",
        "Round 2 on v2: only p, q, r answered; s and t are required (present) -> pending,"
        " missing [s, t] (SOC-02).",
        [*round_with_objection(1, 1), amend(2, (1, "t")), opened(2, 2),
         *consent(2, 2, "p", "q", "r")],
        {"outcome": "pending", "current_round": 2, "current_version": 2,
         "rounds": [{"round": 1, "outcome": "needs_integration"},
                    {"round": 2, "consents": 3, "missing": ["s", "t"], "outcome": "pending"}]},
    ),
    case(
        "an_objection_withdrawn_without_text_change_is_adopted_in_place",
        "5.3: every outstanding objection of round 1 withdrawn by its author -> re-evaluated in"
        " place: 4 consents + t -> adopted on round 1, version 1 (SOC-03).",
        [*round_with_objection(1, 1), withdrawn("t")],
        {"outcome": "adopted", "current_round": 1, "current_version": 1,
         "rounds": [{"round": 1, "version": 1, "consents": 5, "objections": [],
                     "outcome": "adopted"}]},
    ),
    case(
        "withdrawing_one_of_two_objections_still_needs_integration",
        "s and t object; only t withdraws -> s's objection is outstanding -> needs_integration"
        " in round 1 with objections [s].",
        [opened(1, 1), *consent(1, 1, "p", "q", "r"), objects(1, 1, "s"), objects(1, 1, "t"),
         withdrawn("t")],
        {"outcome": "needs_integration", "current_round": 1,
         "rounds": [{"round": 1, "objections": ["s"], "outcome": "needs_integration"}]},
    ),
    case(
        "a_withdrawal_does_not_adopt_while_a_member_has_not_answered",
        "5.3: t withdraws, but s has no position in round 1 -> pending, missing [s].",
        [opened(1, 1), *consent(1, 1, "p", "q", "r"), objects(1, 1, "t"), withdrawn("t")],
        {"outcome": "pending",
         "rounds": [{"round": 1, "objections": [], "missing": ["s"], "outcome": "pending"}]},
    ),
    case(
        "an_amendment_can_raise_a_new_objection",
        "Round 2 on v2 re-checks everyone: t now consents but p objects to the new text ->"
        " needs_integration (2 < 3), objections [p], 4 consents (SOC-04).",
        [*round_with_objection(1, 1), amend(2, (1, "t")), opened(2, 2),
         *consent(2, 2, "q", "r", "s", "t"), objects(2, 2, "p")],
        {"outcome": "needs_integration", "current_round": 2, "current_version": 2,
         "rounds": [{"round": 1, "objections": ["t"], "outcome": "needs_integration"},
                    {"round": 2, "consents": 4, "objections": ["p"],
                     "outcome": "needs_integration"}]},
    ),
    # --- rounds limit (5.2) -----------------------------------------------------------------
    case(
        "an_objection_surviving_the_third_round_escalates_to_the_target",
        "max_consent_rounds 3, escalation_target general_circle: t still objects in round 3"
        " -> escalated (SOC-05).",
        [*round_with_objection(1, 1), amend(2, (1, "t")), *round_with_objection(2, 2),
         amend(3, (2, "t")), *round_with_objection(3, 3)],
        {"outcome": "escalated", "current_round": 3, "current_version": 3,
         "rounds": [{"round": 1, "outcome": "needs_integration"},
                    {"round": 2, "outcome": "needs_integration"},
                    {"round": 3, "objections": ["t"], "outcome": "escalated"}]},
        escalation_target="general_circle",
    ),
    case(
        "an_objection_surviving_the_third_round_blocks_without_a_target",
        "escalation_target null (default) -> at the limit the outcome is blocked (SOC-06).",
        [*round_with_objection(1, 1), amend(2, (1, "t")), *round_with_objection(2, 2),
         amend(3, (2, "t")), *round_with_objection(3, 3)],
        {"outcome": "blocked", "current_round": 3,
         "rounds": [{"round": 1, "outcome": "needs_integration"},
                    {"round": 2, "outcome": "needs_integration"},
                    {"round": 3, "objections": ["t"], "outcome": "blocked"}]},
    ),
    case(
        "with_a_one_round_limit_a_first_objection_blocks",
        "max_consent_rounds 1: round 1 is the last allowed (1 < 1 false) and no target ->"
        " blocked.",
        round_with_objection(1, 1),
        {"outcome": "blocked", "rounds": [{"round": 1, "outcome": "blocked"}]},
        max_consent_rounds=1,
    ),
    case(
        "with_a_one_round_limit_a_first_objection_escalates_to_the_target",
        "max_consent_rounds 1 with escalation_target -> escalated at round 1.",
        round_with_objection(1, 1),
        {"outcome": "escalated", "rounds": [{"round": 1, "outcome": "escalated"}]},
        max_consent_rounds=1, escalation_target="general_circle",
    ),
    case(
        "a_third_round_without_objection_is_adopted_not_escalated",
        "The limit matters only with outstanding objections: round 3 with 5 consents ->"
        " adopted even with an escalation target.",
        [*round_with_objection(1, 1), amend(2, (1, "t")), *round_with_objection(2, 2),
         amend(3, (2, "t")), opened(3, 3), *consent(3, 3, *CIRCLE)],
        {"outcome": "adopted", "current_round": 3,
         "rounds": [{"round": 1, "outcome": "needs_integration"},
                    {"round": 2, "outcome": "needs_integration"},
                    {"round": 3, "consents": 5, "outcome": "adopted"}]},
        escalation_target="general_circle",
    ),
    # --- refused positions (5.2, 0.3) -------------------------------------------------------
    case(
        "a_position_on_an_earlier_version_is_stale",
        "Round 2 is on v2; s answers about v1 -> stale_version; s has no valid position for"
        " v2 -> pending, missing [s] (SOC-07).",
        [*round_with_objection(1, 1), amend(2, (1, "t")), opened(2, 2),
         *consent(2, 2, "p", "q", "r", "t"), *consent(2, 1, "s")],
        {"outcome": "pending",
         "rounds": [{"round": 1}, {"round": 2, "consents": 4, "missing": ["s"],
                                   "outcome": "pending"}],
         "rejected_events": [{"voter": "s", "round": 2, "reason": "stale_version"}]},
    ),
    case(
        "an_abstention_is_refused_in_sociocratic_consent",
        "allow_abstain false (default): t's abstain -> abstain_not_allowed; t required and"
        " without a valid position -> pending, missing [t] (SOC-08).",
        [opened(1, 1), *consent(1, 1, "p", "q", "r", "s"), position(1, 1, "t", "abstain")],
        {"outcome": "pending",
         "rounds": [{"round": 1, "consents": 4, "missing": ["t"], "outcome": "pending"}],
         "rejected_events": [{"voter": "t", "round": 1, "reason": "abstain_not_allowed"}]},
    ),
    case(
        "an_abstention_is_accepted_when_allow_abstain_is_true",
        "allow_abstain true: t's abstention is a valid position (not a consent, not an"
        " objection) -> everyone answered, no objection -> adopted with 4 consents.",
        [opened(1, 1), *consent(1, 1, "p", "q", "r", "s"), position(1, 1, "t", "abstain")],
        {"outcome": "adopted", "rejected_events": [],
         "rounds": [{"round": 1, "consents": 4, "objections": [], "missing": [],
                     "outcome": "adopted"}]},
        allow_abstain=True,
    ),
    case(
        "an_unreasoned_objection_is_refused_with_missing_reason",
        "objection_requires_reason true: t's objection without reason -> missing_reason;"
        " t still owes a position -> pending, missing [t] (SOC-09).",
        [opened(1, 1), *consent(1, 1, "p", "q", "r", "s"), objects(1, 1, "t", reason=None)],
        {"outcome": "pending",
         "rounds": [{"round": 1, "objections": [], "missing": ["t"], "outcome": "pending"}],
         "rejected_events": [{"voter": "t", "round": 1, "reason": "missing_reason"}]},
    ),
    case(
        "an_unreasoned_objection_counts_when_reasons_are_not_required",
        "objection_requires_reason false: the objection is accepted and presumed valid ->"
        " needs_integration.",
        [opened(1, 1), *consent(1, 1, "p", "q", "r", "s"), objects(1, 1, "t", reason=None)],
        {"outcome": "needs_integration", "rejected_events": [],
         "rounds": [{"round": 1, "objections": ["t"], "outcome": "needs_integration"}]},
        objection_requires_reason=False,
    ),
    case(
        "a_position_from_outside_the_circle_is_not_eligible",
        "z is not a member -> not_eligible; the 5 members consent -> adopted.",
        [opened(1, 1), *consent(1, 1, *CIRCLE), objects(1, 1, "z")],
        {"outcome": "adopted", "rounds": [{"round": 1, "consents": 5, "objections": []}],
         "rejected_events": [{"voter": "z", "round": 1, "reason": "not_eligible"}]},
    ),
    case(
        "a_later_position_in_the_same_round_replaces_an_objection",
        "0.3 (all families): the latest position per voter counts; t objects then consents in"
        " round 1 -> 5 consents, no objection -> adopted.",
        [*round_with_objection(1, 1), *consent(1, 1, "t")],
        {"outcome": "adopted", "rounds": [{"round": 1, "consents": 5, "objections": [],
                                           "outcome": "adopted"}]},
    ),
    # --- concerns and re-qualification (5.3, 8b) --------------------------------------------
    case(
        "a_concern_counts_as_consent_and_is_logged",
        "5.3: a concern counts as consent and is logged -> 5 consents, concerns [t] -> adopted"
        " (SOC-10).",
        [opened(1, 1), *consent(1, 1, "p", "q", "r", "s"),
         position(1, 1, "t", "concern", "review the supplier after 3 months")],
        {"outcome": "adopted",
         "rounds": [{"round": 1, "consents": 5, "objections": [], "concerns": ["t"],
                     "outcome": "adopted"}]},
    ),
    case(
        "an_objection_requalified_as_a_concern_by_the_objector_counts_as_consent",
        "5.3: the objector (decided_by t) may re-qualify; as concern -> listed in concerns, not"
        " in objections, counts as consent -> 5 consents -> adopted (SOC-11).",
        [*round_with_objection(1, 1), qualified("t", "concern", "t")],
        {"outcome": "adopted", "rejected_events": [],
         "rounds": [{"round": 1, "consents": 5, "objections": [], "concerns": ["t"],
                     "outcome": "adopted"}]},
    ),
    case(
        "an_objection_the_circle_finds_invalid_is_dismissed",
        "5.3: the circle (decided_by circle) may re-qualify; invalid -> dismissed_objections,"
        " not in objections, counts as consent -> adopted.",
        [*round_with_objection(1, 1), qualified("t", "invalid", "circle")],
        {"outcome": "adopted", "rejected_events": [],
         "rounds": [{"round": 1, "consents": 5, "objections": [], "concerns": [],
                     "dismissed_objections": ["t"], "outcome": "adopted"}]},
    ),
    case(
        "a_requalification_by_the_facilitator_alone_is_not_authorized",
        "8b: neither the objector nor the circle -> refused with not_authorized; t's objection"
        " stands -> needs_integration.",
        [*round_with_objection(1, 1), qualified("t", "invalid", "facilitator")],
        {"outcome": "needs_integration",
         "rounds": [{"round": 1, "consents": 4, "objections": ["t"],
                     "dismissed_objections": [], "outcome": "needs_integration"}],
         "rejected_events": [{"voter": "t", "round": 1, "reason": "not_authorized"}]},
    ),
    case(
        "an_objection_the_objector_requalifies_as_invalid_is_dismissed",
        "5.3: the objector may re-qualify its own objection; invalid -> dismissed_objections,"
        " counts as consent -> 5 consents -> adopted.",
        [*round_with_objection(1, 1), qualified("t", "invalid", "t")],
        {"outcome": "adopted", "rejected_events": [],
         "rounds": [{"round": 1, "consents": 5, "objections": [],
                     "dismissed_objections": ["t"], "outcome": "adopted"}]},
    ),
    case(
        "an_objection_the_circle_requalifies_as_a_concern_is_listed_in_concerns",
        "5.3: by the circle, result concern -> concerns [t], not objections -> adopted.",
        [*round_with_objection(1, 1), qualified("t", "concern", "circle")],
        {"outcome": "adopted",
         "rounds": [{"round": 1, "consents": 5, "objections": [], "concerns": ["t"],
                     "dismissed_objections": [], "outcome": "adopted"}]},
    ),
    # --- absentees (5.2 absent_policy, 5.3 missing, 8b) -------------------------------------
    case(
        "under_await_a_silent_absentee_keeps_the_round_pending",
        "absent_policy await: t is absent but required; no position -> pending, missing [t]"
        " (SOC-12).",
        [opened(1, 1), *consent(1, 1, "p", "q", "r", "s")],
        {"outcome": "pending",
         "rounds": [{"round": 1, "consents": 4, "missing": ["t"], "outcome": "pending"}]},
        present=("p", "q", "r", "s"), absent_policy="await",
    ),
    case(
        "under_await_an_absentee_who_consents_completes_the_round",
        "await waits for the absentee's consent; once t consents all 5 answered -> adopted.",
        [opened(1, 1), *consent(1, 1, "p", "q", "r", "s", "t")],
        {"outcome": "adopted", "rounds": [{"round": 1, "consents": 5, "missing": []}]},
        present=("p", "q", "r", "s"), absent_policy="await",
    ),
    case(
        "under_cannot_object_a_silent_absentee_is_not_required",
        "absent_policy cannot_object: the absentee t is not required and not listed in missing;"
        " the 4 present consent -> adopted (SOC-13).",
        [opened(1, 1), *consent(1, 1, "p", "q", "r", "s")],
        {"outcome": "adopted",
         "rounds": [{"round": 1, "consents": 4, "missing": [], "outcome": "adopted"}]},
        present=("p", "q", "r", "s"), absent_policy="cannot_object",
    ),
    case(
        "under_cannot_object_an_absentees_objection_is_refused",
        "8b: under cannot_object an absentee's objection is refused with position_not_allowed"
        " -> no objection -> adopted.",
        [opened(1, 1), *consent(1, 1, "p", "q", "r", "s"), objects(1, 1, "t")],
        {"outcome": "adopted",
         "rounds": [{"round": 1, "objections": [], "missing": [], "outcome": "adopted"}],
         "rejected_events": [{"voter": "t", "round": 1, "reason": "position_not_allowed"}]},
        present=("p", "q", "r", "s"), absent_policy="cannot_object",
    ),
    case(
        "under_cannot_object_a_present_member_still_objects",
        "The policy only concerns absentees: present s objects with a reason ->"
        " needs_integration; the absent t is not missing.",
        [opened(1, 1), *consent(1, 1, "p", "q", "r"), objects(1, 1, "s")],
        {"outcome": "needs_integration",
         "rounds": [{"round": 1, "objections": ["s"], "missing": [],
                     "outcome": "needs_integration"}]},
        present=("p", "q", "r", "s"), absent_policy="cannot_object",
    ),
    case(
        "under_cannot_object_missing_lists_only_present_members",
        "5.3: missing lists required responders only; s (present) has not answered -> pending,"
        " missing [s]; absent t is not required, not listed.",
        [opened(1, 1), *consent(1, 1, "p", "q", "r")],
        {"outcome": "pending", "rounds": [{"round": 1, "missing": ["s"], "outcome": "pending"}]},
        present=("p", "q", "r", "s"), absent_policy="cannot_object",
    ),
    case(
        "under_prior_input_an_absentees_objection_counts",
        "absent_policy prior_input (SoFA option C): input collected from the absentee counts;"
        " t's reasoned objection -> needs_integration with objections [t].",
        [opened(1, 1), *consent(1, 1, "p", "q", "r", "s"), objects(1, 1, "t")],
        {"outcome": "needs_integration", "rejected_events": [],
         "rounds": [{"round": 1, "objections": ["t"], "outcome": "needs_integration"}]},
        present=("p", "q", "r", "s"), absent_policy="prior_input",
    ),
    # --- recheck_all_after_amend, amend without a round, last round decides (5.2, 8b) ------
    case(
        "without_recheck_consents_on_an_earlier_version_carry_over",
        "8b: recheck_all_after_amend false -> p, q, r, s's round 1 consents carry over to v2;"
        " t consents in round 2 -> 5 consents -> adopted.",
        [*round_with_objection(1, 1), amend(2, (1, "t")), opened(2, 2), *consent(2, 2, "t")],
        {"outcome": "adopted", "current_round": 2, "current_version": 2,
         "rounds": [{"round": 1, "outcome": "needs_integration"},
                    {"round": 2, "consents": 5, "missing": [], "outcome": "adopted"}]},
        recheck_all_after_amend=False,
    ),
    case(
        "without_recheck_a_carried_consent_is_replaced_by_a_new_objection",
        "recheck_all_after_amend false: q, r, s's consents carry over, t consents on v2, but p"
        " now objects on v2 (latest position) -> needs_integration, objections [p], 4 consents.",
        [*round_with_objection(1, 1), amend(2, (1, "t")), opened(2, 2), *consent(2, 2, "t"),
         objects(2, 2, "p")],
        {"outcome": "needs_integration",
         "rounds": [{"round": 1}, {"round": 2, "consents": 4, "objections": ["p"],
                                   "outcome": "needs_integration"}]},
        recheck_all_after_amend=False,
    ),
    case(
        "without_recheck_only_consents_carry_over_not_objections",
        "8b carries over consents only: t objected on v1 and has not answered on v2 -> t is"
        " missing -> pending; p, q, r, s carried -> 4 consents.",
        [*round_with_objection(1, 1), amend(2, (1, "t")), opened(2, 2)],
        {"outcome": "pending",
         "rounds": [{"round": 1}, {"round": 2, "consents": 4, "objections": [],
                                   "missing": ["t"], "outcome": "pending"}]},
        recheck_all_after_amend=False,
    ),
    case(
        "with_recheck_every_member_answers_again_on_the_new_version",
        "Same log with recheck_all_after_amend true (default): only t answered on v2 ->"
        " pending, missing [p, q, r, s].",
        [*round_with_objection(1, 1), amend(2, (1, "t")), opened(2, 2), *consent(2, 2, "t")],
        {"outcome": "pending",
         "rounds": [{"round": 1}, {"round": 2, "consents": 1,
                                   "missing": ["p", "q", "r", "s"], "outcome": "pending"}]},
    ),
    case(
        "an_amendment_without_a_following_round_leaves_the_proposal_pending",
        "8b: an amend with no consent round after it -> pending; round 1 keeps its own"
        " outcome.",
        [*round_with_objection(1, 1), amend(2, (1, "t"))],
        {"outcome": "pending", "current_round": 1,
         "rounds": [{"round": 1, "objections": ["t"], "outcome": "needs_integration"}]},
    ),
    case(
        "when_rounds_continue_after_an_adoption_the_last_round_decides",
        "8b: round 1 adopted v1, then v2 is put to round 2 where q objects -> the last round"
        " decides -> needs_integration.",
        [opened(1, 1), *consent(1, 1, *CIRCLE), amend(2), opened(2, 2),
         *consent(2, 2, "p", "r", "s", "t"), objects(2, 2, "q")],
        {"outcome": "needs_integration", "current_round": 2,
         "rounds": [{"round": 1, "outcome": "adopted"},
                    {"round": 2, "objections": ["q"], "outcome": "needs_integration"}]},
    ),
    case(
        "a_round_opened_after_an_adoption_makes_the_proposal_pending_again",
        "8b: the last round decides; round 2 on v2 has no answers yet -> pending.",
        [opened(1, 1), *consent(1, 1, *CIRCLE), amend(2), opened(2, 2)],
        {"outcome": "pending", "current_round": 2,
         "rounds": [{"round": 1, "outcome": "adopted"},
                    {"round": 2, "missing": ["p", "q", "r", "s", "t"],
                     "outcome": "pending"}]},
    ),
]


@pytest.mark.parametrize("example", CASES)
def test_a_sociocratic_consent_is_decided_as_rules_section_5_says(
    example: dict[str, Any],
) -> None:
    result = evaluate(load_case(example)).to_json()
    assert differences(example["expected"], result) == [], example["why"]
