"""The logs hold no secret: a whole life in the application (an invitation accepted, a
sign-in, a password reset, a round taken in the open and one in secret, both closed by the
scheduler, every e-mail sent, the personal data job) with the application's loggers at DEBUG
and SQLAlchemy's at INFO, and not one line holds a position of a secret round, a password, a
link's token, an e-mail's text, a member's name or address."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import select

from decisions.web import db, scheduler
from decisions.web.models import Membership, Organisation, Proposal, RoundKind, User
from decisions.web.services import proposals

from .conftest import Auth, Clock, unit
from .outbox import sent
from .round_steps import open_round, proposal_of

FIRST_PASSWORD = "Sésame ouvre-toi 4417"  # noqa: S105 - a test's, to be looked for
SECOND_PASSWORD = "Une autre phrase 8812"  # noqa: S105
NAME, EMAIL = "Apolline Vaudrémont", "apolline.vaudremont@example.org"
POSITIONS = re.compile(r"\b(yes|no|abstain|blank)\b")


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """The application's loggers at DEBUG, and the statements SQLAlchemy logs at INFO (as
    an operator who turned them on would see them)."""
    caplog.set_level(logging.DEBUG, logger="decisions")
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    return caplog


def said(logs: pytest.LogCaptureFixture, since: int = 0) -> str:
    """Everything logged (from record ``since`` on): messages and tracebacks."""
    handler = logs.handler
    return "\n".join(handler.format(record) for record in logs.records[since:])


def test_no_log_line_holds_a_secret_position_a_password_a_token_or_an_e_mail(
        app: Flask, clock: Clock, logs: pytest.LogCaptureFixture,
        make_org: Callable[..., Organisation]) -> None:
    organisation = make_org("coop", admin="ana@example.org")
    admin = app.test_client()
    assert Auth(admin).login("ana@example.org").status_code == 302

    # An invitation, accepted with a new account and its password.
    invited = admin.post("/orgs/coop/invitations/", data={"email": EMAIL, "role": "member"})
    assert invited.status_code == 302
    mails = sent(app)
    invitation_token = re.search(r"/auth/invitation/([\w-]+)", mails[-1].get_content())
    assert invitation_token is not None
    person = app.test_client()
    joined = person.post(f"/auth/invitation/{invitation_token.group(1)}", data={
        "name": NAME, "password": FIRST_PASSWORD, "confirm": FIRST_PASSWORD})
    assert joined.status_code == 302
    assert Auth(person).logout().status_code == 302

    # Signing in, wrong then right; a password reset.
    assert Auth(person).login(EMAIL, "a wrong password!").status_code == 200
    assert Auth(person).login(EMAIL, FIRST_PASSWORD).status_code == 302
    Auth(person).logout()
    person.post("/auth/reset", data={"email": EMAIL})
    reset_token = re.search(r"/auth/reset/([\w.-]+)", sent(app)[-1].get_content())
    assert reset_token is not None
    reset = person.post(f"/auth/reset/{reset_token.group(1)}",
                        data={"password": SECOND_PASSWORD, "confirm": SECOND_PASSWORD})
    assert reset.status_code == 302
    assert Auth(person).login(EMAIL, SECOND_PASSWORD).status_code == 302
    calendar = person.post("/account/calendar/new").get_data(as_text=True)
    calendar_token = re.search(r"/calendar/([\w-]+)\.ics", calendar)
    assert calendar_token is not None

    # A round in the open (a reason given) and a secret vote, through the pages.
    with app.app_context():
        admin_id = db.session().scalar(select(Membership.id).join(User).where(
            User.email == "ana@example.org"))
    assert admin_id is not None
    consent = proposal_of(app, organisation, admin_id, "consent",
                          {"preset": "consent_async"}, clock)
    open_id = open_round(app, consent, RoundKind.CONSENT, clock)
    with unit(app) as session:
        secret = proposals.create_proposal(
            session, session.get_one(Organisation, organisation.id),
            session.get_one(Membership, admin_id), title="Elect the board", body="Secret.",
            family="majority", params={"preset": "association_default"}, now=clock(),
            secret=True).id
    secret_id = open_round(app, secret, RoundKind.VOTE, clock)
    answered = person.post(f"/orgs/coop/proposals/{consent}/rounds/{open_id}/vote",
                           data={"position": "object", "reason": "Too dear for us"})
    assert answered.status_code == 302
    for voter, position in ((person, "yes"), (admin, "no")):
        before = len(logs.records)
        voted = voter.post(f"/orgs/coop/proposals/{secret}/rounds/{secret_id}/vote",
                           data={"position": position})
        assert voted.status_code == 302
        during = said(logs, before)
        assert "INSERT INTO participation" in during  # SQLAlchemy's lines were captured
        # (SQLAlchemy's notes in brackets say "[no key ...]" of its statement cache)
        assert not POSITIONS.search(re.sub(r"\[[^\]]*\]", "", during)), during
    mails = sent(app)
    clock.advance(days=7)
    closed = scheduler.close_due_rounds(app)
    assert set(closed) == {open_id, secret_id}
    mails = sent(app)
    assert scheduler.keep_personal_data(app) is not None
    with app.app_context():
        assert db.session().get_one(Proposal, secret).outcome is not None

    logged = said(logs)
    assert "closed" in logged  # the scheduler's lines were captured
    answer_tokens = {found for mail in mails
                     for found in re.findall(r"/answer/([\w.-]+)", mail.get_content())}
    secrets = {FIRST_PASSWORD, SECOND_PASSWORD, invitation_token.group(1),
               reset_token.group(1), calendar_token.group(1), *answer_tokens, NAME, EMAIL,
               "Too dear for us"}
    assert answer_tokens, "the round's opening mails carry answer links"
    assert not [secret for secret in secrets if secret in logged]
    lines = {line.strip() for mail in mails for line in mail.get_content().splitlines()
             if len(line.strip()) >= 30}
    assert lines, "the e-mails were read"
    assert not [line for line in lines if line in logged]
