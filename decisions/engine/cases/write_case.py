"""Writing a case back to its JSON value (docs/case-format.md).

``dump_case`` writes every parameter explicitly, presets and defaults already applied, so
that ``load_case(dump_case(case)) == case`` and the written case means the same to any
reader, whatever its defaults. Members without a college are written as plain ids.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from fractions import Fraction
from typing import Any, TypeVar

from ..model import (
    Amend,
    Ballots,
    ByConvocation,
    Case,
    Change,
    CollegeHeadCount,
    CollegeTallies,
    CountedTally,
    Electorate,
    Event,
    HeadCount,
    Member,
    Nomination,
    ObjectionQualified,
    ObjectionWithdrawn,
    PhaseMark,
    PositionTaken,
    Quorum,
    RoundOpen,
    Tally,
    Threshold,
    ThresholdName,
)
from ..params import (
    CollegeParams,
    ConsentParams,
    ElectionParams,
    MajorityParams,
    Params,
    SociocraticParams,
)
from ..results import time_json
from ..timing import Window
from .read_ballots import _TALLY_KEYS

__all__ = ["dump_case"]

T = TypeVar("T")


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
            max_proxies_per_holder=params.max_proxies_per_holder,
            proxy_same_college=params.proxy_same_college,
            remote_counts_as_present=params.remote_counts_as_present,
            postal_deadline=_maybe_time_json(params.postal_deadline),
            amended_in_meeting=params.amended_in_meeting,
            postal_on_amended=params.postal_on_amended.value,
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
    members = [_member_json(m) for m in electorate.members]
    data = {"members": members}
    if electorate.present is not None:
        data["present"] = list(electorate.present)
    if electorate.remote:
        data["remote"] = list(electorate.remote)
    if electorate.represented_by:
        data["represented_by"] = dict(electorate.represented_by)
    if electorate.postal:
        data["postal"] = {m: time_json(t) for m, t in electorate.postal}
    return data


def _member_json(member: Member) -> str | dict[str, Any]:
    """Members without a college nor a weight are plain ids."""
    if member.college is None and member.weight == 1:
        return member.id
    data: dict[str, Any] = {"id": member.id}
    if member.college is not None:
        data["college"] = member.college
    if member.weight != 1:
        data["weight"] = _number_json(Fraction(member.weight))
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
    if ballots.cast_by and ballots.cast_by[i] is not None:
        data["cast_by"] = ballots.cast_by[i]
    if ballots.postal and ballots.postal[i]:
        data["postal"] = True
    return data


def _event_json(event: Event) -> dict[str, Any]:
    if isinstance(event, CountedTally):
        data: dict[str, Any] = {"type": "tally"}
        if event.college is not None:
            data["college"] = event.college
        if event.source is not None:
            data["source"] = event.source
        return {**data, **_tally_json(event.tally)}
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
