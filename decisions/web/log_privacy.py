"""What no log line may hold of a request: the secret tokens of the links people follow
(answer, unsubscribe, invitation, password reset links; calendar feeds), API tokens, and
what a person typed into a search, which may be a member's name.

``redact`` rewrites a line; ``Redaction`` is the logging filter that applies it to every
record of the loggers it is added to: the application's own (Flask logs the path of a
request that failed), Werkzeug's request log (``decisions run``), and gunicorn's access and
error logs (``decisions/web/gunicorn_conf.py``, docs/deployment.md). A route that takes a
``<token>`` must start with one of ``TOKEN_PATHS`` (tests/web/test_access_logs.py checks
every route).
"""

from __future__ import annotations

import logging
import re

from flask import Flask

from .services.api_tokens import PREFIX as API_TOKEN_PREFIX

#: The paths whose next segment is a secret (a ``<token>`` of the route).
TOKEN_PATHS = ("/answer/", "/unsubscribe/", "/calendar/", "/auth/invitation/", "/auth/reset/")
#: Query parameters whose value is a secret or may be a person's name or address.
SECRET_PARAMETERS = ("access_token", "token", "search", "q", "email")
#: What replaces a secret.
REDACTED = "[redacted]"

_SLASH = r"(?:/|%2[fF])"  # a path quoted inside a query (``?next=%2Fanswer%2F...``)
_SEGMENT = r"(?:(?!%(?:2[fF]|3[fF]|23|26))[^/?#&\s\"'\\])+"  # to the next / ? # &
_TOKEN_IN_PATH = re.compile(
    "(" + "|".join(re.escape(path).replace("/", _SLASH) for path in TOKEN_PATHS) + ")"
    + _SEGMENT)
_SECRET_IN_QUERY = re.compile(
    r"((?:[?&]|%3[fF]|%26)(?:" + "|".join(SECRET_PARAMETERS) + r")(?:=|%3[dD]))[^&#\s\"']*",
    re.IGNORECASE)
_API_TOKEN = re.compile(re.escape(API_TOKEN_PREFIX) + r"[A-Za-z0-9_\-]+")


def redact(text: str) -> str:
    """``text`` (a log line, a URL) without the secrets of token links, API tokens and
    searched words: each replaced by ``[redacted]``, the rest as it was."""
    text = _TOKEN_IN_PATH.sub(lambda found: found.group(1) + REDACTED, text)
    text = _SECRET_IN_QUERY.sub(lambda found: found.group(1) + REDACTED, text)
    return _API_TOKEN.sub(API_TOKEN_PREFIX + REDACTED, text)


class Redaction(logging.Filter):
    """A logging filter that redacts each record's message (arguments merged into it) and
    lets every record through."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


#: One filter for the whole process: adding it again to a logger does nothing.
REDACTION = Redaction()


def init_app(app: Flask) -> None:
    """Redact the application's log (Flask names the path of a failed request) and
    Werkzeug's request log (the development server)."""
    app.logger.addFilter(REDACTION)
    logging.getLogger("werkzeug").addFilter(REDACTION)
