"""A forgotten password is reset with an e-mailed link that works once, for a limited time,
and asking for one never reveals whether an account exists."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from decisions.web import db
from decisions.web.models import User

from .conftest import PASSWORD, Auth, Clock
from .outbox import last_link, sent

NEW_PASSWORD = "a brand new secret"  # noqa: S105 - test accounts only


@pytest.fixture
def ana(make_user: Callable[..., User]) -> User:
    """Ana, who forgot her password."""
    return make_user("ana@example.org", name="Ana")


def _ask(client: FlaskClient, email: str = "ana@example.org") -> str:
    """Ask for a reset link; the path of the e-mailed link is returned."""
    response = client.post("/auth/reset", data={"email": email})
    assert response.status_code == 302
    return last_link(client.application, "/auth/reset/")


def _new(password: str = NEW_PASSWORD, confirm: str | None = None) -> dict[str, str]:
    return {"password": password, "confirm": password if confirm is None else confirm}


def _hash(app: Flask, user: User) -> str:
    with app.app_context():
        found = db.session().get(User, user.id)
    assert found is not None
    return found.password_hash


def test_the_sign_in_page_links_to_the_password_reset(client: FlaskClient) -> None:
    page = client.get("/auth/login").get_data(as_text=True)
    assert 'href="/auth/reset"' in page
    assert client.get("/auth/reset").status_code == 200


def test_a_person_sets_a_new_password_with_the_e_mailed_link(
        app: Flask, client: FlaskClient, auth: Auth, ana: User) -> None:
    link = _ask(client, " ANA@example.org ")
    [message] = sent(app)
    assert message["To"] == "ana@example.org"
    assert message["Subject"] == "Set a new password for decisions"
    assert "within 2 hours" in message.get_content()
    page = client.get(link)
    assert page.status_code == 200
    assert "For the account ana@example.org." in page.get_data(as_text=True)
    response = client.post(link, data=_new())
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"
    assert "Your password is changed." in client.get("/auth/login").get_data(as_text=True)
    assert auth.login("ana@example.org", PASSWORD).status_code == 200  # the old one: refused
    assert auth.login("ana@example.org", NEW_PASSWORD).status_code == 302


def test_the_answer_is_the_same_whether_an_account_exists_or_not(
        app: Flask, ana: User) -> None:
    answers = []
    for email in ("ana@example.org", "nobody@example.org"):
        browser = app.test_client()
        response = browser.post("/auth/reset", data={"email": email})
        page = browser.get(response.headers["Location"]).get_data(as_text=True)
        answers.append((response.status_code, response.headers["Location"],
                        page.replace(email, "")))
    assert answers[0] == answers[1]
    assert "If an account has this address" in answers[0][2]
    assert [m["To"] for m in sent(app)] == ["ana@example.org"]


def test_the_link_works_only_once(app: Flask, client: FlaskClient, ana: User) -> None:
    link = _ask(client)
    client.post(link, data=_new())
    after = _hash(app, ana)
    page = client.get(link)
    assert page.status_code == 410
    assert "This link was already used" in page.get_data(as_text=True)
    assert client.post(link, data=_new("yet another secret")).status_code == 410
    assert _hash(app, ana) == after


def test_a_link_stops_working_once_the_password_changed_another_way(
        app: Flask, client: FlaskClient, auth: Auth, ana: User) -> None:
    link = _ask(client)
    auth.login("ana@example.org")
    client.post("/account/password", data={
        "password-current_password": PASSWORD, "password-password": NEW_PASSWORD,
        "password-confirm": NEW_PASSWORD})
    auth.logout()
    assert client.get(link).status_code == 410


def test_the_link_expires_after_the_configured_time(
        app: Flask, client: FlaskClient, clock: Clock, ana: User) -> None:
    link = _ask(client)
    before = _hash(app, ana)
    clock.advance(seconds=app.config["PASSWORD_RESET_SECONDS"])
    assert client.get(link).status_code == 200
    clock.advance(seconds=1)
    page = client.get(link)
    assert page.status_code == 410
    assert "This link has expired." in page.get_data(as_text=True)
    assert 'href="/auth/reset"' in page.get_data(as_text=True)  # ask for a new one
    assert client.post(link, data=_new()).status_code == 410
    assert _hash(app, ana) == before


def _other_signature(link: str) -> str:
    """The link with one character of its signature changed."""
    position = len(link) - 10
    return link[:position] + ("A" if link[position] != "A" else "B") + link[position + 1:]


@pytest.mark.parametrize("mangle", [
    lambda link: link[:-3],
    _other_signature,
    lambda link: link.replace(".", "", 1),
    lambda link: "/auth/reset/not-a-token",
])
def test_a_wrong_link_gets_a_not_found_page(
        app: Flask, client: FlaskClient, ana: User, mangle: Callable[[str], str]) -> None:
    before = _hash(app, ana)
    link = mangle(_ask(client))
    page = client.get(link)
    assert page.status_code == 404
    assert "This link is not valid." in page.get_data(as_text=True)
    assert client.post(link, data=_new()).status_code == 404
    assert _hash(app, ana) == before


def test_a_link_signed_with_another_key_is_refused(
        app: Flask, client: FlaskClient, ana: User) -> None:
    link = _ask(client)
    app.config["SECRET_KEY"] = "another secret"  # noqa: S105 - a test key
    assert client.get(link).status_code == 404


@pytest.mark.parametrize(("data", "message"), [
    (_new("too short"), "Choose a password of at least 10 characters."),
    (_new(NEW_PASSWORD, NEW_PASSWORD + "!"), "The two passwords differ."),
    (_new(""), "This field is required."),
])
def test_a_bad_new_password_is_refused_and_the_link_still_works(
        app: Flask, client: FlaskClient, ana: User, data: dict[str, str], message: str) -> None:
    link = _ask(client)
    before = _hash(app, ana)
    response = client.post(link, data=data)
    assert response.status_code == 200
    assert f"<li>{message}</li>" in response.get_data(as_text=True)
    assert _hash(app, ana) == before
    assert client.post(link, data=_new()).status_code == 302


def test_a_bad_address_is_refused_next_to_the_field_and_nothing_is_sent(
        app: Flask, client: FlaskClient, ana: User) -> None:
    response = client.post("/auth/reset", data={"email": "not an address"})
    assert response.status_code == 200
    assert "<li>Invalid email address.</li>" in response.get_data(as_text=True)
    assert sent(app) == []


def test_resetting_the_password_signs_out_every_session(
        app: Flask, client: FlaskClient, ana: User) -> None:
    elsewhere = app.test_client()
    elsewhere.post("/auth/login", data={"email": "ana@example.org", "password": PASSWORD,
                                        "remember": "y"})
    assert elsewhere.get("/orgs/").status_code == 200
    client.post(_ask(client), data=_new())
    assert elsewhere.get("/orgs/").status_code == 302


def test_the_e_mail_speaks_the_language_of_the_account(
        app: Flask, client: FlaskClient, make_user: Callable[..., User]) -> None:
    make_user("bo@example.org", language="fr")
    _ask(client, "bo@example.org")
    [message] = sent(app)
    assert message["Subject"] == "Choisir un nouveau mot de passe pour decisions"
    assert "dans les 2\N{NO-BREAK SPACE}heures" in message.get_content()
