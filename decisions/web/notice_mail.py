"""The e-mails of notices: written when they are sent, then sent (``send_due``).

A notice row holds no text (``models.notice``): its e-mail is written at sending time from
the rows it names, so it says what is true then (the time left, the outcome) in the
recipient's language: the account's, else the organisation's, else English (an invitation
or a password reset: the account's, else the language of the page it was asked from). Dates
are in the organisation's time zone. Each message has a plain-text part and an HTML part,
from ``templates/mail/<kind>.txt`` and ``.html`` around a shared layout; the e-mail of a
round that opens carries the deadline as an ``.ics`` event.

Every message has a Message-ID derived from the notice's id (the same at every attempt, so
that a copy sent twice can be told: ``services.outbox`` says when that can happen), and, but
for invitations and password resets, ``List-Unsubscribe`` with one-click unsubscribe
(RFC 8058) for its kind and organisation, and the same link in its footer.

Secret rounds: no message names who took which position; an objection in a secret round
says only that one was raised. Links that sign a member in to answer (``payload["link"]``)
are the events' (``services.notices``): they are never made for secret rounds.

Links are absolute, to ``BASE_URL``: the sender runs outside any request (the scheduler,
``decisions send-mail``), so it builds them in a request context made for that address.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import logging
import re
import secrets
import smtplib
import threading
from binascii import b2a_qp
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from email import encoders
from email.charset import BASE64, Charset
from email.header import Header
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.policy import Compat32
from email.utils import format_datetime, formataddr, parseaddr
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.dates import format_datetime as babel_datetime
from flask import Flask, current_app, render_template, url_for
from flask_babel import LazyString, force_locale, get_locale
from flask_babel import gettext as babel_gettext
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext as babel_ngettext
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.routing import BuildError

from . import db as database
from . import mail, transactions
from .account.calendar import deadline_uid
from .assemblies.mail import convocation_letter
from .chart_images import png_bytes
from .charts import drawings
from .config import audit_folder
from .emails import duration_in_words, reset_key
from .i18n import local_time, zone_of
from .ics import DeadlineEntry, deadline_events
from .labels import role_label
from .models import (
    ALWAYS_SENT,
    Ballot,
    Delivery,
    Membership,
    Notice,
    NoticeKind,
    Organisation,
    Proposal,
    Role,
    Round,
    RoundEvent,
    User,
    WebhookEndpoint,
)
from .proposals.rule_words import OUTCOME_LABELS, ROUND_KIND_LABELS, ROUND_STATUS_LABELS
from .proposals.rule_words import rule_sentences as rule_words
from .rounds.views import duration, explain, position_label
from .services import charts as chart_service
from .services import checkpoints, notices, outbox, results, webhooks
from .services import rounds as round_service
from .services.unsubscribing import unsubscribe_token

logger = logging.getLogger(__name__)

#: The view of the single-use links that sign a member in to answer (``services.notices``
#: makes their tokens): one button per position. Without it, the button opens the round.
ANSWER_ENDPOINT = "answer.confirm"
#: Headers that are not ASCII (a subject, a name) as RFC 2047 base64 words: the library's
#: default for UTF-8 (the shorter of Q and B) measures the Q encoding of every prefix of the
#: text as it cuts it into lines, a tenth of a message's writing time.
UTF8_HEADER = Charset("utf-8")
UTF8_HEADER.header_encoding = BASE64
#: How a message is written out for SMTP. The classic ``email.mime`` classes with this policy
#: write a message three times faster than ``EmailMessage`` under the default policy (which
#: parses every header it is given, and folds ``List-Unsubscribe``'s long URL into RFC 2047
#: encoded words unless told otherwise), and the bytes are handed to the server as they are.
class _Wire(Compat32):
    """The classic policy, writing a short one-line ASCII header as it is: the library makes
    a ``Header`` of every value to fold it, a twentieth of a message's writing time, for the
    same bytes (``test_outbox.py`` compares them for any ASCII text)."""

    def _fold(self, name: str, value: Any, sanitize: bool) -> str:
        if (type(value) is str and value.isascii() and value.isprintable()
                and len(name) + len(value) + 2 <= (self.max_line_length or 78)):
            return f"{name}: {value}{self.linesep}"
        folded: str = super()._fold(name, value, sanitize)  # type: ignore[misc]
        return folded


WIRE = _Wire(linesep="\r\n")
#: The longest line of a header that holds RFC 2047 encoded words (its section 2).
ENCODED_LINE = 76
#: The most of a version's text an e-mail quotes when the version has no summary.
QUOTED_TEXT = 600

#: A kind of notice in words, after "Stop e-mails about ..." (the unsubscribe link and page).
KIND_NAMES: dict[NoticeKind, LazyString] = {
    NoticeKind.ROUND_OPENED: _l("rounds that open"),
    NoticeKind.REMINDER: _l("reminders before a deadline"),
    NoticeKind.NUDGE: _l("reminders from facilitators"),
    NoticeKind.OBJECTION: _l("objections raised"),
    NoticeKind.NEW_VERSION: _l("new versions to consent to again"),
    NoticeKind.OUTCOME: _l("outcomes decided"),
    NoticeKind.DIGEST: _l("daily digests"),
    NoticeKind.WEBHOOK_DISABLED: _l("disabled webhook endpoints"),
    NoticeKind.REVIEW_DUE: _l("review dates of the decisions you proposed"),
}

#: A kind of notice as the title of an item of a digest.
KIND_TITLES: dict[NoticeKind, LazyString] = {
    NoticeKind.ROUND_OPENED: _l("Round opened"),
    NoticeKind.REMINDER: _l("Reminder"),
    NoticeKind.NUDGE: _l("Reminder from a facilitator"),
    NoticeKind.OBJECTION: _l("Objection raised"),
    NoticeKind.NEW_VERSION: _l("New version"),
    NoticeKind.OUTCOME: _l("Outcome decided"),
    NoticeKind.WEBHOOK_DISABLED: _l("Webhook endpoint disabled"),
    NoticeKind.REVIEW_DUE: _l("Review date reached"),
}


def _(message: str, **values: Any) -> str:
    """A message in the current language (Flask-Babel's ``gettext``, typed)."""
    return str(babel_gettext(message, **values))


def ngettext(singular: str, plural: str, num: int, **values: Any) -> str:
    """The singular or plural form, by ``num``, in the current language."""
    return str(babel_ngettext(singular, plural, num, **values))


class Unsendable(Exception):
    """A notice that will never be sent, and why (a reminder of a round already closed)."""


# Writing -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file attached to a message."""

    filename: str
    maintype: str
    subtype: str
    data: bytes
    params: tuple[tuple[str, str], ...] = ()  # of its Content-Type


@dataclass(frozen=True, slots=True)
class InlineImage:
    """An image the HTML part shows (``<img src="cid:...">``), sent beside it in
    ``multipart/related``: a chart, with its text alternative."""

    cid: str
    data: bytes
    alt: str
    width: int
    height: int
    subtype: str = "png"


@dataclass
class Letter:
    """What a kind of notice says: the subject, the template (``mail/<template>``) and its
    values, the attachments, the images its HTML shows."""

    subject: str
    template: str
    values: dict[str, Any] = field(default_factory=dict)
    attachments: list[Attachment] = field(default_factory=list)
    images: list[InlineImage] = field(default_factory=list)


@dataclass
class Writing:
    """Everything the writer of one notice reads."""

    db: Session
    notice: Notice
    kind: NoticeKind
    payload: dict[str, Any]
    user: User | None
    organisation: Organisation | None
    now: datetime

    @property
    def round(self) -> Round:
        found = self.db.get(Round, self.notice.round_id) if self.notice.round_id else None
        if found is None:
            raise Unsendable(f"the {self.kind} notice names no round")
        return found

    @property
    def proposal(self) -> Proposal:
        proposal_id = self.notice.proposal_id or (
            self.round.proposal_id if self.notice.round_id else None)
        found = self.db.get(Proposal, proposal_id) if proposal_id else None
        if found is None:
            raise Unsendable(f"the {self.kind} notice names no proposal")
        return found

    def membership(self) -> Membership | None:
        """The recipient's membership of the organisation (ended or not)."""
        if self.user is None or self.organisation is None:
            return None
        return self.db.scalar(select(Membership).where(
            Membership.user_id == self.user.id,
            Membership.organisation_id == self.organisation.id))


def language_of(notice: Notice, payload: dict[str, Any], user: User | None,
                organisation: Organisation | None) -> str:
    """The recipient's language: the account's, else (an invitation, a password reset) the
    page's it was asked from, else the organisation's, else English."""
    languages = current_app.config["LANGUAGES"]
    asked = payload.get("language") if notice.kind in ALWAYS_SENT else None
    for candidate in (user.language if user else None, asked,
                      organisation.language if organisation else None):
        if candidate in languages:
            return str(candidate)
    return "en"


@functools.lru_cache(maxsize=4)
def _sender(setting: str) -> tuple[str, str]:
    """``MAIL_SENDER`` as a From header and as the envelope's address, parsed once (three
    parsings a message were a twentieth of its writing time)."""
    name, address = parseaddr(setting)
    return formataddr((name, address), charset="utf-8"), address


def _sender_domain() -> str:
    return _sender(str(current_app.config["MAIL_SENDER"]))[1].rpartition("@")[2]


def message_id(notice_id: int) -> str:
    """The Message-ID of a notice's e-mail: the same at every attempt, unique to this
    installation (keyed with its secret key), at the sender's domain."""
    domain = _sender_domain()
    key = str(current_app.config["SECRET_KEY"]).encode()
    tag = hmac.new(key, f"notice:{notice_id}".encode(), hashlib.sha256).hexdigest()[:16]
    return f"<notice-{notice_id}.{tag}@{domain or 'localhost'}>"


def unsubscribe_url(user_id: int, organisation_id: int, kind: NoticeKind) -> str:
    """The one-click unsubscribe link of a kind of notice from an organisation."""
    token = unsubscribe_token(str(current_app.config["SECRET_KEY"]), user_id,
                              organisation_id, kind)
    return url_for("unsubscribe.one_click", token=token, _external=True)


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message ready for the server: the envelope's sender and recipient, the bytes."""

    sender: str
    recipient: str
    data: bytes


#: Stand-ins for what is each recipient's own in a letter written once for many (a round's
#: electors): the token of the answer link, the unsubscribe link. Letters, ASCII digits and
#: dashes only, so that ``url_for`` and HTML escaping leave them as they are.
LINK_SLOT = "slot-answer-link-6f1c2e"
UNSUBSCRIBE_SLOT = "https://slot-unsubscribe-6f1c2e"


#: Where a recipient's text and HTML parts go in a letter's :class:`Frame`.
TEXT_PART, HTML_PART = "slot-text-part-6f1c2e", "slot-html-part-6f1c2e"


@dataclass(frozen=True, slots=True)
class Frame:
    """A letter's MIME structure, written out once by the ``email`` package: its own
    headers (Content-Type with its boundary, MIME-Version) and its body cut where each
    recipient's text and HTML parts go. A round's opening to thousands of electors is
    then one structure, one ``.ics`` and its images encoded once, and each message joins
    bytes: building and flattening the parts for each recipient was two thirds of a
    message's writing time."""

    headers: bytes
    before_text: bytes
    before_html: bytes
    after_html: bytes

    @classmethod
    def of(cls, attachments: list[Attachment], images: list[InlineImage]) -> Frame:
        data = _mime(attachments, images).as_bytes(policy=WIRE)
        headers, _, body = data.partition(b"\r\n\r\n")
        before_text, _, rest = body.partition(TEXT_PART.encode())
        before_html, _, after_html = rest.partition(HTML_PART.encode())
        return cls(headers + b"\r\n", before_text, before_html, after_html)

    def message(self, headers: bytes, text: str, html: str) -> bytes:
        """A recipient's message: the frame's headers, then ``headers`` (written out), then
        the body with their ``text`` and ``html``."""
        return b"".join((self.headers, headers, b"\r\n", self.before_text,
                         quoted_printable(text), self.before_html, quoted_printable(html),
                         self.after_html))


#: A space or a tab that ends a line, as ``b2a_qp`` writes it.
_ENDING_SPACE = re.compile(rb"=(?:20|09)\n")


def quoted_printable(text: str) -> bytes:
    """A text part's body in UTF-8, quoted-printable (RFC 2045: readable, 7-bit, no line
    longer than 76 characters), its lines ending in CRLF, by the standard library's C
    encoder (``binascii``): a quarter of the ``email`` package's time, which encodes in
    Python. Line breaks are those the ``email`` package reads as such in a text part: CRLF,
    LF and CR."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").encode()
    return _shortened(b2a_qp(lines, istext=True)).replace(b"\n", b"\r\n")


def _shortened(encoded: bytes) -> bytes:
    """``b2a_qp``'s output without its lines longer than 76 characters: it counts a space
    or tab that ends a line as one character, then writes it as three (``=20``), so that
    a line of 75 or 76 ends at 77 or 78. Such a line is cut before the space with a soft
    line break, as the ``email`` package cuts it."""
    pieces: list[bytes] = []
    start = 0
    for found in _ENDING_SPACE.finditer(encoded):
        line_start = encoded.rfind(b"\n", 0, found.start()) + 1
        if found.end() - 1 - line_start > 76:  # the line's length, its "=20" included
            pieces += [encoded[start:found.start()], b"=\n"]
            start = found.start()
    return b"".join([*pieces, encoded[start:]]) if pieces else encoded


@dataclass(frozen=True, slots=True)
class Written:
    """A letter written out in one language, with the slots of its recipient's own links,
    and its MIME structure (:class:`Frame`)."""

    subject: str
    text: str
    html: str
    frame: Frame


#: Letters written during one run of the sender, by what makes them differ: a round's opening
#: to five thousand electors is written once per language (and minute: the time left), not
#: five thousand times.
Letters = dict[tuple[Any, ...], Written]


def write(db: Session, notice: Notice, now: datetime, letters: Letters | None = None,
          ) -> Outgoing:
    """The e-mail of ``notice`` at ``now`` (in a request context, for links: :func:`links`),
    its letter taken from ``letters`` when one written for the same round, language and
    moment is there. :class:`Unsendable` when it will never be sent."""
    if notice.kind not in {kind.value for kind in WRITERS}:
        raise Unsendable(f"no e-mail is written for {notice.kind} notices")
    kind = NoticeKind(notice.kind)
    payload = json.loads(notice.payload or "{}")
    user = db.get(User, notice.user_id) if notice.user_id is not None else None
    address = user.email if user is not None else notice.email
    if not address:
        raise Unsendable("the notice has no recipient")
    organisation = (db.get(Organisation, notice.organisation_id)
                    if notice.organisation_id is not None else None)
    language = language_of(notice, payload, user, organisation)
    writing = Writing(db, notice, kind, payload, user, organisation, now)
    unsubscribe = None
    with force_locale(language):
        if kind not in ALWAYS_SENT and user is not None and organisation is not None:
            unsubscribe = unsubscribe_url(user.id, organisation.id, kind)
        key = _shared(writing, language)
        written = None if key is None or letters is None else letters.get(key)
        if written is None:
            written = _written(writing, language)
            if key is not None and letters is not None:
                letters[key] = written
    own = {LINK_SLOT: str(payload.get("link") or ""), UNSUBSCRIBE_SLOT: unsubscribe or ""}
    text, html = written.text, written.html
    for slot, value in own.items():
        text, html = text.replace(slot, value), html.replace(slot, str(escape(value)))
    from_header, envelope = _sender(str(current_app.config["MAIL_SENDER"]))
    prefix = f"[{organisation.name}] " if organisation and kind not in ALWAYS_SENT else ""
    headers: list[bytes] = [
        _line("From", from_header),
        _line("To", address),
        _subject(mail.header_text(prefix + written.subject)),
        _line("Date", format_datetime(now)),
        _line("Message-ID", message_id(notice.id)),
        _line("Auto-Submitted", "auto-generated"),  # RFC 3834: no out-of-office replies
        _line("Content-Language", language)]
    if unsubscribe is not None:  # RFC 2369 and RFC 8058
        headers += [_line("List-Unsubscribe", _OneLine(f"<{unsubscribe}>")),
                    _line("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")]
    return Outgoing(envelope, address, written.frame.message(b"".join(headers), text, html))


def _line(name: str, value: str | Header | _OneLine) -> bytes:
    """A header written out as the ``email`` package writes it in a message."""
    # The classic policy takes a Header, or any object with ``encode``; the stub says str.
    return WIRE.fold_binary(name, value)  # type: ignore[arg-type]


@functools.lru_cache(maxsize=64)
def _subject(text: str) -> bytes:
    """The Subject header written out, once for all the recipients of a letter (a subject
    that is not ASCII is encoded, a tenth of a message's writing time)."""
    if text.isascii() and "=?" not in text:  # else a reader would decode it (RFC 2047)
        return _line("Subject", text)
    # RFC 2047: encoded words of at most 75 characters, on lines of at most 76 counting
    # "Subject: " (the policy's 78 makes words of 76 and a first line of 85).
    words = Header(text, UTF8_HEADER, header_name="Subject").encode(
        linesep=WIRE.linesep, maxlinelen=ENCODED_LINE)
    return f"Subject: {words}{WIRE.linesep}".encode("ascii")


def _shared(writing: Writing, language: str) -> tuple[Any, ...] | None:
    """What a letter that many recipients share depends on (its key in ``Letters``), or
    ``None`` for a letter of one recipient's own (an objection, a digest, an invitation)."""
    kind, notice, payload = writing.kind, writing.notice, writing.payload
    if kind in (NoticeKind.ROUND_OPENED, NoticeKind.REMINDER, NoticeKind.NUDGE):
        minute = writing.now.replace(second=0, microsecond=0)  # the time left, to the minute
        return (kind, notice.round_id, language, minute, bool(payload.get("link")),
                payload.get("by"))
    if kind is NoticeKind.OUTCOME:  # what the results show depends on the reader's role
        membership = writing.membership()
        return (kind, notice.round_id, language, membership.role if membership else None)
    return None


def _written(writing: Writing, language: str) -> Written:
    """The letter of a notice written out (in the current language), with slots."""
    letter = WRITERS[writing.kind](writing)
    has_links = writing.kind not in ALWAYS_SENT and writing.user is not None \
        and writing.organisation is not None
    values = {"subject": letter.subject, "language": language,
              "organisation": writing.organisation,
              "unsubscribe": UNSUBSCRIBE_SLOT if has_links else None,
              "kind_name": KIND_NAMES.get(writing.kind, ""),
              "organisation_url": _organisation_url(writing.organisation), **letter.values}
    return Written(letter.subject, _tidy(render_template(f"mail/{letter.template}.txt", **values)),
                   render_template(f"mail/{letter.template}.html", **values),
                   Frame.of(letter.attachments, letter.images))


class _OneLine:
    """A header value written on one line as it is: a URL longer than a line, which folding
    would cut (``email``'s classic policy takes any object with ``encode`` as a Header)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def encode(self, linesep: str = "\n", maxlinelen: int | None = None, **_: Any) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text


def _boundary() -> str:
    """A multipart boundary that no part can contain: its parts are quoted-printable or
    base64, where ``=`` is followed by two hexadecimal digits or ends a line, never by
    ``_``. (Left to the library, the boundary is checked against the whole text with a
    regular expression compiled anew for each message.)"""
    return f"=_{secrets.token_hex(16)}"


def _mime(attachments: list[Attachment], images: list[InlineImage]) -> MIMEMultipart:
    """A :class:`Frame`'s structure: multipart/alternative of the text and the HTML parts
    (quoted-printable, :data:`TEXT_PART` and :data:`HTML_PART` standing for their bodies),
    the HTML inside multipart/related with the images it shows when there are some, all
    inside multipart/mixed with the attachments when there are some."""
    alternative = MIMEMultipart("alternative", boundary=_boundary())
    for body, subtype in ((TEXT_PART, "plain"), (HTML_PART, "html")):
        part = MIMENonMultipart("text", subtype, charset="utf-8")
        part["Content-Transfer-Encoding"] = "quoted-printable"
        part.set_payload(body)
        del part["MIME-Version"]  # once, at the top
        if subtype == "html" and images:
            related = MIMEMultipart("related", boundary=_boundary(), type="text/html")
            del related["MIME-Version"]
            related.attach(part)
            for image in images:
                picture = MIMEBase("image", image.subtype)
                picture.set_payload(image.data)
                encoders.encode_base64(picture)
                picture.add_header("Content-ID", f"<{image.cid}>")
                picture.add_header("Content-Disposition", "inline",
                                   filename=f"{image.cid.partition('@')[0]}.{image.subtype}")
                del picture["MIME-Version"]
                related.attach(picture)
            alternative.attach(related)
            continue
        alternative.attach(part)
    if not attachments:
        return alternative
    mixed = MIMEMultipart("mixed", boundary=_boundary())
    del alternative["MIME-Version"]
    mixed.attach(alternative)
    for attachment in attachments:
        file = MIMEBase(attachment.maintype, attachment.subtype)
        for name, value in attachment.params:
            file.set_param(name, value)
        file.set_payload(attachment.data)
        encoders.encode_base64(file)  # the bytes as they are (an .ics keeps its CRLF)
        file.add_header("Content-Disposition", "attachment", filename=attachment.filename)
        del file["MIME-Version"]
        mixed.attach(file)
    return mixed


def _tidy(text: str) -> str:
    """A plain-text part without the blank lines and trailing spaces templates leave."""
    # "-- " (with its space) is the line that mail clients know begins a signature.
    lines = [line if line == "-- " else line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def _organisation_url(organisation: Organisation | None) -> str | None:
    if organisation is None:
        return None
    return url_for("orgs.show", slug=organisation.slug, _external=True)


def _round_url(round_: Round, organisation: Organisation, endpoint: str = "rounds.show") -> str:
    return url_for(endpoint, slug=organisation.slug, proposal_id=round_.proposal_id,
                   round_id=round_.id, _external=True)


def _proposal_url(proposal: Proposal, organisation: Organisation,
                  endpoint: str = "proposals.show") -> str:
    return url_for(endpoint, slug=organisation.slug, proposal_id=proposal.id, _external=True)


def _organisation(writing: Writing) -> Organisation:
    if writing.organisation is None:
        raise Unsendable(f"the {writing.kind} notice names no organisation")
    return writing.organisation


def _version_text(proposal: Proposal, number: int) -> str:
    """A version's summary, else the beginning of its text."""
    version = next((v for v in proposal.versions if v.number == number),
                   proposal.current_version)
    if version.summary.strip():
        return version.summary.strip()
    body = version.body.strip()
    return body if len(body) <= QUOTED_TEXT else body[:QUOTED_TEXT].rsplit(" ", 1)[0] + " …"


@functools.lru_cache(maxsize=64)
def _calendar(event: DeadlineEntry) -> bytes:
    """The ``.ics`` of one deadline, written once for all the electors of a round who read
    the same language."""
    return deadline_events([event])


def _answer_buttons(writing: Writing, round_: Round, proposal: Proposal) -> list[tuple[str, str]]:
    """One button per position that signs the member in to answer, when the notice has a
    link (never in a secret round); none otherwise."""
    if not writing.payload.get("link") or proposal.secret:
        return []  # the token goes into LINK_SLOT, the recipient's own
    try:
        return [(position_label(position),
                 url_for(ANSWER_ENDPOINT, token=LINK_SLOT, position=position, _external=True))
                for position in round_service.positions_of(proposal, round_.kind)]
    except BuildError:
        return []


def _round_letter(writing: Writing) -> Letter:
    """A round that opened, a reminder before its deadline, a facilitator's reminder."""
    organisation, round_ = _organisation(writing), writing.round
    proposal = round_.proposal
    if not round_.accepting(writing.now):  # told too late: it would only mislead
        raise Unsendable("the round no longer takes answers")
    left = round_.closes_at - writing.now
    values: dict[str, Any] = {
        "proposal": proposal, "round": round_,
        "kind_label": str(ROUND_KIND_LABELS.get(round_.kind, round_.kind)),
        "text": _version_text(proposal, round_.version_number),
        "rule": rule_words(proposal.family, json.loads(proposal.params or "{}")),
        "deadline": local_time(round_.closes_at, organisation),
        "time_left": duration(left),
        "answers": _answer_buttons(writing, round_, proposal),
        "round_url": _round_url(round_, organisation),
        "candidate": round_.candidate.user.name if round_.candidate else None,
        "by": None}
    if writing.kind is NoticeKind.ROUND_OPENED:
        subject = _("Your answer is awaited: %(title)s", title=proposal.title)
        # As in the person's calendar feed, so that a calendar holding both merges them.
        event = DeadlineEntry(
            uid=deadline_uid(round_.id, values["round_url"]),
            title=_("%(round)s closes: %(title)s", round=values["kind_label"],
                    title=proposal.title),
            starts_at=round_.closes_at, url=values["round_url"], stamp=round_.opens_at,
            description=_("%(organisation)s, round %(number)d. Answer before the deadline:"
                          " %(url)s", organisation=organisation.name, number=round_.number,
                          url=values["round_url"]))
        attachments = [Attachment("deadline.ics", "text", "calendar", _calendar(event),
                                  (("charset", "utf-8"), ("method", "PUBLISH")))]
        return Letter(subject, "round_opened", values, attachments)
    if writing.kind is NoticeKind.NUDGE:
        by = writing.db.get(Membership, writing.payload.get("by") or 0)
        values["by"] = by.user.name if by is not None else None
        subject = _("Your answer is awaited: %(title)s", title=proposal.title)
        return Letter(subject, "nudge", values)
    subject = _("Reminder: %(title)s closes in %(duration)s", title=proposal.title,
                duration=values["time_left"] or duration(timedelta(0)))
    return Letter(subject, "reminder", values)


def _objection_letter(writing: Writing) -> Letter:
    """An objection raised: to the facilitators and the proposer, with its reason (in a
    secret round, neither who nor why)."""
    organisation, round_ = _organisation(writing), writing.round
    proposal = round_.proposal
    name = None
    if not proposal.secret:
        membership_id = None
        if writing.payload.get("ballot_id"):
            membership_id = writing.db.scalar(select(Ballot.membership_id).where(
                Ballot.id == writing.payload["ballot_id"]))
        elif writing.payload.get("event_id"):
            membership_id = writing.db.scalar(select(RoundEvent.membership_id).where(
                RoundEvent.id == writing.payload["event_id"]))
        member = writing.db.get(Membership, membership_id) if membership_id else None
        name = member.user.name if member is not None else None
    values = {"proposal": proposal, "round": round_, "name": name,
              "reason": None if proposal.secret else (writing.payload.get("reason") or None),
              "round_url": _round_url(round_, organisation),
              "kind_label": str(ROUND_KIND_LABELS.get(round_.kind, round_.kind))}
    return Letter(_("Objection raised: %(title)s", title=proposal.title), "objection", values)


def _new_version_letter(writing: Writing) -> Letter:
    """A new version that the rule asks earlier consents to be given again to."""
    organisation, proposal = _organisation(writing), writing.proposal
    number = int(writing.payload.get("version") or proposal.current_version.number)
    round_url = None
    if writing.notice.round_id:
        round_url = _round_url(writing.round, organisation)
    values = {"proposal": proposal, "number": number,
              "text": _version_text(proposal, number),
              "versions_url": _proposal_url(proposal, organisation, "proposals.versions"),
              "proposal_url": _proposal_url(proposal, organisation), "round_url": round_url}
    subject = _("New version of %(title)s: your consent is asked again", title=proposal.title)
    return Letter(subject, "new_version", values)


def _outcome_letter(writing: Writing) -> Letter:
    """An outcome: the numbers, the engine's explanation as the recipient may read it, the
    head of the audit chain published at the close, and where to recount."""
    organisation, round_ = _organisation(writing), writing.round
    proposal = round_.proposal
    reader = writing.membership() or Membership(role=Role.MEMBER)
    found = results.round_results(writing.db, round_, reader, writing.now,
                                  someone=_("a member"))
    head, published = checkpoints.round_head(writing.db, audit_folder(current_app), round_)
    if found.outcome:
        outcome = str(OUTCOME_LABELS.get(found.outcome, found.outcome))
    else:
        outcome = str(ROUND_STATUS_LABELS.get(round_.status, round_.status))
    images = _chart_images(writing, round_, found)
    values = {"proposal": proposal, "round": round_, "outcome": outcome, "results": found,
              "participation": found.participation, "charts": images,
              "counts": [(position_label(p), n) for p, n in (found.counts or {}).items()],
              "explanation": explain(found.explanation) if found.explanation else "",
              "audit_head": str(head) if head is not None else None,
              "audit_head_published": published,
              "results_url": _round_url(round_, organisation, "rounds.results"),
              "case_url": (_round_url(round_, organisation, "rounds.case")
                           if found.case_visible else None),
              "kind_label": str(ROUND_KIND_LABELS.get(round_.kind, round_.kind))}
    return Letter(_("Decided: %(title)s, %(outcome)s", title=proposal.title, outcome=outcome),
                  "outcome", values, images=images)


def _chart_images(writing: Writing, round_: Round, found: results.RoundResults,
                  ) -> list[InlineImage]:
    """The charts of a round's results as the recipient may see them (those of its results
    page), in their language, as PNG images with their text alternative
    (``chart_images``: why PNG)."""
    figures = chart_service.round_figures(writing.db, round_, found, writing.now)
    domain = _sender_domain()
    return [InlineImage(f"chart-{round_.id}-{drawing.kind}@{domain or 'localhost'}",
                        png_bytes(drawing), f"{drawing.title}: {drawing.description}",
                        drawing.width, drawing.view_height)
            for drawing in drawings(figures, zone=round_.proposal.organisation.timezone)]


def _invitation_letter(writing: Writing) -> Letter:
    """An invitation's link, as the invitation page promises it."""
    payload = writing.payload
    if not payload.get("token"):
        raise Unsendable("the invitation's token is gone")
    zone = zone_of(writing.organisation) if writing.organisation else ZoneInfo("UTC")
    expiry = babel_datetime(datetime.fromisoformat(payload["expires_at"]), "long",
                            tzinfo=zone, locale=get_locale())
    link = url_for("auth.invitation", token=payload["token"], _external=True)
    organisation = payload.get("organisation") or (
        writing.organisation.name if writing.organisation else "")
    subject = _("Invitation to join %(organisation)s on decisions", organisation=organisation)
    body = _(
        "Hello,\n\n"
        "%(inviter)s invites you to join %(organisation)s as %(role)s on decisions,"
        " where its members take decisions together.\n\n"
        "To accept, open this link:\n\n"
        "%(link)s\n\n"
        "The link works once, until %(expiry)s. If you did not expect this invitation,"
        " ignore this e-mail.",
        inviter=payload.get("inviter", ""), organisation=organisation,
        role=role_label(payload.get("role", "member")), link=link, expiry=expiry)
    return Letter(subject, "invitation", {"body": body, "link": link,
                                          "button": _("Accept the invitation")})


def _password_reset_letter(writing: Writing) -> Letter:
    """A link to set a new password."""
    if writing.user is None or not writing.payload.get("token"):
        raise Unsendable("the reset link's account or token is gone")
    link = url_for("auth.reset", token=writing.payload["token"], _external=True)
    subject = _("Set a new password for decisions")
    body = _(
        "Hello %(name)s,\n\n"
        "Someone, probably you, asked to set a new password for your account on"
        " decisions. To choose it, open this link within %(lifetime)s:\n\n"
        "%(link)s\n\n"
        "The link works once. If you did not ask for it, ignore this e-mail: your"
        " password stays as it is.",
        name=writing.user.name, lifetime=duration_in_words(reset_key().seconds), link=link)
    return Letter(subject, "password_reset", {"body": body, "link": link,
                                              "button": _("Choose a new password")})


def _digest_letter(writing: Writing) -> Letter:
    """The held notices of a day, one line each, with a link."""
    organisation = _organisation(writing)
    items = []
    for held in outbox.digest_content(writing.db, writing.notice.id):
        kind = NoticeKind(held.kind)
        round_ = writing.db.get(Round, held.round_id) if held.round_id else None
        proposal = (writing.db.get(Proposal, held.proposal_id) if held.proposal_id
                    else round_.proposal if round_ is not None else None)
        url = (_round_url(round_, organisation) if round_ is not None
               else _proposal_url(proposal, organisation) if proposal is not None
               else _organisation_url(organisation))
        items.append({"title": str(KIND_TITLES.get(kind, kind)),
                      "about": proposal.title if proposal is not None else "",
                      "when": local_time(held.created_at, organisation), "url": url})
    if not items:
        raise Unsendable("the digest gathers nothing")
    subject = ngettext("%(count)d notice from %(organisation)s",
                       "%(count)d notices from %(organisation)s", len(items),
                       count=len(items), organisation=organisation.name)
    return Letter(subject, "digest", {"items": items})


def _webhook_disabled_letter(writing: Writing) -> Letter:
    """An endpoint disabled after a day of failures (or a 410), to the organisation's
    admins: which one, why, its last answer, and the page where it is turned on again."""
    organisation = _organisation(writing)
    endpoint = writing.db.get(WebhookEndpoint, writing.payload.get("endpoint") or 0)
    if endpoint is None or endpoint.organisation_id != organisation.id:
        raise Unsendable("the endpoint is gone")
    if endpoint.disabled_at is None:  # turned on again meanwhile: it would only mislead
        raise Unsendable("the endpoint was turned on again")
    last = webhooks.last_attempt(writing.db, endpoint)
    name = webhooks.name_of(endpoint)
    values = {"name": name, "host": webhooks.host_of(endpoint),
              "gone": endpoint.disabled_reason == "gone",
              "status": None if last is None else last.last_status,
              "endpoint_url": url_for("integrations.webhook", slug=organisation.slug,
                                      endpoint_id=endpoint.id, _external=True)}
    return Letter(_("Webhook endpoint disabled: %(name)s", name=name), "webhook_disabled",
                  values)


def _review_due_letter(writing: Writing) -> Letter:
    """A decision the recipient proposed whose review date has come: what was decided, and
    where to take it up again (a new version or proposal is theirs to put forward)."""
    organisation, proposal = _organisation(writing), writing.proposal
    if proposal.review_date is None:
        raise Unsendable("the decision has no review date any more")
    day = date.fromisoformat(str(writing.payload.get("review_date")
                                 or proposal.review_date.isoformat()))
    outcome = str(OUTCOME_LABELS.get(proposal.outcome or "", proposal.outcome or ""))
    values = {"proposal": proposal, "outcome": outcome,
              "review_date": format_date(day, "long", locale=get_locale()),
              "decided_on": (format_date(proposal.decided_at.astimezone(
                  zone_of(organisation)).date(), "long", locale=get_locale())
                             if proposal.decided_at else None),
              "statement": proposal.outcome_statement.strip(),
              "history_url": _proposal_url(proposal, organisation, "register.history"),
              "register_url": url_for("register.index", slug=organisation.slug,
                                      _external=True)}
    return Letter(_("Review date reached: %(title)s", title=proposal.title), "review_due",
                  values)


WRITERS: dict[NoticeKind, Callable[[Writing], Letter]] = {
    NoticeKind.ROUND_OPENED: _round_letter,
    NoticeKind.REMINDER: _round_letter,
    NoticeKind.NUDGE: _round_letter,
    NoticeKind.OBJECTION: _objection_letter,
    NoticeKind.NEW_VERSION: _new_version_letter,
    NoticeKind.OUTCOME: _outcome_letter,
    NoticeKind.INVITATION: _invitation_letter,
    NoticeKind.PASSWORD_RESET: _password_reset_letter,
    NoticeKind.DIGEST: _digest_letter,
    NoticeKind.CONVOCATION: convocation_letter,  # issue 13: general assemblies
    NoticeKind.WEBHOOK_DISABLED: _webhook_disabled_letter,
    NoticeKind.REVIEW_DUE: _review_due_letter,
}


@contextmanager
def links(app: Flask) -> Iterator[None]:
    """A request context at ``BASE_URL``, so that ``url_for`` writes absolute links to the
    site although no request is being served (it is built as Flask's test contexts are,
    and serves nothing else)."""
    with app.test_request_context(base_url=str(app.config.get("BASE_URL")
                                                or "http://127.0.0.1:5000")):
        yield


# Sending -------------------------------------------------------------------------------


@dataclass
class Report:
    """What one run of the sender did."""

    sent: int = 0  # accepted by the SMTP server (or kept by the tests' memory backend)
    printed: int = 0  # printed on the console: nobody was told
    retried: int = 0  # failed, tried again later
    failed: int = 0  # given up
    released: int = 0  # claimed, not tried (the sender stopped early)
    lost: int = 0  # sent after the claim was lost (another sender may have sent it too)
    digests: int = 0
    announced: int = 0  # notices written from announcements (a round's opening) first

    def add(self, other: Report) -> None:
        """Count what another sender of the same run did."""
        for count in fields(self):
            setattr(self, count.name, getattr(self, count.name) + getattr(other, count.name))

    def __str__(self) -> str:
        return (f"{self.sent} sent, {self.retried} to try again, {self.failed} given up"
                + (f", {self.printed} printed on the console (not sent)" if self.printed
                   else "")
                + (f", {self.digests} digests composed" if self.digests else ""))


def _failure(error: BaseException) -> tuple[str, bool]:
    """An error in words, and whether it is final: the server refused the recipient or the
    message for good (a 5xx answer). Anything else (the server down or busy, a timeout,
    our sender address refused: a setting to fix) is tried again later."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = list(error.recipients.values())
        text = "; ".join(f"{code} {reply.decode(errors='replace')}" for code, reply in answers)
        return f"recipient refused: {text}", bool(answers) and all(
            500 <= code < 600 for code, _reply in answers)
    if isinstance(error, smtplib.SMTPDataError):
        reply = error.smtp_error.decode(errors="replace") if isinstance(
            error.smtp_error, bytes) else str(error.smtp_error)
        return f"message refused: {error.smtp_code} {reply}", 500 <= error.smtp_code < 600
    return f"{type(error).__name__}: {error}", False


def compose_digests(app: Flask) -> int:
    """Compose the digests due now, in one transaction; how many."""
    with app.app_context():
        sessions: sessionmaker[Session] = app.extensions["decisions.db"]
        with sessions() as session:
            composed = outbox.compose_digests(transactions.begin_write(session),
                                              database.utcnow())
            session.commit()
    if composed:
        logger.info("%d daily digests composed", len(composed))
    return len(composed)


def send_due(app: Flask, *, batches: int | None = None, limit: int = outbox.BATCH,
             senders: int | None = None) -> Report:
    """Send the notices due now, a batch at a time, until none is left (or ``batches``
    were sent, by one sender). Each batch: claim and commit, one connection to the server,
    each message marked sent and committed as soon as the server accepted it.

    ``senders`` (``MAIL_SENDERS``, 3) threads send batches side by side, each claiming its
    own as separate senders do: while one waits for the mail server's answers or for a
    commit, another writes its next message."""
    count = 1 if batches is not None else senders or int(app.config.get("MAIL_SENDERS", 3))
    report = Report()
    with app.app_context():
        report.announced = notices.expand_due(app.extensions["decisions.db"],
                                              database.utcnow())
    if count <= 1:
        _send_until_done(app, batches, limit, report)
        return report
    reports = [Report() for _ in range(count)]
    failures: list[BaseException] = []

    def sender(own: Report) -> None:
        try:
            _send_until_done(app, None, limit, own)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=sender, args=(own,), name=f"mail-sender-{number}")
               for number, own in enumerate(reports)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for own in reports:
        report.add(own)
    if failures:
        raise failures[0]
    return report


def _send_until_done(app: Flask, batches: int | None, limit: int, report: Report) -> None:
    """One sender: batches until none is left (or ``batches`` were sent)."""
    letters: Letters = {}
    with app.app_context():
        while batches is None or batches > 0:
            batches = None if batches is None else batches - 1
            if _send_batch(app, limit, report, letters) < limit:
                break


def _send_batch(app: Flask, limit: int, report: Report, letters: Letters) -> int:
    """Claim one batch and send it; how many rows were claimed."""
    sessions: sessionmaker[Session] = app.extensions["decisions.db"]
    with sessions() as session:
        claim = outbox.claim(transactions.begin_write(session), database.utcnow(), limit=limit)
        session.commit()
        if not claim.ids:
            return 0
        try:
            with links(app):
                _send_claimed(app, session, claim, report, letters)
        finally:
            session.rollback()
            released = outbox.release(transactions.begin_write(session), claim.token)
            session.commit()
            report.released += released
    return len(claim.ids)


def _send_claimed(app: Flask, session: Session, claim: outbox.Claim, report: Report,
                  letters: Letters) -> None:
    connection: mail.Connection | None = None
    notices = outbox.claimed(session, claim)
    # The recipients and their organisations in two queries rather than one each. Held here:
    # the session's identity map keeps objects only while something refers to them, so
    # ``write``'s ``Session.get`` finds them instead of loading each again.
    held = [*session.scalars(select(User).where(  # noqa: F841 - held alive on purpose
                User.id.in_({n.user_id for n in notices if n.user_id}))),
            *session.scalars(select(Organisation).where(
                Organisation.id.in_({n.organisation_id for n in notices if n.organisation_id})))]
    with _connections(app) as connect:
        for notice in notices:
            now = database.utcnow()
            if now - claim.at >= outbox.LEASE / 2:
                return  # the rest is released, before another sender may take it over
            try:
                message = write(session, notice, now, letters)
            except Unsendable as error:
                _failed(session, notice, claim, str(error), report, permanent=True)
                continue
            except Exception as error:
                logger.exception("Notice %d could not be written", notice.id)
                _failed(session, notice, claim, f"not written: {error!r}", report)
                continue
            try:
                if connection is None:
                    connection = connect()
            except (OSError, smtplib.SMTPException) as error:
                logger.warning("The mail server cannot be reached: %s", error)
                text, _final = _failure(error)
                for left in outbox.claimed(session, claim):
                    _failed(session, left, claim, text, report)
                return
            try:
                connection.send(message.sender, message.recipient, message.data)
            except (OSError, smtplib.SMTPException) as error:
                text, final = _failure(error)
                _failed(session, notice, claim, text, report, permanent=final)
                if isinstance(error, (OSError, smtplib.SMTPServerDisconnected)):
                    connection = None  # connect again for the next one
                continue
            sent = outbox.mark_sent(transactions.begin_write(session), notice, claim.token,
                                    database.utcnow(), printed=not connection.delivers)
            session.commit()
            if connection.delivers:
                report.sent += 1
            else:
                report.printed += 1
            if not sent:
                report.lost += 1
                logger.warning("Notice %d was sent after its claim was taken over", notice.id)


@contextmanager
def _connections(app: Flask) -> Iterator[Callable[[], mail.Connection]]:
    """A function that opens the batch's one connection when the first message is ready
    (and again after the server hung up), all closed at the end."""
    with ExitStack() as opened:
        yield lambda: opened.enter_context(mail.connect(app))


def _failed(session: Session, notice: Notice, claim: outbox.Claim, error: str, report: Report,
            *, permanent: bool = False) -> None:
    session.rollback()  # what writing the message read (or broke) ends here
    state = outbox.mark_failed(transactions.begin_write(session), notice, claim.token, error,
                               database.utcnow(), permanent=permanent)
    session.commit()
    if state is Delivery.FAILED:
        report.failed += 1
        logger.warning("Notice %d given up: %s", notice.id, error)
    elif state is Delivery.PENDING:
        report.retried += 1


def send_mail(app: Flask, *, batches: int | None = None) -> Report:
    """The sender's job: compose the digests due, then send what is due."""
    digests = compose_digests(app)
    report = send_due(app, batches=batches)
    report.digests = digests
    if report.sent or report.printed or report.retried or report.failed or report.announced:
        logger.info("Mail: %s", report)
    return report
