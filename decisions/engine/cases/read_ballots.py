"""Reading the ``ballots`` of a case: tallies, or individual ballots and events in log order.

Which positions and which events a case may hold depends on its family; the vocabularies
below say so, and the errors quote them. Plain individual ballots go through the columnar
fast path of ``columns`` first; anything unusual (an event, a wrong type, an offset time)
is read here, item by item, and a fault is named with its path.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..errors import CaseError
from ..model import (
    Amend,
    Ballots,
    Change,
    CollegeHeadCount,
    CollegeTallies,
    CountedTally,
    Electorate,
    Event,
    FacilitatorProposal,
    Family,
    HeadCount,
    Nomination,
    ObjectionQualified,
    ObjectionWithdrawn,
    PhaseMark,
    Position,
    PositionTaken,
    Qualification,
    Roll,
    RoundOpen,
    Tally,
)
from .columns import _ballot_columns
from .fields import (
    _boolean,
    _choice,
    _integer,
    _list,
    _maybe_time,
    _no_other_keys,
    _object,
    _required,
    _shown,
    _string,
    _text,
    _time,
)
from .jsontext import _at

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
#: Votes counted without names beside the named ballots of a meeting (``CountedTally``).
_COUNTED = "tally"
_EVENTS: Mapping[Family, frozenset[str]] = {
    Family.MAJORITY: frozenset({_COUNTED}),
    Family.SCIC_COLLEGE: frozenset({_COUNTED}),
    Family.CONSENT: _CONSENT_EVENTS,
    Family.SOCIOCRATIC_CONSENT: _ROUND_EVENTS,
    Family.SOCIOCRATIC_ELECTION: _ROUND_EVENTS | {"nomination", "change",
                                                  "facilitator_proposal"},
}
#: The counts of a tally, in the order of :class:`Tally` (``write_case`` writes them too).
_TALLY_KEYS = ("yes", "no", "abstain", "blank", "invalid")


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
    reader = _BallotReader(_BALLOT_POSITIONS.get(family, {}),
                           channels=family in (Family.MAJORITY, Family.SCIC_COLLEGE))
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
        event = (_counted(item, at, family, colleges) if kind == _COUNTED
                 else _event(kind, item, at))
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


# Tallies of a meeting ------------------------------------------------------------------


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


def _counted(
    item: Mapping[str, Any], path: str, family: Family, colleges: frozenset[str]
) -> CountedTally:
    """``{"type": "tally", "college"?, "source"?, "yes", "no", ...}``: votes of a meeting
    counted without names (a college vote names its college; a majority vote none)."""
    tally = _tally(item, path, ("type", "college", "source", *_TALLY_KEYS))
    college = item.get("college")
    if family is Family.SCIC_COLLEGE:
        college = _string(_required(item, "college", path), _at(path, "college"))
        if college not in colleges:
            raise CaseError(_at(path, "college"), f"unknown college {_shown(college)}"
                            " (not declared in params.colleges)")
    elif college is not None:
        raise CaseError(_at(path, "college"), "a majority vote has no colleges")
    return CountedTally(tally, college, _text(item.get("source"), _at(path, "source")))


# Individual ballots, read one by one ---------------------------------------------------


class _BallotReader:
    """Reads individual ballots column by column: an assembly can bring a million.

    With ``channels`` (votes of a meeting), a ballot may name the proxy holder who cast it
    (``cast_by``) and say it came by post (``postal: true``)."""

    def __init__(self, positions: Mapping[str, Position], *, channels: bool = False) -> None:
        self.positions = positions
        self.channels = channels
        self.cast_by: list[str | None] = []
        self.postal: list[bool] = []
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
        holder, by_post = item.get("cast_by"), item.get("postal", False)
        if (holder is not None or by_post is not False) and not self.channels:
            key = "cast_by" if holder is not None else "postal"
            raise CaseError(_at(path, key), "proxies and postal votes belong to a meeting:"
                            " majority and scic_college votes only")
        if holder is not None:
            _string(holder, _at(path, "cast_by"))
        if not isinstance(by_post, bool):
            _boolean(by_post, _at(path, "postal"))
        self.cast_by.append(holder)
        self.postal.append(by_post)
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
        cast_by = tuple(self.cast_by) if any(h is not None for h in self.cast_by) else ()
        postal = tuple(self.postal) if any(self.postal) else ()
        return Ballots(tuple(self.voters), tuple(self.chosen), tuple(self.cast_at),
                       tuple(self.reasons), tuple(self.concerns), tuple(self.seqs),
                       cast_by, postal)


# Events of consent processes and elections ---------------------------------------------


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
