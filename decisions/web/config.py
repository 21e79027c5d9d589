"""Configuration in layers: defaults, then ``instance/config.py``, then ``DECISIONS_*``
environment variables, then the test mapping."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask

if TYPE_CHECKING:
    from .services.personal_data import Retention

DEFAULTS: dict[str, Any] = {
    # None: SQLite at instance/decisions.sqlite. PostgreSQL: postgresql+psycopg://...
    "DATABASE_URL": None,
    # Seconds a request waits for a lock another connection holds; beyond, a 503 page.
    "DATABASE_LOCK_TIMEOUT": 30,
    "SECRET_KEY": None,
    "LANGUAGES": ("en", "fr"),
    "BABEL_DEFAULT_LOCALE": "en",
    "BABEL_DEFAULT_TIMEZONE": "UTC",
    "INVITATION_DAYS": 14,
    # Personal data (README, "Personal data"): days what served for a while is kept after
    # it served (used or expired invitations, delivered notices, webhook deliveries, the
    # answers kept for the API's Idempotency-Keys, which are answered again that long),
    # purged hourly by the scheduler; and who answers requests about accounts (the site's
    # operator: an address or a page, shown on the privacy page; each organisation names
    # its own).
    "RETAIN_INVITATIONS_DAYS": 30,
    "RETAIN_NOTICES_DAYS": 90,
    "RETAIN_WEBHOOK_DELIVERIES_DAYS": 30,
    "RETAIN_IDEMPOTENCY_KEYS_DAYS": 1,
    "RETAIN_API_TOKENS_DAYS": 30,
    "PRIVACY_CONTACT": None,
    # The latest deadline a round may be given, in days from now: a typo such as 9999-12-31
    # would otherwise leave a round open for millennia.
    "DEADLINE_HORIZON_DAYS": 730,
    "PASSWORD_RESET_SECONDS": 2 * 3600,
    # "console" prints e-mails (development); "smtp" sends them with the MAIL_* settings;
    # "memory" keeps them for the tests. E-mails wait in the outbox (the notice table) and
    # are sent by the scheduler or `decisions send-mail` (docs/architecture.md).
    "MAIL_BACKEND": "console",
    "MAIL_SERVER": "localhost",
    "MAIL_PORT": 25,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    # STARTTLS after connecting (usually port 587), or TLS from the start (usually 465).
    "MAIL_USE_TLS": False,
    "MAIL_USE_SSL": False,
    "MAIL_TIMEOUT": 30,
    "MAIL_SENDER": "decisions@localhost",
    # Threads of one sending pass, each with its own batches and connection to the server.
    "MAIL_SENDERS": 3,
    # The site's address in the links of e-mails (they are written outside any request).
    "BASE_URL": "http://127.0.0.1:5000",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    # True when the site is served over HTTPS only: browsers are told so (HSTS).
    "HTTPS": False,
    # Cookies sent over HTTPS only. None: yes, except in debug mode and under TESTING.
    "SECURE_COOKIES": None,
    # Sign-in attempts are limited (None: on, except under TESTING); the counters live in
    # memory, or e.g. at redis://localhost:6379 shared by several workers.
    "RATELIMIT_ENABLED": None,
    "RATELIMIT_STORAGE_URI": "memory://",
    # "in-process": `decisions run` closes due rounds itself; "off": a `decisions scheduler`
    # process or cron's `decisions close-due` does. None: "off" under TESTING, else in-process.
    "SCHEDULER": None,
    # How ballots' audit entries are chained after their commit on PostgreSQL: "background"
    # (a thread of each process, in batches) or "commit" (by the request, before it answers).
    # None: "commit" under TESTING, else "background". See docs/architecture.md.
    "AUDIT_SEALING": None,
    # Requests one API token may make (Flask-Limiter's notation); counted in
    # RATELIMIT_STORAGE_URI like the sign-in limits, and like them off under TESTING.
    "API_RATE_LIMIT": "300 per minute",
    # Whether webhook endpoints may be on this machine or a private network (None: only
    # under TESTING or in debug mode), and how long the server waits for one's answer.
    "WEBHOOK_PRIVATE_ADDRESSES": None,
    "WEBHOOK_TIMEOUT": 10,
    # Where the audit chains' signed checkpoints and their Ed25519 key are kept, outside the
    # database (None: the instance folder). Copy them where the database's admins cannot.
    "AUDIT_FOLDER": None,
}


def configure(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Apply the layers, then make sure there is a secret key and a database URL."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("DECISIONS")
    if test_config is not None:
        app.config.from_mapping(test_config)
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret(instance / "secret_key")
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = f"sqlite:///{instance / 'decisions.sqlite'}"
    secure = app.config["SECURE_COOKIES"]
    if secure is None:
        secure = not (app.debug or app.testing)
    app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = bool(secure)


def _instance_secret(path: Path) -> str:
    """The secret key kept in ``instance/``, generated on first start (never hard-coded)."""
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def retention(app: Flask) -> Retention:
    """The periods of ``RETAIN_*``, for the services that purge and the privacy page."""
    from .services.personal_data import Retention

    return Retention(invitations_days=int(app.config["RETAIN_INVITATIONS_DAYS"]),
                     notices_days=int(app.config["RETAIN_NOTICES_DAYS"]),
                     webhook_deliveries_days=int(app.config["RETAIN_WEBHOOK_DELIVERIES_DAYS"]),
                     idempotency_keys_days=int(app.config["RETAIN_IDEMPOTENCY_KEYS_DAYS"]),
                     api_tokens_days=int(app.config["RETAIN_API_TOKENS_DAYS"]))


def audit_folder(app: Flask) -> Path:
    """The folder of the audit checkpoints and their signing key (``AUDIT_FOLDER``, else the
    instance folder)."""
    return Path(app.config.get("AUDIT_FOLDER") or app.instance_path)
