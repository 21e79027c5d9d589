"""A second application on the test database with other settings (CSRF or rate limits on),
and the row counts of every table, to show that a refused request wrote nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from decisions.web import create_app, db
from decisions.web.db import Base

from .conftest import PASSWORD

KEPT = ("TESTING", "DATABASE_URL", "SECRET_KEY", "WTF_CSRF_ENABLED", "CLOCK", "MAIL_BACKEND",
        "PASSWORD_HASH_METHOD")


@contextmanager
def variant(app: Flask, **overrides: Any) -> Iterator[Flask]:
    """The test application's settings, with ``overrides``; the tables stay the same."""
    settings = {key: app.config[key] for key in KEPT}
    other = create_app({**settings, "INSTANCE_PATH": app.instance_path, **overrides})
    try:
        yield other
    finally:
        db.engine_of(other).dispose()


def row_counts(app: Flask) -> dict[str, int]:
    """The number of rows of every table."""
    with app.app_context():
        session = db.session()
        return {table.name: session.scalar(select(func.count()).select_from(table)) or 0
                for table in Base.metadata.sorted_tables}


def csrf_token(page: str) -> str:
    """The CSRF token of the first form of a page."""
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page)
    assert found, "no CSRF token in the page"
    return found.group(1)


def login_with_token(client: FlaskClient, email: str, password: str = PASSWORD) -> Any:
    """Sign in through the login page, with the token it gives."""
    token = csrf_token(client.get("/auth/login").get_data(as_text=True))
    return client.post("/auth/login", data={"email": email, "password": password,
                                            "csrf_token": token})
