"""Accounts: creating people, checking and changing passwords, the profile, and password
reset by e-mailed link."""

from __future__ import annotations

import functools
import hmac

from babel.units import format_unit
from flask import current_app, url_for
from flask_babel import force_locale, get_locale
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .. import mail
from ..db import utcnow
from ..models import User
from . import ServiceError

MIN_PASSWORD = 10
RESET_SALT = "decisions.password-reset"


class AccountError(ServiceError):
    """A change to an account that cannot be made."""


class ResetLinkError(AccountError):
    """A password reset link that cannot be used: ``gone`` when it was a genuine link that
    has expired or already served, not when it was never valid."""

    def __init__(self, message: object, *, gone: bool) -> None:
        super().__init__(message, field="password")
        self.gone = gone


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
    """A salted hash with Werkzeug's current default (scrypt), or the configured method
    (tests use a fast one: PASSWORD_HASH_METHOD)."""
    method = current_app.config.get("PASSWORD_HASH_METHOD") if current_app else None
    return generate_password_hash(password, method=method or "scrypt")


def check_new_password(password: str, field: str = "password") -> None:
    """Refuse a password shorter than :data:`MIN_PASSWORD` characters."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(_l("Choose a password of at least %(count)d characters.",
                              count=MIN_PASSWORD), field=field)


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


def update_profile(db: Session, user: User, *, name: str, email: str, language: str | None,
                   current_password: str = "") -> User:
    """Change name, e-mail and preferred language (``None``: the browser's). A new e-mail
    address must be free and needs the current password: whoever borrows an open session
    must not be able to take the account over through a password reset."""
    if language is not None and language not in current_app.config["LANGUAGES"]:
        raise AccountError(_l("Choose one of the languages offered."), field="language")
    if normalise_email(email) != normalise_email(user.email):
        other = find_by_email(db, email)
        if other is not None and other.id != user.id:
            raise AccountError(_l("An account with this e-mail address already exists."))
        if not check_password_hash(user.password_hash, current_password):
            raise AccountError(_l("Enter your current password to change your e-mail address."),
                               field="current_password")
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
        raise AccountError(_l("This is not your current password."), field="current_password")
    check_new_password(password)
    user.password_hash = hash_password(password)
    return end_sessions(db, user)


class _ClockSigner(TimestampSigner):
    """Timestamps from the application's clock, so that tests travel in time."""

    def get_timestamp(self) -> int:
        return int(utcnow().timestamp())


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT,
                                  signer=_ClockSigner)


def password_reset_token(user: User) -> str:
    """A signed, timed token naming the account and the fingerprint of its current password:
    once the password changes, the token no longer matches (single use)."""
    return _reset_serializer().dumps([user.id, user.password_fingerprint])


def user_of_reset_token(db: Session, token: str) -> User:
    """The account a reset token was made for, if it is still valid; else
    :class:`ResetLinkError`."""
    try:
        payload = _reset_serializer().loads(
            token, max_age=current_app.config["PASSWORD_RESET_SECONDS"])
    except SignatureExpired:
        raise ResetLinkError(_l("This link has expired. Ask for a new one."), gone=True) from None
    except BadSignature:
        raise ResetLinkError(_l("This link is not valid. Check that it was copied whole, or ask"
                                " for a new one."), gone=False) from None
    if not (isinstance(payload, list) and len(payload) == 2 and isinstance(payload[0], int)
            and isinstance(payload[1], str)):
        raise ResetLinkError(_l("This link is not valid. Check that it was copied whole, or ask"
                                " for a new one."), gone=False)
    user = db.get(User, payload[0])
    if user is None or not hmac.compare_digest(payload[1], user.password_fingerprint):
        raise ResetLinkError(_l("This link was already used: the password has changed since it"
                                " was sent. Ask for a new one if you need it."), gone=True)
    return user


def reset_password(db: Session, token: str, password: str) -> User:
    """Set a new password with a reset token; the token then stops working."""
    user = user_of_reset_token(db, token)
    check_new_password(password)
    user.password_hash = hash_password(password)
    return end_sessions(db, user)


def duration_in_words(seconds: int) -> str:
    """An exact duration in the current language, in the largest unit that divides it
    ("2 hours", "90 minutes", "14 jours"): a deadline is never rounded."""
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            return format_unit(seconds // size, f"duration-{unit}", locale=get_locale())
    return format_unit(seconds, "duration-second", locale=get_locale())


def reset_link_lifetime() -> str:
    """How long a reset link works, in words of the current language ("2 hours")."""
    return duration_in_words(int(current_app.config["PASSWORD_RESET_SECONDS"]))


def send_password_reset(db: Session, email: str) -> None:
    """E-mail a reset link when an account has this address; do nothing otherwise (the
    caller answers the same either way, so no one learns who has an account)."""
    user = find_by_email(db, email)
    if user is None:
        return
    link = url_for("auth.reset", token=password_reset_token(user), _external=True)
    with force_locale(user.language or str(get_locale() or "en")):
        subject = str(_l("Set a new password for decisions"))
        body = str(_l(
            "Hello %(name)s,\n\n"
            "Someone, probably you, asked to set a new password for your account on"
            " decisions. To choose it, open this link within %(lifetime)s:\n\n"
            "%(link)s\n\n"
            "The link works once. If you did not ask for it, ignore this e-mail: your"
            " password stays as it is.",
            name=user.name, lifetime=reset_link_lifetime(), link=link))
    mail.send(user.email, subject, body)
