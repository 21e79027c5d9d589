"""Sessions with Flask-Login: loading the signed-in person, and role checks for views."""

from __future__ import annotations

import hmac

from flask import Flask
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
    user_id = session_id.partition("-")[0]
    if not user_id.isdigit():
        return None
    user: User | None = db.session().scalar(_USER, {"u_id": int(user_id)})
    if (user is None or user.closed_at is not None
            or not hmac.compare_digest(session_id.encode(), user.get_id().encode())):
        return None
    return user


#: Built once: every request of a signed-in person runs it (``Session.get`` builds its own).
_USER = select(User).where(User.id == bindparam("u_id"))


def signed_in() -> User:
    """The signed-in person itself rather than Flask-Login's proxy, for services that keep,
    compare or sign in the object (views behind ``login_required`` only)."""
    user: User = current_user._get_current_object()
    return user


def init_app(app: Flask) -> None:
    """Install Flask-Login."""
    manager.init_app(app)
