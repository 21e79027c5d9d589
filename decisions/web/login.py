"""Sessions with Flask-Login: loading the signed-in person, and role checks for views."""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import Protocol

from flask import Flask, current_app, session
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user
from sqlalchemy import bindparam, select

from . import db
from .models import User

manager = LoginManager()
manager.login_view = "auth.login"
manager.login_message = _l("Please sign in to see this page.")
manager.login_message_category = "info"


@manager.user_loader
def load_user(session_id: str) -> User | None:
    """The signed-in person, or ``None`` if the account is gone or closed, or signed out or
    changed its password since this session began (see :meth:`User.get_id`). Checked on
    every request, so a copied cookie stops working at sign-out."""
    user_id = person_of(session_id)
    if user_id is None:
        return None
    user: User | None = db.session().scalar(_USER, {"u_id": user_id})
    return user if user is not None and still_signed_in(session_id, user) else None


#: Built once: every request of a signed-in person runs it (``Session.get`` builds its own).
_USER = select(User).where(User.id == bindparam("u_id"))


class Person(Protocol):
    """What says whether a session still signs its person in: a ``User``, or the account's
    columns read with other rows (``rounds.Booth``)."""

    @property
    def closed_at(self) -> datetime | None: ...

    def get_id(self) -> str: ...


def person_of(session_id: str) -> int | None:
    """The account a session identifier names (``User.get_id``), if it names one."""
    user_id = session_id.partition("-")[0]
    return int(user_id) if user_id.isdigit() else None


def still_signed_in(session_id: str, person: Person) -> bool:
    """Whether the account still holds this session: not closed, nor signed out nor its
    password changed since the session began (its identifier would differ)."""
    return person.closed_at is None and hmac.compare_digest(session_id.encode(),
                                                            person.get_id().encode())


def session_person() -> str | None:
    """The session identifier this request's session cookie holds, when Flask-Login would
    take it as it is (its session protection satisfied), for a view that reads the account
    with its other rows in one statement and checks it with :func:`still_signed_in`;
    ``None`` otherwise (no session, a "remember me" cookie to read, a session from another
    address or browser): then ``current_user`` decides, as on every other page."""
    session_id = session.get("_user_id")
    if not isinstance(session_id, str):
        return None
    mode = current_app.config.get("SESSION_PROTECTION", manager.session_protection)
    if mode in ("basic", "strong") and session.get("_id") != \
            manager._session_identifier_generator():
        return None
    return session_id


def signed_in() -> User:
    """The signed-in person itself rather than Flask-Login's proxy, for services that keep,
    compare or sign in the object (views behind ``login_required`` only)."""
    user: User = current_user._get_current_object()
    return user


def init_app(app: Flask) -> None:
    """Install Flask-Login."""
    manager.init_app(app)
