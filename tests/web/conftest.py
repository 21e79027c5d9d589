"""Fixtures of the web tests: an application per test on SQLite, and on PostgreSQL too when
``DECISIONS_TEST_POSTGRES_URL`` is set (the tests create and drop their own database)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from decisions.web import create_app, db, migrate
from decisions.web.db import Base
from decisions.web.models import College, Membership, Organisation, Role, User
from decisions.web.services import accounts, organisations

PASSWORD = "correct horse battery"  # noqa: S105 - test accounts only
POSTGRES_URL = os.environ.get("DECISIONS_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]


def _postgres_database(admin_url: str) -> Iterator[str]:
    name = f"decisions_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An empty database upgraded to the latest migration, one per backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.sqlite'}"
        migrate.upgrade(url)
        yield url
        return
    assert POSTGRES_URL is not None
    for url in _postgres_database(POSTGRES_URL):
        migrate.upgrade(url)
        yield url


@dataclass
class Clock:
    """The application's clock, moved by tests instead of sleeping."""

    now: datetime = field(default_factory=lambda: datetime(2026, 3, 2, 9, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        """Move the clock forward (``advance(days=1, seconds=-1)``)."""
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> Clock:
    """A clock that tests move."""
    return Clock()


@pytest.fixture
def app(database_url: str, clock: Clock, tmp_path: Path) -> Iterator[Flask]:
    """The application on a clean database (every table emptied after the test)."""
    application = create_app({
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test secret",
        "WTF_CSRF_ENABLED": False,
        "CLOCK": clock,
        "MAIL_BACKEND": "outbox",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast hashing: tests only
    })
    yield application
    engine = db.engine_of(application)
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser without cookies."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """The ``decisions`` command line of the test application."""
    return app.test_cli_runner()


class Auth:
    """Signs a test client in and out through the real pages."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, email: str, password: str = PASSWORD) -> Any:
        return self.client.post("/auth/login", data={"email": email, "password": password})

    def logout(self) -> Any:
        return self.client.post("/auth/logout")


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    """Sign-in helper for ``client``."""
    return Auth(client)


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    """Create an account: ``make_user("ana@example.org", name="Ana")``."""

    def make(email: str, name: str | None = None, password: str = PASSWORD,
             language: str | None = None) -> User:
        with app.app_context(), db.transaction() as session:
            return accounts.create_user(session, email=email, name=name or email.split("@")[0],
                                        password=password, language=language)

    return make


@pytest.fixture
def make_org(app: Flask, make_user: Callable[..., User]) -> Callable[..., Organisation]:
    """Create an organisation with an admin: ``make_org("coop", admin="ana@example.org")``."""

    def make(slug: str, admin: str | None = None, *, is_scic: bool = True,
             colleges: dict[str, int | None] | None = None) -> Organisation:
        with app.app_context():
            creator = accounts.find_by_email(db.session(), admin or f"admin@{slug}.example.org")
        if creator is None:
            creator = make_user(admin or f"admin@{slug}.example.org")
        with app.app_context(), db.transaction() as session:
            owner = session.get(User, creator.id)
            assert owner is not None
            organisation = organisations.create_organisation(
                session, owner, name=slug.replace("-", " ").title(), slug=slug, is_scic=is_scic)
            for name, weight in (colleges or {}).items():
                session.add(College(organisation=organisation, name=name,
                                    weight=None if weight is None else weight))
            return organisation

    return make


@contextmanager
def unit(app: Flask) -> Iterator[Session]:
    """One unit of work of the services, committed at the end."""
    with app.app_context(), db.transaction() as session:
        yield session


def six_member_scic(make_org: Callable[..., Organisation],
                    make_member: Callable[..., Membership]) -> tuple[Organisation, list[int]]:
    """A SCIC "coop" with colleges 50/30/20 and six members, two per college, and their
    membership ids (the fixture ``coop`` of the round, audit and recount tests)."""
    organisation = make_org("coop", admin="ana@example.org",
                            colleges={"workers": 50, "users": 30, "partners": 20})
    ids = [make_member(organisation, f"m{i}@example.org",
                       college=("workers", "users", "partners")[i % 3]).id for i in range(6)]
    return organisation, ids


@pytest.fixture
def make_member(app: Flask, make_user: Callable[..., User]) -> Callable[..., Membership]:
    """Add a person to an organisation with a role: ``make_member(org, "bo@x.org", "admin")``."""

    def make(organisation: Organisation, email: str, role: str = "member",
             college: str | None = None, vote_weight: int = 1) -> Membership:
        with app.app_context():
            user = accounts.find_by_email(db.session(), email)
        if user is None:
            user = make_user(email)
        with app.app_context(), db.transaction() as session:
            chosen = None
            if college is not None:
                org = session.get(Organisation, organisation.id)
                assert org is not None
                chosen = next(c for c in org.colleges if c.name == college)
            membership = Membership(organisation_id=organisation.id, user_id=user.id,
                                    role=Role(role), college=chosen, vote_weight=vote_weight,
                                    joined_at=datetime.now(UTC))
            session.add(membership)
            session.flush()
            return membership

    return make
