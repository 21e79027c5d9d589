"""The life of rounds through the services: open, vote against the server's clock, close
through the engine, and the same outcome as the engine gives on the exported case."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from decisions.engine import evaluate, load_case
from decisions.web import casebook, db
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

from .conftest import Clock, six_member_scic, unit


@pytest.fixture
def coop(make_org: Callable[..., Organisation], make_member: Callable[..., Membership],
         ) -> tuple[Organisation, list[int]]:
    """A SCIC with colleges 50/30/20 and six members, two per college."""
    return six_member_scic(make_org, make_member)


def _proposal(app: Flask, organisation: Organisation, author: int, family: str,
              params: dict[str, Any], clock: Clock) -> int:
    with unit(app) as session:
        org = session.get_one(Organisation, organisation.id)
        proposal = proposals.create_proposal(
            session, org, session.get_one(Membership, author), title="Buy cargo bikes",
            body="We buy **two** cargo bikes.", family=family, params=params, now=clock())
        return proposal.id


def _open(app: Flask, proposal_id: int, kind: RoundKind, clock: Clock,
          **extra: Any) -> int:
    with unit(app) as session:
        proposal = session.get_one(Proposal, proposal_id)
        return rounds.open_round(session, proposal, kind, closes_at=clock() + timedelta(days=7),
                                 now=clock(), **extra).id


def _vote(app: Flask, round_id: int, member: int, position: str, clock: Clock,
          **extra: Any) -> None:
    with unit(app) as session:
        rounds.cast_ballot(session, round_id, member, position, now=clock(), **extra)


def _close_due(app: Flask, clock: Clock) -> list[int]:
    with app.app_context():
        return rounds.close_due(app.extensions["decisions.db"], clock())


def _stored(app: Flask, round_id: int) -> tuple[str, dict[str, Any], dict[str, Any]]:
    with app.app_context():
        round_ = db.session().get_one(Round, round_id)
        assert round_.result_json is not None
        assert round_.case_json is not None
        return round_.status.value, json.loads(round_.result_json), json.loads(round_.case_json)


def test_a_ballot_one_second_before_the_deadline_counts_and_one_at_the_deadline_is_refused(
        app: Flask, coop: tuple[Organisation, list[int]], clock: Clock) -> None:
    organisation, members = coop
    proposal = _proposal(app, organisation, members[0], "majority",
                         {"preset": "association_default"}, clock)
    round_id = _open(app, proposal, RoundKind.VOTE, clock)
    _vote(app, round_id, members[0], "yes", clock)
    clock.advance(days=7, seconds=-1)
    _vote(app, round_id, members[1], "yes", clock)
    clock.advance(seconds=1)
    with pytest.raises(rounds.BallotRefused, match="closed"):
        _vote(app, round_id, members[2], "no", clock)
    assert _close_due(app, clock) == [round_id]
    status, result, _case = _stored(app, round_id)
    assert status == "closed"
    assert result["outcome"] == "adopted"
    assert result["counts"]["yes"] == 2
    assert result["counts"]["no"] == 0


def test_closing_is_idempotent(app: Flask, coop: tuple[Organisation, list[int]],
                               clock: Clock) -> None:
    organisation, members = coop
    proposal = _proposal(app, organisation, members[0], "majority",
                         {"preset": "association_default"}, clock)
    round_id = _open(app, proposal, RoundKind.VOTE, clock)
    clock.advance(days=8)
    assert _close_due(app, clock) == [round_id]
    assert _close_due(app, clock) == []
    with unit(app) as session:
        assert rounds.close_round(session, round_id, now=clock()) is False


def test_a_scic_vote_gives_the_same_outcome_as_the_engine_on_the_exported_case(
        app: Flask, coop: tuple[Organisation, list[int]], clock: Clock) -> None:
    organisation, members = coop
    proposal = _proposal(app, organisation, members[0], "scic_college",
                         {"preset": "scic_sa_ago"}, clock)
    round_id = _open(app, proposal, RoundKind.VOTE, clock)
    # workers: m0 yes, m3 no; users: m1 yes, m4 yes; partners: m2 no, m5 no (+ Ana, no college)
    for member, position in zip(members, ("yes", "yes", "no", "no", "yes", "no"), strict=True):
        _vote(app, round_id, member, position, clock)
    clock.advance(days=7)
    _close_due(app, clock)
    _status, result, case = _stored(app, round_id)
    # 1/2 * 1/2 + 3/10 * 1 + 1/5 * 0 = 11/20
    assert result["weighted_yes_share"] == "11/20"
    assert result["outcome"] == "adopted"
    recount = evaluate(load_case(case)).to_json()
    assert recount == result


def test_the_results_path_reads_counts_not_ballots(
        app: Flask, coop: tuple[Organisation, list[int]], clock: Clock) -> None:
    organisation, members = coop
    proposal = _proposal(app, organisation, members[0], "majority",
                         {"preset": "association_default"}, clock)
    round_id = _open(app, proposal, RoundKind.VOTE, clock)
    for change in range(3):
        for member in members:
            _vote(app, round_id, member, ("yes", "no")[(member + change) % 2], clock)
            clock.advance(seconds=1)
    with app.app_context():
        session = db.session()
        assert session.scalar(select(func.count()).select_from(Ballot)) == 18
        case = load_case(casebook.case_json(session, session.get_one(Round, round_id),
                                                   clock()))
        assert case.ballots.total == 6  # type: ignore[union-attr]


def test_a_first_convocation_without_quorum_lets_a_second_one_open(
        app: Flask, coop: tuple[Organisation, list[int]], clock: Clock) -> None:
    organisation, members = coop
    proposal = _proposal(app, organisation, members[0], "majority",
                         {"preset": "scic_sa_ago"}, clock)
    first = _open(app, proposal, RoundKind.VOTE, clock)
    _vote(app, first, members[0], "yes", clock)  # 1 of 7 < 1/5
    clock.advance(days=7)
    _close_due(app, clock)
    assert _stored(app, first)[1]["outcome"] == "no_quorum"
    second = _open(app, proposal, RoundKind.VOTE, clock)
    _vote(app, second, members[0], "yes", clock)
    clock.advance(days=7)
    _close_due(app, clock)
    _status, result, case = _stored(app, second)
    assert case["params"]["convocation"] == "second"
    assert result["outcome"] == "adopted"
    with app.app_context():
        assert db.session().get_one(Proposal, proposal).status is ProposalStatus.DECIDED


def test_a_consent_objection_blocks(app: Flask, coop: tuple[Organisation, list[int]],
                                    clock: Clock) -> None:
    organisation, members = coop
    proposal = _proposal(app, organisation, members[0], "consent",
                         {"preset": "consent_async"}, clock)
    round_id = _open(app, proposal, RoundKind.CONSENT, clock)
    _vote(app, round_id, members[0], "consent", clock)
    _vote(app, round_id, members[1], "object", clock, reason="Over the circle's budget")
    clock.advance(days=7)
    _close_due(app, clock)
    result = _stored(app, round_id)[1]
    assert result["outcome"] == "blocked"
    assert result["outstanding_objections"] == [str(members[1])]


def test_a_sociocratic_proposal_goes_objection_new_version_consent(
        app: Flask, coop: tuple[Organisation, list[int]], clock: Clock) -> None:
    organisation, members = coop
    with unit(app) as session:
        everyone = [m.id for m in session.scalars(select(Membership).where(
            Membership.organisation_id == organisation.id))]
    proposal = _proposal(app, organisation, members[0], "sociocratic_consent",
                         {"preset": "sociocratic_consent"}, clock)
    first = _open(app, proposal, RoundKind.CONSENT, clock)
    for member in everyone:
        position = "object" if member == members[2] else "consent"
        _vote(app, first, member, position, clock, reason="Budget too high")
    clock.advance(days=7)
    _close_due(app, clock)
    assert _stored(app, first)[1]["outcome"] == "needs_integration"
    with unit(app) as session:
        proposals.amend(session, session.get_one(Proposal, proposal),
                        session.get_one(Membership, members[0]), title="Buy one cargo bike",
                        body="We buy one.", summary="Halved the budget", now=clock())
    second = _open(app, proposal, RoundKind.CONSENT, clock)
    for member in everyone:
        _vote(app, second, member, "consent", clock)
    clock.advance(days=7)
    _close_due(app, clock)
    _status, result, case = _stored(app, second)
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
    proposal = _proposal(app, organisation, members[0], "sociocratic_election",
                         {"preset": "sociocratic_election", "role": "treasurer"}, clock)
    nominations = _open(app, proposal, RoundKind.NOMINATION, clock)
    for member in everyone:
        _vote(app, nominations, member, "nominate", clock, nominee_id=members[1],
              reason="Careful with money")
    clock.advance(days=7)
    _close_due(app, clock)
    consent = _open(app, proposal, RoundKind.CONSENT, clock, candidate_id=members[1])
    for member in everyone:
        _vote(app, consent, member, "consent", clock)
    clock.advance(days=7)
    _close_due(app, clock)
    result = _stored(app, consent)[1]
    assert result["outcome"] == "adopted"
    assert result["elected"] == str(members[1])
    assert result["nomination_counts"] == {str(members[1]): len(everyone)}


def test_a_member_outside_the_electorate_cannot_vote(
        app: Flask, coop: tuple[Organisation, list[int]], clock: Clock,
        make_member: Callable[..., Membership]) -> None:
    organisation, members = coop
    proposal = _proposal(app, organisation, members[0], "majority",
                         {"preset": "association_default"}, clock)
    round_id = _open(app, proposal, RoundKind.VOTE, clock)
    late_joiner = make_member(organisation, "late@example.org")
    with pytest.raises(rounds.BallotRefused, match="electorate"):
        _vote(app, round_id, late_joiner.id, "yes", clock)
    with app.app_context():
        assert db.session().get_one(Round, round_id).status is RoundStatus.OPEN


def test_a_college_vote_of_an_organisation_that_is_not_a_scic_may_have_two_colleges(
        app: Flask, make_org: Callable[..., Organisation],
        make_member: Callable[..., Membership], clock: Clock) -> None:
    network = make_org("network", admin="ana@example.org", is_scic=False,
                       colleges={"platforms": 60, "partners": 40})
    members = [make_member(network, f"n{i}@example.org",
                           college=("platforms", "partners")[i % 2]).id for i in range(4)]
    proposal = _proposal(app, network, members[0], "scic_college",
                         {"preset": "association_default"}, clock)
    round_id = _open(app, proposal, RoundKind.VOTE, clock)
    for member, position in zip(members, ("yes", "yes", "yes", "no"), strict=True):
        _vote(app, round_id, member, position, clock)
    clock.advance(days=7)
    _close_due(app, clock)
    _status, result, case = _stored(app, round_id)
    assert case["params"]["enforce_scic_bounds"] is False
    # 3/5 * 1 + 2/5 * 1/2 = 4/5
    assert result["weighted_yes_share"] == "4/5"
    assert result["outcome"] == "adopted"
