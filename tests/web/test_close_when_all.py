"""Issue 9: a round that closes once every elector has answered closes then, in the web too.

The engine closes a consent round at the instant the last elector answers
(``close_when_all_responded``, true by default, docs/rules.md CON-11) and a vote when
``close_when_all_voted`` is set: a ballot after that instant is late. The web used to keep
the round open until its deadline and take a change the engine then refused; now the last
answer closes the round in the same transaction, and a later ballot is refused by the server
in the words it uses for a closed round. Each test compares the stored result with
``evaluate()`` of every ballot tried, given directly to the engine.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from decisions.engine.results import time_json
from decisions.web.models import (
    Elector,
    Membership,
    Organisation,
    Proposal,
    Round,
    RoundKind,
    RoundStatus,
)
from decisions.web.services import rounds

from .conftest import Clock, six_member_scic, unit
from .test_rules_honoured import DECISIVE, Coop, _direct, _proposal, electorate


@pytest.fixture
def coop(make_org: Callable[..., Organisation], make_member: Callable[..., Membership],
         ) -> Coop:
    return six_member_scic(make_org, make_member)


def _open(app: Flask, proposal_id: int, clock: Clock, kind: RoundKind) -> list[int]:
    """Open a round of a week; its id and its electors."""
    with unit(app) as session:
        round_ = rounds.open_round(session, session.get_one(Proposal, proposal_id), kind,
                                   closes_at=clock() + timedelta(days=7), now=clock())
        electors = list(session.scalars(select(Elector.membership_id).where(
            Elector.round_id == round_.id).order_by(Elector.membership_id)))
        return [round_.id, *electors]


def _try(app: Flask, round_id: int, clock: Clock, member: int, position: str,
         tried: list[dict[str, Any]], **extra: Any) -> bool:
    """One ballot a minute after the previous; whether the server took it."""
    at = clock.advance(minutes=1)
    tried.append({"voter": str(member), "position": position, "cast_at": time_json(at),
                  **extra})
    try:
        with unit(app) as session:
            rounds.cast_ballot(session, round_id, member, position, now=at, **extra)
    except rounds.BallotRefused as refusal:
        refused = str(refusal)
    else:
        return True
    assert "closed" in refused
    return False


def _stored(app: Flask, round_id: int) -> Round:
    with unit(app) as session:
        round_ = session.get_one(Round, round_id)
        session.expunge(round_)
        return round_


def test_the_last_answer_closes_a_consent_round(app: Flask, coop: Coop,
                                                clock: Clock) -> None:
    proposal = _proposal(app, coop, clock, "consent", {})
    round_id, *electors = _open(app, proposal, clock, RoundKind.CONSENT)
    tried: list[dict[str, Any]] = []
    for member in electors:
        assert _try(app, round_id, clock, member, "consent", tried)
    last_answer = clock()
    assert not _try(app, round_id, clock, electors[0], "object", tried, reason="Too late.")
    round_ = _stored(app, round_id)
    assert round_.status is RoundStatus.CLOSED
    assert round_.closed_at is not None
    assert round_.closed_at.replace(tzinfo=last_answer.tzinfo) == last_answer
    stored = json.loads(round_.result_json or "{}")
    assert stored["outcome"] == "adopted"
    direct = _direct(round_, "consent", {}, electorate(app, round_), tried[:-1])
    for key in DECISIVE:
        assert stored.get(key) == direct.get(key), key


def test_a_round_stays_open_when_the_rule_waits_for_the_deadline(
        app: Flask, coop: Coop, clock: Clock) -> None:
    """``close_when_all_responded: false``: everyone answered, a change is still taken and
    counted, and the round closes at its deadline."""
    params = {"close_when_all_responded": False}
    proposal = _proposal(app, coop, clock, "consent", params)
    round_id, *electors = _open(app, proposal, clock, RoundKind.CONSENT)
    tried: list[dict[str, Any]] = []
    for member in electors:
        assert _try(app, round_id, clock, member, "consent", tried)
    assert _try(app, round_id, clock, electors[0], "object", tried, reason="Too costly.")
    assert _stored(app, round_id).status is RoundStatus.OPEN
    clock.advance(days=8)
    with unit(app) as session:
        assert rounds.close_round(session, round_id, now=clock())
    round_ = _stored(app, round_id)
    stored = json.loads(round_.result_json or "{}")
    assert stored["outcome"] == "blocked"
    direct = _direct(round_, "consent", params, electorate(app, round_), tried)
    for key in DECISIVE:
        assert stored.get(key) == direct.get(key), key


def test_a_vote_closes_when_all_voted_if_the_rule_says_so(
        app: Flask, coop: Coop, clock: Clock) -> None:
    params = {"preset": "association_default", "close_when_all_voted": True}
    proposal = _proposal(app, coop, clock, "majority", params)
    round_id, *electors = _open(app, proposal, clock, RoundKind.VOTE)
    tried: list[dict[str, Any]] = []
    for member in electors[:-1]:
        assert _try(app, round_id, clock, member, "yes", tried)
    assert _stored(app, round_id).status is RoundStatus.OPEN
    assert _try(app, round_id, clock, electors[-1], "no", tried)
    assert not _try(app, round_id, clock, electors[0], "no", tried)
    round_ = _stored(app, round_id)
    assert round_.status is RoundStatus.CLOSED
    stored = json.loads(round_.result_json or "{}")
    direct = _direct(round_, "majority", params, electorate(app, round_), tried[:-1],
                     mode="async", convocation=round_.convocation)
    for key in DECISIVE:
        assert stored.get(key) == direct.get(key), key


def test_the_round_page_closes_on_the_last_answer_and_publishes_a_checkpoint(
        app: Flask, make_org: Callable[..., Organisation],
        make_member: Callable[..., Membership], clock: Clock) -> None:
    """Through the pages: the last member's answer closes the round, says so, and a signed
    checkpoint holding the close is written; a later change is refused, nothing stored."""
    from pathlib import Path

    from .round_pages import Browsers, draft
    organisation = make_org("coop", admin="admin@example.org", is_scic=False)
    make_member(organisation, "fa@example.org", role="facilitator")
    for email in ("ana@example.org", "bo@example.org"):
        make_member(organisation, email)
    browsers = Browsers(app, "coop")
    proposal = draft(app, organisation, "fa@example.org", "consent", {}, clock)
    round_id = browsers.open("fa@example.org", proposal, "consent")
    checkpoints = Path(app.instance_path) / "checkpoints" / f"{organisation.id}.jsonl"
    voters = ("admin@example.org", "fa@example.org", "ana@example.org", "bo@example.org")
    for email in voters[:-1]:
        clock.advance(minutes=1)
        assert browsers.vote(email, proposal, round_id, "consent").status_code == 302
    assert not checkpoints.exists()
    clock.advance(minutes=1)
    last = browsers.vote("bo@example.org", proposal, round_id, "consent")
    assert last.status_code == 302
    page = browsers.of("bo@example.org").get(last.headers["Location"]).get_data(as_text=True)
    assert "Every elector has answered: the round is closed." in page
    assert len(checkpoints.read_text().splitlines()) == 1
    clock.advance(minutes=1)
    late = browsers.vote("ana@example.org", proposal, round_id, "object", reason="Wait.")
    assert "This round is closed" in late.get_data(as_text=True)
    with unit(app) as session:
        round_ = session.get_one(Round, round_id)
        assert round_.status is RoundStatus.CLOSED
        assert round_.outcome == "adopted"
