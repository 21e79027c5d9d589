"""The JSON case format (cases/FORMAT.md) read into values, and written back.

Reading checks everything and names the JSON path of the first fault: a platform in any
language can tell its user where the input is wrong. ``dump_case`` writes every parameter
explicitly, so that ``load_case(dump_case(case)) == case``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from itertools import repeat
from operator import attrgetter
from typing import Any, NoReturn, TypeVar, cast

from .errors import CaseError
from .model import (
    AbsentPolicy,
    Amend,
    Ballots,
    Base,
    ByConvocation,
    Case,
    Change,
    College,
    CollegeHeadCount,
    CollegeHeads,
    CollegeMethod,
    CollegeTallies,
    Convocation,
    ConvocationCheck,
    Electorate,
    EmptyCollegePolicy,
    Event,
    FacilitatorProposal,
    Family,
    HeadCount,
    Member,
    Mode,
    Nomination,
    ObjectionQualified,
    ObjectionWithdrawn,
    PhaseMark,
    Position,
    PositionTaken,
    Qualification,
    Quorum,
    QuorumBasis,
    QuorumScope,
    Roll,
    RoundOpen,
    SilencePolicy,
    Tally,
    Threshold,
    ThresholdName,
    UnreasonedObjectionPolicy,
)
from .params import (
    CollegeParams,
    ConsentParams,
    ElectionParams,
    MajorityParams,
    Params,
    SociocraticParams,
)
from .presets import PRESETS
from .results import time_json
from .timing import Window

__all__ = ["dump_case", "load_case", "parse_case_text"]

E = TypeVar("E", bound=StrEnum)
T = TypeVar("T")

_IGNORED_KEYS = frozenset({"id", "expected", "why"})
_CASE_KEYS = frozenset({"family", "params", "electorate", "ballots"}) | _IGNORED_KEYS
_WINDOW = ("opens_at", "closes_at", "evaluated_at", "deadline_inclusive", "allow_vote_change")
_VOTE_PARAMS = frozenset({
    "preset", "mode", "threshold", "base", "quorum", "quorum_basis", "convocation",
    "convocation_check", "close_when_all_voted", "casting_vote", *_WINDOW,
})
_COLLEGE_PARAMS = _VOTE_PARAMS | {"colleges", "method", "empty_college_policy", "quorum_scope",
                                  "enforce_scic_bounds"}
_CONSENT_PARAMS = frozenset({
    "preset", "positions", "objection_requires_reason", "unreasoned_objection_policy",
    "silence_policy", "min_responses", "min_consents", "close_when_all_responded",
    "allow_abstain", *_WINDOW,
})
_SOCIOCRATIC_PARAMS = frozenset({
    "preset", "max_consent_rounds", "escalation_target", "allow_abstain",
    "objection_requires_reason", "recheck_all_after_amend", "absent_policy", "require_phases",
    "review_date",
})
_ELECTION_PARAMS = _SOCIOCRATIC_PARAMS | {"role", "term_months", "self_nomination",
                                          "proposal_rule", "tie_rule"}
_KNOWN_PARAMS = _COLLEGE_PARAMS | _CONSENT_PARAMS | _ELECTION_PARAMS

_VOTE_POSITIONS = {p.value: p for p in (Position.YES, Position.NO, Position.ABSTAIN,
                                        Position.BLANK, Position.INVALID)}
_CONSENT_POSITIONS = {p.value: p for p in (Position.CONSENT, Position.ABSTAIN, Position.OBJECT)}
_ROUND_POSITIONS = {p.value: p for p in (Position.CONSENT, Position.OBJECT, Position.CONCERN,
                                         Position.ABSTAIN)}
_BALLOT_POSITIONS: Mapping[Family, Mapping[str, Position]] = {
    Family.MAJORITY: _VOTE_POSITIONS,
    Family.SCIC_COLLEGE: _VOTE_POSITIONS,
    Family.CONSENT: _CONSENT_POSITIONS,
}
_CONSENT_EVENTS = frozenset({"objection_qualified", "objection_withdrawn"})
_ROUND_EVENTS = _CONSENT_EVENTS | {"phase", "round_open", "position", "amend"}
_EVENTS: Mapping[Family, frozenset[str]] = {
    Family.MAJORITY: frozenset(),
    Family.SCIC_COLLEGE: frozenset(),
    Family.CONSENT: _CONSENT_EVENTS,
    Family.SOCIOCRATIC_CONSENT: _ROUND_EVENTS,
    Family.SOCIOCRATIC_ELECTION: _ROUND_EVENTS | {"nomination", "change",
                                                  "facilitator_proposal"},
}
_TALLY_KEYS = ("yes", "no", "abstain", "blank", "invalid")
_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


# Reading values, with the path of each -------------------------------------------------


def _at(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if _PLAIN_KEY.match(key) else f"{path}[{json.dumps(key)}]"


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


# Parameters ------------------------------------------------------------------------------


def _threshold(value: object, path: str) -> Threshold:
    if isinstance(value, dict):
        _no_other_keys(value, ("num", "den", "inclusive"), path)
        num, den = _ratio(value, path)
        inclusive = _boolean(value.get("inclusive", True), _at(path, "inclusive"))
        return Threshold.custom(num, den, inclusive=inclusive)
    name = _choice(ThresholdName, value, path, "threshold", but=(ThresholdName.CUSTOM,))
    return Threshold.named(name)


def _quorum(value: object, path: str) -> Quorum | None:
    if value is None:
        return None
    _no_other_keys(_object(value, path), ("num", "den"), path)
    return Quorum(*_ratio(value, path))


def _window(p: Mapping[str, Any], path: str) -> Window:
    window = Window(
        opens_at=_maybe_time(p.get("opens_at"), _at(path, "opens_at")),
        closes_at=_maybe_time(p.get("closes_at"), _at(path, "closes_at")),
        evaluated_at=_maybe_time(p.get("evaluated_at"), _at(path, "evaluated_at")),
        deadline_inclusive=_boolean(p.get("deadline_inclusive", False),
                                    _at(path, "deadline_inclusive")),
    )
    if window.opens_at and window.closes_at and window.closes_at < window.opens_at:
        raise CaseError(_at(path, "closes_at"), "is before opens_at")
    return window


def _convocation_check(
    value: object, path: str, preset: str | None, convocation: Convocation
) -> ConvocationCheck | None:
    if value is None:
        return None
    obj = _object(value, path)
    _no_other_keys(obj, ("sent_on", "meeting_on", "min_days"), path)
    sent = _date(_required(obj, "sent_on", path), _at(path, "sent_on"))
    meeting = _date(_required(obj, "meeting_on", path), _at(path, "meeting_on"))
    if meeting < sent:
        raise CaseError(_at(path, "meeting_on"), "is before sent_on")
    if obj.get("min_days") is not None:
        minimum = _per_convocation(obj["min_days"], _at(path, "min_days"), _integer)
    else:
        notice = PRESETS[preset].notice_days if preset else None
        if notice is None:
            raise CaseError(_at(path, "min_days"), "missing, and no preset gives a notice period")
        minimum = notice
    return ConvocationCheck(sent, meeting, minimum.at(convocation))


def _vote_params(p: Mapping[str, Any], path: str, preset: str | None) -> dict[str, Any]:
    hint = " (give a preset, or a threshold and a base)"
    if p.get("quorum_basis", "members_present_or_represented") != "members_present_or_represented":
        _choice(QuorumBasis, p["quorum_basis"], _at(path, "quorum_basis"), "quorum basis")
        raise CaseError(_at(path, "quorum_basis"),
                        "capital is not supported: a cooperative counts heads")
    if p.get("casting_vote") is not None:
        raise CaseError(_at(path, "casting_vote"),
                        "not supported: an assembly has no casting vote")
    convocation = _choice(Convocation, p.get("convocation", "first"),
                          _at(path, "convocation"), "convocation")
    mode = p.get("mode")
    return {
        "preset": preset,
        "threshold": _per_convocation(_required(p, "threshold", path, hint),
                                      _at(path, "threshold"), _threshold),
        "base": _per_convocation(
            _required(p, "base", path, hint), _at(path, "base"),
            lambda v, at: _choice(Base, v, at, "base")),
        "quorum": _per_convocation(p.get("quorum"), _at(path, "quorum"), _quorum),
        "mode": None if mode is None else _choice(Mode, mode, _at(path, "mode"), "mode"),
        "convocation": convocation,
        "convocation_check": _convocation_check(
            p.get("convocation_check"), _at(path, "convocation_check"), preset, convocation),
        "window": _window(p, path),
        "allow_vote_change": _boolean(p.get("allow_vote_change", True),
                                      _at(path, "allow_vote_change")),
        "close_when_all_voted": _boolean(p.get("close_when_all_voted", False),
                                         _at(path, "close_when_all_voted")),
    }


def _colleges(value: object, path: str) -> tuple[College, ...]:
    colleges = []
    seen: set[str] = set()
    for i, item in enumerate(_list(value, path)):
        at = _at(path, i)
        obj = _object(item, at)
        _no_other_keys(obj, ("id", "weight"), at)
        college_id = _string(_required(obj, "id", at), _at(at, "id"))
        if college_id in seen:
            raise CaseError(_at(at, "id"), f"college {_shown(college_id)} is listed twice")
        seen.add(college_id)
        weight = obj.get("weight")
        colleges.append(College(college_id, None if weight is None
                                else _number(weight, _at(at, "weight"))))
    return tuple(colleges)


def _params(family: Family, p: dict[str, Any], path: str) -> Params:
    preset = p.get("preset")
    if preset is not None:
        spec = PRESETS.get(preset) if isinstance(preset, str) else None
        if spec is None:
            known = ", ".join(PRESETS)
            raise CaseError(_at(path, "preset"),
                            f"unknown preset {_shown(preset)} (expected one of: {known})")
        if family not in spec.families:
            families = ", ".join(sorted(f.value for f in spec.families))
            raise CaseError(_at(path, "preset"),
                            f"preset {preset} is for {families}, not {family.value}")
        p = {**spec.params, **p}
    for key in p:
        if key not in _KNOWN_PARAMS:
            raise CaseError(_at(path, key), "unknown parameter")
    if family is Family.MAJORITY:
        return MajorityParams(**_vote_params(p, path, preset))
    if family is Family.SCIC_COLLEGE:
        return CollegeParams(
            **_vote_params(p, path, preset),
            colleges=_colleges(_required(p, "colleges", path), _at(path, "colleges")),
            method=_choice(CollegeMethod, p.get("method", "proportional"),
                           _at(path, "method"), "method"),
            empty_college_policy=_choice(
                EmptyCollegePolicy, p.get("empty_college_policy", "redistribute"),
                _at(path, "empty_college_policy"), "empty college policy"),
            quorum_scope=_choice(QuorumScope, p.get("quorum_scope", "assembly_heads"),
                                 _at(path, "quorum_scope"), "quorum scope"),
            enforce_scic_bounds=_boolean(p.get("enforce_scic_bounds", True),
                                         _at(path, "enforce_scic_bounds")),
        )
    if family is Family.CONSENT:
        return _consent_params(p, path, preset)
    return _sociocratic_params(family, p, path, preset)


def _flag(p: Mapping[str, Any], key: str, default: bool, path: str) -> bool:
    return _boolean(p.get(key, default), _at(path, key))


def _consent_params(p: Mapping[str, Any], path: str, preset: str | None) -> ConsentParams:
    positions_at = _at(path, "positions")
    positions = tuple(
        _choice(Position, v, _at(positions_at, i), "position")
        for i, v in enumerate(_list(p.get("positions", ["consent", "abstain", "object"]),
                                    positions_at))
    )
    for i, position in enumerate(positions):
        if position.value not in _CONSENT_POSITIONS:
            raise CaseError(_at(positions_at, i),
                            f"{position.value} is not a position of a consent process")
    return ConsentParams(
        preset=preset,
        positions=positions,
        objection_requires_reason=_flag(p, "objection_requires_reason", True, path),
        unreasoned_objection_policy=_choice(
            UnreasonedObjectionPolicy, p.get("unreasoned_objection_policy", "reject_ballot"),
            _at(path, "unreasoned_objection_policy"), "policy"),
        silence_policy=_choice(SilencePolicy, p.get("silence_policy", "consent"),
                               _at(path, "silence_policy"), "silence policy"),
        min_responses=_quorum(p.get("min_responses"), _at(path, "min_responses")),
        min_consents=_integer(p.get("min_consents", 1), _at(path, "min_consents")),
        close_when_all_responded=_flag(p, "close_when_all_responded", True, path),
        allow_abstain=_flag(p, "allow_abstain", True, path),
        allow_vote_change=_flag(p, "allow_vote_change", True, path),
        window=_window(p, path),
    )


def _sociocratic_params(
    family: Family, p: Mapping[str, Any], path: str, preset: str | None
) -> SociocraticParams:
    target = p.get("escalation_target")
    review = p.get("review_date")
    phases_at = _at(path, "require_phases")
    common: dict[str, Any] = {
        "preset": preset,
        "max_consent_rounds": _integer(p.get("max_consent_rounds", 3),
                                       _at(path, "max_consent_rounds"), minimum=1),
        "escalation_target": None if target is None
        else _string(target, _at(path, "escalation_target")),
        "allow_abstain": _flag(p, "allow_abstain", False, path),
        "objection_requires_reason": _flag(p, "objection_requires_reason", True, path),
        "recheck_all_after_amend": _flag(p, "recheck_all_after_amend", True, path),
        "absent_policy": _choice(AbsentPolicy, p.get("absent_policy", "await"),
                                 _at(path, "absent_policy"), "absent policy"),
        "require_phases": tuple(
            _string(v, _at(phases_at, i))
            for i, v in enumerate(_list(p.get("require_phases",
                                              ["clarifying", "reactions"]
                                              if family is Family.SOCIOCRATIC_CONSENT else []),
                                        phases_at))),
        "review_date": None if review is None else _date(review, _at(path, "review_date")),
    }
    if family is Family.SOCIOCRATIC_CONSENT:
        return SociocraticParams(**common)
    role, term = p.get("role"), p.get("term_months")
    proposal_rule = p.get("proposal_rule", "facilitator")
    if proposal_rule not in ("facilitator", "top_nominee"):
        raise CaseError(_at(path, "proposal_rule"), f"unknown proposal rule {_shown(proposal_rule)}"
                        " (expected one of: facilitator, top_nominee)")
    if p.get("tie_rule", "facilitator_choice") != "facilitator_choice":
        raise CaseError(_at(path, "tie_rule"), f"unknown tie rule {_shown(p['tie_rule'])}"
                        " (expected: facilitator_choice; no lot, no seniority)")
    return ElectionParams(
        **common,
        role=None if role is None else _string(role, _at(path, "role")),
        term_months=None if term is None else _integer(term, _at(path, "term_months"), 1),
        self_nomination=_flag(p, "self_nomination", True, path),
        proposal_rule=proposal_rule,
    )


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


def _roll(obj: Mapping[str, Any], path: str, family: Family, colleges: frozenset[str]) -> Roll:
    _no_other_keys(obj, ("members", "present"), path)
    fast = _roll_columns(obj, path, family, colleges)
    if fast is not None:
        return fast
    members_at = _at(path, "members")
    members: list[Member] = []
    seen: set[str] = set()
    for i, item in enumerate(_list(obj["members"], members_at)):
        at = _at(members_at, i)
        if isinstance(item, str):
            member = Member(_string(item, at))
        else:
            row = _object(item, at)
            _no_other_keys(row, ("id", "college"), at)
            college = row.get("college")
            member = Member(_string(_required(row, "id", at), _at(at, "id")),
                            None if college is None else _string(college, _at(at, "college")))
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
    return Roll.of_members(members, _present(obj, path, seen))


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


def _roll_columns(
    obj: Mapping[str, Any], path: str, family: Family, colleges: frozenset[str]
) -> Roll | None:
    """The roll read column by column, or ``None`` to let the careful reader find the fault."""
    items = obj["members"]
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
    known = set(ids)
    college_column = tuple(chosen) if any(c is not None for c in chosen) else ()
    return Roll(tuple(ids), college_column, _present(obj, path, known))


# Ballots and events ----------------------------------------------------------------------


def _tally(obj: Mapping[str, Any], path: str, keys: tuple[str, ...]) -> Tally:
    _no_other_keys(obj, keys, path)
    return Tally(*(_integer(obj.get(k, 0), _at(path, k)) for k in _TALLY_KEYS))


def _tallies(
    obj: Mapping[str, Any], path: str, family: Family, colleges: frozenset[str]
) -> Tally | CollegeTallies:
    kind = obj.get("format")
    if family is Family.MAJORITY and kind == "tally":
        return _tally(obj, path, ("format", *_TALLY_KEYS))
    if family is Family.SCIC_COLLEGE and kind == "tally_by_college":
        rows = []
        for college, counts in obj.items():
            if college == "format":
                continue
            at = _at(path, college)
            if college not in colleges:
                raise CaseError(at, f"unknown college {_shown(college)}"
                                " (not declared in params.colleges)")
            rows.append((college, _tally(_object(counts, at), at, _TALLY_KEYS)))
        return CollegeTallies(tuple(rows))
    expected = {Family.MAJORITY: "tally", Family.SCIC_COLLEGE: "tally_by_college"}.get(family)
    if expected is None:
        raise CaseError(path, f"a {family.value} case takes a list of ballots and events")
    raise CaseError(_at(path, "format"), f"unknown ballot format {_shown(kind)}"
                    f" (expected {expected}, or a list of ballots)")


class _BallotReader:
    """Reads individual ballots column by column: an assembly can bring a million."""

    def __init__(self, positions: Mapping[str, Position]) -> None:
        self.positions = positions
        self.times: dict[str, datetime] = {}
        self.voters: list[str] = []
        self.chosen: list[Position] = []
        self.cast_at: list[datetime] = []
        self.reasons: list[str | None] = []
        self.concerns: list[str | None] = []
        self.seqs: list[int | None] = []

    def read(self, item: dict[str, Any], path: str) -> None:
        voter = item.get("voter")
        if type(voter) is not str or not voter:
            _string(_required(item, "voter", path), _at(path, "voter"))
        position = item.get("position")
        chosen = self.positions.get(position) if type(position) is str else None
        if chosen is None:
            self._bad_position(item, path)
        cast = item.get("cast_at")
        cast_at = self.times.get(cast) if type(cast) is str else None
        if cast_at is None:
            cast_at = _time(_required(item, "cast_at", path), _at(path, "cast_at"))
            self.times[cast] = cast_at  # type: ignore[index]  # _time checked it is a string
        reason, concern, seq = item.get("reason"), item.get("concern"), item.get("seq")
        if reason is not None and type(reason) is not str:
            _text(reason, _at(path, "reason"))
        if concern is not None and type(concern) is not str:
            _text(concern, _at(path, "concern"))
        if seq is not None:
            _integer(seq, _at(path, "seq"))
        self.voters.append(voter)  # type: ignore[arg-type]  # checked above
        self.chosen.append(chosen)  # type: ignore[arg-type]
        self.cast_at.append(cast_at)
        self.reasons.append(reason)
        self.concerns.append(concern)
        self.seqs.append(seq)

    def _bad_position(self, item: Mapping[str, Any], path: str) -> None:
        position = _required(item, "position", path)
        expected = ", ".join(self.positions)
        raise CaseError(_at(path, "position"),
                        f"unknown position {_shown(position)} (expected one of: {expected})")

    def ballots(self) -> Ballots:
        return Ballots(tuple(self.voters), tuple(self.chosen), tuple(self.cast_at),
                       tuple(self.reasons), tuple(self.concerns), tuple(self.seqs))


_NONE = type(None)


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
        if "type" in keys:
            return None
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


_TZINFO = attrgetter("tzinfo")


def _event(kind: str, item: Mapping[str, Any], path: str) -> Event:
    def text(key: str) -> str | None:
        return _text(item.get(key), _at(path, key))

    def name(key: str) -> str:
        return _string(_required(item, key, path), _at(path, key))

    def number(key: str, required: bool = True) -> int | None:
        if not required and item.get(key) is None:
            return None
        return _integer(_required(item, key, path), _at(path, key), minimum=1)

    if kind == "objection_qualified":
        return ObjectionQualified(
            name("voter"),
            _choice(Qualification, _required(item, "result", path), _at(path, "result"),
                    "qualification"),
            name("decided_by"), text("rationale"),
            _maybe_time(item.get("at"), _at(path, "at")), number("round", required=False))
    if kind == "objection_withdrawn":
        return ObjectionWithdrawn(name("voter"), number("round", required=False), text("note"),
                                  _maybe_time(item.get("at"), _at(path, "at")))
    if kind == "phase":
        return PhaseMark(name("phase"))
    if kind == "round_open":
        return RoundOpen(number("round") or 1, number("version", required=False),
                         text("candidate"))
    if kind == "position":
        position = _required(item, "position", path)
        if not isinstance(position, str) or position not in _ROUND_POSITIONS:
            raise CaseError(_at(path, "position"), f"unknown position {_shown(position)}"
                            f" (expected one of: {', '.join(_ROUND_POSITIONS)})")
        return PositionTaken(number("round") or 1, name("voter"), _ROUND_POSITIONS[position],
                             number("version", required=False), text("reason"))
    if kind == "amend":
        integrates_at = _at(path, "integrates")
        pairs = []
        for i, row in enumerate(_list(item.get("integrates", []), integrates_at)):
            at = _at(integrates_at, i)
            obj = _object(row, at)
            pairs.append((_integer(_required(obj, "round", at), _at(at, "round"), 1),
                          _string(_required(obj, "voter", at), _at(at, "voter"))))
        return Amend(number("version") or 1, text("summary"), tuple(pairs))
    if kind in ("nomination", "change"):
        kind_of = Nomination if kind == "nomination" else Change
        return kind_of(name("voter"), name("nominee"), text("reason"))
    return FacilitatorProposal(name("candidate"), text("reason"))


def _ballots(
    value: object, path: str, family: Family, electorate: Electorate, colleges: frozenset[str]
) -> tuple[Ballots | Tally | CollegeTallies, tuple[Event, ...]]:
    if isinstance(value, dict):
        return _tallies(value, path, family, colleges), ()
    items = _list(value, path)
    if not items and isinstance(electorate, HeadCount):
        return Tally(), ()  # no ballot: a meeting counted by heads counted nothing
    if not items and isinstance(electorate, CollegeHeadCount):
        return CollegeTallies(()), ()
    vocabulary = _BALLOT_POSITIONS.get(family)
    fast = None if vocabulary is None else _ballot_columns(items, vocabulary)
    if fast is not None:
        if fast and not isinstance(electorate, Roll):
            raise CaseError(path, "individual ballots need a named electorate"
                            " (electorate.members)")
        return fast, ()
    allowed = _EVENTS[family]
    reader = _BallotReader(_BALLOT_POSITIONS.get(family, {}))
    events: list[Event] = []
    last_round = 0
    for i, item in enumerate(items):
        at = f"{path}[{i}]"
        if type(item) is not dict:
            _object(item, at)
        kind = item.get("type")
        if kind is None:
            if family not in _BALLOT_POSITIONS:
                raise CaseError(_at(at, "type"), f"missing: a {family.value} case is a log of"
                                f" events ({', '.join(sorted(allowed))})")
            reader.read(item, at)
            continue
        if not isinstance(kind, str) or kind not in allowed:
            expected = ", ".join(sorted(allowed)) or "none: ballots only"
            raise CaseError(_at(at, "type"), f"unknown event type {_shown(kind)} for a"
                            f" {family.value} case (expected: {expected})")
        event = _event(kind, item, at)
        if isinstance(event, RoundOpen):
            if event.round <= last_round:
                raise CaseError(_at(at, "round"), f"round {event.round} opens after round"
                                f" {last_round}: rounds must go up")
            last_round = event.round
        events.append(event)
    ballots = reader.ballots()
    if ballots and not isinstance(electorate, Roll):
        raise CaseError(path, "individual ballots need a named electorate"
                        " (electorate.members)")
    return ballots, tuple(events)


def _check_tallies(
    ballots: Ballots | Tally | CollegeTallies, electorate: Electorate, path: str
) -> None:
    """Counted ballots cannot outnumber the members present (or eligible)."""
    if isinstance(ballots, Tally):
        if isinstance(electorate, HeadCount):
            limit = electorate.eligible if electorate.present is None else electorate.present
        elif isinstance(electorate, Roll):
            limit = len(electorate.ids if electorate.present is None else electorate.present)
        else:
            return
        if ballots.total > limit:
            raise CaseError(path, f"{ballots.total} ballots counted but only {limit}"
                            " members present or eligible")
    elif isinstance(ballots, CollegeTallies) and isinstance(electorate, CollegeHeadCount):
        for college, tally in ballots.by_college:
            heads = next(h for h in electorate.colleges if h.college == college)
            if tally.total > heads.present:
                raise CaseError(_at(path, college), f"{tally.total} ballots counted but only"
                                f" {heads.present} members present")


# The case ----------------------------------------------------------------------------------


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
    return Case(params=params, electorate=electorate, ballots=ballots, events=events, id=case_id)


def parse_case_text(text: str | bytes) -> Case:
    """Read a case from JSON text; a text that is not JSON is a :class:`CaseError` at ``$``."""
    return load_case(parse_json(text))


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


# Writing a case back ---------------------------------------------------------------------


def _number_json(value: Fraction) -> int | str:
    return value.numerator if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def _threshold_json(threshold: Threshold) -> str | dict[str, Any]:
    if threshold.name is ThresholdName.CUSTOM:
        return {"num": threshold.fraction.numerator, "den": threshold.fraction.denominator,
                "inclusive": threshold.inclusive}
    return threshold.name.value


def _quorum_json(quorum: Quorum | None) -> dict[str, int] | None:
    return None if quorum is None else {"num": quorum.num, "den": quorum.den}


def _by_convocation_json(value: ByConvocation[T], write: Callable[[T], Any]) -> Any:
    if value.first == value.second:
        return write(value.first)
    return {"first": write(value.first), "second": write(value.second)}


def _maybe_time_json(value: datetime | None) -> str | None:
    return None if value is None else time_json(value)


def _window_json(window: Window) -> dict[str, Any]:
    return {
        "opens_at": _maybe_time_json(window.opens_at),
        "closes_at": _maybe_time_json(window.closes_at),
        "evaluated_at": _maybe_time_json(window.evaluated_at),
        "deadline_inclusive": window.deadline_inclusive,
    }


def _params_json(params: Params) -> dict[str, Any]:
    data: dict[str, Any] = {"preset": params.preset}
    if isinstance(params, MajorityParams):
        check = params.convocation_check
        data.update(
            mode=None if params.mode is None else params.mode.value,
            threshold=_by_convocation_json(params.threshold, _threshold_json),
            base=_by_convocation_json(params.base, lambda b: b.value),
            quorum=_by_convocation_json(params.quorum, _quorum_json),
            convocation=params.convocation.value,
            convocation_check=None if check is None else {
                "sent_on": check.sent_on.isoformat(), "meeting_on": check.meeting_on.isoformat(),
                "min_days": check.min_days},
            allow_vote_change=params.allow_vote_change,
            close_when_all_voted=params.close_when_all_voted,
            **_window_json(params.window),
        )
    if isinstance(params, CollegeParams):
        data.update(
            colleges=[{"id": c.id, "weight": None if c.weight is None
                       else _number_json(c.weight)} for c in params.colleges],
            method=params.method.value,
            empty_college_policy=params.empty_college_policy.value,
            quorum_scope=params.quorum_scope.value,
            enforce_scic_bounds=params.enforce_scic_bounds,
        )
    if isinstance(params, ConsentParams):
        data.update(
            positions=[p.value for p in params.positions],
            objection_requires_reason=params.objection_requires_reason,
            unreasoned_objection_policy=params.unreasoned_objection_policy.value,
            silence_policy=params.silence_policy.value,
            min_responses=_quorum_json(params.min_responses),
            min_consents=params.min_consents,
            close_when_all_responded=params.close_when_all_responded,
            allow_abstain=params.allow_abstain,
            allow_vote_change=params.allow_vote_change,
            **_window_json(params.window),
        )
    if isinstance(params, SociocraticParams):
        data.update(
            max_consent_rounds=params.max_consent_rounds,
            escalation_target=params.escalation_target,
            allow_abstain=params.allow_abstain,
            objection_requires_reason=params.objection_requires_reason,
            recheck_all_after_amend=params.recheck_all_after_amend,
            absent_policy=params.absent_policy.value,
            require_phases=list(params.require_phases),
            review_date=None if params.review_date is None else params.review_date.isoformat(),
        )
    if isinstance(params, ElectionParams):
        data.update(role=params.role, term_months=params.term_months,
                    self_nomination=params.self_nomination,
                    proposal_rule=params.proposal_rule, tie_rule=params.tie_rule)
    return data


def _electorate_json(electorate: Electorate) -> dict[str, Any]:
    if isinstance(electorate, HeadCount):
        data: dict[str, Any] = {"eligible": electorate.eligible}
        if electorate.present is not None:
            data["present"] = electorate.present
        return data
    if isinstance(electorate, CollegeHeadCount):
        return {"colleges": {h.college: {"members": h.members, "present": h.present}
                             for h in electorate.colleges}}
    members = [m.id if m.college is None else {"id": m.id, "college": m.college}
               for m in electorate.members]  # members without a college are plain ids
    data = {"members": members}
    if electorate.present is not None:
        data["present"] = list(electorate.present)
    return data


def _tally_json(tally: Tally) -> dict[str, int]:
    return {k: getattr(tally, k) for k in _TALLY_KEYS}


def _ballot_json(ballots: Ballots, i: int) -> dict[str, Any]:
    data: dict[str, Any] = {"voter": ballots.voters[i], "position": ballots.positions[i].value,
                            "cast_at": time_json(ballots.cast_at[i])}
    for key, column in (("reason", ballots.reasons), ("concern", ballots.concerns),
                        ("seq", ballots.seqs)):
        if column[i] is not None:
            data[key] = column[i]
    return data


def _event_json(event: Event) -> dict[str, Any]:
    if isinstance(event, ObjectionQualified):
        return {"type": "objection_qualified", "voter": event.voter,
                "result": event.result.value, "decided_by": event.decided_by,
                "rationale": event.rationale, "at": _maybe_time_json(event.at),
                "round": event.round}
    if isinstance(event, ObjectionWithdrawn):
        return {"type": "objection_withdrawn", "voter": event.voter, "round": event.round,
                "note": event.note, "at": _maybe_time_json(event.at)}
    if isinstance(event, PhaseMark):
        return {"type": "phase", "phase": event.phase}
    if isinstance(event, RoundOpen):
        return {"type": "round_open", "round": event.round, "version": event.version,
                "candidate": event.candidate}
    if isinstance(event, PositionTaken):
        return {"type": "position", "round": event.round, "version": event.version,
                "voter": event.voter, "position": event.position.value, "reason": event.reason}
    if isinstance(event, Amend):
        return {"type": "amend", "version": event.version, "summary": event.summary,
                "integrates": [{"round": r, "voter": v} for r, v in event.integrates]}
    if isinstance(event, Nomination | Change):
        kind = "nomination" if isinstance(event, Nomination) else "change"
        return {"type": kind, "voter": event.voter, "nominee": event.nominee,
                "reason": event.reason}
    return {"type": "facilitator_proposal", "candidate": event.candidate,
            "reason": event.reason}


def dump_case(case: Case) -> dict[str, Any]:
    """The JSON value of a case, every parameter written out (``load_case`` reads it back
    to an equal case)."""
    data: dict[str, Any] = {}
    if case.id is not None:
        data["id"] = case.id
    data["family"] = case.family.value
    data["params"] = _params_json(case.params)
    data["electorate"] = _electorate_json(case.electorate)
    ballots = case.ballots
    if isinstance(ballots, Tally):
        data["ballots"] = {"format": "tally", **_tally_json(ballots)}
    elif isinstance(ballots, CollegeTallies):
        data["ballots"] = {"format": "tally_by_college",
                           **{c: _tally_json(t) for c, t in ballots.by_college}}
    else:
        data["ballots"] = [_ballot_json(ballots, i) for i in range(len(ballots))] + [
            _event_json(e) for e in case.events]
    return data
