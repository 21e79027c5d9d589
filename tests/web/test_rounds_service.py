"""The life of rounds through the services: open, vote against the server's clock, close
through the engine, and the same outcome as the engine gives on the exported case."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import func, select

from decisions.engine import evaluate, load_case
from decisions.web import db, round_cases
from decisions.web.models import (
    Ballot,
    Membership,
    Organisation,
    Proposal,
    ProposalStatus,
    Round,
    RoundKind,
    RoundStatus,
)
from decisions.web.services import proposals, rounds

from .conftest import Clock, unit
from .round_steps import close_due, open_round, proposal_of, stored_result, vote
from .round_steps import coop_once as coop_once


@pytest.fixture
def app(rolled_back_app: Flask) -> Flask:
    """The application on the module's world, built once: what a test writes is rolled
    back after it."""
    return rolled_back_app


def test_a_ballot_one_second_before_the_deadline_counts_and_one_at_the_deadline_is_refused(
        app: Flask, coop: tuple[Organisation, list[int]], clock: Clock) -> None:
    organisation, members = coop
    proposal = proposal_of(app, organisation, members[0], "majority",
                         {"preset": "association_default"}, clock)
    round_id = open_round(app, proposal, RoundKind.VOTE, clock)
    vote(app, round_id, members[0], "yes", clock)
    clock.advance(days=7, seconds=-1)
    vote(app, round_id, members[1], "yes", clock)
    clock.advance(seconds=1)
    with pytest.raises(rounds.BallotRefused, match="closed"):
        vote(app, round_id, members[2], "no", clock)
    assert close_due(app, clock) == [round_id]
    status, result, _case = stored_result(app, round_id)
    assert status == "closed"
    assert result["outcome"] == "adopted"
    assert result["counts"]["yes"] == 2
    assert result["counts"]["no"] == 0


def test_closing_is_idempotent(app: Flask, coop: tuple[Organisation, list[int]],
                               clock: Clock) -> None:
    organisation, members = coop
    proposal = proposal_of(app, organisation, members[0], "majority",
                         {"preset": "association_default"}, clock)
    round_id = open_round(app, proposal, RoundKind.VOTE, clock)
    clock.advance(days=8)
    assert close_due(app, clock) == [round_id]
    assert close_due(app, clock) == []
    with unit(app) as session:
        assert rounds.close_round(session, round_id, now=clock()) is False


def test_a_scic_vote_gives_the_same_outcome_as_the_engine_on_the_exported_case(
        app: Flask, coop: tuple[Organisation, list[int]], clock: Clock) -> None:
    organisation, members = coop
    proposal = proposal_of(app, organisation, members[0], "scic_college",
                         {"preset": "scic_sa_ago"}, clock)
    round_id = open_round(app, proposal, RoundKind.VOTE, clock)
    # workers: m0 yes, m3 no; users: m1 yes, m4 yes; partners: m2 no, m5 no (+ Ana, no college)
    for member, position in zip(members, ("yes", "yes", "no", "no", "yes", "no"), strict=True):
        vote(app, round_id, member, position, clock)
    clock.advance(days=7)
    close_due(app, clock)
    _status, result, case = stored_result(app, round_id)
    # 1/2 * 1/2 + 3/10 * 1 + 1/5 * 0 = 11/20
    assert result["weighted_yes_share"] == "11/20"
    assert result["outcome"] == "adopted"
    recount = evaluate(load_case(case)).to_json()
    assert recount == result


def test_the_results_path_reads_counts_not_ballots(
        app: Flask, coop: tuple[Organisation, list[int]], clock: Clock) -> None:
    organisation, members = coop
    proposal = proposal_of(app, organisation, members[0], "majority",
                         {"preset": "association_default"}, clock)
    round_id = open_round(app, proposal, RoundKind.VOTE, clock)
    for change in range(3):
        for member in members:
            vote(app, round_id, member, ("yes", "no")[(member + change) % 2], clock)
            clock.advance(seconds=1)
    with app.app_context():
        session = db.session()
        assert session.scalar(select(func.count()).select_from(Ballot)) == 18
        case = load_case(round_cases.case_json(session, session.get_one(Round, round_id),
                                                   clock()))
        assert case.ballots.total == 6  # type: ignore[union-attr]


def test_a_first_convocation_without_quorum_lets_a_second_one_open(
        app: Flask, coop: tuple[Organisation, list[int]], clock: Clock) -> None:
    organisation, members = coop
    proposal = proposal_of(app, organisation, members[0], "majority",
                         {"preset": "scic_sa_ago"}, clock)
    first = open_round(app, proposal, RoundKind.VOTE, clock)
    vote(app, first, members[0], "yes", clock)  # 1 of 7 < 1/5
    clock.advance(days=7)
    close_due(app, clock)
    assert stored_result(app, first)[1]["outcome"] == "no_quorum"
    second = open_round(app, proposal, RoundKind.VOTE, clock)
    vote(app, second, members[0], "yes", clock)
    clock.advance(days=7)
    close_due(app, clock)
    _status, result, case = stored_result(app, second)
    assert case["params"]["convocation"] == "second"
    assert result["outcome"] == "adopted"
    with app.app_context():
        assert db.session().get_one(Proposal, proposal).status is ProposalStatus.DECIDED


def test_a_consent_objection_blocks(app: Flask, coop: tuple[Organisation, list[int]],
                                    clock: Clock) -> None:
    organisation, members = coop
    proposal = proposal_of(app, organisation, members[0], "consent",
                         {"preset": "consent_async"}, clock)
    round_id = open_round(app, proposal, RoundKind.CONSENT, clock)
    vote(app, round_id, members[0], "consent", clock)
    vote(app, round_id, members[1], "object", clock, reason="Over the circle's budget")
    clock.advance(days=7)
    close_due(app, clock)
    result = stored_result(app, round_id)[1]
    assert result["outcome"] == "blocked"
    assert result["outstanding_objections"] == [str(members[1])]


def test_a_sociocratic_proposal_goes_objection_new_version_consent(
        app: Flask, coop: tuple[Organisation, list[int]], clock: Clock) -> None:
    organisation, members = coop
    with unit(app) as session:
        everyone = [m.id for m in session.scalars(select(Membership).where(
            Membership.organisation_id == organisation.id))]
    proposal = proposal_of(app, organisation, members[0], "sociocratic_consent",
                         {"preset": "sociocratic_consent"}, clock)
    first = open_round(app, proposal, RoundKind.CONSENT, clock)
    for member in everyone:
        position = "object" if member == members[2] else "consent"
        vote(app, first, member, position, clock, reason="Budget too high")
    clock.advance(days=7)
    close_due(app, clock)
    assert stored_result(app, first)[1]["outcome"] == "needs_integration"
    with unit(app) as session:
        proposals.amend(session, session.get_one(Proposal, proposal),
                        session.get_one(Membership, members[0]), title="Buy one cargo bike",
                        body="We buy one.", summary="Halved the budget", now=clock())
    second = open_round(app, proposal, RoundKind.CONSENT, clock)
    for member in everyone:
        vote(app, second, member, "consent", clock)
    clock.advance(days=7)
    close_due(app, clock)
    _status, result, case = stored_result(app, second)
    assert result["outcome"] == "adopted"
    assert [r["outcome"] for r in result["rounds"]] == ["needs_integration", "adopted"]
    assert result["current_version"] == 2
    assert evaluate(load_case(case)).to_json() == result


def test_an_election_elects_the_consented_candidate(
        app: Flask, coop: tuple[Organisation, list[int]], clock: Clock) -> None:
    organisation, members = coop
    with unit(app) as session:
        everyone = [m.id for m in session.scalars(select(Membership).where(
            Membership.organisation_id == organisation.id))]
    proposal = proposal_of(app, organisation, members[0], "sociocratic_election",
                         {"preset": "sociocratic_election", "role": "treasurer"}, clock)
    nominations = open_round(app, proposal, RoundKind.NOMINATION, clock)
    for member in everyone:
        vote(app, nominations, member, "nominate", clock, nominee_id=members[1],
              reason="Careful with money")
    clock.advance(days=7)
    close_due(app, clock)
    consent = open_round(app, proposal, RoundKind.CONSENT, clock, candidate_id=members[1])
    for member in everyone:
        vote(app, consent, member, "consent", clock)
    clock.advance(days=7)
    close_due(app, clock)
    result = stored_result(app, consent)[1]
    assert result["outcome"] == "adopted"
    assert result["elected"] == str(members[1])
    assert result["nomination_counts"] == {str(members[1]): len(everyone)}


def test_a_member_outside_the_electorate_cannot_vote(
        app: Flask, coop: tuple[Organisation, list[int]], clock: Clock,
        make_member: Callable[..., Membership]) -> None:
    organisation, members = coop
    proposal = proposal_of(app, organisation, members[0], "majority",
                         {"preset": "association_default"}, clock)
    round_id = open_round(app, proposal, RoundKind.VOTE, clock)
    late_joiner = make_member(organisation, "late@example.org")
    with pytest.raises(rounds.BallotRefused, match="electorate"):
        vote(app, round_id, late_joiner.id, "yes", clock)
    with app.app_context():
        assert db.session().get_one(Round, round_id).status is RoundStatus.OPEN


def test_a_college_vote_of_an_organisation_that_is_not_a_scic_may_have_two_colleges(
        app: Flask, make_org: Callable[..., Organisation],
        make_member: Callable[..., Membership], clock: Clock) -> None:
    network = make_org("network", admin="ana@example.org", is_scic=False,
                       colleges={"platforms": 60, "partners": 40})
    members = [make_member(network, f"n{i}@example.org",
                           college=("platforms", "partners")[i % 2]).id for i in range(4)]
    proposal = proposal_of(app, network, members[0], "scic_college",
                         {"preset": "association_default"}, clock)
    round_id = open_round(app, proposal, RoundKind.VOTE, clock)
    for member, position in zip(members, ("yes", "yes", "yes", "no"), strict=True):
        vote(app, round_id, member, position, clock)
    clock.advance(days=7)
    close_due(app, clock)
    _status, result, case = stored_result(app, round_id)
    assert case["params"]["enforce_scic_bounds"] is False
    # 3/5 * 1 + 2/5 * 1/2 = 4/5
    assert result["weighted_yes_share"] == "4/5"
    assert result["outcome"] == "adopted"
