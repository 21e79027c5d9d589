"""Colleges: members see them with their weights and the share the engine computes; admins
add, rename and delete them and set all weights at once, refused when the engine refuses."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from decisions.engine import College as EngineCollege
from decisions.engine import CollegeRefusal
from decisions.web import db, mapping
from decisions.web.models import College, Membership, Organisation, Role, User

from .conftest import Auth

MakeOrg = Callable[..., Organisation]
MakeMember = Callable[..., Membership]


@pytest.fixture
def scic(make_org: MakeOrg, make_member: MakeMember) -> Organisation:
    """A SCIC with three colleges of equal weight; Ana is admin, Bo a member of users."""
    organisation = make_org("coop", admin="ana@example.org",
                            colleges={"workers": None, "users": None, "partners": None})
    make_member(organisation, "bo@example.org", college="users")
    return organisation


def weights(app: Flask, slug: str = "coop") -> dict[str, Fraction | None]:
    """The colleges as stored now: name to weight in percent."""
    with app.app_context():
        rows = db.session().scalars(select(College).join(Organisation)
                                    .where(Organisation.slug == slug).order_by(College.id))
        return {college.name: college.weight for college in rows}


def ids(app: Flask, slug: str = "coop") -> dict[str, int]:
    with app.app_context():
        rows = db.session().scalars(select(College).join(Organisation)
                                    .where(Organisation.slug == slug))
        return {college.name: college.id for college in rows}


def set_weights(client: FlaskClient, app: Flask, slug: str = "coop", **given: str) -> str:
    """Send the weights form (``workers="50"``...) and return the page shown."""
    data = {f"weight_{college_id}": given.get(name, "")
            for name, college_id in ids(app, slug).items()}
    return client.post(f"/orgs/{slug}/colleges/weights", data=data,
                       follow_redirects=True).get_data(as_text=True)


def table(page: str) -> str:
    return page[page.index("<tbody>"):page.index("</tbody>")]


def test_the_engine_sees_college_rows_by_id_and_weight(app: Flask, scic: Organisation) -> None:
    with app.app_context():
        rows = db.session().scalars(select(College).order_by(College.id)).all()
        rows[0].weight = Fraction(50)
        assert mapping.engine_colleges(rows) == tuple(
            EngineCollege(id=str(row.id), weight=row.weight) for row in rows)
        assert mapping.engine_colleges(rows, {row.id: None for row in rows})[0].weight is None
        db.session().rollback()
    verdict = mapping.college_verdict((CollegeRefusal.WEIGHTS_SUM, ("3", "12")))
    assert (verdict.accepted, verdict.offending) == (False, (3, 12))
    assert mapping.college_verdict({"7": Fraction(1, 2)}).shares == {7: Fraction(1, 2)}


def test_members_see_equal_weights_as_a_third_of_the_votes_each(
        client: FlaskClient, auth: Auth, scic: Organisation) -> None:
    auth.login("bo@example.org")
    page = client.get("/orgs/coop/colleges").get_data(as_text=True)
    rows = table(page)
    assert rows.count("equal") == 3
    assert rows.count("33.33%") == 3
    assert "cannot be used for a vote" not in page
    assert "Save the weights" not in page
    assert "Add a college" not in page


def test_a_french_reader_sees_shares_written_the_french_way(
        client: FlaskClient, auth: Auth, scic: Organisation) -> None:
    auth.login("bo@example.org")
    page = client.get("/orgs/coop/colleges", headers={"Accept-Language": "fr"})
    assert table(page.get_data(as_text=True)).count("33,33\xa0%") == 3


def test_an_organisation_without_colleges_is_not_checked(
        client: FlaskClient, auth: Auth, make_org: MakeOrg) -> None:
    make_org("plain", admin="ana@example.org")
    auth.login("ana@example.org")
    page = client.get("/orgs/plain/colleges").get_data(as_text=True)
    assert "This organisation has no colleges" in page
    assert "cannot be used for a vote" not in page
    assert "Save the weights" not in page
    assert "Add a college" in page


def test_weights_of_50_30_20_are_saved_and_shown(
        app: Flask, client: FlaskClient, auth: Auth, scic: Organisation) -> None:
    auth.login("ana@example.org")
    page = set_weights(client, app, workers="50", users="30", partners="20")
    assert "Weights saved." in page
    assert weights(app) == {"workers": 50, "users": 30, "partners": 20}
    rows = table(page)
    assert rows.count("50%") == 2
    assert rows.count("30%") == 2
    assert rows.count("20%") == 2


def test_55_25_20_in_a_scic_is_refused_naming_the_college_and_nothing_is_written(
        app: Flask, client: FlaskClient, auth: Auth, scic: Organisation) -> None:
    auth.login("ana@example.org")
    page = set_weights(client, app, workers="55", users="25", partners="20")
    assert "In a SCIC each college weighs from 10 % to 50 %. Out of bounds: workers." in page
    assert f'id="weight_{ids(app)["workers"]}-errors"' in page
    assert f'id="weight_{ids(app)["users"]}-errors"' not in page
    assert weights(app) == {"workers": None, "users": None, "partners": None}


@pytest.mark.parametrize("given", [
    {"workers": "50", "users": "30", "partners": "10"},
    {"workers": "50", "users": "30"},
])
def test_weights_that_do_not_add_up_to_100_are_refused_naming_the_colleges(
        app: Flask, client: FlaskClient, auth: Auth, scic: Organisation,
        given: dict[str, str]) -> None:
    auth.login("ana@example.org")
    page = set_weights(client, app, **given)
    assert ("The weights must add up to 100 %, or all be left blank for equal weights."
            " Colleges concerned: workers, users, partners.") in page
    assert weights(app) == {"workers": None, "users": None, "partners": None}


@pytest.mark.parametrize("text", ["forty", "-10", "1e2", "5/0", "50.1234567"])
def test_a_weight_that_is_not_a_percentage_is_refused_next_to_its_field(
        app: Flask, client: FlaskClient, auth: Auth, scic: Organisation, text: str) -> None:
    auth.login("ana@example.org")
    page = set_weights(client, app, workers=text, users="30", partners="20")
    assert "Write a percentage such as 40 or 33.5, or leave it blank." in page
    assert f'id="weight_{ids(app)["workers"]}-errors"' in page
    assert weights(app) == {"workers": None, "users": None, "partners": None}


def test_blank_weights_mean_equal_weights_for_all(
        app: Flask, client: FlaskClient, auth: Auth, make_org: MakeOrg) -> None:
    make_org("coop", admin="ana@example.org",
             colleges={"workers": 50, "users": 30, "partners": 20})
    auth.login("ana@example.org")
    page = set_weights(client, app)
    assert "Weights saved." in page
    assert weights(app) == {"workers": None, "users": None, "partners": None}
    assert table(page).count("33.33%") == 3


def test_decimal_and_fraction_weights_are_kept_exact(
        app: Flask, client: FlaskClient, auth: Auth, scic: Organisation) -> None:
    auth.login("ana@example.org")
    page = set_weights(client, app, workers="33,5", users="100/3", partners="33.1666 %")
    assert "The weights must add up to 100 %" in page
    page = set_weights(client, app, workers="33,5", users="100/3", partners="199/6")
    assert "Weights saved." in page
    assert weights(app) == {"workers": Fraction(67, 2), "users": Fraction(100, 3),
                            "partners": Fraction(199, 6)}
    form = page[page.index('id="weights-title"'):]
    assert 'value="33.5"' in form
    assert 'value="100/3"' in form


def test_two_colleges_in_a_scic_are_refused(
        app: Flask, client: FlaskClient, auth: Auth, make_org: MakeOrg) -> None:
    make_org("coop", admin="ana@example.org", colleges={"workers": None, "users": None})
    auth.login("ana@example.org")
    page = set_weights(client, app, workers="50", users="50")
    assert "A SCIC needs at least 3 colleges. Colleges now: workers, users." in page
    assert weights(app) == {"workers": None, "users": None}


def test_two_colleges_are_fine_for_an_organisation_that_is_not_a_scic(
        app: Flask, client: FlaskClient, auth: Auth, make_org: MakeOrg) -> None:
    make_org("assoc", admin="ana@example.org", is_scic=False,
             colleges={"founders": None, "users": None})
    auth.login("ana@example.org")
    page = set_weights(client, app, "assoc", founders="60", users="40")
    assert "Weights saved." in page
    assert weights(app, "assoc") == {"founders": 60, "users": 40}
    assert "cannot be used for a vote" not in page


def test_a_weight_of_zero_is_refused_even_without_the_scic_bounds(
        app: Flask, client: FlaskClient, auth: Auth, make_org: MakeOrg) -> None:
    make_org("assoc", admin="ana@example.org", is_scic=False,
             colleges={"founders": None, "users": None})
    auth.login("ana@example.org")
    page = set_weights(client, app, "assoc", founders="100", users="0")
    assert "Each college must weigh more than 0 %. Out of bounds: users." in page
    assert weights(app, "assoc") == {"founders": None, "users": None}


def test_admins_are_told_when_the_current_configuration_is_incomplete(
        client: FlaskClient, auth: Auth, make_org: MakeOrg, make_member: MakeMember) -> None:
    organisation = make_org("coop", admin="ana@example.org",
                            colleges={"workers": None, "users": None})
    make_member(organisation, "bo@example.org")
    auth.login("ana@example.org")
    page = client.get("/orgs/coop/colleges").get_data(as_text=True)
    assert "The colleges cannot be used for a vote yet." in page
    assert "A SCIC needs at least 3 colleges. Colleges now: workers, users." in page
    assert "Add or delete colleges, or set the weights below" in page
    assert table(page).count("—") == 2


def test_a_scic_is_built_one_college_at_a_time(
        app: Flask, client: FlaskClient, auth: Auth, make_org: MakeOrg) -> None:
    make_org("coop", admin="ana@example.org")
    auth.login("ana@example.org")
    for name in ("workers", "users"):
        page = client.post("/orgs/coop/colleges/new", data={"name": name},
                           follow_redirects=True).get_data(as_text=True)
        assert f"College {name} added." in page
        assert "A SCIC needs at least 3 colleges" in page
    page = client.post("/orgs/coop/colleges/new", data={"name": "partners"},
                       follow_redirects=True).get_data(as_text=True)
    assert "cannot be used for a vote" not in page
    assert table(page).count("33.33%") == 3
    assert weights(app) == {"workers": None, "users": None, "partners": None}


@pytest.mark.parametrize(("name", "message"), [
    ("Users", "There is already a college of this name."),
    ("   ", "This field is required."),
    ("x" * 81, "Field cannot be longer than 80 characters."),
])
def test_a_college_name_must_be_given_and_new_and_nothing_is_written(
        app: Flask, client: FlaskClient, auth: Auth, scic: Organisation, name: str,
        message: str) -> None:
    auth.login("ana@example.org")
    response = client.post("/orgs/coop/colleges/new", data={"name": name})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert list(weights(app)) == ["workers", "users", "partners"]


def test_an_admin_renames_a_college(app: Flask, client: FlaskClient, auth: Auth,
                                    scic: Organisation) -> None:
    auth.login("ana@example.org")
    path = f"/orgs/coop/colleges/{ids(app)['users']}/edit"
    assert "Members of this college: 1. They stay in" in client.get(path).get_data(as_text=True)
    response = client.post(path, data={"name": "customers"})
    assert response.headers["Location"] == "/orgs/coop/colleges"
    assert list(weights(app)) == ["workers", "customers", "partners"]
    page = client.post(path, data={"name": "workers"}).get_data(as_text=True)
    assert "There is already a college of this name." in page
    assert list(weights(app)) == ["workers", "customers", "partners"]


def test_deleting_a_college_keeps_its_members_without_a_college(
        app: Flask, client: FlaskClient, auth: Auth, scic: Organisation) -> None:
    auth.login("ana@example.org")
    response = client.post(f"/orgs/coop/colleges/{ids(app)['users']}/delete",
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "College users deleted." in page
    assert "A SCIC needs at least 3 colleges. Colleges now: workers, partners." in page
    assert list(weights(app)) == ["workers", "partners"]
    with app.app_context():
        bo = db.session().scalar(select(Membership).join(User)
                                 .where(User.email == "bo@example.org"))
        assert bo is not None
        assert bo.college_id is None


def test_a_college_of_another_organisation_is_not_found_through_this_one(
        app: Flask, client: FlaskClient, auth: Auth, scic: Organisation,
        make_org: MakeOrg) -> None:
    make_org("other", colleges={"elsewhere": None})
    auth.login("ana@example.org")
    elsewhere = ids(app, "other")["elsewhere"]
    assert client.get(f"/orgs/coop/colleges/{elsewhere}/edit").status_code == 404
    assert client.post(f"/orgs/coop/colleges/{elsewhere}/delete").status_code == 404
    assert weights(app, "other") == {"elsewhere": None}


def test_a_college_is_deleted_only_by_a_post(app: Flask, client: FlaskClient, auth: Auth,
                                             scic: Organisation) -> None:
    auth.login("ana@example.org")
    assert client.get(f"/orgs/coop/colleges/{ids(app)['users']}/delete").status_code == 405
    assert "users" in weights(app)


ROUTES = [
    # (method, path, least role, form data); {users} is the id of the college "users"
    ("GET", "/orgs/coop/colleges", Role.MEMBER, {}),
    ("POST", "/orgs/coop/colleges/new", Role.ADMIN, {"name": "friends"}),
    ("POST", "/orgs/coop/colleges/weights", Role.ADMIN, {}),
    ("GET", "/orgs/coop/colleges/{users}/edit", Role.ADMIN, {}),
    ("POST", "/orgs/coop/colleges/{users}/edit", Role.ADMIN, {"name": "customers"}),
    ("POST", "/orgs/coop/colleges/{users}/delete", Role.ADMIN, {}),
]


@pytest.mark.parametrize(("method", "path", "role", "data"), ROUTES)
def test_anonymous_visitors_are_sent_to_sign_in(
        app: Flask, client: FlaskClient, scic: Organisation, method: str, path: str,
        role: Role, data: dict[str, str]) -> None:
    response = client.open(path.format(users=ids(app)["users"]), method=method, data=data)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")
    assert list(weights(app)) == ["workers", "users", "partners"]


@pytest.mark.parametrize(("method", "path", "role", "data"), ROUTES)
def test_members_of_another_organisation_are_refused(
        app: Flask, client: FlaskClient, auth: Auth, scic: Organisation, make_org: MakeOrg,
        method: str, path: str, role: Role, data: dict[str, str]) -> None:
    make_org("other", admin="zed@example.org")
    auth.login("zed@example.org")
    response = client.open(path.format(users=ids(app)["users"]), method=method, data=data)
    assert response.status_code == 403
    assert list(weights(app)) == ["workers", "users", "partners"]


@pytest.mark.parametrize(("method", "path", "role", "data"), ROUTES)
def test_members_read_but_do_not_change(
        app: Flask, client: FlaskClient, auth: Auth, scic: Organisation, method: str,
        path: str, role: Role, data: dict[str, str]) -> None:
    auth.login("bo@example.org")
    response = client.open(path.format(users=ids(app)["users"]), method=method, data=data)
    assert response.status_code == (200 if role is Role.MEMBER else 403)
    assert list(weights(app)) == ["workers", "users", "partners"]


@pytest.mark.parametrize(("method", "path", "role", "data"), ROUTES)
def test_admins_may_use_every_page(
        app: Flask, client: FlaskClient, auth: Auth, scic: Organisation, method: str,
        path: str, role: Role, data: dict[str, str]) -> None:
    auth.login("ana@example.org")
    response = client.open(path.format(users=ids(app)["users"]), method=method, data=data)
    assert response.status_code == (302 if method == "POST" else 200)


def test_a_french_admin_reads_the_refusal_in_french(
        app: Flask, client: FlaskClient, auth: Auth, scic: Organisation) -> None:
    auth.login("ana@example.org")
    given = {"workers": "55", "users": "25", "partners": "20"}
    data = {f"weight_{college_id}": given[name] for name, college_id in ids(app).items()}
    response = client.post("/orgs/coop/colleges/weights", data=data,
                           headers={"Accept-Language": "fr"})
    page = response.get_data(as_text=True)
    assert ("Dans une SCIC, chaque collège pèse de 10 % à 50 %. Hors des bornes : workers."
            in page)
    assert "Hors des bornes." in page
