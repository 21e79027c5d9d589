"""Opening a round for 5,000 electors: the electorate snapshot, the audit entry and the
opening's announcement, in one transaction; then, apart, the sender's first step that writes
one opening notice per elector (the outbox, with its answer link) from the announcement.

    .venv/bin/python benchmarks/open_round.py [--postgres] [--members 5000] [--repeat 5]

A fresh database (SQLite in ``benchmarks/data/``, or with ``--postgres`` a PostgreSQL database
of its own on 127.0.0.1:5432, dropped at the end) gets an association of ``--members``
members (inserted in bulk, as ``assembly.py`` does). Then, ``--repeat`` times, a consent
proposal is drafted (not timed) and its consent round opened through
``services.rounds.open_round`` in one unit of work, as the open-round page does: the time
is from the start of the transaction to the end of its commit. Then the notices are
written as the sender's next pass writes them (``services.notices.expand_due``), timed
apart (no request waits for it). Each run checks that the round has one elector and one
``round_opened`` notice per member.

The last line is exactly ``open_round_ms best=<n> median=<n> worst=<n> electors=<n>
notices=<n> within_limit=<true|false>`` (limit 300 ms on the best run: the first runs
warm the caches of the database and of the process); the line before it, the sender's
writing of the notices: ``notices_written_ms best=<n> median=<n>``. Figures:
benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import timedelta

from assembly import (
    OWNER,
    PASSWORD,
    _insert_members,
    email_of,
    fresh_database,
    setup_app,
    work_folder,
)
from sqlalchemy import func, select

from decisions.web import db
from decisions.web.models import Elector, Membership, Notice, Organisation, RoundKind
from decisions.web.services import accounts, notices, organisations, proposals, rounds

LIMIT_MS = 300.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with work_folder("open-round") as folder, fresh_database(args.postgres, folder) as url:
        app = setup_app(url, folder)
        with app.app_context():
            now = db.utcnow()
            with db.transaction() as session:
                owner = accounts.create_user(session, email=OWNER, name="Owner",
                                             password=PASSWORD, now=now)
                organisation = organisations.create_organisation(
                    session, owner, name="Benchmark", slug="bench", is_scic=False, now=now)
                _insert_members(session, organisation.id,
                                [email_of(i) for i in range(args.members - 1)], now)
                organisation_id = organisation.id
                author_id = session.scalars(select(Membership.id).where(
                    Membership.user_id == owner.id)).one()
            times: list[float] = []
            written: list[float] = []
            for run in range(args.repeat):
                with db.transaction() as session:
                    proposal = proposals.create_proposal(
                        session, session.get_one(Organisation, organisation_id),
                        session.get_one(Membership, author_id), title=f"Proposal {run}",
                        body="The association adopts it.", family="consent",
                        params={"preset": "consent_async"}, now=now)
                session = db.session()
                session.expire_all()
                started = time.perf_counter()
                with db.transaction() as session:
                    round_ = rounds.open_round(session, proposal, RoundKind.CONSENT,
                                               closes_at=now + timedelta(days=7), now=now)
                times.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                notices.expand_due(app.extensions["decisions.db"], now)
                written.append((time.perf_counter() - started) * 1000)
                electors = session.scalar(select(func.count()).select_from(Elector).where(
                    Elector.round_id == round_.id))
                told = session.scalar(select(func.count()).select_from(Notice).where(
                    Notice.round_id == round_.id, Notice.kind == "round_opened"))
                session.commit()
                print(f"run {run + 1}: {times[-1]:.1f} ms, {electors} electors,"
                      f" {told} notices written in {written[-1]:.1f} ms", flush=True)
                if electors != args.members or told != args.members:
                    print("the round does not have one elector and one notice per member")
                    return 1
        db.engine_of(app).dispose()
    best, median, worst = min(times), statistics.median(times), max(times)
    within = best <= LIMIT_MS
    print(f"notices_written_ms best={min(written):.1f} median={statistics.median(written):.1f}")
    print(f"open_round_ms best={best:.1f} median={median:.1f} worst={worst:.1f}"
          f" electors={electors} notices={told} within_limit={str(within).lower()}")
    return 0 if within else 1


if __name__ == "__main__":
    raise SystemExit(main())
