"""A person's calendar feed: the deadlines of the open rounds where they are an elector, in
every organisation they belong to, at an address with a secret token that calendar
applications fetch without signing in. Only the token's hash is stored (``User
.calendar_token_hash``): the address is shown once when made, and making a new one or
revoking it stops the old one at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import (
    Elector,
    Membership,
    Organisation,
    Proposal,
    Round,
    RoundKind,
    RoundStatus,
    User,
)

#: Random bytes of a token (256 bits: it stands for the person's agenda).
TOKEN_BYTES = 32
#: The most deadlines a feed lists (the earliest first).
MOST_DEADLINES = 500


@dataclass(frozen=True, slots=True)
class Deadline:
    """The deadline of an open round where the person is an elector."""

    round_id: int
    round_number: int
    kind: RoundKind
    opens_at: datetime
    closes_at: datetime
    proposal_id: int
    title: str
    slug: str
    organisation: str
    language: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(db: Session, user: User) -> str:
    """A new token for the person's feed (the old one, if any, stops working): shown once,
    only its hash is kept."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    user.calendar_token_hash = _digest(token)
    db.flush()
    return token


def revoke(db: Session, user: User) -> None:
    """Stop the person's feed: its address answers "not found" from now on."""
    user.calendar_token_hash = None
    db.flush()


def owner(db: Session, token: str) -> User | None:
    """The person whose feed ``token`` opens, if any."""
    if not token or len(token) > 100:
        return None
    return db.scalar(select(User).where(User.calendar_token_hash == _digest(token)))


def deadlines(db: Session, user: User, now: datetime) -> list[Deadline]:
    """The deadlines to come of the open rounds where the person is an elector, in the
    organisations they belong to now, earliest first, in one query."""
    rows = db.execute(
        select(Round.id, Round.number, Round.kind, Round.opens_at, Round.closes_at,
               Proposal.id, Proposal.title, Organisation.slug, Organisation.name,
               Organisation.language)
        .join(Proposal, Proposal.id == Round.proposal_id)
        .join(Organisation, Organisation.id == Proposal.organisation_id)
        .join(Elector, Elector.round_id == Round.id)
        .join(Membership, Membership.id == Elector.membership_id)
        .where(Membership.user_id == user.id, Membership.ended_at.is_(None),
               Round.status == RoundStatus.OPEN, Round.closes_at > now)
        .order_by(Round.closes_at, Round.id).limit(MOST_DEADLINES))
    return [Deadline(round_id=round_id, round_number=number, kind=kind, opens_at=opens_at,
                     closes_at=closes_at, proposal_id=proposal_id, title=title, slug=slug,
                     organisation=organisation, language=language)
            for round_id, number, kind, opens_at, closes_at, proposal_id, title, slug,
            organisation, language in rows]
