"""Properties of meetings with an attendance sheet (hypothesis), and the engine compared
with an independent recount (``recount.py``) on random meetings.

Cases come from ``strategies.meeting_cases``; the examples per test follow the
``properties`` profile of test_properties.py.
"""

from __future__ import annotations

import copy
from fractions import Fraction
from typing import Any

from hypothesis import assume, given
from hypothesis import strategies as st

from decisions.engine import dump_case, evaluate, load_case

from .recount import recount
from .strategies import OUTSIDER, Json, meeting_cases
from .test_properties import PROPERTY

MEETINGS = meeting_cases()
UNWEIGHTED = meeting_cases(weighted=False)


def decide(case: Json) -> Json:
    return evaluate(load_case(copy.deepcopy(case))).to_json()


def _exact(value: Any) -> Fraction | None:
    return None if value is None else Fraction(str(value))


@PROPERTY
@given(case=MEETINGS)
def test_the_engine_agrees_with_an_independent_recount_of_the_meeting(case: Json) -> None:
    """Outcome, counts, eligible, present, participants, quorum, base, shares, attendance,
    and every refused proxy, postal form and ballot with its reason: the engine and a plain
    recount written from docs/rules.md 0.4 without the engine's code agree."""
    result, expected = decide(case), recount(case)
    assert result["outcome"] == expected.outcome
    assert {k: _exact(v) for k, v in result["counts"].items()} == expected.counts
    assert _exact(result["eligible"]) == expected.eligible
    assert _exact(result["present"]) == expected.present
    assert _exact(result["participants"]) == expected.participants
    assert result["quorum_met"] == expected.quorum_met
    if case["family"] == "majority":
        assert _exact(result["base_count"]) == expected.base_count
        assert _exact(result["yes_share"]) == expected.yes_share
    else:
        assert _exact(result["weighted_yes_share"]) == expected.weighted_yes_share
    if "attendance" in result:
        assert result["attendance"] == expected.attendance
    else:  # a roll without remote members, proxies, postal forms nor weights
        assert expected.attendance == {**dict.fromkeys(expected.attendance, 0),
                                       "in_room": expected.attendance["in_room"]}
    assert [(r["member"], r["holder"], r["reason"])
            for r in result.get("refused_proxies", [])] == expected.refused_proxies
    assert [r["member"] for r in result.get("refused_postal", [])] == expected.refused_postal
    assert sorted((r["voter"], r["reason"]) for r in result["rejected_ballots"]) == (
        expected.rejected)


def _members(case: Json) -> list[str]:
    return [m if isinstance(m, str) else m["id"] for m in case["electorate"]["members"]]


def _with_proxy(case: Json, member: str, holder: str) -> Json:
    """The meeting with an accepted proxy of ``member`` to ``holder``: the holder in the
    room and giving no proxy, the member absent otherwise and holding none, no cap, no
    college rule; the member's own and postal ballots left out, and a ballot the holder
    casts for them at a minute no other ballot has."""
    case = copy.deepcopy(case)
    sheet, params = case["electorate"], case["params"]
    sheet["represented_by"] = {m: h for m, h in sheet["represented_by"].items()
                               if h != member and m not in (member, holder)}
    sheet["represented_by"][member] = holder
    sheet["present"] = [m for m in sheet["present"] if m != member]
    if holder not in sheet["present"]:
        sheet["present"].append(holder)
    sheet["remote"] = [m for m in sheet["remote"] if m not in (member, holder)]
    sheet["postal"].pop(member, None)
    params["max_proxies_per_holder"] = "unlimited"
    params["proxy_same_college"] = False
    case["ballots"] = [b for b in case["ballots"]
                       if b["voter"] != member or b.get("cast_by") not in (None, member)]
    taken = {b["cast_at"] for b in case["ballots"]}
    free = next(t for t in (f"2025-01-06T08:{m:02d}:0{s}Z" for m in range(3, 9)
                            for s in range(10)) if t not in taken)
    case["ballots"].append({"voter": member, "position": "no", "cast_at": free,
                            "cast_by": holder})
    return case


@PROPERTY
@given(case=MEETINGS, data=st.data())
def test_a_proxy_ballot_counts_exactly_as_the_represented_members_own_ballot_would(
    case: Json, data: st.DataObject
) -> None:
    """A member d represented by an accepted proxy of h, h casting ballots for d: the same
    meeting with d in the room casting those ballots themself (and h holding no proxy of
    d) gives the same counts, present, eligible, shares and outcome."""
    members = _members(case)
    assume(len(members) >= 2)
    member, holder = data.draw(st.permutations(members))[:2]
    represented = _with_proxy(case, member, holder)
    before = decide(represented)
    assert before["represented_by"].get(member) == holder
    in_person = copy.deepcopy(represented)
    sheet = in_person["electorate"]
    del sheet["represented_by"][member]
    sheet["present"].append(member)
    for ballot in in_person["ballots"]:
        if ballot["voter"] == member and ballot.get("cast_by") == holder:
            del ballot["cast_by"]
    after = decide(in_person)
    for key in ("outcome", "counts", "present", "eligible", "participants", "base_count",
                "yes_share", "weighted_yes_share", "quorum_met"):
        assert after.get(key) == before.get(key), key
    assert [(r["voter"], r["reason"], r["cast_at"]) for r in after["rejected_ballots"]] == [
        (r["voter"], r["reason"], r["cast_at"]) for r in before["rejected_ballots"]]
    if "attendance" in after:  # else no proxy, remote member nor postal form is left
        assert after["attendance"]["represented"] == before["attendance"]["represented"] - 1
        assert after["attendance"]["in_room"] == before["attendance"]["in_room"] + 1


@PROPERTY
@given(case=MEETINGS, data=st.data())
def test_refused_proxies_and_ballots_never_change_the_count_of_valid_ballots(
    case: Json, data: st.DataObject
) -> None:
    """Added to a meeting: a proxy to a non-member, given by a member who holds no proxy
    and has none, with a ballot the outsider casts for them; and a ballot cast in a
    member's name by someone holding no proxy of theirs. Both proxy and ballots are
    refused and listed; counts, present, participants and outcome do not move."""
    before = decide(case)
    sheet = case["electorate"]
    members = [m if isinstance(m, str) else m["id"] for m in sheet["members"]]
    holders = set(sheet["represented_by"].values())
    free = [m for m in members if m not in sheet["represented_by"] and m not in holders]
    assume(free)
    giver = data.draw(st.sampled_from(free))
    other = data.draw(st.sampled_from(members))
    stray = data.draw(st.sampled_from([m for m in members
                                       if sheet["represented_by"].get(other) != m]))
    assume(stray != other)
    more = copy.deepcopy(case)
    more["electorate"]["represented_by"][giver] = OUTSIDER
    times = {b["cast_at"] for b in case["ballots"]}
    free_times = [t for t in (f"2025-01-06T08:{m:02d}:00Z" for m in range(15, 60))
                  if t not in times]
    more["ballots"] += [
        {"voter": giver, "position": "yes", "cast_at": free_times[0], "cast_by": OUTSIDER},
        {"voter": other, "position": "yes", "cast_at": free_times[1], "cast_by": stray},
    ]
    after = decide(more)
    for key in ("outcome", "counts", "present", "participants", "base_count", "yes_share",
                "weighted_yes_share"):
        assert after.get(key) == before.get(key), key
    assert len(after["rejected_ballots"]) == len(before["rejected_ballots"]) + 2
    assert len(after["refused_proxies"]) == len(before.get("refused_proxies", [])) + 1


@PROPERTY
@given(case=UNWEIGHTED)
def test_every_ballot_of_a_meeting_is_counted_superseded_or_refused_exactly_once(
    case: Json,
) -> None:
    """Without weights (participants are heads) and without postal forms counted as votes
    against an amended text (votes without a ballot): refused + counted + superseded =
    every ballot."""
    assume(case["params"].get("postal_on_amended") != "no"
           or not case["params"].get("amended_in_meeting"))
    result = decide(case)
    assert len(result["rejected_ballots"]) + result["participants"] + result[
        "superseded_ballots"] == len(case["ballots"])


@PROPERTY
@given(case=MEETINGS, k=st.sampled_from([2, 3, Fraction(1, 3)]))
def test_multiplying_every_member_weight_leaves_the_decision_unchanged(
    case: Json, k: Fraction | int
) -> None:
    """Every weight (1 when not given) times k: shares, quorum ratios and thresholds are
    ratios, so the outcome, the shares and the quorum do not move."""
    scaled = copy.deepcopy(case)
    roll = scaled["electorate"]["members"]
    for i, member in enumerate(roll):
        row = {"id": member} if isinstance(member, str) else member
        weight = Fraction(str(row.get("weight", 1))) * k
        row["weight"] = f"{weight.numerator}/{weight.denominator}"
        roll[i] = row
    before, after = decide(case), decide(scaled)
    for key in ("outcome", "quorum_met", "yes_share", "weighted_yes_share"):
        assert after.get(key) == before.get(key), key


@PROPERTY
@given(case=UNWEIGHTED)
def test_a_weight_of_1_written_out_changes_nothing(case: Json) -> None:
    written = copy.deepcopy(case)
    written["electorate"]["members"] = [
        {"id": m, "weight": 1} if isinstance(m, str) else {**m, "weight": 1}
        for m in written["electorate"]["members"]]
    assert decide(written) == decide(case)


@PROPERTY
@given(case=MEETINGS)
def test_a_meeting_is_written_and_read_back_unchanged(case: Json) -> None:
    value = load_case(copy.deepcopy(case))
    assert load_case(dump_case(value)) == value
    assert decide(dump_case(value)) == decide(case)


@PROPERTY
@given(case=MEETINGS, data=st.data())
def test_the_order_of_arrival_of_ballots_and_proxies_does_not_change_the_result(
    case: Json, data: st.DataObject
) -> None:
    """Ballots in any order, proxies and postal forms listed in any order: the same result."""
    shuffled = copy.deepcopy(case)
    shuffled["ballots"] = data.draw(st.permutations(case["ballots"]))
    sheet = shuffled["electorate"]
    for key in ("represented_by", "postal"):
        items = data.draw(st.permutations(list(sheet[key].items())))
        sheet[key] = dict(items)
    assert decide(shuffled) == decide(case)
