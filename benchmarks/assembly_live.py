"""A general assembly voted live over HTTP: 2,000 members in 3 colleges, 400 in the room,
300 represented by proxy (two per holder, the statutory cap), 100 postal votes; 8
resolutions opened and closed one after another by the chair, each voted by the 400
members in the room at once (each holder casts their own vote and their two represented
members' in one post, "the same for all"), through gunicorn on 127.0.0.1.

    .venv/bin/python benchmarks/assembly_live.py [--postgres] [--members 2000]
        [--present 400] [--represented 300] [--postal 100] [--resolutions 8]
        [--workers 4] [--threads 8]

The sitting is prepared through the services (convened twenty days ago, proxies and postal
votes given before the meeting's day, the 400 checked in by the chair), then gunicorn serves
the application (CSRF on, as in production) and every voter and the chair sign in through
the form. For each resolution: the chair opens it (a post), the 400 voters post their vote
at once, each on its own keep-alive connection, then the chair closes it and opens the
assembly's page, which shows the result by college. A line per resolution::

    resolution=<n> posts=<n> ballots=<n> ballots/s=<n> posts/s=<n> p50_ms=<n> p95_ms=<n>
        close_ms=<n> close_to_result_ms=<n> outcome=<outcome> errors=<n>

where ballots/s counts the ballots stored (a holder's post stores three), p50/p95 are the
vote posts' latencies, close_ms the chair's close (the engine decides it from the stored
case), and close_to_result_ms from sending the close until the assembly's page with the
result has arrived (goal: at most 1 s). Then the stored ballots are checked against the
acknowledged ones, every result against the engine's recount of its stored case, and the
audit chain is verified. Exit status 1 when a request failed or a check did not hold.
Figures: benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from assembly import (
    OWNER,
    PASSWORD,
    fresh_database,
    server_environment,
    setup_app,
    work_folder,
)
from flask import Flask
from live_server import Client, Member, Server, serve
from sqlalchemy import func, insert, select

from decisions.engine import evaluate, load_case
from decisions.web import db
from decisions.web.models import (
    AgendaItem,
    Assembly,
    AssemblyKind,
    AttendanceMode,
    Ballot,
    College,
    Membership,
    Organisation,
    Role,
    Round,
    User,
)
from decisions.web.services import accounts, assemblies, audit, organisations

SLUG = "bench-ag"
COLLEGES = (("salaries", 40), ("usagers", 35), ("partenaires", 25))
POSITIONS = ("yes", "no", "abstain")
REQUEST_TIMEOUT = 60.0


def email_of(index: int) -> str:
    return f"member{index:06d}@example.org"


@dataclass(frozen=True)
class Sitting:
    """The sitting as the load sees it: its page, the items, who votes for whom."""

    assembly_id: int
    items: list[int]
    voters: list[tuple[str, list[int]]]  # (email, membership ids the post votes for)

    @property
    def page(self) -> str:
        return f"/orgs/{SLUG}/assemblies/{self.assembly_id}"


def prepare(app: Flask, args: argparse.Namespace) -> Sitting:
    """The organisation, its members in three colleges and the sitting in session, through
    the services (accounts and memberships in two statements)."""
    now = datetime.now(UTC)
    with app.app_context(), db.transaction() as session:
        owner = accounts.create_user(session, email=OWNER, name="Owner", password=PASSWORD,
                                     now=now)
        organisation = organisations.create_organisation(
            session, owner, name="Benchmark AG", slug=SLUG, is_scic=True, now=now)
        colleges = [College(organisation=organisation, name=n, weight=w) for n, w in COLLEGES]
        session.add_all(colleges)
        session.flush()
        chair = session.scalars(select(Membership).where(
            Membership.organisation_id == organisation.id)).one()
        chair.college_id, chair.role = colleges[0].id, Role.ADMIN
        password_hash = accounts.hash_password(PASSWORD)
        emails = [email_of(i) for i in range(args.members)]
        session.execute(insert(User), [
            {"email": e, "name": e.split("@")[0], "password_hash": password_hash,
             "created_at": now, "session_version": 0} for e in emails])
        users = dict(session.execute(select(User.email, User.id).where(
            User.email.like("member%@example.org"))).all())
        session.execute(insert(Membership), [
            {"organisation_id": organisation.id, "user_id": users[e], "role": Role.MEMBER,
             "vote_weight": 1, "joined_at": now, "college_id": colleges[i % 3].id,
             "notify": "all", "muted": ""} for i, e in enumerate(emails)])
        ids = dict(session.execute(select(User.email, Membership.id).join(
            Membership, Membership.user_id == User.id).where(
                Membership.organisation_id == organisation.id)).all())
        member = [ids[e] for e in emails]
        org = session.get_one(Organisation, organisation.id)
        assembly = assemblies.create_assembly(session, org, chair, assemblies.Settings(
            title="AG 2026", kind=AssemblyKind.ORDINARY, meets_at=now,
            place="Lyon", max_proxies_per_holder=2, chair_id=chair.id),
            now=now - timedelta(days=21))
        for n in range(args.resolutions):
            assemblies.add_resolution(session, assembly, chair, title=f"Resolution {n + 1}",
                                      body=f"The assembly resolves point {n + 1}.",
                                      now=now - timedelta(days=21))
        assemblies.convene(session, assembly, chair, now=now - timedelta(days=20))
        items = [i.id for i in assembly.items]
        present = member[:args.present]
        givers = member[args.present:args.present + args.represented]
        postal = member[args.present + args.represented:
                        args.present + args.represented + args.postal]
        held: dict[int, list[int]] = {}
        for k, giver in enumerate(givers):  # two proxies per holder: the cap, kept
            holder = present[k // 2]
            held.setdefault(holder, []).append(giver)
            assemblies.give_proxy(session, assembly, giver, holder, by=chair,
                                  now=now - timedelta(days=3))
        for k, voter in enumerate(postal):
            assemblies.vote_by_post(session, assembly, voter,
                                    {i: POSITIONS[(k + j) % 3] for j, i in enumerate(items)},
                                    by=chair, now=now - timedelta(days=2))
        assemblies.open_sitting(session, assembly, chair, now=now)
        for voter in [*present, chair.id]:
            assemblies.check_in(session, assembly, voter, AttendanceMode.ROOM, by=chair,
                                now=now)
        by_id = {v: k for k, v in ids.items()}
        voters = [(by_id[v], [v, *held.get(v, [])]) for v in present]
        return Sitting(assembly.id, items, voters)


@dataclass
class Load:
    """What the voters of one resolution saw."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    ballots: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def post(client: Client, path: str, member: Member, pairs: list[tuple[str, str]]) -> int:
    """A form post with repeated fields (``for_ids``); its status."""
    body = urlencode([("csrf_token", member.token), *pairs])
    client.connection.request("POST", path, body=body, headers={
        "Cookie": member.cookie, "Content-Type": "application/x-www-form-urlencoded"})
    response = client.connection.getresponse()
    response.read()
    return response.status


def vote_all(server: Server, sitting: Sitting, item: int, members: dict[str, Member],
             clients: list[Client], number: int) -> tuple[Load, float]:
    """Every voter posts their vote (and their represented members') at once."""
    load = Load()
    start = threading.Barrier(len(sitting.voters) + 1)
    path = f"{sitting.page}/items/{item}/vote"

    def one(k: int) -> None:
        email, for_ids = sitting.voters[k]
        pairs = [("position", POSITIONS[(k + number) % 3]),
                 *(("for_ids", str(i)) for i in for_ids)]
        start.wait()
        began = time.perf_counter()
        try:
            status = str(post(clients[k], path, members[email], pairs))
        except (OSError, http.client.HTTPException) as error:
            clients[k].close()
            status = type(error).__name__
        elapsed = time.perf_counter() - began
        with load.lock:
            load.latencies.append(elapsed)
            load.statuses[status] += 1
            if status == "302":
                load.ballots += len(for_ids)

    with ThreadPoolExecutor(len(sitting.voters)) as pool:
        futures = [pool.submit(one, k) for k in range(len(sitting.voters))]
        start.wait()
        began = time.perf_counter()
        for future in futures:
            future.result(timeout=REQUEST_TIMEOUT * 3)
        elapsed = time.perf_counter() - began
    return load, elapsed


def percentile(values: list[float], point: int) -> float:
    if len(values) < 2:
        return values[0] * 1000 if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[point - 1] * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL, not SQLite")
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--present", type=int, default=400)
    parser.add_argument("--represented", type=int, default=300)
    parser.add_argument("--postal", type=int, default=100)
    parser.add_argument("--resolutions", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    backend = "postgresql" if args.postgres else "sqlite"
    print(f"database={backend} members={args.members} present={args.present} "
          f"represented={args.represented} postal={args.postal} "
          f"resolutions={args.resolutions} gunicorn={args.workers}x{args.threads}",
          flush=True)
    failures = 0
    with work_folder("assembly-live") as folder, fresh_database(args.postgres, folder) as url:
        app = setup_app(url, folder)
        started = time.perf_counter()
        sitting = prepare(app, args)
        print(f"setup_s={time.perf_counter() - started:.1f}", flush=True)
        db.engine_of(app).dispose()
        with serve(server_environment(url, folder), folder, workers=args.workers,
                   threads=args.threads, timeout=300) as server:
            started = time.perf_counter()
            members = {email: Member(email) for email, _ in sitting.voters}
            chair = Member(OWNER)
            chair_client = Client(server.port, REQUEST_TIMEOUT)
            chair.sign_in(chair_client, PASSWORD, sitting.page)
            clients = [Client(server.port, REQUEST_TIMEOUT) for _ in sitting.voters]
            with ThreadPoolExecutor(args.threads * 2) as pool:
                list(pool.map(lambda k: members[sitting.voters[k][0]].sign_in(
                    clients[k], PASSWORD, sitting.page), range(len(sitting.voters))))
            print(f"signed_in={len(members) + 1} sign_in_s="
                  f"{time.perf_counter() - started:.1f}", flush=True)
            acknowledged = 0
            for client in [chair_client, *clients]:
                client.close()
            for number, item in enumerate(sitting.items, start=1):
                # New connections each time: gunicorn closes a keep-alive connection idle
                # for two seconds, as phones' connections between two votes would be.
                chair_client = Client(server.port, REQUEST_TIMEOUT)
                clients = [Client(server.port, REQUEST_TIMEOUT) for _ in sitting.voters]
                opened = post(chair_client, f"{sitting.page}/items/{item}/open", chair,
                              [("minutes", "")])
                load, elapsed = vote_all(server, sitting, item, members, clients, number)
                chair_client.close()
                chair_client = Client(server.port, REQUEST_TIMEOUT)
                acknowledged += load.ballots
                began = time.perf_counter()
                closed = post(chair_client, f"{sitting.page}/items/{item}/close", chair, [])
                close_ms = (time.perf_counter() - began) * 1000
                shown = chair_client.send("GET", sitting.page, cookie=chair.cookie)
                to_result_ms = (time.perf_counter() - began) * 1000
                outcome = "?"
                with app.app_context():
                    round_id = db.session().scalar(select(AgendaItem.round_id).where(
                        AgendaItem.id == item))
                    stored = db.session().get(Round, round_id) if round_id else None
                    if stored is not None and stored.result_json:
                        outcome = json.loads(stored.result_json)["outcome"]
                errors = sum(n for s, n in load.statuses.items() if s != "302")
                ok = opened == 302 and closed == 302 and shown.status == 200 and (
                    f"/rounds/{round_id}/results".encode() in shown.body)
                for client in [chair_client, *clients]:
                    client.close()
                failures += errors + (0 if ok else 1)
                posts = sum(load.statuses.values())
                print(f"resolution={number} posts={posts} ballots={load.ballots} "
                      f"ballots/s={load.ballots / elapsed:.1f} posts/s={posts / elapsed:.1f} "
                      f"p50_ms={percentile(load.latencies, 50):.0f} "
                      f"p95_ms={percentile(load.latencies, 95):.0f} "
                      f"close_ms={close_ms:.0f} close_to_result_ms={to_result_ms:.0f} "
                      f"outcome={outcome} errors={errors}"
                      + ("" if ok else f" chair_statuses={opened},{closed},{shown.status}"),
                      flush=True)
            server_errors = server.errors()
        with app.app_context():
            session = db.session()
            rounds = [session.get_one(Round, r) for r in session.scalars(
                select(AgendaItem.round_id).where(
                    AgendaItem.assembly_id == sitting.assembly_id))]
            stored_ballots = session.scalar(select(func.count()).select_from(Ballot).where(
                Ballot.round_id.in_([r.id for r in rounds]))) or 0
            recounted = all(
                evaluate(load_case(json.loads(r.case_json or "{}"))).to_json()
                == json.loads(r.result_json or "{}") for r in rounds)
            audit.seal_everything(db.engine_of(app))
            problems = audit.verify(session, datetime.now(UTC))[2]
            status = session.get_one(Assembly, sitting.assembly_id).status.value
        db.engine_of(app).dispose()
    if server_errors:
        print("gunicorn's log shows a traceback:\n" + server_errors)
    same = stored_ballots == acknowledged
    print(f"acknowledged={acknowledged} stored={stored_ballots} "
          f"stored_equals_acknowledged={'true' if same else 'false'} "
          f"recount_equals_results={'true' if recounted else 'false'} "
          f"audit_problems={len(problems)} assembly={status}")
    return 0 if same and recounted and not problems and not failures and not server_errors \
        else 1


if __name__ == "__main__":
    raise SystemExit(main())
