"""Oversize and malformed input: a styled 413 page beyond ``MAX_CONTENT_LENGTH``, a message
next to an over-long field with nothing written, and never a 500 for malformed form data."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from .conftest import Auth
from .test_authorization import MATRIX
from .variant import row_counts
from .world import VISITOR_EMAIL
from .world import app as app
from .world import world as world

POSTS = [path for _, method, path, _ in MATRIX if method == "POST"]
MIB = 1024 * 1024


@pytest.fixture
def admin(client: FlaskClient, auth: Auth, world: dict[str, object]) -> FlaskClient:
    """The world's admin, signed in."""
    assert auth.login(VISITOR_EMAIL["admin"]).status_code == 302
    return client


def _errors_of(page: str, field: str) -> str:
    """The error list next to a field (by its id), or ''."""
    found = re.search(rf'<ul class="errors" id="{re.escape(field)}-errors">(.*?)</ul>', page,
                      re.DOTALL)
    return found.group(1) if found else ""


def test_max_content_length_is_two_mebibytes(app: Flask) -> None:
    assert app.config["MAX_CONTENT_LENGTH"] == 2 * MIB


@pytest.mark.parametrize("path", ["/orgs/{slug}/proposals/new", "/orgs/{slug}/circles/new",
                                  "/account/profile"])
def test_a_request_over_the_limit_gets_the_styled_413_page(
        app: Flask, admin: FlaskClient, world: dict[str, object], path: str) -> None:
    before = row_counts(app)
    response = admin.post(path.format(**world), data={"title": "x" * (2 * MIB + 1),
                                                      "name": "Kitchen"})
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "<h1>Too large</h1>" in page
    assert 'class="top"' in page  # the application's own layout
    assert row_counts(app) == before


def test_signing_in_with_an_oversize_request_gets_the_413_page(client: FlaskClient) -> None:
    response = client.post("/auth/login", data={"email": "a@example.org",
                                                "password": "x" * (2 * MIB + 1)})
    assert response.status_code == 413
    assert "<h1>Too large</h1>" in response.get_data(as_text=True)


# (path, the form's fields, the over-long field, its limit)
LONG_FIELDS = [
    ("/orgs/new", {"name": "N", "slug": "new-org"}, "name", 120),
    ("/orgs/{slug}/settings", {"name": "Coop", "timezone": "Europe/Paris"}, "name", 120),
    ("/orgs/{slug}/circles/new", {"name": "C", "description": ""}, "name", 120),
    ("/orgs/{slug}/circles/new", {"name": "C", "description": ""}, "description", 5000),
    ("/orgs/{slug}/colleges/new", {"name": "C", "weight": "10"}, "name", 80),
    ("/account/profile", {"profile-email": "admin@coop.example.org", "profile-language": ""},
     "profile-name", 120),
    ("/orgs/{slug}/proposals/new", {"title": "T", "body": "B", "family": "consent",
                                    "scope": "organisation"}, "title", 200),
    ("/orgs/{slug}/proposals/{proposal}/amend", {"title": "T", "body": "B", "summary": "S"},
     "title", 200),
    ("/orgs/{slug}/proposals/{vote}/rounds/{vote_round}/vote",
     {"position": "no"}, "reason", 5000),
    ("/orgs/{slug}/proposals/{talk}/rounds/{comment_round}/comment", {}, "body", 5000),
]


@pytest.mark.parametrize(("path", "fields", "field", "limit"), LONG_FIELDS,
                         ids=[f"{p.split('/')[-1] or p}-{f}" for p, _, f, _ in LONG_FIELDS])
def test_an_over_long_field_gets_a_message_next_to_it_and_nothing_is_written(
        app: Flask, admin: FlaskClient, world: dict[str, object], path: str,
        fields: dict[str, str], field: str, limit: int) -> None:
    before = row_counts(app)
    response = admin.post(path.format(**world), data={**fields, field: "é" * (limit + 1)},
                          follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert _errors_of(page, field), f"no error next to {field}"
    assert row_counts(app) == before


MALFORMED: list[dict[str, str]] = [
    {"college": "abc", "circle": "x", "parent": "1.5", "vote_weight": "ten",
     "weight": "-", "candidate": "me", "nominee": "[]"},
    {"closes_at": "not a date", "review_date": "2026-02-30", "weight": "1e999"},
    {"closes_at": "2026-13-45T25:61", "vote_weight": "99999999999999999999999"},
    {"family": "no-such-rule", "preset": "nope", "position": "sideways", "role": "overlord",
     "language": "tlh", "scope": "universe", "timezone": "Mars/Olympus", "outcome": "maybe"},
    {"title": "\x00\u202e", "name": "\x00", "body": "\x00", "email": "not an e-mail"},
    {"weights-1": "abc", "count-yes": "-5", "count-no": "x", "present": "1.5"},
]


@pytest.mark.parametrize("data", MALFORMED, ids=[f"malformed{i}" for i in range(len(MALFORMED))])
def test_malformed_form_data_never_gives_a_500(
        app: Flask, admin: FlaskClient, world: dict[str, object],
        data: dict[str, str]) -> None:
    for path in POSTS:
        if path == "/auth/logout":
            continue
        response = admin.post(path.format(**world), data=data)
        assert response.status_code < 500, (path, response.status_code)


@pytest.mark.parametrize("path", ["/auth/login", "/orgs/{slug}/circles/new",
                                  "/orgs/{slug}/proposals/new"])
def test_a_nul_character_is_a_bad_request_and_writes_nothing(
        app: Flask, admin: FlaskClient, world: dict[str, object], path: str) -> None:
    before = row_counts(app)
    response = admin.post(path.format(**world), data={"name": "Kitchen\x00", "title": "T\x00",
                                                      "body": "B", "family": "consent"})
    assert response.status_code == 400
    assert "<h1>Bad request</h1>" in response.get_data(as_text=True)
    assert row_counts(app) == before


@pytest.mark.parametrize("path", ["/orgs/{slug}/members/abc/edit",
                                  "/orgs/{slug}/circles/1x/edit",
                                  "/orgs/{slug}/proposals/-1/rounds/abc/vote",
                                  "/orgs/{slug}/proposals/99999999999999999999999",
                                  "/orgs/{slug}/proposals/99999999999999999999999/amend",
                                  "/orgs/{slug}/colleges/2147483648/edit"])
def test_bad_ids_in_addresses_are_not_found(admin: FlaskClient, world: dict[str, object],
                                            path: str) -> None:
    assert admin.post(path.format(**world), data={}).status_code in (404, 405)
    assert admin.get(path.format(**world)).status_code in (404, 405)


@pytest.mark.parametrize(("path", "data", "field"), [
    ("/orgs/{slug}/proposals/{vote}/rounds/{vote_round}/extend",
     {"closes_at": "2026-02-30T10:00"}, "closes_at"),
    ("/orgs/{slug}/proposals/new", {"title": "T", "body": "B", "family": "no-such-rule"},
     "family"),
    ("/orgs/{slug}/members/{member}/edit", {"role": "member", "vote_weight": "ten"},
     "vote_weight"),
])
def test_an_invalid_date_or_choice_gets_a_message_and_writes_nothing(
        app: Flask, admin: FlaskClient, world: dict[str, object], path: str,
        data: dict[str, str], field: str) -> None:
    before = row_counts(app)
    response = admin.post(path.format(**world), data=data, follow_redirects=True)
    assert response.status_code in (200, 400)
    page = response.get_data(as_text=True)
    assert _errors_of(page, field) or 'class="flash error"' in page
    assert row_counts(app) == before
