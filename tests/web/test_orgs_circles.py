"""Circles: members see them as a nested tree and each circle's members; admins create,
change and delete them, choose their members, and can never nest a circle inside itself."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from decisions.web import db
from decisions.web.models import Circle, CircleMember, Membership, Organisation, Role, User

from .conftest import Auth, module_world

MakeOrg = Callable[..., Organisation]
MakeMember = Callable[..., Membership]


@module_world
def coop(make_org: MakeOrg, make_member: MakeMember,
         make_user: Callable[..., User]) -> Organisation:
    """A network: steering committee > delivery > bikes, and a top-level finance circle.
    Ana is admin (in the steering committee), Bo a member (in delivery)."""
    make_user("ana@example.org", name="Ana Admin")
    make_user("bo@example.org", name="Bo Member")
    organisation = make_org("coop", admin="ana@example.org")
    bo = make_member(organisation, "bo@example.org")
    with db.transaction() as session:
        ana = session.scalar(select(Membership).where(Membership.id != bo.id))
        assert ana is not None
        steering = Circle(organisation_id=organisation.id, name="Steering committee of Coop",
                          is_steering=True, description="Runs the network.\nMeets monthly.",
                          members=[CircleMember(membership_id=ana.id)])
        delivery = Circle(organisation_id=organisation.id, name="Delivery", parent=steering,
                          members=[CircleMember(membership_id=bo.id)])
        bikes = Circle(organisation_id=organisation.id, name="Bikes", parent=delivery)
        finance = Circle(organisation_id=organisation.id, name="Finance")
        session.add_all([steering, delivery, bikes, finance])
    return organisation


@pytest.fixture
def app(rolled_back_app: Flask) -> Flask:
    """The application on the module's world, built once: what a test writes is rolled
    back after it."""
    return rolled_back_app


@pytest.fixture(autouse=True)
def _context(app: Flask) -> object:
    """Tests read the database between requests."""
    with app.app_context():
        yield


def circle(name: str, slug: str = "coop") -> Circle:
    """The circle as stored now, with its parent and members loaded."""
    session = db.session()
    session.expire_all()
    found = session.scalar(select(Circle).join(Organisation)
                           .where(Circle.name == name, Organisation.slug == slug))
    assert found is not None, name
    return found


def circle_names() -> list[str]:
    db.session().expire_all()
    return sorted(db.session().scalars(select(Circle.name)))


def member_names(found: Circle) -> list[str]:
    return sorted(link.membership.user.name for link in found.members)


def membership_id(email: str) -> int:
    found = db.session().scalar(select(Membership.id).join(User).where(User.email == email))
    assert found is not None
    return found


def form(name: str, parent: Circle | None = None, *, steering: bool = False,
         members: tuple[str, ...] = (), description: str = "") -> dict[str, object]:
    data: dict[str, object] = {"name": name, "description": description,
                               "parent": str(parent.id if parent else 0),
                               "members": [str(membership_id(e)) for e in members]}
    if steering:
        data["is_steering"] = "y"
    return data


class _Tree(HTMLParser):
    """The links of the tree of circles with their depth of nesting."""

    def __init__(self) -> None:
        super().__init__()
        self.depth, self.inside, self.links = 0, False, list[tuple[int, str]]()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "ul" and (self.depth or ("class", "tree") in attrs):
            self.depth += 1
        self.inside = tag == "a" and self.depth > 0

    def handle_endtag(self, tag: str) -> None:
        if tag == "ul" and self.depth:
            self.depth -= 1
        self.inside = False

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.links.append((self.depth, data))


def tree_of(page: str) -> list[tuple[int, str]]:
    parser = _Tree()
    parser.feed(page)
    return parser.links


def test_members_see_the_circles_as_a_nested_tree_with_the_steering_committee_marked(
        client: FlaskClient, auth: Auth, coop: Organisation) -> None:
    auth.login("bo@example.org")
    page = client.get("/orgs/coop/circles").get_data(as_text=True)
    assert tree_of(page) == [(1, "Finance"), (1, "Steering committee of Coop"),
                             (2, "Delivery"), (3, "Bikes")]
    tree = page[page.index('<ul class="tree">'):]
    assert tree.count('class="badge"') == 1
    assert '</a>\n          <span class="badge">Steering committee</span>' in tree[
        tree.index("Steering committee of Coop"):]
    assert "Create a circle" not in page


def test_a_circle_page_shows_its_purpose_place_sub_circles_and_members(
        client: FlaskClient, auth: Auth, coop: Organisation) -> None:
    auth.login("bo@example.org")
    page = client.get(f"/orgs/coop/circles/{circle('Delivery').id}").get_data(as_text=True)
    assert "Inside the circle" in page
    assert f'href="/orgs/coop/circles/{circle("Steering committee of Coop").id}"' in page
    assert f'href="/orgs/coop/circles/{circle("Bikes").id}"' in page
    assert "Bo Member" in page
    assert "Ana Admin" not in page.split("<main")[1]
    assert "Edit this circle" not in page
    steering = client.get(f"/orgs/coop/circles/{circle('Steering committee of Coop').id}")
    assert "Runs the network.\nMeets monthly." in steering.get_data(as_text=True)


def test_an_admin_creates_a_circle_inside_another_with_its_members(
        client: FlaskClient, auth: Auth, coop: Organisation) -> None:
    auth.login("ana@example.org")
    response = client.post("/orgs/coop/circles/new", data=form(
        "Cargo bikes", circle("Delivery"), members=("ana@example.org", "bo@example.org"),
        description="  Heavy loads. "))
    created = circle("Cargo bikes")
    assert response.headers["Location"] == f"/orgs/coop/circles/{created.id}"
    assert created.parent is not None
    assert created.parent.name == "Delivery"
    assert created.description == "Heavy loads."
    assert not created.is_steering
    assert member_names(created) == ["Ana Admin", "Bo Member"]


def test_an_admin_edits_a_circle_and_its_members(client: FlaskClient, auth: Auth,
                                                 coop: Organisation) -> None:
    auth.login("ana@example.org")
    delivery = circle("Delivery")
    edit_page = client.get(f"/orgs/coop/circles/{delivery.id}/edit").get_data(as_text=True)
    boxes = {m.group(2): bool(m.group(1)) for m in re.finditer(
        r'<input (checked )?id="members-\d+" name="members" type="checkbox" value="(\d+)"',
        edit_page)}
    assert boxes == {str(membership_id("bo@example.org")): True,
                     str(membership_id("ana@example.org")): False}
    response = client.post(f"/orgs/coop/circles/{delivery.id}/edit", data=form(
        "Deliveries", members=("ana@example.org",)))
    assert response.status_code == 302
    changed = circle("Deliveries")
    assert changed.parent is None
    assert member_names(changed) == ["Ana Admin"]
    assert circle("Bikes").parent_id == changed.id


def test_the_edit_form_offers_no_parent_that_would_make_a_cycle(
        client: FlaskClient, auth: Auth, coop: Organisation) -> None:
    auth.login("ana@example.org")
    page = client.get(f"/orgs/coop/circles/{circle('Delivery').id}/edit").get_data(as_text=True)
    parents = page[page.index('<select id="parent"'):page.index("</select>")]
    assert "Steering committee of Coop" in parents
    assert "Finance" in parents
    assert "Bikes" not in parents
    assert ">Delivery<" not in parents


@pytest.mark.parametrize("parent", ["Delivery", "Bikes"])
def test_a_circle_cannot_be_placed_inside_itself_or_its_sub_circles(
        client: FlaskClient, auth: Auth, coop: Organisation, parent: str) -> None:
    auth.login("ana@example.org")
    delivery = circle("Delivery")
    response = client.post(f"/orgs/coop/circles/{delivery.id}/edit",
                           data=form("Delivery", circle(parent), members=("bo@example.org",)))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert ("A circle cannot be placed inside itself or inside one of its own sub-circles."
            in page)
    assert 'id="parent-errors"' in page
    assert circle("Delivery").parent_id == circle("Steering committee of Coop").id


def test_a_parent_circle_of_another_organisation_is_refused(
        client: FlaskClient, auth: Auth, coop: Organisation, make_org: MakeOrg) -> None:
    other = make_org("other")
    with db.transaction() as session:
        session.add(Circle(organisation_id=other.id, name="Elsewhere"))
    auth.login("ana@example.org")
    response = client.post("/orgs/coop/circles/new",
                           data=form("Stray", circle("Elsewhere", "other")))
    assert "Choose a circle of this organisation." in response.get_data(as_text=True)
    assert "Stray" not in circle_names()


def test_only_one_circle_is_the_steering_committee(
        client: FlaskClient, auth: Auth, coop: Organisation) -> None:
    auth.login("ana@example.org")
    response = client.post(f"/orgs/coop/circles/{circle('Finance').id}/edit",
                           data=form("Finance", steering=True))
    assert ("Steering committee of Coop is already the steering committee: there is only one."
            in response.get_data(as_text=True))
    assert not circle("Finance").is_steering
    response = client.post(
        f"/orgs/coop/circles/{circle('Steering committee of Coop').id}/edit",
        data=form("Steering committee of Coop", steering=True, members=("ana@example.org",)))
    assert response.status_code == 302
    assert circle("Steering committee of Coop").is_steering


def test_members_of_another_organisation_cannot_be_chosen(
        client: FlaskClient, auth: Auth, coop: Organisation, make_org: MakeOrg,
        make_member: MakeMember) -> None:
    other = make_org("other")
    make_member(other, "zed@example.org")
    auth.login("ana@example.org")
    response = client.post("/orgs/coop/circles/new",
                           data=form("Mixed", members=("bo@example.org", "zed@example.org")))
    assert "is not a valid choice" in response.get_data(as_text=True)
    assert "Mixed" not in circle_names()


@pytest.mark.parametrize(("name", "message"), [
    ("finance", "There is already a circle of this name."),
    ("", "This field is required."),
])
def test_a_circle_name_must_be_given_and_new_and_nothing_is_written(
        client: FlaskClient, auth: Auth, coop: Organisation, name: str, message: str) -> None:
    auth.login("ana@example.org")
    response = client.post("/orgs/coop/circles/new", data=form(name))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert circle_names() == ["Bikes", "Delivery", "Finance", "Steering committee of Coop"]


def test_deleting_a_circle_moves_its_sub_circles_up_and_keeps_its_members(
        client: FlaskClient, auth: Auth, coop: Organisation) -> None:
    auth.login("ana@example.org")
    response = client.post(f"/orgs/coop/circles/{circle('Delivery').id}/delete",
                           follow_redirects=True)
    assert "Circle Delivery deleted." in response.get_data(as_text=True)
    assert circle_names() == ["Bikes", "Finance", "Steering committee of Coop"]
    assert circle("Bikes").parent_id == circle("Steering committee of Coop").id
    assert db.session().scalar(select(Membership).join(User)
                               .where(User.email == "bo@example.org")) is not None
    assert len(db.session().scalars(select(CircleMember)).all()) == 1


def test_a_circle_of_another_organisation_is_not_found_through_this_one(
        client: FlaskClient, auth: Auth, coop: Organisation, make_org: MakeOrg) -> None:
    other = make_org("other")
    with db.transaction() as session:
        session.add(Circle(organisation_id=other.id, name="Elsewhere"))
    elsewhere = circle("Elsewhere", "other").id
    auth.login("ana@example.org")
    assert client.get(f"/orgs/coop/circles/{elsewhere}").status_code == 404
    assert client.get(f"/orgs/coop/circles/{elsewhere}/edit").status_code == 404
    assert client.post(f"/orgs/coop/circles/{elsewhere}/delete").status_code == 404
    assert "Elsewhere" in circle_names()


ROUTES = [
    # (method, path, least role); {id} is the id of the circle "Delivery"
    ("GET", "/orgs/coop/circles", Role.MEMBER),
    ("GET", "/orgs/coop/circles/{id}", Role.MEMBER),
    ("GET", "/orgs/coop/circles/new", Role.ADMIN),
    ("POST", "/orgs/coop/circles/new", Role.ADMIN),
    ("GET", "/orgs/coop/circles/{id}/edit", Role.ADMIN),
    ("POST", "/orgs/coop/circles/{id}/edit", Role.ADMIN),
    ("POST", "/orgs/coop/circles/{id}/delete", Role.ADMIN),
]
UNCHANGED = ["Bikes", "Delivery", "Finance", "Steering committee of Coop"]


def _open(client: FlaskClient, method: str, path: str) -> int:
    data = {"name": "Renamed", "parent": "0"}
    return client.open(path.format(id=circle("Delivery").id), method=method,
                       data=data).status_code


@pytest.mark.parametrize(("method", "path", "role"), ROUTES)
def test_anonymous_visitors_are_sent_to_sign_in(
        client: FlaskClient, coop: Organisation, method: str, path: str, role: Role) -> None:
    response = client.open(path.format(id=circle("Delivery").id), method=method)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


@pytest.mark.parametrize(("method", "path", "role"), ROUTES)
def test_members_of_another_organisation_are_refused(
        client: FlaskClient, auth: Auth, coop: Organisation, make_org: MakeOrg, method: str,
        path: str, role: Role) -> None:
    make_org("other", admin="zed@example.org")
    auth.login("zed@example.org")
    assert _open(client, method, path) == 403
    assert circle_names() == UNCHANGED


@pytest.mark.parametrize(("method", "path", "role"), ROUTES)
def test_members_read_but_do_not_change(
        client: FlaskClient, auth: Auth, coop: Organisation, method: str, path: str,
        role: Role) -> None:
    auth.login("bo@example.org")
    assert _open(client, method, path) == (200 if role is Role.MEMBER else 403)
    assert circle_names() == UNCHANGED


@pytest.mark.parametrize(("method", "path", "role"), ROUTES)
def test_admins_may_use_every_page(
        client: FlaskClient, auth: Auth, coop: Organisation, method: str, path: str,
        role: Role) -> None:
    auth.login("ana@example.org")
    assert _open(client, method, path) == (302 if method == "POST" else 200)
