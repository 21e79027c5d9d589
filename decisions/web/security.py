"""Protection of every request: CSRF tokens on every state-changing request, security headers
on every response, a limited rate of sign-in attempts, and ids in addresses that the database
can hold."""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, request
from flask_babel import gettext as _
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect
from werkzeug.routing import IntegerConverter
from werkzeug.wrappers import Response

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)

#: Everything from this site only: no inline script or style, no framing, no plugin.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"

#: Sign-in attempts: per address, and failed ones per account.
LOGIN_PER_ADDRESS = "10 per minute"
LOGIN_FAILURES_PER_ACCOUNT = "5 per 15 minutes"


def _login_account() -> str:
    """The account a sign-in attempt is for: the e-mail address as typed, normalised."""
    return "login:" + (request.form.get("email") or "").strip().lower()[:254]


def _failed(response: Response) -> bool:
    """A sign-in attempt failed when it did not redirect (a success redirects)."""
    return response.status_code != 302


def _too_many_attempts() -> str:
    return str(_("Too many sign-in attempts. Please wait a few minutes, then try again."))


#: Decorator of the sign-in view (POST only: showing the page is not an attempt).
limit_login = limiter.shared_limit(LOGIN_PER_ADDRESS, scope="login-address",
                                   methods=["POST"], error_message=_too_many_attempts)
limit_login_account = limiter.shared_limit(
    LOGIN_FAILURES_PER_ACCOUNT, scope="login-account", key_func=_login_account,
    methods=["POST"], deduct_when=_failed, error_message=_too_many_attempts)


class DatabaseInteger(IntegerConverter):
    """``<int:...>`` in addresses, within the database's integers: a larger id is "not found",
    never an overflow in the database."""

    def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def _refuse_nul_characters() -> None:
    """No text people type holds a NUL character, and PostgreSQL refuses to store one: a form
    with one is malformed (400) rather than an error of the database (500)."""
    if request.method in ("POST", "PUT", "PATCH") and any(
            "\x00" in value for _, values in request.form.lists() for value in values):
        abort(400)


def init_app(app: Flask) -> None:
    """Require a valid CSRF token on every POST, PUT, PATCH and DELETE; add the security
    headers to every response; limit sign-in attempts (off under TESTING unless
    ``RATELIMIT_ENABLED`` says otherwise)."""
    csrf.init_app(app)
    app.url_map.converters["int"] = DatabaseInteger
    app.before_request(_refuse_nul_characters)
    https = bool(app.config.get("HTTPS"))

    @app.after_request
    def headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if https:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response

    if app.config.get("RATELIMIT_ENABLED") is None:
        app.config["RATELIMIT_ENABLED"] = not app.testing
    limiter.init_app(app)
