"""Properties of the engine that hold for every valid case (hypothesis).

The cases come from ``strategies.py`` as JSON values of the case format. Each test states
its property in its name; transformations of a case are spelled out in the docstrings.
The examples run per test is set by the ``properties`` profile (``PROPERTIES_PROFILE=
properties-thorough`` runs many more).
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable
from datetime import datetime
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from decisions.engine import (
    CollegeParams,
    ConsentParams,
    EmptyCollegePolicy,
    MajorityParams,
    ThresholdName,
    dump_case,
    evaluate,
    load_case,
    parse_case_text,
)
from decisions.engine.testing import at

from .strategies import (
    SPAN,
    Json,
    college_cases,
    consent_cases,
    election_logs,
    majority_cases,
    minute_of,
    sociocratic_logs,
)

settings.register_profile("properties", max_examples=100, deadline=None,
                          report_multiple_bugs=False,
                          phases=[p for p in Phase if p is not Phase.explain],
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("properties-thorough", max_examples=2000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
PROPERTY = settings(settings.get_profile(os.environ.get("PROPERTIES_PROFILE", "properties")))

ANY_CASE: dict[str, st.SearchStrategy[Json]] = {
    "majority": majority_cases(),
    "scic_college": college_cases(),
    "consent": consent_cases(),
    "sociocratic_consent": sociocratic_logs(),
    "sociocratic_election": election_logs(),
}
BALLOT_CASES: dict[str, st.SearchStrategy[Json]] = {  # a third of them can close early
    "majority": st.one_of(majority_cases("individual"),
                          majority_cases("individual", everyone_votes=True),
                          majority_cases("individual", early_close=True)),
    "scic_college": st.one_of(college_cases("individual"),
                              college_cases("individual", everyone_votes=True),
                              college_cases("individual", early_close=True)),
    "consent": st.one_of(consent_cases(), consent_cases(everyone_votes=True),
                         consent_cases(early_close=True)),
}
DISTINCT_TIME_CASES: dict[str, st.SearchStrategy[Json]] = {
    "majority": majority_cases("individual", distinct_times=True),
    "scic_college": college_cases("individual", distinct_times=True),
    "consent": consent_cases(distinct_times=True),
}
TALLY_CASES: dict[str, st.SearchStrategy[Json]] = {
    "majority": majority_cases("tally"),
    "scic_college": college_cases("tally"),
}
VOTE_CASES: dict[str, st.SearchStrategy[Json]] = {
    "majority": majority_cases(),
    "scic_college": college_cases(),
}
TIMED_CASES: dict[str, st.SearchStrategy[Json]] = {
    "majority": majority_cases(),
    "scic_college": college_cases(),
    "consent": consent_cases(),
}
LOGS: dict[str, st.SearchStrategy[Json]] = {
    "sociocratic_consent": sociocratic_logs(),
    "sociocratic_election": election_logs(),
}
EARLY_CLOSE = {"majority": "close_when_all_voted", "scic_college": "close_when_all_voted",
               "consent": "close_when_all_responded"}
DECIDED = ("adopted", "rejected")


def _families(strategies: dict[str, st.SearchStrategy[Json]]) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("family", list(strategies))


def decide(case: Json, now: datetime | None = None) -> Json:
    """The result, as JSON, of a case given as JSON."""
    return evaluate(load_case(copy.deepcopy(case)), now).to_json()


def _fraction(text: str | None) -> Fraction | None:
    return None if text is None else Fraction(text)


def _ballots_and_events(case: Json) -> tuple[list[Json], list[Json]]:
    items = case["ballots"]
    return [b for b in items if "type" not in b], [e for e in items if "type" in e]


def _instant(case: Json) -> int | None:
    evaluated = case["params"].get("evaluated_at")
    return None if evaluated is None else minute_of(evaluated)


def _closed_when_cast(case: Json, result: Json) -> Callable[[Json], bool]:
    """Whether the vote was closed when a ballot was cast: at or after the deadline (after
    it when inclusive), or after the early close the result reports. Such a ballot is
    refused whatever the instant of evaluation (docs/rules.md 0.3, 8b)."""
    window = load_case(case).params.window  # type: ignore[union-attr]
    closes, early = window.closes_at, result.get("closed_early_at")
    closed_early = None if early is None else datetime.fromisoformat(early)

    def closed(ballot: Json) -> bool:
        cast = datetime.fromisoformat(ballot["cast_at"])
        if closes is not None and (cast > closes
                                   or (cast == closes and not window.deadline_inclusive)):
            return True
        return closed_early is not None and cast > closed_early

    return closed


def _known(case: Json, result: Json, ballots: list[Json]) -> list[Json]:
    """The ballots the result accounts for: those cast by the instant of evaluation, and
    later ones cast when the vote was closed."""
    instant, closed = _instant(case), _closed_when_cast(case, result)
    return [b for b in ballots
            if instant is None or minute_of(b["cast_at"]) <= instant or closed(b)]


def _first_open_minute(case: Json) -> int | None:
    """The earliest minute a ballot is accepted in the case's window, or None if the window
    accepts nothing (opens and closes at the same instant, deadline exclusive)."""
    params = case["params"]
    opens = params.get("opens_at")
    closes = params.get("closes_at")
    first = 0 if opens is None else minute_of(opens)
    if closes is not None and minute_of(closes) == first and not params.get(
            "deadline_inclusive", False):
        return None
    return first


# 1. Order of arrival ---------------------------------------------------------------------


@_families(BALLOT_CASES)
@PROPERTY
@given(data=st.data())
def test_the_order_of_arrival_of_independent_ballots_does_not_change_the_result(
    family: str, data: st.DataObject
) -> None:
    """Ballots are listed in any order (events keep theirs); ballots of one voter never
    share both ``cast_at`` and ``seq``, ballots of different voters may share a time. The
    whole result, explanation and record lists included, must be identical."""
    case = data.draw(BALLOT_CASES[family])
    ballots, events = _ballots_and_events(case)
    shuffled = data.draw(st.permutations(ballots))
    assert decide({**case, "ballots": [*shuffled, *events]}) == decide(case)


def _records_sorted(result: Json) -> Json:
    """The result with its refused-ballot records in a canonical order."""
    records = result.get("rejected_ballots", [])
    return {**result, "rejected_ballots": sorted(
        records, key=lambda r: (r.get("cast_at", ""), r["voter"], r["reason"]))}


@_families(BALLOT_CASES)
@PROPERTY
@given(data=st.data())
def test_the_order_of_arrival_of_independent_ballots_does_not_change_what_counts(
    family: str, data: st.DataObject
) -> None:
    """As the first property, but refused-ballot records at one same instant may come in
    any order: what is counted, refused and decided must not depend on arrival."""
    case = data.draw(BALLOT_CASES[family])
    ballots, events = _ballots_and_events(case)
    shuffled = data.draw(st.permutations(ballots))
    assert _records_sorted(decide({**case, "ballots": [*shuffled, *events]})) == (
        _records_sorted(decide(case)))


@_families(DISTINCT_TIME_CASES)
@PROPERTY
@given(data=st.data())
def test_the_order_of_arrival_of_ballots_cast_at_distinct_times_does_not_change_the_result(
    family: str, data: st.DataObject
) -> None:
    """As above, with no two ballots at the same instant: arrival order is then irrelevant
    even to the order of the records."""
    case = data.draw(DISTINCT_TIME_CASES[family])
    ballots, events = _ballots_and_events(case)
    shuffled = data.draw(st.permutations(ballots))
    assert decide({**case, "ballots": [*shuffled, *events]}) == decide(case)


@_families(BALLOT_CASES)
@PROPERTY
@given(data=st.data())
def test_numbering_every_ballot_seq_0_changes_nothing(family: str, data: st.DataObject) -> None:
    """``seq`` 0 given to every ballot that has none: the same order (``seq`` absent
    counts as 0), so the same result. Ballot lists without any ``seq`` are counted on the
    engine's fast path when they can be, numbered ones on the careful path: this compares
    the two."""
    case = data.draw(BALLOT_CASES[family])
    numbered = copy.deepcopy(case)
    for item in numbered["ballots"]:
        if "type" not in item:
            item.setdefault("seq", 0)
    assert decide(numbered) == decide(case)


# The smallest cases the two properties above shrink to, kept as fixed regressions.
_EARLY_CLOSE_TIE = {  # a changes at the very instant b's first ballot closes the vote
    "majority": ({"family": "majority", "params": {"threshold": "simple", "base": "YN",
                                                   "close_when_all_voted": True},
                  "electorate": {"members": ["a", "b"]}}, ("yes", "no", "yes")),
    "scic_college": ({"family": "scic_college", "params": {
        "threshold": "simple", "base": "YN", "close_when_all_voted": True,
        "colleges": [{"id": "x"}, {"id": "y"}, {"id": "z"}]},
        "electorate": {"members": [{"id": "a", "college": "x"}, {"id": "b", "college": "y"}]}},
        ("yes", "no", "yes")),
    "consent": ({"family": "consent", "params": {}, "electorate": {"members": ["a", "b"]}},
                ("consent", "object", "consent")),
}


@pytest.mark.parametrize("family", list(_EARLY_CLOSE_TIE))
def test_a_change_cast_at_the_instant_of_an_early_close_counts_whatever_the_arrival_order(
    family: str,
) -> None:
    """a votes at minute 1 and changes at minute 5; b, the last to answer, votes at minute
    5 (no ``seq``). Whether a's change is counted or refused ``change_not_allowed`` must
    not depend on which of the two minute-5 ballots arrived first."""
    case, (first, change, other) = _EARLY_CLOSE_TIE[family]
    a1 = {"voter": "a", "position": first, "cast_at": at(1)}
    a5 = {"voter": "a", "position": change, "cast_at": at(5), "reason": "over budget"}
    b5 = {"voter": "b", "position": other, "cast_at": at(5)}
    assert decide({**case, "ballots": [a1, b5, a5]}) == decide({**case, "ballots": [a1, a5, b5]})


def test_refused_ballots_cast_at_one_instant_are_recorded_whatever_the_arrival_order() -> None:
    """Two refused ballots of different voters at the same instant (one late, one not
    eligible): the ``rejected_ballots`` records must come in the same order."""
    case = {"family": "majority",
            "params": {"threshold": "simple", "base": "YN", "closes_at": at(0)},
            "electorate": {"members": ["m0"]}}
    late = {"voter": "m0", "position": "yes", "cast_at": at(0)}
    outsider = {"voter": "zed", "position": "yes", "cast_at": at(0)}
    assert decide({**case, "ballots": [late, outsider]}) == decide(
        {**case, "ballots": [outsider, late]})


# 2. Monotonicity of a yes ------------------------------------------------------------------


def _assert_not_worse(before: Json, after: Json, share_key: str) -> None:
    if before["outcome"] == "adopted":
        # A "no" bloc that a yes ties falls silent (rules.md 8b); when it was the only
        # college expressing, and only a threshold of 0 adopted its share of 0, nothing
        # is expressed any more: rejected for an empty base, as the rule says.
        silent = after.get("method") == "bloc" and after.get("reason") == "empty_base"
        assert after["outcome"] == "adopted" or silent, (before, after)
    if before.get("quorum_met"):
        assert after["quorum_met"]
    old, new = _fraction(before.get(share_key)), _fraction(after.get(share_key))
    if old is not None and before["outcome"] != "pending":
        if new is None:  # only a bloc can fall silent: its no turned into a tie
            assert after.get("method") == "bloc"
        else:
            assert new >= old


@PROPERTY
@given(case=majority_cases("tally"), data=st.data())
def test_one_more_yes_in_a_majority_tally_never_undoes_an_adoption(
    case: Json, data: st.DataObject
) -> None:
    """Transformation, on a counted meeting: either (a) a new member joins, is present and
    votes yes (``eligible`` +1, ``present`` +1 when given, ``yes`` +1), or (b) one counted
    ``no``, ``abstain``, ``blank`` or ``invalid`` becomes a ``yes``. Under every base and
    threshold, ``adopted`` stays ``adopted``, a met quorum stays met, and the yes share
    does not go down (monotone in yes for YN..cast, and (y+1)/(b+1) >= y/b for present
    and entitled since y <= b)."""
    before = decide(case)
    changed = copy.deepcopy(case)
    tally, electorate = changed["ballots"], changed["electorate"]
    others = [k for k in ("no", "abstain", "blank", "invalid") if tally.get(k, 0) > 0]
    turned = data.draw(st.sampled_from([None, *others]))
    if turned is None:
        electorate["eligible"] += 1
        if "present" in electorate:
            electorate["present"] += 1
    else:
        tally[turned] -= 1
    tally["yes"] = tally.get("yes", 0) + 1
    _assert_not_worse(before, decide(changed), "yes_share")


@PROPERTY
@given(case=college_cases("tally"), data=st.data())
def test_one_more_yes_in_a_college_tally_never_undoes_an_adoption(
    case: Json, data: st.DataObject
) -> None:
    """Transformation, on counts by college: in one college, either (a) a new member joins,
    is present and votes yes (``members``, ``present`` and ``yes`` +1), or (b) one counted
    ``no``, ``abstain``, ``blank`` or ``invalid`` becomes ``yes``. For both methods and both
    silent-college policies, ``adopted`` stays ``adopted``, a met quorum (any scope) stays
    met and the weighted yes share does not go down: a college's share rises, a silent
    college that starts expressing does so with share 1, a bloc moves towards yes (a
    ``no`` bloc may tie and fall silent: if it was the only college expressing, the share
    becomes undefined and the vote stays rejected)."""
    before = decide(case)
    changed = copy.deepcopy(case)
    college = data.draw(st.sampled_from([c["id"] for c in changed["params"]["colleges"]]))
    tally = changed["ballots"].setdefault(college, {})
    heads = changed["electorate"]["colleges"].setdefault(college, {"members": 0, "present": 0})
    others = [k for k in ("no", "abstain", "blank", "invalid") if tally.get(k, 0) > 0]
    turned = data.draw(st.sampled_from([None, *others]))
    if turned is None:
        heads["members"] += 1
        heads["present"] += 1
    else:
        tally[turned] -= 1
    tally["yes"] = tally.get("yes", 0) + 1
    _assert_not_worse(before, decide(changed), "weighted_yes_share")


@_families(VOTE_CASES)
@PROPERTY
@given(data=st.data())
def test_a_new_member_voting_yes_never_undoes_an_adoption(
    family: str, data: st.DataObject
) -> None:
    """Transformation, on individual ballots: a new member ``newcomer`` (in a drawn college
    for scic_college) joins the roll and votes yes at the first instant the window accepts,
    with ``seq`` 0, listed first. Their ballot is then the earliest accepted one, so it
    cannot move an early close (``close_when_all_voted``) that was already reached and
    cannot make one happen. With any base (present counts them as present), quorum and
    threshold, ``adopted`` stays ``adopted``, a met quorum stays met and the (weighted)
    yes share does not go down, as for tallies. Cases where that instant is after the
    evaluation or outside the window are skipped (the ballot would not count)."""
    case = data.draw(BALLOT_CASES[family])
    first = _first_open_minute(case)
    instant = _instant(case)
    assume(first is not None and (instant is None or first <= instant))
    assert first is not None
    before = decide(case)
    changed = copy.deepcopy(case)
    members = changed["electorate"]["members"]
    if family == "scic_college":
        college = data.draw(st.sampled_from([c["id"] for c in changed["params"]["colleges"]]))
        members.append({"id": "newcomer", "college": college})
    else:
        members.append("newcomer")
    changed["ballots"].insert(0, {"voter": "newcomer", "position": "yes",
                                  "cast_at": at(first), "seq": 0})
    share = "weighted_yes_share" if family == "scic_college" else "yes_share"
    _assert_not_worse(before, decide(changed), share)


# 3. A standing valid objection -----------------------------------------------------------


@PROPERTY
@given(case=consent_cases(), data=st.data())
def test_a_standing_valid_objection_always_prevents_adoption_in_a_consent_process(
    case: Json, data: st.DataObject
) -> None:
    """Transformation: a new member ``objector`` objects with a reason, inside the window,
    ``object`` being an offered position; they cast no other ballot. Events about them are
    only ones that must not lift the objection: qualified ``valid`` (any time), or
    ``invalid``/``concern``/withdrawn but dated before the objection or at/after the
    deadline (docs/rules.md 8b: such qualifications are ignored). The outcome is never
    ``adopted`` (``blocked``, or ``pending``/``no_quorum`` which come first), and once the
    deadline has passed the objector is listed among the outstanding objections."""
    params = case["params"]
    first = _first_open_minute(case)
    assume(first is not None)
    assert first is not None
    closes = params.get("closes_at")
    instant = _instant(case)
    last = SPAN if closes is None else minute_of(closes) - (
        0 if params.get("deadline_inclusive", False) else 1)
    if instant is not None and (closes is None or instant < minute_of(closes)):
        last = min(last, instant)  # known at the instant of evaluation (if it is closed)
    assume(first <= last)
    cast = data.draw(st.integers(first, last))
    changed = copy.deepcopy(case)
    changed["electorate"]["members"].append("objector")
    if "positions" in changed["params"] and "object" not in changed["params"]["positions"]:
        changed["params"]["positions"].append("object")
    changed["ballots"].insert(data.draw(st.integers(0, len(changed["ballots"]))), {
        "voter": "objector", "position": "object", "cast_at": at(cast),
        "reason": "breaks the spending limit"})
    harmless: list[Json] = [{"type": "objection_qualified", "voter": "objector",
                             "result": "valid", "decided_by": "circle",
                             "at": at(data.draw(st.integers(cast, SPAN + 2)))}]
    if cast > 0:
        harmless += [
            {"type": "objection_qualified", "voter": "objector", "result": "invalid",
             "decided_by": "circle", "at": at(data.draw(st.integers(0, cast - 1)))},
            {"type": "objection_withdrawn", "voter": "objector",
             "at": at(data.draw(st.integers(0, cast - 1)))},
        ]
    if closes is not None:
        harmless.append({"type": "objection_qualified", "voter": "objector",
                         "result": data.draw(st.sampled_from(["invalid", "concern"])),
                         "decided_by": "circle",
                         "at": at(minute_of(closes) + data.draw(st.integers(0, 2)))})
    changed["ballots"] += data.draw(st.lists(st.sampled_from(harmless), max_size=3))
    result = decide(changed)
    assert result["outcome"] in ("blocked", "pending", "no_quorum"), result
    if result["outcome"] == "blocked":
        assert "objector" in result["outstanding_objections"]
    if result["outcome"] != "pending" and (instant is None or cast <= instant):
        assert "objector" in result["outstanding_objections"]


def _standing_objection(case: Json, data: st.DataObject) -> Json:
    """The log with, at its end, a reasoned objection by a new member ``objector`` in the
    last round opened (a first round is opened if there is none), followed only by events
    that must not lift it: a ``valid`` qualification by the objector or the circle, an
    ``invalid`` one by the facilitator alone (not authorized), events about other members."""
    changed = copy.deepcopy(case)
    changed["electorate"]["members"].append("objector")
    if "present" in changed["electorate"]:
        changed["electorate"]["present"].append("objector")
    log = changed["ballots"]
    rounds = [e["round"] for e in log if e["type"] == "round_open"]
    if not rounds:
        log.append({"type": "round_open", "round": 1})
        rounds = [1]
    log.append({"type": "position", "round": rounds[-1], "voter": "objector",
                "position": "object", "reason": "unsafe for the members"})
    others = list(case["electorate"]["members"])
    harmless = [
        {"type": "objection_qualified", "voter": "objector", "result": "valid",
         "decided_by": "circle"},
        {"type": "objection_qualified", "voter": "objector", "result": "valid",
         "decided_by": "objector", "round": rounds[-1]},
        {"type": "objection_qualified", "voter": "objector", "result": "invalid",
         "decided_by": "facilitator"},
        *({"type": "position", "round": rounds[-1], "voter": m, "position": "consent"}
          for m in others),
        *({"type": "objection_withdrawn", "voter": m} for m in others),
    ]
    log += data.draw(st.lists(st.sampled_from(harmless), max_size=3))
    return changed


@_families(LOGS)
@PROPERTY
@given(data=st.data())
def test_a_standing_valid_objection_always_prevents_adoption_in_sociocratic_rounds(
    family: str, data: st.DataObject
) -> None:
    """See ``_standing_objection`` for the transformation. The last round lists the
    objector among its objections and the outcome is never ``adopted``: ``pending``
    (someone missing, an amendment awaiting its round, or no candidate yet),
    ``needs_integration``, ``escalated`` or ``blocked``."""
    changed = _standing_objection(data.draw(LOGS[family]), data)
    result = decide(changed)
    assert result["outcome"] in ("pending", "needs_integration", "escalated", "blocked"), result
    assert "objector" in result["rounds"][-1]["objections"]
    assert result.get("elected") is None


# 4. Repeated evaluation --------------------------------------------------------------------


@_families(ANY_CASE)
@PROPERTY
@given(data=st.data())
def test_evaluating_a_case_again_or_from_its_json_text_gives_the_same_result(
    family: str, data: st.DataObject
) -> None:
    """Same value twice, the case's JSON text, and the text of ``dump_case``: one result,
    itself plain JSON (it survives ``json.dumps``/``json.loads`` unchanged)."""
    case_json = data.draw(ANY_CASE[family])
    case = load_case(copy.deepcopy(case_json))
    first = evaluate(case).to_json()
    assert evaluate(case).to_json() == first
    assert evaluate(load_case(copy.deepcopy(case_json))).to_json() == first
    assert evaluate(parse_case_text(json.dumps(case_json))).to_json() == first
    assert evaluate(parse_case_text(json.dumps(dump_case(case)))).to_json() == first
    assert json.loads(json.dumps(first, allow_nan=False)) == first


# 5. The case format is lossless ------------------------------------------------------------


@_families(ANY_CASE)
@PROPERTY
@given(data=st.data())
def test_writing_a_case_and_reading_it_back_gives_the_same_case(
    family: str, data: st.DataObject
) -> None:
    """``load_case(dump_case(c)) == c``; the dump is plain JSON (no NaN, no Python-only
    values), reads back from its text, and is stable: ``dump(load(dump(c))) == dump(c)``."""
    case = load_case(data.draw(ANY_CASE[family]))
    dumped = dump_case(case)
    text = json.dumps(dumped, allow_nan=False)
    assert json.loads(text) == dumped
    assert load_case(dumped) == case
    assert parse_case_text(text) == case
    assert dump_case(load_case(dumped)) == dumped


# 6. College weights --------------------------------------------------------------------------


@PROPERTY
@given(case=college_cases())
def test_effective_college_weights_sum_to_one_and_the_weighted_share_is_a_proportion(
    case: Json,
) -> None:
    """``redistribute``: effective weights sum to exactly 1 when a college expresses (0 for
    the silent ones), all 0 otherwise; ``fixed``: they are the statutory weights and sum to
    1 always. Statutory weights sum to 1. ``weighted_yes_share`` is in [0, 1]."""
    result = decide(case)
    assume("colleges" in result)
    colleges = result["colleges"].values()
    assert sum(Fraction(c["weight"]) for c in colleges) == 1
    effective = sum(Fraction(c["weight_effective"]) for c in colleges)
    policy = load_case(case).params
    assert isinstance(policy, CollegeParams)
    if policy.empty_college_policy is EmptyCollegePolicy.FIXED:
        assert effective == 1
        assert all(c["weight_effective"] == c["weight"] for c in colleges)
    elif any(c["expressing"] for c in colleges):
        assert effective == 1
        assert all(c["weight_effective"] == "0/1" for c in colleges if not c["expressing"])
    else:
        assert effective == 0
    share = _fraction(result["weighted_yes_share"])
    assert share is None or 0 <= share <= 1
    assert (share is None) == (not any(c["expressing"] for c in colleges))


@PROPERTY
@given(case=college_cases())
def test_the_weighted_share_is_the_weighted_mean_of_the_expressing_colleges(
    case: Json,
) -> None:
    """Recomputed from the per-college records (docs/rules.md 3.4, 3.5): proportional
    ``sum(w_c * share_c) / D``, bloc ``sum(w_c for yes blocs) / D``, over expressing
    colleges, with D the expressing weight (redistribute) or 1 (fixed)."""
    result = decide(case)
    assume(result.get("weighted_yes_share") is not None)
    params = load_case(case).params
    assert isinstance(params, CollegeParams)
    expressing = [c for c in result["colleges"].values() if c["expressing"]]
    weight = {id(c): Fraction(c["weight"]) for c in expressing}
    if result["method"] == "bloc":
        numerator = sum((weight[id(c)] for c in expressing if c["bloc"] == "yes"), Fraction(0))
    else:
        numerator = sum((weight[id(c)] * Fraction(c["yes_share"]) for c in expressing),
                        Fraction(0))
    redistribute = params.empty_college_policy is EmptyCollegePolicy.REDISTRIBUTE
    denominator = sum(weight.values(), Fraction(0)) if redistribute else Fraction(1)
    assert Fraction(result["weighted_yes_share"]) == numerator / denominator


@PROPERTY
@given(case=college_cases())
def test_null_weights_decide_as_equal_weights_written_out(case: Json) -> None:
    """All weights ``null`` (the legal default) and every weight ``"100/n"`` give the same
    result (docs/rules.md 3.2 item 2)."""
    colleges = case["params"]["colleges"]
    written = copy.deepcopy(case)
    for college, equal in zip(colleges, written["params"]["colleges"], strict=True):
        college["weight"] = None
        equal["weight"] = f"100/{len(colleges)}"
    assert decide(written) == decide(case)


@PROPERTY
@given(case=college_cases())
def test_the_order_in_which_colleges_are_listed_does_not_change_the_decision(
    case: Json,
) -> None:
    """The colleges listed in reverse order: every field but the explanation (which
    follows the listing order) is the same."""
    reordered = copy.deepcopy(case)
    reordered["params"]["colleges"].reverse()
    before, after = decide(case), decide(reordered)
    before.pop("explanation")
    after.pop("explanation")
    assert after == before


@PROPERTY
@given(case=college_cases(), bad=st.sampled_from(["5", "9", "19/2", "101/2", "51", "60"]),
       drift=st.sampled_from(["1", "1/3", "-1/2"]))
def test_weights_outside_the_scic_bounds_or_not_summing_to_100_are_refused_first(
    case: Json, bad: str, drift: str
) -> None:
    """One college gets an out-of-bounds weight, the others share the rest equally:
    ``invalid_config``/``weight_out_of_bounds`` listing exactly the colleges outside
    [10, 50], whatever the ballots. Then one weight drifts so the sum is not 100:
    ``weights_sum`` listing every college."""
    assume(case["params"].get("enforce_scic_bounds", True))
    colleges = case["params"]["colleges"]
    rest = (100 - Fraction(bad)) / (len(colleges) - 1)
    weights = [Fraction(bad)] + [rest] * (len(colleges) - 1)
    for college, weight in zip(colleges, weights, strict=True):
        college["weight"] = f"{weight.numerator}/{weight.denominator}"
    result = decide(case)
    offending = sorted(c["id"] for c, w in zip(colleges, weights, strict=True)
                       if not 10 <= w <= 50)
    assert result["outcome"] == "invalid_config"
    assert result["config_error"] == "weight_out_of_bounds"
    assert result["colleges"] == offending
    drifted = weights[1] + Fraction(drift)
    colleges[1]["weight"] = f"{drifted.numerator}/{drifted.denominator}"
    result = decide(case)
    assert (result["outcome"], result["config_error"]) == ("invalid_config", "weights_sum")
    assert result["colleges"] == sorted(c["id"] for c in colleges)


# Counts, shares and thresholds ---------------------------------------------------------------


@_families(VOTE_CASES)
@PROPERTY
@given(data=st.data())
def test_counts_add_up_and_the_yes_share_is_yes_over_the_base(
    family: str, data: st.DataObject
) -> None:
    """The counts sum to the participants; participants and present are at most the
    eligible; ``base_count`` is the docs/rules.md 2.1 sum for its base; ``yes_share`` is
    ``yes/base_count`` (``null`` iff the base is empty); for colleges the assembly's
    figures are the sums of the colleges'. With individual ballots, every ballot known at
    the instant of evaluation is counted, superseded or refused, exactly once."""
    case = data.draw(VOTE_CASES[family])
    result = decide(case)
    assume("counts" in result)
    counts = result["counts"]
    assert sum(counts.values()) == result["participants"]
    assert result["participants"] <= result["eligible"]
    assert result["present"] <= result["eligible"]
    yes, no, abstain, blank, invalid = (counts[k] for k in ("yes", "no", "abstain", "blank",
                                                            "invalid"))
    if family == "majority":
        expected_base = {
            "YN": yes + no, "YNA": yes + no + abstain, "valid": yes + no + abstain + blank,
            "cast": yes + no + abstain + blank + invalid, "present": result["present"],
            "entitled": result["eligible"]}[result["base"]]
        assert result["base_count"] == expected_base
    else:
        colleges = result["colleges"].values()
        for key in ("yes", "no", "abstain", "blank", "invalid"):
            assert counts[key] == sum(c[key] for c in colleges)
        assert result["eligible"] == sum(c["members"] for c in colleges)
        assert result["present"] == sum(c["present"] for c in colleges)
        assert result["base_count"] == sum(c["base"] for c in colleges)
        for college in colleges:
            expected = None if college["base"] == 0 else Fraction(college["yes"],
                                                                  college["base"])
            assert _fraction(college["yes_share"]) == expected
    base_count = result["base_count"]
    assert _fraction(result["yes_share"]) == (Fraction(yes, base_count) if base_count
                                              else None)
    if isinstance(case["ballots"], list):
        known = _known(case, result, case["ballots"])
        assert len(result["rejected_ballots"]) + result["participants"] + result[
            "superseded_ballots"] == len(known)


@PROPERTY
@given(case=majority_cases())
def test_a_majority_is_decided_by_exact_cross_multiplication(case: Json) -> None:
    """Recomputed from the result's numbers (docs/rules.md 0.1, 2.2): the quorum is met iff
    ``present*den >= num*eligible``; a decided vote is adopted iff ``yes > no`` (simple) or
    ``yes*den >= num*base`` (inclusive) / ``>`` (strict); an empty base is rejected."""
    result = decide(case)
    assume("counts" in result)
    params = load_case(case).params
    assert isinstance(params, MajorityParams)
    quorum = params.quorum.at(params.convocation)
    threshold = params.threshold.at(params.convocation)
    present, eligible = result["present"], result["eligible"]
    assert result["quorum_met"] == (quorum is None
                                    or present * quorum.den >= quorum.num * eligible)
    if result["outcome"] == "adopted":
        assert result["quorum_met"]
        assert result["base_count"] > 0
    if result["outcome"] not in DECIDED or result.get("reason") == "empty_base":
        return
    yes, no, base = result["counts"]["yes"], result["counts"]["no"], result["base_count"]
    num, den = threshold.fraction.numerator, threshold.fraction.denominator
    if threshold.name is ThresholdName.SIMPLE:
        adopted = yes > no
    elif threshold.inclusive:
        adopted = yes * den >= num * base
    else:
        adopted = yes * den > num * base
    assert (result["outcome"] == "adopted") == adopted


@_families(TALLY_CASES)
@PROPERTY
@given(data=st.data())
def test_multiplying_every_count_leaves_the_decision_unchanged(
    family: str, data: st.DataObject
) -> None:
    """Every tally, eligible/members and present count multiplied by k (2 or 3): shares,
    quorum ratios and thresholds are ratios, so the outcome, the (weighted) yes share and
    the quorum are the same."""
    case = data.draw(TALLY_CASES[family])
    k = data.draw(st.integers(2, 3))
    scaled = copy.deepcopy(case)
    tallies = [scaled["ballots"]] if family == "majority" else [
        t for c, t in scaled["ballots"].items() if c != "format"]
    heads = [scaled["electorate"]] if family == "majority" else list(
        scaled["electorate"]["colleges"].values())
    for row in [*tallies, *heads]:
        for key, value in row.items():
            if isinstance(value, int):
                row[key] = value * k
    before, after = decide(case), decide(scaled)
    for key in ("outcome", "reason", "quorum_met", "yes_share", "weighted_yes_share"):
        assert after.get(key) == before.get(key), key


# Time ------------------------------------------------------------------------------------


@_families(TIMED_CASES)
@PROPERTY
@given(data=st.data())
def test_a_case_evaluated_before_its_deadline_is_pending(
    family: str, data: st.DataObject
) -> None:
    """Early close turned off, a deadline set (and the opening moved before it if
    needed), evaluated at an instant strictly before the deadline: ``pending``, unless the
    configuration or the convocation is refused first."""
    case = copy.deepcopy(data.draw(TIMED_CASES[family]))
    params = case["params"]
    params[EARLY_CLOSE[family]] = False
    closes = data.draw(st.integers(1, SPAN))
    params["closes_at"] = at(closes)
    if "opens_at" in params and minute_of(params["opens_at"]) > closes:
        params["opens_at"] = at(closes)
    now = data.draw(st.integers(0, closes - 1))
    expected = ("pending", "invalid_config", "invalid_convocation")
    assert decide(case, datetime.fromisoformat(at(now)))["outcome"] in expected
    params["evaluated_at"] = at(now)
    assert decide(case)["outcome"] in expected


@_families(TIMED_CASES)
@PROPERTY
@given(data=st.data())
def test_ballots_cast_after_the_instant_of_evaluation_are_not_known_yet(
    family: str, data: st.DataObject
) -> None:
    """Evaluating at an instant T (``now``) gives the same result as the case with
    ``evaluated_at`` T, and as the case without its ballots cast after T, but for those cast
    when the vote was closed (late, or after an early close): refused whatever T."""
    case = data.draw(TIMED_CASES[family])
    minute = data.draw(st.integers(0, SPAN + 1))
    now = datetime.fromisoformat(at(minute))
    at_now = decide(case, now)
    assert decide({**case, "params": {**case["params"], "evaluated_at": at(minute)}}) == at_now
    if isinstance(case["ballots"], list):
        closed = _closed_when_cast(case, at_now)
        kept = [b for b in case["ballots"]
                if "type" in b or minute_of(b["cast_at"]) <= minute or closed(b)]
        assert decide({**case, "ballots": kept}, now) == at_now


# Consent and sociocratic records -----------------------------------------------------------


@PROPERTY
@given(case=consent_cases())
def test_a_consent_result_accounts_for_every_member_and_every_ballot(case: Json) -> None:
    """Responders and missing members make up the electorate; the counts sum to the
    responders; ``adopted`` means no outstanding objection and at least ``min_consents``
    consents; ``blocked`` means one at least; every ballot known at the instant of
    evaluation is counted, superseded or refused exactly once."""
    result = decide(case)
    members = case["electorate"]["members"]
    assert result["responders"] + len(result["missing"]) == len(members)
    assert set(result["missing"]) <= set(members)
    assert sum(result["counts"].values()) == result["responders"]
    assert set(result["outstanding_objections"]) <= set(members)
    if result["outcome"] == "adopted":
        assert result["outstanding_objections"] == []
        params = load_case(case).params
        assert isinstance(params, ConsentParams)
        assert result["counts"]["consent"] >= params.min_consents
    if result["outcome"] == "blocked":
        assert result["outstanding_objections"]
    ballots, _ = _ballots_and_events(case)
    known = _known(case, result, ballots)
    assert len(result["rejected_ballots"]) + result["responders"] + result[
        "superseded_ballots"] == len(known)


@_families(LOGS)
@PROPERTY
@given(data=st.data())
def test_the_last_round_decides_a_sociocratic_process(family: str, data: st.DataObject) -> None:
    """Rounds are reported in log order with rising numbers; ``current_round`` is the last;
    ``adopted`` means the last round has no objection and nobody missing; ``escalated``
    needs an escalation target; an election elects the last round's candidate exactly
    when it is adopted."""
    case = data.draw(LOGS[family])
    result = decide(case)
    rounds = result["rounds"]
    numbers = [r["round"] for r in rounds]
    assert numbers == sorted(set(numbers))
    assert result["current_round"] == (numbers[-1] if numbers else None)
    if result["outcome"] == "adopted":
        assert rounds[-1]["objections"] == []
        assert rounds[-1]["missing"] == []
        assert rounds[-1]["outcome"] == "adopted"
    if result["outcome"] == "escalated":
        assert result["escalation_target"] is not None
    if family == "sociocratic_election":
        expected = rounds[-1].get("candidate") if result["outcome"] == "adopted" else None
        assert result["elected"] == expected
        if result["outcome"] == "adopted":
            assert expected is not None

