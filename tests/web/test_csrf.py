"""With CSRF protection on, every state-changing route refuses a request without a valid
token, even from a signed-in admin, and writes nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from .conftest import Clock, as_new, rolled_back
from .test_authorization import MATRIX
from .variant import csrf_token, login_with_token, row_counts, variant
from .world import VISITOR_EMAIL
from .world import world as world

#: Posted by mail providers on a person's behalf, authorised by the signed token in the
#: address alone (RFC 8058): tested in test_outbox.py.
WITHOUT_CSRF = {"unsubscribe.one_click"}
POSTS = [(endpoint, path) for endpoint, method, path, _ in MATRIX
         if method == "POST" and endpoint not in WITHOUT_CSRF
         # The JSON API reads a bearer token, never a cookie: no CSRF token (test_api.py).
         and not endpoint.startswith("api.")]


@pytest.fixture(scope="module")
def csrf_on(shared_app: Flask) -> Iterator[Flask]:
    """The application with CSRF protection on, as in production, built once."""
    with variant(shared_app, WTF_CSRF_ENABLED=True) as other:
        yield other


@pytest.fixture
def protected(csrf_on: Flask, shared_app: Flask, world: dict[str, object], clock: Clock,
              tmp_path: Path) -> Iterator[Flask]:
    """That application on the module's world, as new; what the test writes is rolled
    back (both applications' sessions share the test's transaction)."""
    with as_new(csrf_on, clock, tmp_path / "instance"), rolled_back(shared_app, csrf_on):
        yield csrf_on


@pytest.fixture
def admin(protected: Flask, world: dict[str, object]) -> FlaskClient:
    """The admin of the world's organisation, signed in through the login page."""
    client = protected.test_client()
    response = login_with_token(client, VISITOR_EMAIL["admin"])
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def test_every_post_route_is_covered() -> None:
    assert len(POSTS) >= 25
    assert ("auth.logout", "/auth/logout") in POSTS


def test_signing_in_without_a_token_is_refused(protected: Flask,
                                               world: dict[str, object]) -> None:
    client = protected.test_client()
    response = client.post("/auth/login", data={"email": VISITOR_EMAIL["admin"],
                                                "password": "correct horse battery"})
    assert response.status_code == 400
    assert client.get("/orgs/").status_code == 302  # still signed out


@pytest.mark.parametrize("kind", ["missing", "forged", "of another session"])
@pytest.mark.parametrize(("endpoint", "path"), POSTS, ids=[e for e, _ in POSTS])
def test_a_post_without_a_valid_token_is_refused_and_writes_nothing(
        protected: Flask, admin: FlaskClient, world: dict[str, object], endpoint: str,
        path: str, kind: str) -> None:
    data: dict[str, str] = {"title": "Changed", "name": "Changed", "body": "Changed",
                            "email": "changed@example.org", "reason": "Changed"}
    if kind == "forged":
        data["csrf_token"] = "x" * 40
    elif kind == "of another session":  # a valid token, of somebody else's session
        stranger = protected.test_client()
        data["csrf_token"] = csrf_token(stranger.get("/auth/login").get_data(as_text=True))
    before = row_counts(protected)
    response = admin.post(path.format(**world), data=data)
    assert response.status_code == 400, endpoint
    page = response.get_data(as_text=True)
    assert "did not come from this site" in page
    assert row_counts(protected) == before
    assert admin.get("/orgs/").status_code == 200  # still signed in: logout was refused too


def test_the_same_request_with_the_token_goes_through(
        protected: Flask, admin: FlaskClient, world: dict[str, object]) -> None:
    page = admin.get("/orgs/{slug}/circles/new".format(**world)).get_data(as_text=True)
    before = row_counts(protected)
    response = admin.post("/orgs/{slug}/circles/new".format(**world),
                          data={"name": "Kitchen", "description": "",
                                "csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert row_counts(protected)["circle"] == before["circle"] + 1


def test_a_ballot_with_the_token_of_the_round_page_goes_through(
        protected: Flask, admin: FlaskClient, world: dict[str, object]) -> None:
    """The ballot form carries no token of its own (CSRFProtect checks it before the view):
    the round page must send one."""
    page_path = "/orgs/{slug}/proposals/{vote}/rounds/{vote_round}".format(**world)
    page = admin.get(page_path).get_data(as_text=True)
    form = re.search(f'<form method="post" action="{page_path}/vote".*?</form>', page, re.S)
    assert form is not None
    before = row_counts(protected)
    response = admin.post(f"{page_path}/vote",
                          data={"position": "yes", "csrf_token": csrf_token(form.group())})
    assert response.status_code == 302
    assert row_counts(protected)["ballot"] == before["ballot"] + 1
