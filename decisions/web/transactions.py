"""Write transactions that take their lock when they begin, so that waiting is short and
predictable.

SQLite lets one writer at a time, and its driver begins a transaction at the first write,
deferred: a unit of work that reads and then writes asks for the write lock in the middle,
after its reads, and may then wait behind every other writer (up to the lock timeout,
``db.LOCK_TIMEOUT``) while holding what it read. So a unit of work that writes begins with
``BEGIN IMMEDIATE`` (``begin_write``): it waits for the lock first, then reads and writes
without waiting again, and the wait is one queue for the lock, in order. Reading pages take
no lock and never wait for writers (WAL). On PostgreSQL ``begin_write`` changes nothing:
locks are taken row by row, when written, and a transaction that read goes on and writes
(READ COMMITTED, which the engine sets).

Writers to one SQLite database also take turns before they begin (``Turns``): a thread
waiting for SQLite's lock polls it with growing sleeps (up to 100 ms), so with thirty-two
threads in four processes the unlucky ones waited seconds while others went first. Taking
turns, threads wait on a lock of their process that wakes them at once, and one thread per
process looks every millisecond whether the other processes' writer is done.

This module imports nothing of Flask: services call ``begin_write`` with their session.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, Result, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, SessionTransaction

#: ``Session.info`` key: how the audit entries a session's transaction left pending are
#: sealed after its commit (PostgreSQL): ``"background"``, by a thread of the process, or
#: ``"commit"``, by the committing request itself (``services.audit``). The application's
#: sessions carry it (``AUDIT_SEALING``).
AUDIT_SEALING = "decisions.audit.sealing"


def begin_write(db: Session) -> Session:
    """Begin a transaction that will write, after what the session may have read; on
    SQLite it takes the write lock at once (unless the connection is inside a transaction
    already: a test's, rolled back after it).

    What the session read goes on in the same transaction. On SQLite the driver runs reads
    outside any transaction of its own (each sees the database as it is): the write lock is
    taken on the same connection, and the session's commit ends the transaction that wrote;
    only a transaction the driver is already in is committed first (its objects stay
    loaded: the sessions do not expire them on commit). On PostgreSQL, under READ COMMITTED,
    each statement sees what is committed when it starts, so ending the reads first would
    change nothing but cost a commit's round trip."""
    if db.in_transaction():
        if db.new or db.dirty or db.deleted:
            raise RuntimeError("begin_write: the session has unsaved changes")
        if _sqlite_transaction_open(db):
            db.commit()
    connection = db.connection()
    if connection.dialect.name == "sqlite":
        driver = connection.connection.dbapi_connection
        if driver is not None and not getattr(driver, "in_transaction", True):
            turns = _turns(connection.engine)
            turns.take()
            db.info[_TURN] = turns
            connection.exec_driver_sql("BEGIN IMMEDIATE")
    return db


def _sqlite_transaction_open(db: Session) -> bool:
    """Whether the session is on SQLite in a transaction of the driver's (or holding a
    writer's turn), which must end before ``BEGIN IMMEDIATE`` starts another."""
    connection = db.connection()
    if connection.dialect.name != "sqlite":
        return False
    if _TURN in db.info:
        return True
    driver = connection.connection.dbapi_connection
    return driver is None or getattr(driver, "in_transaction", True)


def rowcount(result: Result[Any]) -> int:
    """Rows changed by an INSERT, UPDATE or DELETE: what a conditional update (a claim, a
    close, a mark) tells of whether it took."""
    return cast(CursorResult[Any], result).rowcount


#: How long a writer waits for its turn by default, in seconds (``take_turns`` sets the
#: engine's lock timeout): then it fails as SQLite's own lock timeout does (``database is
#: locked``), and the application answers 503.
WRITER_TIMEOUT = 30.0
#: How often a process's waiting writer looks whether another process's writer is done.
POLL_SECONDS = 0.001
_TURN = "decisions.transactions.turn"


class Turns:
    """Whose turn it is to write to one SQLite database: a lock of the process (threads wait
    on it and wake at once), then a lock on a file beside the database shared by the
    processes (``flock``; the one waiting thread of each process looks every millisecond)."""

    def __init__(self, path: str | None, timeout: float = WRITER_TIMEOUT) -> None:
        self.path = path
        self.timeout = timeout
        self.threads = threading.RLock()
        self.depth = 0
        self.fd: int | None = None
        self.pid = 0

    def take(self) -> None:
        deadline = time.monotonic() + self.timeout
        if not self.threads.acquire(timeout=self.timeout):
            raise _locked()
        self.depth += 1
        if self.depth > 1 or self.path is None:
            return
        try:
            while not self._flock():
                if time.monotonic() > deadline:
                    raise _locked()
                time.sleep(POLL_SECONDS)
        except BaseException:
            self.depth -= 1
            self.threads.release()
            raise

    def give_back(self) -> None:
        self.depth -= 1
        if self.depth == 0 and self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
        self.threads.release()

    def _flock(self) -> bool:
        if self.path is None:
            return True
        if self.fd is None or self.pid != os.getpid():  # a fork has a file of its own
            try:
                self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:  # a folder that takes no file: SQLite's own lock alone
                self.path = None
                return True
            self.pid = os.getpid()
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True


def _locked() -> OperationalError:
    return OperationalError("BEGIN IMMEDIATE", {},
                            sqlite3.OperationalError("database is locked"))


_turns_of: dict[Engine, Turns] = {}
_turns_lock = threading.Lock()


def take_turns(engine: Engine, timeout: float = WRITER_TIMEOUT) -> None:
    """Let the writers to this SQLite engine's database take turns, waiting at most
    ``timeout`` seconds (``db.make_engine`` calls it with the engine's lock timeout)."""
    database = (engine.url.database or "").removeprefix("file:").partition("?")[0]
    with _turns_lock:
        _turns_of[engine] = Turns(f"{database}-writers" if database and
                                  database != ":memory:" else None, timeout)


def _turns(engine: Engine) -> Turns:
    """The turns of the process's writers to this engine's database."""
    if engine not in _turns_of:
        take_turns(engine)
    return _turns_of[engine]


@event.listens_for(Session, "after_transaction_end")
def _end_turn(db: Session, transaction: SessionTransaction) -> None:
    """Give the turn to write back when the unit of work that took it ends, however."""
    if transaction.parent is None:
        turns = db.info.pop(_TURN, None)
        if turns is not None:
            turns.give_back()
