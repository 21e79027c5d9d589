"""Fixtures of the web tests: one application per backend for the whole session, on SQLite,
and on PostgreSQL too when ``DECISIONS_TEST_POSTGRES_URL`` is set (the tests create and drop
their own database). Each test gets that application back as new: its own clock, instance
folder, settings and outbox, and every table emptied after it; or, in a module whose world
is built once (``module_world``, ``world.py``), what the test writes rolled back after it.

Building the application, compiling its templates and loading its catalogs once instead of
for every test is most of the difference between a fast suite and a slow one; so is a
database that does not wait for the disk at every commit (SQLite in memory-backed
``/dev/shm`` when there is one, PostgreSQL with ``synchronous_commit`` off: only the test
databases, and nothing the tests check depends on a commit surviving a power cut)."""

from __future__ import annotations

import functools
import inspect
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from decisions.web import create_app, db, migrate, security
from decisions.web.db import Base
from decisions.web.models import College, Membership, Organisation, Role, User
from decisions.web.services import accounts, invitations, organisations

from ..clock import Clock as Clock  # re-exported: the tests import it from here

PASSWORD = "correct horse battery"  # noqa: S105 - test accounts only
POSTGRES_URL = os.environ.get("DECISIONS_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]
#: A folder in memory for the SQLite test databases, when the machine has one.
MEMORY_FOLDER = Path("/dev/shm")  # noqa: S108 - a private folder is made in it (mkdtemp)


def _postgres_database(admin_url: str) -> Iterator[str]:
    name = f"decisions_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
        # A test database need not outlive a crash: commits do not wait for the disk.
        connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def sqlite_folder(fallback: Path) -> Iterator[Path]:
    """A folder for SQLite test databases: in memory when the machine has ``/dev/shm``,
    removed afterwards; else ``fallback``."""
    if not (MEMORY_FOLDER.is_dir() and os.access(MEMORY_FOLDER, os.W_OK)):
        yield fallback
        return
    folder = Path(tempfile.mkdtemp(prefix="decisions-tests-", dir=MEMORY_FOLDER))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An empty database upgraded to the latest migration, one per backend."""
    if request.param == "sqlite":
        with sqlite_folder(tmp_path_factory.mktemp("sqlite")) as folder:
            url = f"sqlite:///{folder / 'test.sqlite'}"
            migrate.upgrade(url)
            yield url
        return
    assert POSTGRES_URL is not None
    for url in _postgres_database(POSTGRES_URL):
        migrate.upgrade(url)
        yield url



@pytest.fixture
def clock() -> Clock:
    """A clock that tests move."""
    return Clock()


#: The settings of the test application (``CLOCK`` and ``INSTANCE_PATH`` are each test's).
SETTINGS: dict[str, Any] = {
    "TESTING": True,
    "SECRET_KEY": "test secret",
    "WTF_CSRF_ENABLED": False,
    "MAIL_BACKEND": "outbox",
    "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast hashing: tests only
}


@pytest.fixture(scope="session")
def shared_app(database_url: str, tmp_path_factory: pytest.TempPathFactory,
               ) -> Iterator[Flask]:
    """The application of every test on one backend, built once (see :func:`app`)."""
    application = create_app({**SETTINGS, "DATABASE_URL": database_url, "CLOCK": Clock(),
                              "INSTANCE_PATH": str(tmp_path_factory.mktemp("instance"))})
    yield application
    db.engine_of(application).dispose()


def empty_every_table(bind: Engine | Connection) -> None:
    """Delete every row of every table, children first, in one transaction (for a
    connection, in a savepoint of its transaction, rolled back with it)."""
    if isinstance(bind, Connection):
        with bind.begin_nested():
            _delete_every_row(bind)
        return
    with bind.begin() as connection:
        _delete_every_row(connection)


def _delete_every_row(connection: Connection) -> None:
    for table in reversed(Base.metadata.sorted_tables):
        connection.execute(table.delete())


def process_wide(application: Flask) -> None:
    """Set again what building ``application`` set for the whole process, which building
    another one since (a variant, a production-like application) changed: rate limits (off
    under ``TESTING``) and the password hashing method (a fast one)."""
    security.limiter.init_app(application)
    accounts.hash_method = application.config.get("PASSWORD_HASH_METHOD") or "scrypt"


@contextmanager
def as_new(application: Flask, clock: Clock, instance: Path) -> Iterator[Flask]:
    """The shared application as if built for one test: its clock and instance folder; the
    settings changed meanwhile are put back and the outbox emptied afterwards."""
    settings, instance_path = dict(application.config), application.instance_path
    outbox: list[Any] = application.extensions["decisions.outbox"]
    process_wide(application)
    instance.mkdir(exist_ok=True)
    application.instance_path = str(instance)
    application.config["CLOCK"] = clock
    try:
        yield application
    finally:
        application.config.clear()
        application.config.update(settings)
        application.instance_path = instance_path
        outbox.clear()


@contextmanager
def rolled_back(application: Flask, *others: Flask) -> Iterator[Connection]:
    """Everything the application (and ``others`` on the same database) writes meanwhile is
    undone afterwards: their sessions share one connection in a transaction that is rolled
    back, and their commits become savepoints.

    For tests on a world built once per module (the world stays committed). Only for what
    runs in this thread through the applications' sessions: another connection, thread or
    process would not see the test's changes, so such tests use :func:`app`. Sessions open
    at once share the connection: one that ends without committing also undoes what the
    others committed meanwhile (tests read in short units of their own, as they do)."""
    applications = (application, *others)
    factories = [each.extensions["decisions.db"] for each in applications]
    with db.engine_of(application).connect() as connection:
        driver: Any = connection.connection.driver_connection
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:  # pysqlite would commit on the first savepoint's release: BEGIN ourselves
            legacy = driver.isolation_level
            driver.isolation_level = None
        transaction = connection.begin()
        if sqlite:
            connection.exec_driver_sql("BEGIN")
        shared = sessionmaker(connection, expire_on_commit=False,
                              join_transaction_mode="create_savepoint")
        senders = [each.config.get("MAIL_SENDERS") for each in applications]
        for each in applications:
            each.extensions["decisions.db"] = shared
            each.config["MAIL_SENDERS"] = 1  # the sender's threads would share the connection
        try:
            yield connection
        finally:
            for each, factory, count in zip(applications, factories, senders, strict=True):
                each.extensions["decisions.db"] = factory
                each.config["MAIL_SENDERS"] = count
            transaction.rollback()
            if sqlite:
                driver.isolation_level = legacy


@pytest.fixture
def app(shared_app: Flask, clock: Clock, tmp_path: Path) -> Iterator[Flask]:
    """The application on a clean database, as new (:func:`as_new`), every table emptied
    after the test: what it writes is committed for real, as in production."""
    with as_new(shared_app, clock, tmp_path / "instance"):
        try:
            yield shared_app
        finally:
            empty_every_table(db.engine_of(shared_app))


@contextmanager
def built_once(application: Flask, folder: Path) -> Iterator[Flask]:
    """The application for building a module's world once (committed, on a clock of its
    own at the usual start); every table is emptied after the module. The module's tests
    use :func:`rolled_back_app` as their ``app``, so that the world stays as built."""
    with as_new(application, Clock(), folder):
        try:
            yield application
        finally:
            empty_every_table(db.engine_of(application))


def module_world(build: Callable[..., Any], *, name: str | None = None,
                 scope: Literal["module", "class"] = "module") -> Any:
    """Make ``build`` a fixture (of its name, or ``name``) whose world is built once per
    module (and backend): its parameters are named after the fixtures it may use (``app``,
    ``clock``, ``make_user``, ``make_org``, ``make_member``), given for the building. The
    module then overrides ``app`` with :func:`rolled_back_app`. With ``scope="class"``, once
    per class instead, which overrides ``app`` in its body: the module's other tests keep a
    clean database, since the world is emptied as soon as the class's tests are done."""

    def world(shared_app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
        with built_once(shared_app, tmp_path_factory.mktemp(build.__name__)) as application:
            given = {"app": application, "clock": application.config["CLOCK"],
                     "make_user": functools.partial(new_user, application),
                     "make_org": functools.partial(new_organisation, application),
                     "make_member": functools.partial(new_member, application)}
            with application.app_context():  # as in a test, where one may be pushed
                built = build(**{name: given[name]
                                 for name in inspect.signature(build).parameters})
            yield built

    world.__doc__ = build.__doc__  # not functools.wraps: pytest reads the signature
    return pytest.fixture(scope=scope, name=name or build.__name__)(world)


@pytest.fixture
def rolled_back_app(shared_app: Flask, clock: Clock, tmp_path: Path) -> Iterator[Flask]:
    """The application as new on the world its module built once, what the test writes
    rolled back after it: a module with such a world overrides ``app`` with this one."""
    with as_new(shared_app, clock, tmp_path / "instance"), rolled_back(shared_app):
        yield shared_app


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


@contextmanager
def unit(app: Flask) -> Iterator[Session]:
    """One unit of work of the services, committed at the end."""
    with app.app_context(), db.transaction() as session:
        yield session


def new_user(app: Flask, email: str, name: str | None = None, password: str = PASSWORD,
             language: str | None = None) -> User:
    """An account made through the services."""
    with unit(app) as session:
        return accounts.create_user(session, email=email, name=name or email.split("@")[0],
                                    password=password, language=language, now=db.utcnow())


def new_organisation(app: Flask, slug: str, admin: str | None = None, *, is_scic: bool = True,
                     colleges: dict[str, int | None] | None = None) -> Organisation:
    """An organisation made by ``admin`` (an account made first if need be), with colleges
    of these weights."""
    email = admin or f"admin@{slug}.example.org"
    with app.app_context():
        creator = accounts.find_by_email(db.session(), email)
    if creator is None:
        creator = new_user(app, email)
    with unit(app) as session:
        organisation = organisations.create_organisation(
            session, session.get_one(User, creator.id), name=slug.replace("-", " ").title(),
            slug=slug, is_scic=is_scic, now=db.utcnow())
        for name, weight in (colleges or {}).items():
            session.add(College(organisation=organisation, name=name, weight=weight))
        return organisation


def new_member(app: Flask, organisation: Organisation, email: str, role: str = "member",
               college: str | None = None, vote_weight: int = 1) -> Membership:
    """A person joins the organisation through the services, as people join: its first
    admin invites them with the role and college, they accept (making their account then if
    they have none), and the admin sets a vote weight other than 1. So the audit chain
    holds."""
    with app.app_context():
        user = accounts.find_by_email(db.session(), email)
    with unit(app) as session:
        org = session.get_one(Organisation, organisation.id)
        chosen = None if college is None else next(
            c.id for c in org.colleges if c.name == college)
        admin = session.scalars(organisations.current_members(org.id).where(
            Membership.role == Role.ADMIN).order_by(Membership.id)).first()
        assert admin is not None, "an organisation has an admin from its start"
        invited = invitations.invite(session, org, admin.user, email=email, role=Role(role),
                                     college_id=chosen, days=app.config["INVITATION_DAYS"],
                                     now=db.utcnow())
        if user is None:
            membership = invitations.accept_with_new_account(
                session, invited.token, name=email.split("@")[0], password=PASSWORD,
                now=db.utcnow())
        else:
            membership = invitations.accept(session, invited.token,
                                            session.get_one(User, user.id), db.utcnow())
        if vote_weight != 1:
            organisations.update_membership(session, membership, role=Role(role),
                                            vote_weight=vote_weight, college_id=chosen,
                                            now=db.utcnow())
        return membership


def keep_former_members(app: Flask, organisation_id: int, days: int = 30) -> None:
    """The organisation keeps the names and addresses of its former members ``days`` days
    (by default it keeps none: a person who belongs nowhere any more is pseudonymised at
    once, ``services.personal_data``), so that a test of what a former member may still do
    has one."""
    with unit(app) as session:
        session.get_one(Organisation, organisation_id).former_member_days = days


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    """Create an account: ``make_user("ana@example.org", name="Ana")``."""
    return functools.partial(new_user, app)


@pytest.fixture
def make_org(app: Flask) -> Callable[..., Organisation]:
    """Create an organisation with an admin: ``make_org("coop", admin="ana@example.org")``."""
    return functools.partial(new_organisation, app)


@pytest.fixture
def make_member(app: Flask) -> Callable[..., Membership]:
    """Add a person to an organisation with a role: ``make_member(org, "bo@x.org", "admin")``
    (:func:`new_member`)."""
    return functools.partial(new_member, app)


def six_member_scic(make_org: Callable[..., Organisation],
                    make_member: Callable[..., Membership]) -> tuple[Organisation, list[int]]:
    """A SCIC "coop" with colleges 50/30/20 and six members, two per college, and their
    membership ids (the fixture ``coop`` of the round, audit and recount tests)."""
    organisation = make_org("coop", admin="ana@example.org",
                            colleges={"workers": 50, "users": 30, "partners": 20})
    ids = [make_member(organisation, f"m{i}@example.org",
                       college=("workers", "users", "partners")[i % 3]).id for i in range(6)]
    return organisation, ids
