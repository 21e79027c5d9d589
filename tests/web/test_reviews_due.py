"""Decisions whose review date has come: the register flags them, and their proposers are
told through the notice outbox, once, in their own language, by the scheduler's job (read
from a real SMTP server on 127.0.0.1, the clock moved past the review dates); a second run,
or a second scheduler holding the same list, tells nobody again; a new review date set later
is told when it comes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from email.message import EmailMessage

import pytest
from flask import Flask
from sqlalchemy import select, update

from decisions.web import db, notice_mail, scheduler
from decisions.web.models import Delivery, Notice, NoticeKind, Organisation, Proposal, User
from decisions.web.services import register, reviews

from .conftest import Clock, unit
from .demo_world import READS_ENGLISH, SLUG, signed_in
from .demo_world import app as app
from .demo_world import demo_ids as demo_ids
from .smtp import SmtpServer, smtp_server, smtp_settings


@pytest.fixture
def server(app: Flask) -> Iterator[SmtpServer]:
    """A real SMTP server, the application sending there; what the demo's story left in the
    outbox is not this story's: it counts as sent."""
    with unit(app) as session:
        session.execute(update(Notice).values(delivery=Delivery.SENT.value))
    with smtp_server() as running:
        app.config.update(smtp_settings(running.port))
        yield running


def _received(app: Flask, server: SmtpServer) -> list[EmailMessage]:
    """Send what is due; what the server received since, by recipient."""
    report = notice_mail.send_due(app)
    assert (report.retried, report.failed) == (0, 0)
    with server.lock:
        found, server.received[:] = list(server.received), []
    return sorted(found, key=lambda message: str(message["To"]))


def _text(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def _html(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert part is not None
    return str(part.get_content())


def _due(app: Flask, today: date) -> dict[str, tuple[str, str, date]]:
    """The decided proposals whose review date is ``today`` or before: their proposer's
    address, with the title, the proposer's language and the review date."""
    with app.app_context():
        found = {}
        for proposal in db.session().scalars(select(Proposal).where(
                Proposal.status == "decided", Proposal.review_date <= today)):
            assert proposal.author is not None
            assert proposal.review_date is not None
            user = proposal.author.user
            found[user.email] = (proposal.title, user.language or "fr", proposal.review_date)
        return found


def _review_dates(app: Flask) -> list[date]:
    with app.app_context():
        return sorted(d for d in db.session().scalars(select(Proposal.review_date).where(
            Proposal.status == "decided")) if d is not None)


def test_each_proposer_is_told_once_in_their_language_when_the_review_date_comes(
        app: Flask, demo_ids: dict[str, int], server: SmtpServer, clock: Clock) -> None:
    first, *_later = _review_dates(app)
    with unit(app) as session:  # the workshop's proposer reads English
        workshop = session.get_one(Proposal, demo_ids["sociocratic_consent"])
        assert workshop.author is not None
        assert workshop.review_date == first
        workshop.author.user.language = "en"
        proposer = workshop.author.user.email
    clock.advance(days=(first - clock().date()).days - 1)  # the day before
    assert scheduler.tell_reviews_due(app) == 0
    assert _received(app, server) == []

    clock.advance(days=1)  # the review date, in the organisation's time zone
    clock.now = clock.now.replace(hour=0, minute=30) - timedelta(hours=1)  # 00:30 in Paris
    due = _due(app, first)
    assert list(due) == [proposer]
    assert scheduler.tell_reviews_due(app) == 1
    [message] = _received(app, server)
    title, _language, day = due[proposer]
    assert str(message["To"]) == proposer
    assert str(message["Content-Language"]) == "en"
    assert str(message["Subject"]).endswith(f"Review date reached: {title}")
    text = _text(message)
    assert f"Its review date, {day.strftime('%B')} {day.day}, {day.year}, has come" in text
    assert "Outcome: adopted" in text
    assert "Le cercle livraison à vélo loue un local" in text  # the outcome statement
    assert f"/orgs/{SLUG}/proposals/{workshop.id}/history" in text
    assert f"/orgs/{SLUG}/proposals/{workshop.id}/history" in _html(message)

    # A second run, and a second scheduler that read the list before the first told it,
    # tell nobody again.
    assert scheduler.tell_reviews_due(app) == 0
    with unit(app) as session:
        assert reviews.tell_review_due(session, workshop.id, clock()) == 0
    assert _received(app, server) == []
    with app.app_context():
        written = db.session().scalars(select(Notice).where(
            Notice.kind == NoticeKind.REVIEW_DUE.value)).all()
        assert [(n.proposal_id, n.user_id) for n in written] == [
            (workshop.id, db.session().scalars(select(User.id).where(
                User.email == proposer)).one())]

    # The register flags it; the proposer's notifications list it.
    page = signed_in(app, READS_ENGLISH).get(f"/orgs/{SLUG}/register/").get_data(as_text=True)
    assert page.count("Review date passed") == 1
    with app.app_context():
        organisation = db.session().scalars(select(Organisation)).one()
        assert [d[0] for d in register.reviews_due(db.session(), organisation, clock())] == [
            workshop.id]


SUBJECTS = {"en": "Review date reached: ", "fr": "Date de révision atteinte : "}
OPENINGS = {"en": "Its review date", "fr": "Sa date de révision"}


def test_every_review_come_is_told_to_its_proposer_in_their_language(
        app: Flask, demo_ids: dict[str, int], server: SmtpServer, clock: Clock) -> None:
    last = _review_dates(app)[-1]
    clock.advance(days=(last - clock().date()).days + 1)
    due = _due(app, last)
    assert len(due) >= 2
    assert "fr" in {language for _title, language, _day in due.values()}
    assert scheduler.tell_reviews_due(app) == len(due)
    received = _received(app, server)
    assert [str(m["To"]) for m in received] == sorted(due)
    for message in received:
        title, language, _day = due[str(message["To"])]
        assert str(message["Content-Language"]) == language
        assert str(message["Subject"]).endswith(SUBJECTS[language] + title)
        assert OPENINGS[language] in _text(message)
    assert scheduler.tell_reviews_due(app) == 0
    assert _received(app, server) == []


def test_a_new_review_date_set_later_is_told_when_it_comes(
        app: Flask, demo_ids: dict[str, int], server: SmtpServer, clock: Clock) -> None:
    first = _review_dates(app)[0]
    clock.advance(days=(first - clock().date()).days + 1)
    assert scheduler.tell_reviews_due(app) == 1
    assert len(_received(app, server)) == 1
    later = clock().date() + timedelta(days=90)
    with unit(app) as session:
        session.get_one(Proposal, demo_ids["sociocratic_consent"]).review_date = later
    assert scheduler.tell_reviews_due(app) == 0
    clock.advance(days=91)
    told = scheduler.tell_reviews_due(app)
    assert told >= 1
    assert any(str(m["Subject"]).endswith(
        "Ouvrir un atelier de réparation des vélos cargos, en location et à l'essai")
        for m in _received(app, server))
