"""Reminders written once per round and member however many schedulers run: two sessions
meeting on one round take turns on its row (SQLite: on the write lock), and the second,
seeing the first's notices, writes none. These tests commit for real (other threads read
what they write), so they build their world for each test."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from decisions.web import scheduler
from decisions.web.models import Membership, Notice, NoticeKind, Organisation, RoundKind
from decisions.web.services import notices, proposals, rounds
from decisions.web.transactions import begin_write

from .conftest import Clock, unit


@pytest.fixture
def consent_round(app: Flask, make_org: Callable[..., Organisation],
                  make_member: Callable[..., Membership], clock: Clock) -> int:
    """A consent round open for seven days among four members, one of whom answered."""
    organisation = make_org("coop", admin="ana@example.org")
    members = [make_member(organisation, f"m{i}@example.org").id for i in range(3)]
    with unit(app) as session:
        proposal = proposals.create_proposal(
            session, session.get_one(Organisation, organisation.id),
            session.get_one(Membership, members[0]), title="Buy cargo bikes", body="Two.",
            family="consent", params={"preset": "consent_async"}, now=clock())
        round_id = rounds.open_round(session, proposal, RoundKind.CONSENT, now=clock(),
                                     closes_at=clock() + timedelta(days=7)).id
        rounds.cast_ballot(session, round_id, members[0], "consent", now=clock())
    clock.advance(days=6, hours=1)  # within the day before the deadline
    return round_id


def reminders(app: Flask, round_id: int) -> int:
    with app.app_context(), app.extensions["decisions.db"]() as session:
        return session.scalar(select(func.count()).select_from(Notice).where(
            Notice.round_id == round_id, Notice.kind == NoticeKind.REMINDER.value)) or 0


def test_a_second_scheduler_waits_for_the_first_and_then_reminds_nobody_again(
        app: Flask, consent_round: int, clock: Clock) -> None:
    sessions: sessionmaker[Session] = app.extensions["decisions.db"]
    second: list[int] = []

    def other_scheduler() -> None:
        with app.app_context(), sessions() as session:
            second.append(notices.remind(begin_write(session), consent_round, clock()))
            session.commit()

    with app.app_context():
        first = sessions()
        try:
            assert notices.remind(begin_write(first), consent_round, clock()) == 3
            racer = threading.Thread(target=other_scheduler)
            racer.start()
            racer.join(0.5)
            assert racer.is_alive()  # it waits for the round's row (or SQLite's lock)
            first.commit()
        finally:
            first.close()
    racer.join(10)
    assert second == [0]
    assert reminders(app, consent_round) == 3


def test_the_schedulers_tick_reminds_once_however_often_it_runs(
        app: Flask, consent_round: int) -> None:
    for _ in range(3):
        assert scheduler.close_due_rounds(app) == []
    assert reminders(app, consent_round) == 3
