"""Reading the ``params`` of a case into the parameters of its family.

A preset's parameters come first and the case's own override them; every parameter not
given takes the family default of docs/rules.md section 8. A parameter unknown to every
family is refused, so that a misspelt key is never silently ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import CaseError
from ..model import (
    UNLIMITED,
    AbsentPolicy,
    Base,
    College,
    CollegeMethod,
    Convocation,
    ConvocationCheck,
    EmptyCollegePolicy,
    Family,
    Mode,
    Position,
    PostalOnAmended,
    Quorum,
    QuorumBasis,
    QuorumScope,
    SilencePolicy,
    Threshold,
    ThresholdName,
    UnreasonedObjectionPolicy,
)
from ..params import (
    CollegeParams,
    ConsentParams,
    ElectionParams,
    MajorityParams,
    Params,
    SociocraticParams,
)
from ..presets import PRESETS
from ..timing import Window
from .fields import (
    _boolean,
    _choice,
    _date,
    _integer,
    _list,
    _maybe_time,
    _no_other_keys,
    _number,
    _object,
    _per_convocation,
    _ratio,
    _required,
    _shown,
    _string,
)
from .jsontext import _at
from .read_ballots import _CONSENT_POSITIONS

_WINDOW = ("opens_at", "closes_at", "evaluated_at", "deadline_inclusive", "allow_vote_change")
_MEETING_PARAMS = ("max_proxies_per_holder", "proxy_same_college", "remote_counts_as_present",
                   "postal_deadline", "amended_in_meeting", "postal_on_amended")
_VOTE_PARAMS = frozenset({
    "preset", "mode", "threshold", "base", "quorum", "quorum_basis", "convocation",
    "convocation_check", "close_when_all_voted", "casting_vote", *_WINDOW, *_MEETING_PARAMS,
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
        **_meeting_params(p, path),
    }


def _meeting_params(p: Mapping[str, Any], path: str) -> dict[str, Any]:
    """The statutory parameters of a meeting's attendance (docs/rules.md 0.4)."""
    cap = p.get("max_proxies_per_holder")
    if cap is not None and cap != UNLIMITED:
        if isinstance(cap, str):
            raise CaseError(_at(path, "max_proxies_per_holder"),
                            f'expected a whole number or "unlimited", got {_shown(cap)}')
        cap = _integer(cap, _at(path, "max_proxies_per_holder"))
    return {
        "max_proxies_per_holder": cap,
        "proxy_same_college": _flag(p, "proxy_same_college", False, path),
        "remote_counts_as_present": _flag(p, "remote_counts_as_present", False, path),
        "postal_deadline": _maybe_time(p.get("postal_deadline"), _at(path, "postal_deadline")),
        "amended_in_meeting": _flag(p, "amended_in_meeting", False, path),
        "postal_on_amended": _choice(PostalOnAmended, p.get("postal_on_amended", "absent"),
                                     _at(path, "postal_on_amended"), "postal policy"),
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


# Values of parameters --------------------------------------------------------------------


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
