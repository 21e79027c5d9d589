"""Secret ballots: who took part is kept apart from what was voted, which is only added to
the round's counters, so that no query can join a member to a position (the attacks are in
test_secret_linking.py); the count comes from the counters, weighted by college and vote
weight; results stay hidden until the close; a secret ballot cannot be changed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, inspect, select, text

from decisions.engine import evaluate, load_case
from decisions.web import db
from decisions.web.cli import cli
from decisions.web.models import (
    Ballot,
    Membership,
    Organisation,
    Participation,
    Round,
    RoundKind,
    SecretTally,
)
from decisions.web.services import proposals, results, rounds

from .conftest import Auth, Clock, unit
from .round_steps import close_due, open_round, stored_result, vote


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
    round_id = open_round(app, proposal, RoundKind.VOTE, clock)
    # workers: m0 (x3) yes, m3 no; users: m1 yes, m4 no; partners: m2 no, m5 yes
    for member, position in zip(members, ("yes", "yes", "no", "no", "no", "yes"), strict=True):
        vote(app, round_id, member, position, clock)
    with app.app_context():
        session = db.session()
        assert session.scalar(select(func.count()).select_from(Ballot)) == 0
        assert session.scalar(select(func.count()).select_from(Participation)) == 6
        counted: dict[str, tuple[int, int]] = {}
        for college, ballots, weight in session.execute(select(
                SecretTally.college, SecretTally.ballots, SecretTally.weight)):
            before = counted.get(college, (0, 0))
            counted[college] = (before[0] + ballots, before[1] + weight)
        assert counted == {"workers": (2, 4), "users": (2, 2), "partners": (2, 2)}
    clock.advance(days=7)
    assert close_due(app, clock) == [round_id]
    _status, result, case = stored_result(app, round_id)
    # 1/2 * 3/4 + 3/10 * 1/2 + 1/5 * 1/2 = 5/8
    assert result["weighted_yes_share"] == "5/8"
    assert result["outcome"] == "adopted"
    assert case["ballots"]["workers"]["yes"] == 3
    assert evaluate(load_case(case)).to_json() == result


def test_no_column_of_the_counters_can_be_joined_to_a_member(app: Flask) -> None:
    with app.app_context():
        inspector = inspect(db.engine_of(app))
        assert "secret_ballot" not in inspector.get_table_names()
        columns = {c["name"] for c in inspector.get_columns("secret_tally")}
        assert columns == {"round_id", "college", "position", "ballots", "weight"}
        keys = inspector.get_foreign_keys("secret_tally")
        assert [(k["referred_table"], k["constrained_columns"]) for k in keys] == [
            ("round", ["round_id"])]
        # Nothing in the participation table but the round can meet the counters.
        shared = columns & {c["name"] for c in inspector.get_columns("participation")}
        assert shared == {"round_id"}


def test_the_counters_are_made_at_the_opening_and_every_ballot_rewrites_them_all(
        app: Flask, weighted: tuple[Organisation, list[int]], clock: Clock) -> None:
    organisation, members = weighted
    proposal = _secret_proposal(app, organisation, members[0], "scic_college",
                                {"preset": "scic_sa_ago"}, clock)
    round_id = open_round(app, proposal, RoundKind.VOTE, clock)

    def counters() -> dict[tuple[str, str], tuple[int, int]]:
        with app.app_context():
            rows = db.session().execute(select(
                SecretTally.college, SecretTally.position, SecretTally.ballots,
                SecretTally.weight).where(SecretTally.round_id == round_id)).all()
        return {(college, position): (ballots, weight)
                for college, position, ballots, weight in rows}

    opened = counters()
    assert set(opened) == {(college, position) for college in ("workers", "users", "partners")
                           for position in ("yes", "no", "abstain", "blank")}
    assert set(opened.values()) == {(0, 0)}
    vote(app, round_id, members[0], "no", clock)
    assert counters() == {**opened, ("workers", "no"): (1, 3)}


def test_results_stay_hidden_until_the_round_closes(
        app: Flask, weighted: tuple[Organisation, list[int]], clock: Clock) -> None:
    organisation, members = weighted
    proposal = _secret_proposal(app, organisation, members[0], "majority",
                                {"preset": "association_default"}, clock)
    round_id = open_round(app, proposal, RoundKind.VOTE, clock)
    for member in members[:4]:
        vote(app, round_id, member, "yes", clock)
    with app.app_context():
        session = db.session()
        round_ = session.get_one(Round, round_id)
        reader = session.get_one(Membership, members[1])
        seen = results.round_results(session, round_, reader, clock())
        assert seen.counts_visible is False
        assert seen.counts is None
        assert seen.outcome is None
        assert seen.voters is None
    clock.advance(days=7)
    close_due(app, clock)
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
    round_id = open_round(app, proposal, RoundKind.VOTE, clock)
    vote(app, round_id, members[1], "no", clock)
    clock.advance(seconds=5)
    with pytest.raises(rounds.BallotRefused, match="already voted"):
        vote(app, round_id, members[1], "yes", clock)
    with app.app_context():
        session = db.session()
        counted = session.execute(select(SecretTally.position, SecretTally.ballots)
                                  .where(SecretTally.ballots > 0)).all()
        assert [tuple(row) for row in counted] == [("no", 1)]
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
    round_id = open_round(app, proposal, RoundKind.VOTE, clock)
    vote(app, round_id, members[1], "abstain", clock)
    auth.login("m1@example.org")
    page = client.get(
        f"/orgs/coop/proposals/{proposal}/rounds/{round_id}").get_data(as_text=True)
    assert "Your ballot is secret" in page
    assert "Change my position" not in page


def _stuff(app: Flask, round_id: int) -> None:
    """One more "yes" slipped into an open secret round behind the application's back (a
    ``secret_ballot`` row on the storage the counters replaced)."""
    with db.engine_of(app).begin() as connection:
        if "secret_tally" in inspect(connection).get_table_names():
            changed = connection.execute(text(
                "UPDATE secret_tally SET ballots = ballots + 1, weight = weight + 1"
                " WHERE round_id = :r AND college = 'users' AND position = 'yes'"),
                {"r": round_id}).rowcount
        else:
            changed = connection.execute(text(
                "INSERT INTO secret_ballot (id, round_id, college, vote_weight, position)"
                " VALUES ('stuffed', :r, 'users', 1, 'yes')"), {"r": round_id}).rowcount
    assert changed == 1


def test_a_ballot_stuffed_into_a_secret_round_is_found_by_verify_and_recount(
        app: Flask, weighted: tuple[Organisation, list[int]], clock: Clock,
        runner: FlaskCliRunner) -> None:
    organisation, members = weighted
    proposal = _secret_proposal(app, organisation, members[0], "majority",
                                {"preset": "association_default"}, clock)
    round_id = open_round(app, proposal, RoundKind.VOTE, clock)
    for member in members[1:]:
        vote(app, round_id, member, "no", clock)
    _stuff(app, round_id)
    clock.advance(days=7)
    assert close_due(app, clock) == [round_id]
    verified = runner.invoke(cli, ["audit", "verify"])
    assert verified.exit_code != 0
    # Entry 7, the last ballot's: after m0's weight change (1), the opening (2), 5 ballots.
    assert (f"organisation coop, entry 7: round {round_id}: the secret counters hold 6"
            " ballots for 5 participations, the audit log counts 5") in verified.output
    recounted = runner.invoke(cli, ["recount", "--all"])
    assert recounted.exit_code != 0
    assert (f"round {round_id} (coop/proposal-{proposal}/round-1): the secret counters hold 6"
            " ballots for 5 participations") in recounted.output


def test_an_honest_secret_round_verifies_and_recounts(
        app: Flask, weighted: tuple[Organisation, list[int]], clock: Clock,
        runner: FlaskCliRunner) -> None:
    organisation, members = weighted
    proposal = _secret_proposal(app, organisation, members[0], "scic_college",
                                {"preset": "scic_sa_ago"}, clock)
    round_id = open_round(app, proposal, RoundKind.VOTE, clock)
    for member, position in zip(members, ("yes", "no", "yes", "abstain", "blank", "yes"),
                                strict=True):
        vote(app, round_id, member, position, clock)
    clock.advance(days=7)
    assert close_due(app, clock) == [round_id]
    assert runner.invoke(cli, ["audit", "verify"]).exit_code == 0
    assert runner.invoke(cli, ["recount", "--all"]).exit_code == 0


def test_weight_moved_between_positions_of_a_secret_round_is_found_by_verify(
        app: Flask, weighted: tuple[Organisation, list[int]], clock: Clock,
        runner: FlaskCliRunner) -> None:
    organisation, members = weighted
    proposal = _secret_proposal(app, organisation, members[0], "majority",
                                {"preset": "association_default"}, clock)
    round_id = open_round(app, proposal, RoundKind.VOTE, clock)
    for member in members:
        vote(app, round_id, member, "no", clock)
    with db.engine_of(app).begin() as connection:  # the ballot count is left as it was
        connection.execute(text("UPDATE secret_tally SET weight = weight + 5"
                                " WHERE round_id = :r AND position = 'yes'"), {"r": round_id})
    verified = runner.invoke(cli, ["audit", "verify"])
    assert verified.exit_code != 0
    assert f"round {round_id}: college '(none)': the secret counters hold" in verified.output
