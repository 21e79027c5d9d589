"""The outbox delivering 2,000 e-mails to a local SMTP server: messages per second.

    .venv/bin/python benchmarks/outbox.py [--postgres] [--notices 2000] [--batch 100]

A fresh database (SQLite in ``benchmarks/data/``, or with ``--postgres`` a PostgreSQL
database of its own on 127.0.0.1:5432, dropped at the end) gets an association of
``--notices`` members (inserted in bulk, as ``assembly.py`` does) and a consent round opened
for them through ``services.rounds.open_round``, whose announcement gives one ``round_opened``
notice per elector (with its single-use answer link), written before the timing starts, as
the sender's first step writes them (``services.notices.expand``); if the events wrote
none, the notices are inserted in bulk instead. An SMTP server (aiosmtpd, in a process of
its own, so that it does not share the sender's interpreter) listens on 127.0.0.1 and
counts what it accepts.

Then the sender runs as the scheduler's job does (``notice_mail.send_mail``): claims of
``--batch`` rows, one SMTP connection per batch, each message written (HTML, text, the
``.ics`` of the deadline) in its recipient's language and marked sent, committed, as soon
as the server accepted it. Timed from the first claim to the last commit; checked: every
notice sent, every message received once.

The last line is exactly ``outbox_messages_per_s=<n> sent=<n> received=<n> seconds=<n>
within_goal=<true|false>`` (goal: 200 messages/s). Figures: benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import multiprocessing
import socket
import time
from datetime import timedelta
from multiprocessing.sharedctypes import Synchronized
from typing import Any

from assembly import (
    OWNER,
    PASSWORD,
    _insert_members,
    email_of,
    fresh_database,
    setup_app,
    work_folder,
)
from sqlalchemy import func, insert, select

from decisions.web import db, notice_mail
from decisions.web.models import (
    Announcement,
    Delivery,
    Membership,
    Notice,
    NoticeKind,
    Organisation,
    RoundKind,
)
from decisions.web.services import accounts, notices, organisations, proposals, rounds

GOAL = 200.0  # messages per second (issue 12)


def _serve(port: int, count: Synchronized[int], ready: Any) -> None:
    """An SMTP server that accepts and counts every message, until killed."""
    from aiosmtpd.controller import Controller

    class Counting:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            with count.get_lock():
                count.value += 1
            return "250 2.0.0 Accepted"

    controller = Controller(Counting(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    while True:
        time.sleep(3600)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--notices", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    port = _free_port()
    count: Synchronized[int] = multiprocessing.Value("i", 0)
    ready = multiprocessing.Event()
    server = multiprocessing.Process(target=_serve, args=(port, count, ready), daemon=True)
    server.start()
    try:
        if not ready.wait(30):
            raise RuntimeError("the SMTP server did not start")
        with work_folder("outbox") as folder, fresh_database(args.postgres, folder) as url:
            app = setup_app(url, folder)
            app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port,
                              MAIL_SENDER="decisions <noreply@bench.example.org>",
                              BASE_URL="https://bench.example.org")
            notices = _prepare(app, args.notices)
            started, cpu = time.perf_counter(), time.process_time()
            report = notice_mail.send_due(app, limit=args.batch)
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            with app.app_context():
                sent = db.session().scalar(select(func.count()).select_from(Notice).where(
                    Notice.delivery == Delivery.SENT.value)) or 0
            db.engine_of(app).dispose()
    finally:
        server.kill()
        server.join()
    received = count.value
    rate = sent / seconds if seconds else 0.0
    print(f"{'PostgreSQL' if args.postgres else 'SQLite'}: {notices} notices, {report}"
          f" in {seconds:.2f} s ({1000 * seconds / max(sent, 1):.2f} ms each, of which"
          f" {1000 * cpu / max(sent, 1):.2f} ms of the sender's CPU)")
    ok = sent == received == notices and report.retried == report.failed == 0
    print(f"outbox_messages_per_s={rate:.0f} sent={sent} received={received}"
          f" seconds={seconds:.2f} within_goal={'true' if ok and rate >= GOAL else 'false'}")
    return 0 if ok else 1


def _prepare(app: Any, members: int) -> int:
    """An association of ``members`` members and a consent round open for them: how many
    notices wait in the outbox."""
    with app.app_context():
        now = db.utcnow()
        with db.transaction() as session:
            owner = accounts.create_user(session, email=OWNER, name="Owner",
                                         password=PASSWORD, now=now)
            organisation = organisations.create_organisation(
                session, owner, name="Benchmark", slug="bench", is_scic=False, now=now)
            _insert_members(session, organisation.id,
                            [email_of(i) for i in range(members - 1)], now)
            author = session.scalars(select(Membership).where(
                Membership.user_id == owner.id)).one()
            proposal = proposals.create_proposal(
                session, session.get_one(Organisation, organisation.id), author,
                title="Two cargo bikes", body="The association buys two cargo bikes.",
                family="consent", params={"preset": "consent_async"}, now=now)
            round_ = rounds.open_round(session, proposal, RoundKind.CONSENT,
                                       closes_at=now + timedelta(days=7), now=now)
            session.flush()
            for announcement in session.scalars(select(Announcement.id)).all():  # not timed
                notices.expand(session, announcement, now)
            waiting = session.scalar(select(func.count()).select_from(Notice)) or 0
            if not waiting:  # the events write none: the notices they would write
                session.execute(insert(Notice), [
                    {"kind": NoticeKind.ROUND_OPENED.value, "organisation_id": organisation.id,
                     "user_id": user_id, "proposal_id": proposal.id, "round_id": round_.id,
                     "payload": "{}", "created_at": now, "delivery": Delivery.PENDING.value,
                     "send_after": now, "attempts": 0}
                    for user_id in session.scalars(select(Membership.user_id).where(
                        Membership.organisation_id == organisation.id))])
            return session.scalar(select(func.count()).select_from(Notice)) or 0


if __name__ == "__main__":
    raise SystemExit(main())
