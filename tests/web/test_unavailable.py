"""A write that cannot be made now, because another connection holds the lock longer than the
request may wait or because the database is read-only, gets a clear 503 page with
``Retry-After``; nothing is half-written, and the refusal is logged once."""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from decisions.web.models import User
from decisions.web.services import organisations

from .conftest import PASSWORD
from .variant import row_counts, variant

NEW_ORGANISATION = {"name": "Coop", "slug": "coop", "is_scic": "y"}
#: How long a held lock lasts at most: a request that waits longer than this went through.
SAFETY_SECONDS = 5.0


@contextmanager
def held_lock(url: str, user_id: int) -> Iterator[None]:
    """Another connection holds a lock that a new organisation's rows wait for: SQLite's write
    lock, or PostgreSQL's row lock on its creator (its membership's foreign key needs it).
    The lock is let go after :data:`SAFETY_SECONDS` whatever happens."""
    if url.startswith("sqlite"):
        connection = sqlite3.connect(make_url(url).database or "", isolation_level=None,
                                     check_same_thread=False)
        connection.execute("BEGIN IMMEDIATE")
        release: Callable[[], None] = connection.rollback
    else:
        engine = create_engine(url)
        holder = engine.connect()
        holder.execute(text('SELECT id FROM "user" WHERE id = :id FOR UPDATE'), {"id": user_id})
        release = holder.rollback
    safety = threading.Timer(SAFETY_SECONDS, release)
    safety.start()
    try:
        yield
    finally:
        safety.cancel()
        release()
        if url.startswith("sqlite"):
            connection.close()
        else:
            holder.close()
            engine.dispose()


def _read_only(url: str) -> str:
    """The same database opened read-only: SQLite's read-only mode, or PostgreSQL sessions
    whose transactions are read-only (as on a standby)."""
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        return f"sqlite:///file:{parsed.database}?mode=ro&uri=true"
    return parsed.update_query_dict({"options": "-c default_transaction_read_only=on"}) \
        .render_as_string(hide_password=False)


def _signed_in(app: Flask) -> FlaskClient:
    browser = app.test_client()
    response = browser.post("/auth/login", data={"email": "ana@example.org",
                                                 "password": PASSWORD})
    assert response.status_code == 302
    return browser


def _refusals(caplog: pytest.LogCaptureFixture, path: str) -> list[logging.LogRecord]:
    return [record for record in caplog.records if path in record.getMessage()]


def test_a_write_waiting_too_long_for_a_lock_gets_a_503_and_writes_nothing(
        app: Flask, make_user: Callable[..., User], caplog: pytest.LogCaptureFixture) -> None:
    ana = make_user("ana@example.org")
    with variant(app, DATABASE_LOCK_TIMEOUT=0.2) as impatient:
        browser = _signed_in(impatient)
        before = row_counts(impatient)
        caplog.set_level(logging.WARNING)
        with held_lock(impatient.config["DATABASE_URL"], ana.id):
            response = browser.post("/orgs/new", data=NEW_ORGANISATION)
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "10"
        page = response.get_data(as_text=True)
        assert "<h1>Busy</h1>" in page
        assert "Nothing was changed" in page
        assert row_counts(impatient) == before
        assert len(_refusals(caplog, "/orgs/new")) == 1
        # Once the lock is let go, the same request goes through.
        assert browser.post("/orgs/new", data=NEW_ORGANISATION).status_code == 302


def test_a_write_to_a_read_only_database_gets_a_503_and_writes_nothing(
        app: Flask, make_user: Callable[..., User], caplog: pytest.LogCaptureFixture) -> None:
    make_user("ana@example.org")
    before = row_counts(app)
    with variant(app, DATABASE_URL=_read_only(app.config["DATABASE_URL"])) as read_only:
        browser = _signed_in(read_only)
        caplog.set_level(logging.WARNING)
        response = browser.post("/orgs/new", data=NEW_ORGANISATION,
                                headers={"Accept-Language": "fr"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "300"
    page = response.get_data(as_text=True)
    assert "lecture seule" in page
    assert "a été modifié" in page
    assert row_counts(app) == before
    assert len(_refusals(caplog, "/orgs/new")) == 1


def test_any_other_database_error_stays_a_500(
        app: Flask, make_user: Callable[..., User], monkeypatch: pytest.MonkeyPatch) -> None:
    make_user("ana@example.org")

    def broken(*args: object, **kwargs: object) -> None:
        raise OperationalError("INSERT ...", {}, sqlite3.OperationalError("disk I/O error"))

    monkeypatch.setattr(organisations, "create_organisation", broken)
    with variant(app, PROPAGATE_EXCEPTIONS=False) as other:
        response = _signed_in(other).post("/orgs/new", data=NEW_ORGANISATION)
    assert response.status_code == 500
    assert "Retry-After" not in response.headers


def test_a_write_waits_for_another_process_writer_then_gets_a_503_and_writes_nothing(
        app: Flask, make_user: Callable[..., User]) -> None:
    """Writers to a SQLite database take turns through a lock on the file beside it (any
    process's writer holds it while it writes): one waiting longer than the lock timeout
    gets the 503 of a locked database, and once the turn is free the same request passes."""
    url = make_url(app.config["DATABASE_URL"])
    if url.get_backend_name() != "sqlite":
        pytest.skip("PostgreSQL writers wait on the rows they write")
    make_user("ana@example.org")
    with variant(app, DATABASE_LOCK_TIMEOUT=0.2) as impatient:
        browser = _signed_in(impatient)
        before = row_counts(impatient)
        other_process = os.open(f"{url.database}-writers", os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(other_process, fcntl.LOCK_EX)
            assert browser.post("/orgs/new", data=NEW_ORGANISATION).status_code == 503
            assert row_counts(impatient) == before
            fcntl.flock(other_process, fcntl.LOCK_UN)
            assert browser.post("/orgs/new", data=NEW_ORGANISATION).status_code == 302
        finally:
            os.close(other_process)
