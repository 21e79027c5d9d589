"""Access tokens of the JSON API: made, listed, revoked, and recognised in a request.

A personal token acts as the person who made it, in every organisation they belong to; an
organisation's token, made by one of its admins for a platform, acts in that organisation
only, as the member each request names, else as that admin. Either way what it may do is
what the member's role allows (``services.policies``, as on the pages) and, on top, what
its scopes allow. A token is shown once, when made: only its SHA-256 is stored. Every
token expires.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..models import ApiToken, Membership, Organisation, Role, Scope, User
from . import ServiceError
from .messages import N_
from .organisations import current_members

#: What every token starts with, so that secret scanners and people recognise one.
PREFIX = "dcs_"
#: Random bytes of a token (256 bits).
TOKEN_BYTES = 32
#: Characters of a token shown in lists (its prefix and a few more).
SHOWN = 10
#: Days a token lasts at most, and when none is said.
MAX_DAYS = 366
DEFAULT_DAYS = 90
#: ``last_used_at`` is written at most this often (a read would otherwise write each time).
TOUCH_EVERY = timedelta(minutes=5)
NAME_LENGTH = 80


class TokenError(ServiceError):
    """A token that cannot be made, revoked or used."""


class TokenRefused(TokenError):
    """A request's token is not valid now: unknown, revoked or expired."""


@dataclass(frozen=True, slots=True)
class Issued:
    """A token just made, and its text: show it now, it is not kept."""

    token: ApiToken
    text: str


def digest(text: str) -> str:
    """What is stored of a token: its SHA-256, in hexadecimal."""
    return hashlib.sha256(text.encode()).hexdigest()


def status(token: ApiToken, now: datetime) -> str:
    """``"active"``, ``"revoked"`` or ``"expired"``."""
    if token.revoked_at is not None:
        return "revoked"
    return "expired" if token.expires_at <= now else "active"


def _check(name: str, scopes: Collection[str], days: int) -> tuple[str, str]:
    """The name and the scopes (space-separated, in a fixed order), or ``TokenError``."""
    name = name.strip()
    if not name or len(name) > NAME_LENGTH or any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise TokenError("token.name", N_("Name the token in one line of at most %(count)d"
                                          " characters."), field="name",
                         params={"count": NAME_LENGTH})
    known = [scope.value for scope in Scope]
    if not scopes or any(scope not in known for scope in scopes):
        raise TokenError("token.scopes", N_("Choose at least one scope among read, vote,"
                                            " facilitate and administer."), field="scopes")
    if not 1 <= days <= MAX_DAYS:
        raise TokenError("token.days", N_("A token lasts from 1 to %(days)d days."),
                         field="days", params={"days": MAX_DAYS})
    return name, " ".join(scope for scope in known if scope in scopes)


def _issue(db: Session, *, user_id: int, organisation_id: int | None, name: str,
           scopes: Collection[str], days: int, now: datetime) -> Issued:
    name, scope_text = _check(name, scopes, days)
    text = PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    token = ApiToken(token_hash=digest(text), prefix=text[:SHOWN], name=name, user_id=user_id,
                     organisation_id=organisation_id, scopes=scope_text, created_at=now,
                     expires_at=now + timedelta(days=days))
    db.add(token)
    db.flush()
    return Issued(token, text)


def create_personal(db: Session, user: User, *, name: str, scopes: Collection[str],
                    days: int = DEFAULT_DAYS, now: datetime) -> Issued:
    """A personal token of ``user`` with these scopes, lasting ``days`` from ``now``."""
    return _issue(db, user_id=user.id, organisation_id=None, name=name, scopes=scopes,
                  days=days, now=now)


def create_for_organisation(db: Session, organisation: Organisation, by: Membership, *,
                            name: str, scopes: Collection[str], days: int = DEFAULT_DAYS,
                            now: datetime) -> Issued:
    """An organisation's token, made by one of its current admins (``by``)."""
    if (by.organisation_id != organisation.id or by.ended_at is not None
            or not by.can(Role.ADMIN)):
        raise TokenError("token.not_admin",
                         N_("Only an admin of the organisation can make its tokens."))
    return _issue(db, user_id=by.user_id, organisation_id=organisation.id, name=name,
                  scopes=scopes, days=days, now=now)


def tokens_of(db: Session, user: User) -> list[ApiToken]:
    """A person's personal tokens, newest first."""
    return list(db.scalars(select(ApiToken).where(ApiToken.user_id == user.id,
                                                  ApiToken.organisation_id.is_(None))
                           .order_by(ApiToken.id.desc())))


def organisation_tokens(db: Session, organisation: Organisation) -> list[ApiToken]:
    """An organisation's tokens, newest first."""
    return list(db.scalars(select(ApiToken).where(ApiToken.organisation_id == organisation.id)
                           .order_by(ApiToken.id.desc())))


def _revoke(db: Session, token: ApiToken | None, now: datetime) -> ApiToken:
    if token is None:
        raise TokenError("token.unknown", N_("There is no such token."))
    if token.revoked_at is None:
        token.revoked_at = now
        db.flush()
    return token


def revoke(db: Session, user: User, token_id: int, now: datetime) -> ApiToken:
    """Revoke one of the person's personal tokens: it is refused from now on."""
    return _revoke(db, db.scalar(select(ApiToken).where(
        ApiToken.id == token_id, ApiToken.user_id == user.id,
        ApiToken.organisation_id.is_(None))), now)


def revoke_for_organisation(db: Session, organisation: Organisation, token_id: int,
                            now: datetime) -> ApiToken:
    """Revoke one of the organisation's tokens (its admins do)."""
    return _revoke(db, db.scalar(select(ApiToken).where(
        ApiToken.id == token_id, ApiToken.organisation_id == organisation.id)), now)


def authenticate(db: Session, text: str, now: datetime) -> ApiToken:
    """The token of a request's ``Authorization: Bearer`` text, if it may be used at
    ``now``; else ``TokenRefused``."""
    token = None
    if text.startswith(PREFIX) and len(text) <= 100:
        token = db.scalar(select(ApiToken).where(ApiToken.token_hash == digest(text)))
    if token is None:
        raise TokenRefused("token.invalid", N_("This token is not valid."))
    if token.revoked_at is not None:
        raise TokenRefused("token.revoked", N_("This token was revoked."))
    if token.expires_at <= now:
        raise TokenRefused("token.expired", N_("This token has expired."))
    return token


def needs_touch(token: ApiToken, now: datetime) -> bool:
    """Whether to record that the token was used at ``now`` (every few minutes at most:
    reading with a token should not write each time)."""
    return token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY


def touch(db: Session, token_id: int, now: datetime) -> None:
    """Record that the token was used at ``now`` (the caller's transaction writes)."""
    db.execute(update(ApiToken).where(ApiToken.id == token_id)
               .values(last_used_at=now).execution_options(synchronize_session=False))


def acting_member(db: Session, token: ApiToken, organisation_id: int,
                  named: int | None) -> Membership | None:
    """Who a request with ``token`` acts as in the organisation: for a personal token its
    owner's current membership; for an organisation's token (only in its organisation)
    the current member ``named`` by the request, else the admin who made it. ``None``
    when the token has no member there."""
    if token.organisation_id is None:
        if named is not None:
            raise TokenError("token.member_header",
                             N_("Only an organisation's token names the member it acts"
                                " for: a personal token acts as its owner."),
                             field="Decisions-Member")
        return db.scalar(current_members(organisation_id).where(
            Membership.user_id == token.user_id))
    if token.organisation_id != organisation_id:
        return None
    query = current_members(organisation_id)
    if named is None:
        return db.scalar(query.where(Membership.user_id == token.user_id))
    member = db.scalar(query.where(Membership.id == named))
    if member is None:
        raise TokenError("token.member_unknown",
                         N_("The member named in Decisions-Member is not a current member"
                            " of this organisation."), field="Decisions-Member")
    return member

