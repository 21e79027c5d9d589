"""Ballots wait in no line: a ballot's transaction takes no lock that the organisation's
other voters share, its audit entry is chained ("sealed") right after its commit, an entry
left unsealed is sealed by the scheduler and reported by ``verify`` once ``SEAL_DELAY`` has
passed, and a unit of work that writes takes SQLite's write lock when it begins."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from decisions.web import db, scheduler
from decisions.web.models import AuditEntry, Ballot, Proposal, RoundKind
from decisions.web.services import audit, rounds
from decisions.web.transactions import AUDIT_SEALING, begin_write

from .conftest import Auth, Clock
from .round_steps import Coop, open_round, proposal_of, vote
from .round_steps import coop as coop
from .statements import recorded


def _postgres_only(app: Flask) -> None:
    if db.engine_of(app).dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: its ballots are chained in their"
                    " transaction")


def _vote_round(app: Flask, coop: Coop, clock: Clock) -> int:
    organisation, members = coop
    proposal = proposal_of(app, organisation, members[0], "majority",
                           {"preset": "association_default"}, clock)
    return open_round(app, proposal, RoundKind.VOTE, clock)


def _chain(app: Flask, organisation_id: int) -> list[tuple[int | None, str]]:
    with app.app_context():
        return [(seq, kind) for seq, kind in db.session().execute(
            select(AuditEntry.seq, AuditEntry.kind)
            .where(AuditEntry.organisation_id == organisation_id).order_by(AuditEntry.id))]


@pytest.fixture
def sessions(app: Flask) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = app.extensions["decisions.db"]
    return factory


def test_a_ballot_not_yet_committed_holds_no_lock_the_other_voters_need(
        app: Flask, coop: Coop, clock: Clock, sessions: sessionmaker[Session]) -> None:
    _postgres_only(app)
    organisation, members = coop
    round_id = _vote_round(app, coop, clock)
    with sessions() as first, sessions() as second, sessions() as other:
        rounds.cast_ballot(begin_write(first), round_id, members[1], "yes", now=clock())
        # The chain's lock is free while the first ballot is not committed...
        begin_write(other).execute(text("SET LOCAL lock_timeout = '200ms'"))
        free = other.execute(text("SELECT id FROM organisation WHERE id = :id"
                                  " FOR NO KEY UPDATE NOWAIT"), {"id": organisation.id})
        assert free.scalar_one() == organisation.id
        other.rollback()
        # ...and another member's ballot is stored meanwhile, without waiting.
        begin_write(second).execute(text("SET LOCAL lock_timeout = '200ms'"))
        rounds.cast_ballot(second, round_id, members[2], "no", now=clock())
        second.commit()
        first.commit()
    sealed = _chain(app, organisation.id)  # in order of id: the second was chained first
    assert [kind for _, kind in sealed[-2:]] == ["ballot_cast", "ballot_cast"]
    assert [seq for seq, _ in sealed[-2:]] == [len(sealed), len(sealed) - 1]
    assert sorted(seq for seq, _ in sealed if seq) == list(range(1, len(sealed) + 1))
    with app.app_context():
        assert audit.verify(db.session(), clock())[2] == []


def test_ballots_are_chained_after_their_commit_in_the_order_they_were_stored(
        app: Flask, coop: Coop, clock: Clock) -> None:
    organisation, members = coop
    round_id = _vote_round(app, coop, clock)
    for member, position in zip(members[:3], ["yes", "no", "yes"], strict=True):
        vote(app, round_id, member, position, clock)
        clock.advance(seconds=1)
    vote(app, round_id, members[0], "abstain", clock)
    chain = _chain(app, organisation.id)
    assert [kind for _, kind in chain[-4:]] == ["ballot_cast"] * 3 + ["ballot_changed"]
    assert [seq for seq, _ in chain] == list(range(1, len(chain) + 1))
    with app.app_context():
        shown = audit.latest(db.session(), organisation.id, limit=4)
        assert [entry.data["member"] for entry in shown] == [members[0], *members[2::-1]]
        assert audit.verify(db.session(), clock())[2] == []


def test_an_entry_its_request_left_unsealed_is_reported_late_and_sealed_by_the_scheduler(
        app: Flask, coop: Coop, clock: Clock, sessions: sessionmaker[Session]) -> None:
    organisation, members = coop
    round_id = _vote_round(app, coop, clock)
    vote(app, round_id, members[1], "yes", clock)
    with db.engine_of(app).begin() as connection:  # a request that died after its commit
        connection.execute(insert(AuditEntry).values(
            organisation_id=organisation.id, kind="test", data="{}", at=clock()))
    with app.app_context():
        assert audit.verify(db.session(), clock())[2] == []  # within the delay
        clock.advance(seconds=audit.SEAL_DELAY.seconds + 1)
        problems = audit.verify(db.session(), clock())[2]
    assert [problem.problem for problem in problems] == [
        f"the test entry {_chain_ids(app)[-1]} made at"
        f" {(clock() - audit.SEAL_DELAY - timedelta(seconds=1)).isoformat()[:-6]}Z"
        " is still not chained"]
    scheduler.close_due_rounds(app)
    assert [seq for seq, _ in _chain(app, organisation.id)][-1] == len(_chain_ids(app))
    with app.app_context():
        assert audit.verify(db.session(), clock())[2] == []


def _chain_ids(app: Flask) -> list[int]:
    with app.app_context():
        return list(db.session().scalars(select(AuditEntry.id).order_by(AuditEntry.id)))


def test_an_event_seals_the_ballots_pending_before_it_so_a_close_follows_every_ballot(
        app: Flask, coop: Coop, clock: Clock, sessions: sessionmaker[Session]) -> None:
    """A close waits for the chain's lock and chains what is pending first: its entry comes
    after every ballot committed before it, even one whose own seal has not run."""
    _postgres_only(app)
    organisation, members = coop
    round_id = _vote_round(app, coop, clock)
    with sessions() as session:
        rounds.cast_ballot(begin_write(session), round_id, members[1], "yes", now=clock())
        session.info.pop(audit.PENDING)  # as if the request died right after its commit
        session.commit()
    assert _chain(app, organisation.id)[-1] == (None, "ballot_cast")
    with sessions() as session:
        proposal = session.scalars(select(Proposal).where(
            Proposal.organisation_id == organisation.id)).one()
        rounds.cancel_round(begin_write(session), round_id, now=clock(),
                            actor_id=proposal.author_id)
        session.commit()
    chain = _chain(app, organisation.id)
    assert [kind for _, kind in chain[-2:]] == ["ballot_cast", "round_cancelled"]
    assert [seq for seq, _ in chain] == list(range(1, len(chain) + 1))


@pytest.fixture
def statements(app: Flask) -> Iterator[list[str]]:
    """Every SQL statement the application's engine runs while the test runs."""
    with recorded(app) as sent:
        yield sent


def test_a_ballot_takes_a_few_statements_and_writes_three_rows(
        app: Flask, coop: Coop, clock: Clock, client: FlaskClient, auth: Auth,
        statements: list[str]) -> None:
    """The vote page's post: who is signed in, with the membership of the organisation and
    the round with its proposal (one statement); then the ballot stored where the round
    takes it and the elector is in its electorate (one statement), the elector's counted
    ballot, the audit entry. On
    PostgreSQL the entry is chained after the commit, on SQLite in the transaction."""
    round_id = _vote_round(app, coop, clock)
    with app.app_context():
        proposal_id = db.session().scalars(select(Proposal.id)).one()
    auth.login("m1@example.org")
    statements.clear()
    answer = client.post(f"/orgs/coop/proposals/{proposal_id}/rounds/{round_id}/vote",
                         data={"position": "yes"})
    assert answer.status_code == 302
    writes = [s.split(" (")[0].split(" SET")[0] for s in statements
              if s.startswith(("INSERT", "UPDATE"))]
    postgres = db.engine_of(app).dialect.name == "postgresql"
    if postgres:
        ballot = statements[:statements.index(next(s for s in statements
                                                   if s.startswith("INSERT INTO audit"))) + 1]
        assert [s.split(" ")[0] for s in ballot] == ["SELECT", "INSERT", "UPDATE", "INSERT"]
        assert writes == ["INSERT INTO ballot", "UPDATE elector", "INSERT INTO audit_entry",
                          "UPDATE audit_entry"]  # the last one after the commit
    else:
        assert writes == ["INSERT INTO ballot", "UPDATE elector", "INSERT INTO audit_entry"]
        # The last SELECT reads the chain's head, to seal the entry at once.
        assert [s.split(" ")[0] for s in statements] == [
            "SELECT", "BEGIN", "INSERT", "UPDATE", "SELECT", "INSERT"]
    assert not any(s.startswith("SELECT ballot.") for s in statements)  # nothing read back
    with app.app_context():
        assert db.session().scalar(select(Ballot.position)) == "yes"


def test_a_unit_of_work_that_writes_holds_the_sqlite_write_lock_from_its_start(
        app: Flask) -> None:
    url = db.engine_of(app).url
    if url.get_backend_name() != "sqlite":
        pytest.skip("PostgreSQL locks rows when they are written")
    other = sqlite3.connect(url.database or "", timeout=0, isolation_level=None)
    try:
        with (app.app_context(), db.transaction(),
              pytest.raises(sqlite3.OperationalError, match="locked")):
            other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # free again once it committed
        other.execute("ROLLBACK")
    finally:
        other.close()


def test_the_sealing_thread_chains_a_burst_of_ballots_in_batches(
        app: Flask, coop: Coop, clock: Clock, sessions: sessionmaker[Session]) -> None:
    """As in production (``AUDIT_SEALING = "background"``): each commit hands its pending
    entries to the process's sealing thread and returns; four voters at once, thirty
    ballots each, and every entry is chained once the thread is idle."""
    _postgres_only(app)
    organisation, members = coop
    round_id = _vote_round(app, coop, clock)
    background = sessionmaker(sessions.kw["bind"], expire_on_commit=False,
                              info={AUDIT_SEALING: "background"})
    errors: list[BaseException] = []

    def voter(member: int) -> None:
        try:
            for i in range(30):
                with background() as session:
                    rounds.cast_ballot(begin_write(session), round_id, member,
                                       ("yes", "no")[i % 2], now=clock())
                    session.commit()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=voter, args=(m,)) for m in members[1:5]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert audit.sealer().idle(timeout=10)
    chain = _chain(app, organisation.id)
    assert sum(kind.startswith("ballot_") for _, kind in chain) == 120
    assert sorted(seq or 0 for seq, _ in chain) == list(range(1, len(chain) + 1))
    with app.app_context():
        assert audit.verify(db.session(), clock())[2] == []
