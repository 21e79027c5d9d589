"""Organisation settings: admins rename the organisation, choose its time zone among those
the system knows, and say whether it is a SCIC."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from decisions.web import db
from decisions.web.models import Membership, Organisation

from .conftest import Auth, module_world

MakeOrg = Callable[..., Organisation]
MakeMember = Callable[..., Membership]


@module_world
def coop(make_org: MakeOrg, make_member: MakeMember) -> Organisation:
    """A SCIC whose admin is Ana, with Bo as a member."""
    organisation = make_org("coop", admin="ana@example.org")
    make_member(organisation, "bo@example.org")
    return organisation


@pytest.fixture
def app(rolled_back_app: Flask) -> Flask:
    """The application on the module's world, built once: what a test writes is rolled
    back after it."""
    return rolled_back_app


def stored(app: Flask, slug: str = "coop") -> tuple[str, str, bool]:
    """The organisation's name, time zone and SCIC flag as stored now."""
    with app.app_context():
        organisation = db.session().scalar(select(Organisation)
                                           .where(Organisation.slug == slug))
        assert organisation is not None
        return organisation.name, organisation.timezone, organisation.is_scic


def test_an_admin_sees_the_current_settings(client: FlaskClient, auth: Auth,
                                            coop: Organisation) -> None:
    auth.login("ana@example.org")
    page = client.get("/orgs/coop/settings").get_data(as_text=True)
    assert 'value="Coop"' in page
    assert 'value="Europe/Paris"' in page
    assert '<option value="America/Montreal">' in page
    assert 'checked id="is_scic" name="is_scic" type="checkbox"' in page
    assert '<option value="localtime">' not in page


def test_an_admin_renames_the_organisation_and_sets_its_time_zone(
        app: Flask, client: FlaskClient, auth: Auth, coop: Organisation) -> None:
    auth.login("ana@example.org")
    response = client.post("/orgs/coop/settings", data={
        "name": "  Coop des Vélos ", "timezone": " America/Montreal", "is_scic": "y"},
        follow_redirects=True)
    assert "Settings saved." in response.get_data(as_text=True)
    assert stored(app) == ("Coop des Vélos", "America/Montreal", True)


def test_an_admin_says_the_organisation_is_not_a_scic(
        app: Flask, client: FlaskClient, auth: Auth, coop: Organisation) -> None:
    auth.login("ana@example.org")
    client.post("/orgs/coop/settings", data={"name": "Coop", "timezone": "Europe/Paris"})
    assert stored(app) == ("Coop", "Europe/Paris", False)


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "europe/paris", "Paris", "../etc",
                                  "localtime"])
def test_an_unknown_time_zone_is_refused_next_to_the_field_and_nothing_is_written(
        app: Flask, client: FlaskClient, auth: Auth, coop: Organisation, zone: str) -> None:
    auth.login("ana@example.org")
    response = client.post("/orgs/coop/settings", data={
        "name": "Renamed", "timezone": zone})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Unknown time zone: choose one from the list, such as Europe/Paris." in page
    assert 'id="timezone-errors"' in page
    assert stored(app) == ("Coop", "Europe/Paris", True)


@pytest.mark.parametrize(("name", "message"), [
    ("", "This field is required."),
    ("   ", "This field is required."),
    ("x" * 121, "Field cannot be longer than 120 characters."),
])
def test_a_missing_or_too_long_name_is_refused_and_nothing_is_written(
        app: Flask, client: FlaskClient, auth: Auth, coop: Organisation, name: str,
        message: str) -> None:
    auth.login("ana@example.org")
    response = client.post("/orgs/coop/settings", data={"name": name,
                                                        "timezone": "Asia/Tokyo"})
    assert message in response.get_data(as_text=True)
    assert stored(app) == ("Coop", "Europe/Paris", True)


def test_becoming_a_scic_warns_when_the_colleges_do_not_meet_the_law(
        app: Flask, client: FlaskClient, auth: Auth, make_org: MakeOrg) -> None:
    make_org("assoc", admin="ana@example.org", is_scic=False,
             colleges={"founders": 60, "users": 40})
    auth.login("ana@example.org")
    response = client.post("/orgs/assoc/settings", data={
        "name": "Assoc", "timezone": "Europe/Paris", "is_scic": "y"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Settings saved." in page
    assert ("The colleges cannot be used for a vote yet: A SCIC needs at least 3 colleges."
            " Colleges now: founders, users.") in page
    assert stored(app, "assoc") == ("Assoc", "Europe/Paris", True)


def test_the_settings_are_in_the_menu_of_admins_only(
        client: FlaskClient, auth: Auth, coop: Organisation) -> None:
    auth.login("ana@example.org")
    assert 'href="/orgs/coop/settings"' in client.get("/orgs/coop/").get_data(as_text=True)
    auth.logout()
    auth.login("bo@example.org")
    page = client.get("/orgs/coop/").get_data(as_text=True)
    assert 'href="/orgs/coop/members"' in page
    assert 'href="/orgs/coop/settings"' not in page


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_anonymous_visitors_are_sent_to_sign_in(
        app: Flask, client: FlaskClient, coop: Organisation, method: str) -> None:
    response = client.open("/orgs/coop/settings", method=method,
                           data={"name": "Taken", "timezone": "UTC"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")
    assert stored(app) == ("Coop", "Europe/Paris", True)


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize(("email", "status"), [
    ("zed@example.org", 403),  # a member of another organisation
    ("bo@example.org", 403),  # a member who is not admin
    ("ana@example.org", None),  # the admin: 200 to read, 302 after saving
])
def test_only_admins_of_the_organisation_open_its_settings(
        app: Flask, client: FlaskClient, auth: Auth, coop: Organisation, make_org: MakeOrg,
        method: str, email: str, status: int | None) -> None:
    make_org("other", admin="zed@example.org")
    auth.login(email)
    response = client.open("/orgs/coop/settings", method=method,
                           data={"name": "Taken", "timezone": "UTC"})
    assert response.status_code == (status or (302 if method == "POST" else 200))
    changed = status is None and method == "POST"
    assert stored(app) == (("Taken", "UTC", False) if changed else
                           ("Coop", "Europe/Paris", True))


def test_an_unknown_organisation_is_not_found(client: FlaskClient, auth: Auth,
                                              coop: Organisation) -> None:
    auth.login("ana@example.org")
    assert client.get("/orgs/nowhere/settings").status_code == 404


def test_the_settings_speak_french_to_a_french_admin(
        client: FlaskClient, auth: Auth, coop: Organisation) -> None:
    auth.login("ana@example.org")
    page = client.get("/orgs/coop/settings", headers={"Accept-Language": "fr"})
    text = page.get_data(as_text=True)
    assert "Fuseau horaire" in text
    assert "Une SCIC a de 3 à 10 collèges, chacun pesant de 10 % à 50 %." in text
