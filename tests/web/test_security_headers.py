"""Security headers on every response, and cookies sent over HTTPS only in production."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from decisions.web import create_app

from .conftest import Auth
from .variant import variant

TEMPLATES = Path(__file__).parents[2] / "decisions" / "web" / "templates"


def _directives(policy: str) -> dict[str, str]:
    return {part.strip().split(" ", 1)[0]: part.strip().partition(" ")[2]
            for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize("path", ["/auth/login", "/", "/no-such-page", "/static/style.css"])
def test_every_response_has_the_security_headers(client: FlaskClient, path: str) -> None:
    with client.get(path) as response:
        response.get_data()
    policy = _directives(response.headers["Content-Security-Policy"])
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert policy["base-uri"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("same-origin",
                                                   "strict-origin-when-cross-origin")
    assert "Strict-Transport-Security" not in response.headers


def test_signed_in_pages_and_errors_have_them_too(client: FlaskClient, auth: Auth,
                                                  make_user: object) -> None:
    make_user("ana@example.org")  # type: ignore[operator]
    auth.login("ana@example.org")
    for response in (client.get("/orgs/"), client.get("/orgs/nowhere/"),
                     client.post("/auth/logout")):
        assert "Content-Security-Policy" in response.headers
        assert response.headers["X-Frame-Options"] == "DENY"


def test_hsts_only_when_the_site_says_it_is_served_over_https(app: Flask) -> None:
    with variant(app, HTTPS=True) as https:
        response = https.test_client().get("/auth/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert int(re.search(r"max-age=(\d+)", response.headers[
        "Strict-Transport-Security"]).group(1)) >= 180 * 24 * 3600  # type: ignore[union-attr]


def test_no_template_has_inline_script_or_style() -> None:
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), template
        # E-mails (templates/mail) are not pages of the site: no CSP reaches them, and mail
        # clients keep only inline styles. Scripts and handlers stay out of them too.
        if template.parent.name != "mail":
            assert "<style" not in text, template
            assert not re.search(r"\sstyle=", text), template
        assert not re.search(r"\son[a-z]+\s*=", text), template
        assert "javascript:" not in text, template


def _app(tmp_path: Path, **settings: object) -> Flask:
    return create_app({"INSTANCE_PATH": str(tmp_path / "instance"),
                       "DATABASE_URL": "sqlite://", "SECRET_KEY": "x", **settings})


def test_cookies_are_secure_in_production(tmp_path: Path) -> None:
    production = _app(tmp_path)
    assert production.config["SESSION_COOKIE_SECURE"] is True
    assert production.config["REMEMBER_COOKIE_SECURE"] is True
    assert production.config["SESSION_COOKIE_HTTPONLY"] is True
    assert production.config["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.mark.parametrize("settings", [{"TESTING": True}, {"DEBUG": True},
                                      {"SECURE_COOKIES": False}])
def test_cookies_are_not_secure_in_debug_tests_or_when_turned_off(
        tmp_path: Path, settings: dict[str, object]) -> None:
    application = _app(tmp_path, **settings)
    assert application.config["SESSION_COOKIE_SECURE"] is False
    assert application.config["REMEMBER_COOKIE_SECURE"] is False


def test_secure_cookies_can_be_forced_in_tests(tmp_path: Path) -> None:
    application = _app(tmp_path, TESTING=True, SECURE_COOKIES=True)
    assert application.config["SESSION_COOKIE_SECURE"] is True
