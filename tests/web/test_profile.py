"""People change their name, e-mail address, language and password; "remember me" keeps
them signed in on their device until their password changes."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from decisions.web import db
from decisions.web.models import User

from .conftest import PASSWORD, Auth

NEW_PASSWORD = "a brand new secret"  # noqa: S105 - test accounts only
PROFILE = "/account/profile"


@pytest.fixture
def ana(make_user: Callable[..., User], auth: Auth) -> User:
    """Ana, signed in."""
    user = make_user("ana@example.org", name="Ana")
    auth.login("ana@example.org")
    return user


def _reload(app: Flask, user: User) -> User:
    with app.app_context():
        found = db.session().get(User, user.id)
    assert found is not None
    return found


def _profile(name: str = "Ana", email: str = "ana@example.org", language: str = "",
             current_password: str = "") -> dict[str, str]:
    return {"profile-name": name, "profile-email": email, "profile-language": language,
            "profile-current_password": current_password}


def _password(current: str = PASSWORD, new: str = NEW_PASSWORD,
              confirm: str | None = None) -> dict[str, str]:
    return {"password-current_password": current, "password-password": new,
            "password-confirm": new if confirm is None else confirm}


def test_the_profile_page_shows_the_persons_details_and_is_linked_from_every_page(
        client: FlaskClient, ana: User) -> None:
    assert f'href="{PROFILE}"' in client.get("/orgs/").get_data(as_text=True)
    page = client.get(PROFILE).get_data(as_text=True)
    assert 'value="ana@example.org"' in page
    assert 'value="Ana"' in page
    assert '<option selected value="">' in page


def test_a_person_changes_name_and_language_and_the_interface_follows(
        app: Flask, client: FlaskClient, ana: User) -> None:
    response = client.post(PROFILE, data=_profile(name="  Ana Lind ", language="fr"))
    assert response.status_code == 302
    page = client.get(PROFILE).get_data(as_text=True)
    assert "Votre profil est enregistré." in page
    assert "Mon profil" in page
    user = _reload(app, ana)
    assert (user.name, user.language) == ("Ana Lind", "fr")


def test_choosing_the_browsers_language_forgets_the_preference(
        app: Flask, client: FlaskClient, make_user: Callable[..., User], auth: Auth) -> None:
    user = make_user("ana@example.org", name="Ana", language="fr")
    auth.login("ana@example.org")
    client.post(PROFILE, data=_profile(language=""))
    assert _reload(app, user).language is None
    page = client.get(PROFILE, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "My profile" in page


def test_changing_the_e_mail_address_needs_the_current_password(
        app: Flask, client: FlaskClient, auth: Auth, ana: User) -> None:
    refused = client.post(PROFILE, data=_profile(email="ana@coop.example"))
    assert refused.status_code == 200
    assert "Enter your current password to change your e-mail address." in refused.get_data(
        as_text=True)
    assert _reload(app, ana).email == "ana@example.org"

    wrong = client.post(PROFILE, data=_profile(email="ana@coop.example",
                                               current_password=NEW_PASSWORD))
    assert wrong.status_code == 200
    assert _reload(app, ana).email == "ana@example.org"

    accepted = client.post(PROFILE, data=_profile(email=" Ana@Coop.Example ",
                                                  current_password=PASSWORD))
    assert accepted.status_code == 302
    assert _reload(app, ana).email == "ana@coop.example"
    auth.logout()
    assert auth.login("ana@coop.example").status_code == 302


def test_the_e_mail_address_of_another_account_is_refused_whatever_its_case(
        app: Flask, client: FlaskClient, make_user: Callable[..., User], ana: User) -> None:
    make_user("bo@example.org")
    response = client.post(PROFILE, data=_profile(email="BO@example.org",
                                                  current_password=PASSWORD))
    assert response.status_code == 200
    assert "An account with this e-mail address already exists." in response.get_data(
        as_text=True)
    assert _reload(app, ana).email == "ana@example.org"


@pytest.mark.parametrize(("data", "message"), [
    (_profile(name=""), "This field is required."),
    (_profile(email="not an address"), "Invalid email address."),
    (_profile(language="de"), "Not a valid choice."),
    (_profile(name="x" * 121), "Field cannot be longer than 120 characters."),
])
def test_bad_profile_input_is_refused_next_to_the_field_and_nothing_is_written(
        app: Flask, client: FlaskClient, ana: User, data: dict[str, str], message: str) -> None:
    response = client.post(PROFILE, data=data)
    assert response.status_code == 200
    assert f"<li>{message}</li>" in response.get_data(as_text=True)
    user = _reload(app, ana)
    assert (user.name, user.email, user.language) == ("Ana", "ana@example.org", None)


def test_a_person_changes_the_password_and_stays_signed_in(
        app: Flask, client: FlaskClient, auth: Auth, ana: User) -> None:
    response = client.post("/account/password", data=_password())
    assert response.status_code == 302
    page = client.get(PROFILE)
    assert page.status_code == 200
    assert "Your password is changed." in page.get_data(as_text=True)
    auth.logout()
    assert auth.login("ana@example.org", PASSWORD).status_code == 200  # refused
    assert auth.login("ana@example.org", NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize(("data", "field", "message"), [
    (_password(current="not my password"), "password-current_password",
     "This is not your current password."),
    (_password(new="too short", confirm="too short"), "password-password",
     "Choose a password of at least 10 characters."),
    (_password(confirm=NEW_PASSWORD + "?"), "password-confirm", "The two passwords differ."),
    (_password(current=""), "password-current_password", "This field is required."),
])
def test_a_bad_password_change_is_refused_next_to_the_field_and_nothing_is_written(
        app: Flask, client: FlaskClient, ana: User, data: dict[str, str], field: str,
        message: str) -> None:
    before = _reload(app, ana).password_hash
    response = client.post("/account/password", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'<ul class="errors" id="{field}-errors"><li>{message}</li></ul>' in page
    assert _reload(app, ana).password_hash == before


def test_changing_the_password_signs_out_the_other_sessions(
        app: Flask, client: FlaskClient, ana: User) -> None:
    other_device = app.test_client()
    other_device.post("/auth/login", data={"email": "ana@example.org", "password": PASSWORD})
    assert other_device.get("/orgs/").status_code == 200
    client.post("/account/password", data=_password())
    assert other_device.get("/orgs/").status_code == 302
    assert client.get("/orgs/").status_code == 200


@pytest.mark.parametrize(("method", "path"), [
    ("get", PROFILE), ("post", PROFILE), ("post", "/account/password"),
])
def test_the_account_pages_need_signing_in(client: FlaskClient, method: str,
                                           path: str) -> None:
    response = getattr(client, method)(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


def _sign_in(app: Flask, remember: bool) -> FlaskClient:
    browser = app.test_client()
    data = {"email": "ana@example.org", "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    assert browser.post("/auth/login", data=data).status_code == 302
    return browser


def _reopened(app: Flask, browser: FlaskClient) -> FlaskClient:
    """The same browser after it was closed: session cookie gone, lasting cookies kept."""
    reopened = app.test_client()
    cookie = browser.get_cookie("remember_token")
    if cookie is not None:
        reopened.set_cookie("remember_token", cookie.value)
    return reopened


def test_remember_me_keeps_a_person_signed_in_after_the_browser_closes(
        app: Flask, make_user: Callable[..., User]) -> None:
    make_user("ana@example.org", name="Ana")
    browser = _sign_in(app, remember=True)
    cookie = browser.get_cookie("remember_token")
    assert cookie is not None
    assert cookie.expires is not None  # a lasting cookie, not a session one
    reopened = _reopened(app, browser)
    page = reopened.get("/orgs/")
    assert page.status_code == 200
    assert "Ana" in page.get_data(as_text=True)


def test_without_remember_me_closing_the_browser_signs_out(
        app: Flask, make_user: Callable[..., User]) -> None:
    make_user("ana@example.org")
    browser = _sign_in(app, remember=False)
    assert browser.get_cookie("remember_token") is None
    assert _reopened(app, browser).get("/orgs/").status_code == 302


def test_a_remember_me_cookie_stops_working_when_the_password_changes(
        app: Flask, make_user: Callable[..., User]) -> None:
    make_user("ana@example.org")
    laptop = _sign_in(app, remember=True)
    phone = _sign_in(app, remember=True)
    assert phone.post("/account/password", data=_password()).status_code == 302
    assert _reopened(app, laptop).get("/orgs/").status_code == 302
    assert _reopened(app, phone).get("/orgs/").status_code == 200  # renewed where changed


def test_signing_out_forgets_the_remember_me_cookie(
        app: Flask, make_user: Callable[..., User]) -> None:
    make_user("ana@example.org")
    browser = _sign_in(app, remember=True)
    browser.post("/auth/logout")
    assert _reopened(app, browser).get("/orgs/").status_code == 302
