"""General assemblies as engine cases: the attendance sheet (who is in the room, remote,
represented by whom, voting by post) and each resolution's vote, in the engine's JSON case
format (docs/case-format.md, "Meetings"), so that the engine decides who is present, which
proxies and postal forms stand, the quorum and the outcome, and a recount finds the same.

A resolution's round is a vote of named ballots (a proxy holder's carry ``cast_by``), the
postal ballots of the sitting's forms (``postal``), and votes counted without names
(``{"type": "tally"}``): the room's show of hands or paper ballots entered per college, and
on a secret resolution the round's counters and the postal counters, which name nobody.

Which instant a sheet is read at: a round's end for who checked in and which proxies stand
(a member checking in during the vote may vote), and the round's opening for who left (a
member who left during the vote may have voted). Postal forms count when received before
the meeting's day (``postal_deadline``: the start of that day in the organisation's time;
the service takes none later, "until the day before").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from decisions.engine import PRESETS
from decisions.engine.results import time_json

from . import round_cases
from .families import TALLY_POSITIONS, descriptor
from .models import (
    AgendaItem,
    Assembly,
    Attendance,
    AttendanceMode,
    Ballot,
    College,
    Elector,
    Membership,
    PostalTally,
    PostalVote,
    Proposal,
    Proxy,
    Round,
    RoundTally,
    SecretTally,
)

#: What the case says a count without names comes from (told in words by the engine).
ROOM, SECRET, POSTAL = "room", "secret", "postal"


def item_of_round(db: Session, round_id: int) -> AgendaItem | None:
    """The agenda item voted in this round, if the round is an assembly's."""
    return db.scalar(select(AgendaItem).where(AgendaItem.round_id == round_id))


def in_assembly(db: Session, round_id: int) -> bool:
    """Whether the round votes a resolution of a general assembly."""
    return bool(db.scalar(select(exists().where(AgendaItem.round_id == round_id))))


def meeting_day_start(assembly: Assembly) -> datetime:
    """The start of the meeting's day in the organisation's time: postal votes are taken
    until the day before, and count when received before this instant."""
    zone = ZoneInfo(assembly.organisation.timezone)
    day = assembly.meets_at.astimezone(zone).date()
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(ZoneInfo("UTC"))


def notice_days(params: dict[str, Any], convocation: str) -> int | None:
    """The minimum notice of the rule's preset at this convocation (None: the rule names
    no preset with a notice period, and no convocation check is made)."""
    preset = PRESETS.get(str(params.get("preset") or ""))
    if preset is None or preset.notice_days is None:
        return None
    return preset.notice_days.first if convocation == "first" else preset.notice_days.second


def convocation_check(assembly: Assembly, params: dict[str, Any],
                      sent_at: datetime | None) -> dict[str, Any] | None:
    """The engine's ``convocation_check`` of a sitting convened at ``sent_at`` (dates in
    the organisation's time: the sending day excluded, the meeting day included)."""
    if sent_at is None or notice_days(params, assembly.convocation) is None:
        return None
    zone = ZoneInfo(assembly.organisation.timezone)
    return {"sent_on": sent_at.astimezone(zone).date().isoformat(),
            "meeting_on": assembly.meets_at.astimezone(zone).date().isoformat()}


@dataclass(frozen=True, slots=True)
class Member:
    """A member on the roll: membership id, college (None without colleges), weight."""

    id: int
    college: str | None
    weight: int


def current_roll(db: Session, assembly: Assembly, by_college: bool) -> list[Member]:
    """The members who may vote at the sitting now: current members (with a college for a
    college vote), as a round opened now would snapshot them."""
    query = (select(Membership.id, College.name, Membership.vote_weight)
             .outerjoin(College, College.id == Membership.college_id)
             .where(Membership.organisation_id == assembly.organisation_id,
                    Membership.ended_at.is_(None)).order_by(Membership.id))
    if by_college:
        query = query.where(Membership.college_id.is_not(None))
    return [Member(m, c if by_college else None, w) for m, c, w in db.execute(query)]


def round_roll(db: Session, round_id: int, by_college: bool) -> list[Member]:
    """A round's electors, as snapshotted when it opened."""
    return [Member(m, c if by_college else None, w) for m, c, w in db.execute(
        select(Elector.membership_id, Elector.college, Elector.vote_weight)
        .where(Elector.round_id == round_id).order_by(Elector.membership_id))]


def electorate(db: Session, assembly: Assembly, roll: list[Member], *, checked_in_by: datetime,
               still_there_at: datetime) -> dict[str, Any]:
    """The engine's electorate: the roll and the attendance sheet. Members in the room or
    remote who checked in before ``checked_in_by`` and had not left at ``still_there_at``;
    proxies standing at ``checked_in_by``; every postal form of the sitting."""
    key = round_cases.member_key
    on_roll = {m.id for m in roll}
    members: list[Any] = []
    for m in roll:
        if m.college is None and m.weight == 1:
            members.append(key(m.id))
            continue
        entry: dict[str, Any] = {"id": key(m.id)}
        if m.college is not None:
            entry["college"] = m.college
        if m.weight != 1:
            entry["weight"] = m.weight
        members.append(entry)
    present: list[str] = []
    remote: list[str] = []
    for member, mode in db.execute(
            select(Attendance.membership_id, Attendance.mode)
            .where(Attendance.assembly_id == assembly.id,
                   Attendance.checked_in_at <= checked_in_by,
                   or_(Attendance.left_at.is_(None), Attendance.left_at > still_there_at))
            .order_by(Attendance.membership_id)):
        if member in on_roll:
            (present if mode is AttendanceMode.ROOM else remote).append(key(member))
    represented = {key(giver): key(holder) for giver, holder in db.execute(
        select(Proxy.giver_id, Proxy.holder_id)
        .where(Proxy.assembly_id == assembly.id, Proxy.given_at <= checked_in_by,
               or_(Proxy.revoked_at.is_(None), Proxy.revoked_at > checked_in_by))
        .order_by(Proxy.giver_id)) if giver in on_roll}
    data: dict[str, Any] = {"members": members, "present": present}
    if remote:
        data["remote"] = remote
    if represented:
        data["represented_by"] = represented
    forms = postal_forms(db, assembly.id)
    postal = {key(m): time_json(at) for m, at in forms.items() if m in on_roll}
    if postal:
        data["postal"] = postal
    return data


def postal_forms(db: Session, assembly_id: int) -> dict[int, datetime]:
    """Each member's postal form of the sitting: when it was received."""
    return dict(db.execute(
        select(PostalVote.membership_id, func.min(PostalVote.received_at))
        .where(PostalVote.assembly_id == assembly_id).group_by(PostalVote.membership_id))
        .all())


def meeting_params(assembly: Assembly, proposal: Proposal, convocation: str) -> dict[str, Any]:
    """The rule's parameters with the sitting's statutory rules of attendance."""
    params: dict[str, Any] = json.loads(proposal.params or "{}")
    cap = assembly.max_proxies_per_holder
    params.update(
        mode="meeting", convocation=convocation,
        max_proxies_per_holder="unlimited" if cap is None else cap,
        proxy_same_college=assembly.proxy_same_college,
        remote_counts_as_present=assembly.remote_counts_as_present,
        postal_deadline=time_json(meeting_day_start(assembly)))
    check = convocation_check(assembly, params, assembly.convened_at)
    if check is not None:
        params["convocation_check"] = check
    if descriptor(proposal.family).by_college:
        params.setdefault("enforce_scic_bounds", proposal.organisation.is_scic)
    return params


def sheet_case(db: Session, assembly: Assembly, proposal: Proposal,
               now: datetime) -> dict[str, Any]:
    """The attendance sheet of the sitting at ``now`` under a resolution's rule, as a case
    without ballots: the engine's result says who is present and whether the quorum is
    reached (its outcome is no decision)."""
    by_college = descriptor(proposal.family).by_college
    params = meeting_params(assembly, proposal, assembly.convocation)
    params["opens_at"] = time_json(min(assembly.opened_at or now, now))
    if by_college:
        params["colleges"] = round_cases.engine_colleges(assembly.organisation.colleges)
    return {"id": f"{assembly.organisation.slug}/assembly-{assembly.id}/attendance",
            "family": proposal.family, "params": params,
            "electorate": electorate(db, assembly, current_roll(db, assembly, by_college),
                                     checked_in_by=now, still_there_at=now),
            "ballots": []}


def resolution_case(db: Session, item: AgendaItem, round_: Round, now: datetime, *,
                    closing_at: datetime | None = None) -> dict[str, Any]:
    """The case of a resolution's round at ``now``: the sheet, the named ballots (a proxy
    holder's with ``cast_by``), the postal ballots, and the counts without names (as if
    the chair closed it at ``closing_at``, when given: the check before a close)."""
    assembly, proposal = item.assembly, round_.proposal
    by_college = descriptor(proposal.family).by_college
    end = closing_at or round_cases.ends_at(round_)
    params = meeting_params(assembly, proposal, round_.convocation)
    params.update(opens_at=time_json(round_.opens_at), closes_at=time_json(end),
                  evaluated_at=time_json(now))
    if by_college:
        params["colleges"] = round_cases.round_colleges(db, round_)
    key = round_cases.member_key
    ballots: list[dict[str, Any]] = []
    if not proposal.secret:
        for ballot_id, member, position, cast_at, cast_by in db.execute(
                select(Ballot.id, Ballot.membership_id, Ballot.position, Ballot.cast_at,
                       Ballot.cast_by_id).where(Ballot.round_id == round_.id)
                .order_by(Ballot.id)):
            entry: dict[str, Any] = {"voter": key(member), "position": position,
                                     "cast_at": time_json(cast_at), "seq": ballot_id}
            if cast_by is not None:
                entry["cast_by"] = key(cast_by)
            ballots.append(entry)
        for postal_voter, postal_position, received_at in db.execute(
                select(PostalVote.membership_id, PostalVote.position, PostalVote.received_at)
                .where(PostalVote.agenda_item_id == item.id, PostalVote.position.is_not(None))
                .order_by(PostalVote.id)):
            ballots.append({"voter": key(postal_voter), "position": postal_position,
                            "cast_at": time_json(received_at), "postal": True})
    else:
        ballots += _counted(db.execute(
            select(SecretTally.college, SecretTally.position, SecretTally.weight)
            .where(SecretTally.round_id == round_.id)), SECRET, by_college)
        ballots += _counted(db.execute(
            select(PostalTally.college, PostalTally.position, PostalTally.weight)
            .where(PostalTally.agenda_item_id == item.id)), POSTAL, by_college)
    for row in db.scalars(select(RoundTally).where(RoundTally.round_id == round_.id)
                          .order_by(RoundTally.college)):
        counts = {p: getattr(row, p) for p in TALLY_POSITIONS if getattr(row, p)}
        if counts:
            ballots.append(_tally(row.college or "", ROOM, counts, by_college))
    return {"family": proposal.family, "params": params,
            "electorate": electorate(db, assembly, round_roll(db, round_.id, by_college),
                                     checked_in_by=end, still_there_at=round_.opens_at),
            "ballots": ballots}


def _counted(rows: Any, source: str, by_college: bool) -> list[dict[str, Any]]:
    """Counters (college, position, weight) as counts without names, one per college."""
    by_group: dict[str, dict[str, int]] = {}
    for college, position, weight in rows:
        if weight:
            by_group.setdefault(college or "", {})[position] = int(weight)
    return [_tally(college, source, counts, by_college)
            for college, counts in sorted(by_group.items())]


def _tally(college: str, source: str, counts: dict[str, int],
           by_college: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {"type": "tally", "source": source}
    if by_college:
        entry["college"] = college
    return {**entry, **counts}
