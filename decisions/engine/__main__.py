"""The engine's JSON command line: ``python -m decisions.engine evaluate CASE.json``.

Exit status 0 for every decision (``invalid_config`` and ``invalid_convocation`` included),
2 for malformed input with one line on stderr naming the JSON path, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any, BinaryIO, NoReturn, TextIO

from .cases import load_case, parse_json
from .errors import CaseError
from .explain import LANGUAGES, Language
from .results import Result
from .rules import evaluate

__all__ = ["main"]

EXIT_MALFORMED = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_MALFORMED, f"error: {message}\n")


def _arguments() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m decisions.engine",
                     description="Decide cases of the decisions JSON case format.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("evaluate", help="evaluate a case (or a batch) and print the result")
    run.add_argument("case", help="a case file, or - for standard input")
    run.add_argument("--batch", action="store_true",
                     help="the file holds a JSON array of cases: print an array of results")
    run.add_argument("--explain", choices=LANGUAGES, metavar="LANG",
                     help="print the explanation as text in en or fr instead of JSON")
    return parser


def _read(source: str, stdin: BinaryIO) -> bytes:
    if source == "-":
        return stdin.read()
    try:
        with open(source, "rb") as file:
            return file.read()
    except OSError as error:
        raise CaseError("$", f"cannot read {source}: {error.strerror}") from None


def _decide(value: Any, path: str) -> Result:
    return evaluate(load_case(value, path))


def _show(result: Result, language: Language | None, out: TextIO) -> None:
    """Written at once: a result is printed whole or not at all."""
    if language is None:
        text = json.dumps(result.to_json(), ensure_ascii=False)
    else:
        label = f"{result.case_id}: " if result.case_id else ""
        text = label + result.text(language)
    out.write(text + "\n")


def main(argv: Sequence[str] | None = None, out: TextIO | None = None,
         err: TextIO | None = None, *, stdin: BinaryIO | None = None) -> int:
    """Run the command line; returns the exit status. The streams default to the process's
    (``stdin`` is read as bytes, for ``-``)."""
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    args = _arguments().parse_args(argv)
    try:
        data = parse_json(_read(args.case, sys.stdin.buffer if stdin is None else stdin))
        if not args.batch:
            _show(_decide(data, "$"), args.explain, out)
            return 0
        if not isinstance(data, list):
            raise CaseError("$", "--batch expects a JSON array of cases")
    except CaseError as error:
        err.write(f"error: {error}\n")
        return EXIT_MALFORMED
    return _batch(data, args.explain, out, err)


def _batch(cases: list[Any], language: Language | None, out: TextIO, err: TextIO) -> int:
    status = 0
    answers: list[dict[str, Any]] = []
    for i, value in enumerate(cases):
        try:
            result = _decide(value, f"$[{i}]")
        except CaseError as error:
            err.write(f"error: {error}\n")
            answers.append({"error": str(error)})
            status = EXIT_MALFORMED
            continue
        if language is None:
            answers.append(result.to_json())
        else:
            _show(result, language, out)
    if language is None:
        out.write(json.dumps(answers, ensure_ascii=False) + "\n")
    return status


if __name__ == "__main__":
    sys.exit(main())
