"""Translation: the person's language from their profile, else ``Accept-Language``."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request
from flask_babel import Babel, get_locale
from flask_login import current_user


def select_locale() -> str | None:
    """The profile's language when signed in and set, else the browser's best match."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return None  # command line and scheduler: the default language
    if current_user.is_authenticated and current_user.language in languages:
        return str(current_user.language)
    return request.accept_languages.best_match(languages)


def init_app(app: Flask) -> None:
    """Install Flask-Babel with our locale selector and catalogs."""
    Babel(app, locale_selector=select_locale)
    app.jinja_env.globals["get_locale"] = get_locale
