"""The minutes (procès-verbal) of a general assembly's sitting, and its attendance sheet as
rows: every figure read from what the engine decided and the sitting stored (the attendance
sheet at the close, each resolution's stored result), never counted again here, so that the
minutes say exactly what a recount of the stored cases says.

The minutes carry the head of the audit chain at the sitting's closing entry: anyone holding
the chain (or a published checkpoint after it) can check that the minutes' sitting is the one
recorded, with every ballot before it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from decisions.engine import Step

from ..models import AgendaItem, Assembly, AssemblyStatus, AuditEntry, ProposalVersion
from . import audit, email_convocation, explaining
from .assemblies import AssemblyError, Sheet, SheetLine, names, sheet, sheet_of
from .email_convocation import Channels
from .messages import N_

#: The audit entries that close a sitting: the minutes' chain head is the last of them.
CLOSING_KINDS = ("sitting_closed", "sitting_without_quorum")


@dataclass(frozen=True, slots=True)
class CollegeFigures:
    """One college's part of a resolution's result, as the engine gave it."""

    name: str
    weight: str | None
    members: int | str
    present: int | str
    yes: int | str
    no: int | str
    abstain: int | str
    blank: int | str
    invalid: int | str
    yes_share: str | None
    carried: bool | None  # more yes than the threshold asks in this college (None: silent)


@dataclass(frozen=True, slots=True)
class Resolution:
    """A resolution in the minutes: its text and rule, and the engine's result."""

    number: int
    title: str
    body_html: str
    version: int
    preset: str | None
    secret: bool
    voted: bool
    outcome: str | None
    result: dict[str, Any]
    colleges: list[CollegeFigures]
    steps: list[Step]
    round_id: int | None
    case_sha256: str | None = None


@dataclass(frozen=True, slots=True)
class Minutes:
    """What the procès-verbal says."""

    assembly: Assembly
    organisation: str
    chair: str | None
    secretary: str | None
    notice_days: int | None
    first_meets_at: datetime | None
    sheet: Sheet
    resolutions: list[Resolution]
    refused_proxies: list[tuple[str, str, str]]
    audit_seq: int | None
    audit_head: str | None
    lines: list[SheetLine] = field(default_factory=list)
    # How many members were convened by e-mail (having agreed to it) and by post.
    channels: Channels | None = None


def minutes(db: Session, assembly: Assembly, now: datetime) -> Minutes:
    """The minutes of a closed sitting (held, or recorded without quorum): the attendance
    sheet stored at its close, each resolution's stored result, the chain head."""
    if assembly.status not in (AssemblyStatus.CLOSED, AssemblyStatus.NO_QUORUM):
        raise AssemblyError("minutes.not_closed", N_("The minutes are written once the"
                                                     " assembly is closed."))
    stored = stored_sheet(db, assembly, now)
    people = {str(k): v for k, v in names(db, _member_ids(stored)).items()}
    officers = names(db, [i for i in (assembly.chair_id, assembly.secretary_id) if i])
    resolutions = [resolution_of(db, item, people) for item in assembly.items]
    entry = db.scalar(select(AuditEntry).where(
        AuditEntry.organisation_id == assembly.organisation_id,
        AuditEntry.kind.in_(CLOSING_KINDS), AuditEntry.seq.is_not(None),
        AuditEntry.data.like(f'%"assembly":{assembly.id},%'))
        .order_by(AuditEntry.seq.desc()).limit(1))
    check = stored.case.get("params", {}).get("convocation_check") or {}
    days = None
    if check:
        days = (datetime.fromisoformat(check["meeting_on"])
                - datetime.fromisoformat(check["sent_on"])).days
    first = db.get(Assembly, assembly.first_sitting_id) if assembly.first_sitting_id else None
    return Minutes(
        assembly=assembly, organisation=assembly.organisation.name,
        chair=officers.get(assembly.chair_id or 0),
        secretary=officers.get(assembly.secretary_id or 0), notice_days=days,
        first_meets_at=None if first is None else first.meets_at, sheet=stored,
        resolutions=resolutions,
        refused_proxies=[(people.get(r["member"], r["member"]),
                          people.get(r["holder"], r["holder"]), r["reason"])
                         for r in stored.refused_proxies],
        audit_seq=None if entry is None else entry.seq,
        audit_head=None if entry is None else entry.hash, lines=stored.lines,
        channels=email_convocation.channels(db, assembly))


def stored_sheet(db: Session, assembly: Assembly, now: datetime) -> Sheet:
    """The attendance sheet the sitting kept at its close, as the engine reads it (under
    each rule of the agenda for the quorums); live for a sitting not closed."""
    if assembly.attendance_case_json is None:
        return sheet(db, assembly, assembly.closed_at or now)
    return sheet_of(db, assembly, json.loads(assembly.attendance_case_json))


def _member_ids(stored: Sheet) -> list[int]:
    keys = {r["member"] for r in stored.refused_proxies} | {
        r["holder"] for r in stored.refused_proxies}
    return [int(k) for k in keys if str(k).isdigit()]


def resolution_of(db: Session, item: AgendaItem, people: dict[str, str]) -> Resolution:
    """A resolution as the minutes tell it: its text as convened, its rule, the engine's
    stored result by college, and the explanation with the names of ``people`` (member
    key to name) and of the members the result names."""
    proposal = item.proposal
    version = db.scalar(select(ProposalVersion).where(
        ProposalVersion.proposal_id == proposal.id,
        ProposalVersion.number == item.version_number))
    round_ = item.round
    result: dict[str, Any] = {}
    if round_ is not None and round_.result_json:
        result = json.loads(round_.result_json)
    params = json.loads(proposal.params or "{}")
    named = dict(people)
    named.update({str(k): v for k, v in names(db, [
        int(k) for k in explaining.members_named(result) if str(k).isdigit()]).items()})
    steps = explaining.named_steps(result, named, voters_shown=False, someone="—") \
        if result else []
    return Resolution(
        number=item.number, title=version.title if version else proposal.title,
        body_html=version.body_html if version else "", version=item.version_number,
        preset=params.get("preset"), secret=proposal.secret,
        voted=bool(result), outcome=result.get("outcome"), result=result,
        colleges=_colleges(result), steps=steps,
        round_id=None if round_ is None else round_.id,
        case_sha256=None if round_ is None or round_.case_json is None
        else _sha(round_.case_json))


def _sha(text: str) -> str:
    return audit.sha256(text)


def _colleges(result: dict[str, Any]) -> list[CollegeFigures]:
    colleges = result.get("colleges") or {}
    required: dict[str, Any] = next(
        (s for s in result.get("explanation", []) if s.get("code") == "decision"), {})
    found = []
    for name, data in colleges.items():
        share = data.get("yes_share")
        carried = None
        if data.get("expressing") and share is not None:
            carried = _passes(share, required)
        found.append(CollegeFigures(
            name=name, weight=data.get("weight"), members=data.get("members", 0),
            present=data.get("present", 0), yes=data.get("yes", 0), no=data.get("no", 0),
            abstain=data.get("abstain", 0), blank=data.get("blank", 0),
            invalid=data.get("invalid", 0), yes_share=share, carried=carried))
    return found


def _passes(share: str, decision: dict[str, Any]) -> bool:
    """Whether a college's own share of yes reaches the rule's threshold (told in the
    minutes beside each college; the decision is the weighted share's, by the engine)."""
    required = Fraction(str(decision.get("required") or "1/2"))
    value = Fraction(share)
    if decision.get("threshold") == "simple":
        return value > Fraction(1, 2)
    return value >= required if decision.get("inclusive") else value > required


def attendance_rows(db: Session, assembly: Assembly, now: datetime) -> list[list[str]]:
    """The attendance sheet as rows for a CSV file: a header, then one row per member of the
    roll (the sheet at the close for a closed sitting, else live)."""
    if assembly.status in (AssemblyStatus.CLOSED, AssemblyStatus.NO_QUORUM):
        lines = stored_sheet(db, assembly, now).lines
    else:
        lines = sheet(db, assembly, now).lines
    rows = [["member", "name", "college", "status", "represented_by", "checked_in_at",
             "proxy_refused"]]
    for line in lines:
        rows.append([str(line.membership_id), line.name, line.college, line.status,
                     line.holder,
                     "" if line.checked_in_at is None else line.checked_in_at.isoformat(),
                     line.refused])
    return rows
