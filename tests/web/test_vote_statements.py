"""What a ballot through the round page asks of the database: the statements of one vote,
counted, so that the most frequent request does not slowly grow (issue 11)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import event

from decisions.web import db
from decisions.web.models import Organisation

from .conftest import Clock
from .round_pages import Browsers, MakeMember, MakeOrg, draft


@contextmanager
def statements(app: Flask) -> Iterator[list[str]]:
    """The SQL statements the application sends meanwhile, on any of its connections."""
    sent: list[str] = []

    def record(connection: Any, cursor: Any, statement: str, *args: Any) -> None:
        sent.append(" ".join(statement.split()))

    engine = db.engine_of(app)
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_a_ballot_through_the_page_reads_three_times_and_writes_once_each(
        app: Flask, make_org: MakeOrg, make_member: MakeMember, clock: Clock) -> None:
    """The person, the organisation with the membership, the round with its proposal; then
    the ballot stored where the round takes it, the elector's counted ballot, and the audit
    entry (after the head of the chain, on SQLite; sealed after the commit elsewhere)."""
    coop: Organisation = make_org("coop", admin="admin@example.org", is_scic=False)
    make_member(coop, "fa@example.org", role="facilitator")
    make_member(coop, "ana@example.org")
    browsers = Browsers(app, "coop")
    proposal = draft(app, coop, "fa@example.org", "majority",
                     {"preset": "association_default"}, clock)
    round_id = browsers.open("fa@example.org", proposal, "vote")
    browsers.vote("ana@example.org", proposal, round_id, "yes")  # the first one, warmed up
    with statements(app) as sent:
        response = browsers.vote("ana@example.org", proposal, round_id, "no")
    assert response.status_code == 302
    assert [what(statement) for statement in sent] == (
        ["SELECT user", "SELECT organisation", "SELECT round", "BEGIN IMMEDIATE",
         "INSERT ballot", "UPDATE elector", "SELECT audit_entry", "INSERT audit_entry"]
        if db.engine_of(app).dialect.name == "sqlite" else
        ["SELECT user", "SELECT organisation", "SELECT round",
         "INSERT ballot", "UPDATE elector", "INSERT audit_entry",
         # sealed after the commit, on another connection
         "SELECT organisation", "SELECT audit_entry", "UPDATE audit_entry",
         "SELECT audit_entry"])


def what(statement: str) -> str:
    """A statement's verb and first table: ``SELECT user``, ``INSERT ballot``..."""
    words = statement.replace('"', "").split()
    verb = words[0]
    if verb == "SELECT":
        return f"SELECT {words[words.index('FROM') + 1]}"
    if verb == "INSERT":
        return f"INSERT {words[2]}"
    return f"{verb} {words[1]}"
