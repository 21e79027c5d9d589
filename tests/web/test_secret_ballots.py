"""Secret ballots: who took part is kept apart from what was voted, so that no query can
join a member to a position; the count comes from the secret ballots, weighted by college
and vote weight; results stay hidden until the close; a secret ballot cannot be changed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, inspect, select

from decisions.engine import evaluate, load_case
from decisions.web import db
from decisions.web.models import (
    Ballot,
    Membership,
    Organisation,
    Participation,
    Round,
    RoundKind,
    SecretBallot,
)
from decisions.web.services import proposals, results, rounds

from .conftest import Auth, Clock, unit
from .test_rounds_service import _close_due, _open, _stored, _vote


def _secret_proposal(app: Flask, organisation: Organisation, author: int, family: str,
                     params: dict[str, object], clock: Clock) -> int:
    with unit(app) as session:
        proposal = proposals.create_proposal(
            session, session.get_one(Organisation, organisation.id),
            session.get_one(Membership, author), title="Elect the board", body="Secretly.",
            family=family, params=params, now=clock(), secret=True)
        return proposal.id


@pytest.fixture
def weighted(make_org: Callable[..., Organisation], make_member: Callable[..., Membership],
             ) -> tuple[Organisation, list[int]]:
    """A SCIC with colleges 50/30/20; m0 weighs 3, the others 1."""
    organisation = make_org("coop", admin="ana@example.org",
                            colleges={"workers": 50, "users": 30, "partners": 20})
    ids = [make_member(organisation, f"m{i}@example.org",
                       college=("workers", "users", "partners")[i % 3],
                       vote_weight=3 if i == 0 else 1).id for i in range(6)]
    return organisation, ids


def test_a_secret_scic_vote_with_weights_gives_the_weighted_result(
        app: Flask, weighted: tuple[Organisation, list[int]], clock: Clock) -> None:
    organisation, members = weighted
    proposal = _secret_proposal(app, organisation, members[0], "scic_college",
                                {"preset": "scic_sa_ago"}, clock)
    round_id = _open(app, proposal, RoundKind.VOTE, clock)
    # workers: m0 (x3) yes, m3 no; users: m1 yes, m4 no; partners: m2 no, m5 yes
    for member, position in zip(members, ("yes", "yes", "no", "no", "no", "yes"), strict=True):
        _vote(app, round_id, member, position, clock)
    with app.app_context():
        session = db.session()
        assert session.scalar(select(func.count()).select_from(Ballot)) == 0
        assert session.scalar(select(func.count()).select_from(Participation)) == 6
        weights = session.execute(select(SecretBallot.college, func.sum(SecretBallot.vote_weight))
                                  .group_by(SecretBallot.college)).all()
        assert dict(weights) == {"workers": 4, "users": 2, "partners": 2}
    clock.advance(days=7)
    assert _close_due(app, clock) == [round_id]
    _status, result, case = _stored(app, round_id)
    # 1/2 * 3/4 + 3/10 * 1/2 + 1/5 * 1/2 = 5/8
    assert result["weighted_yes_share"] == "5/8"
    assert result["outcome"] == "adopted"
    assert case["ballots"]["workers"]["yes"] == 3
    assert evaluate(load_case(case)).to_json() == result


def test_no_column_of_the_secret_ballot_table_can_be_joined_to_a_member(app: Flask) -> None:
    with app.app_context():
        inspector = inspect(db.engine_of(app))
        columns = {c["name"]: c for c in inspector.get_columns("secret_ballot")}
        assert set(columns) == {"id", "round_id", "college", "vote_weight", "position"}
        assert not any("member" in name or "user" in name or name.endswith("_at")
                       for name in columns)
        keys = inspector.get_foreign_keys("secret_ballot")
        assert [(k["referred_table"], k["constrained_columns"]) for k in keys] == [
            ("round", ["round_id"])]
        # Nothing in the participation table but the round can meet the secret ballot.
        shared = set(columns) & {c["name"] for c in inspector.get_columns("participation")}
        assert shared == {"round_id"}
        assert str(columns["id"]["type"]).upper().startswith(("VARCHAR", "CHAR"))


def test_results_stay_hidden_until_the_round_closes(
        app: Flask, weighted: tuple[Organisation, list[int]], clock: Clock) -> None:
    organisation, members = weighted
    proposal = _secret_proposal(app, organisation, members[0], "majority",
                                {"preset": "association_default"}, clock)
    round_id = _open(app, proposal, RoundKind.VOTE, clock)
    for member in members[:4]:
        _vote(app, round_id, member, "yes", clock)
    with app.app_context():
        session = db.session()
        round_ = session.get_one(Round, round_id)
        reader = session.get_one(Membership, members[1])
        seen = results.round_results(session, round_, reader, clock())
        assert seen.counts_visible is False
        assert seen.counts is None
        assert seen.result is None
        assert seen.voters is None
    clock.advance(days=7)
    _close_due(app, clock)
    with app.app_context():
        session = db.session()
        round_ = session.get_one(Round, round_id)
        seen = results.round_results(session, round_, session.get_one(Membership, members[1]),
                                     clock())
        assert seen.counts_visible is True
        assert seen.counts is not None
        assert seen.counts["yes"] == 6
        assert seen.voters is None  # never who voted what


def test_a_second_secret_ballot_by_the_same_member_is_refused(
        app: Flask, weighted: tuple[Organisation, list[int]], clock: Clock) -> None:
    organisation, members = weighted
    proposal = _secret_proposal(app, organisation, members[0], "majority",
                                {"preset": "association_default"}, clock)
    round_id = _open(app, proposal, RoundKind.VOTE, clock)
    _vote(app, round_id, members[1], "no", clock)
    clock.advance(seconds=5)
    with pytest.raises(rounds.BallotRefused, match="already voted"):
        _vote(app, round_id, members[1], "yes", clock)
    with app.app_context():
        session = db.session()
        assert session.scalars(select(SecretBallot.position)).all() == ["no"]
        assert session.scalar(select(func.count()).select_from(Participation)) == 1
        assert results.took_part(session, round_id, members[1])


@pytest.mark.parametrize("family", ["consent", "sociocratic_consent"])
def test_objections_must_be_named_so_consent_cannot_be_secret(
        app: Flask, weighted: tuple[Organisation, list[int]], clock: Clock,
        family: str) -> None:
    organisation, members = weighted
    with pytest.raises(proposals.ProposalError, match="Only votes can be secret"):
        _secret_proposal(app, organisation, members[0], family, {}, clock)


def test_the_round_page_says_a_secret_ballot_is_recorded_without_showing_it(
        app: Flask, weighted: tuple[Organisation, list[int]], clock: Clock,
        auth: Auth, client: FlaskClient) -> None:
    organisation, members = weighted
    proposal = _secret_proposal(app, organisation, members[0], "majority",
                                {"preset": "association_default"}, clock)
    round_id = _open(app, proposal, RoundKind.VOTE, clock)
    _vote(app, round_id, members[1], "abstain", clock)
    auth.login("m1@example.org")
    page = client.get(
        f"/orgs/coop/proposals/{proposal}/rounds/{round_id}").get_data(as_text=True)
    assert "Your ballot is secret" in page
    assert "Change my position" not in page
