"""Requests sent again with the same ``Idempotency-Key``: the first answer is given again.

The answer is stored in the transaction of what it answers (a ballot and its stored answer
commit together, or neither), under a unique key per token. A second request with the same
key waits, on PostgreSQL, for the first one's transaction (the unique index), then finds
its answer; on SQLite writers take turns anyway. A key sent with another request (another
body, path or member) is refused: it would otherwise answer a request that was not made.
Only answers that changed something are kept; a refusal is not, so the same request may be
sent again once what refused it has changed. A key is answered again ``KEPT`` (a day, the
setting ``RETAIN_IDEMPOTENCY_KEYS_DAYS``); the scheduler's personal data job deletes the
answers kept longer (``personal_data.purge``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..models import IdempotentAnswer
from . import ServiceError
from .messages import N_

KEPT = timedelta(hours=24)


class KeyReused(ServiceError):
    """The key was used for another request."""


@dataclass(frozen=True, slots=True)
class Stored:
    """An answer given before to the same key and request."""

    status: int
    body: str


def fingerprint(*parts: str | bytes) -> str:
    """What a key stands for: the SHA-256 of the request's method, path, acting member and
    body."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\x00")
    return digest.hexdigest()


def earlier(db: Session, token_id: int, key: str, print_: str,
            now: datetime, kept: timedelta = KEPT) -> Stored | None:
    """The answer stored for this token's key, if the key was sent within ``kept``
    (``KeyReused`` when it was sent with another request)."""
    found = db.scalar(select(IdempotentAnswer).where(
        IdempotentAnswer.token_id == token_id, IdempotentAnswer.key == key,
        IdempotentAnswer.created_at > now - kept))
    if found is None:
        return None
    if found.fingerprint != print_:
        raise KeyReused("idempotency.key_reused",
                        N_("This Idempotency-Key was already used for another request: use a"
                           " new key for a new request."), field="Idempotency-Key")
    return Stored(found.status, found.body)


def remember(db: Session, token_id: int, key: str, print_: str, status: int, body: str,
             now: datetime, kept: timedelta = KEPT) -> None:
    """Store the answer to the key, in the caller's transaction (a key older than ``kept``
    is replaced)."""
    db.execute(delete(IdempotentAnswer).where(
        IdempotentAnswer.token_id == token_id, IdempotentAnswer.key == key,
        IdempotentAnswer.created_at <= now - kept))
    db.add(IdempotentAnswer(token_id=token_id, key=key, fingerprint=print_, status=status,
                            body=body, created_at=now))
    db.flush()

