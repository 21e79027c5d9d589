"""The JSON API (``/api/v1``), for platforms that run decisions from their own software;
the pages where people make their tokens and admins their organisation's tokens and
webhook endpoints; and the sender of webhooks.

The API is a blueprint over the same services as the pages: a bearer token instead of a
cookie session (so no CSRF token either), pydantic models that check requests and shape
answers (``schemas``), one declaration per operation from which ``openapi.json`` is written
(``spec``), errors as RFC 9457 problems (``problems``), and a rate limit per token.
"""

from __future__ import annotations

import hashlib
import time

from flask import Flask, current_app
from flask_limiter.util import get_remote_address
from werkzeug.wrappers import Response

from ..security import limiter
from .auth import bearer_text

#: Requests one token may make, by default (``API_RATE_LIMIT``).
RATE_LIMIT = "300 per minute"


def rate_key() -> str:
    """Whose requests a rate limit counts: the token's (a hash of it, so that no database
    is read before the limit is checked), else the address's."""
    text = bearer_text()
    if text:
        return "api-token:" + hashlib.sha256(text.encode()).hexdigest()[:32]
    return "api-address:" + get_remote_address()


def rate_limit() -> str:
    """The rate limit of one token (``API_RATE_LIMIT``)."""
    return str(current_app.config.get("API_RATE_LIMIT") or RATE_LIMIT)


def rate_headers(response: Response) -> Response:
    """Say the token's limit and what is left of it (``RateLimit-Policy`` and ``RateLimit``,
    the IETF draft's structured fields; ``Retry-After`` once it is reached)."""
    current = limiter.current_limit
    if current is None:
        return response
    window = int(current.limit.get_expiry())
    reset = max(0, int(current.reset_at - time.time()))
    response.headers["RateLimit-Policy"] = f'"token";q={current.limit.amount};w={window}'
    response.headers["RateLimit"] = f'"token";r={max(current.remaining, 0)};t={reset}'
    if response.status_code == 429:
        response.headers["Retry-After"] = str(max(reset, 1))
    return response


def init_app(app: Flask) -> None:
    """Register the API and its pages (the blueprint's rate limit is declared once, with
    it, in ``views``)."""
    from .pages import bp as pages_bp
    from .views import bp, routing_problems

    app.before_request(routing_problems)
    app.register_blueprint(bp)
    app.register_blueprint(pages_bp)
