"""Every worked case of the shared examples (copied into tests/engine/data) passes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from decisions.engine import evaluate, load_case
from decisions.engine.testing import differences

DATA = Path(__file__).parent / "data"
EXAMPLES: list[dict[str, Any]] = json.loads((DATA / "examples.json").read_text())


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["id"] for e in EXAMPLES])
def test_the_engine_gives_the_expected_result(example: dict[str, Any]) -> None:
    result = evaluate(load_case(example)).to_json()
    assert differences(example["expected"], result) == []
    assert result["id"] == example["id"]


def test_the_command_line_decides_every_example_in_one_batch() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "decisions.engine", "evaluate", "--batch",
         str(DATA / "examples.json")],
        capture_output=True, text=True, check=False,
    )
    assert completed.returncode == 0, completed.stderr
    results = json.loads(completed.stdout)
    assert [r["id"] for r in results] == [e["id"] for e in EXAMPLES]
    for example, result in zip(EXAMPLES, results, strict=True):
        assert differences(example["expected"], result) == [], example["id"]
