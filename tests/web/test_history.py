"""History is never deleted, and who did what is kept (issue 8, parts 4 and 5): leaving ends
a membership and keeps its ballots; an open round keeps its electorate and colleges; a round
the engine cannot count is marked failed once; a withdrawal never overwrites a closed round;
closes, extensions and cancellations name their facilitator; an early close keeps the
deadline and asks for confirmation when members are missing."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import timedelta
from fractions import Fraction

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select

from decisions.web import db
from decisions.web.cli import cli
from decisions.web.models import (
    AuditEntry,
    Ballot,
    College,
    Elector,
    Membership,
    Organisation,
    Proposal,
    ProposalStatus,
    Round,
    RoundKind,
    RoundStatus,
    User,
)
from decisions.web.services import organisations, proposals, rounds

from .conftest import Auth, Clock, keep_former_members, module_world, six_member_scic, unit
from .round_steps import Coop, close_due, open_round, proposal_of, vote


@module_world
def coop(make_org: Callable[..., Organisation], make_member: Callable[..., Membership],
         make_user: Callable[..., User]) -> Coop:
    """A SCIC with colleges 50/30/20, its admin Ana, a facilitator Fa and six members."""
    organisation, members = six_member_scic(make_org, make_member)
    make_member(organisation, "fa@example.org", role="facilitator")
    return organisation, members


@pytest.fixture
def app(rolled_back_app: Flask) -> Flask:
    """The application on the module's world, built once: what a test writes is rolled
    back after it."""
    return rolled_back_app


def _member_ids(app: Flask, organisation: Organisation) -> list[int]:
    with app.app_context():
        return list(db.session().scalars(select(Membership.id).where(
            Membership.organisation_id == organisation.id).order_by(Membership.id)))


def _remove(app: Flask, membership_id: int) -> None:
    with unit(app) as session:
        organisations.remove_membership(session, session.get_one(Membership, membership_id),
                                        now=db.utcnow())


def _round(app: Flask, round_id: int) -> Round:
    with app.app_context():
        found = db.session().get_one(Round, round_id)
        _ = found.proposal
        return found


def _entries(app: Flask, organisation: Organisation, kind: str) -> list[AuditEntry]:
    with app.app_context():
        return list(db.session().scalars(select(AuditEntry).where(
            AuditEntry.organisation_id == organisation.id, AuditEntry.kind == kind)
            .order_by(AuditEntry.seq)))


def _facilitator(app: Flask) -> int:
    with app.app_context():
        return db.session().scalar(select(Membership.id).join(User).where(
            User.email == "fa@example.org")) or 0


# 4. History is never deleted -------------------------------------------------------------


def test_a_member_who_leaves_keeps_their_ballots_and_every_round_recounts(
        app: Flask, coop: Coop, clock: Clock, runner: FlaskCliRunner) -> None:
    organisation, members = coop
    leaving = members[1]
    closed = []
    for family, params in (("majority", {"preset": "association_default"}),
                           ("scic_college", {"preset": "scic_sa_ago"}),
                           ("consent", {"preset": "consent_async"})):
        proposal = proposal_of(app, organisation, members[0], family, params, clock)
        kind = RoundKind.CONSENT if family == "consent" else RoundKind.VOTE
        round_id = open_round(app, proposal, kind, clock)
        for member in members:
            vote(app, round_id, member, "consent" if family == "consent" else "yes", clock)
        clock.advance(days=7)
        assert close_due(app, clock) == [round_id]
        closed.append(round_id)
    _remove(app, leaving)
    with app.app_context():
        session = db.session()
        left = session.get_one(Membership, leaving)
        assert left.ended_at is not None
        assert not left.is_current
        assert left.role.value == "member"
        assert session.scalar(select(func.count()).select_from(Ballot).where(
            Ballot.membership_id == leaving)) == 3
        assert session.scalar(select(func.count()).select_from(Elector).where(
            Elector.membership_id == leaving)) == 3
    assert [e.kind for e in _entries(app, organisation, "membership_ended")] == [
        "membership_ended"]
    recounted = runner.invoke(cli, ["recount", "--all"])
    assert recounted.exit_code == 0, recounted.output
    assert "3 closed rounds recounted: no difference." in recounted.output


def test_an_open_round_whose_electors_all_voted_still_closes_after_one_leaves(
        app: Flask, coop: Coop, clock: Clock, runner: FlaskCliRunner) -> None:
    organisation, members = coop
    proposal = proposal_of(app, organisation, members[0], "majority",
                           {"preset": "association_default"}, clock)
    round_id = open_round(app, proposal, RoundKind.VOTE, clock)
    everyone = _member_ids(app, organisation)
    for member in everyone:
        vote(app, round_id, member, "no" if member == members[1] else "yes", clock)
    _remove(app, members[1])
    clock.advance(days=7)
    assert close_due(app, clock) == [round_id]
    closed = _round(app, round_id)
    assert closed.status is RoundStatus.CLOSED
    assert closed.outcome == "adopted"
    assert closed.result_json is not None
    result = json.loads(closed.result_json)
    assert (result["counts"]["yes"], result["counts"]["no"]) == (len(everyone) - 1, 1)
    assert runner.invoke(cli, ["recount", "--all"]).exit_code == 0


def test_a_former_member_reaches_none_of_the_organisations_pages_nor_new_rounds(
        app: Flask, coop: Coop, clock: Clock, client: FlaskClient, auth: Auth) -> None:
    organisation, members = coop
    proposal = proposal_of(app, organisation, members[0], "majority",
                           {"preset": "association_default"}, clock)
    round_id = open_round(app, proposal, RoundKind.VOTE, clock)
    vote(app, round_id, members[1], "no", clock)
    clock.advance(days=7)
    close_due(app, clock)
    keep_former_members(app, organisation.id)
    _remove(app, members[1])
    auth.login("m1@example.org")
    assert client.get("/orgs/coop/proposals/").status_code == 403
    assert client.get("/orgs/coop/members").status_code == 403
    assert "/orgs/coop/" not in client.get("/orgs/").get_data(as_text=True)
    auth.logout()
    auth.login("ana@example.org")
    with app.app_context():
        user_name = db.session().get_one(Membership, members[1]).user.name
    assert user_name not in client.get("/orgs/coop/members").get_data(as_text=True)
    results = client.get(f"/orgs/coop/proposals/{proposal}/rounds/{round_id}/results")
    assert user_name in results.get_data(as_text=True)  # their ballot of the closed round
    assert client.get(f"/orgs/coop/members/{members[1]}/edit").status_code == 404
    again = proposal_of(app, organisation, members[0], "majority",
                        {"preset": "association_default"}, clock)
    with unit(app) as session:
        electorate = rounds.electorate_of(session, session.get_one(Proposal, again))
        assert members[1] not in {m.id for m in electorate}


def test_a_former_member_invited_again_gets_their_membership_back(
        app: Flask, coop: Coop) -> None:
    from decisions.web.models import Invitation, Role
    from decisions.web.services import invitations

    organisation, members = coop
    _remove(app, members[1])
    with unit(app) as session:
        user = session.get_one(Membership, members[1]).user
        invitation = Invitation(organisation_id=organisation.id, email=user.email,
                                role=Role.FACILITATOR, token_hash=invitations.hash_token("t"),
                                invited_by_id=user.id, created_at=db.utcnow(),
                                expires_at=db.utcnow() + timedelta(days=3650))
        session.add(invitation)
    with unit(app) as session:
        joined = invitations.accept(session, "t", session.get_one(Membership, members[1]).user,
                                    db.utcnow())
        assert joined.id == members[1]
        assert joined.is_current
        assert joined.role is Role.FACILITATOR


def test_renaming_and_reweighting_a_college_during_a_vote_changes_nothing_of_it(
        app: Flask, coop: Coop, clock: Clock, runner: FlaskCliRunner) -> None:
    organisation, members = coop
    proposal = proposal_of(app, organisation, members[0], "scic_college",
                           {"preset": "scic_sa_ago"}, clock)
    round_id = open_round(app, proposal, RoundKind.VOTE, clock)
    for member, position in zip(members, ("yes", "yes", "no", "yes", "yes", "no"),
                                strict=True):
        vote(app, round_id, member, position, clock)
    with unit(app) as session:
        workers = session.scalar(select(College).where(
            College.organisation_id == organisation.id, College.name == "workers"))
        assert workers is not None
        workers.name = "staff"
        workers.weight = Fraction(30)
        partners = session.scalar(select(College).where(College.name == "partners"))
        assert partners is not None
        partners.weight = Fraction(40)
    clock.advance(days=7)
    assert close_due(app, clock) == [round_id]
    closed = _round(app, round_id)
    assert closed.status is RoundStatus.CLOSED
    assert closed.case_json is not None
    case = json.loads(closed.case_json)
    assert [(c["id"], Fraction(str(c["weight"]))) for c in case["params"]["colleges"]] == [
        ("workers", Fraction(50)), ("users", Fraction(30)), ("partners", Fraction(20))]
    assert set(case["electorate"]["colleges"]) == {"workers", "users", "partners"}
    assert runner.invoke(cli, ["recount", "--all"]).exit_code == 0


def _broken_round(app: Flask, coop: Coop, clock: Clock) -> tuple[int, int]:
    """A majority vote whose rule the engine cannot read any more."""
    organisation, members = coop
    proposal = proposal_of(app, organisation, members[0], "majority",
                           {"preset": "association_default"}, clock)
    round_id = open_round(app, proposal, RoundKind.VOTE, clock)
    vote(app, round_id, members[1], "yes", clock)
    with unit(app) as session:
        session.get_one(Proposal, proposal).params = json.dumps({"preset": "no_such_preset"})
    return proposal, round_id


def test_a_round_the_engine_cannot_count_is_marked_failed_once_and_never_retried(
        app: Flask, coop: Coop, clock: Clock, caplog: pytest.LogCaptureFixture,
        client: FlaskClient, auth: Auth) -> None:
    organisation, _ = coop
    proposal, round_id = _broken_round(app, coop, clock)
    clock.advance(days=7)
    close_due(app, clock)
    failed = _round(app, round_id)
    assert failed.status is RoundStatus.FAILED
    assert failed.failure is not None
    assert "no_such_preset" in failed.failure
    clock.advance(seconds=2)
    assert close_due(app, clock) == []
    assert _round(app, round_id).status is RoundStatus.FAILED
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert f"Round {round_id}" in errors[0].getMessage()
    [entry] = _entries(app, organisation, "round_failed")
    assert json.loads(entry.data)["reason"] == failed.failure
    auth.login("fa@example.org")
    page = client.get(f"/orgs/coop/proposals/{proposal}/rounds/{round_id}").get_data(
        as_text=True)
    assert "This round could not be counted" in page
    assert "no_such_preset" in page
    assert client.get(f"/orgs/coop/proposals/{proposal}/rounds/{round_id}/results"
                      ).status_code == 200
    with unit(app) as session:  # the rule mended, the same kind of round opens again
        found = session.get_one(Proposal, proposal)
        found.params = json.dumps({"preset": "association_default"})
        assert rounds.next_kinds(found) == {RoundKind.VOTE}


def test_an_early_close_of_a_round_that_cannot_be_counted_marks_it_failed(
        app: Flask, coop: Coop, clock: Clock, client: FlaskClient, auth: Auth) -> None:
    proposal, round_id = _broken_round(app, coop, clock)
    auth.login("fa@example.org")
    response = client.post(f"/orgs/coop/proposals/{proposal}/rounds/{round_id}/close",
                           data={"confirmed": "yes"}, follow_redirects=True)
    assert "The round could not be counted" in response.get_data(as_text=True)
    assert _round(app, round_id).status is RoundStatus.FAILED


def test_withdrawing_a_proposal_never_overwrites_a_round_closed_meanwhile(
        app: Flask, coop: Coop, clock: Clock) -> None:
    organisation, members = coop
    proposal = proposal_of(app, organisation, members[0], "majority",
                           {"preset": "association_default"}, clock)
    round_id = open_round(app, proposal, RoundKind.VOTE, clock)
    for member in members:
        vote(app, round_id, member, "yes", clock)
    clock.advance(days=7)
    with app.app_context():  # the withdraw request has read the proposal, its round open
        page = db.session()
        found = page.get_one(Proposal, proposal)
        assert [r.status for r in found.rounds] == [RoundStatus.OPEN]
        page.commit()
        with unit(app) as scheduler:  # the scheduler's close commits meanwhile
            assert rounds.close_round(scheduler, round_id, now=clock())
        with pytest.raises(proposals.ProposalError), db.transaction() as session:
            proposals.withdraw(session, found, now=clock())
    kept = _round(app, round_id)
    assert (kept.status, kept.outcome) == (RoundStatus.CLOSED, "adopted")
    assert _entries(app, organisation, "round_cancelled") == []


def test_withdrawing_cancels_the_open_round_as_a_facilitator_would(
        app: Flask, coop: Coop, clock: Clock) -> None:
    organisation, members = coop
    proposal = proposal_of(app, organisation, members[0], "majority",
                           {"preset": "association_default"}, clock)
    round_id = open_round(app, proposal, RoundKind.VOTE, clock)
    facilitator = _facilitator(app)
    with unit(app) as session:
        proposals.withdraw(session, session.get_one(Proposal, proposal), now=clock(),
                           actor_id=facilitator)
    cancelled = _round(app, round_id)
    assert cancelled.status is RoundStatus.CANCELLED
    assert cancelled.proposal.status is ProposalStatus.WITHDRAWN
    [entry] = _entries(app, organisation, "round_cancelled")
    assert entry.actor_id == facilitator


# 5. Who did what ---------------------------------------------------------------------------


def _vote_round(app: Flask, coop: Coop, clock: Clock, voters: int) -> tuple[int, int]:
    organisation, members = coop
    proposal = proposal_of(app, organisation, members[0], "majority",
                           {"preset": "association_default"}, clock)
    round_id = open_round(app, proposal, RoundKind.VOTE, clock)
    for member in _member_ids(app, organisation)[:voters]:
        vote(app, round_id, member, "yes", clock)
    return proposal, round_id


def test_closing_extending_and_cancelling_record_the_facilitator(
        app: Flask, coop: Coop, clock: Clock, client: FlaskClient, auth: Auth) -> None:
    organisation, _ = coop
    facilitator = _facilitator(app)
    everyone = len(_member_ids(app, organisation))
    proposal, round_id = _vote_round(app, coop, clock, everyone)
    other, cancelled = _vote_round(app, coop, clock, 1)
    auth.login("fa@example.org")
    base = f"/orgs/coop/proposals/{proposal}/rounds/{round_id}"
    assert client.post(f"{base}/extend", data={"closes_at": "2027-01-01T10:00"}
                       ).status_code == 302
    assert client.post(f"{base}/close").status_code == 302
    assert client.post(f"/orgs/coop/proposals/{other}/rounds/{cancelled}/cancel"
                       ).status_code == 302
    assert _round(app, round_id).closed_by_id == facilitator
    assert _round(app, cancelled).closed_by_id == facilitator
    for kind in ("round_extended", "round_closed", "round_cancelled"):
        assert [e.actor_id for e in _entries(app, organisation, kind)] == [facilitator], kind
    page = client.get(f"{base}/results").get_data(as_text=True)
    assert "Closed by <bdi>fa</bdi>" in page


def test_the_scheduler_closes_a_round_in_nobodys_name(
        app: Flask, coop: Coop, clock: Clock) -> None:
    organisation, _ = coop
    _, round_id = _vote_round(app, coop, clock, 3)
    clock.advance(days=7)
    close_due(app, clock)
    assert _round(app, round_id).closed_by_id is None
    assert [e.actor_id for e in _entries(app, organisation, "round_closed")] == [None]


def test_an_early_close_keeps_the_deadline_and_refuses_later_ballots(
        app: Flask, coop: Coop, clock: Clock, client: FlaskClient, auth: Auth,
        runner: FlaskCliRunner) -> None:
    organisation, members = coop
    proposal = proposal_of(app, organisation, members[0], "consent",
                           {"preset": "consent_async"}, clock)
    round_id = open_round(app, proposal, RoundKind.CONSENT, clock)
    deadline = _round(app, round_id).closes_at
    for member in _member_ids(app, organisation)[1:]:  # the last answer would close it
        vote(app, round_id, member, "consent", clock)
    clock.advance(days=1)
    with unit(app) as session:
        assert rounds.close_early(session, round_id, now=clock(), actor_id=_facilitator(app))
    closed = _round(app, round_id)
    assert closed.closes_at == deadline
    assert closed.closed_at == clock()
    assert closed.case_json is not None
    assert json.loads(closed.case_json)["params"]["closes_at"].startswith(
        clock().strftime("%Y-%m-%dT%H:%M"))
    with pytest.raises(rounds.BallotRefused):
        vote(app, round_id, members[1], "object", clock, reason="Late")
    auth.login("ana@example.org")
    page = client.get(f"/orgs/coop/proposals/{proposal}/rounds/{round_id}/results"
                      ).get_data(as_text=True)
    assert "(closed early on" in page
    recounted = runner.invoke(cli, ["recount", "--all"])
    assert recounted.exit_code == 0, recounted.output


def test_closing_now_asks_for_confirmation_when_members_have_not_answered(
        app: Flask, coop: Coop, clock: Clock, client: FlaskClient, auth: Auth) -> None:
    organisation, _ = coop
    everyone = len(_member_ids(app, organisation))
    proposal, round_id = _vote_round(app, coop, clock, 2)
    auth.login("fa@example.org")
    base = f"/orgs/coop/proposals/{proposal}/rounds/{round_id}"
    asked = client.post(f"{base}/close")
    assert asked.status_code == 200
    page = asked.get_data(as_text=True)
    assert f"Members who have not answered: {everyone - 2} of {everyone}." in page
    assert "The quorum is not reached" not in page  # association_default: no quorum
    assert 'name="confirmed" value="yes"' in page
    assert _round(app, round_id).status is RoundStatus.OPEN
    assert client.post(f"{base}/close", data={"confirmed": "yes"}).status_code == 302
    assert _round(app, round_id).status is RoundStatus.CLOSED


def test_closing_now_tells_when_the_quorum_is_not_reached(
        app: Flask, coop: Coop, clock: Clock, client: FlaskClient, auth: Auth) -> None:
    organisation, members = coop
    proposal = proposal_of(app, organisation, members[0], "scic_college",
                           {"preset": "scic_sa_ago"}, clock)
    round_id = open_round(app, proposal, RoundKind.VOTE, clock)
    vote(app, round_id, members[0], "yes", clock)
    auth.login("fa@example.org")
    page = client.post(f"/orgs/coop/proposals/{proposal}/rounds/{round_id}/close"
                       ).get_data(as_text=True)
    assert "The quorum is not reached: 1 took part" in page
    assert _round(app, round_id).status is RoundStatus.OPEN
