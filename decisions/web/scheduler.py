"""Deadlines that close themselves: an APScheduler job that closes the rounds whose deadline
has passed, every two seconds, and once at start-up for the rounds that became overdue while
nothing was running.

Three ways to run it (docs/architecture.md, "Deadlines"):

- ``decisions run`` starts a background scheduler in the serving process when
  ``SCHEDULER`` is ``"in-process"`` (the default, except under ``TESTING``);
- ``decisions scheduler`` runs the scheduler alone in the foreground, for deployments with
  several web workers (set ``SCHEDULER = "off"`` there if they are started by
  ``decisions run``);
- ``decisions close-due`` closes due rounds once, for cron.

Each tick also chains the audit entries a request committed but did not seal (it died in
between, say): ``audit.SEAL_DELAY`` bounds how long an entry waits.

Closing a round is one conditional update (``services.rounds.close_round``): when several
schedulers, or a scheduler and cron, meet on the same round, only one of them closes it, and
only that one logs it.
"""

from __future__ import annotations

import logging
import signal
from datetime import UTC, datetime
from types import FrameType
from typing import Any, TypeVar

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.serving import is_running_from_reloader

from . import db
from .config import audit_folder
from .models import Round, RoundStatus
from .services import audit, checkpoints, rounds

#: Seconds between two looks for due rounds: a round closes at most this long (plus the time
#: to count it) after its deadline, well within the five seconds promised.
INTERVAL_SECONDS = 2
JOB_ID = "close-due-rounds"
MODES = ("in-process", "off")

logger = logging.getLogger(__name__)

SchedulerT = TypeVar("SchedulerT", bound=BaseScheduler)


def mode(app: Flask) -> str:
    """How the application runs its scheduler: ``app.config["SCHEDULER"]`` when set, else
    ``"off"`` under ``TESTING`` and ``"in-process"`` otherwise."""
    chosen = app.config.get("SCHEDULER") or ("off" if app.testing else "in-process")
    if chosen not in MODES:
        raise ValueError(f"SCHEDULER must be one of {', '.join(MODES)}, not {chosen!r}")
    return str(chosen)


def close_due_rounds(app: Flask) -> list[int]:
    """Close every round due by the application's clock and log each round this call closed
    (a round another process closed first is neither closed again nor logged). The job.
    A round the engine cannot count is marked failed and logged once, as an error, by
    ``rounds.close_due``: it is never tried again."""
    with app.app_context():
        now = db.utcnow()
        sessions: sessionmaker[Session] = app.extensions["decisions.db"]
        audit.seal_everything(sessions.kw["bind"])  # entries a request committed but could not seal
        closed = rounds.close_due(sessions, now)
        if closed:
            with sessions() as session:  # after the closes committed: their heads are final
                checkpoints.publish_rounds(session, audit_folder(app), closed, now)
            with sessions() as session:
                rows = session.execute(select(Round.id, Round.proposal_id, Round.number,
                                              Round.closes_at, Round.outcome)
                                       .where(Round.id.in_(closed),  # failed: logged
                                              Round.status == RoundStatus.CLOSED)
                                       .order_by(Round.id)).all()
            for row in rows:
                logger.info("Round %d (proposal %d, round %d) closed %.1f s after its deadline:"
                            " %s", row.id, row.proposal_id, row.number,
                            (now - row.closes_at).total_seconds(), row.outcome or "no count")
    return closed


def build_scheduler(app: Flask, kind: type[SchedulerT]) -> SchedulerT:
    """A scheduler of ``kind`` (background or blocking) holding the closing job, not started.

    The job runs at once when the scheduler starts (overdue rounds close at start-up), then
    every ``INTERVAL_SECONDS``; runs missed while the machine slept are coalesced into one,
    however late, and never two at a time in this process.
    """
    scheduler: SchedulerT = kind(timezone=UTC)
    scheduler.add_job(close_due_rounds, IntervalTrigger(seconds=INTERVAL_SECONDS, timezone=UTC),
                      args=(app,), id=JOB_ID, name="close due rounds", coalesce=True,
                      max_instances=1, misfire_grace_time=None, replace_existing=True,
                      next_run_time=datetime.now(UTC))
    return scheduler


def _show_closes(app: Flask) -> None:
    """Let the closes reach the console (the application's log handler) at level INFO."""
    _ = app.logger  # Flask installs its console handler on first use
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)


def start_in_process(app: Flask, *, reloading: bool) -> BackgroundScheduler | None:
    """Start the scheduler in a thread of the serving process of ``decisions run``.

    Nothing starts when the mode is ``"off"``, nor in the watching parent of Werkzeug's
    reloader (it only restarts the serving child, which runs with ``WERKZEUG_RUN_MAIN``):
    one serving process, one scheduler.
    """
    if mode(app) == "off":
        return None
    if reloading and not is_running_from_reloader():
        return None
    _show_closes(app)
    scheduler = build_scheduler(app, BackgroundScheduler)
    scheduler.start()
    logger.info("Scheduler started in-process: closing due rounds every %d s",
                INTERVAL_SECONDS)
    return scheduler


def run_blocking(app: Flask) -> None:
    """Run only the scheduler, in the foreground, until SIGINT or SIGTERM (a round being
    closed then is finished before the process ends)."""
    _show_closes(app)
    scheduler = build_scheduler(app, BlockingScheduler)

    def stop(signum: int, frame: FrameType | None) -> None:
        if scheduler.running:
            logger.info("Scheduler stopping (%s)", signal.Signals(signum).name)
            scheduler.shutdown(wait=False)

    previous: dict[int, Any] = {s: signal.signal(s, stop)
                                for s in (signal.SIGINT, signal.SIGTERM)}
    logger.info("Scheduler started: closing due rounds every %d s", INTERVAL_SECONDS)
    try:
        scheduler.start()  # returns once stop() has shut it down
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    logger.info("Scheduler stopped")
