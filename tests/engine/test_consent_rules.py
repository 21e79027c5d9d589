"""Family C, asynchronous consent (docs/rules.md sections 0.3, 4 and 8b), case by case.

Every expected value was worked out by hand from docs/rules.md and docs/case-format.md; the
reasoning is in each case's ``why``. A result matches when ``differences`` (the matching rule
of docs/case-format.md) finds nothing.

Common frame unless a case says otherwise: members a, b, c, d, e; the vote opens
2025-04-01T08:00Z and closes 2025-04-08T08:00Z; it is evaluated at the deadline (closed).
"""

from __future__ import annotations

from typing import Any

import pytest

from decisions.engine import evaluate, load_case
from decisions.engine.testing import differences

MEMBERS = ("a", "b", "c", "d", "e")
OPENS = "2025-04-01T08:00:00Z"
CLOSES = "2025-04-08T08:00:00Z"
REASON = "Budget of 1200 EUR exceeds the 1000 EUR spending limit delegated to this circle"


def t(day: int, hour: int = 10, minute: int = 0) -> str:
    """An April 2025 instant (UTC)."""
    return f"2025-04-{day:02d}T{hour:02d}:{minute:02d}:00Z"


def ballot(voter: str, position: str, cast_at: str, **extra: Any) -> dict[str, Any]:
    return {"voter": voter, "position": position, "cast_at": cast_at, **extra}


def objection(voter: str, cast_at: str, reason: str | None = REASON,
              **extra: Any) -> dict[str, Any]:
    if reason is None:
        return ballot(voter, "object", cast_at, **extra)
    return ballot(voter, "object", cast_at, reason=reason, **extra)


def consents(*voters: str, day: int = 2) -> list[dict[str, Any]]:
    """One consent per voter, a day apart from ``day`` at 10:00."""
    return [ballot(v, "consent", t(day + i)) for i, v in enumerate(voters)]


def qualified(voter: str, result: str, at: str, decided_by: str = "circle") -> dict[str, Any]:
    return {"type": "objection_qualified", "voter": voter, "result": result,
            "decided_by": decided_by, "rationale": "recorded by the circle", "at": at}


def case(case_id: str, why: str, ballots: list[dict[str, Any]], expected: dict[str, Any],
         members: tuple[str, ...] = MEMBERS, **params: Any) -> Any:
    full: dict[str, Any] = {"preset": "consent_async", "opens_at": OPENS, "closes_at": CLOSES,
                            "evaluated_at": CLOSES}
    full.update(params)
    data = {"id": case_id, "family": "consent", "params": full,
            "electorate": {"members": list(members)}, "ballots": ballots,
            "expected": expected, "why": why}
    return pytest.param(data, id=case_id)


CASES = [
    # --- objections block (4.2 step 5) ------------------------------------------------------
    case(
        "five_consents_at_the_deadline_adopt_the_proposal",
        "No objection, 5 consents >= min_consents 1, deadline reached -> adopted (CON-01).",
        consents("a", "b", "c", "d", "e"),
        {"outcome": "adopted", "counts": {"consent": 5, "abstain": 0, "object": 0},
         "responders": 5, "missing": [], "outstanding_objections": [], "rejected_ballots": []},
    ),
    case(
        "one_reasoned_objection_blocks_whatever_the_number_of_consents",
        "4.2 step 5: any outstanding valid objection -> blocked; 4 consents are irrelevant"
        " (CON-02).",
        [*consents("a", "b", "c", "d"), objection("e", t(6))],
        {"outcome": "blocked", "counts": {"consent": 4, "abstain": 0, "object": 1},
         "outstanding_objections": ["e"], "dismissed_objections": []},
    ),
    case(
        "an_objection_blocks_even_when_nobody_consents",
        "Step 5 (blocked) comes before step 6 (min_consents): 0 consents, 4 abstentions and one"
        " valid objection -> blocked, not rejected.",
        [objection("a", t(2)), *[ballot(v, "abstain", t(3 + i)) for i, v in
                                 enumerate("bcde")]],
        {"outcome": "blocked", "counts": {"consent": 0, "abstain": 4, "object": 1},
         "outstanding_objections": ["a"]},
    ),
    # --- unreasoned objections (4.1) --------------------------------------------------------
    case(
        "an_unreasoned_objection_is_refused_with_missing_reason",
        "objection_requires_reason true, policy reject_ballot: e's objection without reason is"
        " refused (missing_reason). e has no accepted ballot -> missing; silence = consent, 4"
        " consents -> adopted (CON-03).",
        [*consents("a", "b", "c", "d"), objection("e", t(6), reason=None)],
        {"outcome": "adopted", "counts": {"consent": 4, "abstain": 0, "object": 0},
         "responders": 4, "missing": ["e"], "outstanding_objections": [],
         "rejected_ballots": [{"voter": "e", "reason": "missing_reason"}]},
        unreasoned_objection_policy="reject_ballot",
    ),
    case(
        "an_unreasoned_objection_downgraded_to_a_concern_counts_as_consent",
        "8b: downgrade_to_concern -> the ballot counts as consent and e is listed in concerns:"
        " 5 consents, no objection -> adopted.",
        [*consents("a", "b", "c", "d"), objection("e", t(6), reason=None)],
        {"outcome": "adopted", "counts": {"consent": 5, "abstain": 0, "object": 0},
         "responders": 5, "concerns": ["e"], "outstanding_objections": [],
         "rejected_ballots": []},
        unreasoned_objection_policy="downgrade_to_concern",
    ),
    case(
        "a_downgraded_objection_counts_towards_min_consents",
        "min_consents 2: a consents, b's unreasoned objection is downgraded (counts as"
        " consent), c, d, e abstain -> consents 2 >= 2 -> adopted, b in concerns.",
        [ballot("a", "consent", t(2)), objection("b", t(3), reason=None),
         *[ballot(v, "abstain", t(4, 10 + i)) for i, v in enumerate("cde")]],
        {"outcome": "adopted", "counts": {"consent": 2, "abstain": 3, "object": 0},
         "concerns": ["b"]},
        unreasoned_objection_policy="downgrade_to_concern", min_consents=2,
    ),
    # --- withdrawal by a later ballot (4.2 step 2, 0.3) -------------------------------------
    case(
        "an_objection_is_withdrawn_by_a_later_consent",
        "e objects 04-02, consents 04-05 09:00 (before d, the last responder, at 04-05 10:00):"
        " latest ballot counts -> 5 consents, 1 superseded ballot -> adopted (CON-04).",
        [*consents("a", "b", "c", "d"), objection("e", t(2, 11)),
         ballot("e", "consent", t(5, 9))],
        {"outcome": "adopted", "counts": {"consent": 5, "abstain": 0, "object": 0},
         "superseded_ballots": 1, "outstanding_objections": []},
    ),
    case(
        "an_objection_is_withdrawn_by_a_later_abstention",
        "4.2 step 2: a later abstain also withdraws the objection. e abstains 04-04 12:00,"
        " before d answers (04-05), so no early close yet -> 4 consents, 1 abstain -> adopted.",
        [*consents("a", "b", "c", "d"), objection("e", t(2, 11)),
         ballot("e", "abstain", t(4, 12))],
        {"outcome": "adopted", "counts": {"consent": 4, "abstain": 1, "object": 0},
         "superseded_ballots": 1, "outstanding_objections": []},
    ),
    case(
        "a_withdrawal_cast_exactly_at_the_deadline_is_late_and_the_objection_stands",
        "0.3: late withdrawal is a late ballot (CON-05); cast_at == closes_at is late (deadline"
        " exclusive). The objection of 04-02 stands -> blocked.",
        [*consents("a", "b", "c", "d"), objection("e", t(2, 11)),
         ballot("e", "consent", CLOSES)],
        {"outcome": "blocked", "counts": {"consent": 4, "abstain": 0, "object": 1},
         "outstanding_objections": ["e"], "superseded_ballots": 0,
         "rejected_ballots": [{"voter": "e", "reason": "late"}]},
    ),
    # --- pending before the deadline (4.2 step 3) ------------------------------------------
    case(
        "before_the_deadline_the_process_is_pending_and_flags_outstanding_objections",
        "Evaluated 04-05 12:00 < closes_at, d and e have not answered -> pending; b's objection"
        " is flagged, provisional counts 2/0/1 (CON-07).",
        [ballot("a", "consent", t(2)), objection("b", t(3)), ballot("c", "consent", t(4))],
        {"outcome": "pending", "counts": {"consent": 2, "abstain": 0, "object": 1},
         "responders": 3, "missing": ["d", "e"], "outstanding_objections": ["b"]},
        evaluated_at=t(5, 12),
    ),
    # --- min_consents (4.2 step 6) ----------------------------------------------------------
    case(
        "a_proposal_nobody_supports_is_rejected_for_min_consents",
        "Default min_consents 1; everyone abstains -> 0 consents < 1 -> rejected, reason"
        " min_consents (CON-08).",
        [ballot(v, "abstain", t(2 + i)) for i, v in enumerate(MEMBERS)],
        {"outcome": "rejected", "reason": "min_consents",
         "counts": {"consent": 0, "abstain": 5, "object": 0}},
    ),
    case(
        "total_silence_is_rejected_for_min_consents",
        "Silence = consent means no blocking, but consents counted are explicit ones: 0 < 1 ->"
        " rejected (min_consents); everyone is missing.",
        [],
        {"outcome": "rejected", "reason": "min_consents", "responders": 0,
         "missing": ["a", "b", "c", "d", "e"]},
    ),
    case(
        "two_consents_fall_short_of_min_consents_three",
        "min_consents 3; a, b consent, c, d, e abstain -> 2 < 3 -> rejected (min_consents).",
        [*consents("a", "b"), *[ballot(v, "abstain", t(5 + i)) for i, v in enumerate("cde")]],
        {"outcome": "rejected", "reason": "min_consents",
         "counts": {"consent": 2, "abstain": 3, "object": 0}},
        min_consents=3,
    ),
    case(
        "exactly_min_consents_consents_adopt",
        "min_consents 3; 3 consents, 2 abstentions: 3 < 3 is false -> adopted.",
        [*consents("a", "b", "c"), *[ballot(v, "abstain", t(6 + i)) for i, v in
                                     enumerate("de")]],
        {"outcome": "adopted", "counts": {"consent": 3, "abstain": 2, "object": 0}},
        min_consents=3,
    ),
    # --- min_responses participation quorum (4.2 step 4, 0.1) -------------------------------
    case(
        "two_responses_of_five_miss_a_half_participation_quorum",
        "min_responses 1/2: responders*2 >= 1*5? 2*2 = 4 < 5 -> no_quorum (CON-09).",
        consents("a", "b"),
        {"outcome": "no_quorum", "responders": 2},
        min_responses={"num": 1, "den": 2},
    ),
    case(
        "a_participation_quorum_reached_exactly_is_met",
        "Four members, min_responses 1/2: 2*2 >= 1*4 (inclusive) -> quorum met; 2 consents ->"
        " adopted.",
        consents("a", "b"),
        {"outcome": "adopted", "responders": 2, "missing": ["c", "d"]},
        members=("a", "b", "c", "d"), min_responses={"num": 1, "den": 2},
    ),
    case(
        "the_participation_quorum_is_checked_before_objections",
        "min_responses 3/5: 2 responders, 2*5 = 10 < 3*5 = 15 -> no_quorum (step 4) before the"
        " objection is considered (step 5).",
        [objection("a", t(2)), ballot("b", "consent", t(3))],
        {"outcome": "no_quorum", "responders": 2},
        min_responses={"num": 3, "den": 5},
    ),
    case(
        "a_late_ballot_does_not_count_towards_participation",
        "min_responses 1/2: c's ballot at closes_at is late, responders = a, b = 2; 2*2 < 5 ->"
        " no_quorum.",
        [*consents("a", "b"), ballot("c", "consent", CLOSES)],
        {"outcome": "no_quorum", "responders": 2,
         "rejected_ballots": [{"voter": "c", "reason": "late"}]},
        min_responses={"num": 1, "den": 2},
    ),
    # --- silence_policy require_all (4.1, CON-10) -------------------------------------------
    case(
        "under_require_all_one_silent_member_means_no_quorum",
        "silence_policy require_all: e never answered; missing responders at the deadline ->"
        " no_quorum (CON-10).",
        consents("a", "b", "c", "d"),
        {"outcome": "no_quorum", "missing": ["e"], "responders": 4},
        silence_policy="require_all",
    ),
    case(
        "under_require_all_an_abstention_is_a_response",
        "0.4: abstentions count as participation; everyone answered, no objection, 4 consents"
        " -> adopted.",
        [*consents("a", "b", "c", "d"), ballot("e", "abstain", t(6))],
        {"outcome": "adopted", "counts": {"consent": 4, "abstain": 1, "object": 0},
         "missing": []},
        silence_policy="require_all",
    ),
    case(
        "under_require_all_a_refused_ballot_leaves_its_voter_missing",
        "e's unreasoned objection is refused (missing_reason), so e has no accepted ballot ->"
        " missing -> no_quorum under require_all.",
        [*consents("a", "b", "c", "d"), objection("e", t(6), reason=None)],
        {"outcome": "no_quorum", "missing": ["e"],
         "rejected_ballots": [{"voter": "e", "reason": "missing_reason"}]},
        silence_policy="require_all",
    ),
    # --- early close (0.3, 8b, CON-11) ------------------------------------------------------
    case(
        "when_everyone_has_answered_the_process_closes_early_and_refuses_changes",
        "close_when_all_responded (default true): all five answered by 04-05 10:00, evaluated"
        " 04-06 < closes_at -> decided: adopted. a's objection at 04-05 11:00, after the early"
        " close and before closes_at -> change_not_allowed (8b).",
        [*consents("a", "b", "c"), ballot("d", "consent", t(5, 9)),
         ballot("e", "consent", t(5, 10)), objection("a", t(5, 11))],
        {"outcome": "adopted", "counts": {"consent": 5, "abstain": 0, "object": 0},
         "rejected_ballots": [{"voter": "a", "reason": "change_not_allowed"}],
         "outstanding_objections": []},
        evaluated_at=t(6),
    ),
    case(
        "an_early_close_with_an_objection_blocks_before_the_deadline",
        "All five answered by 04-06 (e objects with a reason), evaluated 04-06 12:00 before"
        " closes_at: early close applies -> evaluated now -> blocked.",
        [*consents("a", "b", "c", "d"), objection("e", t(6))],
        {"outcome": "blocked", "outstanding_objections": ["e"]},
        evaluated_at=t(6, 12),
    ),
    case(
        "after_an_early_close_a_ballot_at_the_deadline_is_late",
        "8b: after an early close, a later ballot at or after closes_at is refused with late"
        " (not change_not_allowed).",
        [*consents("a", "b", "c", "d", "e"), objection("a", CLOSES)],
        {"outcome": "adopted", "rejected_ballots": [{"voter": "a", "reason": "late"}]},
    ),
    case(
        "a_change_after_an_early_close_is_refused_even_when_cast_after_the_evaluation",
        "All five answered by 04-05 10:00 (early close), evaluated 04-05 12:00: a's objection"
        " of 04-06 and b's of 04-09 are cast after the instant of evaluation, yet refused"
        " whatever the instant (0.3, 8b): change_not_allowed before closes_at, late after.",
        [*consents("a", "b", "c"), ballot("d", "consent", t(5, 9)),
         ballot("e", "consent", t(5, 10)), objection("a", t(6)), objection("b", t(9))],
        {"outcome": "adopted", "counts": {"consent": 5, "abstain": 0, "object": 0},
         "rejected_ballots": [{"voter": "a", "reason": "change_not_allowed"},
                              {"voter": "b", "reason": "late"}],
         "outstanding_objections": []},
        evaluated_at=t(5, 12),
    ),
    case(
        "a_ballot_after_the_deadline_is_late_even_when_evaluated_before_it",
        "Evaluated 04-06 12:00 < closes_at without early close: d's objection of 04-09 is"
        " after the deadline, so late whatever the instant (0.3); e's consent of 04-07 is on"
        " time but not known yet at 04-06 12:00 -> pending, 3 responders.",
        [*consents("a", "b", "c"), objection("d", t(9)), ballot("e", "consent", t(7))],
        {"outcome": "pending", "responders": 3, "missing": ["d", "e"],
         "rejected_ballots": [{"voter": "d", "reason": "late"}]},
        close_when_all_responded=False, evaluated_at=t(6, 12),
    ),
    case(
        "a_refused_ballot_does_not_count_towards_an_early_close",
        "Early close needs every member to have an ACCEPTED ballot; e's unreasoned objection is"
        " refused, so evaluated 04-06 12:00 < closes_at -> pending, missing [e].",
        [*consents("a", "b", "c", "d"), objection("e", t(6), reason=None)],
        {"outcome": "pending", "missing": ["e"],
         "rejected_ballots": [{"voter": "e", "reason": "missing_reason"}]},
        evaluated_at=t(6, 12),
    ),
    case(
        "without_early_close_a_fully_answered_process_stays_pending_until_the_deadline",
        "close_when_all_responded false: everyone answered by 04-06 but evaluated 04-06 12:00 <"
        " closes_at -> pending with provisional counts.",
        consents("a", "b", "c", "d", "e"),
        {"outcome": "pending", "counts": {"consent": 5, "abstain": 0, "object": 0}},
        close_when_all_responded=False, evaluated_at=t(6, 12),
    ),
    case(
        "without_early_close_a_change_after_everyone_answered_is_accepted",
        "close_when_all_responded false: e's objection on 04-07 replaces e's consent of 04-06"
        " (latest counts, 1 superseded) -> blocked at the deadline.",
        [*consents("a", "b", "c", "d", "e"), objection("e", t(7))],
        {"outcome": "blocked", "outstanding_objections": ["e"], "superseded_ballots": 1,
         "rejected_ballots": []},
        close_when_all_responded=False,
    ),
    # --- objection_qualified / objection_withdrawn (4.1, 8b, CON-12/13) --------------------
    case(
        "an_objection_qualified_invalid_is_dismissed_and_does_not_block",
        "Qualification 'invalid' by the circle on 04-06 (after the objection, before the"
        " deadline) -> e in dismissed_objections; counts keep e's objection -> adopted (CON-12).",
        [*consents("a", "b", "c", "d"), objection("e", t(4, 12), reason="I prefer blue"),
         qualified("e", "invalid", t(6))],
        {"outcome": "adopted", "counts": {"consent": 4, "abstain": 0, "object": 1},
         "outstanding_objections": [], "dismissed_objections": ["e"], "concerns": []},
    ),
    case(
        "an_objection_qualified_valid_still_blocks",
        "Qualification 'valid' confirms the presumption -> e outstanding -> blocked.",
        [*consents("a", "b", "c", "d"), objection("e", t(4, 12)),
         qualified("e", "valid", t(6))],
        {"outcome": "blocked", "outstanding_objections": ["e"], "dismissed_objections": []},
    ),
    case(
        "an_objection_qualified_as_a_concern_is_listed_in_concerns_only",
        "8b: result 'concern' lists e in concerns only (not dismissed, not outstanding) ->"
        " nothing blocks -> adopted.",
        [*consents("a", "b", "c", "d"), objection("e", t(4, 12)),
         qualified("e", "concern", t(6))],
        {"outcome": "adopted", "outstanding_objections": [], "dismissed_objections": [],
         "concerns": ["e"]},
    ),
    case(
        "a_qualification_dated_at_the_deadline_is_ignored",
        "8b: a qualification dated at or after the deadline is ignored -> e's objection is still"
        " presumed valid -> blocked.",
        [*consents("a", "b", "c", "d"), objection("e", t(4, 12)),
         qualified("e", "invalid", CLOSES)],
        {"outcome": "blocked", "outstanding_objections": ["e"], "dismissed_objections": []},
    ),
    case(
        "a_qualification_dated_before_the_objection_is_ignored",
        "8b: the qualification (04-03) predates the objection (04-04 12:00) it would qualify ->"
        " ignored -> blocked.",
        [*consents("a", "b", "c", "d"), objection("e", t(4, 12)),
         qualified("e", "invalid", t(3))],
        {"outcome": "blocked", "outstanding_objections": ["e"], "dismissed_objections": []},
    ),
    case(
        "a_qualification_dated_after_the_deadline_is_ignored",
        "8b: a qualification dated after the deadline (04-09) is ignored -> blocked.",
        [*consents("a", "b", "c", "d"), objection("e", t(4, 12)),
         qualified("e", "invalid", t(9))],
        {"outcome": "blocked", "outstanding_objections": ["e"], "dismissed_objections": []},
    ),
    case(
        "a_qualification_of_a_replaced_objection_does_not_dismiss_the_new_one",
        "e objects 04-02, the circle qualifies it invalid 04-03, e objects again 04-04 with a"
        " new reason (latest ballot). The qualification predates the objection now standing ->"
        " ignored for it (8b) -> presumed valid -> blocked.",
        [*consents("a", "b", "c", "d"), objection("e", t(2, 11), reason="I prefer blue"),
         qualified("e", "invalid", t(3)), objection("e", t(4, 12))],
        {"outcome": "blocked", "outstanding_objections": ["e"], "dismissed_objections": [],
         "superseded_ballots": 1},
    ),
    case(
        "an_objection_withdrawn_event_dismisses_the_objection",
        "8b: an objection_withdrawn event dismisses the objection -> e in dismissed_objections,"
        " nothing outstanding -> adopted.",
        [*consents("a", "b", "c", "d"), objection("e", t(4, 12)),
         {"type": "objection_withdrawn", "voter": "e", "note": "clarified", "at": t(6)}],
        {"outcome": "adopted", "outstanding_objections": [], "dismissed_objections": ["e"]},
    ),
    case(
        "dismissing_one_objection_leaves_the_other_blocking",
        "d and e object; only e's is qualified invalid -> d outstanding -> blocked.",
        [*consents("a", "b", "c"), objection("d", t(5)), objection("e", t(5, 12)),
         qualified("e", "invalid", t(6))],
        {"outcome": "blocked", "outstanding_objections": ["d"], "dismissed_objections": ["e"]},
    ),
    # --- positions, abstain, concerns (4.1, 8b) ---------------------------------------------
    case(
        "an_abstention_is_refused_when_positions_leave_out_abstain",
        "8b: positions [consent, object] -> e's abstain refused with abstain_not_allowed; e is"
        " missing; 4 consents -> adopted.",
        [*consents("a", "b", "c", "d"), ballot("e", "abstain", t(6))],
        {"outcome": "adopted", "counts": {"consent": 4, "abstain": 0, "object": 0},
         "missing": ["e"], "rejected_ballots": [{"voter": "e", "reason": "abstain_not_allowed"}]},
        positions=["consent", "object"],
    ),
    case(
        "an_abstention_is_refused_when_allow_abstain_is_false",
        "allow_abstain false -> abstain_not_allowed (0.3 reason list); 4 consents -> adopted.",
        [*consents("a", "b", "c", "d"), ballot("e", "abstain", t(6))],
        {"outcome": "adopted", "counts": {"consent": 4, "abstain": 0, "object": 0},
         "rejected_ballots": [{"voter": "e", "reason": "abstain_not_allowed"}]},
        allow_abstain=False,
    ),
    case(
        "an_objection_is_refused_when_positions_leave_out_object",
        "4.1: a position outside `positions` is refused with position_not_allowed; the"
        " objection never counts -> adopted.",
        [*consents("a", "b", "c", "d"), objection("e", t(6))],
        {"outcome": "adopted", "counts": {"consent": 4, "abstain": 0, "object": 0},
         "outstanding_objections": [],
         "rejected_ballots": [{"voter": "e", "reason": "position_not_allowed"}]},
        positions=["consent", "abstain"],
    ),
    case(
        "a_consent_with_a_concern_is_listed_in_concerns",
        "4.1: consent optionally with a concern text; 4.2 step 7 carries concerns into the"
        " record -> adopted with c in concerns, 5 consents.",
        [*consents("a", "b"), ballot("c", "consent", t(4), concern="review the cost in June"),
         *consents("d", "e", day=5)],
        {"outcome": "adopted", "counts": {"consent": 5, "abstain": 0, "object": 0},
         "concerns": ["c"]},
    ),
    case(
        "silent_members_are_listed_as_missing",
        "Silence = consent: d and e never answered; 3 consents -> adopted, missing [d, e].",
        consents("a", "b", "c"),
        {"outcome": "adopted", "responders": 3, "missing": ["d", "e"]},
    ),
    # --- acceptance of ballots (0.3, 8b) ----------------------------------------------------
    case(
        "an_objection_by_a_non_member_is_refused_as_not_eligible",
        "z is not in the electorate -> not_eligible; 5 consents -> adopted.",
        [*consents("a", "b", "c", "d", "e"), objection("z", t(3))],
        {"outcome": "adopted", "counts": {"consent": 5, "abstain": 0, "object": 0},
         "rejected_ballots": [{"voter": "z", "reason": "not_eligible"}]},
    ),
    case(
        "an_objection_cast_before_opening_is_refused_as_too_early",
        "e objects at 07:59 on 04-01, before opens_at 08:00 -> too_early; e missing -> adopted.",
        [*consents("a", "b", "c", "d"), objection("e", t(1, 7, 59))],
        {"outcome": "adopted", "missing": ["e"],
         "rejected_ballots": [{"voter": "e", "reason": "too_early"}]},
    ),
    case(
        "an_objection_cast_exactly_at_opening_counts",
        "opens_at <= cast_at: e's objection at exactly 04-01 08:00 is accepted -> blocked.",
        [*consents("a", "b", "c", "d"), objection("e", OPENS)],
        {"outcome": "blocked", "outstanding_objections": ["e"], "rejected_ballots": []},
    ),
    case(
        "a_ballot_with_several_defects_reports_the_first_in_the_8b_order",
        "8b order: not_eligible before position checks; late before missing_reason. z abstains"
        " where abstain is not offered -> not_eligible; e's unreasoned objection after the"
        " deadline (at closes_at) -> late.",
        [*consents("a", "b", "c", "d"), ballot("z", "abstain", t(3)),
         objection("e", CLOSES, reason=None)],
        {"outcome": "adopted",
         "rejected_ballots": [{"voter": "z", "reason": "not_eligible"},
                              {"voter": "e", "reason": "late"}]},
        positions=["consent", "object"],
    ),
    case(
        "with_allow_vote_change_false_the_first_ballot_stands",
        "0.3: allow_vote_change false -> e's later objection is change_not_allowed; e's first"
        " ballot (consent) stands -> adopted with 5 consents.",
        [ballot("e", "consent", t(2, 9)), *consents("a", "b", "c", "d"),
         objection("e", t(3, 12))],
        {"outcome": "adopted", "counts": {"consent": 5, "abstain": 0, "object": 0},
         "rejected_ballots": [{"voter": "e", "reason": "change_not_allowed"}]},
        allow_vote_change=False,
    ),
    case(
        "ballots_with_equal_timestamps_are_ordered_by_seq",
        "0.3: seq orders ballots with equal cast_at. e's objection has seq 2, e's consent seq 1"
        " (listed after it) -> the objection is the latest -> blocked, 1 superseded.",
        [*consents("a", "b", "c", "d"), objection("e", t(4, 12), seq=2),
         ballot("e", "consent", t(4, 12), seq=1)],
        {"outcome": "blocked", "outstanding_objections": ["e"], "superseded_ballots": 1},
    ),
]


@pytest.mark.parametrize("example", CASES)
def test_a_consent_process_is_decided_as_rules_section_4_says(example: dict[str, Any]) -> None:
    result = evaluate(load_case(example)).to_json()
    assert differences(example["expected"], result) == [], example["why"]
