"""Deadlines that close themselves: the scheduler's job, its start-up, the ``close-due`` and
``scheduler`` commands, ``decisions run`` starting it in-process, and two schedulers racing
on the same rounds."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from decisions.web import create_app, db, scheduler
from decisions.web.cli import cli
from decisions.web.models import AuditEntry, Membership, Organisation, Proposal, Round, RoundKind
from decisions.web.services import proposals, rounds

from .conftest import Clock, unit

SCHEDULER_LOGGER = "decisions.web.scheduler"


@pytest.fixture
def coop(make_org: Callable[..., Organisation], make_member: Callable[..., Membership],
         ) -> tuple[Organisation, list[int]]:
    """An organisation with three members."""
    organisation = make_org("coop", admin="ana@example.org")
    return organisation, [make_member(organisation, f"m{i}@example.org").id for i in range(3)]


def open_votes(app: Flask, coop: tuple[Organisation, list[int]], clock: Clock, count: int = 1,
               days: float = 7) -> list[int]:
    """``count`` majority proposals, each with a vote open for ``days`` and two ballots."""
    organisation, members = coop
    ids = []
    for number in range(count):
        with unit(app) as session:
            proposal = proposals.create_proposal(
                session, session.get_one(Organisation, organisation.id),
                session.get_one(Membership, members[0]), title=f"Proposal {number}",
                body="We **agree**.", family="majority",
                params={"preset": "association_default"}, now=clock())
            round_ = rounds.open_round(session, proposal, RoundKind.VOTE, now=clock(),
                                       closes_at=clock() + timedelta(days=days))
            for member, position in zip(members, ("yes", "no"), strict=False):
                rounds.cast_ballot(session, round_.id, member, position, now=clock())
            ids.append(round_.id)
    return ids


def stored(app: Flask, round_id: int) -> Round:
    with app.app_context():
        return db.session().get_one(Round, round_id)


def close_logs(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == SCHEDULER_LOGGER and "closed" in r.getMessage()]


def wait_until(condition: Callable[[], bool], seconds: float) -> float:
    """Poll until ``condition`` holds; the seconds it took (fails after ``seconds``)."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > seconds:
            pytest.fail(f"not done within {seconds} s")
        time.sleep(0.05)
    return time.monotonic() - start


def test_the_job_closes_a_due_round_on_its_first_run_after_the_deadline_and_not_before(
        app: Flask, coop: tuple[Organisation, list[int]], clock: Clock,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=SCHEDULER_LOGGER)
    [round_id] = open_votes(app, coop, clock)
    clock.advance(days=7, seconds=-1)
    assert scheduler.close_due_rounds(app) == []
    assert stored(app, round_id).status.value == "open"
    clock.advance(seconds=1)
    assert scheduler.close_due_rounds(app) == [round_id]
    round_ = stored(app, round_id)
    assert round_.status.value == "closed"
    assert round_.closed_at == clock()
    assert round_.outcome == "rejected"  # one yes, one no: no majority
    clock.advance(seconds=2)
    assert scheduler.close_due_rounds(app) == []
    [line] = close_logs(caplog)
    assert line.startswith(f"Round {round_id} ")


def test_the_job_reads_the_applications_clock(
        app: Flask, coop: tuple[Organisation, list[int]], clock: Clock) -> None:
    [round_id] = open_votes(app, coop, clock)
    app.config["CLOCK"] = None  # the real clock: the fixture's deadline is long past
    assert scheduler.close_due_rounds(app) == [round_id]


def test_the_scheduler_runs_the_job_every_two_seconds_coalesced_one_at_a_time(
        app: Flask) -> None:
    built = scheduler.build_scheduler(app, BackgroundScheduler)
    job = built.get_job(scheduler.JOB_ID)
    assert job.func is scheduler.close_due_rounds
    assert job.args == (app,)
    assert job.trigger.interval == timedelta(seconds=2)
    assert job.coalesce is True
    assert job.max_instances == 1
    assert job.misfire_grace_time is None
    assert job.next_run_time <= datetime.now(UTC)  # at once when started
    assert not built.running


def test_starting_the_scheduler_closes_overdue_rounds_at_once(
        app: Flask, coop: tuple[Organisation, list[int]], clock: Clock) -> None:
    overdue = open_votes(app, coop, clock, count=2)
    clock.advance(days=8)
    background = scheduler.build_scheduler(app, BackgroundScheduler)
    background.start()
    try:
        took = wait_until(lambda: all(stored(app, r).status.value == "closed" for r in overdue),
                          seconds=5)
    finally:
        background.shutdown()
    assert took < scheduler.INTERVAL_SECONDS  # the start-up run, not the first interval


def test_a_round_closes_within_five_seconds_of_its_deadline_by_the_real_clock(
        app: Flask, coop: tuple[Organisation, list[int]], clock: Clock) -> None:
    app.config["CLOCK"] = None
    clock.now = datetime.now(UTC)
    [round_id] = open_votes(app, coop, clock, days=1.5 / 86400)  # due in 1.5 s
    background = scheduler.build_scheduler(app, BackgroundScheduler)
    background.start()
    try:
        wait_until(lambda: stored(app, round_id).status.value == "closed", seconds=8)
    finally:
        background.shutdown()
    round_ = stored(app, round_id)
    assert round_.closed_at is not None
    delay = round_.closed_at - round_.closes_at
    assert timedelta(0) <= delay < timedelta(seconds=5)


def test_close_due_prints_how_many_rounds_it_closed(
        app: Flask, runner: FlaskCliRunner, coop: tuple[Organisation, list[int]],
        clock: Clock) -> None:
    due = open_votes(app, coop, clock, count=2)
    [later] = open_votes(app, coop, clock, days=30)
    clock.advance(days=7)
    result = runner.invoke(cli, ["close-due"])
    assert result.exit_code == 0, result.output
    assert result.output == "2 due rounds closed.\n"
    assert [stored(app, r).status.value for r in [*due, later]] == ["closed", "closed", "open"]
    assert runner.invoke(cli, ["close-due"]).output == "0 due rounds closed.\n"
    clock.advance(days=30)
    assert runner.invoke(cli, ["close-due"]).output == "1 due round closed.\n"


def race(monkeypatch: pytest.MonkeyPatch, *calls: Callable[[], list[int]]) -> list[list[int]]:
    """Run the calls in threads that look for due rounds at the same moment, then all try
    to close every round they found; what each call returned."""
    started = threading.Barrier(len(calls))
    found = threading.Barrier(len(calls))
    due_rounds = rounds.due_rounds

    def due_everywhere(session: Session, now: datetime) -> list[int]:
        due = due_rounds(session, now)
        found.wait(timeout=30)  # nobody closes before everybody has found the due rounds
        return due

    monkeypatch.setattr(rounds, "due_rounds", due_everywhere)
    results: list[list[int]] = [[] for _ in calls]
    failures: list[BaseException] = []

    def run(index: int) -> None:
        started.wait(timeout=30)
        try:
            results[index] = calls[index]()
        except BaseException as error:  # reported in the test's thread
            failures.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    return results


def count_attempts(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """What every call to ``close_round`` returned (who won and who found it closed)."""
    attempts: list[bool] = []
    close_round = rounds.close_round

    def counted(session: Session, round_id: int, *, now: datetime) -> bool:
        won = close_round(session, round_id, now=now)
        attempts.append(won)
        return won

    monkeypatch.setattr(rounds, "close_round", counted)
    return attempts


def test_two_schedulers_closing_the_same_due_rounds_at_once_close_each_exactly_once(
        app: Flask, coop: tuple[Organisation, list[int]], clock: Clock,
        caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    due = open_votes(app, coop, clock, count=6)
    clock.advance(days=7)
    sessions = app.extensions["decisions.db"]
    # Each thread has its own sessions (its own connection) and a clock one second apart,
    # so that a round's stored closing tells which of them closed it.
    nows = (clock(), clock() + timedelta(seconds=1))
    attempts = count_attempts(monkeypatch)
    first, second = race(monkeypatch, lambda: rounds.close_due(sessions, nows[0]),
                         lambda: rounds.close_due(sessions, nows[1]))
    assert sorted(attempts) == [False] * 6 + [True] * 6  # both tried every round
    assert sorted(first + second) == due
    assert not set(first) & set(second)
    for round_id in due:
        round_ = stored(app, round_id)
        winner = nows[0] if round_id in first else nows[1]
        assert round_.status.value == "closed"
        assert round_.closed_at == winner
        assert round_.result_json is not None
        assert round_.case_json is not None
        case = json.loads(round_.case_json)
        assert case["params"]["evaluated_at"] == winner.isoformat().replace("+00:00", "Z")
        assert json.loads(round_.result_json)["counts"]["yes"] == 1
    with app.app_context():
        closes = db.session().scalars(select(AuditEntry.data).where(
            AuditEntry.kind == "round_closed")).all()
    # One close, one audit entry, per round: the loser of each race wrote nothing.
    assert sorted(json.loads(data)["round"] for data in closes) == due
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_two_scheduler_processes_racing_log_each_close_once(
        app: Flask, coop: tuple[Organisation, list[int]], clock: Clock, tmp_path: Path,
        caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    caplog.set_level(logging.INFO, logger=SCHEDULER_LOGGER)
    due = open_votes(app, coop, clock, count=6)
    clock.advance(days=7)
    other = create_app({key: app.config[key] for key in (
        "TESTING", "DATABASE_URL", "SECRET_KEY", "CLOCK")} | {
        "INSTANCE_PATH": str(tmp_path / "other")})  # a second application: its own engine
    try:
        first, second = race(monkeypatch, lambda: scheduler.close_due_rounds(app),
                             lambda: scheduler.close_due_rounds(other))
    finally:
        db.engine_of(other).dispose()
    assert sorted(first + second) == due
    logged = close_logs(caplog)
    assert sorted(int(line.split()[1]) for line in logged) == due
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_round_that_cannot_be_closed_does_not_keep_later_rounds_open(
        app: Flask, coop: tuple[Organisation, list[int]], clock: Clock,
        caplog: pytest.LogCaptureFixture) -> None:
    broken, fine = open_votes(app, coop, clock, count=2)
    with unit(app) as session:
        proposal = session.get_one(Round, broken).proposal
        proposal.params = json.dumps({"preset": "no_such_preset"})
    clock.advance(days=7)
    assert sorted(scheduler.close_due_rounds(app)) == sorted([broken, fine])
    assert stored(app, broken).status.value == "failed"
    assert stored(app, fine).status.value == "closed"
    [error] = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert error.startswith(f"Round {broken} could not be counted and is marked failed:")
    assert scheduler.close_due_rounds(app) == []  # never tried again


@pytest.mark.parametrize(("setting", "testing", "reloading", "child", "starts"), [
    (None, False, False, False, True),  # decisions run: in-process by default
    (None, True, False, False, False),  # off under TESTING
    ("off", False, False, False, False),
    ("in-process", True, False, False, True),
    ("in-process", False, True, False, False),  # the reloader's watching parent
    ("in-process", False, True, True, True),  # the reloader's serving child
])
def test_decisions_run_starts_the_scheduler_only_in_the_serving_process(
        app: Flask, monkeypatch: pytest.MonkeyPatch, setting: str | None, testing: bool,
        reloading: bool, child: bool, starts: bool) -> None:
    app.config.update(SCHEDULER=setting, TESTING=testing)
    if child:
        monkeypatch.setenv("WERKZEUG_RUN_MAIN", "true")
    else:
        monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)
    started = scheduler.start_in_process(app, reloading=reloading)
    try:
        assert (started is not None) is starts
        if started is not None:
            assert started.running
            assert started.get_job(scheduler.JOB_ID) is not None
    finally:
        if started is not None:
            started.shutdown()


def test_decisions_run_serves_with_the_scheduler_and_stops_it_after(
        app: Flask, runner: FlaskCliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    from flask.cli import run_command

    seen: dict[str, Any] = {}

    def serve(**options: Any) -> None:  # instead of serving forever
        seen.update(options, threads=[t.name for t in threading.enumerate()])

    monkeypatch.setattr(run_command, "callback", serve)
    app.config["SCHEDULER"] = "in-process"
    result = runner.invoke(cli, ["run", "--port", "5123", "--no-reload"])
    assert result.exit_code == 0, result.output
    assert seen["port"] == 5123
    assert "APScheduler" in seen["threads"]
    assert "APScheduler" not in [t.name for t in threading.enumerate()]


def test_decisions_run_refuses_an_unknown_scheduler_setting(
        app: Flask, runner: FlaskCliRunner) -> None:
    app.config["SCHEDULER"] = "sometimes"
    result = runner.invoke(cli, ["run"])
    assert result.exit_code == 1
    assert "SCHEDULER must be one of in-process, off" in result.output


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_decisions_scheduler_closes_overdue_rounds_at_start_and_stops_on_a_signal(
        app: Flask, coop: tuple[Organisation, list[int]], clock: Clock,
        stop: signal.Signals) -> None:
    clock.now = datetime.now(UTC) - timedelta(days=8)  # overdue by the real clock
    [round_id] = open_votes(app, coop, clock)
    env = {**os.environ, "DECISIONS_DATABASE_URL": app.config["DATABASE_URL"],
           "DECISIONS_SECRET_KEY": "test secret"}
    command = [sys.executable, "-c", "from decisions.web.cli import main; main()", "scheduler"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        wait_until(lambda: stored(app, round_id).status.value == "closed", seconds=20)
        process.send_signal(stop)
        _out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert f"Round {round_id} " in err
    assert f"Scheduler stopping ({stop.name})" in err
    assert "Scheduler stopped" in err
    assert "Traceback" not in err


def test_a_proposal_closed_by_the_scheduler_is_decided(
        app: Flask, coop: tuple[Organisation, list[int]], clock: Clock) -> None:
    [round_id] = open_votes(app, coop, clock)
    clock.advance(days=7)
    scheduler.close_due_rounds(app)
    with app.app_context():
        proposal = db.session().get_one(Proposal, stored(app, round_id).proposal_id)
        assert proposal.status.value == "decided"
        assert proposal.decided_at == clock()
