"""The command line keeps its contract on any input (docs/case-format.md, "Command line").

Exit status 0 with one JSON result on stdout, or exit status 2 with nothing on stdout and
exactly one line ``error: $...`` on stderr naming the JSON path; never a traceback, and a
small input is answered within a second. First the inputs that once broke the contract,
then Hypothesis over arbitrary JSON values and over mutations of the worked examples.
``main`` runs in-process (a process per example would cost the budget); one test runs the
real command for the output stream's encoding.
"""

from __future__ import annotations

import copy
import io
import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from decisions.engine.__main__ import main

EXAMPLES: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "data" / "examples.json").read_text(encoding="utf-8"))
SECOND = 1.0  # the most a small input may take


@dataclass(frozen=True)
class Answer:
    status: int
    out: str
    err: str
    seconds: float


def answer(text: str | bytes, tmp: Path, *options: str) -> Answer:
    """``main`` on a case file, its streams encoded strictly in UTF-8 as a terminal's are."""
    path = tmp / "case.json"
    path.write_bytes(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
    out, err = io.BytesIO(), io.BytesIO()
    out_text = io.TextIOWrapper(out, encoding="utf-8", newline="\n")
    err_text = io.TextIOWrapper(err, encoding="utf-8", newline="\n")
    start = time.perf_counter()
    status = main(["evaluate", *options, str(path)], out_text, err_text)
    seconds = time.perf_counter() - start
    out_text.flush()
    err_text.flush()
    out_text.detach()
    err_text.detach()
    return Answer(status, out.getvalue().decode("utf-8"), err.getvalue().decode("utf-8"),
                  seconds)


def check_contract(answer: Answer) -> None:
    """Exit 0 with a JSON result, or exit 2 with one error line naming a path."""
    assert answer.status in (0, 2), answer
    if answer.status == 0:
        assert answer.err == ""
        assert answer.out.endswith("\n")
        assert answer.out.count("\n") == 1
        json.loads(answer.out)
    else:
        assert answer.out == ""
        assert answer.err.endswith("\n")
        assert answer.err.count("\n") == 1, answer.err
        assert answer.err.startswith("error: $"), answer.err


# The inputs of issue 9 --------------------------------------------------------------------

MAJORITY = '"family":"majority","params":{"preset":"association_default"}'
SOCIOCRATIC = '"family":"sociocratic_consent","params":{},"electorate":{"members":["a"]}'


def college(weights: str) -> str:
    """A college case whose weights are written as raw JSON number literals."""
    colleges = ",".join(f'{{"id":"c{i}","weight":{w}}}' for i, w in enumerate(weights.split()))
    return ('{"family":"scic_college","params":{"preset":"scic_sa_ago","colleges":['
            f'{colleges}]}},"electorate":{{"colleges":{{"c0":{{"members":1,"present":1}}}}}},'
            '"ballots":{"format":"tally_by_college","c0":{"yes":1}}}')


# (name, input, the JSON path the error names, or None for a result with exit status 0)
BROKEN: list[tuple[str, str | bytes, str | None]] = [
    ("a head count without ballots",
     f'{{{MAJORITY},"electorate":{{"eligible":3,"present":1}}}}', None),
    ("a college head count without ballots",
     '{"family":"scic_college","params":{"preset":"scic_sa_ago","colleges":[{"id":"a"},'
     '{"id":"b"},{"id":"c"}]},"electorate":{"colleges":{"a":{"members":2,"present":2}}}}',
     None),
    ("an event type that is a list",
     f'{{{SOCIOCRATIC},"ballots":[{{"type":["phase"]}}]}}', "$.ballots[0].type"),
    ("an event type that is an object, in a consent case",
     '{"family":"consent","params":{},"electorate":{"members":["a"]},'
     '"ballots":[{"type":{"t":1}}]}', "$.ballots[0].type"),
    ("a position that is an object",
     f'{{{SOCIOCRATIC},"ballots":[{{"type":"position","voter":"a","position":{{"x":1}}}}]}}',
     "$.ballots[0].position"),
    ("a convocation that is an object holding a decimal",
     '{"family":"majority","params":{"preset":"association_default","convocation":{"x":1.5}},'
     '"electorate":{"eligible":3,"present":1}}', "$.params.convocation"),
    ("an id with a lone surrogate",
     f'{{"id":"\\ud800",{MAJORITY},"electorate":{{"eligible":3,"present":3}},'
     '"ballots":{"format":"tally","yes":2}}', "$.id"),
    ("a key with a lone low surrogate",
     f'{{{MAJORITY},"electorate":{{"eligible":3,"present":3,"\\udc00":1}}}}',
     '$.electorate["\\udc00"]'),
    ("a surrogate encoded in UTF-8 bytes",
     f'{{"id":"\ud800",{MAJORITY},"electorate":{{"eligible":3}}}}'.encode(
         "utf-8", "surrogatepass"), "$.id"),
    ("a college weight of 1e9999999", college("1e9999999 1 1"),
     "$.params.colleges[0].weight"),
    ("two college weights of 1e-9999999", college("1 1e-9999999 1e-9999999"),
     "$.params.colleges[1].weight"),
    ("a weight with 5,000 digits", college("1" + "0" * 5000 + " 1 1"),
     "$.params.colleges[0].weight"),
    ("a fraction string with 5,000 digits", college('"' + "1" * 5000 + '/3" 1 1'),
     "$.params.colleges[0].weight"),
    ("an integer with 5,000 digits",
     f'{{{MAJORITY},"electorate":{{"eligible":1{"0" * 5000},"present":1}}}}',
     "$.electorate.eligible"),
    ("a key given twice in a tally",
     f'{{{MAJORITY},"electorate":{{"eligible":5,"present":5}},'
     '"ballots":{"format":"tally","yes":1,"yes":3}}', "$.ballots.yes"),
    ("a key given twice in the case",
     f'{{{MAJORITY},"family":"consent","electorate":{{"eligible":5}}}}', "$.family"),
]


@pytest.mark.parametrize(("name", "text", "path"), BROKEN, ids=[b[0] for b in BROKEN])
def test_inputs_that_once_broke_the_contract_keep_it(
    tmp_path: Path, name: str, text: str | bytes, path: str | None
) -> None:
    result = answer(text, tmp_path)
    check_contract(result)
    assert result.seconds < SECOND, name
    if path is None:
        assert result.status == 0, result.err
    else:
        assert result.err.startswith(f"error: {path}: "), result.err


def test_a_head_count_without_ballots_counts_nothing(tmp_path: Path) -> None:
    result = json.loads(answer(BROKEN[0][1], tmp_path).out)
    assert result["counts"] == {"yes": 0, "no": 0, "abstain": 0, "blank": 0, "invalid": 0}
    assert (result["eligible"], result["present"]) == (3, 1)


def test_a_batch_with_a_lone_surrogate_prints_nothing(tmp_path: Path) -> None:
    """A fault found while reading the JSON text is an error of the whole input."""
    broken = BROKEN[6][1]
    assert isinstance(broken, str)
    result = answer(f"[{broken}]", tmp_path, "--batch")
    check_contract(result)
    assert result.err.startswith("error: $[0].id: ")


def test_the_real_command_refuses_a_lone_surrogate_before_printing_anything(
    tmp_path: Path,
) -> None:
    path = tmp_path / "case.json"
    path.write_text(str(BROKEN[6][1]), encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, "-m", "decisions.engine", "evaluate", str(path)],
        capture_output=True, check=False, timeout=60)
    assert completed.returncode == 2
    assert completed.stdout == b""
    assert completed.stderr.decode("utf-8").startswith("error: $.id: ")
    assert completed.stderr.count(b"\n") == 1


# Hypothesis over JSON values and over mutations of the worked examples ------------------

FUZZ = settings(max_examples=300, deadline=SECOND * 1000,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

SCALARS = (st.none() | st.booleans() | st.integers(-(10**6), 10**6)
           | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8)
           | st.sampled_from(["yes", "no", "consent", "object", "phase", "position", "a",
                              "2025-03-04T09:00:00Z", "1/3", "first", "tally", "", "\ud800"]))
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(["family", "params", "electorate", "ballots", "type",
                                       "voter", "position", "members", "x"]) | st.text(max_size=4),
                      inner, max_size=4),
    max_leaves=12,
)
# Raw literals JSON can hold but json.dumps never writes: put in place of a marker string.
RAW = ["1e9999999", "1e-9999999", "-0.0", "1E400", "12345678901234567890123456789.5",
       '"\\udfff"', "1" + "0" * 4400]
MARKER = "\x00raw{}\x00"


def _slots(value: Any, keys: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value, as the keys leading to it."""
    found = [keys]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _slots(item, (*keys, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _slots(item, (*keys, index))
    return found


@st.composite
def mutated_examples(draw: st.DrawFn, pool: list[dict[str, Any]] | None = None) -> str:
    """A worked example (of ``pool``, else of examples.json) with one to three places
    replaced, deleted, grown or repeated."""
    case = copy.deepcopy(draw(st.sampled_from(EXAMPLES if pool is None else pool)))
    raw: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        keys = draw(st.sampled_from(_slots(case)))
        if not keys:
            continue
        *parents, last = keys
        target: Any = case
        for key in parents:
            target = target[key]
        action = draw(st.sampled_from(["replace", "replace", "raw", "delete", "grow"]))
        if action == "delete":
            del target[last]
        elif action == "raw":
            raw.append(draw(st.sampled_from(RAW)))
            target[last] = MARKER.format(len(raw) - 1)
        elif action == "grow" and isinstance(target[last], list | dict):
            copied = copy.deepcopy(draw(st.sampled_from(_slots_values(case))))
            if isinstance(target[last], list):
                target[last].append(copied)
            else:
                target[last][draw(st.text(max_size=3))] = copied
        else:
            target[last] = draw(JSON_VALUES)
    text = json.dumps(case, ensure_ascii=draw(st.booleans()))
    for i, literal in enumerate(raw):
        text = text.replace(json.dumps(MARKER.format(i)), literal)
    if draw(st.booleans()) and (key := draw(st.sampled_from(['"yes"', '"voter"', '"id"']))) \
            in text:  # a key repeated in its object
        text = text.replace(key + ":", f"{key}: 0, {key}:", 1)
    return text


def _slots_values(case: Any) -> list[Any]:
    values = []
    for keys in _slots(case):
        value = case
        for key in keys:
            value = value[key]
        values.append(value)
    return values


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@FUZZ
@given(value=JSON_VALUES, ascii_only=st.booleans())
def test_any_json_value_gets_a_result_or_one_error_line(
    scratch: Path, value: Any, ascii_only: bool
) -> None:
    check_contract(answer(json.dumps(value, ensure_ascii=ascii_only), scratch))


@FUZZ
@given(text=mutated_examples())
def test_any_mutation_of_a_worked_example_gets_a_result_or_one_error_line(
    scratch: Path, text: str
) -> None:
    check_contract(answer(text, scratch))
