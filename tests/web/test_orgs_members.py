"""Members of an organisation: every member sees them; admins change their role, vote weight
and college, and remove them; an organisation always keeps at least one admin."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from decisions.web import db
from decisions.web.models import (
    Circle,
    CircleMember,
    Membership,
    Organisation,
    Role,
    User,
)
from decisions.web.services import organisations

from .conftest import Auth, keep_former_members, module_world

MakeOrg = Callable[..., Organisation]
MakeMember = Callable[..., Membership]


@module_world
def coop(make_org: MakeOrg, make_member: MakeMember,
         make_user: Callable[..., User]) -> Organisation:
    """A SCIC whose admin is Ana, with Bo (member, users) and Cy (facilitator)."""
    make_user("ana@example.org", name="Ana Admin")
    make_user("bo@example.org", name="Bo Member")
    make_user("cy@example.org", name="Cy Facilitator")
    organisation = make_org("coop", admin="ana@example.org",
                            colleges={"workers": None, "users": None, "partners": None})
    make_member(organisation, "bo@example.org", college="users", vote_weight=3)
    make_member(organisation, "cy@example.org", role="facilitator")
    return organisation


@pytest.fixture
def app(rolled_back_app: Flask) -> Flask:
    """The application on the module's world, built once: what a test writes is rolled
    back after it."""
    return rolled_back_app


def membership(app: Flask, email: str, slug: str = "coop") -> Membership | None:
    """The person's current membership as stored now (``None`` once it has ended), with its
    college loaded."""
    with app.app_context():
        session = db.session()
        found = session.scalar(select(Membership).join(User).join(Organisation)
                               .where(User.email == email, Organisation.slug == slug,
                                      Membership.ended_at.is_(None)))
        if found is not None:
            _ = found.college
        return found


def member_id(app: Flask, email: str, slug: str = "coop") -> int:
    found = membership(app, email, slug)
    assert found is not None
    return found.id


def college_id(app: Flask, name: str, slug: str = "coop") -> int:
    with app.app_context():
        session = db.session()
        organisation = session.scalar(select(Organisation).where(Organisation.slug == slug))
        assert organisation is not None
        return next(c.id for c in organisation.colleges if c.name == name)


def edit(client: FlaskClient, app: Flask, email: str, **data: str) -> str:
    response = client.post(f"/orgs/coop/members/{member_id(app, email)}/edit", data=data)
    return response.get_data(as_text=True) if response.status_code == 200 else ""


def test_every_member_sees_the_members_with_role_college_and_vote_weight(
        client: FlaskClient, auth: Auth, coop: Organisation) -> None:
    auth.login("bo@example.org")
    page = client.get("/orgs/coop/members").get_data(as_text=True)
    rows = page[page.index("<tbody>"):page.index("</tbody>")]
    assert rows.index("Ana Admin") < rows.index("Bo Member") < rows.index("Cy Facilitator")
    bo_row = rows[rows.index("Bo Member"):rows.index("Cy Facilitator")]
    assert "member" in bo_row
    assert "users" in bo_row
    assert ">3<" in bo_row
    assert "facilitator" in rows[rows.index("Cy Facilitator"):]
    assert "/edit" not in page


def test_an_admin_sees_an_edit_link_for_every_member(
        app: Flask, client: FlaskClient, auth: Auth, coop: Organisation) -> None:
    auth.login("ana@example.org")
    page = client.get("/orgs/coop/members").get_data(as_text=True)
    for email in ("ana@example.org", "bo@example.org", "cy@example.org"):
        assert f"/orgs/coop/members/{member_id(app, email)}/edit" in page


def test_an_admin_changes_a_members_role_vote_weight_and_college(
        app: Flask, client: FlaskClient, auth: Auth, coop: Organisation) -> None:
    auth.login("ana@example.org")
    response = client.post(f"/orgs/coop/members/{member_id(app, 'bo@example.org')}/edit",
                           data={"role": "facilitator", "vote_weight": "2",
                                 "college": str(college_id(app, "workers"))})
    assert response.status_code == 302
    assert response.headers["Location"] == "/orgs/coop/members"
    bo = membership(app, "bo@example.org")
    assert bo is not None
    assert (bo.role, bo.vote_weight) == (Role.FACILITATOR, 2)
    assert bo.college is not None
    assert bo.college.name == "workers"


def test_an_admin_takes_a_member_out_of_every_college(
        app: Flask, client: FlaskClient, auth: Auth, coop: Organisation) -> None:
    auth.login("ana@example.org")
    edit(client, app, "bo@example.org", role="member", vote_weight="3", college="0")
    bo = membership(app, "bo@example.org")
    assert bo is not None
    assert bo.college_id is None


@pytest.mark.parametrize(("weight", "message"), [
    ("0", "The vote weight is a whole number from 1 to 1000000."),
    ("-2", "The vote weight is a whole number from 1 to 1000000."),
    ("1000001", "The vote weight is a whole number from 1 to 1000000."),
    ("1.5", "Not a valid integer value."),
    ("many", "Not a valid integer value."),
    ("", "Give a vote weight."),
])
def test_a_vote_weight_that_is_not_a_whole_number_from_one_is_refused_and_nothing_is_written(
        app: Flask, client: FlaskClient, auth: Auth, coop: Organisation, weight: str,
        message: str) -> None:
    auth.login("ana@example.org")
    page = edit(client, app, "bo@example.org", role="admin", vote_weight=weight, college="0")
    assert message in page
    assert 'id="vote_weight-errors"' in page
    bo = membership(app, "bo@example.org")
    assert bo is not None
    assert (bo.role, bo.vote_weight, bo.college_id) == (
        Role.MEMBER, 3, college_id(app, "users"))


def test_a_college_of_another_organisation_is_refused_and_nothing_is_written(
        app: Flask, client: FlaskClient, auth: Auth, coop: Organisation,
        make_org: MakeOrg) -> None:
    make_org("other", colleges={"elsewhere": None})
    auth.login("ana@example.org")
    page = edit(client, app, "bo@example.org", role="member", vote_weight="1",
                college=str(college_id(app, "elsewhere", "other")))
    assert "Not a valid choice" in page
    bo = membership(app, "bo@example.org")
    assert bo is not None
    assert (bo.vote_weight, bo.college_id) == (3, college_id(app, "users"))


def test_an_unknown_role_is_refused(app: Flask, client: FlaskClient, auth: Auth,
                                    coop: Organisation) -> None:
    auth.login("ana@example.org")
    page = edit(client, app, "bo@example.org", role="owner", vote_weight="1", college="0")
    assert "Not a valid choice" in page
    bo = membership(app, "bo@example.org")
    assert bo is not None
    assert bo.role is Role.MEMBER


def test_the_last_admin_cannot_be_demoted(app: Flask, client: FlaskClient, auth: Auth,
                                          coop: Organisation) -> None:
    auth.login("ana@example.org")
    page = edit(client, app, "ana@example.org", role="facilitator", vote_weight="1",
                college="0")
    assert "An organisation must keep at least one admin" in page
    assert 'id="role-errors"' in page
    ana = membership(app, "ana@example.org")
    assert ana is not None
    assert ana.role is Role.ADMIN


def test_an_admin_may_step_down_when_another_admin_remains(
        app: Flask, client: FlaskClient, auth: Auth, coop: Organisation) -> None:
    auth.login("ana@example.org")
    edit(client, app, "cy@example.org", role="admin", vote_weight="1", college="0")
    response = client.post(f"/orgs/coop/members/{member_id(app, 'ana@example.org')}/edit",
                           data={"role": "member", "vote_weight": "1", "college": "0"})
    assert response.status_code == 302
    ana = membership(app, "ana@example.org")
    assert ana is not None
    assert ana.role is Role.MEMBER
    assert client.get(f"/orgs/coop/members/{member_id(app, 'bo@example.org')}/edit"
                      ).status_code == 403


def test_two_admins_demoting_each_other_leave_one_admin(
        app: Flask, coop: Organisation, make_member: MakeMember) -> None:
    make_member(coop, "di@example.org", role="admin")
    with app.app_context():
        session = db.session()
        admins = list(session.scalars(select(Membership).where(Membership.role == Role.ADMIN)))
        assert len(admins) == 2
        with db.transaction() as tx:
            organisations.update_membership(tx, admins[0], role=Role.MEMBER, vote_weight=1,
                                            college_id=None, now=db.utcnow())
        with pytest.raises(organisations.OrganisationError), db.transaction() as tx:
            organisations.update_membership(tx, admins[1], role=Role.MEMBER, vote_weight=1,
                                            college_id=None, now=db.utcnow())
        roles = set(session.scalars(select(Membership.role)))
    assert Role.ADMIN in roles


def test_the_last_admin_cannot_be_removed(app: Flask, client: FlaskClient, auth: Auth,
                                          coop: Organisation) -> None:
    auth.login("ana@example.org")
    ana = member_id(app, "ana@example.org")
    response = client.post(f"/orgs/coop/members/{ana}/remove", follow_redirects=True)
    assert "An organisation must keep at least one admin" in response.get_data(as_text=True)
    assert response.request.path == f"/orgs/coop/members/{ana}/edit"
    assert membership(app, "ana@example.org") is not None


def test_an_admin_removes_a_member_from_the_organisation_and_its_circles(
        app: Flask, client: FlaskClient, auth: Auth, coop: Organisation) -> None:
    bo = member_id(app, "bo@example.org")
    with app.app_context(), db.transaction() as session:
        session.add(Circle(organisation_id=coop.id, name="Bikes",
                           members=[CircleMember(membership_id=bo)]))
    auth.login("ana@example.org")
    response = client.post(f"/orgs/coop/members/{bo}/remove", follow_redirects=True)
    assert "Bo Member is no longer a member." in response.get_data(as_text=True)
    assert membership(app, "bo@example.org") is None
    with app.app_context():
        assert db.session().scalars(select(CircleMember)).all() == []
        ended = db.session().get_one(Membership, bo)  # kept, for the history of its rounds
        assert ended.ended_at is not None


def test_an_admin_who_removes_themselves_leaves_when_another_admin_remains(
        app: Flask, client: FlaskClient, auth: Auth, coop: Organisation,
        make_member: MakeMember) -> None:
    make_member(coop, "di@example.org", role="admin")
    keep_former_members(app, coop.id)  # so that Ana may still sign in, and be refused
    auth.login("ana@example.org")
    response = client.post(f"/orgs/coop/members/{member_id(app, 'ana@example.org')}/remove")
    assert response.headers["Location"] == "/orgs/"
    assert membership(app, "ana@example.org") is None
    assert client.get("/orgs/coop/members").status_code == 403


def test_a_membership_of_another_organisation_is_not_found_through_this_one(
        app: Flask, client: FlaskClient, auth: Auth, coop: Organisation,
        make_org: MakeOrg, make_member: MakeMember) -> None:
    other = make_org("other")
    stranger = make_member(other, "zed@example.org")
    auth.login("ana@example.org")
    assert client.get(f"/orgs/coop/members/{stranger.id}/edit").status_code == 404
    assert client.post(f"/orgs/coop/members/{stranger.id}/remove").status_code == 404
    assert membership(app, "zed@example.org", "other") is not None


def test_removing_a_member_needs_a_post(app: Flask, client: FlaskClient, auth: Auth,
                                        coop: Organisation) -> None:
    auth.login("ana@example.org")
    bo = member_id(app, "bo@example.org")
    assert client.get(f"/orgs/coop/members/{bo}/remove").status_code == 405
    assert membership(app, "bo@example.org") is not None


ROUTES = [
    # (method, path, least role); {bo} is the id of Bo's membership
    ("GET", "/orgs/coop/members", Role.MEMBER),
    ("GET", "/orgs/coop/members/{bo}/edit", Role.ADMIN),
    ("POST", "/orgs/coop/members/{bo}/edit", Role.ADMIN),
    ("POST", "/orgs/coop/members/{bo}/remove", Role.ADMIN),
]


@pytest.mark.parametrize(("method", "path", "role"), ROUTES)
def test_anonymous_visitors_are_sent_to_sign_in(
        app: Flask, client: FlaskClient, coop: Organisation, method: str, path: str,
        role: Role) -> None:
    response = client.open(path.format(bo=member_id(app, "bo@example.org")), method=method)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


@pytest.mark.parametrize(("method", "path", "role"), ROUTES)
def test_members_of_another_organisation_are_refused(
        app: Flask, client: FlaskClient, auth: Auth, coop: Organisation, make_org: MakeOrg,
        method: str, path: str, role: Role) -> None:
    make_org("other", admin="zed@example.org")
    auth.login("zed@example.org")
    response = client.open(path.format(bo=member_id(app, "bo@example.org")), method=method)
    assert response.status_code == 403


@pytest.mark.parametrize(("method", "path", "role"), ROUTES)
@pytest.mark.parametrize("email", ["bo@example.org", "cy@example.org"])
def test_members_and_facilitators_read_but_do_not_change(
        app: Flask, client: FlaskClient, auth: Auth, coop: Organisation, email: str,
        method: str, path: str, role: Role) -> None:
    auth.login(email)
    response = client.open(path.format(bo=member_id(app, "bo@example.org")), method=method,
                           data={"role": "admin", "vote_weight": "9", "college": "0"})
    assert response.status_code == (200 if role is Role.MEMBER else 403)
    bo = membership(app, "bo@example.org")
    assert bo is not None
    assert (bo.role, bo.vote_weight) == (Role.MEMBER, 3)


@pytest.mark.parametrize(("method", "path", "role"), ROUTES)
def test_admins_may_use_every_page(app: Flask, client: FlaskClient, auth: Auth,
                                   coop: Organisation, method: str, path: str,
                                   role: Role) -> None:
    auth.login("ana@example.org")
    response = client.open(path.format(bo=member_id(app, "bo@example.org")), method=method,
                           data={"role": "member", "vote_weight": "4", "college": "0"})
    assert response.status_code == (302 if method == "POST" else 200)


def test_an_unknown_organisation_is_not_found(client: FlaskClient, auth: Auth,
                                              coop: Organisation) -> None:
    auth.login("ana@example.org")
    assert client.get("/orgs/no-such-coop/members").status_code == 404


def test_removing_a_member_needs_the_token_of_the_page(
        app: Flask, client: FlaskClient, auth: Auth, coop: Organisation) -> None:
    auth.login("ana@example.org")
    app.config["WTF_CSRF_ENABLED"] = True
    bo = member_id(app, "bo@example.org")
    assert client.post(f"/orgs/coop/members/{bo}/remove").status_code == 400
    assert membership(app, "bo@example.org") is not None
    page = client.get(f"/orgs/coop/members/{bo}/edit").get_data(as_text=True)
    remove_form = page[page.index(f'action="/orgs/coop/members/{bo}/remove"'):]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', remove_form)
    assert token is not None
    response = client.post(f"/orgs/coop/members/{bo}/remove",
                           data={"csrf_token": token.group(1)})
    assert response.status_code == 302
    assert membership(app, "bo@example.org") is None
