"""The JSON command line (docs/case-format.md, "Command line").

``python -m decisions.engine evaluate CASE.json | - [--batch] [--explain en|fr]``: a result as
JSON on stdout with exit status 0 for every decision; malformed input exits with status 2 and
one line ``error: <JSON path>: ...`` on stderr, never a traceback. The cases are written here
and run from temporary files, so the tests need nothing outside this repository.

``main``, the function the command runs, runs in this process with UTF-8 streams as a
terminal's (a new interpreter per case would cost most of the time of these tests); the
tests marked "real command" run ``python -m decisions.engine`` as a subprocess.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from decisions.engine import evaluate, load_case
from decisions.engine.__main__ import main

COMMAND = [sys.executable, "-m", "decisions.engine", "evaluate"]
OUTCOMES = {"pending", "adopted", "rejected", "no_quorum", "blocked", "needs_integration",
            "escalated", "invalid_config", "invalid_convocation"}


@dataclass(frozen=True)
class Completed:
    """A run of the command line: its exit status and its two streams, as bytes."""

    returncode: int
    stdout: bytes
    stderr: bytes


def run(*args: str, stdin: str | bytes | None = None) -> Completed:
    """The command line with ``args`` after ``evaluate``, run in this process; output kept as
    bytes. Argument errors exit through ``SystemExit`` with their line on ``sys.stderr``, as
    in the real command."""
    out, err = io.BytesIO(), io.BytesIO()
    out_text = io.TextIOWrapper(out, encoding="utf-8", newline="\n")
    err_text = io.TextIOWrapper(err, encoding="utf-8", newline="\n")
    given = stdin.encode() if isinstance(stdin, str) else stdin or b""
    with contextlib.redirect_stdout(out_text), contextlib.redirect_stderr(err_text):
        try:
            status = main(["evaluate", *args], out_text, err_text, stdin=io.BytesIO(given))
        except SystemExit as exit_:
            status = exit_.code if isinstance(exit_.code, int) else 1
    for stream in (out_text, err_text):
        stream.flush()
        stream.detach()
    return Completed(status, out.getvalue(), err.getvalue())


def run_command(*args: str) -> Completed:
    """The real command, ``python -m decisions.engine evaluate`` with ``args``, as a
    subprocess."""
    completed = subprocess.run([*COMMAND, *args], capture_output=True, check=False, timeout=60)
    return Completed(completed.returncode, completed.stdout, completed.stderr)


def write(tmp_path: Path, content: Any, name: str = "case.json") -> Path:
    """A temporary case file: a JSON value, or raw text / bytes written as they are."""
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    return path


def decoded(completed: Completed) -> tuple[str, str]:
    return completed.stdout.decode("utf-8"), completed.stderr.decode("utf-8")


# Cases of every family (from the worked examples) -------------------------------------------

MAJORITY_TALLY: dict[str, Any] = {
    "id": "MAJ-01", "family": "majority",
    "params": {"preset": "association_default", "mode": "meeting", "threshold": "simple",
               "base": "YN", "quorum": None},
    "electorate": {"eligible": 15, "present": 15},
    "ballots": {"format": "tally", "yes": 7, "no": 5, "abstain": 3},
}

MAJORITY_BALLOTS: dict[str, Any] = {
    "id": "MAJ-24", "family": "majority",
    "params": {"mode": "async", "threshold": "simple", "base": "YN", "quorum": None,
               "opens_at": "2025-03-03T08:00:00Z", "closes_at": "2025-03-10T18:00:00Z",
               "allow_vote_change": True, "close_when_all_voted": True,
               "deadline_inclusive": False, "evaluated_at": "2025-03-06T12:00:00Z"},
    "electorate": {"members": ["a", "b", "c", "d", "e"]},
    "ballots": [
        {"voter": "a", "position": "yes", "cast_at": "2025-03-04T09:00:00Z"},
        {"voter": "b", "position": "yes", "cast_at": "2025-03-04T10:00:00Z"},
        {"voter": "c", "position": "yes", "cast_at": "2025-03-05T10:00:00Z"},
        {"voter": "d", "position": "no", "cast_at": "2025-03-05T11:00:00Z"},
        {"voter": "e", "position": "no", "cast_at": "2025-03-06T09:00:00Z"},
    ],
}

_SCIC_COLLEGES = [{"id": "salaries", "weight": 50}, {"id": "usagers", "weight": 30},
                  {"id": "partenaires", "weight": 20}]

SCIC_TALLY: dict[str, Any] = {  # SCIC-08 of the worked examples
    "id": "SCIC-08", "family": "scic_college",
    "params": {"preset": "scic_sa_ago", "colleges": _SCIC_COLLEGES, "method": "proportional",
               "empty_college_policy": "redistribute", "threshold": "absolute", "base": "YN",
               "quorum": {"first": {"num": 1, "den": 5}, "second": None},
               "quorum_scope": "assembly_heads", "convocation": "first"},
    "electorate": {"colleges": {"salaries": {"members": 10, "present": 6},
                                "usagers": {"members": 40, "present": 30},
                                "partenaires": {"members": 5, "present": 0}}},
    "ballots": {"format": "tally_by_college", "salaries": {"yes": 3, "no": 3},
                "usagers": {"yes": 20, "no": 10}},
}

# Individual ballots with a members-with-college electorate: 3 yes against 4 no by heads, but
# 1/2 * 2/2 + 3/10 * 1/3 + 1/5 * 0/2 = 3/5 of the weighted votes: adopted.
SCIC_BALLOTS: dict[str, Any] = {
    "id": "SCIC-IND", "family": "scic_college",
    "params": {"preset": "scic_sa_ago", "colleges": _SCIC_COLLEGES},
    "electorate": {"members": [
        {"id": "a", "college": "salaries"}, {"id": "b", "college": "salaries"},
        {"id": "c", "college": "usagers"}, {"id": "d", "college": "usagers"},
        {"id": "e", "college": "usagers"},
        {"id": "f", "college": "partenaires"}, {"id": "g", "college": "partenaires"},
    ]},
    "ballots": [
        {"voter": v, "position": p, "cast_at": "2025-06-01T09:00:00Z"}
        for v, p in zip("abcdefg", ["yes", "yes", "yes", "no", "no", "no", "no"], strict=True)
    ],
}

CONSENT: dict[str, Any] = {  # CON-02 of the worked examples
    "id": "CON-02", "family": "consent",
    "params": {"preset": "consent_async", "opens_at": "2025-04-01T08:00:00Z",
               "closes_at": "2025-04-08T08:00:00Z", "evaluated_at": "2025-04-08T08:00:00Z"},
    "electorate": {"members": ["a", "b", "c", "d", "e"]},
    "ballots": [
        {"voter": "a", "position": "consent", "cast_at": "2025-04-02T10:00:00Z"},
        {"voter": "b", "position": "consent", "cast_at": "2025-04-03T10:00:00Z"},
        {"voter": "c", "position": "consent", "cast_at": "2025-04-04T10:00:00Z"},
        {"voter": "d", "position": "consent", "cast_at": "2025-04-05T10:00:00Z"},
        {"voter": "e", "position": "object", "cast_at": "2025-04-06T10:00:00Z",
         "reason": "Budget of 1200 EUR exceeds the 1000 EUR spending limit of this circle"},
    ],
}


def _round(number: int, version: int, positions: dict[str, str]) -> list[dict[str, Any]]:
    opened: dict[str, Any] = {"type": "round_open", "round": number, "version": version}
    return [opened] + [
        {"type": "position", "round": number, "version": version, "voter": voter,
         "position": position, **({"reason": "over the delegated budget"}
                                  if position == "object" else {})}
        for voter, position in positions.items()
    ]


SOCIOCRATIC: dict[str, Any] = {  # SOC-01 of the worked examples
    "id": "SOC-01", "family": "sociocratic_consent",
    "params": {"preset": "sociocratic_consent"},
    "electorate": {"members": ["p", "q", "r", "s", "t"], "present": ["p", "q", "r", "s", "t"]},
    "ballots": [
        {"type": "phase", "phase": "clarifying"},
        {"type": "phase", "phase": "reactions"},
        *_round(1, 1, {"p": "consent", "q": "consent", "r": "consent", "s": "consent",
                       "t": "object"}),
        {"type": "amend", "version": 2, "summary": "Budget reduced to 950 EUR",
         "integrates": [{"round": 1, "voter": "t"}]},
        *_round(2, 2, dict.fromkeys("pqrst", "consent")),
    ],
}

ELECTION: dict[str, Any] = {  # ELE-01 of the worked examples
    "id": "ELE-01", "family": "sociocratic_election",
    "params": {"preset": "sociocratic_election", "role": "facilitator", "term_months": 12},
    "electorate": {"members": ["a", "b", "c", "d", "e", "f"]},
    "ballots": [
        *({"type": "nomination", "voter": v, "nominee": n, "reason": "skills match the role"}
          for v, n in zip("abcdef", "bcbbcf", strict=True)),
        {"type": "change", "voter": "e", "nominee": "b", "reason": "convinced"},
        {"type": "facilitator_proposal", "candidate": "b"},
        {"type": "round_open", "round": 1, "candidate": "b", "version": 1},
        *({"type": "position", "round": 1, "version": 1, "voter": v, "position": "consent"}
          for v in "acdefb"),
    ],
}

INVALID_CONFIG: dict[str, Any] = {  # SCIC-11: a college over 50 % of the voting rights
    **SCIC_TALLY, "id": "SCIC-11",
    "params": {**SCIC_TALLY["params"], "colleges": [
        {"id": "salaries", "weight": 55}, {"id": "usagers", "weight": 25},
        {"id": "partenaires", "weight": 20}]},
    "electorate": {"colleges": {"salaries": {"members": 10, "present": 10},
                                "usagers": {"members": 40, "present": 40},
                                "partenaires": {"members": 5, "present": 5}}},
    "ballots": {"format": "tally_by_college", "salaries": {"yes": 10, "no": 0},
                "usagers": {"yes": 40, "no": 0}, "partenaires": {"yes": 5, "no": 0}},
}

INVALID_CONVOCATION: dict[str, Any] = {  # 4 days of notice where the preset needs 15
    "id": "CONV-4", "family": "majority",
    "params": {"preset": "scic_sa_ago",
               "convocation_check": {"sent_on": "2025-06-01", "meeting_on": "2025-06-05"}},
    "electorate": {"eligible": 10, "present": 8},
    "ballots": {"format": "tally", "yes": 6, "no": 2},
}

# (case, fields its result must have: each compared for equality)
FAMILIES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "majority with a tally": (MAJORITY_TALLY, {
        "outcome": "adopted", "base_count": 12, "yes_share": "7/12", "quorum_met": True,
        "counts": {"yes": 7, "no": 5, "abstain": 3, "blank": 0, "invalid": 0}}),
    "majority with individual ballots": (MAJORITY_BALLOTS, {
        "outcome": "adopted", "participants": 5,
        "counts": {"yes": 3, "no": 2, "abstain": 0, "blank": 0, "invalid": 0}}),
    "scic_college with tallies by college": (SCIC_TALLY, {
        "outcome": "adopted", "eligible": 55, "present": 36, "quorum_met": True,
        "weighted_yes_share": "9/16", "weighted_yes_share_decimal": 0.5625}),
    "scic_college with individual ballots and members with colleges": (SCIC_BALLOTS, {
        "outcome": "adopted", "weighted_yes_share": "3/5", "eligible": 7, "participants": 7,
        "counts": {"yes": 3, "no": 4, "abstain": 0, "blank": 0, "invalid": 0}}),
    "consent": (CONSENT, {
        "outcome": "blocked", "outstanding_objections": ["e"],
        "counts": {"consent": 4, "abstain": 0, "object": 1}}),
    "sociocratic_consent": (SOCIOCRATIC, {
        "outcome": "adopted", "current_round": 2, "current_version": 2}),
    "sociocratic_election": (ELECTION, {
        "outcome": "adopted", "elected": "b", "first_proposed": "b",
        "nomination_counts": {"b": 3, "c": 2, "f": 1},
        "after_change_round": {"b": 4, "c": 1, "f": 1}}),
}


def check_decided(result: dict[str, Any], case: dict[str, Any], fields: dict[str, Any]) -> None:
    assert result["id"] == case["id"]
    assert result["outcome"] in OUTCOMES
    assert isinstance(result["explanation"], list)
    assert result["explanation"]
    for key, value in fields.items():
        assert result.get(key) == value, key


# Every family answers, from a file and from standard input ----------------------------------


@pytest.mark.parametrize("family", FAMILIES)
def test_every_family_is_decided_from_a_case_file(tmp_path: Path, family: str) -> None:
    case, fields = FAMILIES[family]
    completed = run(str(write(tmp_path, case)))
    out, err = decoded(completed)
    assert completed.returncode == 0, err
    assert err == ""
    assert out.endswith("\n")
    assert out.count("\n") == 1  # one result object, on one line
    check_decided(json.loads(out), case, fields)


@pytest.mark.parametrize("family", FAMILIES)
def test_every_family_is_decided_from_standard_input(family: str) -> None:
    case, fields = FAMILIES[family]
    completed = run("-", stdin=json.dumps(case, ensure_ascii=False))
    out, err = decoded(completed)
    assert completed.returncode == 0, err
    assert err == ""
    check_decided(json.loads(out), case, fields)


def test_the_command_line_gives_the_same_json_as_the_python_api(tmp_path: Path) -> None:
    completed = run_command(str(write(tmp_path, SCIC_BALLOTS)))  # the real command
    assert completed.returncode == 0
    assert json.loads(completed.stdout) == evaluate(load_case(SCIC_BALLOTS)).to_json()


def test_keys_expected_and_why_are_ignored_and_the_id_is_echoed(tmp_path: Path) -> None:
    case = {**MAJORITY_TALLY, "id": "echo-me", "why": "a comment",
            "expected": {"outcome": "rejected"}}
    completed = run(str(write(tmp_path, case)))
    assert completed.returncode == 0
    result = json.loads(completed.stdout)
    assert result["id"] == "echo-me"
    assert result["outcome"] == "adopted"


def test_a_case_without_id_gives_a_result_without_id(tmp_path: Path) -> None:
    case = {k: v for k, v in MAJORITY_TALLY.items() if k != "id"}
    completed = run(str(write(tmp_path, case)))
    assert completed.returncode == 0
    assert "id" not in json.loads(completed.stdout)


@pytest.mark.parametrize(
    ("case", "outcome"),
    [(INVALID_CONFIG, "invalid_config"), (INVALID_CONVOCATION, "invalid_convocation")],
    ids=["invalid_config", "invalid_convocation"],
)
def test_invalid_config_and_invalid_convocation_are_decisions_with_exit_status_0(
    tmp_path: Path, case: dict[str, Any], outcome: str
) -> None:
    completed = run(str(write(tmp_path, case)))
    out, err = decoded(completed)
    assert completed.returncode == 0, err
    assert err == ""
    result = json.loads(out)
    assert result["outcome"] == outcome
    assert result["id"] == case["id"]


def test_invalid_config_names_the_error_and_the_offending_colleges(tmp_path: Path) -> None:
    result = json.loads(run(str(write(tmp_path, INVALID_CONFIG))).stdout)
    assert result["config_error"] == "weight_out_of_bounds"
    assert result["colleges"] == ["salaries"]


# --batch -----------------------------------------------------------------------------------

ALL_CASES = [case for case, _ in FAMILIES.values()] + [INVALID_CONFIG, INVALID_CONVOCATION]


def test_a_batch_gives_an_array_of_results_in_the_same_order(tmp_path: Path) -> None:
    cases = list(reversed(ALL_CASES))
    completed = run("--batch", str(write(tmp_path, cases)))
    out, err = decoded(completed)
    assert completed.returncode == 0, err
    assert err == ""
    results = json.loads(out)
    assert isinstance(results, list)
    assert [r["id"] for r in results] == [c["id"] for c in cases]
    assert results == [evaluate(load_case(c)).to_json() for c in cases]


def test_a_batch_is_read_from_standard_input_too() -> None:
    completed = run("--batch", "-", stdin=json.dumps([CONSENT, MAJORITY_TALLY]))
    assert completed.returncode == 0, completed.stderr
    assert [r["outcome"] for r in json.loads(completed.stdout)] == ["blocked", "adopted"]


def test_an_empty_batch_gives_an_empty_array(tmp_path: Path) -> None:
    completed = run("--batch", str(write(tmp_path, [])))
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout) == []


def test_one_bad_case_in_a_batch_gives_an_error_in_its_place_and_exit_status_2(
    tmp_path: Path,
) -> None:
    bad = copy.deepcopy(MAJORITY_BALLOTS)
    bad["ballots"][3]["cast_at"] = "yesterday"
    cases = [CONSENT, bad, SCIC_TALLY]
    completed = run("--batch", str(write(tmp_path, cases)))
    out, err = decoded(completed)
    assert completed.returncode == 2
    assert "Traceback" not in out + err
    results = json.loads(out)  # everything printed, as one array
    assert len(results) == 3
    assert results[0]["outcome"] == "blocked"
    assert results[0]["id"] == "CON-02"
    assert list(results[1]) == ["error"]
    assert "$[1].ballots[3].cast_at" in results[1]["error"]
    assert "yesterday" in results[1]["error"]
    assert results[2]["outcome"] == "adopted"
    assert results[2]["id"] == "SCIC-08"
    assert err.startswith("error: ")
    assert "$[1].ballots[3].cast_at" in err


def test_a_batch_that_is_not_an_array_exits_with_status_2(tmp_path: Path) -> None:
    completed = run("--batch", str(write(tmp_path, MAJORITY_TALLY)))
    out, err = decoded(completed)
    assert completed.returncode == 2
    assert out == ""
    assert err.startswith("error: $: ")
    assert err.count("\n") == 1


# --explain ---------------------------------------------------------------------------------

SCIC_08_FR = ("Adopté : 9/16 (56,25 %) des voix pondérées exprimées sont pour ; seuil : plus "
              "de la moitié. Quorum atteint : 36 présents sur 55 (au moins 1/5).")
SCIC_08_EN = ("Adopted: 9/16 (56.25%) of the weighted votes expressed are in favour; threshold: "
              "more than half. Quorum reached: 36 present out of 55 (at least 1/5).")


def is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize(("language", "sentence"), [("fr", SCIC_08_FR), ("en", SCIC_08_EN)])
def test_explain_prints_the_scic_08_sentence_as_text_not_json(
    tmp_path: Path, language: str, sentence: str
) -> None:
    completed = run(str(write(tmp_path, SCIC_TALLY)), "--explain", language)
    out, err = decoded(completed)
    assert completed.returncode == 0, err
    assert err == ""
    assert sentence in out
    assert not is_json(out)
    assert not out.lstrip().startswith(("{", "["))


@pytest.mark.parametrize("language", ["fr", "en"])
def test_explain_prints_the_same_text_as_the_python_api(tmp_path: Path, language: str) -> None:
    case = {k: v for k, v in SCIC_TALLY.items() if k != "id"}
    completed = run("--explain", language, str(write(tmp_path, case)))
    assert completed.returncode == 0, completed.stderr
    text = evaluate(load_case(case)).text("fr" if language == "fr" else "en")
    assert completed.stdout.decode("utf-8") == text + "\n"


def test_explain_of_a_case_with_id_contains_the_python_api_text(tmp_path: Path) -> None:
    completed = run(str(write(tmp_path, SCIC_TALLY)), "--explain", "fr")
    assert completed.returncode == 0, completed.stderr
    out = completed.stdout.decode("utf-8")
    assert evaluate(load_case(SCIC_TALLY)).text("fr") in out
    assert SCIC_08_FR in evaluate(load_case(SCIC_TALLY)).text("fr")
    assert SCIC_08_EN in evaluate(load_case(SCIC_TALLY)).text("en")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_explain_works_for_a_whole_batch_of_every_family(tmp_path: Path, language: str) -> None:
    completed = run("--batch", "--explain", language, str(write(tmp_path, ALL_CASES)))
    out, err = decoded(completed)
    assert completed.returncode == 0, err
    assert err == ""
    assert not is_json(out)
    for case in ALL_CASES:
        text = evaluate(load_case(case)).text("fr" if language == "fr" else "en")
        assert text in out, case["id"]


def test_an_unknown_explain_language_exits_with_status_2_and_one_error_line(
    tmp_path: Path,
) -> None:
    completed = run_command(str(write(tmp_path, SCIC_TALLY)), "--explain", "de")  # real
    out, err = decoded(completed)
    assert completed.returncode == 2
    assert out == ""
    assert err.startswith("error: ")
    assert err.count("\n") == 1
    assert "Traceback" not in err


# Malformed input: exit status 2, one line "error: <path>: ..." on stderr, nothing on stdout -

DELETE = object()


def edited(case: dict[str, Any], *changes: tuple[tuple[str | int, ...], Any]) -> str:
    """The JSON text of ``case`` with each ``(keys, value)`` set (or deleted by ``DELETE``);
    an index one past the end of a list appends."""
    data = copy.deepcopy(case)
    for keys, value in changes:
        *parents, last = keys
        target: Any = data
        for key in parents:
            target = target[key]
        if value is DELETE:
            del target[last]
        elif isinstance(target, list) and last == len(target):
            target.append(value)
        else:
            target[last] = value
    return json.dumps(data, ensure_ascii=False)


_HUGE = "1" + "0" * 5000  # valid JSON; more digits than Python converts by default
_SOC_BALLOTS = len(SOCIOCRATIC["ballots"])  # the index of an event appended to the log

# (name, input text or bytes (None: a file that does not exist), the JSON path of the fault,
# or a tuple of the paths that would each be right)
MALFORMED: list[tuple[str, str | bytes | None, str | tuple[str, ...]]] = [
    ("text that is not JSON", '{"family": "majority",', "$"),
    ("an empty input", "", "$"),
    ("invalid UTF-8", b'{"family": "\xe9"}', "$"),
    ("JSON nested deeper than the parser goes", "[" * 100_000 + "]" * 100_000, "$"),
    ("a top-level array without --batch", json.dumps([MAJORITY_TALLY]), "$"),
    ("a file that does not exist", None, "$"),
    ("an unknown family", edited(MAJORITY_TALLY, (("family",), "plurality")), "$.family"),
    ("a missing family", edited(MAJORITY_TALLY, (("family",), DELETE)), "$.family"),
    ("an unknown key of the case (typo)",
     edited(MAJORITY_TALLY, (("ballot",), {"format": "tally"})), "$.ballot"),
    ("a missing electorate", edited(MAJORITY_TALLY, (("electorate",), DELETE)), "$.electorate"),
    ("params that are not an object", edited(MAJORITY_TALLY, (("params",), ["simple"])),
     "$.params"),
    ("an unknown preset", edited(MAJORITY_TALLY, (("params", "preset"), "scic_sa")),
     "$.params.preset"),
    ("a preset of another family",
     edited(MAJORITY_TALLY, (("params", "preset"), "consent_async")), "$.params.preset"),
    ("an unknown parameter (typo)",
     edited(MAJORITY_TALLY, (("params", "treshold"), "simple")), "$.params.treshold"),
    ("a threshold missing without preset",
     edited(MAJORITY_TALLY, (("params", "preset"), DELETE), (("params", "threshold"), DELETE)),
     "$.params.threshold"),
    ("an unknown threshold name",
     edited(MAJORITY_TALLY, (("params", "threshold"), "supermajority")), "$.params.threshold"),
    ("a custom threshold with den 0",
     edited(MAJORITY_TALLY, (("params", "threshold"), {"num": 1, "den": 0})),
     "$.params.threshold.den"),
    ("a quorum with num larger than den",
     edited(MAJORITY_TALLY, (("params", "quorum"), {"num": 3, "den": 2})), "$.params.quorum"),
    ("an unknown base", edited(MAJORITY_TALLY, (("params", "base"), "voters")),
     "$.params.base"),
    ("an unknown mode", edited(MAJORITY_TALLY, (("params", "mode"), "telepathy")),
     "$.params.mode"),
    ("an evaluated_at outside the calendar once in UTC",
     edited(MAJORITY_BALLOTS, (("params", "evaluated_at"), "9999-12-31T23:00:00-05:00")),
     "$.params.evaluated_at"),
    ("a malformed convocation_check date",
     edited(INVALID_CONVOCATION, (("params", "convocation_check", "sent_on"), "2025-13-45")),
     "$.params.convocation_check.sent_on"),
    ("an unparsable cast_at",
     edited(MAJORITY_BALLOTS, (("ballots", 3, "cast_at"), "yesterday")),
     "$.ballots[3].cast_at"),
    ("a missing cast_at", edited(MAJORITY_BALLOTS, (("ballots", 1, "cast_at"), DELETE)),
     "$.ballots[1].cast_at"),
    ("a cast_at outside the calendar once in UTC",
     edited(MAJORITY_BALLOTS, (("ballots", 0, "cast_at"), "0001-01-01T00:30:00+01:00")),
     "$.ballots[0].cast_at"),
    ("an unknown position", edited(MAJORITY_BALLOTS, (("ballots", 2, "position"), "maybe")),
     "$.ballots[2].position"),
    ("a position of another family",
     edited(CONSENT, (("ballots", 4, "position"), "no")), "$.ballots[4].position"),
    ("a voter that is not a string", edited(MAJORITY_BALLOTS, (("ballots", 0, "voter"), 7)),
     "$.ballots[0].voter"),
    ("ballots neither a list nor a tally", edited(MAJORITY_TALLY, (("ballots",), "yes")),
     "$.ballots"),
    ("an unknown tally format",
     edited(MAJORITY_TALLY, (("ballots", "format"), "talley")), "$.ballots.format"),
    ("a negative tally count", edited(MAJORITY_TALLY, (("ballots", "no"), -1)),
     "$.ballots.no"),
    ("a tally count that is not an integer",
     f'{edited(MAJORITY_TALLY, (("ballots", "abstain"), DELETE))[:-2]}, "abstain": 2.5}}}}',
     "$.ballots.abstain"),
    ("a tally counting more ballots than members present",
     edited(MAJORITY_TALLY, (("ballots", "yes"), 70)), "$.ballots"),
    ("individual ballots with a counted electorate",
     edited(MAJORITY_BALLOTS, (("electorate",), {"eligible": 5})), "$.ballots"),
    ("present larger than eligible",
     edited(MAJORITY_TALLY, (("electorate", "present"), 16)), "$.electorate.present"),
    ("an integer too long to read",
     edited(MAJORITY_TALLY, (("electorate", "present"), 0)).replace(
         '"present": 0', f'"present": {_HUGE}'), ("$", "$.electorate.present")),
    ("a member listed twice",
     edited(CONSENT, (("electorate", "members"), ["a", "b", "a", "c", "d", "e"])),
     "$.electorate.members[2]"),
    ("a present voter who is not a member",
     edited(SOCIOCRATIC, (("electorate", "present"), ["p", "zz"])), "$.electorate.present[1]"),
    ("an unknown college in the electorate",
     edited(SCIC_TALLY, (("electorate", "colleges", "etudiants"), {"members": 2})),
     "$.electorate.colleges.etudiants"),
    ("an unknown college of a member",
     edited(SCIC_BALLOTS, (("electorate", "members", 0, "college"), "etudiants")),
     "$.electorate.members[0].college"),
    ("an unknown college in a tally by college",
     edited(SCIC_TALLY, (("ballots", "etudiants"), {"yes": 1})), "$.ballots.etudiants"),
    ("a duplicate college id",
     edited(SCIC_TALLY, (("params", "colleges", 1, "id"), "salaries")),
     "$.params.colleges[1].id"),
    ("a weight that is not a number",
     edited(SCIC_TALLY, (("params", "colleges", 0, "weight"), "heavy")),
     "$.params.colleges[0].weight"),
    ("a weight of NaN (not JSON)",
     edited(SCIC_TALLY, (("params", "colleges", 0, "weight"), float("nan"))),
     ("$", "$.params.colleges[0].weight")),
    ("an event with an unknown type",
     edited(CONSENT, (("ballots", 5), {"type": "vote", "voter": "a"})), "$.ballots[5].type"),
    ("an event without type in a sociocratic log",
     edited(SOCIOCRATIC, (("ballots", _SOC_BALLOTS), {"voter": "p", "position": "consent"})),
     f"$.ballots[{_SOC_BALLOTS}].type"),
    ("round numbers going down in a sociocratic log",
     edited(SOCIOCRATIC, (("ballots", _SOC_BALLOTS), {"type": "round_open", "round": 1})),
     f"$.ballots[{_SOC_BALLOTS}].round"),
    ("an unknown position in a sociocratic round",
     edited(SOCIOCRATIC, (("ballots", 3, "position"), "yes")), "$.ballots[3].position"),
]
MALFORMED_IDS = [name for name, _, _ in MALFORMED]


def paths_of(expected: str | tuple[str, ...]) -> tuple[str, ...]:
    return (expected,) if isinstance(expected, str) else expected


def test_the_table_of_malformed_inputs_has_at_least_twenty_distinct_kinds() -> None:
    assert len(set(MALFORMED_IDS)) == len(MALFORMED) >= 20
    assert len({text for _, text, _ in MALFORMED}) == len(MALFORMED)


@pytest.mark.parametrize(("name", "text", "expected"), MALFORMED, ids=MALFORMED_IDS)
def test_malformed_input_exits_2_with_one_error_line_naming_the_path(
    tmp_path: Path, name: str, text: str | bytes | None, expected: str | tuple[str, ...]
) -> None:
    case_file = tmp_path / "missing.json" if text is None else write(tmp_path, text)
    completed = run(str(case_file))
    out, err = decoded(completed)
    assert "Traceback" not in out + err, name
    assert completed.returncode == 2, name
    assert out == ""
    assert err.endswith("\n")
    assert err.count("\n") == 1, err  # exactly one line
    assert err.startswith("error: $"), err
    assert any(f"{path}: " in err for path in paths_of(expected)), (expected, err)


BATCHABLE = [(i, text, expected) for i, (_, text, expected) in enumerate(MALFORMED)
             if isinstance(text, str) and "$" not in paths_of(expected)]


def test_every_malformed_case_in_one_batch_gets_its_own_error_and_the_good_ones_are_decided(
    tmp_path: Path,
) -> None:
    good = json.dumps(MAJORITY_TALLY)
    texts = [good] + [text for _, text, _ in BATCHABLE if text is not None] + [good]
    completed = run("--batch", str(write(tmp_path, "[" + ",\n".join(texts) + "]")))
    out, err = decoded(completed)
    assert "Traceback" not in out + err
    assert completed.returncode == 2
    results = json.loads(out)
    assert len(results) == len(texts)
    assert results[0]["outcome"] == results[-1]["outcome"] == "adopted"
    for slot, (i, _, expected) in enumerate(BATCHABLE, start=1):
        name = MALFORMED[i][0]
        assert list(results[slot]) == ["error"], name
        paths = [p.replace("$", f"$[{slot}]", 1) for p in paths_of(expected)]
        assert any(f"{p}: " in results[slot]["error"] for p in paths), (name, results[slot])
    assert err.count("\n") == len(BATCHABLE)
    assert all(line.startswith("error: $[") for line in err.splitlines())
