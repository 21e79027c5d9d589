"""JSON text read into values, and the path notation of every case error.

``parse_json`` is ``json.loads`` made strict for the case format (docs/case-format.md):
numbers with a fraction part stay exact as ``Decimal``, and JSON the format cannot mean is
refused with the path of the fault (a key given twice, a lone surrogate, a number too large
to compute with). ``_at`` writes those paths (``$.ballots[3].cast_at``); the readers of
the other modules of this package use it too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any, NoReturn

from ..errors import CaseError

__all__ = ["MAX_DIGITS", "MAX_EXPONENT", "parse_json"]

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _at(path: str, key: str | int) -> str:
    """The path of ``key`` (an object key or a list index) inside the value at ``path``."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if _PLAIN_KEY.match(key) else f"{path}[{json.dumps(key)}]"


def parse_json(text: str | bytes) -> Any:
    """JSON text to a value, numbers with a fraction part kept exact as ``Decimal``.

    Refused with the path of the fault: a key given twice in one object (JSON keeps the last
    one silently), a lone surrogate (no output could encode it) and a number of more than
    ``MAX_DIGITS`` digits or an exponent beyond ``MAX_EXPONENT`` (exact arithmetic on it
    would take minutes). The common case pays one pass; a second pass finds the path.
    """
    try:
        value = _loads(text, _decimal, _whole, _unique)
    except _Flaw:
        _find_flaw(text)
        raise CaseError("$", "not JSON: a key given twice or a number out of range") from None
    if _may_hold_a_surrogate(text):
        _find_flaw(text)
    return value


def _loads(text: str | bytes, number: Callable[[str], Any], whole: Callable[[str], Any],
           pairs: Callable[[list[tuple[str, Any]]], Any]) -> Any:
    """``json.loads`` with these hooks, its errors as a :class:`CaseError` at ``$``."""
    try:
        return json.loads(text, parse_float=number, parse_int=whole, object_pairs_hook=pairs,
                          parse_constant=_not_a_number)
    except json.JSONDecodeError as error:
        raise CaseError("$", f"not JSON: {error.msg} at line {error.lineno} column"
                        f" {error.colno}") from None
    except (ValueError, RecursionError) as error:  # bad encoding, NaN
        raise CaseError("$", f"not JSON: {error}") from None


#: Bounds on a number literal: beyond them exact fractions grow too large to compute with.
MAX_DIGITS = 1000
MAX_EXPONENT = 1000

_SURROGATE = re.compile("[\ud800-\udfff]")
_LONE_ESCAPE = (r"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F])"  # high, no low after
                r"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F]")  # low, no high before
_SURROGATE_ESCAPE = re.compile(_LONE_ESCAPE)
_SURROGATE_BYTES = re.compile(_LONE_ESCAPE.encode() + rb"|\xed[\xa0-\xbf]")  # raw in UTF-8


class _Flaw(Exception):
    """Raised by the parsing hooks: the second pass names the path."""


def _out_of_range(literal: str) -> bool:
    if len(literal) > MAX_DIGITS:
        return True
    exponent = literal.lower().partition("e")[2]
    return bool(exponent) and abs(int(exponent)) > MAX_EXPONENT


def _decimal(literal: str) -> Decimal:
    if _out_of_range(literal):
        raise _Flaw
    return Decimal(literal)


def _whole(literal: str) -> int:
    if len(literal) > MAX_DIGITS:
        raise _Flaw
    return int(literal)


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise _Flaw
    return obj


def _may_hold_a_surrogate(text: str | bytes) -> bool:
    """Whether a decoded string may hold a lone surrogate: an escape ``\\ud800`` not in a
    pair, or one encoded as it is (an escaped backslash may fool the scan: the second pass
    decides)."""
    if isinstance(text, str):
        escaped = "\\ud" in text or "\\uD" in text  # found fast, before the slower regex
        return bool((escaped and _SURROGATE_ESCAPE.search(text)) or _SURROGATE.search(text))
    if json.detect_encoding(text) != "utf-8":
        return True  # UTF-16 or UTF-32: rare enough to always check
    found = b"\\ud" in text or b"\\uD" in text or b"\xed" in text
    return bool(found and _SURROGATE_BYTES.search(text))


class _Pairs(list[tuple[str, Any]]):
    """An object of the second pass, its keys in order, repeated ones kept."""


class _Literal(str):
    """A number of the second pass, as written."""


def _find_flaw(text: str | bytes) -> None:
    """Raise a :class:`CaseError` at the first flaw ``parse_json`` refuses, if any.

    Iterative, for JSON nested as deep as the parser goes.
    """
    tree = _loads(text, _Literal, _Literal, _Pairs)
    stack: list[tuple[Any, str]] = [(tree, "$")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, _Literal):
            if _out_of_range(value):
                shown = value if len(value) <= 60 else value[:57] + "..."
                raise CaseError(path, f"number out of range: {shown} (at most {MAX_DIGITS}"
                                f" characters, exponent within ±{MAX_EXPONENT})")
        elif isinstance(value, str):
            _no_surrogate(value, path)
        elif isinstance(value, _Pairs):
            seen: set[str] = set()
            for key, _ in value:
                _no_surrogate(key, _at(path, key))
                if key in seen:
                    raise CaseError(_at(path, key), "key given twice in one object")
                seen.add(key)
            stack += ((item, _at(path, key)) for key, item in reversed(value))
        elif isinstance(value, list):
            stack += ((item, _at(path, i)) for i, item in reversed(list(enumerate(value))))


def _no_surrogate(text: str, path: str) -> None:
    if _SURROGATE.search(text):
        raise CaseError(path, "invalid Unicode: a lone surrogate (\\ud800 to \\udfff)")


def _not_a_number(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a JSON number")
