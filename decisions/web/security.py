"""Protection of every request: CSRF tokens on every state-changing request."""

from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    """Require a valid CSRF token on every POST, PUT, PATCH and DELETE."""
    csrf.init_app(app)
