"""The e-mails the test application sent, and the links in them."""

from __future__ import annotations

import re
from email.message import EmailMessage

from flask import Flask


def sent(app: Flask) -> list[EmailMessage]:
    """Every e-mail sent so far, oldest first."""
    outbox: list[EmailMessage] = app.extensions["decisions.outbox"]
    return outbox


def last_link(app: Flask, path: str) -> str:
    """The path of the link to ``path...`` in the last e-mail (``/auth/reset/<token>``)."""
    body = sent(app)[-1].get_content()
    found = re.search(rf"http://localhost({re.escape(path)}\S+)", body)
    assert found is not None, body
    return found.group(1)
