"""A round's life through the services, one unit of work per step at the test clock's time:
the steps and the world the service-level tests share (the round pages' steps, through a
browser, are in ``round_pages.py``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from decisions.web import db
from decisions.web.models import Membership, Organisation, Proposal, Round, RoundKind
from decisions.web.services import notices, proposals, rounds

from .conftest import Clock, module_world, six_member_scic, unit

#: An organisation and the membership ids of its members.
Coop = tuple[Organisation, list[int]]


def _coop(make_org: Callable[..., Organisation], make_member: Callable[..., Membership],
          ) -> Coop:
    """A SCIC with colleges 50/30/20 and six members, two per college."""
    return six_member_scic(make_org, make_member)


#: The six-member SCIC built for each test (for tests whose writes must be committed: other
#: connections, threads or processes read them, or they change rows behind the app's back).
coop = pytest.fixture(_coop, name="coop")
#: The same, built once for the module: the module also overrides ``app`` with
#: ``rolled_back_app``.
coop_once = module_world(_coop, name="coop")


def proposal_of(app: Flask, organisation: Organisation, author: int, family: str,
                params: dict[str, Any], clock: Clock, **extra: Any) -> int:
    """A new proposal put forward by the member ``author``: its id."""
    with unit(app) as session:
        return proposals.create_proposal(
            session, session.get_one(Organisation, organisation.id),
            session.get_one(Membership, author), title="Buy cargo bikes", body="Two.",
            family=family, params=params, now=clock(), **extra).id


def open_round(app: Flask, proposal_id: int, kind: RoundKind, clock: Clock,
               **extra: Any) -> int:
    """A round of the proposal open now for seven days: its id."""
    with unit(app) as session:
        return rounds.open_round(session, session.get_one(Proposal, proposal_id), kind,
                                 closes_at=clock() + timedelta(days=7), now=clock(),
                                 **extra).id


def vote(app: Flask, round_id: int, member: int, position: str, clock: Clock,
         **extra: Any) -> None:
    """The member's ballot in the round, now."""
    with unit(app) as session:
        rounds.cast_ballot(session, round_id, member, position, now=clock(), **extra)


def sender_pass(app: Flask, clock: Clock) -> int:
    """The first step of the sender's next pass (seconds after an event): the notices of
    the announcements not yet written (a round's opening, to its electors); how many."""
    with app.app_context():
        return notices.expand_due(app.extensions["decisions.db"], clock())


def close_due(app: Flask, clock: Clock) -> list[int]:
    """Close the rounds due by the clock, as the scheduler does: the ids of those closed."""
    with app.app_context():
        return rounds.close_due(app.extensions["decisions.db"], clock())


def stored_result(app: Flask, round_id: int) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """A closed round's status, and the result and case stored with it."""
    with app.app_context():
        round_ = db.session().get_one(Round, round_id)
        assert round_.result_json is not None
        assert round_.case_json is not None
        return round_.status.value, json.loads(round_.result_json), json.loads(round_.case_json)
