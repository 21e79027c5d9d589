"""The audit log: one entry per event that matters, in a hash chain per organisation that
``decisions audit verify`` checks, with ballots fingerprinted so that a changed row shows."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import timedelta
from fractions import Fraction
from typing import Any

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from decisions.web import db
from decisions.web.cli import cli
from decisions.web.models import (
    AuditEntry,
    College,
    Invitation,
    Membership,
    Organisation,
    Proposal,
    Role,
    Round,
    RoundKind,
)
from decisions.web.services import audit, colleges, objections, organisations, proposals, rounds

from .conftest import Clock, keep_former_members, unit
from .round_steps import coop as coop
from .round_steps import open_round, proposal_of, vote


def entries(app: Flask, organisation_id: int) -> list[tuple[int, str, dict[str, Any]]]:
    with app.app_context():
        return [(e.seq, e.kind, json.loads(e.data))
                for e in audit.entries(db.session(), organisation_id)]


def appended(app: Flask, organisation_id: int, action: Callable[[Session], Any],
             ) -> list[tuple[str, dict[str, Any]]]:
    """Do ``action`` in one transaction; the entries it appended."""
    before = len(entries(app, organisation_id))
    with unit(app) as session:
        action(session)
    return [(kind, data) for _, kind, data in entries(app, organisation_id)[before:]]


def closed_majority_round(app: Flask, coop: tuple[Organisation, list[int]],
                          clock: Clock) -> int:
    organisation, members = coop
    proposal = proposal_of(app, organisation, members[0], "majority",
                           {"preset": "association_default"}, clock)
    round_id = open_round(app, proposal, RoundKind.VOTE, clock)
    for member, position in zip(members, ["yes", "yes", "yes", "no", "no", "abstain"],
                                strict=True):
        vote(app, round_id, member, position, clock)
    clock.advance(days=7)
    with unit(app) as session:
        assert rounds.close_round(session, round_id, now=clock())
    return round_id


def test_each_round_event_appends_one_entry(
        app: Flask, coop: tuple[Organisation, list[int]], clock: Clock,
        runner: FlaskCliRunner) -> None:
    organisation, members = coop
    org = organisation.id
    proposal = proposal_of(app, organisation, members[0], "consent",
                           {"preset": "consent_async"}, clock)
    [(kind, data)] = appended(app, org, lambda s: rounds.open_round(
        s, s.get_one(Proposal, proposal), RoundKind.CONSENT,
        closes_at=clock() + timedelta(days=7), now=clock()))
    assert kind == "round_opened"
    round_id = data["round"]
    assert data["electors"] == 7
    [(kind, data)] = appended(app, org, lambda s: rounds.cast_ballot(
        s, round_id, members[1], "consent", now=clock()))
    assert kind == "ballot_cast"
    assert (data["round"], data["member"], data["position"]) == (round_id, members[1],
                                                                  "consent")
    assert len(data["fingerprint"]) == 64
    [(kind, data)] = appended(app, org, lambda s: rounds.cast_ballot(
        s, round_id, members[1], "object", now=clock(), reason="Too dear"))
    assert (kind, data["position"]) == ("ballot_changed", "object")
    [(kind, data)] = appended(app, org, lambda s: rounds.extend_round(
        s, round_id, clock() + timedelta(days=8), now=clock()))
    assert kind == "round_extended"
    [(kind, data)] = appended(app, org, lambda s: objections.qualify_objection(
        s, round_id, members[1], "valid", decided_by="objector", rationale="Fair",
        recorded_by=members[0], now=clock()))
    assert (kind, data["member"], data["result"]) == ("objection_qualified", members[1],
                                                      "valid")
    [(kind, data)] = appended(app, org, lambda s: objections.withdraw_objection(
        s, round_id, members[1], note="Fine after all", recorded_by=members[0], now=clock()))
    assert kind == "objection_withdrawn"
    [(kind, data)] = appended(app, org, lambda s: rounds.close_early(s, round_id,
                                                                     now=clock()))
    assert kind == "round_closed"
    with app.app_context():
        stored = db.session().get_one(Round, round_id)
        assert data["outcome"] == stored.outcome
        assert data["case_sha256"] == audit.sha256(stored.case_json or "")
        assert data["result_sha256"] == audit.sha256(stored.result_json or "")
    [(kind, data)] = appended(app, org, lambda s: proposals.record_outcome(
        s, s.get_one(Proposal, proposal), statement="We buy them.", review_date=None,
        now=clock()))
    assert (kind, data["statement"]) == ("outcome_written", "We buy them.")
    with app.app_context():
        assert audit.verify_chain(db.session(), org) is None
    result = runner.invoke(cli, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "every chain holds" in result.output


def test_versions_cancellations_members_and_weights_append_one_entry_each(
        app: Flask, coop: tuple[Organisation, list[int]], clock: Clock) -> None:
    organisation, members = coop
    org = organisation.id
    proposal = proposal_of(app, organisation, members[0], "majority",
                           {"preset": "association_default"}, clock)
    [(kind, data)] = appended(app, org, lambda s: proposals.amend(
        s, s.get_one(Proposal, proposal), s.get_one(Membership, members[0]), title="One bike",
        body="One.", summary="Halved", now=clock()))
    assert (kind, data["version"], data["summary"]) == ("version_published", 2, "Halved")
    round_id = open_round(app, proposal, RoundKind.VOTE, clock)
    [(kind, data)] = appended(app, org, lambda s: rounds.cancel_round(s, round_id,
                                                                      now=clock()))
    assert (kind, data["round"]) == ("round_cancelled", round_id)
    with app.app_context():
        partners = db.session().scalar(select(College.id).where(
            College.organisation_id == org, College.name == "partners"))
    [(kind, data)] = appended(app, org, lambda s: organisations.update_membership(
        s, s.get_one(Membership, members[1]), role=Role.FACILITATOR, vote_weight=3,
        college_id=partners, now=clock()))
    assert (kind, data["role"], data["vote_weight"], data["college"]) == (
        "membership_changed", "facilitator", 3, "partners")
    keep_former_members(app, org)  # else the removal also pseudonymises them (an entry)
    [(kind, data)] = appended(app, org, lambda s: organisations.remove_membership(
        s, s.get_one(Membership, members[2]), now=clock()))
    assert (kind, data["member"]) == ("membership_ended", members[2])

    def weights(session: Session) -> None:
        org_ = session.get_one(Organisation, org)
        ids = {c.name: c.id for c in colleges.colleges_of(session, org_)}
        colleges.set_weights(session, org_, {ids["workers"]: Fraction(40),
                                             ids["users"]: Fraction(40),
                                             ids["partners"]: Fraction(20)}, now=clock())
    [(kind, data)] = appended(app, org, weights)
    assert (kind, data["weights"]) == ("college_weights_changed",
                                       {"workers": "40/1", "users": "40/1", "partners": "20/1"})
    assert [seq for seq, _, _ in entries(app, org)] == list(range(1, 7))
    with app.app_context():
        assert audit.verify(db.session(), clock())[2] == []


def test_a_secret_ballot_is_recorded_without_member_nor_position(
        app: Flask, coop: tuple[Organisation, list[int]], clock: Clock,
        runner: FlaskCliRunner) -> None:
    organisation, members = coop
    proposal = proposal_of(app, organisation, members[0], "majority",
                           {"preset": "association_default"}, clock, secret=True)
    round_id = open_round(app, proposal, RoundKind.VOTE, clock)
    [(kind, data)] = appended(app, organisation.id, lambda s: rounds.cast_ballot(
        s, round_id, members[1], "no", now=clock()))
    assert (kind, data) == ("ballot_cast", {"round": round_id, "ballots": 1})
    [(kind, data)] = appended(app, organisation.id, lambda s: rounds.cast_ballot(
        s, round_id, members[2], "yes", now=clock()))
    assert (kind, data) == ("ballot_cast", {"round": round_id, "ballots": 2})
    with app.app_context():
        actors = db.session().scalars(select(AuditEntry.actor_id).where(
            AuditEntry.kind == "ballot_cast")).all()
    assert actors == [None, None]
    assert runner.invoke(cli, ["audit", "verify"]).exit_code == 0


def test_a_ballot_changed_behind_the_applications_back_is_found(
        app: Flask, coop: tuple[Organisation, list[int]], clock: Clock,
        runner: FlaskCliRunner) -> None:
    round_id = closed_majority_round(app, coop, clock)
    assert runner.invoke(cli, ["audit", "verify"]).exit_code == 0
    assert runner.invoke(cli, ["recount", "--all"]).exit_code == 0
    with db.engine_of(app).begin() as connection:
        changed = connection.execute(text(
            "UPDATE ballot SET position = 'yes' WHERE round_id = :r AND position = 'no'"),
            {"r": round_id})
        assert changed.rowcount == 2
    verified = runner.invoke(cli, ["audit", "verify"])
    assert verified.exit_code != 0
    assert f"round {round_id}: ballot" in verified.output
    assert "was changed since it was cast" in verified.output
    recounted = runner.invoke(cli, ["recount", "--all"])
    assert recounted.exit_code != 0
    assert f"round {round_id} (coop/" in recounted.output
    assert "case.ballots.no: stored 2, now 0" in recounted.output


def test_a_changed_audit_entry_is_named_as_the_first_broken_link(
        app: Flask, coop: tuple[Organisation, list[int]], clock: Clock,
        runner: FlaskCliRunner) -> None:
    closed_majority_round(app, coop, clock)
    with db.engine_of(app).begin() as connection:
        connection.execute(text("UPDATE audit_entry SET data = :d WHERE seq IN (3, 5)"),
                           {"d": '{"round":1}'})
    result = runner.invoke(cli, ["audit", "verify"])
    assert result.exit_code != 0
    assert "organisation coop, entry 3: its content was changed" in result.output
    assert "entry 5" not in result.output


def test_a_removed_entry_breaks_the_chain_there(
        app: Flask, coop: tuple[Organisation, list[int]], clock: Clock,
        runner: FlaskCliRunner) -> None:
    closed_majority_round(app, coop, clock)
    with db.engine_of(app).begin() as connection:
        connection.execute(text("DELETE FROM audit_entry WHERE seq = 4"))
    result = runner.invoke(cli, ["audit", "verify"])
    assert result.exit_code != 0
    assert "organisation coop, entry 5: entry 4 is missing" in result.output


def test_two_concurrent_appends_to_one_organisation_keep_a_valid_chain(
        app: Flask, coop: tuple[Organisation, list[int]], clock: Clock) -> None:
    organisation, _ = coop
    sessions = app.extensions["decisions.db"]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def append(name: str) -> None:
        try:
            start.wait()
            for i in range(8):
                with sessions() as session, session.begin():
                    audit.record(session, organisation.id, "test", {"by": name, "i": i},
                                 at=clock())
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=append, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    chain = entries(app, organisation.id)
    assert [seq for seq, _, _ in chain] == list(range(1, 17))
    assert sorted((d["by"], d["i"]) for _, _, d in chain) == sorted(
        (n, i) for n in "ab" for i in range(8))
    with app.app_context():
        assert audit.verify_chain(db.session(), organisation.id) is None


def test_members_read_the_log_newest_first_without_secret_ballots(
        app: Flask, coop: tuple[Organisation, list[int]], clock: Clock, client: Any,
        auth: Any) -> None:
    organisation, members = coop
    secret = proposal_of(app, organisation, members[0], "majority",
                         {"preset": "association_default"}, clock, secret=True)
    round_id = open_round(app, secret, RoundKind.VOTE, clock)
    vote(app, round_id, members[1], "no", clock)
    with db.engine_of(app).begin() as connection:  # even an entry that says too much
        connection.execute(text("UPDATE audit_entry SET data = :d WHERE kind = 'ballot_cast'"),
                           {"d": json.dumps({"round": round_id, "ballots": 1,
                                             "member": members[1], "position": "no"})})
    auth.login("m0@example.org")
    page = client.get("/orgs/coop/audit").get_data(as_text=True)
    assert "Audit log" in page
    assert page.index("Ballot cast") < page.index("Round opened")
    assert "Ballots: 1" in page
    assert "position" not in page.lower()
    assert "Member:" not in page
    assert "<td>m1</td>" not in page  # nor who cast it


def test_the_members_of_a_test_world_join_through_the_services_and_the_chain_holds(
        app: Flask, make_org: Callable[..., Organisation],
        make_member: Callable[..., Membership], clock: Clock) -> None:
    """``make_member`` invites and lets the person accept, and has an admin set a weight other
    than 1, as people join: the audit chain of a test world verifies, rounds and all."""
    organisation = make_org("coop", admin="ana@example.org",
                            colleges={"workers": 50, "users": 30, "partners": 20})
    weighted = make_member(organisation, "bo@example.org", role="facilitator",
                           college="users", vote_weight=3)
    members = [weighted.id] + [make_member(organisation, f"m{i}@example.org",
                                           college=("workers", "partners")[i % 2]).id
                               for i in range(5)]
    assert [(kind, data["member"], data["vote_weight"], data["college"])
            for _, kind, data in entries(app, organisation.id)] == [
        ("membership_changed", weighted.id, 3, "users")]
    closed_majority_round(app, (organisation, members), clock)
    with app.app_context():
        session = db.session()
        invitations = list(session.scalars(select(Invitation).order_by(Invitation.id)))
        joined = list(session.scalars(select(Membership).where(
            Membership.organisation_id == organisation.id, Membership.role != Role.ADMIN)
            .order_by(Membership.id)))
        _, _, problems = audit.verify(session, clock())
        kept = [(m.role, m.vote_weight, m.college.name if m.college else None) for m in joined]
    assert problems == []
    assert [i.used_at for i in invitations] == [m.joined_at for m in joined]
    assert kept == [
        (Role.FACILITATOR, 3, "users"),
        *[(Role.MEMBER, 1, ("workers", "partners")[i % 2]) for i in range(5)]]
