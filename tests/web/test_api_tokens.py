"""API tokens: made on the profile page (personal) and on an organisation's integrations
page (its admins), or with ``decisions token create``; shown once, on a page no cache keeps;
stored hashed; revoked on the same pages; refused once revoked."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from decisions.web import db
from decisions.web.cli import cli
from decisions.web.models import ApiToken, Membership, Organisation
from decisions.web.services import api_tokens

from .api_world import Api
from .conftest import Auth, module_world, unit
from .round_pages import MakeMember, MakeOrg

ADMIN, MEMBER = "ana@coop.example.org", "bo@coop.example.org"
OUTSIDER = "cy@other.example.org"


@module_world
def coop(make_org: MakeOrg, make_member: MakeMember) -> Organisation:
    organisation = make_org("coop", admin=ADMIN)
    make_member(organisation, MEMBER)
    make_org("other", admin=OUTSIDER)
    return organisation


@pytest.fixture
def app(rolled_back_app: Flask, coop: Organisation) -> Flask:
    return rolled_back_app


def shown_token(page: str) -> str:
    found = re.search(r'id="new-token" value="(dcs_[A-Za-z0-9_-]+)"', page)
    assert found is not None, "no token shown"
    return found.group(1)


def test_a_person_makes_a_token_on_their_profile_page_and_sees_it_once(
        app: Flask, client: FlaskClient, auth: Auth) -> None:
    assert auth.login(MEMBER).status_code == 302
    made = client.post("/account/tokens/new", data={"name": "My phone app",
                                                    "scopes": ["read", "vote"], "days": "30"})
    assert made.status_code == 200
    assert made.headers["Cache-Control"] == "no-store"
    text = shown_token(made.get_data(as_text=True))
    profile = client.get("/account/profile").get_data(as_text=True)
    assert text not in profile
    assert "My phone app" in profile
    assert text[:10] in profile
    api = Api(app.test_client(), text)
    assert api.get("/organisations/coop").get_json()["me"]["name"] == "bo"
    with app.app_context():
        token = db.session().scalar(select(ApiToken).where(ApiToken.name == "My phone app"))
        assert token is not None
        assert token.scopes == "read vote"
        assert (token.expires_at - token.created_at).days == 30
    revoked = client.post(f"/account/tokens/{token.id}/revoke")
    assert revoked.status_code == 302
    assert api.get("/organisations/coop").get_json()["code"] == "token.revoked"
    # Another person cannot revoke it: it does not exist for them.
    other = app.test_client()
    Auth(other).login(ADMIN)
    assert other.post(f"/account/tokens/{token.id}/revoke").status_code == 404


def test_a_token_form_is_refused_with_its_reasons(client: FlaskClient, auth: Auth) -> None:
    assert auth.login(MEMBER).status_code == 302
    page = client.post("/account/tokens/new", data={"name": "x", "days": "400"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'id="new-token"' not in text
    assert "Number must be between 1 and 366." in text
    page = client.post("/account/tokens/new", data={"name": "x", "days": "3"})
    assert "Choose at least one scope among read, vote, facilitate and administer." in (
        page.get_data(as_text=True))


def test_an_admin_makes_an_organisation_token_that_acts_in_it_only(
        app: Flask, client: FlaskClient, auth: Auth) -> None:
    assert auth.login(ADMIN).status_code == 302
    made = client.post("/orgs/coop/integrations/tokens",
                       data={"name": "Delivery platform", "scopes": ["read"], "days": "90"})
    assert made.status_code == 200
    assert made.headers["Cache-Control"] == "no-store"
    platform = Api(app.test_client(), shown_token(made.get_data(as_text=True)))
    assert platform.get("/organisations/coop").status_code == 200
    assert platform.get("/organisations/other").status_code == 403
    page = client.get("/orgs/coop/integrations/").get_data(as_text=True)
    assert "Delivery platform" in page
    with app.app_context():
        token = db.session().scalar(select(ApiToken).where(ApiToken.organisation_id.is_not(None)))
        assert token is not None
    assert client.post(f"/orgs/coop/integrations/tokens/{token.id}/revoke").status_code == 302
    assert platform.get("/organisations/coop").status_code == 401


def test_only_a_current_admin_makes_an_organisation_token(app: Flask) -> None:
    with unit(app) as session:
        organisation = session.scalar(select(Organisation).where(Organisation.slug == "coop"))
        member = session.scalar(select(Membership).where(Membership.role == "member"))
        assert organisation is not None
        assert member is not None
        with pytest.raises(api_tokens.TokenError) as refused:
            api_tokens.create_for_organisation(session, organisation, member, name="x",
                                               scopes=["read"], now=db.utcnow())
        assert refused.value.code == "token.not_admin"


@pytest.mark.parametrize(("arguments", "message"), [
    (["--email", "nobody@example.org"], "No account has the address nobody@example.org."),
    (["--email", MEMBER, "--organisation", "other"], "is not a member of 'other'"),
    (["--email", MEMBER, "--organisation", "coop"],
     "Only an admin of the organisation can make its tokens."),
    (["--email", MEMBER, "--days", "0"], "A token lasts from 1 to 366 days."),
])
def test_the_command_line_refuses_what_the_pages_refuse(
        app: Flask, arguments: list[str], message: str) -> None:
    result = app.test_cli_runner().invoke(
        cli, ["token", "create", "--name", "x", "--scope", "read", *arguments])
    assert result.exit_code != 0
    assert message in result.output
