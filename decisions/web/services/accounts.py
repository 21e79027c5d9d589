"""Accounts: creating people, checking and changing passwords, the profile, and the tokens
of password reset links (the web layer e-mails them)."""

from __future__ import annotations

import functools
import hmac
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..models import User
from . import ServiceError
from .messages import N_

MIN_PASSWORD = 10
RESET_SALT = "decisions.password-reset"
#: Werkzeug's hash method for new passwords; the application sets its
#: ``PASSWORD_HASH_METHOD`` here when it starts (tests use a fast one).
hash_method = "scrypt"


class AccountError(ServiceError):
    """A change to an account that cannot be made."""


class ResetLinkError(AccountError):
    """A password reset link that cannot be used: ``gone`` when it was a genuine link that
    has expired or already served, not when it was never valid."""

    field = "password"

    def __init__(self, code: str, message: str, *, gone: bool) -> None:
        super().__init__(code, message)
        self.gone = gone


@dataclass(frozen=True, slots=True)
class ResetKey:
    """What signs password reset links, and how many seconds a link works."""

    secret: str
    seconds: int


def normalise_email(email: str) -> str:
    """E-mail addresses compare without case and surrounding spaces."""
    return email.strip().lower()


def find_by_email(db: Session, email: str) -> User | None:
    """The account with this e-mail address, if any."""
    return db.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


@functools.cache
def _dummy_hash() -> str:
    return hash_password("no such account")


def hash_password(password: str) -> str:
    """A salted hash with :data:`hash_method`."""
    return generate_password_hash(password, method=hash_method)


def check_new_password(password: str, field: str = "password") -> None:
    """Refuse a password shorter than :data:`MIN_PASSWORD` characters."""
    if len(password) < MIN_PASSWORD:
        raise AccountError("password.too_short",
                           N_("Choose a password of at least %(count)d characters."),
                           field=field, params={"count": MIN_PASSWORD})


def create_user(db: Session, *, email: str, name: str, password: str, now: datetime,
                language: str | None = None) -> User:
    """A new account, created at ``now`` (not committed: the caller's transaction
    decides)."""
    if find_by_email(db, email) is not None:
        raise AccountError("account.email_taken",
                           N_("An account with this e-mail address already exists."),
                           field="email")
    user = User(email=normalise_email(email), name=name.strip(), language=language,
                password_hash=hash_password(password), created_at=now)
    db.add(user)
    db.flush()
    return user


def authenticate(db: Session, email: str, password: str) -> User | None:
    """The account when the password matches, else ``None`` (same answer for both faults)."""
    user = find_by_email(db, email)
    if user is None or user.closed_at is not None:  # a closed account signs in no more
        check_password_hash(_dummy_hash(), password)  # the same work either way
        return None
    return user if check_password_hash(user.password_hash, password) else None


def update_profile(db: Session, user: User, *, name: str, email: str, language: str | None,
                   languages: Collection[str], current_password: str = "") -> User:
    """Change name, e-mail and preferred language (one of ``languages``; ``None``: the
    browser's). A new e-mail address must be free and needs the current password: whoever
    borrows an open session must not be able to take the account over through a password
    reset."""
    if language is not None and language not in languages:
        raise AccountError("account.language", N_("Choose one of the languages offered."),
                           field="language")
    if normalise_email(email) != normalise_email(user.email):
        other = find_by_email(db, email)
        if other is not None and other.id != user.id:
            raise AccountError("account.email_taken",
                               N_("An account with this e-mail address already exists."),
                               field="email")
        if not check_password_hash(user.password_hash, current_password):
            raise AccountError("account.current_password_missing",
                               N_("Enter your current password to change your e-mail"
                                  " address."), field="current_password")
        user.email = normalise_email(email)
    user.name = name.strip()
    user.language = language
    db.flush()
    return user


def end_sessions(db: Session, user: User) -> User:
    """End every session and "remember me" cookie of the account, copies included: they hold
    the session version this bumps (see :meth:`User.get_id`)."""
    user.session_version = (user.session_version or 0) + 1
    db.flush()
    return user


def change_password(db: Session, user: User, *, current_password: str, password: str) -> User:
    """Set a new password after checking the current one. Every other session and
    "remember me" cookie of the account stops working (see :meth:`User.get_id`)."""
    if not check_password_hash(user.password_hash, current_password):
        raise AccountError("account.current_password_wrong",
                           N_("This is not your current password."), field="current_password")
    check_new_password(password)
    user.password_hash = hash_password(password)
    return end_sessions(db, user)


class _ClockSigner(TimestampSigner):
    """Timestamps from the caller's clock (``now``), so that tests travel in time."""

    def __init__(self, *args: Any, now: datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.now = now

    def get_timestamp(self) -> int:
        return int(self.now.timestamp())


def _reset_serializer(key: ResetKey, now: datetime) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(key.secret, salt=RESET_SALT, signer=_ClockSigner,
                                  signer_kwargs={"now": now})


def password_reset_token(user: User, key: ResetKey, now: datetime) -> str:
    """A signed token naming the account and the fingerprint of its current password, timed
    from ``now``: once the password changes, the token no longer matches (single use)."""
    return _reset_serializer(key, now).dumps([user.id, user.password_fingerprint])


#: A reset link that cannot be read as one.
_NOT_A_LINK = N_("This link is not valid. Check that it was copied whole, or ask for a new one.")


def user_of_reset_token(db: Session, token: str, key: ResetKey, now: datetime) -> User:
    """The account a reset token was made for, if it is still valid at ``now``; else
    :class:`ResetLinkError`."""
    try:
        payload = _reset_serializer(key, now).loads(token, max_age=key.seconds)
    except SignatureExpired:
        raise ResetLinkError("reset.expired", N_("This link has expired. Ask for a new one."),
                             gone=True) from None
    except BadSignature:
        raise ResetLinkError("reset.invalid", _NOT_A_LINK, gone=False) from None
    if not (isinstance(payload, list) and len(payload) == 2 and isinstance(payload[0], int)
            and isinstance(payload[1], str)):
        raise ResetLinkError("reset.invalid", _NOT_A_LINK, gone=False)
    user = db.get(User, payload[0])
    if (user is None or user.closed_at is not None
            or not hmac.compare_digest(payload[1], user.password_fingerprint)):
        raise ResetLinkError("reset.used", N_("This link was already used: the password has"
                                              " changed since it was sent. Ask for a new one"
                                              " if you need it."), gone=True)
    return user


def reset_password(db: Session, token: str, password: str, key: ResetKey,
                   now: datetime) -> User:
    """Set a new password with a reset token; the token then stops working."""
    user = user_of_reset_token(db, token, key, now)
    check_new_password(password)
    user.password_hash = hash_password(password)
    return end_sessions(db, user)

