"""The SQL statements the application sends while a block runs: for the tests that check
which statements a request sends, or count them so that the most frequent requests do not
slowly ask more of the database."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import event

from decisions.web import db

#: What SQLAlchemy sends to make, release or go back to a savepoint.
SAVEPOINT = re.compile(r"(RELEASE |ROLLBACK TO )?SAVEPOINT ", re.IGNORECASE)


@contextmanager
def recorded(app: Flask, *, commits: bool = False,
             savepoints: bool = True) -> Iterator[list[str]]:
    """The SQL statements the application sends meanwhile, on any of its connections, their
    white space folded; with ``commits``, its commits too (``COMMIT``) in their place;
    without ``savepoints``, none that makes, releases or goes back to a savepoint (they read
    nothing, and a world rolled back after each test opens one for each unit of work)."""
    sent: list[str] = []

    def record(connection: Any, cursor: Any, statement: str, *args: Any) -> None:
        if savepoints or not SAVEPOINT.match(statement):
            sent.append(" ".join(statement.split()))

    def committed(connection: Any) -> None:
        sent.append("COMMIT")

    listeners: list[tuple[str, Callable[..., None]]] = [("before_cursor_execute", record)]
    if commits:
        listeners.append(("commit", committed))
    engine = db.engine_of(app)
    for name, listener in listeners:
        event.listen(engine, name, listener)
    try:
        yield sent
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)
