"""Reading a case: its family, then parameters, electorate and ballots, all checked.

``load_case`` takes the JSON value of a case (docs/case-format.md) and gives a
:class:`Case`, or raises a :class:`CaseError` naming the JSON path of the first fault, so
that a platform in any language can tell its user where the input is wrong. The
electorate is read here; parameters in ``read_params``, ballots and events in
``read_ballots``. A plain roll goes through the columnar fast path of ``columns`` first.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from fractions import Fraction
from typing import Any

from ..errors import CaseError
from ..model import (
    Ballots,
    Case,
    CollegeHeadCount,
    CollegeHeads,
    Electorate,
    Family,
    HeadCount,
    Member,
    Mode,
    Roll,
)
from ..params import CollegeParams, MajorityParams, Params
from .columns import _roll_columns
from .fields import (
    _choice,
    _integer,
    _kind,
    _list,
    _no_other_keys,
    _number,
    _object,
    _required,
    _shown,
    _string,
    _time,
)
from .jsontext import _at, parse_json
from .read_ballots import _ballots, _check_tallies
from .read_params import _params

__all__ = ["load_case", "parse_case_text"]

_IGNORED_KEYS = frozenset({"id", "expected", "why"})
_CASE_KEYS = frozenset({"family", "params", "electorate", "ballots"}) | _IGNORED_KEYS


def load_case(data: object, path: str = "$") -> Case:
    """Read a case from its JSON value (as ``json.load`` gives it).

    Raises :class:`CaseError` naming the path of the first fault.
    """
    obj = _object(data, path)
    for key in obj:
        if key not in _CASE_KEYS:
            raise CaseError(_at(path, key), "unknown key (expected: family, params,"
                            " electorate, ballots, id)")
    family = _choice(Family, _required(obj, "family", path), _at(path, "family"), "family")
    case_id = obj.get("id")
    if case_id is not None and not isinstance(case_id, str):
        raise CaseError(_at(path, "id"), f"expected a string, got {_kind(case_id)}")
    params = _params(family, dict(_object(obj.get("params", {}), _at(path, "params"))),
                     _at(path, "params"))
    colleges = frozenset(c.id for c in params.colleges) if isinstance(params, CollegeParams) \
        else frozenset()
    electorate = _electorate(_required(obj, "electorate", path), _at(path, "electorate"), family,
                             colleges)
    ballots_at = _at(path, "ballots")
    ballots, events = _ballots(obj.get("ballots", []), ballots_at, family, electorate, colleges)
    _check_tallies(ballots, electorate, ballots_at)
    if isinstance(electorate, Roll):
        _check_attendance(params, electorate, ballots, path)
    return Case(params=params, electorate=electorate, ballots=ballots, events=events, id=case_id)


def parse_case_text(text: str | bytes) -> Case:
    """Read a case from JSON text; a text that is not JSON is a :class:`CaseError` at ``$``."""
    return load_case(parse_json(text))


# Electorate ------------------------------------------------------------------------------


def _electorate(value: object, path: str, family: Family, colleges: frozenset[str]) -> Electorate:
    obj = _object(value, path)
    if "members" in obj:
        return _roll(obj, path, family, colleges)
    if family not in (Family.MAJORITY, Family.SCIC_COLLEGE):
        raise CaseError(_at(path, "members"), f"missing: a {family.value} case needs named"
                        " members")
    if family is Family.MAJORITY and "eligible" in obj:
        _no_other_keys(obj, ("eligible", "present"), path)
        eligible = _integer(obj["eligible"], _at(path, "eligible"))
        present = obj.get("present")
        if present is not None:
            present = _integer(present, _at(path, "present"))
            if present > eligible:
                raise CaseError(_at(path, "present"), f"{present} present but only {eligible}"
                                " eligible")
        return HeadCount(eligible, present)
    if family is Family.SCIC_COLLEGE and "colleges" in obj:
        _no_other_keys(obj, ("colleges",), path)
        return _college_heads(obj["colleges"], _at(path, "colleges"), colleges)
    expected = "members or eligible" if family is Family.MAJORITY else "members or colleges"
    raise CaseError(path, f"expected {expected}")


def _college_heads(value: object, path: str, colleges: frozenset[str]) -> CollegeHeadCount:
    obj = _object(value, path)
    heads = []
    for college, counts in obj.items():
        at = _at(path, college)
        if college not in colleges:
            raise CaseError(at, f"unknown college {_shown(college)}"
                            " (not declared in params.colleges)")
        row = _object(counts, at)
        _no_other_keys(row, ("members", "present"), at)
        members = _integer(_required(row, "members", at), _at(at, "members"))
        present = _integer(row.get("present", 0), _at(at, "present"))
        if present > members:
            raise CaseError(_at(at, "present"), f"{present} present but only {members} members")
        heads.append(CollegeHeads(college, members, present))
    listed = set(obj)
    heads += [CollegeHeads(c, 0, 0) for c in sorted(colleges - listed)]
    return CollegeHeadCount(tuple(heads))


_ROLL_KEYS = ("members", "present", "remote", "represented_by", "postal")
_SHEET_KEYS = ("remote", "represented_by", "postal")


def _roll(obj: Mapping[str, Any], path: str, family: Family, colleges: frozenset[str]) -> Roll:
    _no_other_keys(obj, _ROLL_KEYS, path)
    if family not in (Family.MAJORITY, Family.SCIC_COLLEGE):
        for key in _SHEET_KEYS:
            if key in obj:
                raise CaseError(_at(path, key), "remote members, proxies and postal votes"
                                " belong to a meeting: majority and scic_college votes only")
    fast = _roll_columns(obj["members"], family, colleges)
    if fast is not None:
        ids, college_column = fast
        return _sheet(obj, path, Roll(ids, college_column, _present(obj, path, set(ids))))
    members_at = _at(path, "members")
    members: list[Member] = []
    seen: set[str] = set()
    for i, item in enumerate(_list(obj["members"], members_at)):
        at = _at(members_at, i)
        if isinstance(item, str):
            member = Member(_string(item, at))
        else:
            row = _object(item, at)
            _no_other_keys(row, ("id", "college", "weight"), at)
            college = row.get("college")
            member = Member(_string(_required(row, "id", at), _at(at, "id")),
                            None if college is None else _string(college, _at(at, "college")),
                            _weight(row.get("weight", 1), _at(at, "weight"), family))
        if family is Family.SCIC_COLLEGE and member.college not in colleges:  # slow path
            where = _at(at, "college")
            if member.college is None:
                raise CaseError(where, "missing: every member of a multi-college vote has one")
            raise CaseError(where, f"unknown college {_shown(member.college)}"
                            " (not declared in params.colleges)")
        if member.id in seen:
            raise CaseError(at, f"member {_shown(member.id)} is listed twice")
        seen.add(member.id)
        members.append(member)
    return _sheet(obj, path, Roll.of_members(members, _present(obj, path, seen)))


def _weight(value: object, path: str, family: Family) -> int | Fraction:
    """A member's vote weight: exact and positive (a float is read as the decimal written)."""
    weight = _number(value, path)
    if weight <= 0:
        raise CaseError(path, f"a vote weight must be more than 0, got {_shown(value)}")
    if weight != 1 and family not in (Family.MAJORITY, Family.SCIC_COLLEGE):
        raise CaseError(path, "vote weights apply to majority and scic_college votes only")
    return weight.numerator if weight.denominator == 1 else weight


def _sheet(obj: Mapping[str, Any], path: str, roll: Roll) -> Roll:
    """The attendance sheet of a meeting added to a roll: remote members, proxies
    (``represented_by``: member -> holder) and postal forms (member -> time received)."""
    if not any(key in obj for key in _SHEET_KEYS):
        return roll
    members = set(roll.ids)
    in_room = set(roll.present or ())
    remote_at = _at(path, "remote")
    remote: list[str] = []
    for i, item in enumerate(_list(obj.get("remote", []), remote_at)):
        member_id = _string(item, _at(remote_at, i))
        if member_id not in members:
            raise CaseError(_at(remote_at, i), f"{_shown(member_id)} is not a member")
        if member_id in in_room:
            raise CaseError(_at(remote_at, i), f"{_shown(member_id)} is listed present in the"
                            " room too")
        remote.append(member_id)
    proxies_at = _at(path, "represented_by")
    proxies: list[tuple[str, str]] = []
    for member_id, holder in _object(obj.get("represented_by", {}), proxies_at).items():
        at = _at(proxies_at, member_id)
        if member_id not in members:
            raise CaseError(at, f"{_shown(member_id)} is not a member: only a member can give"
                            " a proxy")
        proxies.append((member_id, _string(holder, at)))
    postal_at = _at(path, "postal")
    postal: list[tuple[str, datetime]] = []
    for member_id, received in _object(obj.get("postal", {}), postal_at).items():
        at = _at(postal_at, member_id)
        if member_id not in members:
            raise CaseError(at, f"{_shown(member_id)} is not a member")
        postal.append((member_id, _time(received, at)))
    return Roll(roll.ids, roll.colleges, roll.present, roll.weights,
                tuple(dict.fromkeys(remote)), tuple(proxies), tuple(postal))


def _check_attendance(params: Params, roll: Roll, ballots: object, path: str) -> None:
    """What an attendance sheet, member weights and ballots cast by proxy holders or by post
    need: a meeting, individual ballots, the statutory cap on proxies, a postal form."""
    channels = isinstance(ballots, Ballots) and ballots.by_channel
    if not (roll.has_attendance_sheet or roll.weights or channels):
        return
    if not isinstance(params, MajorityParams):
        return  # the readers of other families refused them already
    if not isinstance(ballots, Ballots):
        raise CaseError(_at(path, "ballots"), "a tally carries its own counts: member weights,"
                        " remote members, proxies and postal votes need individual ballots")
    if (roll.has_attendance_sheet or channels) and params.mode is Mode.ASYNC:
        raise CaseError(_at(_at(path, "params"), "mode"), "remote members, proxies and postal"
                        " votes belong to a meeting: mode must be meeting")
    if roll.represented_by and params.max_proxies_per_holder is None:
        raise CaseError(_at(_at(path, "params"), "max_proxies_per_holder"),
                        "missing: the statuts' cap on proxies per holder is needed when"
                        ' proxies are given (a number, or "unlimited"; no legal default)')
    if not ballots.postal:
        return
    forms = {member for member, _ in roll.postal}
    for i, voter in enumerate(ballots.voters):
        if not ballots.postal[i]:
            continue
        at = _at(_at(path, "ballots"), i)
        if voter not in forms:
            raise CaseError(_at(at, "voter"), f"{_shown(voter)} sent no postal form"
                            " (electorate.postal lists the forms received)")
        if ballots.cast_by and ballots.cast_by[i] not in (None, voter):
            raise CaseError(_at(at, "cast_by"), "a postal vote is cast by the member themself")


def _present(obj: Mapping[str, Any], path: str, members: Collection[str]) -> tuple[str, ...] | None:
    present = obj.get("present")
    if present is None:
        return None
    present_at = _at(path, "present")
    ids = []
    for i, item in enumerate(_list(present, present_at)):
        member_id = _string(item, _at(present_at, i))
        if member_id not in members:
            raise CaseError(_at(present_at, i), f"{_shown(member_id)} is not a member")
        ids.append(member_id)
    return tuple(dict.fromkeys(ids))
