"""A person's notices in the application, for those who prefer them to e-mail: the list,
the count of unread ones shown on every page, and marking them read.

A notice is one row per recipient (``models.notice``), written with the event that caused
it, whatever is mailed: the same row is the in-application notification. Only the notices
about an organisation the person still belongs to are shown (a former member's links would
lead nowhere), and never the envelopes of digests, invitations or password resets, which
carry links meant for the mailbox alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from ..models import (
    Membership,
    Notice,
    NoticeKind,
    Organisation,
    Proposal,
    Round,
    RoundKind,
    WebhookEndpoint,
)
from ..transactions import rowcount
from . import webhooks

#: The kinds of notice shown in the application.
SHOWN_KINDS = (NoticeKind.ROUND_OPENED, NoticeKind.REMINDER, NoticeKind.NUDGE,
               NoticeKind.OBJECTION, NoticeKind.NEW_VERSION, NoticeKind.OUTCOME,
               NoticeKind.WEBHOOK_DISABLED, NoticeKind.REVIEW_DUE)
#: Notices listed on one page.
PER_PAGE = 50
#: What of a notice's payload the list may show, numbers only (never a token or a link).
SHOWN_PAYLOAD = ("version", "endpoint")


@dataclass(frozen=True, slots=True)
class InboxLine:
    """One notice as its recipient's list shows it."""

    id: int
    kind: NoticeKind
    created_at: datetime
    read: bool
    organisation: Organisation
    proposal_id: int | None
    title: str | None
    round_id: int | None
    round_kind: RoundKind | None
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class InboxPage:
    """Page ``number`` of a person's notices, newest first, and how many are unread."""

    lines: tuple[InboxLine, ...]
    number: int
    has_next: bool
    unread: int


def _mine(user_id: int) -> ColumnElement[bool]:
    """The person's notices shown in the application, of organisations they belong to."""
    current = select(Membership.id).where(Membership.organisation_id == Notice.organisation_id,
                                          Membership.user_id == user_id,
                                          Membership.ended_at.is_(None)).exists()
    return (Notice.user_id == user_id) & Notice.kind.in_([k.value for k in SHOWN_KINDS]) & current


def unread_count(db: Session, user_id: int) -> int:
    """How many of the person's notices are unread (one query, on the notices' index of
    recipient and read time)."""
    return db.scalar(select(func.count()).select_from(Notice)
                     .where(_mine(user_id), Notice.read_at.is_(None))) or 0


def inbox(db: Session, user_id: int, page: int = 1) -> InboxPage:
    """Page ``page`` of the person's notices, newest first, with what each names."""
    number = max(page, 1)
    rows = db.execute(
        select(Notice.id, Notice.kind, Notice.created_at, Notice.read_at, Organisation,
               Notice.proposal_id, Proposal.title, Notice.round_id,
               Round.kind, Notice.payload)
        .join(Organisation, Organisation.id == Notice.organisation_id)
        .outerjoin(Proposal, Proposal.id == Notice.proposal_id)
        .outerjoin(Round, Round.id == Notice.round_id)
        .where(_mine(user_id)).order_by(Notice.created_at.desc(), Notice.id.desc())
        .limit(PER_PAGE + 1).offset((number - 1) * PER_PAGE)).all()
    lines = [InboxLine(
        id=id_, kind=NoticeKind(kind), created_at=created_at, read=read_at is not None,
        organisation=organisation, proposal_id=proposal_id, title=title, round_id=round_id,
        round_kind=round_kind, details=_details(payload))
        for id_, kind, created_at, read_at, organisation, proposal_id, title, round_id,
        round_kind, payload in rows[:PER_PAGE]]
    return InboxPage(_endpoints_named(db, lines), number, len(rows) > PER_PAGE,
                     unread_count(db, user_id))


def _endpoints_named(db: Session, lines: list[InboxLine]) -> tuple[InboxLine, ...]:
    """The lines about a webhook endpoint, titled with its description or host (one query
    for the page; an endpoint removed since keeps no title)."""
    wanted = {line.details["endpoint"] for line in lines
              if line.kind is NoticeKind.WEBHOOK_DISABLED and "endpoint" in line.details}
    if not wanted:
        return tuple(lines)
    found = {endpoint.id: endpoint for endpoint in db.scalars(
        select(WebhookEndpoint).where(WebhookEndpoint.id.in_(wanted)))}
    named = []
    for line in lines:
        endpoint = found.get(line.details.get("endpoint", 0))
        if line.kind is NoticeKind.WEBHOOK_DISABLED and (
                endpoint is None or endpoint.organisation_id != line.organisation.id):
            line = replace(line, details={})
        elif line.kind is NoticeKind.WEBHOOK_DISABLED and endpoint is not None:
            line = replace(line, title=webhooks.name_of(endpoint))
        named.append(line)
    return tuple(named)


def _details(payload: str | None) -> dict[str, Any]:
    """What the list may show of a payload (a malformed one shows nothing)."""
    try:
        found = json.loads(payload or "{}")
    except ValueError:
        return {}
    if not isinstance(found, dict):
        return {}
    return {key: found[key] for key in SHOWN_PAYLOAD if isinstance(found.get(key), int)}


def mark_read(db: Session, user_id: int, notice_id: int, *, now: datetime) -> bool:
    """Mark one of the person's notices read (``False``: not theirs, or already read)."""
    return rowcount(db.execute(update(Notice).where(
        Notice.id == notice_id, Notice.user_id == user_id, Notice.read_at.is_(None))
        .values(read_at=now).execution_options(synchronize_session=False))) == 1


def mark_all_read(db: Session, user_id: int, *, now: datetime) -> int:
    """Mark every unread notice of the person's list read: how many were."""
    return rowcount(db.execute(update(Notice).where(
        _mine(user_id), Notice.read_at.is_(None)).values(read_at=now)
        .execution_options(synchronize_session=False)))
