"""Issue 12, done when: one consent round followed from its opening to its outcome, reading
every message a real SMTP server on 127.0.0.1 received: in French for the members who read
French (one by her own choice, one by the organisation's language), in English for the one
who reads English; the reminder only to the member who had not answered; an answer given
from the message's single-use link; an objection told to the facilitator who proposed;
and the outcome told to everyone.

The events write the notices (``services.notices``), the sender mails them
(``notice_mail.send_due``): nothing here writes a notice or a message itself."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import select

from decisions.web import db, notice_mail, scheduler
from decisions.web.models import Ballot, Membership, Organisation, Proposal, RoundKind, User
from decisions.web.services import proposals, rounds

from .conftest import Clock, unit
from .round_pages import Browsers
from .smtp import SmtpServer, smtp_server, smtp_settings

BASE = "https://decisions.example.coop"


@pytest.fixture
def server(app: Flask) -> Iterator[SmtpServer]:
    """A real SMTP server, and the application set to send its mail there."""
    with smtp_server() as running:
        app.config.update(smtp_settings(running.port))
        yield running


def text_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def html_of(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert part is not None
    return str(part.get_content())


@dataclass
class Mailbox:
    """What the SMTP server received, read as it arrives."""

    app: Flask
    server: SmtpServer
    seen: int = 0

    def new(self) -> list[EmailMessage]:
        """Send what is due; what the server received since the last look, by recipient."""
        report = notice_mail.send_due(self.app)
        assert (report.retried, report.failed) == (0, 0)
        with self.server.lock:
            received = self.server.received[self.seen:]
            self.seen = len(self.server.received)
        return sorted(received, key=lambda message: str(message["To"]))


def answer_link(message: EmailMessage, position: str) -> str:
    """The path of the message's button that answers ``position``."""
    found = re.search(rf"{re.escape(BASE)}(/answer/[A-Za-z0-9._-]+\?position={position})",
                      text_of(message))
    assert found is not None, text_of(message)
    return found.group(1)


def test_a_consent_round_from_opening_to_outcome_as_the_members_mailboxes_see_it(
        app: Flask, server: SmtpServer, clock: Clock, make_user: Callable[..., User],
        make_org: Callable[..., Organisation],
        make_member: Callable[..., Membership]) -> None:
    # Ana proposes (an admin: she hears of objections); Bo reads English, Cy French, Ana
    # chose no language: the organisation's, French.
    make_user("bo@example.org", name="Bo", language="en")
    make_user("cy@example.org", name="Cy", language="fr")
    coop = make_org("coop", admin="ana@example.org")
    for email in ("bo@example.org", "cy@example.org"):
        make_member(coop, email)
    mailbox = Mailbox(app, server)
    mailbox.new()  # what joining sent, if anything: not the story's
    before = mailbox.seen
    with unit(app) as session:
        ana = session.scalars(select(Membership).join(User).where(
            User.email == "ana@example.org")).one()
        proposal = proposals.create_proposal(
            session, session.get_one(Organisation, coop.id), ana, title="Buy cargo bikes",
            body="We buy **two** cargo bikes.", family="consent",
            params={"preset": "consent_async"}, now=clock())
        round_id = rounds.open_round(session, session.get_one(Proposal, proposal.id),
                                     RoundKind.CONSENT, now=clock(),
                                     closes_at=clock() + timedelta(days=7)).id
        proposal_id = proposal.id
    page = f"/orgs/coop/proposals/{proposal_id}/rounds/{round_id}"

    # The opening: every elector, each in their language, with a button per position.
    opened = mailbox.new()
    assert [(str(m["To"]), str(m["Content-Language"])) for m in opened] == [
        ("ana@example.org", "fr"), ("bo@example.org", "en"), ("cy@example.org", "fr")]
    assert str(opened[1]["Subject"]) == "[Coop] Your answer is awaited: Buy cargo bikes"
    assert str(opened[2]["Subject"]) == "[Coop] Votre réponse est attendue : Buy cargo bikes"
    assert "Consent" in text_of(opened[1])
    assert "Consentement" in text_of(opened[2]) or "Je consens" in text_of(opened[2])
    assert len({answer_link(m, "consent") for m in opened}) == 3  # one link each
    assert all("/answer/" in html_of(m) for m in opened)
    browsers = Browsers(app, "coop")
    results = browsers.page("bo@example.org", proposal_id, round_id, "/results")
    assert "3 of 3 electors were told of this round by e-mail" in results

    # Bo answers from his e-mail: the link signs him in, the form shows his answer chosen,
    # he records it.
    bo = app.test_client()
    link = answer_link(opened[1], "consent")
    assert bo.get(link).status_code == 200
    landed = bo.post(urlsplit(link).path, data={"position": "consent"})
    assert landed.status_code == 302
    assert landed.headers["Location"].startswith(f"{page}?position=consent")
    assert bo.post(f"{page}/vote", data={"position": "consent"}).status_code == 302
    assert bo.post(urlsplit(link).path, data={"position": "consent"}).status_code == 410
    assert browsers.vote("ana@example.org", proposal_id, round_id, "consent").status_code == 302
    assert mailbox.new() == []  # consents tell nobody

    # A day before the deadline, the scheduler's tick reminds the one who has not answered.
    clock.advance(days=6, hours=1)
    scheduler.close_due_rounds(app)
    scheduler.close_due_rounds(app)  # its next tick: nobody twice
    [reminder] = mailbox.new()
    assert (str(reminder["To"]), str(reminder["Content-Language"])) == ("cy@example.org", "fr")
    assert "Buy cargo bikes" in str(reminder["Subject"])
    assert str(reminder["Subject"]).startswith("[Coop] Rappel")

    # Cy objects from the reminder: the proposer (an admin) hears it with the reason; the
    # last answer closes the round, and everyone hears the outcome.
    cy = app.test_client()
    link = answer_link(reminder, "object")
    assert cy.post(urlsplit(link).path, data={"position": "object"}).status_code == 302
    assert cy.post(f"{page}/vote", data={"position": "object",
                                         "reason": "Nous n'avons pas de local."}
                   ).status_code == 302
    with app.app_context():
        assert sorted(db.session().scalars(select(Ballot.position).where(
            Ballot.round_id == round_id))) == ["consent", "consent", "object"]
    last = mailbox.new()
    objection = [m for m in last if "Objection" in str(m["Subject"])]
    outcome = [m for m in last if m not in objection]
    assert [(str(m["To"]), str(m["Content-Language"])) for m in objection] == [
        ("ana@example.org", "fr")]
    assert "Nous n'avons pas de local." in text_of(objection[0])
    assert "Cy" in text_of(objection[0])
    assert [(str(m["To"]), str(m["Content-Language"])) for m in outcome] == [
        ("ana@example.org", "fr"), ("bo@example.org", "en"), ("cy@example.org", "fr")]
    assert "blocked" in str(outcome[1]["Subject"]).lower()
    assert f"{BASE}{page}/results" in text_of(outcome[1])
    results = browsers.page("bo@example.org", proposal_id, round_id, "/results")
    assert ("Silence counts as consent under this rule: 3 of 3 electors were told of this"
            " round by e-mail.") in results

    # Nothing more: eight messages in all, each once.
    clock.advance(days=2)
    scheduler.close_due_rounds(app)
    assert mailbox.new() == []
    story = server.message_ids()[before:]
    assert len(story) == len(set(story)) == 8
