"""E-mail: sent through SMTP in production, printed to the console in development."""

from __future__ import annotations

import re
import smtplib
import sys
from email.message import EmailMessage

from flask import Flask, current_app

#: What may not stand in a header line: a name stored with a line break before names were
#: checked must not make every e-mail naming it fail.
_HEADER_BREAKS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def header_text(text: str) -> str:
    """``text`` on one line, fit for a header such as the subject."""
    return _HEADER_BREAKS.sub(" ", text).strip()


def send(to: str, subject: str, body: str) -> None:
    """Send a plain-text e-mail with the configured backend."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = header_text(subject)
    message.set_content(body)
    outbox = current_app.extensions.get("decisions.outbox")
    if outbox is not None:  # tests read what was sent
        outbox.append(message)
    if config["MAIL_BACKEND"] == "smtp":
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(message)
    elif config["MAIL_BACKEND"] == "console":
        print(f"--- e-mail to {to}: {subject}\n{body}\n---", file=sys.stderr, flush=True)


def init_app(app: Flask) -> None:
    """Keep sent messages in an outbox when testing."""
    if app.testing:
        app.extensions["decisions.outbox"] = []
