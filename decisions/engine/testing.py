"""Helpers for embedders and tests: build cases in a few lines, compare results.

Builders write the case format's JSON and read it with ``load_case``, so a case built here
gets the same presets, defaults and checks as one read from a file::

    from decisions.engine.testing import CaseBuilder
    case = (CaseBuilder("consent", preset="consent_async")
            .members("a", "b", "c")
            .ballot("a", "consent", "2025-04-02T10:00:00Z")
            .ballot("b", "object", "2025-04-02T11:00:00Z", reason="over budget")
            .build())
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from .cases import dump_case, load_case
from .model import Case
from .results import Result, time_json
from .rules import evaluate

__all__ = ["CaseBuilder", "at", "differences", "evaluate_json", "matches", "roundtrip"]

_EPOCH = datetime.fromisoformat("2025-01-06T08:00:00+00:00")


def at(minutes: int = 0, *, days: int = 0, start: datetime = _EPOCH) -> str:
    """An ISO 8601 UTC time ``days`` and ``minutes`` after a fixed start: readable tests."""
    return time_json(start + timedelta(days=days, minutes=minutes))


class CaseBuilder:
    """Builds a case step by step; ``build`` checks it as any input is checked."""

    def __init__(self, family: str, *, case_id: str | None = None, **params: Any) -> None:
        self._case: dict[str, Any] = {"family": family, "params": dict(params),
                                      "electorate": {}, "ballots": []}
        if case_id is not None:
            self._case["id"] = case_id

    def params(self, **params: Any) -> CaseBuilder:
        """Set parameters (JSON words: ``threshold="two_thirds"``, ``quorum={...}``)."""
        self._case["params"].update(params)
        return self

    def members(self, *ids: str, present: Iterable[str] | None = None,
                colleges: Mapping[str, str] | None = None,
                weights: Mapping[str, int | str] | None = None) -> CaseBuilder:
        """A named electorate; ``colleges`` maps member ids to their college, ``weights``
        to their vote weight (``2``, ``"3/2"``)."""
        roll: list[Any] = []
        for i in ids:
            row: dict[str, Any] = {"id": i}
            if colleges and i in colleges:
                row["college"] = colleges[i]
            if weights and i in weights:
                row["weight"] = weights[i]
            roll.append(row if len(row) > 1 else i)
        self._case["electorate"] = {"members": roll}
        if present is not None:
            self._case["electorate"]["present"] = list(present)
        return self

    def attendance(self, *, remote: Iterable[str] = (),
                   represented_by: Mapping[str, str] | None = None,
                   postal: Mapping[str, str] | None = None) -> CaseBuilder:
        """The attendance sheet of a meeting, after :meth:`members`: members taking part
        remotely, proxies (member -> holder) and postal forms (member -> time received).
        Ballots take ``cast_by=`` (a proxy holder) or ``postal=True`` as keywords."""
        sheet = self._case["electorate"]
        if remote:
            sheet["remote"] = list(remote)
        if represented_by:
            sheet["represented_by"] = dict(represented_by)
        if postal:
            sheet["postal"] = dict(postal)
        return self

    def head_count(self, eligible: int, present: int | None = None) -> CaseBuilder:
        """A counted electorate of a meeting."""
        self._case["electorate"] = {"eligible": eligible}
        if present is not None:
            self._case["electorate"]["present"] = present
        return self

    def college_heads(self, **heads: tuple[int, int]) -> CaseBuilder:
        """A counted electorate by college: ``salaries=(10, 8)`` is 10 members, 8 present."""
        self._case["electorate"] = {"colleges": {
            c: {"members": m, "present": p} for c, (m, p) in heads.items()}}
        return self

    def tally(self, **counts: int) -> CaseBuilder:
        """Counted ballots: ``tally(yes=7, no=5, abstain=3)``."""
        self._case["ballots"] = {"format": "tally", **counts}
        return self

    def college_tally(self, **by_college: Mapping[str, int]) -> CaseBuilder:
        """Counted ballots by college: ``college_tally(salaries={"yes": 8, "no": 2})``."""
        self._case["ballots"] = {"format": "tally_by_college",
                                 **{c: dict(t) for c, t in by_college.items()}}
        return self

    def ballot(self, voter: str, position: str, cast_at: str, **extra: Any) -> CaseBuilder:
        """An individual ballot (``reason=``, ``concern=``, ``seq=`` as keywords)."""
        self._case["ballots"].append({"voter": voter, "position": position, "cast_at": cast_at,
                                      **extra})
        return self

    def event(self, kind: str, **fields: Any) -> CaseBuilder:
        """An event of a consent process or election: ``event("round_open", round=1)``."""
        self._case["ballots"].append({"type": kind, **fields})
        return self

    def json(self) -> dict[str, Any]:
        """The case as JSON, as built so far."""
        return self._case

    def build(self) -> Case:
        """The case value (raises ``CaseError`` for malformed input)."""
        return load_case(self._case)


def evaluate_json(case: Mapping[str, Any] | Case, now: datetime | None = None) -> dict[str, Any]:
    """Evaluate a case (JSON or value) and give the result as JSON."""
    value = case if isinstance(case, Case) else load_case(dict(case))
    return evaluate(value, now).to_json()


def differences(expected: Any, actual: Any, path: str = "$") -> list[str]:
    """How ``actual`` fails to match ``expected`` as docs/case-format.md defines a match:
    every key of ``expected`` present and equal, extra keys allowed, decimals within 0.00005."""
    if isinstance(expected, Mapping):
        if not isinstance(actual, Mapping):
            return [f"{path}: expected an object, got {actual!r}"]
        found: list[str] = []
        for key, value in expected.items():
            if key not in actual:
                found.append(f"{path}.{key}: missing")
            else:
                found += differences(value, actual[key], f"{path}.{key}")
        return found
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{path}: expected {expected!r}, got {actual!r}"]
        return [d for i, (e, a) in enumerate(zip(expected, actual, strict=True))
                for d in differences(e, a, f"{path}[{i}]")]
    if isinstance(expected, float) and not isinstance(actual, bool):
        if isinstance(actual, int | float) and abs(expected - actual) <= 0.00005:
            return []
        return [f"{path}: expected {expected!r}, got {actual!r}"]
    if expected == actual and type(expected) is type(actual):
        return []
    return [f"{path}: expected {expected!r}, got {actual!r}"]


def matches(expected: Mapping[str, Any], result: Result | Mapping[str, Any]) -> bool:
    """Whether a result matches an example's ``expected`` (see :func:`differences`)."""
    actual = result.to_json() if isinstance(result, Result) else result
    return not differences(expected, actual)


def roundtrip(case: Case) -> Case:
    """The case written to JSON and read back (equal to ``case``: the format is lossless)."""
    return load_case(dump_case(case))
