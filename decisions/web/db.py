"""The database: engine and session per application, the declarative base with a naming
convention, and a UTC time column type. SQLite gets WAL and foreign keys."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from fractions import Fraction
from typing import TYPE_CHECKING, Any, ClassVar

from flask import Flask, current_app, g
from sqlalchemy import DateTime, Engine, MetaData, String, Table, create_engine, event
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.sql.functions import GenericFunction
from sqlalchemy.types import TypeDecorator

from decisions.engine.results import fraction_json

from . import transactions

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every model; constraints get names from the convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    if TYPE_CHECKING:
        # SQLAlchemy types a model's ``__table__`` as any FromClause (a class may map a
        # subquery); every model here declares a ``__tablename__`` and so maps a Table, which
        # the services' Core statements (insert, update) take as it is, without a cast.
        __table__: ClassVar[Table]


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime in Python, stored as naive UTC on every database."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("times are stored in UTC: give an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class FractionType(TypeDecorator[Fraction]):
    """An exact fraction stored as text ``"num/den"``: weights are never floats."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Fraction | None, dialect: Dialect) -> str | None:
        return fraction_json(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Fraction | None:
        return None if value is None else Fraction(value)


#: How long a statement waits for a lock another connection holds, in seconds, by default.
LOCK_TIMEOUT = 30.0
#: PostgreSQL's SQLSTATEs of a write that cannot be made now: lock not available, serialization
#: failure, deadlock, read-only transaction (a standby, or a database set read-only).
_POSTGRES_LOCKED = {"55P03", "40001", "40P01"}
_POSTGRES_READ_ONLY = {"25006"}


def make_engine(url: str, lock_timeout: float = LOCK_TIMEOUT, **options: Any) -> Engine:
    """An engine for a URL. A statement waits at most ``lock_timeout`` seconds for a lock,
    then fails (see :func:`unavailable`). SQLite connections get foreign keys on, WAL and
    :class:`unicode_lower`."""
    milliseconds = max(1, round(lock_timeout * 1000))
    if url.startswith("sqlite"):
        options["connect_args"] = {"timeout": lock_timeout}
    elif url.startswith("postgresql"):
        # What the ballots' and the closes' statements are written for, whatever the
        # server's default_transaction_isolation (transactions.begin_write).
        options.setdefault("isolation_level", "READ COMMITTED")
    # A statement's values never reach a log or an error message (a secret ballot's
    # position, a password's hash, an e-mail): only the statement does.
    options.setdefault("hide_parameters", True)
    engine = create_engine(url, **options)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", functools.partial(_sqlite_pragmas, milliseconds))
        transactions.take_turns(engine, lock_timeout)
    elif engine.dialect.name == "postgresql":
        event.listen(engine, "connect", functools.partial(_postgres_settings, milliseconds))
        event.listen(engine, "before_cursor_execute", _note_writes)
        for ending in ("commit", "rollback"):
            event.listen(engine, ending, _forget_writes)
    return engine


def _sqlite_pragmas(busy_milliseconds: int, connection: Any, record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={busy_milliseconds:d}")
    cursor.close()
    connection.create_function("unicode_lower", 1, _lower, deterministic=True)


def _lower(text: object) -> object:
    return text.lower() if isinstance(text, str) else text


# Named as SQL calls it (func.unicode_lower), as SQLAlchemy's own generic functions are.
class unicode_lower(GenericFunction[str]):
    """Text in lower case, every letter of it (``func.unicode_lower``): PostgreSQL's
    ``lower``; on SQLite, whose ``lower`` lowers ASCII letters only ("Ève" stays "Ève"),
    Python's, registered on each connection (slower: for searches that need it)."""

    type = String()
    inherit_cache = True


@compiles(unicode_lower, "postgresql")
def _postgres_lower(element: unicode_lower, compiler: Any, **options: Any) -> str:
    return f"lower({compiler.process(element.clauses, **options)})"


def _postgres_settings(lock_milliseconds: int, connection: Any, record: Any) -> None:
    """The lock timeout of every session (outside a transaction, so that it lasts)."""
    autocommit = connection.autocommit
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f"SET lock_timeout = {lock_milliseconds:d}")
    connection.autocommit = autocommit


def unavailable(error: DBAPIError) -> str | None:
    """``"locked"`` when a statement gave up waiting for a lock (or lost a serialization
    conflict), ``"read-only"`` when the database takes no writes; else ``None``."""
    code = getattr(error.orig, "sqlstate", None)
    message = str(error.orig).lower()
    if code in _POSTGRES_LOCKED or "database is locked" in message \
            or "database table is locked" in message:
        return "locked"
    if code in _POSTGRES_READ_ONLY or "readonly database" in message:
        return "read-only"
    return None


def init_app(app: Flask) -> None:
    """Create the application's engine and session factory; close the session per request."""
    engine = make_engine(app.config["DATABASE_URL"],
                         lock_timeout=float(app.config.get("DATABASE_LOCK_TIMEOUT")
                                            or LOCK_TIMEOUT))
    sealing = app.config.get("AUDIT_SEALING") or ("commit" if app.testing else "background")
    if sealing not in ("commit", "background"):
        raise ValueError(f"AUDIT_SEALING must be commit or background, not {sealing!r}")
    app.extensions["decisions.db"] = sessionmaker(
        engine, expire_on_commit=False, info={transactions.AUDIT_SEALING: sealing})
    app.teardown_appcontext(_close_session)


def engine_of(app: Flask) -> Engine:
    """The application's database engine."""
    factory: sessionmaker[Session] = app.extensions["decisions.db"]
    bind: Engine = factory.kw["bind"]
    return bind


def session() -> Session:
    """The session of the current application context (one per request)."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["decisions.db"]()
    db: Session = g.db_session
    return db


def _close_session(error: BaseException | None) -> None:
    db: Session | None = g.pop("db_session", None)
    if db is not None:
        if error is not None:
            db.rollback()
        else:
            end_reading(db)
        db.close()


#: ``Connection.info`` key: the PostgreSQL connection's transaction sent something else
#: than a SELECT (a write, a savepoint, a setting): it ends as it would have, not by
#: :func:`end_reading`'s commit.
_WROTE = "decisions.db.wrote"


def _note_writes(connection: Any, cursor: Any, statement: str, *args: Any) -> None:
    if not statement.lstrip()[:6].upper().startswith("SELECT"):
        connection.info[_WROTE] = True


def _forget_writes(connection: Any, *args: Any) -> None:
    connection.info.pop(_WROTE, None)


def end_reading(db: Session) -> None:
    """End a transaction that only read with a commit, on PostgreSQL, where it is the same
    for the database as the rollback that closing would do. psycopg forgets its prepared
    statements at every rollback (a rolled-back transaction may have dropped what they
    name): requests ending so would never have a statement prepared, and the server would
    parse and plan every statement of every request again (a third of its CPU per ballot,
    benchmarks/README.md). A transaction that sent anything but SELECTs, or a session with
    unsaved changes, is rolled back by the close as before."""
    if (not db.in_transaction() or db.new or db.dirty or db.deleted
            or db.get_bind().dialect.name != "postgresql"):
        return
    if not db.connection().info.get(_WROTE):
        db.commit()


@contextmanager
def transaction() -> Iterator[Session]:
    """One unit of work that writes: begun with the write lock on SQLite
    (``transactions.begin_write``), committed at the end, rolled back on any exception."""
    db = session()
    try:
        yield transactions.begin_write(db)
        db.commit()
    except BaseException:
        db.rollback()
        raise


def utcnow() -> datetime:
    """The application's clock (tests replace ``app.config['CLOCK']``)."""
    clock = current_app.config.get("CLOCK")
    return clock() if clock is not None else datetime.now(UTC)
