"""Names and titles are one line of visible text: control characters and bidirectional
overrides are refused next to the field, a name stored with a line break cannot make an
e-mail fail, and names in running text are isolated with ``<bdi>`` (issue 9)."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_wtf import FlaskForm
from sqlalchemy import update

from decisions.web import db
from decisions.web.account.forms import ProfileForm
from decisions.web.auth.forms import InvitationAccountForm
from decisions.web.forms import one_line
from decisions.web.models import Organisation
from decisions.web.orgs.forms import CircleForm, CollegeForm, OrganisationForm, SettingsForm
from decisions.web.proposals.forms import AmendForm, ProposalForm

from .conftest import Auth
from .outbox import sent

HOSTILE = ["Coop\r\nBcc: all@example.org", "Tab\there", "Bell\x07", "C1\x85next",
           "Reversed \u202eevil", "Isolated \u2066x\u2069", "Embedded \u202ax\u202c"]
FINE = ["Coopérative du Bocage", "شركة تعاونية", "Ana & Bo <b>", "Zero\u200bwidth"]

NAMED_FIELDS: list[tuple[type[FlaskForm], str]] = [
    (OrganisationForm, "name"), (SettingsForm, "name"), (CollegeForm, "name"),
    (CircleForm, "name"), (ProfileForm, "name"), (InvitationAccountForm, "name"),
    (ProposalForm, "title"), (AmendForm, "title")]


@pytest.mark.parametrize(("form", "field"), NAMED_FIELDS)
def test_every_name_and_title_field_is_checked(form: type[FlaskForm], field: str) -> None:
    assert one_line in getattr(form, field).kwargs["validators"]


@pytest.mark.parametrize("value", HOSTILE)
def test_control_and_override_characters_are_refused_next_to_the_field(
        app: Flask, client: FlaskClient, auth: Auth, make_org: object, value: str) -> None:
    make_org("coop", admin="admin@example.org")  # type: ignore[operator]
    auth.login("admin@example.org")
    page = client.post("/orgs/coop/circles/new", data={"name": value, "parent": "0"})
    assert page.status_code == 200
    errors = page.get_data(as_text=True).split('id="name-errors"')[1].split("</ul>")[0]
    assert "Remove the" in errors


@pytest.mark.parametrize("value", FINE)
def test_names_in_any_script_are_accepted(app: Flask, client: FlaskClient, auth: Auth,
                                          make_org: object, value: str) -> None:
    make_org("coop", admin="admin@example.org")  # type: ignore[operator]
    auth.login("admin@example.org")
    assert client.post("/orgs/coop/circles/new",
                       data={"name": value, "parent": "0"}).status_code == 302


def test_an_organisation_name_with_a_line_break_does_not_break_invitations(
        app: Flask, client: FlaskClient, auth: Auth, make_org: object) -> None:
    organisation: Organisation = make_org("coop", admin="admin@example.org")  # type: ignore[operator]
    with app.app_context(), db.transaction() as session:
        session.execute(update(Organisation).where(Organisation.id == organisation.id)
                        .values(name="Coop\r\nBcc: all@example.org"))
    auth.login("admin@example.org")
    response = client.post("/orgs/coop/invitations/",
                           data={"email": "new@example.org", "role": "member"})
    assert response.status_code == 302
    subject = sent(app)[-1]["Subject"]
    assert "\n" not in subject
    assert "\r" not in subject
    assert "Coop Bcc: all@example.org" in subject
    assert sent(app)[-1]["Bcc"] is None


def test_names_in_the_top_bar_and_member_list_are_isolated(
        app: Flask, client: FlaskClient, auth: Auth, make_org: object) -> None:
    make_org("coop", admin="admin@example.org")  # type: ignore[operator]
    auth.login("admin@example.org")
    page = client.get("/orgs/coop/members").get_data(as_text=True)
    assert "<bdi>Coop</bdi>" in page
    assert page.count("<bdi>admin</bdi>") >= 2  # the top bar and the list
