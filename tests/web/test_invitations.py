"""Admins invite people by e-mail; the link lets the invited person join once, in time."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from decisions.web import db
from decisions.web.models import College, Invitation, Membership, Organisation, Role, User
from decisions.web.services import accounts

from .conftest import PASSWORD, Auth, Clock, module_world
from .outbox import last_link, sent

NEW_PASSWORD = "a brand new secret"  # noqa: S105 - test accounts only
INDEX = "/orgs/coop/invitations/"


@module_world
def coop(make_org: Callable[..., Organisation]) -> Organisation:
    """A SCIC with two colleges whose admin is Ana."""
    return make_org("coop", admin="ana@example.org", colleges={"Workers": 50, "Users": 50})


@pytest.fixture
def app(rolled_back_app: Flask) -> Flask:
    """The application on the module's world, built once: what a test writes is rolled
    back after it."""
    return rolled_back_app


def _college(app: Flask, name: str) -> int:
    with app.app_context():
        college_id = db.session().scalar(select(College.id).where(College.name == name))
    assert college_id is not None
    return college_id


def _invitations(app: Flask) -> list[Invitation]:
    with app.app_context():
        return list(db.session().scalars(select(Invitation).order_by(Invitation.id)))


def _pending(app: Flask) -> list[Invitation]:
    """The invitations not used yet (``make_member``'s members joined through invitations,
    used at once)."""
    return [invitation for invitation in _invitations(app) if invitation.used_at is None]


def _membership(app: Flask, email: str) -> Membership | None:
    with app.app_context():
        return db.session().scalar(
            select(Membership).join(User).where(User.email == email))


def _invite(client: FlaskClient, email: str, role: str = "member", college: str = "") -> str:
    """Ana (signed in) invites ``email``; the path of the e-mailed link is returned."""
    response = client.post(INDEX, data={"email": email, "role": role, "college": college})
    assert response.status_code == 302, response.get_data(as_text=True)
    app = client.application
    return last_link(app, "/auth/invitation/")


def _new_account(name: str = "Bo") -> dict[str, str]:
    return {"name": name, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}


def test_an_invited_person_creates_an_account_and_joins_with_the_role_and_college(
        app: Flask, client: FlaskClient, auth: Auth, coop: Organisation, clock: Clock) -> None:
    workers = _college(app, "Workers")
    auth.login("ana@example.org")
    link = _invite(client, "Bo@Example.org", role="facilitator", college=str(workers))
    [message] = sent(app)
    assert message["To"] == "bo@example.org"
    assert message["Subject"] == "Invitation to join Coop on decisions"
    assert "ana invites you to join Coop as facilitator" in message.get_content()
    auth.logout()

    page = client.get(link)
    assert page.status_code == 200
    assert "You will sign in with the address bo@example.org" in page.get_data(as_text=True)
    response = client.post(link, data=_new_account("Bo Lind"))
    assert response.status_code == 302
    assert response.headers["Location"] == "/orgs/coop/"
    assert "Bo Lind" in client.get("/orgs/coop/").get_data(as_text=True)  # signed in
    membership = _membership(app, "bo@example.org")
    assert membership is not None
    assert (membership.role, membership.college_id) == (Role.FACILITATOR, workers)
    [invitation] = _invitations(app)
    assert invitation.used_at == clock.now


def test_only_the_hash_of_the_token_is_stored(
        app: Flask, client: FlaskClient, auth: Auth, coop: Organisation) -> None:
    auth.login("ana@example.org")
    token = _invite(client, "bo@example.org").rsplit("/", 1)[1]
    [invitation] = _invitations(app)
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {invitation.token_hash, invitation.email}
    assert len(token) >= 40


def test_the_invitation_link_works_only_once(
        app: Flask, client: FlaskClient, auth: Auth, coop: Organisation) -> None:
    auth.login("ana@example.org")
    link = _invite(client, "bo@example.org")
    auth.logout()
    client.post(link, data=_new_account())
    auth.logout()
    again = client.get(link)
    assert again.status_code == 410
    assert "This invitation has already been used." in again.get_data(as_text=True)
    assert client.post(link, data=_new_account("Eve")).status_code == 410
    with app.app_context():
        assert [u.name for u in db.session().scalars(select(User).order_by(User.id))] == [
            "ana", "Bo"]


def test_an_invitation_works_until_it_expires_then_gets_a_clear_page(
        app: Flask, client: FlaskClient, auth: Auth, coop: Organisation, clock: Clock) -> None:
    auth.login("ana@example.org")
    link = _invite(client, "bo@example.org")
    auth.logout()
    clock.advance(days=app.config["INVITATION_DAYS"], seconds=-1)
    assert client.get(link).status_code == 200
    clock.advance(seconds=1)
    page = client.get(link)
    assert page.status_code == 410
    assert "This invitation has expired." in page.get_data(as_text=True)
    assert client.post(link, data=_new_account()).status_code == 410
    assert _membership(app, "bo@example.org") is None
    with app.app_context():
        assert accounts.find_by_email(db.session(), "bo@example.org") is None


@pytest.mark.parametrize("token", ["nonsense", "x" * 43, "%00"])
def test_an_unknown_token_gets_a_not_found_page(client: FlaskClient, token: str) -> None:
    page = client.get(f"/auth/invitation/{token}")
    assert page.status_code == 404
    assert "This invitation link is not valid" in page.get_data(as_text=True)


def test_a_revoked_invitation_leaves_the_list_and_its_link_no_longer_works(
        app: Flask, client: FlaskClient, auth: Auth, coop: Organisation) -> None:
    auth.login("ana@example.org")
    link = _invite(client, "bo@example.org")
    [invitation] = _invitations(app)
    response = client.post(f"{INDEX}{invitation.id}/revoke")
    assert response.status_code == 302
    page = client.get(INDEX).get_data(as_text=True)
    assert "The invitation to bo@example.org is revoked" in page
    assert "No invitation yet." in page
    assert _invitations(app) == []
    auth.logout()
    assert client.get(link).status_code == 404


def test_an_accepted_invitation_cannot_be_revoked(
        app: Flask, client: FlaskClient, auth: Auth, coop: Organisation) -> None:
    auth.login("ana@example.org")
    link = _invite(client, "bo@example.org")
    auth.logout()
    client.post(link, data=_new_account())
    auth.logout()
    auth.login("ana@example.org")
    [invitation] = _invitations(app)
    response = client.post(f"{INDEX}{invitation.id}/revoke", follow_redirects=True)
    assert "Only a pending invitation can be revoked." in response.get_data(as_text=True)
    assert len(_invitations(app)) == 1


def test_an_invitation_of_another_organisation_cannot_be_revoked(
        app: Flask, client: FlaskClient, auth: Auth, coop: Organisation,
        make_org: Callable[..., Organisation]) -> None:
    make_org("other", admin="olga@example.org")
    auth.login("olga@example.org")
    client.post("/orgs/other/invitations/", data={"email": "bo@example.org", "role": "member"})
    auth.logout()
    auth.login("ana@example.org")
    [invitation] = _invitations(app)
    assert client.post(f"{INDEX}{invitation.id}/revoke").status_code == 404
    assert len(_invitations(app)) == 1


def test_the_list_shows_pending_accepted_and_expired_invitations(
        app: Flask, client: FlaskClient, auth: Auth, coop: Organisation, clock: Clock) -> None:
    auth.login("ana@example.org")
    accepted = _invite(client, "bo@example.org")
    _invite(client, "cy@example.org")
    auth.logout()
    client.post(accepted, data=_new_account())
    auth.logout()
    clock.advance(days=app.config["INVITATION_DAYS"])
    auth.login("ana@example.org")
    _invite(client, "di@example.org", role="admin")
    page = client.get(INDEX).get_data(as_text=True)
    for email in ("bo@example.org", "cy@example.org", "di@example.org"):
        assert f"<td>{email}</td>" in page
    assert [page.count(status) for status in ("accepted", "expired", "pending")] == [1, 1, 1]
    assert page.count(">Revoke</button>") == 1
    assert "Revoke the invitation to di@example.org" in page


def test_an_existing_account_signs_in_then_accepts(
        app: Flask, client: FlaskClient, auth: Auth, coop: Organisation,
        make_user: Callable[..., User]) -> None:
    make_user("bo@example.org", name="Bo")
    auth.login("ana@example.org")
    link = _invite(client, "bo@example.org", role="admin")
    auth.logout()
    page = client.get(link)
    assert page.status_code == 200
    assert "An account with the address bo@example.org already exists." in page.get_data(
        as_text=True)
    assert client.post(link, data=_new_account()).status_code == 200
    assert _membership(app, "bo@example.org") is None  # no account made over the old one

    signed_in = client.post(f"/auth/login?next={link}",
                            data={"email": "bo@example.org", "password": PASSWORD})
    assert signed_in.headers["Location"] == link
    assert "Join Coop" in client.get(link).get_data(as_text=True)
    joined = client.post(link)
    assert joined.headers["Location"] == "/orgs/coop/"
    membership = _membership(app, "bo@example.org")
    assert membership is not None
    assert membership.role is Role.ADMIN
    assert client.get(INDEX).status_code == 200  # Bo is an admin now


def test_another_signed_in_account_cannot_accept_the_invitation(
        app: Flask, client: FlaskClient, auth: Auth, coop: Organisation,
        make_user: Callable[..., User]) -> None:
    make_user("eve@example.org")
    auth.login("ana@example.org")
    link = _invite(client, "bo@example.org")
    auth.logout()
    auth.login("eve@example.org")
    page = client.get(link)
    assert page.status_code == 403
    assert "This invitation is for bo@example.org, but you are signed in as eve@example.org" in (
        page.get_data(as_text=True))
    assert client.post(link).status_code == 403
    assert _membership(app, "eve@example.org") is None
    assert _invitations(app)[0].used_at is None


def test_inviting_a_current_member_is_refused_with_a_message(
        app: Flask, client: FlaskClient, auth: Auth, coop: Organisation,
        make_member: Callable[..., Membership]) -> None:
    make_member(coop, "bo@example.org")
    auth.login("ana@example.org")
    response = client.post(INDEX, data={"email": "BO@example.org", "role": "admin"})
    assert response.status_code == 200
    assert "bo@example.org is already a member of this organisation." in response.get_data(
        as_text=True)
    assert _pending(app) == []
    assert sent(app) == []


def test_a_second_invitation_to_a_pending_address_is_refused(
        app: Flask, client: FlaskClient, auth: Auth, coop: Organisation) -> None:
    auth.login("ana@example.org")
    _invite(client, "bo@example.org")
    response = client.post(INDEX, data={"email": "bo@example.org", "role": "member"})
    assert "An invitation to this address is still pending." in response.get_data(as_text=True)
    assert len(_invitations(app)) == 1
    assert len(sent(app)) == 1


@pytest.mark.parametrize(("data", "message"), [
    ({"email": "not an address", "role": "member"}, "Invalid email address."),
    ({"email": "", "role": "member"}, "This field is required."),
    ({"email": "bo@example.org", "role": "owner"}, "Not a valid choice."),
    ({"email": "bo@example.org", "role": "member", "college": "999999"},
     "Not a valid choice."),
])
def test_bad_invitation_input_is_refused_next_to_the_field_and_nothing_is_sent(
        app: Flask, client: FlaskClient, auth: Auth, coop: Organisation,
        data: dict[str, str], message: str) -> None:
    auth.login("ana@example.org")
    response = client.post(INDEX, data=data)
    assert response.status_code == 200
    assert f"<li>{message}</li>" in response.get_data(as_text=True)
    assert _invitations(app) == []
    assert sent(app) == []


def test_a_college_of_another_organisation_is_refused(
        app: Flask, client: FlaskClient, auth: Auth, coop: Organisation,
        make_org: Callable[..., Organisation]) -> None:
    make_org("other", admin="ana@example.org", colleges={"Elsewhere": None})
    auth.login("ana@example.org")
    response = client.post(INDEX, data={"email": "bo@example.org", "role": "member",
                                        "college": str(_college(app, "Elsewhere"))})
    assert response.status_code == 200
    assert "Not a valid choice." in response.get_data(as_text=True)
    assert _invitations(app) == []


@pytest.mark.parametrize(("data", "message"), [
    ({"name": "Bo", "password": "short", "confirm": "short"},
     "Choose a password of at least 10 characters."),
    ({"name": "Bo", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "!"},
     "The two passwords differ."),
    ({"name": "", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
     "This field is required."),
])
def test_a_bad_new_account_is_refused_and_the_invitation_stays_pending(
        app: Flask, client: FlaskClient, auth: Auth, coop: Organisation,
        data: dict[str, str], message: str) -> None:
    auth.login("ana@example.org")
    link = _invite(client, "bo@example.org")
    auth.logout()
    response = client.post(link, data=data)
    assert response.status_code == 200
    assert f"<li>{message}</li>" in response.get_data(as_text=True)
    with app.app_context():
        assert accounts.find_by_email(db.session(), "bo@example.org") is None
    assert _invitations(app)[0].used_at is None
    assert client.post(link, data=_new_account()).status_code == 302  # still usable


def test_the_invitation_e_mail_speaks_the_language_of_the_invited_account(
        app: Flask, client: FlaskClient, auth: Auth, coop: Organisation,
        make_user: Callable[..., User]) -> None:
    make_user("bo@example.org", language="fr")
    auth.login("ana@example.org")
    _invite(client, "bo@example.org")
    [message] = sent(app)
    assert message["Subject"] == "Invitation à rejoindre Coop sur decisions"
    assert "comme animateur·rice" not in message.get_content()
    assert "comme membre" in message.get_content()


@pytest.mark.parametrize(("method", "path"), [
    ("get", INDEX),
    ("post", INDEX),
    ("post", f"{INDEX}1/revoke"),
])
def test_anonymous_visitors_are_sent_to_sign_in(
        client: FlaskClient, coop: Organisation, method: str, path: str) -> None:
    response = getattr(client, method)(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


@pytest.mark.parametrize(("role", "status"), [
    (None, 403), ("member", 403), ("facilitator", 403), ("admin", 200),
])
def test_only_admins_of_the_organisation_manage_its_invitations(
        app: Flask, client: FlaskClient, auth: Auth, coop: Organisation,
        make_user: Callable[..., User], make_member: Callable[..., Membership],
        role: str | None, status: int) -> None:
    if role is None:
        make_user("bo@example.org")
    else:
        make_member(coop, "bo@example.org", role)
    auth.login("bo@example.org")
    assert client.get(INDEX).status_code == status
    created = client.post(INDEX, data={"email": "cy@example.org", "role": "admin"})
    assert created.status_code == (302 if status == 200 else 403)
    assert len(_pending(app)) == (1 if status == 200 else 0)


@pytest.mark.parametrize("role", ["member", "facilitator"])
def test_members_and_facilitators_cannot_revoke_an_invitation(
        app: Flask, client: FlaskClient, auth: Auth, coop: Organisation,
        make_member: Callable[..., Membership], role: str) -> None:
    auth.login("ana@example.org")
    _invite(client, "cy@example.org")
    auth.logout()
    make_member(coop, "bo@example.org", role)
    auth.login("bo@example.org")
    [invitation] = _pending(app)
    assert client.post(f"{INDEX}{invitation.id}/revoke").status_code == 403
    assert len(_pending(app)) == 1


def test_the_menu_shows_invitations_to_admins_only(
        client: FlaskClient, auth: Auth, coop: Organisation,
        make_member: Callable[..., Membership]) -> None:
    make_member(coop, "bo@example.org", "facilitator")
    auth.login("ana@example.org")
    assert f'href="{INDEX}"' in client.get("/orgs/coop/").get_data(as_text=True)
    auth.logout()
    auth.login("bo@example.org")
    assert f'href="{INDEX}"' not in client.get("/orgs/coop/").get_data(as_text=True)
