"""Translation: the person's language from their profile, else ``Accept-Language``."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_time
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import Babel, LazyString, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from .models import Organisation


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
    app.jinja_env.globals["local_time"] = local_time


def zone_of(organisation: Organisation) -> ZoneInfo:
    """The organisation's time zone (UTC when it names none that exists)."""
    try:
        return ZoneInfo(organisation.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_time(moment: datetime | None, organisation: Organisation | None = None) -> str:
    """An instant as a date and time of the organisation's time zone (by default the one
    whose page this is), in the reader's language, naming the zone: "Monday, March 2, 2026
    at 10:00 AM (Europe/Paris)". The one format of the pages of proposals and rounds."""
    if moment is None:
        return ""
    zone = zone_of(organisation or g.organisation)
    try:
        local = moment.astimezone(zone)
    except OverflowError:  # a stored deadline at the end of year 9999: shown in UTC
        zone = ZoneInfo("UTC")
        local = moment.astimezone(zone)
    locale = get_locale()
    return str(_("%(date)s at %(time)s (%(zone)s)",
                 date=format_date(local.date(), "full", locale=locale),
                 time=format_time(local, "short", tzinfo=zone, locale=locale), zone=zone.key))


def bdi(text: object) -> Markup:
    """A name isolated from the running text around it (``<bdi>``): a right-to-left name
    cannot reorder the words that follow it."""
    return Markup("<bdi>{}</bdi>").format(text)


def plain_lazy(value: Any) -> Any:
    """A lazy translation printed by a template is plain text, escaped like any other:
    Flask-Babel's ``LazyString`` claims to be markup (``__html__``), so a message naming a
    college or a circle would otherwise reach the page unescaped."""
    return str(value) if isinstance(value, LazyString) else value
