"""The audit log as members read it: pages of 50 entries, newest first, with people's names
instead of member numbers, times of the organisation's time zone, words instead of raw keys,
and the chain's head with the public key that signs its checkpoints."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime
from flask_babel import LazyString, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Membership, Organisation, User
from ..services import audit, checkpoints

PAGE_SIZE = 50

#: What each field of an entry is, in words (a field not listed shows its key).
FIELDS: dict[str, LazyString] = {
    "proposal": _l("Proposal"), "round": _l("Round"), "number": _l("Round number"),
    "round_kind": _l("Kind of round"), "version": _l("Version"), "title": _l("Title"),
    "summary": _l("Summary of changes"), "closes_at": _l("Deadline"),
    "previous_closes_at": _l("Previous deadline"), "electors": _l("Electors"),
    "ballots": _l("Ballots"), "ballot": _l("Ballot"), "member": _l("Member"),
    "user": _l("Person"), "position": _l("Position"), "fingerprint": _l("Fingerprint"),
    "outcome": _l("Outcome"), "case_sha256": _l("Hash of the case"),
    "result_sha256": _l("Hash of the result"), "result": _l("Decision"),
    "decided_by": _l("Decided by"), "rationale": _l("Rationale"), "note": _l("Note"),
    "statement": _l("Statement"), "review_date": _l("Review date"),
    "cancelled_rounds": _l("Rounds cancelled"), "role": _l("Role"),
    "vote_weight": _l("Vote weight"), "college": _l("College"), "weights": _l("Weights"),
    "fingerprints": _l("New fingerprints of the ballots"),
    "cases": _l("New hashes of the stored cases"), "comments": _l("Comments"),
    "former_member_days": _l("Days a former member's name and e-mail are kept"),
    "record_years": _l("Years the reasons and comments of former members are kept"),
    "public_names": _l("Public pages name members"),
    "endpoint": _l("Webhook endpoint"), "reason": _l("Reason"),
    "public_register": _l("Public register of decisions"),
}
#: Values in words, by field and value (a value not listed shows as it is).
VALUES: dict[tuple[str, str], LazyString] = {
    ("reason", "failing"): _l("it failed for a day without a success"),
    ("reason", "gone"): _l("it answered that it is gone (410)"),
}
HASHES = ("fingerprint", "case_sha256", "result_sha256")
TIMES = ("closes_at", "previous_closes_at")


@dataclass(frozen=True, slots=True)
class Row:
    """One entry on the page."""

    seq: int
    at: str
    kind: str
    actor: str | None
    fields: list[tuple[str, str]]
    hash: str


@dataclass(frozen=True, slots=True)
class Page:
    """One page of the log, with what the page links and the head."""

    rows: list[Row]
    number: int
    pages: int
    head: checkpoints.Head
    published: checkpoints.Checkpoint | None
    public_key: str | None


def zone_of(organisation: Organisation) -> ZoneInfo:
    """The organisation's time zone (UTC when it is not one)."""
    try:
        return ZoneInfo(organisation.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local(moment: datetime, zone: ZoneInfo) -> str:
    """A moment in the organisation's zone, the zone named."""
    when = format_datetime(moment.astimezone(zone), "medium", tzinfo=zone, locale=get_locale())
    return str(_("%(when)s (%(zone)s)", when=when, zone=zone.key))


def names(db: Session, organisation_id: int, shown: list[audit.Shown],
          ) -> tuple[dict[int, str], dict[int, str]]:
    """The names of the members (by membership) and people (by account) the entries name."""
    members = {e.actor for e in shown if e.actor is not None} | {
        e.data["member"] for e in shown if isinstance(e.data.get("member"), int)}
    users = {e.data["user"] for e in shown if isinstance(e.data.get("user"), int)}
    by_member = {row.id: row.name for row in db.execute(
        select(Membership.id, User.name).join(User).where(
            Membership.organisation_id == organisation_id, Membership.id.in_(members)))}
    by_user = {row.id: row.name for row in db.execute(
        select(User.id, User.name).where(User.id.in_(users)))}
    return by_member, by_user


def _value(key: str, value: Any, zone: ZoneInfo, by_member: dict[int, str],
           by_user: dict[int, str]) -> str:
    if key == "member" and isinstance(value, int):
        return by_member.get(value) or str(_("former member"))
    if key == "user" and isinstance(value, int):
        return by_user.get(value) or str(_("deleted account"))
    if isinstance(value, str) and (key, value) in VALUES:
        return str(VALUES[key, value])
    if key in HASHES and isinstance(value, str):
        return value[:12]
    if key in TIMES and isinstance(value, str):
        try:
            return local(datetime.fromisoformat(value), zone)
        except ValueError:
            return value
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in sorted(value.items()))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def page(db: Session, organisation: Organisation, number: int, folder: Path) -> Page:
    """Page ``number`` (1: the newest entries) of the organisation's log."""
    head = checkpoints.head(db, organisation.id)
    pages = max(1, math.ceil(head.length / PAGE_SIZE))
    number = min(max(number, 1), pages)
    shown = audit.latest(db, organisation.id, limit=PAGE_SIZE,
                         below=head.length - (number - 1) * PAGE_SIZE + 1)
    by_member, by_user = names(db, organisation.id, shown)
    zone = zone_of(organisation)
    rows = [Row(e.seq, local(e.at, zone), e.kind,
                None if e.actor is None else by_member.get(e.actor) or str(_("former member")),
                [(str(FIELDS.get(key, key)), _value(key, value, zone, by_member, by_user))
                 for key, value in sorted(e.data.items()) if key != "user"
                 or "member" not in e.data],
                e.hash) for e in shown]
    return Page(rows, number, pages, head, checkpoints.latest(folder, organisation.id),
                checkpoints.public_key_text(folder))
