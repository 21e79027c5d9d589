"""Sessions with Flask-Login: loading the signed-in person, and role checks for views."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager

from . import db
from .models import User

manager = LoginManager()
manager.login_view = "auth.login"
manager.login_message = _l("Please sign in to see this page.")
manager.login_message_category = "info"


@manager.user_loader
def load_user(user_id: str) -> User | None:
    """The signed-in person, or ``None`` if the account is gone."""
    if not user_id.isdigit():
        return None
    return db.session().get(User, int(user_id))


def init_app(app: Flask) -> None:
    """Install Flask-Login."""
    manager.init_app(app)
