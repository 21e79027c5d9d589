"""The e-mails the test application sent, and the links in them.

:func:`sent` runs the real sender once (``notice_mail.send_due`` with the memory backend)
before it answers, so that the tests of pages that write notices (an invitation, a password
reset) read what the outbox really delivers, rendered as it is at sending time."""

from __future__ import annotations

import email
import re
from email.contentmanager import ContentManager, raw_data_manager
from email.message import EmailMessage
from email.policy import default
from typing import Any

from flask import Flask

from decisions.web import notice_mail


def _plain_text(message: EmailMessage, *args: Any, **kwargs: Any) -> Any:
    """The plain-text part of a multipart message, as a reader of plain text sees it."""
    body = message.get_body(("plain",))
    assert isinstance(body, EmailMessage), message
    return raw_data_manager.get_content(body, *args, **kwargs)


#: The messages as parsed from their bytes (as a receiving server reads them), where
#: ``get_content()`` of a multipart message is its plain-text part.
READING = ContentManager()
for _key, _handler in raw_data_manager.get_handlers.items():  # type: ignore[attr-defined]
    READING.add_get_handler(_key, _handler)
READING.add_get_handler("multipart", _plain_text)
POLICY = default.clone(content_manager=READING)


def deliver(app: Flask) -> notice_mail.Report:
    """Run the sender once: every notice due is sent (with the test's backend)."""
    return notice_mail.send_due(app)


def sent(app: Flask) -> list[EmailMessage]:
    """Every e-mail sent so far, oldest first (the due ones are sent first)."""
    deliver(app)
    outbox: list[bytes] = app.extensions["decisions.outbox"]
    return [parse(data) for data in outbox]


def parse(data: bytes) -> EmailMessage:
    """A message read from its bytes."""
    message = email.message_from_bytes(data, policy=POLICY)
    assert isinstance(message, EmailMessage)
    return message


def last_link(app: Flask, path: str) -> str:
    """The path of the link to ``path...`` in the last e-mail (``/auth/reset/<token>``)."""
    body = sent(app)[-1].get_content()
    found = re.search(rf"https?://[^/\s]+({re.escape(path)}\S+)", body)
    assert found is not None, body
    return found.group(1)
