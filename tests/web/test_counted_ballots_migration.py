"""The migration that gives each elector their counted ballot fills it from the ballots
already cast: the latest, the first where the proposal refuses changes, none in a secret
round (on SQLite, and on PostgreSQL when ``DECISIONS_TEST_POSTGRES_URL`` is set)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, create_engine, insert, select, text
from sqlalchemy.engine import make_url

from decisions.web import migrate

from .conftest import BACKENDS, POSTGRES_URL

BEFORE = "a8c3f1d27e90"
AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@contextmanager
def empty_database(backend: str, folder: Path) -> Iterator[str]:
    """The URL of a database of its own, dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'migrated.sqlite'}"
        return
    assert POSTGRES_URL is not None
    name = f"decisions_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _world(url: str) -> dict[str, int]:
    """Three members and three rounds as the schema before the migration holds them: a
    vote where members changed their ballot, one whose rule refuses changes (a second
    ballot raced past the server), and a secret one (counters only)."""
    engine = create_engine(url)
    tables = MetaData()
    tables.reflect(engine)
    t = tables.tables
    with engine.begin() as connection:
        organisation = connection.execute(insert(t["organisation"]).values(
            name="Coop", slug="coop", timezone="UTC", is_scic=False, created_at=AT,
            allow_member_proposals=False).returning(t["organisation"].c.id)).scalar_one()
        members = []
        for i in range(3):
            user = connection.execute(insert(t["user"]).values(
                email=f"m{i}@example.org", name=f"M{i}", password_hash="x",  # noqa: S106 - no account
                created_at=AT,
                session_version=0).returning(t["user"].c.id)).scalar_one()
            members.append(connection.execute(insert(t["membership"]).values(
                organisation_id=organisation, user_id=user, role="member", vote_weight=1,
                joined_at=AT).returning(t["membership"].c.id)).scalar_one())
        rounds: dict[str, int] = {}
        for name, params, secret in (("changes", {}, False),
                                     ("first", {"allow_vote_change": False}, False),
                                     ("secret", {}, True)):
            proposal = connection.execute(insert(t["proposal"]).values(
                organisation_id=organisation, title=name, family="majority",
                params=json.dumps({"preset": "association_default", **params}),
                electorate_scope="organisation", hide_results=False, reason_required="",
                voters_visible="everyone", secret=secret, status="open",
                outcome_statement="", outcome_statement_html="", created_at=AT,
            ).returning(t["proposal"].c.id)).scalar_one()
            rounds[name] = connection.execute(insert(t["round"]).values(
                proposal_id=proposal, number=1, kind="vote", version_number=1,
                convocation="first", opens_at=AT, closes_at=AT + timedelta(days=7),
                status="open").returning(t["round"].c.id)).scalar_one()
            connection.execute(insert(t["elector"]), [
                {"round_id": rounds[name], "membership_id": m, "vote_weight": 1}
                for m in members])
        ballots: list[dict[str, Any]] = [
            {"round_id": rounds[name], "membership_id": member, "position": position,
             "reason": "", "concern": "", "cast_at": AT + timedelta(minutes=i)}
            for i, (name, member, position) in enumerate([
                ("changes", members[0], "yes"), ("changes", members[0], "no"),
                ("changes", members[1], "abstain"), ("changes", members[0], "blank"),
                ("first", members[0], "no"), ("first", members[0], "yes"),
                ("first", members[1], "yes")])]
        connection.execute(insert(t["ballot"]), ballots)
    engine.dispose()
    return {**rounds, **{f"m{i}": m for i, m in enumerate(members)}}


@pytest.mark.parametrize("backend", BACKENDS)
def test_each_elector_counts_the_ballot_the_rule_keeps_after_the_migration(
        tmp_path: Path, backend: str) -> None:
    with empty_database(backend, tmp_path) as url:
        migrate.upgrade(url, BEFORE)
        world = _world(url)
        migrate.upgrade(url)
        engine = create_engine(url)
        tables = MetaData()
        tables.reflect(engine, only=["elector", "ballot"])
        e, b = tables.tables["elector"], tables.tables["ballot"]
        with engine.connect() as connection:
            rows = connection.execute(select(e.c.round_id, e.c.membership_id, e.c.position,
                                             b.c.position.label("ballot_position"))
                                      .outerjoin(b, b.c.id == e.c.ballot_id)).all()
        engine.dispose()
    assert all(row.position == row.ballot_position for row in rows)
    counted = {(row.round_id, row.membership_id): row.position for row in rows}
    m0, m1, m2 = world["m0"], world["m1"], world["m2"]
    changes, first, secret = world["changes"], world["first"], world["secret"]
    assert counted[changes, m0] == "blank"  # the latest of three
    assert counted[changes, m1] == "abstain"
    assert counted[changes, m2] is None  # never voted
    assert counted[first, m0] == "no"  # the first: the rule refuses the change
    assert counted[first, m1] == "yes"
    assert all(counted[secret, m] is None for m in (m0, m1, m2))
