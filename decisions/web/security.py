"""Protection of every request: CSRF tokens on every state-changing request, security headers
on every response, a limited rate of sign-in attempts and password-reset requests, and ids in
addresses that the database can hold."""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, request
from flask_babel import gettext as _
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect
from werkzeug.routing import IntegerConverter
from werkzeug.wrappers import Response

from .services import accounts

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

#: Sign-in attempts: all per address; failed ones per account and address, so that failures
#: from elsewhere never keep the owner out (a per-account lock would let anyone lock a voter
#: out near a deadline).
LOGIN_PER_ADDRESS = "10 per minute"
LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS = "5 per 15 minutes"
#: Password-reset requests, each an e-mail: per address, and per account (as typed, existing
#: or not, so the answer tells no one whether it exists). A link works for hours: three an
#: hour are plenty for its owner, and no one can flood a mailbox.
RESET_PER_ADDRESS = "5 per hour"
RESET_PER_ACCOUNT = "3 per hour"


def _typed_email() -> str:
    """The e-mail address a form was sent for, as typed, normalised (the account)."""
    return (request.form.get("email") or "").strip().lower()[:254]


def _login_account_and_address() -> str:
    """The account a sign-in attempt is for, and the address it comes from."""
    return f"login:{_typed_email()}|{get_remote_address()}"


def _reset_account() -> str:
    return f"reset:{_typed_email()}"


def _failed(response: Response) -> bool:
    """A sign-in attempt failed when it did not redirect (a success redirects)."""
    return response.status_code != 302


def _too_many_attempts() -> str:
    return str(_("Too many sign-in attempts. Please wait a few minutes, then try again."))


def _too_many_resets() -> str:
    return str(_("Too many requests for a new password. Please wait an hour, then try again."))


#: Decorators of the sign-in view (POST only: showing the page is not an attempt).
limit_login = limiter.shared_limit(LOGIN_PER_ADDRESS, scope="login-address",
                                   methods=["POST"], error_message=_too_many_attempts)
limit_login_account = limiter.shared_limit(
    LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS, scope="login-account-address",
    key_func=_login_account_and_address, methods=["POST"], deduct_when=_failed,
    error_message=_too_many_attempts)
#: Decorators of the password-reset request view (POST only).
limit_reset = limiter.shared_limit(RESET_PER_ADDRESS, scope="reset-address",
                                   methods=["POST"], error_message=_too_many_resets)
limit_reset_account = limiter.shared_limit(
    RESET_PER_ACCOUNT, scope="reset-account", key_func=_reset_account, methods=["POST"],
    error_message=_too_many_resets)


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
    headers to every response; limit sign-in attempts and password-reset requests (off
    under TESTING unless ``RATELIMIT_ENABLED`` says otherwise); hash new passwords with
    ``PASSWORD_HASH_METHOD`` when set (tests use a fast one)."""
    csrf.init_app(app)
    accounts.hash_method = app.config.get("PASSWORD_HASH_METHOD") or "scrypt"
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
