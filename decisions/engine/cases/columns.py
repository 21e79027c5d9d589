"""The columnar fast path: a plain roll or plain ballots read a whole column at a time.

An assembly can bring tens of thousands of members and a million ballots. When every
member or ballot has the plain form (the right keys, the right types, UTC times), these
readers build the columns of :class:`Roll` and :class:`Ballots` with C-level iterators
instead of one checked value at a time. At the first unusual item they give up and return
``None``; the careful readers of ``read_case`` then read the same input again and name the
fault with its path. Both paths accept exactly the same cases and give equal values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from itertools import repeat
from operator import attrgetter
from typing import Any, cast

from ..model import Ballots, Family, Position

_NONE = type(None)
_TZINFO = attrgetter("tzinfo")


def _roll_columns(
    items: object, family: Family, colleges: frozenset[str]
) -> tuple[tuple[str, ...], tuple[str | None, ...]] | None:
    """The ids and the college column of a roll (the column empty when no member has a
    college), or ``None`` to let the careful reader find the fault."""
    if not isinstance(items, list):
        return None
    kinds = set(map(type, items))
    try:
        if kinds <= {str}:
            ids, chosen = items, []
        elif kinds == {dict} and set().union(*items) <= {"id", "college"}:
            ids = [m.get("id") for m in items]
            chosen = [m.get("college") for m in items]
            if not set(map(type, ids)) <= {str}:
                return None
        else:
            return None
        if "" in ids or len(set(ids)) != len(ids):
            return None
        if family is Family.SCIC_COLLEGE and not set(chosen or [None]) <= colleges:
            return None
        if not set(map(type, chosen)) <= {str, type(None)} or "" in chosen:
            return None
    except TypeError:  # an unhashable id or college: the careful reader names it
        return None
    college_column = tuple(chosen) if any(c is not None for c in chosen) else ()
    return tuple(ids), college_column


def _ballot_columns(items: list[Any], positions: Mapping[str, Position]) -> Ballots | None:
    """Plain ballots read column by column with C-level iterators, or ``None`` when anything
    is unusual (an event, a wrong type, a bad time): then the careful reader names the fault.
    """
    get = cast(Callable[[dict[str, Any], str], Any], dict.get)
    lookup = cast(Callable[[Any], Position | None], positions.get)
    try:
        if set(map(type, items)) != {dict}:
            return None
        keys = set().union(*items)
        if not keys.isdisjoint(("type", "cast_by", "postal")):
            return None  # events, and ballots of proxy holders or by post, read one by one
        voters = list(map(get, items, repeat("voter")))
        chosen = list(map(lookup, map(get, items, repeat("position"))))
        if set(map(type, voters)) != {str} or "" in voters or None in chosen:
            return None
        # Every time parsed (a dict of distinct times costs more than parsing them all).
        stamps: list[str] = list(map(get, items, repeat("cast_at")))
        times = tuple(map(datetime.fromisoformat, stamps))
        if set(map(_TZINFO, times)) != {UTC}:
            return None  # naive or offset times: the careful reader converts them
        absent = (None,) * len(items)
        reasons = tuple(map(get, items, repeat("reason"))) if "reason" in keys else absent
        concerns = tuple(map(get, items, repeat("concern"))) if "concern" in keys else absent
        seqs = tuple(map(get, items, repeat("seq"))) if "seq" in keys else absent
        if not (set(map(type, reasons)) | set(map(type, concerns))) <= {str, _NONE}:
            return None
        if not set(map(type, seqs)) <= {int, _NONE} or min(
                (s for s in seqs if s is not None), default=0) < 0:
            return None
    except (TypeError, ValueError):  # unhashable or unreadable values
        return None
    return Ballots(tuple(voters), tuple(chosen), times,  # type: ignore[arg-type]
                   reasons, concerns, seqs)
