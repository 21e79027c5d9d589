"""Results of a big vote: the results service, the results page over HTTP and the close, at
1,000, 10,000 and 100,000 ballots; time and size.

    .venv/bin/python benchmarks/results_scale.py [--sizes 1000,10000,100000] [--repeat 3]
        [--postgres]

For each size, a fresh database (SQLite in ``benchmarks/data/``, or PostgreSQL with
``--postgres``) gets an association of as many members (inserted in bulk) and a majority
vote opened through the rounds service, whose electors all vote once, in a shuffled order:
the ballots, each elector's counted ballot and the audit entries are bulk-loaded, the chain
computed as ``audit.ballot_cast`` and ``audit.seal`` compute it, then checked with
``audit.verify`` (again after the close), so that the database is one the application could
have written; PostgreSQL's statistics are then gathered, as its autovacuum would. The
proposal shows who voted what to everyone (the default), so the page lists voters (a page
of them: the size reported).

Then, read by the owner (an admin): ``results.round_results`` (best and median of
``--repeat`` runs, each in a fresh session) and the results page from gunicorn (one worker,
signed in through the form; time to the last byte, and size); ``rounds.close_round`` once,
with its commit (time, and the size of the stored case and result); and the service and the
page again on the closed round. One line per size, then a table. Figures:
benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import random
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
    server_environment,
    setup_app,
    work_folder,
)
from flask import Flask
from live_server import Client, Member, serve
from sqlalchemy import insert, select, text, update

from decisions.web import db
from decisions.web.models import AuditEntry, Ballot, Elector, Membership, Round
from decisions.web.services import audit, results, rounds

POSITIONS = ("yes", "no", "abstain")
SPACING = timedelta(milliseconds=100)  # between two bulk-loaded ballots


@dataclass(frozen=True)
class Timing:
    best: float
    median: float
    size: int

    def __str__(self) -> str:
        return f"{self.best:.3f}s (median {self.median:.3f}s)"


def _timed(action: Callable[[], int], repeat: int) -> Timing:
    """Best and median seconds of ``repeat`` runs; the size the last run gave."""
    times, size = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        size = action()
        times.append(time.perf_counter() - started)
    return Timing(min(times), statistics.median(times), size)


def _load_ballots(app: Flask, assembly: Assembly) -> None:
    """One ballot per member, cast in turn from the opening in an order shuffled once (as
    members vote, not in the order they joined), stored as ``rounds.cast_ballot`` stores
    them: the ballot, the elector's counted ballot (``Elector.ballot_id`` and ``position``)
    and its audit entry, sealed after the chain's head as ``audit.seal`` seals it."""
    opened = assembly.opened_at
    members = list(assembly.memberships)
    random.Random(len(members)).shuffle(members)
    with app.app_context(), db.transaction() as session:
        session.execute(insert(Ballot), [
            {"round_id": assembly.round_id, "membership_id": member,
             "position": POSITIONS[i % 3], "reason": "", "concern": "", "nominee_id": None,
             "cast_at": opened + SPACING * (i + 1)}
            for i, member in enumerate(members)])
        rows = session.execute(select(Ballot.id, Ballot.round_id, Ballot.membership_id,
                                      Ballot.position, Ballot.reason, Ballot.concern,
                                      Ballot.nominee_id, Ballot.cast_at)
                               .where(Ballot.round_id == assembly.round_id)
                               .order_by(Ballot.id)).all()
        session.execute(update(Elector), [
            {"round_id": row.round_id, "membership_id": row.membership_id,
             "ballot_id": row.id, "position": row.position} for row in rows])
        organisation_id = session.get_one(Membership, assembly.owner_membership).organisation_id
        seq, previous = audit.seal(session, organisation_id)  # alone: nobody holds the lock
        entries = []
        for row in rows:  # as audit.ballot_cast records a member's first ballot
            seq += 1
            data = audit.canonical({"round": row.round_id, "ballot": row.id,
                                    "member": row.membership_id, "position": row.position,
                                    "fingerprint": audit.ballot_fingerprint(row)})
            entry_hash = audit.digest(previous, seq, "ballot_cast", data, row.membership_id,
                                      row.cast_at)
            entries.append({"organisation_id": organisation_id, "seq": seq,
                            "kind": "ballot_cast", "data": data, "actor_id": row.membership_id,
                            "at": row.cast_at, "previous_hash": previous, "hash": entry_hash})
            previous = entry_hash
        session.execute(insert(AuditEntry), entries)
    _verify(app)
    _analyze(app)
    assert opened + SPACING * len(rows) < datetime.now(UTC), "a ballot would be in the future"


def _verify(app: Flask) -> None:
    """Stop unless the audit log verifies (chain, ballots, closes, nothing pending too long)."""
    with app.app_context():
        problems = audit.verify(db.session(), datetime.now(UTC))[2]
    if problems:
        raise SystemExit(f"the audit log does not verify: {problems[:3]}")


def _analyze(app: Flask) -> None:
    """Give PostgreSQL's planner the statistics of the loaded tables, as its autovacuum
    does in a live database once a tenth of a table has changed (a bulk load is measured
    seconds later, before autovacuum's next round)."""
    engine = db.engine_of(app)
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            connection.commit()


def _service(app: Flask, assembly: Assembly) -> Callable[[], int]:
    """The results service as the page calls it; its size: the voter lines."""
    def run() -> int:
        with app.app_context():
            session = db.session()
            found = results.round_results(
                session, session.get_one(Round, assembly.round_id),
                session.get_one(Membership, assembly.owner_membership), datetime.now(UTC))
            return len(found.voters or [])
    return run


def _page(client: Client, owner: Member, assembly: Assembly) -> Callable[[], int]:
    """The results page over HTTP; its size: the bytes of the body."""
    def run() -> int:
        answer = client.send("GET", assembly.round_path + "/results", cookie=owner.cookie)
        if answer.status != 200:
            raise SystemExit(f"the results page answered {answer.status}")
        return len(answer.body)
    return run


def _close(app: Flask, assembly: Assembly) -> tuple[float, int]:
    """Seconds to close the round (and commit); bytes of its stored case and result."""
    started = time.perf_counter()
    with app.app_context(), db.transaction() as session:
        if not rounds.close_round(session, assembly.round_id, now=datetime.now(UTC)):
            raise SystemExit("the round was already closed")
    seconds = time.perf_counter() - started
    with app.app_context():
        round_ = db.session().get_one(Round, assembly.round_id)
        if round_.outcome is None:
            raise SystemExit(f"the round closed without an outcome: {round_.failure}")
        return seconds, len((round_.case_json or "").encode()) + len(
            (round_.result_json or "").encode())


@dataclass(frozen=True)
class Figures:
    ballots: int
    service_open: Timing
    page_open: Timing
    close_s: float
    stored_bytes: int
    service_closed: Timing
    page_closed: Timing


def measure(size: int, repeat: int, postgres: bool) -> Figures:
    with work_folder("results-scale") as folder, fresh_database(postgres, folder) as url:
        app = setup_app(url, folder)
        started = time.perf_counter()
        # Opened 12 hours ago, so that every bulk-loaded ballot (0.1 s apart) is in the past.
        assembly = open_assembly(app, size, bulk=True,
                                 opened_at=datetime.now(UTC) - timedelta(hours=12))
        _load_ballots(app, assembly)
        print(f"ballots={size} setup_s={time.perf_counter() - started:.1f} "
              "(members, round, ballots and audit chain, verified)", flush=True)
        with serve(server_environment(url, folder), folder, workers=1, threads=2,
                   timeout=600) as server:
            client = Client(server.port, timeout=600)
            owner = Member(OWNER)
            owner.sign_in(client, PASSWORD, assembly.round_path)
            service_open = _timed(_service(app, assembly), repeat)
            page_open = _timed(_page(client, owner, assembly), repeat)
            close_s, stored_bytes = _close(app, assembly)
            service_closed = _timed(_service(app, assembly), repeat)
            page_closed = _timed(_page(client, owner, assembly), repeat)
            client.close()
            errors = server.errors()
        _verify(app)  # the close's entry follows the ballots' in a chain that still holds
        db.engine_of(app).dispose()
    if errors:
        raise SystemExit("gunicorn's log shows a traceback:\n" + errors)
    return Figures(size, service_open, page_open, close_s, stored_bytes, service_closed,
                   page_closed)


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 100_000 else f"{size / 1e3:.0f} kB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000",
                        help="numbers of ballots, comma-separated")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL, not SQLite")
    args = parser.parse_args()
    print(f"database={'postgresql' if args.postgres else 'sqlite'} repeat={args.repeat}",
          flush=True)
    table = []
    for size in (int(s) for s in args.sizes.split(",")):
        f = measure(size, args.repeat, args.postgres)
        print(f"ballots={f.ballots} service_open={f.service_open} voters={f.service_open.size}"
              f" page_open={f.page_open} page_open_bytes={f.page_open.size}"
              f" close_s={f.close_s:.3f} stored_bytes={f.stored_bytes}"
              f" service_closed={f.service_closed} page_closed={f.page_closed}"
              f" page_closed_bytes={f.page_closed.size}", flush=True)
        table.append(f"| {f.ballots:,} | {f.service_open.best:.3f} s | "
                     f"{f.page_open.best:.2f} s, {_mb(f.page_open.size)} | {f.close_s:.3f} s, "
                     f"{_mb(f.stored_bytes)} | {f.service_closed.best:.3f} s | "
                     f"{f.page_closed.best:.2f} s, {_mb(f.page_closed.size)} |")
    print("\n| ballots | service (open) | page (open) | close (stored) | service (closed) "
          "| page (closed) |\n|---|---|---|---|---|---|")
    print("\n".join(table))


if __name__ == "__main__":
    main()
