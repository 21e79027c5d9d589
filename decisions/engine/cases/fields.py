"""Reading one JSON value of a case, checked, with the path of any fault.

Every reader takes the value and its JSON path, and either returns the value as the
engine wants it (a ``datetime`` in UTC, an exact ``Fraction``, an enum member) or raises a
:class:`CaseError` that names the path and says what was expected. The readers of
parameters, electorates, ballots and events are built from these.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any, TypeVar

from ..errors import CaseError
from ..model import ByConvocation
from .jsontext import MAX_DIGITS, _at

E = TypeVar("E", bound=StrEnum)
T = TypeVar("T")


def _shown(value: object) -> str:
    text = str(value) if isinstance(value, Decimal) else json.dumps(
        value, ensure_ascii=False, default=str)  # a Decimal inside a list or an object
    return text if len(text) <= 60 else text[:57] + "..."


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float | Decimal):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


def _object(value: object, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise CaseError(path, f"expected an object, got {_kind(value)}")
    return value


def _list(value: object, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise CaseError(path, f"expected a list, got {_kind(value)}")
    return value


def _required(obj: Mapping[str, Any], key: str, path: str, hint: str = "") -> Any:
    if key not in obj:
        raise CaseError(_at(path, key), "missing" + hint)
    return obj[key]


def _string(value: object, path: str) -> str:
    if not isinstance(value, str):
        raise CaseError(path, f"expected a string, got {_kind(value)}")
    if not value:
        raise CaseError(path, "must not be empty")
    return value


def _text(value: object, path: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise CaseError(path, f"expected a string or null, got {_kind(value)}")
    return value


def _integer(value: object, path: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise CaseError(path, f"expected a whole number, got {_kind(value)} {_shown(value)}")
    if value < minimum:
        raise CaseError(path, f"must be at least {minimum}, got {value}")
    return value


def _boolean(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        raise CaseError(path, f"expected true or false, got {_kind(value)}")
    return value


def _time(value: object, path: str) -> datetime:
    if not isinstance(value, str):
        raise CaseError(path, f"expected an ISO 8601 time, got {_kind(value)}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise CaseError(path, f"not an ISO 8601 time: {_shown(value)}") from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)  # times of the case format are UTC
    try:
        return parsed if parsed.tzinfo is UTC else parsed.astimezone(UTC)
    except OverflowError:
        raise CaseError(path, f"out of range once converted to UTC: {_shown(value)}") from None


def _maybe_time(value: object, path: str) -> datetime | None:
    return None if value is None else _time(value, path)


def _date(value: object, path: str) -> date:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise CaseError(path, f"not a date YYYY-MM-DD: {_shown(value)}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CaseError(path, f"not a date YYYY-MM-DD: {_shown(value)}") from None


def _choice(
    kind: type[E], value: object, path: str, what: str, *, but: tuple[E, ...] = ()
) -> E:
    if isinstance(value, str):
        for member in kind:
            if member.value == value and member not in but:
                return member
    expected = ", ".join(m.value for m in kind if m not in but)
    raise CaseError(path, f"unknown {what} {_shown(value)} (expected one of: {expected})")


def _number(value: object, path: str) -> Fraction:
    """An exact number: an integer, a decimal, or a fraction string ``"100/3"``."""
    if isinstance(value, bool):
        raise CaseError(path, "expected a number, got a boolean")
    if isinstance(value, int | Decimal):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(repr(value))  # the decimal written in the JSON, not the binary float
    if isinstance(value, str) and len(value) > MAX_DIGITS:
        raise CaseError(path, f"number out of range: more than {MAX_DIGITS} characters")
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+(\.\d+)?(\s*/\s*\d+)?\s*", value):
        try:
            return Fraction(value.replace(" ", ""))
        except ZeroDivisionError:
            raise CaseError(path, "a fraction cannot have a zero denominator") from None
    raise CaseError(path, f"expected a number or a fraction \"a/b\", got {_shown(value)}")


def _ratio(value: object, path: str) -> tuple[int, int]:
    obj = _object(value, path)
    num = _integer(_required(obj, "num", path), _at(path, "num"))
    den = _integer(_required(obj, "den", path), _at(path, "den"), minimum=1)
    if num > den:
        raise CaseError(path, f"{num}/{den} is more than the whole")
    return num, den


def _per_convocation(
    value: object, path: str, read: Callable[[object, str], T]
) -> ByConvocation[T]:
    if isinstance(value, dict) and ("first" in value or "second" in value):
        _no_other_keys(value, ("first", "second"), path)
        first = read(_required(value, "first", path), _at(path, "first"))
        second = read(value["second"], _at(path, "second")) if "second" in value else first
        return ByConvocation(first, second)
    one = read(value, path)
    return ByConvocation(one, one)


def _no_other_keys(obj: Mapping[str, Any], allowed: tuple[str, ...] | frozenset[str],
                   path: str) -> None:
    for key in obj:
        if key not in allowed:
            raise CaseError(_at(path, key), f"unknown key (expected: {', '.join(allowed)})")
