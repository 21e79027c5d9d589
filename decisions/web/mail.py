"""E-mail transports: how a written message leaves the application.

- ``"smtp"``: an SMTP server (``MAIL_SERVER``, ``MAIL_PORT``; STARTTLS with
  ``MAIL_USE_TLS``, or TLS from the first byte with ``MAIL_USE_SSL``; ``MAIL_USERNAME`` and
  ``MAIL_PASSWORD`` when it asks for them), one connection for a whole batch;
- ``"console"`` (the default, for ``make run``): the plain-text part printed on standard
  error, the notice then marked ``printed``, not ``sent``: no server accepted it, so it is
  never counted among the electors told of a round (``services.notices.told_by_mail``);
- ``"memory"`` (tests): the bytes of each message kept in
  ``app.extensions["decisions.outbox"]``, a list that the tests read (``"outbox"`` is its
  older name, still accepted).

Only the sender (``notice_mail.send_due``) uses a transport: a request never talks to an
SMTP server, it writes a notice row.

The standard library's ``smtplib`` and ``email`` are used rather than an extension such as
Flask-Mail: no dependency to keep up to date, full control of every header (Message-ID,
List-Unsubscribe, Auto-Submitted), and the ``email`` package already builds
multipart/alternative messages with attachments (the ``.ics`` of a deadline) and encodes
non-ASCII headers and bodies correctly (``notice_mail`` writes a letter's structure once with
its ``email.mime`` classes, and each recipient's text parts with ``binascii``'s
quoted-printable encoder; tests read them back with ``EmailMessage``).
"""

from __future__ import annotations

import email
import email.policy
import re
import smtplib
import ssl
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Protocol

from flask import Flask

BACKENDS = ("smtp", "console", "memory", "outbox")
#: Seconds an SMTP exchange may take before the attempt fails (and is tried again later).
TIMEOUT = 30

#: What may not stand in a header line: a name stored with a line break before names were
#: checked must not make every e-mail naming it fail.
_HEADER_BREAKS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def header_text(text: str) -> str:
    """``text`` on one line, fit for a header such as the subject."""
    return _HEADER_BREAKS.sub(" ", text).strip()


class Connection(Protocol):
    """An open transport: sends one message at a time, written out (``data``: the bytes of
    the message, lines ending in CRLF); an error raised is the message's failure
    (``smtplib.SMTPException`` or ``OSError``). ``delivers``: whether a message it took
    has reached its recipient's server (not the console's, which only prints it)."""

    delivers: bool

    def send(self, sender: str, recipient: str, data: bytes) -> None: ...


class _Smtp:
    delivers = True

    def __init__(self, smtp: smtplib.SMTP) -> None:
        self.smtp = smtp

    def send(self, sender: str, recipient: str, data: bytes) -> None:
        self.smtp.sendmail(sender, [recipient], data)


class _Console:
    delivers = False  # printed for the developer: nobody was told

    def send(self, sender: str, recipient: str, data: bytes) -> None:
        message = email.message_from_bytes(data, policy=email.policy.default)
        body = message.get_body(("plain",)) if isinstance(message, EmailMessage) else None
        text = body.get_content() if isinstance(body, EmailMessage) else ""
        print(f"--- e-mail to {recipient}: {message['Subject']}\n{text}\n---",
              file=sys.stderr, flush=True)


class _Memory:
    delivers = True  # the tests' stand-in for a server that accepts every message

    def __init__(self, kept: list[bytes]) -> None:
        self.kept = kept

    def send(self, sender: str, recipient: str, data: bytes) -> None:
        self.kept.append(data)


def backend(app: Flask) -> str:
    """The configured backend (``MAIL_BACKEND``)."""
    chosen = str(app.config.get("MAIL_BACKEND") or "console")
    if chosen not in BACKENDS:
        raise ValueError(f"MAIL_BACKEND must be one of {', '.join(BACKENDS)}, not {chosen!r}")
    return chosen


def configured(app: Flask) -> bool:
    """Whether e-mail really leaves the application (an SMTP server is configured)."""
    return backend(app) == "smtp"


def printed_only(app: Flask) -> bool:
    """Whether e-mail is only printed on the console (the development default): a message
    then tells nobody, which a facilitator opening a round must know."""
    return backend(app) == "console"


@contextmanager
def connect(app: Flask) -> Iterator[Connection]:
    """An open connection of the configured backend, closed afterwards. Connecting may
    raise ``OSError`` or ``smtplib.SMTPException`` (the server is down, refuses us...)."""
    chosen = backend(app)
    if chosen in ("memory", "outbox"):
        yield _Memory(app.extensions.setdefault("decisions.outbox", []))
    elif chosen == "console":
        yield _Console()
    else:
        smtp = _smtp(app)
        try:
            yield _Smtp(smtp)
        finally:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()  # the server hung up first: the messages are marked already


def _smtp(app: Flask) -> smtplib.SMTP:
    """A connected, secured and authenticated SMTP session. The TLS context is made only for
    a server spoken to with TLS: loading the system's certificates takes tens of
    milliseconds, which a local server without TLS would pay at every batch."""
    config = app.config
    host, port = str(config["MAIL_SERVER"]), int(config["MAIL_PORT"])
    timeout = float(config.get("MAIL_TIMEOUT") or TIMEOUT)
    smtp: smtplib.SMTP
    if config.get("MAIL_USE_SSL"):
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout,
                                context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(str(config["MAIL_USERNAME"]), str(config.get("MAIL_PASSWORD") or ""))
    except BaseException:
        smtp.close()
        raise
    return smtp


def init_app(app: Flask) -> None:
    """Check the backend's name; keep sent messages in memory when testing."""
    if backend(app) in ("memory", "outbox") or app.testing:
        app.extensions["decisions.outbox"] = []
