"""The same ballot sent twice at the same moment with one Idempotency-Key: one ballot is
stored, both requests get its answer (the second waits for the first's commit, then finds
it). Real threads and committed transactions, on each database."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from decisions.web import db
from decisions.web.models import Ballot, Membership, Organisation, RoundKind
from decisions.web.services import proposals, rounds

from .api_world import Api, token_for
from .conftest import Clock, unit


def test_one_key_sent_twice_at_once_stores_one_ballot_and_answers_both(
        app: Flask, clock: Clock, make_org: Callable[..., Organisation],
        make_member: Callable[..., Membership]) -> None:
    organisation = make_org("coop", admin="ana@example.org")
    member = make_member(organisation, "bo@example.org")
    with unit(app) as session:
        proposal = proposals.create_proposal(
            session, session.get_one(Organisation, organisation.id),
            session.get_one(Membership, member.id - 1), title="T", body="B",
            family="majority", params={"preset": "association_default",
                                       "allow_vote_change": False}, now=clock())
        round_id = rounds.open_round(session, proposal, RoundKind.VOTE, now=clock(),
                                     closes_at=clock() + timedelta(days=3)).id
    token = token_for(app, "bo@example.org", ("vote",))
    start = threading.Barrier(2)
    answers: list[Any] = []

    def vote() -> None:
        client = Api(app.test_client(), token, {"Idempotency-Key": "same-key"})
        start.wait()
        answer = client.put(f"/rounds/{round_id}/ballot", {"position": "yes"})
        answers.append((answer.status_code, answer.get_json(),
                        answer.headers.get("Idempotent-Replayed")))

    threads = [threading.Thread(target=vote) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert [status for status, _, _ in answers] == [200, 200]
    assert answers[0][1] == answers[1][1]
    assert sorted(str(replayed) for _, _, replayed in answers) == ["None", "true"]
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(Ballot)) == 1
