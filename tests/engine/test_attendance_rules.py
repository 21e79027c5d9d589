"""Meetings with an attendance sheet: proxies, remote members, postal votes, vote weights.

The worked cases are in tests/engine/data/attendance.json (the case format, each with its
``expected`` and its ``why`` in words); docs/rules.md 0.4 and 8b ("Meetings") give the
rules. Malformed inputs exit 2 with the JSON path at fault.
"""

from __future__ import annotations

import copy
import io
import json
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

from decisions.engine import (
    Ballot,
    Ballots,
    CaseError,
    MajorityParams,
    MajorityResult,
    Position,
    PostalOnAmended,
    ProxyRefusal,
    Roll,
    dump_case,
    evaluate,
    load_case,
)
from decisions.engine.__main__ import main
from decisions.engine.model import Base, ByConvocation, Case, Threshold, ThresholdName
from decisions.engine.testing import differences

from .test_cli_fuzz import FUZZ, answer, check_contract, mutated_examples

DATA = Path(__file__).parent / "data"
CASES: list[dict[str, Any]] = json.loads((DATA / "attendance.json").read_text())
BY_ID = {c["id"]: c for c in CASES}


def case(case_id: str) -> dict[str, Any]:
    """A fresh copy of a worked case."""
    return copy.deepcopy(BY_ID[case_id])


@pytest.mark.parametrize("example", CASES, ids=[c["id"] for c in CASES])
def test_each_worked_meeting_case_gives_its_expected_result(example: dict[str, Any]) -> None:
    result = evaluate(load_case(example)).to_json()
    assert differences(example["expected"], result) == [], example["why"]
    assert result["id"] == example["id"]


@pytest.mark.parametrize("example", CASES, ids=[c["id"] for c in CASES])
def test_each_worked_meeting_case_is_written_and_read_back_unchanged(
    example: dict[str, Any],
) -> None:
    value = load_case(example)
    assert load_case(dump_case(value)) == value
    assert evaluate(load_case(dump_case(value))) == evaluate(value)


def test_the_command_line_decides_every_meeting_case_in_one_batch() -> None:
    out, err = io.StringIO(), io.StringIO()
    assert main(["evaluate", "--batch", str(DATA / "attendance.json")], out, err) == 0
    results = json.loads(out.getvalue())
    for example, result in zip(CASES, results, strict=True):
        assert differences(example["expected"], result) == [], example["id"]


# The reasons, in words ---------------------------------------------------------------------


def text(case_id: str, language: str) -> str:
    return evaluate(load_case(case(case_id))).text(language)  # type: ignore[arg-type]


@pytest.mark.parametrize(("case_id", "language", "sentence"), [
    ("ATT-02", "en", "Proxy of c to a refused: a holds 2 proxies and the statuts allow at most 1;"
                     " none can be preferred to the others, so all are refused. c is counted"
                     " absent, and no ballot counts in their name."),
    ("ATT-02", "fr", "Procuration de c à a refusée : a détient 2 procurations et les statuts en"
                     " permettent au plus 1 ; aucune ne peut être préférée aux autres, toutes"
                     " sont refusées. c est compté·e absent·e ; aucun vote n'est retenu en son"
                     " nom."),
    ("ATT-03", "en", "Proxy of b to zed refused: zed is not a member."),
    ("ATT-03", "fr", "Procuration de c à d refusée : d n'est pas présent·e à l'assemblée."),
    ("ATT-04", "en", "Proxy of a to b refused: b has given a proxy too, and a proxy cannot be"
                     " passed on (A→B→C)."),
    ("ATT-05", "en", "Proxy of b to a refused: b takes part in person (in the room, remotely or"
                     " by post). Their own vote counts."),
    ("ATT-05", "fr", "Procuration de b à a refusée : b participe en personne"),
    ("ATT-06", "en", "2 members taking part remotely are not counted present: the statuts do not"
                     " provide for it (C. com. L225-107 II)"),
    ("ATT-06", "fr", "2 membres à distance ne sont pas comptés présents : les statuts ne le"
                     " prévoient pas (C. com. L225-107 II)"),
    ("ATT-08", "en", "Attendance: 1 in the room, 2 by postal vote; 3 votes present or"
                     " represented."),
    ("ATT-08", "en", "Postal vote of m3 refused: the form was received on 14 June 2025, 09:15 UTC,"
                     " not before the meeting (deadline: 14 June 2025, 09:00 UTC)"
                     " (C. com. L225-107 I); m3 is counted absent."),
    ("ATT-08", "fr", "Vote par correspondance de m3 refusé : formulaire reçu le 14 juin 2025 à"
                     " 09:15 UTC, pas avant l'assemblée"),
    ("ATT-10", "en", "Resolution amended in the meeting: 2 postal forms do not bear on this text;"
                     " their authors remain present but do not vote (no vote expressed)."),
    ("ATT-11", "fr", "Résolution amendée en séance : comme le prévoient les statuts, 2"
                     " formulaires de vote par correspondance comptent comme votes contre."),
    ("ATT-14", "en", "Proxy of s2 to u1 refused: the statuts require a holder of the member's"
                     " college, and u1 is of another."),
    ("ATT-15", "en", "2 ballots not counted: 1 cast by someone holding no proxy of the member,"
                     " 1 member represented by proxy."),
])
def test_every_refusal_is_explained_in_words_in_english_and_french(
    case_id: str, language: str, sentence: str
) -> None:
    assert sentence in text(case_id, language)


def test_weighted_counts_are_written_as_exact_fractions_in_the_explanation() -> None:
    assert "3/10 in favour, 3/10 against" in text("ATT-12", "en")


# Decisions of the engine, one at a time --------------------------------------------------------


def test_a_late_postal_deadline_given_by_the_statuts_lets_a_form_count() -> None:
    """ATT-08 with ``postal_deadline`` at 10:00: m3's form of 09:15 arrives in time."""
    later = case("ATT-08")
    later["params"]["postal_deadline"] = "2025-06-14T10:00:00Z"
    result = evaluate(load_case(later)).to_json()
    assert (result["present"], result["counts"]["yes"], result["refused_postal"]) == (4, 3, [])


def test_without_a_meeting_opening_nor_a_postal_deadline_every_form_counts() -> None:
    loose = case("ATT-08")
    del loose["params"]["opens_at"]
    assert evaluate(load_case(loose)).to_json()["refused_postal"] == []


def test_a_proxy_of_a_member_whose_postal_form_was_late_stands() -> None:
    """A late form leaves its member absent: a proxy they gave can then represent them."""
    late = case("ATT-08")
    late["params"]["max_proxies_per_holder"] = 1
    late["electorate"]["represented_by"] = {"m3": "m0"}
    late["ballots"].append({"voter": "m3", "position": "yes", "cast_at": "2025-06-14T10:30:00Z",
                            "cast_by": "m0"})
    result = evaluate(load_case(late)).to_json()
    assert result["represented_by"] == {"m3": "m0"}
    assert (result["present"], result["counts"]["yes"]) == (4, 3)


def test_a_remote_holder_counted_present_may_vote_for_the_members_they_represent() -> None:
    remote = case("ATT-07")
    remote["params"]["max_proxies_per_holder"] = 1
    remote["electorate"]["represented_by"] = {"d": "b"}
    remote["ballots"].append({"voter": "d", "position": "no", "cast_at": "2025-06-14T10:30:00Z",
                              "cast_by": "b"})
    result = evaluate(load_case(remote)).to_json()
    assert (result["present"], result["counts"]["no"], result["refused_proxies"]) == (4, 2, [])


def test_a_remote_holder_not_counted_present_cannot_hold_a_proxy() -> None:
    remote = case("ATT-06")
    remote["params"]["max_proxies_per_holder"] = 1
    remote["electorate"]["represented_by"] = {"d": "b"}
    refused = evaluate(load_case(remote)).to_json()["refused_proxies"]
    assert refused == [{"member": "d", "holder": "b", "reason": "holder_absent"}]


def test_a_cap_of_zero_refuses_every_proxy() -> None:
    none = case("ATT-01")
    none["params"]["max_proxies_per_holder"] = 0
    result = evaluate(load_case(none)).to_json()
    assert {r["reason"] for r in result["refused_proxies"]} == {"holder_over_cap"}
    assert result["present"] == 2


def test_a_circle_of_proxies_refuses_both() -> None:
    circle = case("ATT-04")
    circle["electorate"]["represented_by"] = {"a": "b", "b": "a"}
    reasons = [r["reason"] for r in evaluate(load_case(circle)).to_json()["refused_proxies"]]
    assert reasons == ["chain", "chain"]


def test_a_meeting_evaluated_before_its_deadline_is_pending_with_the_ballots_known_so_far(
) -> None:
    """ATT-02 at 10:01:30: c's ballot (10:01, refused: over-cap proxy) is known and listed;
    d's (10:02) and e's (10:03) are not cast yet, so neither counted nor listed."""
    result = evaluate(load_case(case("ATT-02")), datetime(2025, 6, 14, 10, 1, 30, tzinfo=UTC))
    data = result.to_json()
    assert data["outcome"] == "pending"
    assert [(r["voter"], r["reason"]) for r in data["rejected_ballots"]] == [
        ("c", "proxy_refused")]
    assert data["counts"]["yes"] == 1
    assert data["present"] == 3  # the attendance sheet is known from the opening


def test_a_meeting_defaults_to_meeting_mode_when_the_roll_has_an_attendance_sheet() -> None:
    """ATT-06 gives no ``mode``: its remote members make it a meeting (present counted from
    the sheet, not from the ballots)."""
    assert "mode" not in BY_ID["ATT-06"]["params"]
    assert evaluate(load_case(case("ATT-06"))).to_json()["present"] == 1


def test_weights_in_an_asynchronous_vote_count_the_participants_in_votes() -> None:
    weighted = {"family": "majority", "params": {"threshold": "absolute", "base": "entitled"},
                "electorate": {"members": [{"id": "a", "weight": 2}, "b", "c"]},
                "ballots": [{"voter": "a", "position": "yes", "cast_at": "2025-06-14T10:00:00Z"}]}
    result = evaluate(load_case(weighted)).to_json()
    assert (result["outcome"], result["eligible"], result["present"], result["yes_share"]) == (
        "rejected", 4, 2, "1/2")
    assert "attendance" not in result


def test_cases_without_an_attendance_sheet_report_no_attendance() -> None:
    plain = {"family": "majority", "params": {"threshold": "simple", "base": "YN"},
             "electorate": {"members": ["a"], "present": ["a"]},
             "ballots": [{"voter": "a", "position": "yes", "cast_at": "2025-06-14T10:00:00Z"}]}
    result = evaluate(load_case(plain)).to_json()
    assert not {"attendance", "refused_proxies", "postal_on_amended"} & set(result)


# The same cases built from Python values ---------------------------------------------------------


def _at(hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 6, 14, hour, minute, tzinfo=UTC)


def test_a_meeting_built_from_values_gives_the_json_result() -> None:
    """ATT-13 and ATT-08 in one: a weighted member represented, a postal vote."""
    params = MajorityParams(
        threshold=ByConvocation(*(Threshold.named(ThresholdName.ABSOLUTE),) * 2),
        base=ByConvocation(Base.YN, Base.YN), max_proxies_per_holder=1,
        postal_deadline=_at(9))
    roll = Roll(("a", "b", "c"), present=("a",), weights=(1, Fraction(3), Fraction(1, 2)),
                represented_by=(("b", "a"),), postal=(("c", _at(8)),))
    ballots = Ballots.of([
        Ballot("a", Position.NO, _at(10)),
        Ballot("b", Position.YES, _at(10, 1), cast_by="a"),
        Ballot("c", Position.NO, _at(8), postal=True),
    ])
    value = Case(params=params, electorate=roll, ballots=ballots)
    result = evaluate(value)
    assert isinstance(result, MajorityResult)
    assert (result.outcome.value, result.present) == ("adopted", Fraction(9, 2))
    assert evaluate(load_case(dump_case(value))) == result
    assert result.to_json()["counts"]["no"] == "3/2"
    assert result.to_json()["yes_share"] == "2/3"


def test_a_roll_with_proxies_and_no_cap_built_from_values_is_refused_with_its_path() -> None:
    params = MajorityParams(threshold=ByConvocation(*(Threshold.named(ThresholdName.SIMPLE),) * 2),
                            base=ByConvocation(Base.YN, Base.YN))
    roll = Roll(("a", "b"), present=("a",), represented_by=(("b", "a"),))
    with pytest.raises(CaseError) as error:
        evaluate(Case(params=params, electorate=roll, ballots=Ballots()))
    assert error.value.path == "$.params.max_proxies_per_holder"


def test_the_vocabularies_of_meetings_are_public() -> None:
    assert [r.value for r in ProxyRefusal] == [
        "holder_not_member", "chain", "represented_present", "holder_absent",
        "holder_other_college", "holder_over_cap"]
    assert PostalOnAmended("absent") is PostalOnAmended.ABSENT


def test_a_float_weight_is_refused_when_built_from_values() -> None:
    with pytest.raises(ValueError, match="exact"):
        Roll(("a",), weights=(0.5,))  # type: ignore[arg-type]


# Malformed input: exit 2, one line naming the path ------------------------------------------------


def edited(case_id: str, where: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    """A worked case with one value replaced (``...`` as the value deletes the key)."""
    data = case(case_id)
    target: Any = data
    for key in where[:-1]:
        target = target[key]
    if value is ...:
        del target[where[-1]]
    else:
        target[where[-1]] = value
    return data


MALFORMED: list[tuple[str, dict[str, Any], str, str]] = [
    ("cap missing", edited("ATT-01", ("params", "max_proxies_per_holder"), ...),
     "$.params.max_proxies_per_holder", "no legal default"),
    ("cap a word", edited("ATT-01", ("params", "max_proxies_per_holder"), "many"),
     "$.params.max_proxies_per_holder", '"unlimited"'),
    ("cap negative", edited("ATT-01", ("params", "max_proxies_per_holder"), -1),
     "$.params.max_proxies_per_holder", "at least 0"),
    ("proxy of a non-member", edited("ATT-01", ("electorate", "represented_by"), {"zed": "a"}),
     '$.electorate.represented_by.zed', "only a member can give a proxy"),
    ("holder not a string", edited("ATT-01", ("electorate", "represented_by"), {"c": 3}),
     "$.electorate.represented_by.c", "expected a string"),
    ("represented_by a list", edited("ATT-01", ("electorate", "represented_by"), ["c"]),
     "$.electorate.represented_by", "expected an object"),
    ("remote non-member", edited("ATT-06", ("electorate", "remote"), ["zed"]),
     "$.electorate.remote[0]", "not a member"),
    ("remote and in the room", edited("ATT-06", ("electorate", "remote"), ["a"]),
     "$.electorate.remote[0]", "present in the room too"),
    ("postal non-member", edited("ATT-08", ("electorate", "postal"), {"zed": "2025-06-10"}),
     "$.electorate.postal.zed", "not a member"),
    ("postal time", edited("ATT-08", ("electorate", "postal", "m1"), "monday"),
     "$.electorate.postal.m1", "not an ISO 8601 time"),
    ("postal ballot without form", edited("ATT-08", ("ballots", 0, "postal"), True),
     "$.ballots[0].voter", "sent no postal form"),
    ("postal ballot by a holder", edited("ATT-08", ("ballots", 1, "cast_by"), "m0"),
     "$.ballots[1].cast_by", "cast by the member themself"),
    ("postal flag not boolean", edited("ATT-08", ("ballots", 1, "postal"), "yes"),
     "$.ballots[1].postal", "expected true or false"),
    ("cast_by not a string", edited("ATT-01", ("ballots", 2, "cast_by"), 7),
     "$.ballots[2].cast_by", "expected a string"),
    ("weight zero", edited("ATT-13", ("electorate", "members", 1, "weight"), 0),
     "$.electorate.members[1].weight", "more than 0"),
    ("weight a word", edited("ATT-13", ("electorate", "members", 1, "weight"), "heavy"),
     "$.electorate.members[1].weight", "expected a number"),
    ("policy unknown", edited("ATT-10", ("params", "postal_on_amended"), "yes"),
     "$.params.postal_on_amended", "expected one of: absent, no"),
    ("amended not boolean", edited("ATT-10", ("params", "amended_in_meeting"), 1),
     "$.params.amended_in_meeting", "expected true or false"),
    ("postal deadline", edited("ATT-08", ("params", "postal_deadline"), "soon"),
     "$.params.postal_deadline", "not an ISO 8601 time"),
    ("async meeting", edited("ATT-01", ("params", "mode"), "async"),
     "$.params.mode", "mode must be meeting"),
    ("tally with a sheet", edited("ATT-01", ("ballots",), {"format": "tally", "yes": 1}),
     "$.ballots", "need individual ballots"),
    ("unknown sheet key", edited("ATT-01", ("electorate", "proxies"), {"c": "a"}),
     "$.electorate.proxies", "unknown key"),
    ("consent with proxies", {"family": "consent", "params": {},
                              "electorate": {"members": ["a", "b"], "represented_by": {"b": "a"}}},
     "$.electorate.represented_by", "belong to a meeting"),
    ("consent with a proxy ballot", {
        "family": "consent", "params": {}, "electorate": {"members": ["a", "b"]},
        "ballots": [{"voter": "b", "position": "consent", "cast_at": "2025-06-14T10:00:00Z",
                     "cast_by": "a"}]},
     "$.ballots[0].cast_by", "belong to a meeting"),
    ("consent with weights", {"family": "consent", "params": {},
                              "electorate": {"members": [{"id": "a", "weight": 2}]}},
     "$.electorate.members[0].weight", "majority and scic_college votes only"),
]


@pytest.mark.parametrize(("name", "data", "path", "words"), MALFORMED,
                         ids=[m[0] for m in MALFORMED])
def test_a_malformed_meeting_case_exits_2_with_one_line_naming_the_path(
    name: str, data: dict[str, Any], path: str, words: str
) -> None:
    out, err = io.StringIO(), io.StringIO()
    stdin = io.BytesIO(json.dumps(data).encode())
    assert main(["evaluate", "-"], out, err, stdin=stdin) == 2, name
    assert out.getvalue() == ""
    lines = err.getvalue().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"error: {path}: "), lines[0]
    assert words in lines[0]


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz_meetings")


@FUZZ
@given(text=mutated_examples(CASES))
def test_any_mutation_of_a_worked_meeting_case_gets_a_result_or_one_error_line(
    scratch: Path, text: str
) -> None:
    """Proxies, remote members, postal forms and weights replaced by any JSON value, deleted
    or repeated: a result, or exit 2 with one line naming the path; never a traceback."""
    check_contract(answer(text, scratch))


# Votes counted without names beside the named ballots (ATT-17, ATT-18) --------------------------


@pytest.mark.parametrize(("case_id", "language", "sentence"), [
    ("ATT-17", "en", "Votes counted without names (in the room) in college salaries: yes 1,"
                     " no 0, abstain 0."),
    ("ATT-17", "fr", "Voix comptées sans nom (en salle) dans le collège usagers : oui 1, non 0,"
                     " abstention 0."),
    ("ATT-18", "en", "Votes counted without names (secret ballot): yes 2, no 1, abstain 0."),
    ("ATT-18", "fr", "Voix comptées sans nom (par correspondance) : oui 1, non 0,"
                     " abstention 0."),
])
def test_votes_counted_without_names_are_told_in_words(
    case_id: str, language: str, sentence: str
) -> None:
    assert sentence in text(case_id, language)


def test_more_votes_counted_without_names_than_votes_present_without_a_ballot_is_malformed(
) -> None:
    """ATT-17's salaries: s1 voted for three (in person and by two proxies); only s2 is left
    to vote by hand, so two votes counted in the room are one too many."""
    crowded = case("ATT-17")
    crowded["ballots"][5]["yes"] = 2
    with pytest.raises(CaseError, match="2 votes counted without names in college salaries,"
                                        " but only 1 votes present cast no named ballot"):
        evaluate(load_case(crowded))


@pytest.mark.parametrize(("change", "message"), [
    ({"college": "nowhere"}, "unknown college"),
    ({"college": None}, "college: missing"),
    ({"yes": -1}, "must be at least 0"),
    ({"maybe": 1}, "maybe"),
])
def test_a_malformed_count_without_names_is_refused_with_its_path(
    change: dict[str, Any], message: str
) -> None:
    bad = case("ATT-17")
    bad["ballots"][5].update(change)
    bad["ballots"][5] = {k: v for k, v in bad["ballots"][5].items() if v is not None}
    with pytest.raises(CaseError, match=message):
        load_case(bad)


def test_votes_counted_without_names_need_a_meeting_of_named_members() -> None:
    asynchronous = case("ATT-18")
    asynchronous["params"]["mode"] = "async"
    with pytest.raises(CaseError):
        evaluate(load_case(asynchronous))
    counted = case("ATT-18")
    counted["electorate"] = {"eligible": 8, "present": 4}
    with pytest.raises(CaseError):
        evaluate(load_case(counted))
