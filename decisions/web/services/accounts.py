"""Accounts: creating people, checking passwords."""

from __future__ import annotations

import functools

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..db import utcnow
from ..models import User

MIN_PASSWORD = 10


class AccountError(ValueError):
    """A change to an account that cannot be made, with a message for the person."""


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
    """A salted hash with the current default algorithm of Werkzeug (scrypt)."""
    return generate_password_hash(password)


def create_user(db: Session, *, email: str, name: str, password: str,
                language: str | None = None) -> User:
    """A new account (not committed: the caller's transaction decides)."""
    if find_by_email(db, email) is not None:
        raise AccountError(_l("An account with this e-mail address already exists."))
    user = User(email=normalise_email(email), name=name.strip(), language=language,
                password_hash=hash_password(password), created_at=utcnow())
    db.add(user)
    db.flush()
    return user


def authenticate(db: Session, email: str, password: str) -> User | None:
    """The account when the password matches, else ``None`` (same answer for both faults)."""
    user = find_by_email(db, email)
    if user is None:
        check_password_hash(_dummy_hash(), password)  # the same work either way
        return None
    return user if check_password_hash(user.password_hash, password) else None
