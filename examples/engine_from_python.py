"""The engine from Python: build a case, evaluate it, read the outcome and its explanation.

    python examples/engine_from_python.py

The engine is the standard library only: `pip install decisions` (without extras) is
enough to embed it. See docs/embedding.md.
"""

from __future__ import annotations

import json
from pathlib import Path

from decisions.engine import evaluate, load_case

CASE = Path(__file__).with_name("consent_case.json")


def main() -> None:
    case = load_case(json.loads(CASE.read_text(encoding="utf-8")))
    result = evaluate(case)
    print(f"outcome: {result.outcome.value}")
    print(result.text("en"))
    print(result.text("fr"))
    # The same result as JSON, as the command line prints it: store it beside the case.
    print(json.dumps(result.to_json(), ensure_ascii=False)[:80], "...")


if __name__ == "__main__":
    main()
