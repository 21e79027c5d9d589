"""Answering from a message: a round's notice carries a single-use link bound to its member
and round; the link's page asks for a click (a mail scanner opening it uses nothing), then
signs the member in and opens the round's form with the position chosen, not recorded. It
works once, until the deadline, for its member only, while the organisation allows links."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from decisions.web import db
from decisions.web.models import (
    Ballot,
    Membership,
    Notice,
    NoticeKind,
    Organisation,
    Proposal,
    RoundKind,
    User,
)
from decisions.web.services import notices, organisations, proposals, rounds

from .conftest import PASSWORD, Clock, keep_former_members, module_world, unit


@dataclass(frozen=True)
class Coop:
    organisation_id: int
    proposal: int
    round: int
    users: dict[str, int]  # user ids by name (address ``<name>@example.org``)

    def path(self) -> str:
        return f"/orgs/coop/proposals/{self.proposal}/rounds/{self.round}"


def _coop(app: Flask, make_org: Any, make_member: Any, clock: Clock) -> Coop:
    """An association whose consent round is open for seven days, built once."""
    organisation = make_org("coop", admin="ana@example.org", is_scic=False)
    for name in ("bo", "cy"):
        make_member(organisation, f"{name}@example.org")
    with unit(app) as session:
        author = session.scalar(select(Membership).where(
            Membership.organisation_id == organisation.id).order_by(Membership.id))
        assert author is not None
        proposal = proposals.create_proposal(
            session, session.get_one(Organisation, organisation.id), author,
            title="Buy cargo bikes", body="Two.", family="consent",
            params={"preset": "consent_async"}, now=clock())
        round_id = rounds.open_round(session, proposal, RoundKind.CONSENT, now=clock(),
                                     closes_at=clock() + timedelta(days=7)).id
        users = dict(session.execute(select(User.email, User.id)).all())
    notices.expand_due(app.extensions["decisions.db"], clock())  # the sender's first step
    return Coop(organisation.id, proposal.id, round_id,
                {email.split("@")[0]: user for email, user in users.items()})


coop = module_world(_coop, name="coop")


@pytest.fixture
def app(rolled_back_app: Flask, coop: Coop) -> Flask:
    """The application on the module's world: what a test writes is rolled back."""
    return rolled_back_app


def token_of(app: Flask, coop: Coop, name: str,
             kind: NoticeKind = NoticeKind.ROUND_OPENED) -> str:
    """The answer link of ``name``'s latest notice of ``kind`` in the round."""
    with app.app_context():
        payload = db.session().scalars(select(Notice.payload).where(
            Notice.round_id == coop.round, Notice.user_id == coop.users[name],
            Notice.kind == kind.value).order_by(Notice.id.desc())).first()
    assert payload is not None
    token: str = json.loads(payload)["link"]
    return token


def signed_in_as(client: FlaskClient) -> str | None:
    """The name on the page of the profile, or ``None`` when nobody is signed in."""
    response = client.get("/account/profile")
    if response.status_code != 200:
        return None
    page = response.get_data(as_text=True)
    return next((name for name in ("ana", "bo", "cy") if f"{name}@example.org" in page), None)


def test_the_link_opens_the_form_with_the_position_chosen_and_records_nothing(
        app: Flask, client: FlaskClient, coop: Coop) -> None:
    token = token_of(app, coop, "bo")
    page = client.get(f"/answer/{token}?position=object")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "This link signs you in as <bdi>bo</bdi>" in text
    assert "Your answer from the message: Objection." in text
    assert signed_in_as(client) is None  # opening it (a mail scanner) signs nobody in
    response = client.post(f"/answer/{token}", data={"position": "object"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"{coop.path()}?position=object#take-part-title"
    assert signed_in_as(client) == "bo"
    form = client.get(f"{coop.path()}?position=object").get_data(as_text=True)
    assert re.search(r'<input checked[^>]* type="radio" value="object">', form)
    assert "Your answer from the message is chosen below" in form
    with app.app_context():
        assert db.session().scalars(select(Ballot.id).where(
            Ballot.round_id == coop.round)).all() == []


def test_a_link_works_once(app: Flask, client: FlaskClient, coop: Coop, clock: Clock) -> None:
    token = token_of(app, coop, "bo")
    assert client.post(f"/answer/{token}").status_code == 302
    with app.app_context():
        used = db.session().scalar(select(Notice.link_used_at).where(
            Notice.round_id == coop.round, Notice.user_id == coop.users["bo"]))
    assert used == clock()
    again = app.test_client()
    assert again.get(f"/answer/{token}").status_code == 410
    assert again.post(f"/answer/{token}").status_code == 410
    assert signed_in_as(again) is None


def test_a_link_expires_at_the_deadline(app: Flask, client: FlaskClient, coop: Coop,
                                        clock: Clock) -> None:
    token = token_of(app, coop, "bo")
    clock.advance(days=7, seconds=-1)
    assert client.get(f"/answer/{token}").status_code == 200
    clock.advance(seconds=1)
    response = client.post(f"/answer/{token}")
    assert response.status_code == 410
    assert "no longer takes answers" in response.get_data(as_text=True)
    assert signed_in_as(client) is None


def test_a_link_is_bound_to_its_member(app: Flask, client: FlaskClient, coop: Coop) -> None:
    round_id, _, secret = token_of(app, coop, "bo").split(".")
    forged = f"{round_id}.{coop.users['cy']}.{secret}"  # bo's secret, cy's name
    assert client.post(f"/answer/{forged}").status_code == 404
    assert client.post(f"/answer/{round_id}.{coop.users['bo']}.guessed").status_code == 404
    assert signed_in_as(client) is None
    assert client.post("/auth/login", data={"email": "cy@example.org",
                                            "password": PASSWORD}).status_code == 302
    refused = client.post(f"/answer/{token_of(app, coop, 'bo')}")
    assert refused.status_code == 403  # cy is signed in: bo's link is not cy's
    assert "sent to another member" in refused.get_data(as_text=True)
    assert signed_in_as(client) == "cy"


def test_links_turned_off_by_the_organisation_stop_working(app: Flask, client: FlaskClient,
                                                           coop: Coop) -> None:
    token = token_of(app, coop, "bo")
    with unit(app) as session:
        org = session.get_one(Organisation, coop.organisation_id)
        organisations.update_settings(session, org, name=org.name, timezone=org.timezone,
                                      is_scic=False, answer_links=False)
    assert client.post(f"/answer/{token}").status_code == 410


def test_a_reminders_link_is_a_link_of_its_own(app: Flask, client: FlaskClient, coop: Coop,
                                               clock: Clock) -> None:
    opening = token_of(app, coop, "cy")
    clock.advance(days=6, hours=1)
    with app.app_context():
        assert notices.remind_due(app.extensions["decisions.db"], clock()) == 3
    reminder = token_of(app, coop, "cy", NoticeKind.REMINDER)
    assert reminder != opening
    assert client.post(f"/answer/{reminder}").status_code == 302
    assert app.test_client().post(f"/answer/{opening}").status_code == 302


def test_a_member_who_left_cannot_use_their_link(app: Flask, client: FlaskClient, coop: Coop,
                                                 clock: Clock) -> None:
    token = token_of(app, coop, "bo")
    keep_former_members(app, coop.organisation_id)  # his account outlives his membership
    with unit(app) as session:
        membership = session.scalars(select(Membership).where(
            Membership.user_id == coop.users["bo"])).one()
        organisations.remove_membership(session, membership, now=clock())
    assert client.post(f"/answer/{token}").status_code == 410


def test_a_secret_vote_has_no_link_and_a_token_for_it_is_refused(
        app: Flask, client: FlaskClient, coop: Coop, clock: Clock) -> None:
    with unit(app) as session:
        author = session.scalars(select(Membership).where(
            Membership.user_id == coop.users["ana"])).one()
        proposal = proposals.create_proposal(
            session, session.get_one(Organisation, coop.organisation_id), author,
            title="Elect the board", body="By secret ballot.", family="majority",
            params={"preset": "association_default"}, now=clock(), secret=True)
        secret_round = rounds.open_round(session, session.get_one(Proposal, proposal.id),
                                         RoundKind.VOTE, now=clock(),
                                         closes_at=clock() + timedelta(days=7)).id
    notices.expand_due(app.extensions["decisions.db"], clock())
    with unit(app) as session:
        payloads = session.scalars(select(Notice.payload).where(
            Notice.round_id == secret_round)).all()
    assert len(payloads) == 3
    assert all(json.loads(p) == {} for p in payloads)
    assert client.post(f"/answer/{secret_round}.{coop.users['bo']}.x").status_code == 404


def test_two_uses_at_once_let_one_through(app: Flask, coop: Coop, clock: Clock) -> None:
    token = token_of(app, coop, "bo")
    with unit(app) as session:
        notices.use_answer_link(session, token, clock())
    with unit(app) as session, pytest.raises(notices.LinkError) as refused:
        notices.use_answer_link(session, token, clock())
    assert refused.value.gone
    assert refused.value.code == "link.used"
