"""Write transactions that take their lock when they begin, so that waiting is short and
predictable.

SQLite lets one writer at a time, and its driver begins a transaction at the first write,
deferred: a unit of work that reads and then writes asks for the write lock in the middle,
after its reads, and may then wait behind every other writer (up to the lock timeout,
``db.LOCK_TIMEOUT``) while holding what it read. So a unit of work that writes begins with
``BEGIN IMMEDIATE`` (``begin_write``): it waits for the lock first, then reads and writes
without waiting again, and the wait is one queue for the lock, in order. Reading pages take
no lock and never wait for writers (WAL). On PostgreSQL ``begin_write`` only ends a
reading transaction first: locks are taken row by row, when written.

This module imports nothing of Flask: services call ``begin_write`` with their session.
"""

from __future__ import annotations

from sqlalchemy.orm import Session


def begin_write(db: Session) -> Session:
    """Begin a transaction that will write: the reading transaction the session may be in
    is ended first (it has written nothing: its objects stay loaded, as the sessions do not
    expire them on commit), then on SQLite the new one takes the write lock at once (unless
    the connection is inside a transaction already: a test's, rolled back after it)."""
    if db.in_transaction():
        if db.new or db.dirty or db.deleted:
            raise RuntimeError("begin_write: the session has unsaved changes")
        db.commit()
    connection = db.connection()
    if connection.dialect.name == "sqlite":
        driver = connection.connection.dbapi_connection
        if driver is not None and not getattr(driver, "in_transaction", True):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
    return db
