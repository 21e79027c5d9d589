"""Ballots over HTTP: the application under gunicorn on 127.0.0.1, signed-in members posting
ballots as fast as the server takes them, and a check that every acknowledged ballot, and
no other, is stored.

    .venv/bin/python benchmarks/http_load.py [--postgres] [--members 1000] [--voters 50]
        [--seconds 30] [--workers 4] [--threads 8]

A fresh database (SQLite in ``benchmarks/data/``, or with ``--postgres`` a PostgreSQL database
of its own on 127.0.0.1:5432, dropped at the end) gets an association of ``--members``
members and one open majority vote. gunicorn serves the application (``--workers`` x
``--threads``, CSRF on, as in production); every member signs in through the form; then
``--voters`` concurrent voters, each on one keep-alive connection, post ballots (the round's
form: position and CSRF token, each post a member's new or changed position) for
``--seconds``. A ballot is acknowledged when the server answers 302 (the redirect is not
followed); anything else, a timeout included, is an error. Then the server is stopped, the
stored ballots are counted, and the audit chain is verified (after sealing what the stopped
server left pending, as the scheduler would: the line before the last says how many).

The last line is exactly (one line, cut in two here)::

    ballots/s=<n> p50_ms=<n> p95_ms=<n> p99_ms=<n> errors=<n>
    stored_equals_acknowledged=<true|false> cpu_ms_per_request=<n>

where ballots/s is acknowledged ballots per second of the load, the percentiles are those of
the ballot posts' latencies, and cpu_ms_per_request is the CPU time of gunicorn's processes
(master and workers, user and system, from ``/proc``) during the load, divided by the
requests of the load. The lines before it give the audit check and the workers' resident
memory after the load. Exit status 1 when a request failed, the stored ballots differ from the
acknowledged ones, or the audit chain does not verify. Figures: benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import os
import pstats
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from assembly import (
    DATA,
    PASSWORD,
    Assembly,
    email_of,
    fresh_database,
    open_assembly,
    server_environment,
    setup_app,
    work_folder,
)
from flask import Flask
from live_server import Answer, Client, Member, Server, database_cpu_seconds, serve
from sqlalchemy import func, select
from werkzeug.test import EnvironBuilder

from decisions.web import create_app, db
from decisions.web.models import AuditEntry, Ballot
from decisions.web.services import audit

POSITIONS = ("yes", "no", "abstain")
REQUEST_TIMEOUT = 30.0  # seconds a request may take before it counts as an error


@dataclass
class Load:
    """What the voters saw, gathered under a lock."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    acknowledged: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    @property
    def errors(self) -> int:
        return self.requests - self.acknowledged


def _sign_in_all(server: Server, assembly: Assembly, threads: int) -> list[Member]:
    """Every member signed in, ``threads`` at a time."""
    members = [Member(email) for email in assembly.emails]
    local = threading.local()

    def sign_in(member: Member) -> None:
        if not hasattr(local, "client"):
            local.client = Client(server.port, REQUEST_TIMEOUT)
        member.sign_in(local.client, PASSWORD, assembly.round_path)

    with ThreadPoolExecutor(threads) as pool:
        for future in [pool.submit(sign_in, member) for member in members]:
            future.result(timeout=120)
    return members


def _voter(server: Server, assembly: Assembly, members: list[Member], first: int, step: int,
           deadline: float, load: Load) -> None:
    """Post ballots until the deadline: members ``first``, ``first + step``, … in turn,
    each time the next position."""
    client = Client(server.port, REQUEST_TIMEOUT)
    path = assembly.round_path + "/vote"
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    index = first
    while time.monotonic() < deadline:
        member = members[index % len(members)]
        form = {"csrf_token": member.token, "position": POSITIONS[index % 3], "reason": ""}
        started = time.perf_counter()
        try:
            status = str(client.send("POST", path, cookie=member.cookie, form=form).status)
        except (OSError, http.client.HTTPException) as error:
            status = type(error).__name__
        latencies.append(time.perf_counter() - started)
        statuses[status] += 1
        index += step
    client.close()
    with load.lock:
        load.latencies += latencies
        load.statuses += statuses
        load.acknowledged += statuses["302"]


def _run(server: Server, assembly: Assembly, members: list[Member], voters: int,
         seconds: float) -> Load:
    load = Load()
    deadline = time.monotonic() + seconds
    with ThreadPoolExecutor(voters) as pool:
        futures = [pool.submit(_voter, server, assembly, members, i, voters, deadline, load)
                   for i in range(voters)]
        for future in futures:
            future.result(timeout=seconds + REQUEST_TIMEOUT + 30)
    return load


def _percentile(latencies: list[float], point: int) -> float:
    if len(latencies) < 2:
        return latencies[0] * 1000 if latencies else 0.0
    return statistics.quantiles(latencies, n=100, method="inclusive")[point - 1] * 1000


def _pending_entries() -> int:
    """Audit entries left unsealed when the server stopped (its sealing threads died with
    it: the scheduler, none here, seals them at its next tick)."""
    return db.session().scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.seq.is_(None))) or 0


def _floor(args: argparse.Namespace) -> int:
    """The same load on floor_app.py: the framework's pages without the application."""
    print(f"floor_app members={args.members} voters={args.voters} seconds={args.seconds:g} "
          f"gunicorn={args.workers}x{args.threads}", flush=True)
    emails = [email_of(i) for i in range(args.members)]
    assembly = Assembly("floor", 1, 1, emails, list(range(args.members)), 0,
                        datetime.now(UTC))
    with work_folder("http-floor") as folder, serve(
            {**os.environ}, folder, workers=args.workers, threads=args.threads,
            app="floor_app:app") as server:
        members = _sign_in_all(server, assembly, args.voters)
        cpu_before, started = server.cpu_seconds(), time.perf_counter()
        voters_before = time.process_time()
        load = _run(server, assembly, members, args.voters, args.seconds)
        elapsed = time.perf_counter() - started
        cpu = server.cpu_seconds() - cpu_before
        voters_cpu = time.process_time() - voters_before
        server_errors = server.errors()
    print(f"requests={load.requests} statuses={dict(sorted(load.statuses.items()))}")
    print(f"voters_cpu_ms_per_request={voters_cpu * 1000 / max(load.requests, 1):.1f}"
          " (this process: the voters' HTTP clients, on the same cores)")
    print(f"ballots/s={load.acknowledged / elapsed:.1f} "
          f"p50_ms={_percentile(load.latencies, 50):.0f} "
          f"p95_ms={_percentile(load.latencies, 95):.0f} "
          f"p99_ms={_percentile(load.latencies, 99):.0f} errors={load.errors} "
          f"stored_equals_acknowledged=n/a "
          f"cpu_ms_per_request={cpu * 1000 / max(load.requests, 1):.1f}")
    return 0 if not load.errors and not server_errors else 1


class InProcess:
    """``live_server.Client``'s interface served by the application in this process, one WSGI
    call a request (no HTTP, no server): ``cpu`` is the CPU time of the last call."""

    def __init__(self, app: Flask) -> None:
        self.app, self.cpu = app, 0.0

    def send(self, method: str, path: str, *, cookie: str = "",
             form: dict[str, str] | None = None) -> Answer:
        environ = EnvironBuilder(
            path=path, method=method, headers=[("Cookie", cookie)] if cookie else [],
            data=None if form is None else urlencode(form),
            content_type=None if form is None else "application/x-www-form-urlencoded",
        ).get_environ()
        answer: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]],
                           exc_info: Any = None) -> Callable[[bytes], object]:
            answer.update(status=int(status[:3]), cookies=[
                value for name, value in headers if name.lower() == "set-cookie"])
            return lambda data: None

        started = time.process_time()
        chunks = self.app(environ, start_response)
        try:
            body = b"".join(chunks)
        finally:
            getattr(chunks, "close", lambda: None)()
        self.cpu = time.process_time() - started
        return Answer(answer["status"], answer["cookies"], body)


def _profile(args: argparse.Namespace) -> int:
    """``--profile N``: N ballots posted to the application in this process, as the voters
    post them (SQLite, or PostgreSQL with ``--postgres``; the server's settings): the CPU
    time of each, then N more under cProfile, whose statistics go to
    ``benchmarks/data/vote.prof``. On PostgreSQL the audit entries are sealed by the
    process's sealing thread, as in a worker: its CPU time is in each ballot's, but
    cProfile sees only the requests' thread."""
    backend = "postgresql" if args.postgres else "sqlite"
    print(f"in_process database={backend} members={args.members} ballots={args.profile}",
          flush=True)
    with work_folder("http-profile") as folder, fresh_database(args.postgres, folder) as url:
        assembly = open_assembly(setup_app(url, folder), args.members)
        os.environ.update(server_environment(url, folder))  # as gunicorn's workers have them
        client = InProcess(create_app())
        members = [Member(email) for email in assembly.emails]
        for member in members:
            member.sign_in(client, PASSWORD, assembly.round_path)  # type: ignore[arg-type]

        def post(count: int, first: int) -> list[float]:
            spent = []
            for index in range(first, first + count):
                member = members[index % len(members)]
                answer = client.send("POST", assembly.round_path + "/vote", cookie=member.cookie,
                                     form={"csrf_token": member.token, "reason": "",
                                           "position": POSITIONS[index % 3]})
                if answer.status != 302:
                    raise SystemExit(f"ballot {index}: {answer.status} {answer.body[:300]!r}")
                spent.append(client.cpu * 1000)
            return spent

        post(len(members), 0)  # everyone has voted once: the ballots measured change a vote
        spent = sorted(post(args.profile, len(members)))
        profiler = cProfile.Profile()
        profiler.runcall(post, args.profile, len(members) + args.profile)
        profiler.dump_stats(DATA / "vote.prof")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    print(f"profile={DATA / 'vote.prof'} (python -m pstats)")
    print(f"cpu_ms_per_ballot mean={statistics.mean(spent):.3f} "
          f"median={statistics.median(spent):.3f} p10={spent[len(spent) // 10]:.3f} "
          f"p90={spent[len(spent) * 9 // 10]:.3f}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL, not SQLite")
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--voters", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--floor", action="store_true",
                        help="serve floor_app.py instead: the framework without the application")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="no server: N ballots posted to the application in this process,"
                        " their CPU time, then N more under cProfile")
    args = parser.parse_args()
    if args.profile:
        return _profile(args)
    if args.floor:
        return _floor(args)
    backend = "postgresql" if args.postgres else "sqlite"
    print(f"database={backend} members={args.members} voters={args.voters} "
          f"seconds={args.seconds:g} gunicorn={args.workers}x{args.threads}", flush=True)
    with work_folder("http-load") as folder, fresh_database(args.postgres, folder) as url:
        app = setup_app(url, folder)
        started = time.perf_counter()
        assembly = open_assembly(app, args.members)
        print(f"setup_s={time.perf_counter() - started:.1f}", flush=True)
        with serve(server_environment(url, folder), folder, workers=args.workers,
                   threads=args.threads) as server:
            started = time.perf_counter()
            members = _sign_in_all(server, assembly, args.voters)
            print(f"signed_in={len(members)} sign_in_s={time.perf_counter() - started:.1f}",
                  flush=True)
            cpu_before, started = server.cpu_seconds(), time.perf_counter()
            voters_before = time.process_time()
            database_before = database_cpu_seconds()
            load = _run(server, assembly, members, args.voters, args.seconds)
            elapsed = time.perf_counter() - started
            cpu = server.cpu_seconds() - cpu_before
            voters_cpu = time.process_time() - voters_before
            database_cpu = database_cpu_seconds() - database_before
            master_rss, workers_rss = server.rss_mib()
            server_errors = server.errors()
        with app.app_context():
            stored = db.session().scalar(select(func.count()).select_from(Ballot).where(
                Ballot.round_id == assembly.round_id)) or 0
            pending = _pending_entries()
            audit.seal_everything(db.engine_of(app))  # the scheduler's tick, none ran
            problems = audit.verify(db.session(), datetime.now(UTC))[2]
        db.engine_of(app).dispose()
    if server_errors:
        print("gunicorn's log shows a traceback:\n" + server_errors)
    print(f"voters_cpu_ms_per_request={voters_cpu * 1000 / max(load.requests, 1):.1f}"
          " (this process: the voters' HTTP clients, on the same cores)")
    print(f"requests={load.requests} acknowledged={load.acknowledged} stored={stored} "
          f"statuses={dict(sorted(load.statuses.items()))} load_s={elapsed:.1f} "
          f"server_cpu_s={cpu:.1f}")
    print(f"rss_mib={max(workers_rss, default=0):.1f} "
          f"workers_rss_mib={','.join(f'{r:.1f}' for r in workers_rss)} "
          f"master_rss_mib={master_rss:.1f}")
    if args.postgres:
        print(f"database_cpu_ms_per_request={database_cpu * 1000 / max(load.requests, 1):.1f}"
              " (PostgreSQL's processes, on the same cores)")
    print(f"audit_pending_after_stop={pending} audit_problems={len(problems)}")
    for problem in problems[:5]:
        print(f"  audit: entry {problem.seq}: {problem.problem}")
    same = stored == load.acknowledged
    print(f"ballots/s={load.acknowledged / elapsed:.1f} "
          f"p50_ms={_percentile(load.latencies, 50):.0f} "
          f"p95_ms={_percentile(load.latencies, 95):.0f} "
          f"p99_ms={_percentile(load.latencies, 99):.0f} errors={load.errors} "
          f"stored_equals_acknowledged={'true' if same else 'false'} "
          f"cpu_ms_per_request={cpu * 1000 / max(load.requests, 1):.1f}")
    return 0 if same and not load.errors and not server_errors and not problems else 1


if __name__ == "__main__":
    raise SystemExit(main())
