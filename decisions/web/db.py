"""The database: engine and session per application, the declarative base with a naming
convention, and a UTC time column type. SQLite gets WAL and foreign keys."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import DateTime, Engine, MetaData, String, create_engine, event
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

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
        return None if value is None else f"{value.numerator}/{value.denominator}"

    def process_result_value(self, value: str | None, dialect: Dialect) -> Fraction | None:
        return None if value is None else Fraction(value)


def make_engine(url: str, **options: Any) -> Engine:
    """An engine for a URL; SQLite connections get foreign keys on and WAL."""
    if url.startswith("sqlite"):
        options["connect_args"] = {"timeout": 30}
    engine = create_engine(url, **options)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(connection: Any, record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def init_app(app: Flask) -> None:
    """Create the application's engine and session factory; close the session per request."""
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["decisions.db"] = sessionmaker(engine, expire_on_commit=False)
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
        db.close()


@contextmanager
def transaction() -> Iterator[Session]:
    """One unit of work: commit at the end, roll back on any exception."""
    db = session()
    try:
        yield db
        db.commit()
    except BaseException:
        db.rollback()
        raise


def utcnow() -> datetime:
    """The application's clock (tests replace ``app.config['CLOCK']``)."""
    clock = current_app.config.get("CLOCK")
    return clock() if clock is not None else datetime.now(UTC)
