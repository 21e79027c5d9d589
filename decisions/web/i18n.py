"""Translation: the person's language from their profile, else ``Accept-Language``."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, has_request_context, request
from flask_babel import Babel, LazyString, get_locale
from flask_login import current_user
from markupsafe import Markup


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
    app.jinja_env.finalize = plain_lazy
    app.jinja_env.filters["bdi"] = bdi


def bdi(text: object) -> Markup:
    """A name isolated from the running text around it (``<bdi>``): a right-to-left name
    cannot reorder the words that follow it."""
    return Markup("<bdi>{}</bdi>").format(text)


def plain_lazy(value: Any) -> Any:
    """A lazy translation printed by a template is plain text, escaped like any other:
    Flask-Babel's ``LazyString`` claims to be markup (``__html__``), so a message naming a
    college or a circle would otherwise reach the page unescaped."""
    return str(value) if isinstance(value, LazyString) else value
