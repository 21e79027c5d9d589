"""The outcome e-mail carries the round's charts as images: PNG parts sent inline beside its
HTML (``multipart/related``, each referenced by ``cid:``), each with its text alternative as
``alt``, and the same words in the plain-text part; their figures are the engine's. Read
from a real SMTP server on 127.0.0.1: the demo's general assembly, a vote of three
colleges, told to a member who reads English and one who reads French."""

from __future__ import annotations

import html as html_text
import json
import re
from email.message import EmailMessage
from fractions import Fraction
from io import BytesIO
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale
from PIL import Image
from sqlalchemy import update

from decisions.web import db, notice_mail
from decisions.web.models import Delivery, Notice, NoticeKind, Proposal
from decisions.web.orgs.views import percent

from .conftest import unit
from .demo_world import ADMIN, READS_ENGLISH
from .demo_world import app as app
from .demo_world import demo_ids as demo_ids
from .smtp import smtp_server, smtp_settings


@pytest.fixture
def outcome_mail(app: Flask, demo_ids: dict[str, int]) -> dict[str, EmailMessage]:
    """The outcome e-mails of the demo's general assembly, by recipient, as a real SMTP
    server received them (sent again from the outbox)."""
    with unit(app) as session:
        vote = session.get_one(Proposal, demo_ids["scic_college"]).rounds[-1]
        title = vote.proposal.title
        # The demo records the mail of its past as sent at its time: this outcome is sent
        # again, and the rest of the outbox is not this story's.
        session.execute(update(Notice).where(
            (Notice.round_id != vote.id) | (Notice.kind != NoticeKind.OUTCOME.value))
            .values(delivery=Delivery.SENT.value))
        session.execute(update(Notice).where(
            Notice.round_id == vote.id, Notice.kind == NoticeKind.OUTCOME.value)
            .values(delivery=Delivery.PENDING.value, sent_at=None, send_after=vote.closed_at))
    with smtp_server() as server:
        app.config.update(smtp_settings(server.port))
        report = notice_mail.send_due(app)
        assert (report.retried, report.failed) == (0, 0)
        with server.lock:
            received = list(server.received)
    return {str(m["To"]): m for m in received
           if re.search(rf"\] (Decided|Décidé) ?: {re.escape(title)}, ", str(m["Subject"]))}


def _result(app: Flask, demo_ids: dict[str, int]) -> dict[str, Any]:
    with app.app_context():
        vote = db.session().get_one(Proposal, demo_ids["scic_college"]).rounds[-1]
        found: dict[str, Any] = json.loads(vote.result_json or "{}")
        return found


def _images(message: EmailMessage) -> dict[str, bytes]:
    """The images sent inline beside the HTML, by Content-ID."""
    found = {}
    for part in message.walk():
        if part.get_content_type() == "image/png":
            assert part.get_content_disposition() == "inline"
            cid = str(part["Content-ID"]).strip("<>")
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            found[cid] = payload
    return found


def _part(message: EmailMessage, kind: str) -> str:
    part = message.get_body((kind,))
    assert part is not None
    return str(part.get_content())


def test_the_outcome_email_shows_each_chart_as_an_image_with_the_engines_figures(
        app: Flask, demo_ids: dict[str, int], outcome_mail: dict[str, EmailMessage]) -> None:
    message = outcome_mail[READS_ENGLISH]
    related = next(p for p in message.walk() if p.get_content_type() == "multipart/related")
    assert next(p.get_content_type() for p in related.iter_parts()) == "text/html"
    images = _images(message)
    html, text = _part(message, "html"), _part(message, "plain")
    shown = dict(re.findall(r'<img src="cid:([^"]+)" alt="([^"]+)"', html))
    assert set(shown) == set(images)
    assert {cid.split("@")[0].rsplit("-", 1)[1] for cid in shown} >= {
        "participation", "positions", "colleges"}
    for data in images.values():
        with Image.open(BytesIO(data)) as picture:
            assert picture.format == "PNG"
            assert picture.width == 720  # the 360-wide drawing, twice, for sharp screens
    alts = html_text.unescape(" ".join(shown.values()))
    result = _result(app, demo_ids)
    with app.test_request_context(), force_locale("en"):
        share = percent(Fraction(result["weighted_yes_share"]))
        heading = {name: (f"{name}: {percent(Fraction(c['weight_effective']))} of the votes, "
                          f"{percent(Fraction(c['yes_share']))} for")
                   for name, c in result["colleges"].items()}
    assert len(heading) == 3
    for said in (alts, text):
        assert f"Weighted share for: {share}" in said
        for name, words in heading.items():
            assert words in said, name
        assert (f"{result['present']} of {result['eligible']} took part") in said
    assert share == "80%"


def test_a_french_reader_reads_the_charts_in_french(
        outcome_mail: dict[str, EmailMessage]) -> None:
    message = outcome_mail[ADMIN]
    assert str(message["Content-Language"]) == "fr"
    html = _part(message, "html")
    assert "Part pondérée pour : 80\xa0%" in html
    assert "Part pondérée pour : 80\xa0%" in _part(message, "plain")
    assert len(_images(message)) >= 3
