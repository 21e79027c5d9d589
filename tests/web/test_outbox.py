"""The outbox delivers every notice to a real SMTP server (aiosmtpd on 127.0.0.1), once,
in its recipient's language, with an HTML and a plain-text part, a one-click unsubscribe
link, and the deadline as an ``.ics``; a server down delays mail and loses none; two
senders at once, or a sender killed mid-batch and started again, send each notice once.

Notices are written here directly (the events that write them are tested with the events):
what is tested is what the sender makes of a row."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email import policy as email_policy
from email.charset import QP, Charset
from email.errors import HeaderParseError
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from sqlalchemy import delete, select, text, update

from decisions.web import db, notice_mail, scheduler
from decisions.web.cli import cli
from decisions.web.models import (
    Announcement,
    Ballot,
    Delivery,
    Invitation,
    Membership,
    Notice,
    NoticeKind,
    Organisation,
    Proposal,
    ProposalVersion,
    Round,
    RoundKind,
    User,
)
from decisions.web.services import checkpoints, notices, outbox, unsubscribing

from .conftest import Clock, unit
from .outbox import sent
from .round_steps import close_due, open_round, proposal_of, vote
from .smtp import SmtpServer, free_port, smtp_server, smtp_settings, tls_contexts
from .statements import recorded
from .variant import variant

ROOT = Path(__file__).resolve().parents[2]
BASE = "https://decisions.example.coop"  # BASE_URL of the tests that use the SMTP server
BASE_LOCAL = "http://127.0.0.1:5000"  # BASE_URL by default


@dataclass(frozen=True)
class Coop:
    """An organisation (French by default, in Paris) whose members read French (Ana, who
    chose no language, and Cy) or English (Bo), with an open consent round."""

    organisation_id: int
    members: dict[str, int]  # membership ids by first name
    users: dict[str, int]
    proposal_id: int
    round_id: int


@pytest.fixture
def coop(app: Flask, clock: Clock, make_org: Callable[..., Organisation],
         make_member: Callable[..., Membership]) -> Coop:
    """The organisation and its open round, without the notices the events wrote."""
    organisation = make_org("coop", admin="ana@example.org")
    for email, role in (("bo@example.org", "member"), ("cy@example.org", "facilitator")):
        make_member(organisation, email, role)
    with unit(app) as session:
        session.execute(update(User).where(User.email == "bo@example.org").values(language="en"))
        session.execute(update(User).where(User.email == "cy@example.org").values(language="fr"))
        rows = session.execute(select(User.name, User.id, Membership.id).join(Membership)
                               .where(Membership.organisation_id == organisation.id)).all()
    members = {name.capitalize(): membership for name, _, membership in rows}
    users = {name.capitalize(): user for name, user, _ in rows}
    proposal = proposal_of(app, organisation, members["Ana"], "consent",
                           {"preset": "consent_async"}, clock)
    round_id = open_round(app, proposal, RoundKind.CONSENT, clock)
    with unit(app) as session:
        session.execute(update(ProposalVersion).where(ProposalVersion.proposal_id == proposal)
                        .values(summary="Two cargo bikes for the deliveries."))
        session.execute(delete(Notice))  # the events' own: these tests write theirs
        session.execute(delete(Announcement))  # and the opening's, not yet written
    return Coop(organisation.id, members, users, proposal, round_id)


def forget_the_events_notices(app: Flask) -> None:
    """Delete the notices the events wrote (a ballot, a close): the tests write theirs."""
    with unit(app) as session:
        session.execute(delete(Notice))
        session.execute(delete(Announcement))


def add_notice(app: Flask, coop: Coop, kind: NoticeKind, who: str, *,
               payload: dict[str, Any] | None = None, delivery: Delivery = Delivery.PENDING,
               round_id: int | None = None, created_at: datetime | None = None) -> int:
    """A notice to ``who`` about the coop's round, as the events write one: its id."""
    with unit(app) as session:
        now = db.utcnow()
        notice = Notice(kind=kind.value, organisation_id=coop.organisation_id,
                        user_id=coop.users[who], proposal_id=coop.proposal_id,
                        round_id=round_id or coop.round_id,
                        payload=json.dumps(payload or {}), created_at=created_at or now,
                        delivery=delivery.value, send_after=now, attempts=0)
        session.add(notice)
        session.flush()
        return notice.id


def stored(app: Flask, notice_id: int) -> Notice:
    """A notice as stored now."""
    with app.app_context():
        notice = db.session().get_one(Notice, notice_id)
        db.session().expunge(notice)
        return notice


@pytest.fixture
def server(app: Flask) -> Iterator[SmtpServer]:
    """A real SMTP server, and the application set to send its mail there."""
    with smtp_server() as running:
        app.config.update(smtp_settings(running.port))
        yield running


def text_of(message: Any) -> str:
    """The plain-text part of a message."""
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def html_of(message: Any) -> str:
    """The HTML part of a message."""
    part = message.get_body(("html",))
    assert part is not None
    return str(part.get_content())


# What is sent ---------------------------------------------------------------------------


def test_a_round_opening_reaches_the_smtp_server_in_each_members_language(
        app: Flask, coop: Coop, server: SmtpServer, clock: Clock) -> None:
    bo = add_notice(app, coop, NoticeKind.ROUND_OPENED, "Bo", payload={"link": "secret-1"})
    cy = add_notice(app, coop, NoticeKind.ROUND_OPENED, "Cy")
    report = notice_mail.send_due(app)
    assert (report.sent, report.retried, report.failed) == (2, 0, 0)
    english, french = sorted(server.received, key=lambda m: str(m["To"]))
    assert [m["To"] for m in (english, french)] == ["bo@example.org", "cy@example.org"]
    assert english["Subject"] == "[Coop] Your answer is awaited: Buy cargo bikes"
    assert french["Subject"] == "[Coop] Votre réponse est attendue : Buy cargo bikes"
    assert (english["Content-Language"], french["Content-Language"]) == ("en", "fr")
    assert english["From"] == "decisions <noreply@decisions.example.coop>"
    assert server.envelopes[0][0] == "noreply@decisions.example.coop"
    assert english["Message-ID"] == notice_mail_id(app, bo)
    assert english["Auto-Submitted"] == "auto-generated"
    text = text_of(english)
    assert "Two cargo bikes for the deliveries." in text
    assert "Deadline: Monday, March 9, 2026 at 10:00\N{NARROW NO-BREAK SPACE}AM" \
        " (Europe/Paris)" in text  # 09:00 UTC, in Paris
    assert "Time left: 7 days" in text
    assert "How it is decided" in text
    assert f"{BASE}/orgs/coop/proposals/{coop.proposal_id}/rounds/{coop.round_id}" in text
    assert "Échéance : lundi 9 mars 2026 à 10:00 (Europe/Paris)" in text_of(french)
    assert "Comment c'est décidé :" in text_of(french)
    assert "<html lang=\"en\">" in html_of(english)
    assert "Buy cargo bikes" in html_of(french)
    for message, who in ((english, "Bo"), (french, "Cy")):
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        unsubscribe = str(message["List-Unsubscribe"])
        assert unsubscribe.startswith(f"<{BASE}/unsubscribe/")
        assert unsubscribe.endswith(">")
        assert unsubscribe[1:-1] in text_of(message)
        token = unsubscribe[1:-1].rsplit("/", 1)[1]
        assert unsubscribing.read_unsubscribe_token("test secret", token) == \
            unsubscribing.Unsubscribe(coop.users[who], coop.organisation_id,
                                      NoticeKind.ROUND_OPENED)
    # On the wire, the header holds the URL itself (not cut into RFC 2047 encoded words).
    assert re.search(rb"\r\nList-Unsubscribe: <https://decisions\.example\.coop/unsubscribe/"
                     rb"[^\s>]+>\r\n", server.raw[0])
    [event] = Calendar.from_ical(ics_of(english)).walk("VEVENT")
    assert event.decoded("dtstart") == clock.now + timedelta(days=7)
    assert str(event["summary"]) == "Consent round closes: Buy cargo bikes"
    assert str(event["uid"]) == f"decisions-round-{coop.round_id}-deadline@decisions.example.coop"
    assert str(event["url"]).endswith(f"/rounds/{coop.round_id}")
    for notice_id in (bo, cy):
        row = stored(app, notice_id)
        assert (row.delivery, row.sent_at, row.claim) == (Delivery.SENT, clock.now, None)
    assert json.loads(stored(app, bo).payload) == {}  # the link's token is erased


@pytest.mark.parametrize("title", [
    "Réparer les vélos cargos, en location et à l'essai, pour l'atelier du quartier",
    "Vélo " * 40, "😀" * 60])
def test_a_subject_not_in_ascii_is_cut_into_encoded_words_of_at_most_75_characters(
        app: Flask, coop: Coop, title: str) -> None:
    """RFC 2047: an encoded word is at most 75 characters, and a line that holds one at
    most 76 (the first line counts its "Subject: "); the subject reads back whole."""
    with unit(app) as session:
        session.execute(update(Organisation).values(name="Réseau des Chênes"))
        session.execute(update(Proposal).values(title=title))
    add_notice(app, coop, NoticeKind.ROUND_OPENED, "Cy")
    notice_mail.send_due(app)
    [data] = app.extensions["decisions.outbox"]
    head = data.partition(b"\r\n\r\n")[0]
    subject = re.search(rb"\r\nSubject: .*?\r\n(?! )", head, re.DOTALL)
    assert subject is not None
    lines = subject.group(0)[2:-2].split(b"\r\n")
    assert max(len(line) for line in lines) <= 76
    assert max(len(word) for word in re.findall(rb"=\?[^?]+\?b\?[^?]*\?=", head)) <= 75
    assert message_from_bytes(data, policy=email_policy.default)["Subject"] == \
        f"[Réseau des Chênes] Votre réponse est attendue : {title.strip()}"


def test_a_title_that_looks_like_an_encoded_word_reads_in_the_subject_as_it_was_written(
        app: Flask, coop: Coop) -> None:
    """RFC 2047: ``=?charset?b?...?=`` in a header is decoded by the reader, so a title
    that holds one is encoded, not sent as ASCII text a mail client would turn into other
    words than the proposal's."""
    title = "Budget =?utf-8?b?RnJlZSBtb25leQ==?= 2026"  # "Free money"
    with unit(app) as session:
        session.execute(update(Proposal).values(title=title))
    add_notice(app, coop, NoticeKind.ROUND_OPENED, "Bo")
    [message] = sent(app)
    assert message["Subject"] == f"[Coop] Your answer is awaited: {title}"


#: A version's text with what a writer of e-mail must take care of: spaces ending lines
#: (one at the 76th character), a dot alone, "From " opening a line, a carriage return
#: alone, a form feed, a bell (PostgreSQL keeps no NUL: the frame's own test sends one),
#: an emoji, a boundary's look, no newline at the end.
AWKWARD = ("Spaces end this line   \n.\nFrom the start\nalone\rreturn\x0cfeed\x07bell 😀\n"
           + "a" * 74 + " \n" + "x" * 200 + "\n--=_not-a-boundary\nno newline at the end")


@pytest.mark.parametrize("kind", [NoticeKind.ROUND_OPENED, NoticeKind.REMINDER,
                                  NoticeKind.NUDGE, NoticeKind.OBJECTION, NoticeKind.NEW_VERSION])
def test_every_line_of_a_message_is_crlf_ended_ascii_and_within_the_rfcs_lengths(
        app: Flask, coop: Coop, kind: NoticeKind) -> None:
    """RFC 5322, 2045-2047: lines end in CRLF and are 7-bit; a quoted-printable line is at
    most 76 characters, a line holding an encoded word too; the top headers once each,
    MIME-Version at the top only; the parser finds no defect; the text part holds the
    version's text line by line."""
    with unit(app) as session:
        session.execute(update(Organisation).values(name="Coopérative « Les Chênes » 😀"))
        session.execute(update(ProposalVersion).values(summary=AWKWARD))
    add_notice(app, coop, kind, "Bo", payload={"link": "secret-1", "by": coop.members["Cy"],
                                               "reason": AWKWARD})
    notice_mail.send_due(app)
    [data] = app.extensions["decisions.outbox"]
    assert data.endswith(b"\r\n")
    lines = data[:-2].split(b"\r\n")
    assert not [line for line in lines if b"\r" in line or b"\n" in line or not line.isascii()]
    head = lines[:lines.index(b"")]
    assert not [line for line in head if b"=?" in line and len(line) > 76]
    message = message_from_bytes(data, policy=email_policy.default)
    assert [name for name in message if name in (
        "From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type")] == [
        "Content-Type", "MIME-Version", "From", "To", "Subject", "Date", "Message-ID"]
    parts = list(message.walk())
    assert [part.defects for part in parts] == [[] for _ in parts]
    assert not [part for part in parts[1:] if "MIME-Version" in part]
    for part in parts:
        if part.get_content_type() in ("text/plain", "text/html"):
            assert part["Content-Transfer-Encoding"] == "quoted-printable"
            assert max(len(line) for line in str(part.get_payload()).split("\r\n")) <= 76
    text = text_of(message).replace("\r\n", "\n")
    assert "\n.\nFrom the start\nalone\nreturn\nfeed\x07bell 😀\n" + "a" * 74 + "\n" in text
    assert "\n--=_not-a-boundary\nno newline at the end\n" in text


def notice_mail_id(app: Flask, notice_id: int) -> str:
    """The Message-ID of a notice's e-mail."""
    with app.app_context():
        return notice_mail.message_id(notice_id)


def ics_of(message: Any) -> bytes:
    """The calendar attached to a message."""
    [attachment] = [part for part in message.iter_attachments()
                    if part.get_content_type() == "text/calendar"]
    assert attachment.get_filename() == "deadline.ics"
    data = attachment.get_content()
    return data.encode() if isinstance(data, str) else bytes(data)


def test_an_objection_names_the_objector_and_the_reason_as_text(
        app: Flask, coop: Coop, clock: Clock) -> None:
    vote(app, coop.round_id, coop.members["Bo"], "object", clock,
         reason="Too <b>expensive</b>")
    forget_the_events_notices(app)
    with app.app_context():
        ballot = db.session().scalar(select(Ballot.id).where(
            Ballot.membership_id == coop.members["Bo"]))
    add_notice(app, coop, NoticeKind.OBJECTION, "Cy",
               payload={"ballot_id": ballot, "event_id": None, "reason": "Too <b>expensive</b>"})
    [message] = sent(app)
    assert message["Subject"] == "[Coop] Objection soulevée : Buy cargo bikes"
    assert "bo objecte à cette proposition : Tour de consentement." in text_of(message)
    assert "Too <b>expensive</b>" in text_of(message)
    assert "Too &lt;b&gt;expensive&lt;/b&gt;" in html_of(message)
    assert "<b>expensive" not in html_of(message)


def test_an_objection_in_a_secret_round_names_nobody_and_gives_no_reason(
        app: Flask, coop: Coop, clock: Clock) -> None:
    with unit(app) as session:
        session.execute(update(Proposal).values(secret=True))
    add_notice(app, coop, NoticeKind.OBJECTION, "Bo",
               payload={"ballot_id": None, "event_id": None, "reason": "Cy's reason"})
    [message] = sent(app)
    for part in (text_of(message), html_of(message)):
        assert "An objection was raised in this round: Consent round." in part
        # Links carry random tokens, where "Cy" may stand by chance: the words only.
        assert "Cy" not in re.sub(r'https?://[^\s"<>]+', "", part)


def test_the_outcome_gives_the_numbers_the_explanation_the_audit_head_and_the_case(
        app: Flask, coop: Coop, clock: Clock) -> None:
    vote(app, coop.round_id, coop.members["Bo"], "object", clock, reason="Too expensive")
    clock.advance(days=7)
    assert close_due(app, clock) == [coop.round_id]
    forget_the_events_notices(app)
    with app.app_context():
        head = str(checkpoints.head(db.session(), coop.organisation_id))
    add_notice(app, coop, NoticeKind.OUTCOME, "Bo")
    [message] = sent(app)
    assert message["Subject"] == "[Coop] Decided: Buy cargo bikes, blocked by an objection"
    text = text_of(message)
    assert "Outcome: blocked by an objection (Consent round)" in text
    assert "1 of 3 took part (33.33%)." in text
    assert "- Objection: 1" in text
    assert "Why: Blocked: a valid objection stands at the deadline (bo)." in text
    assert "Silence counts as consent under this rule: 0 of 3 electors were told" in text
    assert head in text
    assert head in html_of(message)
    rounds = f"{BASE_LOCAL}/orgs/coop/proposals/{coop.proposal_id}/rounds/{coop.round_id}"
    assert f"See the results: {rounds}/results" in text
    assert f"Download the case (JSON) to recount it: {rounds}/case.json" in text




@pytest.mark.parametrize("kind", [NoticeKind.ROUND_OPENED, NoticeKind.REMINDER, NoticeKind.NUDGE])
def test_a_notice_of_a_round_already_closed_is_given_up_not_sent(
        app: Flask, coop: Coop, clock: Clock, kind: NoticeKind) -> None:
    clock.advance(days=7)
    close_due(app, clock)
    forget_the_events_notices(app)
    notice = add_notice(app, coop, kind, "Bo", payload={"by": coop.members["Cy"]})
    assert sent(app) == []
    row = stored(app, notice)
    assert (row.delivery, row.last_error) == (Delivery.FAILED, "the round no longer takes answers")


def test_a_facilitators_reminder_names_them_and_counts_the_time_left(
        app: Flask, coop: Coop, clock: Clock) -> None:
    clock.advance(days=6, hours=22, minutes=30)
    add_notice(app, coop, NoticeKind.NUDGE, "Bo", payload={"by": coop.members["Cy"]})
    add_notice(app, coop, NoticeKind.REMINDER, "Ana")
    nudge, reminder = sorted(sent(app), key=lambda m: str(m["To"]), reverse=True)
    assert "cy, who facilitates, reminds you that your answer is awaited" in text_of(nudge)
    assert "Time left: 1 hour 30 minutes" in text_of(nudge)
    assert " ".join(str(reminder["Subject"]).split()) == \
        "[Coop] Rappel : Buy cargo bikes se clôt dans 1 heure 30 minutes"  # spaces unbroken


def test_invitations_and_password_resets_have_an_html_part_and_no_unsubscribe_link(
        app: Flask, coop: Coop, client: Any) -> None:
    assert client.post("/auth/reset", data={"email": "bo@example.org"}).status_code == 302
    [message] = sent(app)
    assert message["List-Unsubscribe"] is None
    assert message["Subject"] == "Set a new password for decisions"
    html = html_of(message)
    assert "Choose a new password</a>" in html
    assert f'href="{BASE_LOCAL}/auth/reset/' in html
    [notice] = all_notices(app)
    assert "token" not in json.loads(notice.payload)  # erased once sent


def all_notices(app: Flask) -> list[Notice]:
    """Every notice as stored now, in order of id."""
    with app.app_context():
        found = list(db.session().scalars(select(Notice).order_by(Notice.id)))
        db.session().expunge_all()
        return found


# When the server fails --------------------------------------------------------------------


def test_the_smtp_server_down_delays_an_invitation_and_loses_nothing(
        app: Flask, coop: Coop, client: Any, auth: Any, clock: Clock) -> None:
    port = free_port()  # nothing listens there
    app.config.update(smtp_settings(port))
    auth.login("ana@example.org")
    response = client.post("/orgs/coop/invitations/", data={"email": "di@example.org",
                                                              "role": "member"})
    assert response.status_code == 302  # the page never waits for the server
    report = notice_mail.send_due(app)
    assert (report.sent, report.retried) == (0, 1)
    [notice] = all_notices(app)
    assert (notice.delivery, notice.attempts) == (Delivery.PENDING, 1)
    assert notice.send_after == clock.now + timedelta(seconds=30)
    assert "ConnectionRefusedError" in (notice.last_error or "")
    with app.app_context():
        invited = db.session().scalars(select(Invitation.email)).all()
    assert "di@example.org" in invited  # committed, though the e-mail could not go
    with smtp_server() as running:
        app.config["MAIL_PORT"] = running.port
        clock.advance(seconds=29)
        assert notice_mail.send_due(app).sent == 0  # not due yet
        clock.advance(seconds=1)
        assert notice_mail.send_due(app).sent == 1
        [message] = running.received
    assert message["To"] == "di@example.org"
    assert "/auth/invitation/" in text_of(message)
    [notice] = all_notices(app)
    assert (notice.delivery, notice.attempts, notice.last_error) == (Delivery.SENT, 1, None)


def test_failed_attempts_wait_longer_each_time_then_give_up() -> None:
    waits = [outbox.backoff(attempt) for attempt in range(1, 11)]
    assert waits == [timedelta(seconds=30), timedelta(minutes=1), timedelta(minutes=2),
                     timedelta(minutes=4), timedelta(minutes=8), timedelta(minutes=16),
                     timedelta(minutes=32), timedelta(minutes=64), timedelta(hours=2),
                     timedelta(hours=2)]
    before_giving_up = sum((outbox.backoff(a) for a in range(1, outbox.MAX_ATTEMPTS)),
                           timedelta())
    assert timedelta(days=1) < before_giving_up < timedelta(days=2)


def test_the_last_failed_attempt_gives_the_notice_up(app: Flask, coop: Coop) -> None:
    app.config.update(smtp_settings(free_port()))
    notice = add_notice(app, coop, NoticeKind.ROUND_OPENED, "Bo")
    with unit(app) as session:
        session.execute(update(Notice).values(attempts=outbox.MAX_ATTEMPTS - 1))
    assert notice_mail.send_due(app).failed == 1
    row = stored(app, notice)
    assert (row.delivery, row.attempts) == (Delivery.FAILED, outbox.MAX_ATTEMPTS)


def test_a_recipient_refused_for_good_is_given_up_at_once(
        app: Flask, coop: Coop, server: SmtpServer) -> None:
    server.refused.add("bo@example.org")
    refused = add_notice(app, coop, NoticeKind.ROUND_OPENED, "Bo")
    accepted = add_notice(app, coop, NoticeKind.ROUND_OPENED, "Cy")
    report = notice_mail.send_due(app)
    assert (report.sent, report.failed) == (1, 1)
    row = stored(app, refused)
    assert row.delivery == Delivery.FAILED
    assert "550" in (row.last_error or "")
    assert stored(app, accepted).delivery == Delivery.SENT


# aiosmtpd counts only STARTTLS as TLS when it asks for a password: over implicit TLS it
# warns that the password would go in the clear, which it does not.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
@pytest.mark.parametrize("tls", ["starttls", "implicit"])
def test_the_sender_speaks_tls_checks_the_certificate_and_logs_in(
        app: Flask, coop: Coop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        tls: str) -> None:
    context, authority = tls_contexts(tmp_path)
    add_notice(app, coop, NoticeKind.ROUND_OPENED, "Bo")
    login = ("decisions", "mail secret")
    chosen = {"starttls": context} if tls == "starttls" else {"implicit_tls": context}
    with smtp_server(login=login, **chosen) as running:
        app.config.update(smtp_settings(running.port), MAIL_USERNAME=login[0],
                          MAIL_PASSWORD="wrong", MAIL_USE_TLS=tls == "starttls",  # noqa: S106
                          MAIL_USE_SSL=tls == "implicit")
        report = notice_mail.send_due(app)  # the certificate is not trusted yet
        assert (report.sent, report.retried) == (0, 1)
        assert "CERTIFICATE_VERIFY_FAILED" in (all_notices(app)[0].last_error or "")
        monkeypatch.setenv("SSL_CERT_FILE", str(authority))  # the default context's anchors
        clock_moves(app, minutes=1)
        report = notice_mail.send_due(app)  # trusted now, but the password is wrong
        assert (report.sent, report.retried) == (0, 1)
        assert "SMTPAuthenticationError" in (all_notices(app)[0].last_error or "")
        app.config["MAIL_PASSWORD"] = login[1]
        clock_moves(app, minutes=2)
        assert notice_mail.send_due(app).sent == 1
        [message] = running.received
    assert message["To"] == "bo@example.org"


def clock_moves(app: Flask, **delta: float) -> None:
    """Move the application's clock (past a notice's wait before its next attempt)."""
    app.config["CLOCK"].advance(**delta)


# At most once -----------------------------------------------------------------------------


def add_many(app: Flask, coop: Coop, count: int, send_after: datetime | None = None) -> list[int]:
    """``count`` notices of a round opening, to Bo and Cy in turn: their ids."""
    with unit(app) as session:
        now = db.utcnow()
        notices = [Notice(kind=NoticeKind.ROUND_OPENED.value,
                          organisation_id=coop.organisation_id,
                          user_id=coop.users["Bo" if i % 2 else "Cy"],
                          proposal_id=coop.proposal_id, round_id=coop.round_id, payload="{}",
                          created_at=now, delivery=Delivery.PENDING.value,
                          send_after=send_after or now, attempts=0) for i in range(count)]
        session.add_all(notices)
        session.flush()
        return [notice.id for notice in notices]


def expected_ids(app: Flask, ids: list[int]) -> list[str]:
    """The Message-IDs of the e-mails of these notices, sorted."""
    with app.app_context():
        return sorted(notice_mail.message_id(i) for i in ids)


@settings(max_examples=400, deadline=None)
@given(name=st.sampled_from(["To", "Subject", "Message-ID", "List-Unsubscribe-Post", "X-A"]),
       value=st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=127), max_size=120))
def test_the_wire_policy_writes_every_header_as_the_classic_policy_does(
        name: str, value: str) -> None:
    """The shortcut for short ASCII headers (``notice_mail.WIRE``) changes no byte."""
    classic = email_policy.compat32.clone(linesep="\r\n")

    def written(policy: Any) -> bytes | str:
        try:
            return bytes(policy.fold_binary(name, value))
        except HeaderParseError as error:  # a value with an embedded header: refused alike
            return str(error)

    assert written(notice_mail.WIRE) == written(classic)


def _text_parts(data: bytes) -> list[str]:
    """The text and HTML parts of a message as a mail client reads them, decoded."""
    message = message_from_bytes(data, policy=email_policy.default)
    return [part.get_content() for part in message.walk()
            if part.get_content_type() in ("text/plain", "text/html")]


@settings(max_examples=400, deadline=None)
@given(text=st.text(max_size=400), html=st.text(
    alphabet=st.sampled_from([" ", "\t", "=", ".", "\r", "\n", "a", "é", "\u2028", "\x0c",
                              "\x00", "€", "😀", "-", "F", "r", "o", "m"]), max_size=400))
def test_a_frame_writes_any_text_as_the_email_package_writes_it(text: str, html: str) -> None:
    """A message joined from a letter's frame (``notice_mail.Frame``, the C encoder of
    quoted-printable) reads back, in a mail client, exactly as one the ``email`` package
    builds part by part, quoted-printable (the writer of before); and no line of it is
    longer than RFC 2045 allows (76 characters and its end)."""
    calendar = notice_mail.Attachment("deadline.ics", "text", "calendar", b"BEGIN:VCALENDAR\r\n")
    utf8 = Charset("utf-8")
    utf8.body_encoding = QP
    classic = MIMEMultipart("mixed")
    alternative = MIMEMultipart("alternative")
    for body, subtype in ((text, "plain"), (html, "html")):
        alternative.attach(MIMEText(body, subtype, utf8))  # type: ignore[arg-type]
    classic.attach(alternative)
    joined = notice_mail.Frame.of([calendar], []).message(b"To: a@example.org\r\n", text, html)
    assert _text_parts(joined) == _text_parts(classic.as_bytes(policy=notice_mail.WIRE))
    assert max(len(line) for line in joined.split(b"\r\n")) <= 76
    assert b"\n" not in joined.replace(b"\r\n", b"")


@pytest.mark.parametrize("line", ["a" * 74 + " ", "a" * 75 + " ", "a" * 75 + "\t",
                                  "=" * 24 + "aa" + " "],
                         ids=["space-75th", "space-76th", "tab-76th", "after-escapes"])
def test_a_space_that_ends_a_long_line_is_cut_onto_the_next_line_not_past_76_characters(
        line: str) -> None:
    """``binascii``'s encoder counts a space that ends a line as one character, then writes
    it as ``=20``: 77 or 78 characters, which RFC 2045 forbids (an HTML part keeps the
    spaces a proposal's text ends its lines with). The line is cut before it instead."""
    text = f"{line}\nnext\n"
    joined = notice_mail.Frame.of([], []).message(b"To: a@example.org\r\n", text, text)
    assert max(len(encoded) for encoded in joined.split(b"\r\n")) <= 76
    assert [part.replace("\r\n", "\n") for part in _text_parts(joined)] == [text, text]


def test_a_batch_reads_its_recipients_and_organisation_once_not_once_a_message(
        app: Flask, coop: Coop, server: SmtpServer) -> None:
    """The sender reads a batch's recipients and organisations in one query each; every
    message read them again (the session's identity map holds an object only while
    something refers to it), a third of the outbox's time (benchmarks/outbox.py)."""
    add_many(app, coop, 40)
    with recorded(app) as statements:
        report = notice_mail.send_due(app)
    assert report.sent == 40
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    from_user = [s for s in reads if re.search(r'FROM "?user"?\b', s)]
    from_organisation = [s for s in reads if re.search(r'FROM "?organisation"?\b', s)]
    assert len(from_user) <= 2, from_user
    assert len(from_organisation) <= 2, from_organisation


def test_a_claim_holds_for_the_lease_then_another_sender_takes_the_row_over(
        app: Flask, coop: Coop, clock: Clock) -> None:
    [notice] = add_many(app, coop, 1)
    with unit(app) as session:
        first = outbox.claim(session, clock.now)
    assert first.ids == (notice,)
    with unit(app) as session:
        assert outbox.claim(session, clock.now + timedelta(minutes=4)).ids == ()
    with unit(app) as session:
        second = outbox.claim(session, clock.now + outbox.LEASE + timedelta(seconds=1))
    assert second.ids == (notice,)
    with unit(app) as session:
        row = session.get_one(Notice, notice)
        # The first sender lost its claim: neither its failure nor its success changes it.
        assert outbox.mark_failed(session, row, first.token, "421 busy", clock.now) is None
        assert not outbox.mark_sent(session, row, first.token, clock.now)
        assert outbox.mark_sent(session, row, second.token, clock.now)


def test_two_senders_at_once_send_each_notice_once(
        app: Flask, coop: Coop, server: SmtpServer) -> None:
    ids = add_many(app, coop, 120)
    server.answer = lambda number: time.sleep(0.005)  # a server slow enough for both to run
    start = threading.Barrier(2)
    reports: list[notice_mail.Report] = []

    def sender() -> None:
        start.wait()
        reports.append(notice_mail.send_due(app, limit=10))

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sum(report.sent for report in reports) == 120
    assert all(report.sent for report in reports)  # both took part
    assert sorted(server.message_ids()) == expected_ids(app, ids)
    assert {n.delivery for n in all_notices(app)} == {Delivery.SENT}


def test_two_senders_at_once_write_an_openings_notices_once(
        app: Flask, coop: Coop, clock: Clock) -> None:
    """Each sender's first step writes the notices of the announcements not yet written:
    two at once (two hosts' schedulers) write them once, one notice per elector."""
    with unit(app) as session:
        announcement = notices.round_opened(session, session.get_one(Round, coop.round_id),
                                            clock.now)
        session.flush()
        announcement_id = announcement.id
    start = threading.Barrier(2)
    written: list[int] = []

    def sender() -> None:
        start.wait()
        with unit(app) as session:
            written.append(notices.expand(session, announcement_id, clock.now))

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(written) == [0, 3]
    told = [(n.kind, n.user_id) for n in all_notices(app)]
    assert sorted(told) == sorted(("round_opened", user) for user in coop.users.values())


def test_on_postgresql_the_sent_mark_commits_without_waiting_for_the_disk(
        app: Flask, coop: Coop, clock: Clock) -> None:
    """Its transaction alone (docs/architecture.md): the next one waits again."""
    if db.engine_of(app).dialect.name != "postgresql":
        pytest.skip("synchronous_commit is PostgreSQL's")
    notice_id = add_notice(app, coop, NoticeKind.ROUND_OPENED, "Bo")
    with unit(app) as session:
        claim = outbox.claim(session, clock.now)
    with unit(app) as session:
        session.execute(text("SET LOCAL synchronous_commit = on"))
        assert outbox.mark_sent(session, session.get_one(Notice, notice_id), claim.token,
                                clock.now)
        assert session.scalar(text("SHOW synchronous_commit")) == "off"
    with unit(app) as session:
        session.execute(text("SET LOCAL synchronous_commit = on"))
        assert session.scalar(text("SHOW synchronous_commit")) == "on"


def test_one_pass_of_three_senders_sends_each_message_once(
        app: Flask, coop: Coop, server: SmtpServer) -> None:
    ids = add_many(app, coop, 60)
    server.answer = lambda number: time.sleep(0.005)
    report = notice_mail.send_due(app, limit=10, senders=3)
    assert (report.sent, report.retried, report.failed) == (60, 0, 0)
    assert sorted(server.message_ids()) == expected_ids(app, ids)
    assert {n.delivery for n in all_notices(app)} == {Delivery.SENT}


def test_killing_the_sender_mid_batch_and_starting_it_again_delivers_each_message_once(
        app: Flask, coop: Coop, clock: Clock, server: SmtpServer) -> None:
    clock.now = datetime.now(UTC)  # the killed sender runs on the real clock
    with unit(app) as session:  # and its round must still take answers
        session.execute(update(Round).values(closes_at=clock.now + timedelta(days=7)))
    ids = add_many(app, coop, 25)
    sender: list[subprocess.Popen[bytes]] = []

    def kill_at_the_seventh(number: int) -> str | None:
        if number != 7:
            return None
        os.kill(sender[0].pid, signal.SIGKILL)  # while it waits for this answer
        return "451 4.3.0 Try again later"

    server.answer = kill_at_the_seventh
    environment = {**os.environ, **{f"DECISIONS_{key}": str(value) for key, value in {
        **smtp_settings(server.port), "DATABASE_URL": app.config["DATABASE_URL"],
        "SECRET_KEY": app.config["SECRET_KEY"]}.items()}}
    command = Path(sys.executable).with_name("decisions")
    sender.append(subprocess.Popen([str(command), "send-mail", "--loop", "--interval", "0.2"],
                                   env=environment, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE))
    try:
        sender[0].communicate(timeout=60)
    finally:
        if sender[0].poll() is None:
            sender[0].kill()
            sender[0].communicate()
    assert sender[0].returncode == -signal.SIGKILL
    assert len(server.received) == 6
    states = [n.delivery for n in all_notices(app)]
    assert states == [Delivery.SENT] * 6 + [Delivery.SENDING] * 19  # claimed in one batch

    server.answer = None
    app.config.update(smtp_settings(server.port))
    clock.advance(minutes=4)  # within the lease: the rows are still the dead sender's
    assert notice_mail.send_due(app).sent == 0
    clock.advance(minutes=2)
    result = app.test_cli_runner().invoke(cli, ["send-mail"])
    assert result.output == "Mail: 19 sent, 0 to try again, 0 given up.\n"
    assert sorted(server.message_ids()) == expected_ids(app, ids)  # each once, the 7th too
    assert {n.delivery for n in all_notices(app)} == {Delivery.SENT}


# Unsubscribing ----------------------------------------------------------------------------


def test_one_click_unsubscribe_stops_that_kind_of_e_mail_only(
        app: Flask, coop: Coop, shared_app: Flask) -> None:
    add_notice(app, coop, NoticeKind.ROUND_OPENED, "Bo")
    [message] = sent(app)
    path = "/unsubscribe/" + str(message["List-Unsubscribe"]).rsplit("/", 1)[1].rstrip(">")
    waiting = add_notice(app, coop, NoticeKind.ROUND_OPENED, "Bo")
    outcome = add_notice(app, coop, NoticeKind.OUTCOME, "Bo")
    others = add_notice(app, coop, NoticeKind.ROUND_OPENED, "Cy")
    with variant(shared_app, WTF_CSRF_ENABLED=True) as protected:
        browser = protected.test_client()
        page = browser.get(path)
        assert page.status_code == 200
        assert "Stop e-mails from Coop about rounds that open?" in page.get_data(as_text=True)
        assert stored(app, waiting).delivery == Delivery.PENDING  # showing changes nothing
        # As a mail provider posts it (RFC 8058): no session, no CSRF token.
        for _ in range(2):
            done = browser.post(path, data={"List-Unsubscribe": "One-Click"})
            assert done.status_code == 200
            assert "Done: Coop will no longer e-mail you about rounds that open." in \
                done.get_data(as_text=True)
    with app.app_context():
        muted = db.session().scalars(select(Membership.muted).order_by(Membership.id)).all()
    assert muted == ["", "round_opened", ""]
    assert stored(app, waiting).delivery == Delivery.IN_APP
    assert stored(app, outcome).delivery == Delivery.PENDING
    assert stored(app, others).delivery == Delivery.PENDING


@pytest.mark.parametrize("signed", [False, True])
def test_an_unsubscribe_link_that_is_not_ours_is_not_found(
        app: Flask, coop: Coop, client: Any, signed: bool) -> None:
    token = "not-a-token"  # noqa: S105 - a token that is not one
    if signed:  # signed, but for a kind nobody can stop
        token = unsubscribing.unsubscribe_token("test secret", coop.users["Bo"],
                                                coop.organisation_id, NoticeKind.PASSWORD_RESET)
    assert client.get(f"/unsubscribe/{token}").status_code == 404
    assert client.post(f"/unsubscribe/{token}").status_code == 404


# The daily digest and the ways to run the sender ---------------------------------------


def test_the_daily_digest_gathers_the_held_notices_once_the_oldest_is_a_day_old(
        app: Flask, coop: Coop, clock: Clock) -> None:
    day = timedelta(days=1)
    bo = [add_notice(app, coop, kind, "Bo", delivery=Delivery.HELD,
                     created_at=clock.now - timedelta(hours=23))
          for kind in (NoticeKind.OBJECTION, NoticeKind.OUTCOME)]
    cy = add_notice(app, coop, NoticeKind.OUTCOME, "Cy", delivery=Delivery.HELD,
                    created_at=clock.now - day)
    ana = add_notice(app, coop, NoticeKind.OUTCOME, "Ana", delivery=Delivery.HELD,
                     created_at=clock.now - day)
    with unit(app) as session:
        session.execute(update(Membership).where(Membership.id == coop.members["Ana"])
                        .values(muted="digest"))
    assert notice_mail.compose_digests(app) == 1  # Cy's; Ana asked for none
    assert stored(app, ana).delivery == Delivery.IN_APP
    clock.advance(hours=1)
    assert notice_mail.compose_digests(app) == 1  # Bo's
    assert notice_mail.compose_digests(app) == 0
    digests = {stored(app, i).digest_id for i in bo}
    assert len(digests) == 1
    assert {stored(app, i).delivery for i in [*bo, cy]} == {Delivery.DIGESTED}
    messages = {str(m["To"]): m for m in sent(app)}
    assert set(messages) == {"bo@example.org", "cy@example.org"}
    assert messages["bo@example.org"]["Subject"] == "[Coop] 2 notices from Coop"
    text = text_of(messages["bo@example.org"])
    assert "- Objection raised: Buy cargo bikes — Sunday, March 1, 2026 at 11:00" in text
    assert "- Outcome decided: Buy cargo bikes" in text
    assert messages["cy@example.org"]["Subject"] == "[Coop] 1 notification de Coop"


def test_the_send_mail_command_sends_what_is_due(app: Flask, coop: Coop) -> None:
    add_notice(app, coop, NoticeKind.ROUND_OPENED, "Bo")
    result = app.test_cli_runner().invoke(cli, ["send-mail"])
    assert result.output == "Mail: 1 sent, 0 to try again, 0 given up.\n"
    assert [m["To"] for m in sent(app)] == ["bo@example.org"]


def test_the_scheduler_sends_mail_every_few_seconds(app: Flask) -> None:
    from apscheduler.schedulers.background import BackgroundScheduler

    job = scheduler.build_scheduler(app, BackgroundScheduler).get_job(scheduler.MAIL_JOB_ID)
    assert job.func is scheduler.send_mail
    assert job.trigger.interval == timedelta(seconds=scheduler.MAIL_INTERVAL_SECONDS)
    assert (job.coalesce, job.max_instances) == (True, 1)

