"""Alembic environment: the application's metadata, the URL given by the application."""

from __future__ import annotations

from alembic import context
from sqlalchemy import pool

from decisions.web import models  # noqa: F401 - registers every table on the metadata
from decisions.web.db import Base, make_engine

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from decisions.web import create_app

    return str(create_app().config["DATABASE_URL"])


def run_migrations_offline() -> None:
    """Emit SQL without a database."""
    context.configure(
        url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run against the database (batch mode so SQLite can alter tables)."""
    engine = make_engine(_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
