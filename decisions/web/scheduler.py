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
between, say): ``audit.SEAL_DELAY`` bounds how long an entry waits; and writes the reminders
due before a deadline (``services.notices.remind_due``, once per round and member however
many schedulers run).

A second job sends the e-mails of the outbox every ``MAIL_INTERVAL_SECONDS``
(``notice_mail.send_mail``: the digests due, then the notices due, each claimed with a
conditional update, so several schedulers never send one twice); ``decisions send-mail``
does the same once, or in a loop, for deployments that send mail from a process of its own.

An hourly job tells the proposers of decisions whose review date has come
(``services.reviews``: once per review date, through the outbox).

A third job (every ``WEBHOOK_INTERVAL_SECONDS``) turns new events into webhook deliveries
and sends those due (``api.sending``: claimed with a conditional update, retried with
backoff); ``decisions send-webhooks`` does the same once.

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

from . import db, notice_mail
from .api import sending
from .config import audit_folder, retention
from .models import Round, RoundStatus
from .services import audit, checkpoints, notices, personal_data, reviews, rounds

#: Seconds between two looks for due rounds: a round closes at most this long (plus the time
#: to count it) after its deadline, well within the five seconds promised.
INTERVAL_SECONDS = 2
JOB_ID = "close-due-rounds"
#: Seconds between two looks at the outbox: an e-mail leaves at most this long after the
#: event that wrote it (a request never waits for the SMTP server).
MAIL_INTERVAL_SECONDS = 5
MAIL_JOB_ID = "send-mail"
#: Seconds between two passes over personal data (``keep_personal_data``): periods are
#: counted in days, an hour late is well within them.
PERSONAL_DATA_INTERVAL_SECONDS = 3600
PERSONAL_DATA_JOB_ID = "keep-personal-data"
#: Seconds between two looks for decisions whose review date has come (a date of the
#: organisation: its proposer hears of it within the hour).
REVIEW_INTERVAL_SECONDS = 3600
REVIEW_JOB_ID = "tell-reviews-due"
#: Seconds between two looks for webhook events and deliveries due.
WEBHOOK_INTERVAL_SECONDS = 5
WEBHOOK_JOB_ID = "send-webhooks"
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
        remind_due(app, now)
    return closed


def remind_due(app: Flask, now: datetime) -> int:
    """Write the reminders due at ``now`` (``services.notices.remind_due``: each round's
    once, whatever the number of schedulers); how many members were reminded. Part of the
    tick: a reminder is due at most two seconds late. Never stops the closing."""
    try:
        reminded = notices.remind_due(app.extensions["decisions.db"], now)
    except Exception:
        logger.exception("Reminders could not be written")
        return 0
    if reminded:
        logger.info("%d members reminded of a deadline", reminded)
    return reminded


def build_scheduler(app: Flask, kind: type[SchedulerT]) -> SchedulerT:
    """A scheduler of ``kind`` (background or blocking) holding the closing job and the mail
    job (every ``MAIL_INTERVAL_SECONDS``, the same way), not started.

    The job runs at once when the scheduler starts (overdue rounds close at start-up), then
    every ``INTERVAL_SECONDS``; runs missed while the machine slept are coalesced into one,
    however late, and never two at a time in this process.
    """
    scheduler: SchedulerT = kind(timezone=UTC)
    scheduler.add_job(close_due_rounds, IntervalTrigger(seconds=INTERVAL_SECONDS, timezone=UTC),
                      args=(app,), id=JOB_ID, name="close due rounds", coalesce=True,
                      max_instances=1, misfire_grace_time=None, replace_existing=True,
                      next_run_time=datetime.now(UTC))
    scheduler.add_job(send_mail, IntervalTrigger(seconds=MAIL_INTERVAL_SECONDS, timezone=UTC),
                      args=(app,), id=MAIL_JOB_ID, name="send mail", coalesce=True,
                      max_instances=1, misfire_grace_time=None, replace_existing=True,
                      next_run_time=datetime.now(UTC))
    scheduler.add_job(keep_personal_data,
                      IntervalTrigger(seconds=PERSONAL_DATA_INTERVAL_SECONDS, timezone=UTC),
                      args=(app,), id=PERSONAL_DATA_JOB_ID, name="keep personal data",
                      coalesce=True, max_instances=1, misfire_grace_time=None,
                      replace_existing=True, next_run_time=datetime.now(UTC))
    scheduler.add_job(tell_reviews_due,
                      IntervalTrigger(seconds=REVIEW_INTERVAL_SECONDS, timezone=UTC),
                      args=(app,), id=REVIEW_JOB_ID, name="tell reviews due", coalesce=True,
                      max_instances=1, misfire_grace_time=None, replace_existing=True,
                      next_run_time=datetime.now(UTC))
    scheduler.add_job(send_webhooks,
                      IntervalTrigger(seconds=WEBHOOK_INTERVAL_SECONDS, timezone=UTC),
                      args=(app,), id=WEBHOOK_JOB_ID, name="send webhooks", coalesce=True,
                      max_instances=1, misfire_grace_time=None, replace_existing=True,
                      next_run_time=datetime.now(UTC))
    return scheduler


def send_webhooks(app: Flask) -> None:
    """The webhook job: turn new events into deliveries and send those due
    (``api.sending``: claimed with a conditional update, retried with backoff). A failure
    is logged and tried again at the next tick."""
    try:
        report = sending.send_webhooks(app)
    except Exception:
        logger.exception("Webhooks could not be sent")
        return
    if report.sent or report.failed or report.disabled:
        logger.info("Webhooks: %s", report)


def tell_reviews_due(app: Flask) -> int:
    """The reviews job (hourly): tell the proposer of each decision whose review date has
    come, once per review date however many schedulers run (``services.reviews``: a
    conditional update, and the notice in its transaction); how many were told. A failure
    is logged and tried again at the next pass."""
    try:
        with app.app_context():
            told = reviews.tell_reviews_due(app.extensions["decisions.db"], db.utcnow())
    except Exception:
        logger.exception("Reviews due could not be told")
        return 0
    if told:
        logger.info("%d proposers told that a decision's review date has come", told)
    return told


def send_mail(app: Flask) -> None:
    """The mail job: compose the daily digests due, send the notices due. A failure (the
    database away) is logged and tried again at the next tick; the SMTP server's failures
    are the notices' own (retried with backoff, ``services.outbox``)."""
    try:
        notice_mail.send_mail(app)
    except Exception:
        logger.exception("Mail could not be sent")


def keep_personal_data(app: Flask) -> personal_data.Kept | None:
    """The personal data job (hourly): pseudonymise the accounts due, remove the writings
    of former members due, purge what served (``services.personal_data.keep_due``); what it
    did, in numbers only. A failure is logged and tried again at the next pass."""
    try:
        with app.app_context():
            kept = personal_data.keep_due(app.extensions["decisions.db"], db.utcnow(),
                                          retention(app))
    except Exception:
        logger.exception("Personal data could not be kept to their periods")
        return None
    logger.info("Personal data: %s", kept)
    return kept


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
