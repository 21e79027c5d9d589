"""Signing out ends the session on the server too: a cookie copied before sign-out, the
session's or "remember me"'s, no longer signs anyone in afterwards."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from decisions.web import db
from decisions.web.models import User

from .conftest import PASSWORD


def _signed_in(app: Flask, remember: bool = False) -> FlaskClient:
    browser = app.test_client()
    data = {"email": "ana@example.org", "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    assert browser.post("/auth/login", data=data).status_code == 302
    return browser


def _replay(app: Flask, name: str, value: str) -> FlaskClient:
    """Another browser holding only a copy of one cookie."""
    thief = app.test_client()
    thief.set_cookie(name, value)
    return thief


@pytest.mark.parametrize(("cookie", "remember"), [("session", False), ("remember_token", True)])
def test_a_cookie_copied_before_sign_out_no_longer_works_after_it(
        app: Flask, make_user: Callable[..., User], cookie: str, remember: bool) -> None:
    make_user("ana@example.org")
    browser = _signed_in(app, remember=remember)
    copied = browser.get_cookie(cookie)
    assert copied is not None
    assert _replay(app, cookie, copied.value).get("/orgs/").status_code == 200
    assert browser.post("/auth/logout").status_code == 302
    assert _replay(app, cookie, copied.value).get("/orgs/").status_code == 302
    assert browser.get("/orgs/").status_code == 302


def test_signing_out_bumps_the_session_version_and_signing_in_again_works(
        app: Flask, make_user: Callable[..., User]) -> None:
    ana = make_user("ana@example.org")
    _signed_in(app).post("/auth/logout")
    with app.app_context():
        found = db.session().get(User, ana.id)
        assert found is not None
        assert found.session_version == ana.session_version + 1
    assert _signed_in(app).get("/orgs/").status_code == 200


def test_a_session_from_before_a_password_change_is_refused_even_with_the_old_id_format(
        app: Flask, make_user: Callable[..., User]) -> None:
    ana = make_user("ana@example.org")
    browser = _signed_in(app)
    with browser.session_transaction() as session:
        session["_user_id"] = f"{ana.id}-{ana.password_fingerprint}"  # before versions
    assert browser.get("/orgs/").status_code == 302
