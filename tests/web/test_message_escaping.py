"""Every translated message that names something a person typed (a college, a circle, a
person, an organisation) shows it as text, never as markup — whether the message is lazy,
flashed or built in a template, in English and French (issue 9)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import Flask, render_template_string
from flask.testing import FlaskClient
from flask_babel import gettext, lazy_gettext
from markupsafe import escape

from decisions.web import db
from decisions.web.models import Circle, Organisation

from .conftest import Auth

PAYLOADS = ["<script>alert(1)</script>", "<b>x</b>"]
CATALOG = Path(__file__).parents[2] / "decisions/web/translations/messages.pot"
PLACEHOLDER = re.compile(r"%\((\w+)\)([sd])")


def _interpolated() -> list[str]:
    """The messages of the catalog with a ``%(name)s`` placeholder."""
    with CATALOG.open("rb") as source:
        catalog = read_po(source)
    ids = [m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id]
    return sorted({i for i in ids if any(kind == "s" for _, kind in PLACEHOLDER.findall(i))})


MESSAGES = _interpolated()


def _values(message: str, payload: str) -> dict[str, object]:
    return {name: payload if kind == "s" else 1
            for name, kind in PLACEHOLDER.findall(message)}


def test_the_catalog_has_messages_naming_what_people_typed() -> None:
    assert "College %(name)s added." in MESSAGES
    assert "A SCIC needs at least 3 colleges. Colleges now: %(colleges)s." in MESSAGES


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_interpolating_message_escapes_the_text_it_names(
        app: Flask, payload: str, language: str) -> None:
    leaking = []
    with app.test_request_context(headers={"Accept-Language": language}):
        for message in MESSAGES:
            values = _values(message, payload)
            shown = render_template_string(
                "{{ lazy }}|{{ flashed }}|{{ _(message, **values) }}",
                lazy=lazy_gettext(message, **values), flashed=gettext(message, **values),
                message=message, values=values)
            if payload in shown or str(escape(payload)) not in shown:
                leaking.append(message)
    assert leaking == []


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_colleges_warning_shows_a_college_name_as_text(
        app: Flask, client: FlaskClient, auth: Auth, make_org: object,
        payload: str) -> None:
    make_org("coop", admin="admin@example.org", colleges={payload: None})  # type: ignore[operator]
    auth.login("admin@example.org")
    page = client.get("/orgs/coop/colleges").get_data(as_text=True)
    assert "A SCIC needs at least 3 colleges" in page
    assert payload not in page
    assert str(escape(payload)) in page


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_steering_refusal_and_the_flash_show_a_circle_name_as_text(
        app: Flask, client: FlaskClient, auth: Auth, make_org: object,
        payload: str) -> None:
    organisation: Organisation = make_org("coop", admin="admin@example.org")  # type: ignore[operator]
    with app.app_context(), db.transaction() as session:
        session.add(Circle(organisation_id=organisation.id, name=payload, is_steering=True))
    auth.login("admin@example.org")
    refused = client.post("/orgs/coop/circles/new", data={
        "name": "Garden", "parent": "0", "is_steering": "y"}).get_data(as_text=True)
    assert "is already the steering committee" in refused
    created = client.post("/orgs/coop/circles/new", data={"name": payload, "parent": "0"},
                          follow_redirects=True).get_data(as_text=True)
    for page in (refused, created):
        assert payload not in page
        assert str(escape(payload)) in page
