"""The real application under gunicorn (4 workers with threads, CSRF on) on 127.0.0.1, with
200 voters signing in and changing their position at once: exactly one counted ballot per
voter, none lost, no server error; ballots racing a deadline are either recorded or refused,
never both; and a close killed before its commit leaves the round open, without a result.

Bounded: a fixed number of voters and requests, every request and wait with a timeout, and
the server stopped at the end. Select with ``pytest -m concurrency``; skip with
``-m "not concurrency"``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from decisions.web import create_app, db, migrate
from decisions.web.models import (
    Ballot,
    Membership,
    Organisation,
    Role,
    Round,
    RoundKind,
    RoundStatus,
)
from decisions.web.services import accounts, organisations, proposals, rounds

from .conftest import BACKENDS, POSTGRES_URL, _postgres_database, sqlite_folder
from .live import Browser, gunicorn

pytestmark = pytest.mark.concurrency

VOTERS = 200
CHANGES = 3  # positions each voter takes in the long round
RACE_TRIES = 6  # at most, in the round whose deadline passes during the test
CLIENTS = 32  # browsers at once
FAST_HASH = "pbkdf2:sha256:1000"  # tests only
PASSWORD = "concurrent voter"  # noqa: S105 - test accounts only
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(params=BACKENDS)
def live_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of its own, upgraded to the latest migration (SQLite's in memory when it
    can be, as the other tests': the server's processes share it as they would on disk)."""
    if request.param == "sqlite":
        with sqlite_folder(tmp_path) as folder:
            url = f"sqlite:///{folder / 'live.sqlite'}"
            migrate.upgrade(url)
            yield url
        return
    assert POSTGRES_URL is not None
    for url in _postgres_database(POSTGRES_URL):
        migrate.upgrade(url)
        yield url


def _app(url: str, tmp_path: Path) -> Flask:
    return create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "setup",
                       "INSTANCE_PATH": str(tmp_path / "instance"),
                       "PASSWORD_HASH_METHOD": FAST_HASH})


@dataclass
class Setup:
    slug: str
    emails: list[str]
    members: dict[str, int]
    long_round: tuple[int, int]  # proposal id, round id
    race_round: tuple[int, int]


def _setup(app: Flask, voters: int) -> Setup:
    """An organisation, its voters (accounts made through the services) and two vote rounds."""
    now = datetime.now(UTC)
    with app.app_context(), db.transaction() as session:
        owner = accounts.create_user(session, email="owner@example.org", name="Owner",
                                     password=PASSWORD, now=db.utcnow())
        org = organisations.create_organisation(session, owner, name="Coop", slug="coop",
                                                is_scic=False, now=db.utcnow())
        emails = [f"voter{i}@example.org" for i in range(voters)]
        members: dict[str, int] = {}
        for email in emails:
            user = accounts.create_user(session, email=email, name=email.split("@")[0],
                                        password=PASSWORD, now=db.utcnow())
            membership = Membership(organisation_id=org.id, user_id=user.id, role=Role.MEMBER,
                                    vote_weight=1, joined_at=now)
            session.add(membership)
            session.flush()
            members[email] = membership.id
        author = session.scalars(select(Membership).where(
            Membership.organisation_id == org.id, Membership.user_id == owner.id)).one()
        opened = []
        for title in ("Long vote", "Vote racing its deadline"):
            proposal = proposals.create_proposal(
                session, session.get_one(Organisation, org.id), author, title=title, body="-",
                family="majority", params={"preset": "association_default"}, now=now)
            round_ = rounds.open_round(session, proposal, RoundKind.VOTE,
                                       closes_at=now + timedelta(hours=1), now=now)
            opened.append((proposal.id, round_.id))
    return Setup("coop", emails, members, opened[0], opened[1])


@pytest.fixture
def server(live_url: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """gunicorn serving the application on 127.0.0.1, 4 workers of 8 threads: (base URL,
    database URL)."""
    with gunicorn(live_url, "concurrency test", tmp_path / "server", workers=4, threads=8,
                  MAIL_BACKEND="console") as live:
        yield live.base, live_url


@dataclass
class Figures:
    statuses: Counter[int] = field(default_factory=Counter)
    final: dict[str, str] = field(default_factory=dict)
    recorded_long: int = 0
    recorded: set[str] = field(default_factory=set)
    refused: set[str] = field(default_factory=set)
    unexpected: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _voter(base: str, setup: Setup, index: int, figures: Figures,
           race_closes: datetime) -> None:
    email = setup.emails[index]
    browser = Browser(base)
    seen: list[int] = []
    status, _ = browser.get("/auth/login")
    seen.append(status)
    status, _ = browser.post("/auth/login", {"email": email, "password": PASSWORD})
    seen.append(status)
    long_path = f"/orgs/{setup.slug}/proposals/{setup.long_round[0]}/rounds/{setup.long_round[1]}"
    race_path = f"/orgs/{setup.slug}/proposals/{setup.race_round[0]}/rounds/{setup.race_round[1]}"
    status, _ = browser.get(long_path)
    seen.append(status)
    final = None
    recorded_long = 0
    for change in range(CHANGES):
        position = ("yes", "no", "abstain")[(index + change) % 3]
        status, _ = browser.post(long_path + "/vote", {"position": position, "reason": ""})
        seen.append(status)
        if status == 302:
            final = position
            recorded_long += 1
    recorded, refused, unexpected = set(), set(), []
    for attempt in range(RACE_TRIES):
        token = f"{email}#{attempt}"
        status, body = browser.post(race_path + "/vote", {"position": "yes", "reason": token})
        seen.append(status)
        if status == 302:
            recorded.add(token)
        elif status == 200 and "Nothing was recorded." in body:
            refused.add(token)
            break
        else:
            unexpected.append(f"{token}: {status}")
        if datetime.now(UTC) > race_closes + timedelta(seconds=1):
            break
        time.sleep(0.2)
    with figures.lock:
        figures.statuses.update(seen)
        if final is not None:
            figures.final[email] = final
        figures.recorded_long += recorded_long
        figures.recorded |= recorded
        figures.refused |= refused
        figures.unexpected += unexpected


def test_two_hundred_voters_at_once_lose_no_ballot_and_the_deadline_is_kept(
        server: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base, url = server
    app = _app(url, tmp_path)
    setup = _setup(app, VOTERS)
    race_closes = datetime.now(UTC) + timedelta(seconds=4)
    with app.app_context(), db.transaction() as session:
        session.execute(update(Round).where(Round.id == setup.race_round[1])
                        .values(closes_at=race_closes))
    figures = Figures()
    started = time.monotonic()
    with ThreadPoolExecutor(CLIENTS) as pool:
        for future in [pool.submit(_voter, base, setup, i, figures, race_closes)
                       for i in range(VOTERS)]:
            future.result(timeout=120)
    seconds = time.monotonic() - started

    with app.app_context():
        session = db.session()
        latest = select(func.max(Ballot.id)).where(
            Ballot.round_id == setup.long_round[1]).group_by(Ballot.membership_id)
        counted = dict(session.execute(select(Ballot.membership_id, Ballot.position)
                                       .where(Ballot.id.in_(latest))).all())
        stored_long = session.scalar(select(func.count()).select_from(Ballot).where(
            Ballot.round_id == setup.long_round[1]))
        race = session.execute(select(Ballot.reason, Ballot.cast_at).where(
            Ballot.round_id == setup.race_round[1])).all()
    engine = db.engine_of(app)
    backend = engine.dialect.name
    engine.dispose()
    with capsys.disabled():
        print(f"\n[concurrency/{backend}] {VOTERS} voters, {sum(figures.statuses.values())} "
              f"requests in {seconds:.1f}s ({dict(sorted(figures.statuses.items()))}); "
              f"long round: {stored_long} ballots stored for {figures.recorded_long} "
              f"recorded answers, {len(counted)} counted; race: {len(figures.recorded)} "
              f"recorded before the deadline, {len(figures.refused)} refused after it")

    assert not [s for s in figures.statuses if s >= 500]
    assert figures.unexpected == []
    # Exactly one counted ballot per voter, the last one each was told was recorded.
    assert counted == {setup.members[e]: p for e, p in figures.final.items()}
    assert len(counted) == VOTERS
    assert stored_long == figures.recorded_long == VOTERS * CHANGES
    # Racing the deadline: recorded means stored (before the deadline), refused means not.
    stored_race = {reason for reason, _ in race}
    assert stored_race == figures.recorded
    assert not stored_race & figures.refused
    assert all(cast_at < race_closes for _, cast_at in race)
    assert figures.refused, "no ballot came after the deadline"


_KILLED_CLOSE = """
import sys, time
from decisions.web import create_app, db
from decisions.web.services import rounds
app = create_app({"TESTING": True, "DATABASE_URL": sys.argv[1], "SECRET_KEY": "close",
                  "INSTANCE_PATH": sys.argv[2]})
with app.app_context():
    session = db.session()
    assert rounds.close_round(session, int(sys.argv[3]), now=db.utcnow())
    session.flush()
    print("closed, not committed", flush=True)
    time.sleep(60)  # killed here, just before the commit
    session.commit()
"""


def test_a_close_killed_before_its_commit_leaves_the_round_open_without_result(
        live_url: str, tmp_path: Path) -> None:
    app = _app(live_url, tmp_path)
    setup = _setup(app, 3)
    round_id = setup.long_round[1]
    with app.app_context(), db.transaction() as session:
        for email in setup.emails:
            rounds.cast_ballot(session, round_id, setup.members[email], "yes",
                               now=datetime.now(UTC))
    with subprocess.Popen(
            [sys.executable, "-c", _KILLED_CLOSE, live_url, str(tmp_path / "killed"),
             str(round_id)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True) as process:
        timer = threading.Timer(60, process.kill)  # never wait for ever
        timer.start()
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
        finally:
            timer.cancel()
            if process.poll() is None:
                os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        assert line.strip() == "closed, not committed", line + process.stdout.read()
    assert process.returncode == -signal.SIGKILL
    with app.app_context():
        round_ = db.session().get_one(Round, round_id)
        assert round_.status is RoundStatus.OPEN
        assert round_.result_json is None
        assert round_.outcome is None
    with app.app_context(), db.transaction() as session:
        assert rounds.close_round(session, round_id, now=datetime.now(UTC))
    with app.app_context():
        round_ = db.session().get_one(Round, round_id)
        assert round_.status is RoundStatus.CLOSED
        assert round_.result_json is not None
        assert round_.outcome == "adopted"
    db.engine_of(app).dispose()
