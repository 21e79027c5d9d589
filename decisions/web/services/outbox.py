"""The outbox: notices waiting to be mailed, and what the senders do with them.

A notice row is written in the transaction of the event that causes it; a sender mails it
later (``notice_mail.send_due``: the scheduler's job, or ``decisions send-mail``). Between
the two, the row goes through these states (``Delivery``), each change one conditional
update, so that several senders at once never mail one notice twice:

- ``claim`` takes up to a batch of due rows: ``pending`` ones whose ``send_after`` has come,
  and ``sending`` ones whose claim is older than the lease (``LEASE``: their sender died
  mid-batch). It stamps them with a random claim token and ``claimed_at``, and the caller
  commits before it sends anything. On PostgreSQL the rows are chosen ``FOR UPDATE SKIP
  LOCKED``, so that two senders take two different batches instead of waiting on each other;
  on SQLite the write lock is the database's, so claims simply take turns.
- ``mark_sent`` records, right after the SMTP server accepted a message and committed at
  once, that it was sent, and erases the secrets of its payload (tokens of links); a
  message the console backend printed is marked ``printed`` instead: it told nobody.
- ``mark_failed`` counts a failed attempt and puts the row back to ``pending`` after a wait
  (:func:`backoff`), or gives up (``failed``) after ``MAX_ATTEMPTS`` or when the server
  refused the recipient for good (a 5xx answer to the address).
- ``release`` puts back what a sender claimed and did not try (it stops early).

Each update checks the claim token: a sender that lost its claim (it outlived the lease and
another sender took the row) changes nothing.

How many times a message can go out: at least once, as long as the server accepts it in
time, and twice at most in one case: the sender dies (or loses its database) after the
server's "250 accepted" and before its commit of ``mark_sent``; the row is then claimed
again after the lease and sent again. True exactly-once delivery is impossible across two
systems without a shared transaction; so every message carries a Message-ID derived from the
notice's id, the same at every attempt, by which a receiving server or mail client can tell
the copy. A sender stopped any other way (SIGKILL before the 250, a failed server) loses
nothing and sends nothing twice.

The daily digest: ``compose_digests`` gathers the ``held`` notices of a person in an
organisation into one ``digest`` notice, once the oldest of them is a day old.

This module imports nothing of Flask: the caller passes the session and the time (``now``).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, func, or_, select, text, update
from sqlalchemy.orm import Session

from ..models import ALWAYS_SENT, Delivery, Membership, Notice, NoticeKind
from ..transactions import rowcount
from .unsubscribing import muted_kinds

#: How long a claim holds: a row still ``sending`` that long after it was claimed belongs to
#: a sender that died, and is claimed again. A sender stops taking new messages of its batch
#: after half of it (``LEASE / 2``), so that no live sender's claim is ever taken over.
LEASE = timedelta(minutes=5)
#: How many rows a sender claims at once: one SMTP connection sends them all.
BATCH = 100
#: The wait after the first failed attempt, doubled at each one up to ``LONGEST_WAIT``.
FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=2)
#: Attempts before a notice is given up: 30 s, 1, 2, 4, 8, 16, 32, 64 minutes, then every
#: two hours; the 24th failure comes about 32 hours after the first, so a server down for a
#: day delays mail and loses none.
MAX_ATTEMPTS = 24
#: How old the oldest held notice of a person is when their digest is composed.
DIGEST_AFTER = timedelta(days=1)
#: Payload keys that are secrets (tokens of links): erased once the notice is sent.
SECRETS = ("token", "link")
#: How much of an error is kept in ``last_error``.
ERROR_LENGTH = 1000


@dataclass(frozen=True, slots=True)
class Claim:
    """The rows one sender claimed at ``at`` with ``token``, in the order to send them."""

    token: str
    ids: tuple[int, ...]
    at: datetime


def backoff(attempts: int) -> timedelta:
    """How long a notice waits after its ``attempts``-th failed attempt (1 for the first):
    ``FIRST_WAIT`` doubled at each failure, never more than ``LONGEST_WAIT``."""
    doublings: int = min(max(attempts - 1, 0), 20)
    return min(FIRST_WAIT * (1 << doublings), LONGEST_WAIT)


def enqueue(db: Session, kind: NoticeKind, *, now: datetime, payload: Mapping[str, Any],
            user_id: int | None = None, email: str | None = None,
            organisation_id: int | None = None) -> Notice:
    """A notice of a kind always sent (an invitation, a password reset) to an account or an
    address, pending from ``now``, in the caller's transaction. The other kinds are written
    by ``services.notices.notify``, which reads what each member chose to receive."""
    if kind not in ALWAYS_SENT:
        raise ValueError(f"{kind} notices follow the members' choices: use notices.notify")
    if (user_id is None) == (email is None):
        raise ValueError("a notice goes to an account or to an address, not both")
    notice = Notice(kind=kind.value, organisation_id=organisation_id, user_id=user_id,
                    email=email, payload=json.dumps(dict(payload), sort_keys=True),
                    created_at=now, delivery=Delivery.PENDING.value, send_after=now,
                    attempts=0)
    db.add(notice)
    db.flush()
    return notice


def _due(now: datetime, lease: timedelta) -> Any:
    """The rows a sender may claim at ``now``."""
    return or_(and_(Notice.delivery == Delivery.PENDING.value, Notice.send_after <= now),
               and_(Notice.delivery == Delivery.SENDING.value, Notice.claimed_at < now - lease))


def claim(db: Session, now: datetime, *, limit: int = BATCH, lease: timedelta = LEASE) -> Claim:
    """Claim up to ``limit`` due rows, oldest due first (the caller commits, then sends).

    One statement: ``UPDATE ... WHERE id IN (the due rows) AND (still due)``. The second
    condition is checked again on each row when the update takes it, so a row another
    sender claimed meanwhile is skipped, never claimed twice (PostgreSQL re-reads a row
    that was locked by a concurrent update; SQLite has one writer at a time). On
    PostgreSQL the due rows are chosen ``FOR UPDATE SKIP LOCKED``: two senders at once
    take two different batches instead of one waiting for the other's."""
    token = secrets.token_hex(16)
    due = _due(now, lease)
    chosen = select(Notice.id).where(due).order_by(Notice.send_after, Notice.id).limit(limit)
    if db.get_bind().dialect.name == "postgresql":
        # Chosen once, in a CTE (a query that locks rows is never folded into the UPDATE):
        # as an IN (subquery), PostgreSQL may run the subquery again for each row, and with
        # SKIP LOCKED each run may find other rows, claiming more than ``limit``.
        batch = chosen.with_for_update(skip_locked=True).cte("batch")
        statement = update(Notice).where(Notice.id == batch.c.id, due)
    else:
        statement = update(Notice).where(Notice.id.in_(chosen.scalar_subquery()), due)
    ids = db.scalars(
        statement.values(delivery=Delivery.SENDING.value, claim=token, claimed_at=now)
        .returning(Notice.id).execution_options(synchronize_session=False)).all()
    return Claim(token, tuple(sorted(ids)), now)


def claimed(db: Session, claim_: Claim) -> list[Notice]:
    """The rows of a claim still held by it, in order of id."""
    return list(db.scalars(select(Notice).where(Notice.claim == claim_.token,
                                                Notice.delivery == Delivery.SENDING.value)
                           .order_by(Notice.id)))


def without_secrets(payload: str) -> str:
    """A notice's payload without the tokens of its links."""
    try:
        content = json.loads(payload or "{}")
    except ValueError:
        return "{}"
    if not isinstance(content, dict):
        return "{}"
    return json.dumps({k: v for k, v in content.items() if k not in SECRETS}, sort_keys=True)


#: A row still held by the claim that took it (``n_id``, ``n_claim``): the condition of each
#: update a sender makes to a row it tried, so that a sender that lost its claim changes
#: nothing. On the table and built once, as the updates below (not through the ORM's bulk
#: update): built for each message, the sent mark was a tenth of the sender's time.
_HELD = and_(Notice.__table__.c.id == bindparam("n_id"),
             Notice.__table__.c.claim == bindparam("n_claim"),
             Notice.__table__.c.delivery == Delivery.SENDING.value)
_MARK_SENT = (update(Notice.__table__).where(_HELD)
              .values(delivery=bindparam("n_delivery"), sent_at=bindparam("n_sent_at"),
                      claim=None, payload=bindparam("n_payload"), last_error=None))
_MARK_FAILED = (update(Notice.__table__).where(_HELD)
                .values(delivery=bindparam("n_delivery"), attempts=bindparam("n_attempts"),
                        last_error=bindparam("n_error"), claim=None, claimed_at=None,
                        send_after=bindparam("n_send_after")))


def mark_sent(db: Session, notice: Notice, token: str, now: datetime, *,
              printed: bool = False) -> bool:
    """Record that the server accepted ``notice`` at ``now`` (``printed``: that the console
    printed it, which tells nobody) and erase its secrets; the caller commits at once.
    ``False`` when the claim was lost (another sender took the row after the lease: the
    message may then go out twice).

    On PostgreSQL this transaction's commit does not wait for the disk (``synchronous_commit
    = off``, for it alone): the server has the commit at once, so a sender that dies right
    after loses nothing, and only a crash of the database server itself in the next fraction
    of a second could lose the mark, and the message be sent again (same Message-ID). Waiting
    for the disk at every message costs several milliseconds each: the outbox would not
    deliver 200 messages a second."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SET LOCAL synchronous_commit = off"))
    result = db.execute(_MARK_SENT, {
        "n_id": notice.id, "n_claim": token, "n_sent_at": now,
        "n_delivery": (Delivery.PRINTED if printed else Delivery.SENT).value,
        "n_payload": without_secrets(notice.payload)})
    return bool(rowcount(result))


def mark_sent_when_written(db: Session, notices: Iterable[Notice]) -> int:
    """Record pending ``notices`` as accepted by the server at the instant they were written
    (``sent_at = created_at``), their secrets erased, in the caller's transaction; how many.
    Only for a story told at past instants (the demo, ``demo.py``), whose messages went out
    at their time in that story: never for a real event, whose notice the sender marks."""
    marked = 0
    for notice in notices:
        if notice.delivery != Delivery.PENDING.value:
            continue
        notice.delivery = Delivery.SENT.value
        notice.sent_at = notice.created_at
        notice.payload = without_secrets(notice.payload)
        marked += 1
    db.flush()
    return marked


def mark_failed(db: Session, notice: Notice, token: str, error: str, now: datetime, *,
                permanent: bool = False) -> Delivery | None:
    """Count a failed attempt at ``notice``: back to ``pending`` after :func:`backoff`, or
    ``failed`` after the last attempt or a ``permanent`` refusal (the error is kept). The
    new state; ``None`` when the claim was lost."""
    attempts = notice.attempts + 1
    given_up = permanent or attempts >= MAX_ATTEMPTS
    state = Delivery.FAILED if given_up else Delivery.PENDING
    result = db.execute(_MARK_FAILED, {
        "n_id": notice.id, "n_claim": token, "n_delivery": state.value,
        "n_attempts": attempts, "n_error": error[:ERROR_LENGTH],
        "n_send_after": now if given_up else now + backoff(attempts)})
    return state if rowcount(result) else None


def release(db: Session, token: str) -> int:
    """Put back to ``pending``, without counting an attempt, the rows still held by the
    claim ``token`` (its sender stops before trying them); how many."""
    result = db.execute(
        update(Notice).where(Notice.claim == token, Notice.delivery == Delivery.SENDING.value)
        .values(delivery=Delivery.PENDING.value, claim=None, claimed_at=None)
        .execution_options(synchronize_session=False))
    return rowcount(result)


def pending_count(db: Session, now: datetime) -> int:
    """How many notices are due to be mailed at ``now`` (pending or with an expired claim)."""
    return int(db.scalar(select(func.count()).select_from(Notice).where(_due(now, LEASE))) or 0)


def compose_digests(db: Session, now: datetime, *, after: timedelta = DIGEST_AFTER) -> list[int]:
    """Gather the held notices of each person in each organisation whose oldest one is
    ``after`` old into one pending ``digest`` notice (those held notices become ``digested``
    with its id), in the caller's transaction; the new digests' ids.

    The held rows are taken with one conditional update (``delivery = 'held'``): when two
    schedulers compose the same digest, the second finds none left and drops its own. A
    member who unsubscribed from digests gets none: their held notices stay in the
    application (``in_app``)."""
    pairs = db.execute(
        select(Notice.user_id, Notice.organisation_id)
        .where(Notice.delivery == Delivery.HELD.value, Notice.user_id.is_not(None))
        .group_by(Notice.user_id, Notice.organisation_id)
        .having(func.min(Notice.created_at) <= now - after)).all()
    composed = []
    for user_id, organisation_id in pairs:
        held = and_(Notice.user_id == user_id, Notice.delivery == Delivery.HELD.value,
                    Notice.created_at <= now,
                    Notice.organisation_id.is_(None) if organisation_id is None
                    else Notice.organisation_id == organisation_id)
        muted = db.scalar(select(Membership.muted).where(
            Membership.user_id == user_id, Membership.organisation_id == organisation_id))
        if NoticeKind.DIGEST in muted_kinds(muted):
            db.execute(update(Notice).where(held).values(delivery=Delivery.IN_APP.value)
                       .execution_options(synchronize_session=False))
            continue
        digest = Notice(kind=NoticeKind.DIGEST.value, organisation_id=organisation_id,
                        user_id=user_id, payload="{}", created_at=now,
                        delivery=Delivery.PENDING.value, send_after=now, attempts=0)
        db.add(digest)
        db.flush()
        taken = db.execute(update(Notice).where(held)
                           .values(delivery=Delivery.DIGESTED.value, digest_id=digest.id)
                           .execution_options(synchronize_session=False))
        if rowcount(taken):
            composed.append(digest.id)
        else:  # another scheduler composed it first
            db.delete(digest)
            db.flush()
    return composed


def digest_content(db: Session, digest_id: int) -> list[Notice]:
    """The notices a digest gathers, oldest first."""
    return list(db.scalars(select(Notice).where(Notice.digest_id == digest_id)
                           .order_by(Notice.created_at, Notice.id)))

