"""The read model of a round's results at 100,000 ballots, in the two shapes of issue 11:
1,000 electors who each change their vote 100 times, and 100,000 electors who vote once.

    .venv/bin/python benchmarks/results_read_model.py [--shapes changes,crowd] [--repeat 5]
        [--postgres]

For each shape, a fresh database (SQLite in ``benchmarks/data/``, or PostgreSQL with
``--postgres``) gets an association (members inserted in bulk) and a majority vote opened
through the rounds service, shown to everyone with who voted what (the default). The
ballots are bulk-loaded with one audit entry each, as the application writes them, the
counted ballot of each elector with them (``counted``, as casting a ballot keeps it), and
the audit log verified (``audit.verify``, again at the end); PostgreSQL then vacuums and
analyses its tables, as autovacuum soon would.

Then, read by the owner (an admin), in a fresh session each time: the results service
(``results.round_results``) and the results page through Flask's test client (the whole
request: session, access check, service, template), best and median of ``--repeat`` runs,
with the size of the page; the second page of voters and a search by name; the same once
the round is closed. One line per measure.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from assembly import (
    OWNER,
    PASSWORD,
    Assembly,
    fresh_database,
    open_assembly,
    work_folder,
)
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import Session

from decisions.web import create_app, db
from decisions.web.models import AuditEntry, Ballot, Elector, Membership, Round
from decisions.web.services import audit, results, rounds

POSITIONS = ("yes", "no", "abstain")
SHAPES = {"changes": (1_000, 100), "crowd": (100_000, 1)}  # electors, ballots each
SPACING = timedelta(milliseconds=100)  # between two bulk-loaded ballots


@dataclass(frozen=True)
class Timing:
    best: float
    median: float
    size: int

    def __str__(self) -> str:
        return (f"best {self.best * 1000:7.1f} ms  median {self.median * 1000:7.1f} ms"
                f"  {self.size / 1000:9.1f} kB")


def timed(action: Callable[[], int], repeat: int) -> Timing:
    """Best and median seconds of ``repeat`` runs (after one to warm up); the last size."""
    action()
    times, size = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        size = action()
        times.append(time.perf_counter() - started)
    return Timing(min(times), statistics.median(times), size)


def load_ballots(app: Flask, assembly: Assembly, changes: int) -> None:
    """``changes`` ballots per member, in turns from the opening, each with its audit entry
    (``ballot_cast`` then ``ballot_changed``), and each elector's counted ballot."""
    opened, members = assembly.opened_at, assembly.memberships
    with app.app_context(), db.transaction() as session:
        session.execute(insert(Ballot), [
            {"round_id": assembly.round_id, "membership_id": member,
             "position": POSITIONS[(i + turn) % 3], "reason": "", "concern": "",
             "nominee_id": None, "cast_at": opened + SPACING * (turn * len(members) + i + 1)}
            for turn in range(changes) for i, member in enumerate(members)])
        rows = session.execute(select(Ballot.id, Ballot.round_id, Ballot.membership_id,
                                      Ballot.position, Ballot.reason, Ballot.concern,
                                      Ballot.nominee_id, Ballot.cast_at)
                               .where(Ballot.round_id == assembly.round_id)
                               .order_by(Ballot.id)).all()
        organisation_id = session.get_one(Membership, assembly.owner_membership).organisation_id
        seq, previous = audit.seal(session, organisation_id)  # alone: nobody holds the lock
        entries, seen = [], set()
        for row in rows:  # as audit.ballot_cast records them
            seq += 1
            kind = "ballot_changed" if row.membership_id in seen else "ballot_cast"
            seen.add(row.membership_id)
            data = audit.canonical({"round": row.round_id, "ballot": row.id,
                                    "member": row.membership_id, "position": row.position,
                                    "fingerprint": audit.ballot_fingerprint(row)})
            entry_hash = audit.digest(previous, seq, kind, data, row.membership_id, row.cast_at)
            entries.append({"organisation_id": organisation_id, "seq": seq, "kind": kind,
                            "data": data, "actor_id": row.membership_id, "at": row.cast_at,
                            "previous_hash": previous, "hash": entry_hash})
            previous = entry_hash
        session.execute(insert(AuditEntry), entries)
        counted(session, assembly.round_id)
    verify(app)
    assert opened + SPACING * len(rows) < datetime.now(UTC), "a ballot would be in the future"


def verify(app: Flask) -> None:
    """Stop unless the audit log verifies (chain, ballots, closes, nothing pending too long)."""
    with app.app_context():
        problems = audit.verify(db.session(), datetime.now(UTC))[2]
    if problems:
        raise SystemExit(f"the audit log does not verify: {problems[:3]}")


def counted(session: Session, round_id: int) -> None:
    """Each elector's latest ballot made the one that counts, as casting it does
    (``services.rounds``)."""
    latest = (select(func.max(Ballot.id)).where(Ballot.round_id == Elector.round_id,
                                                Ballot.membership_id == Elector.membership_id)
              .scalar_subquery())
    session.execute(update(Elector).where(Elector.round_id == round_id)
                    .values(ballot_id=latest).execution_options(synchronize_session=False))
    session.execute(update(Elector).where(Elector.round_id == round_id).values(
        position=select(Ballot.position).where(Ballot.id == Elector.ballot_id)
        .scalar_subquery()).execution_options(synchronize_session=False))


def service(app: Flask, assembly: Assembly) -> Callable[[], int]:
    """The results service as the page calls it; its size: the voters it lists."""
    def run() -> int:
        with app.app_context():
            session = db.session()
            found = results.round_results(
                session, session.get_one(Round, assembly.round_id),
                session.get_one(Membership, assembly.owner_membership), datetime.now(UTC))
            return len(found.voters or [])
    return run


def page(client: FlaskClient, assembly: Assembly, query: str = "") -> Callable[[], int]:
    """The results page through the test client; its size: the bytes of the body."""
    def run() -> int:
        answer = client.get(assembly.round_path + "/results" + query)
        if answer.status_code != 200:
            raise SystemExit(f"the results page answered {answer.status_code}")
        return len(answer.get_data())
    return run


def measure(shape: str, repeat: int, postgres: bool) -> None:
    electors, changes = SHAPES[shape]
    with work_folder("results-read-model") as folder, fresh_database(postgres, folder) as url:
        app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "benchmark",
                          "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                          "INSTANCE_PATH": str(folder / "instance"),
                          "AUDIT_FOLDER": str(folder / "audit"),
                          "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
        started = time.perf_counter()
        assembly = open_assembly(app, electors, bulk=True,
                                 opened_at=datetime.now(UTC) - timedelta(hours=12))
        load_ballots(app, assembly, changes)
        if postgres:  # what autovacuum does within a minute of such a load
            with db.engine_of(app).connect().execution_options(
                    isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
        print(f"{shape}: {electors} electors x {changes} ballots,"
              f" setup {time.perf_counter() - started:.1f} s", flush=True)
        client = app.test_client()
        signed = client.post("/auth/login", data={"email": OWNER, "password": PASSWORD})
        assert signed.status_code == 302, signed.status_code
        for state in ("open", "closed"):
            if state == "closed":
                with app.app_context(), db.transaction() as session:
                    assert rounds.close_round(session, assembly.round_id, now=datetime.now(UTC))
            print(f"  {state:6} service         {timed(service(app, assembly), repeat)}")
            print(f"  {state:6} page            {timed(page(client, assembly), repeat)}")
            print(f"  {state:6} page 2          "
                  f"{timed(page(client, assembly, '?page=2'), repeat)}")
            print(f"  {state:6} search 'member0001' "
                  f"{timed(page(client, assembly, '?search=member0001'), repeat)}",
                  flush=True)
        verify(app)  # the close's entry follows the ballots' in a chain that still holds
        db.engine_of(app).dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shapes", default="changes,crowd")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--postgres", action="store_true")
    options = parser.parse_args()
    for shape in options.shapes.split(","):
        measure(shape, options.repeat, options.postgres)


if __name__ == "__main__":
    main()
