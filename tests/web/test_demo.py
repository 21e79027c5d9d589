"""The demo: a new user finds every decision family at work, with the outcomes it tells.

The demo is seeded once for the module; what a test writes is rolled back after it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from decisions.engine import evaluate, load_case
from decisions.web import db, notice_mail
from decisions.web.cli import cli
from decisions.web.db import Base
from decisions.web.families import DESCRIPTORS
from decisions.web.models import (
    Assembly,
    Ballot,
    College,
    Membership,
    Notice,
    Proposal,
    Round,
    User,
)
from decisions.web.services import email_convocation, minutes, notices

from .conftest import Clock, built_once, empty_every_table
from .smtp import smtp_server, smtp_settings


@pytest.fixture(scope="module")
def demo(shared_app: Flask, tmp_path_factory: pytest.TempPathFactory,
         ) -> Iterator[dict[str, Proposal]]:
    """The demo seeded through its command, once; its proposals by family."""
    with built_once(shared_app, tmp_path_factory.mktemp("demo")) as app:
        result = app.test_cli_runner().invoke(cli, ["demo", "--if-empty"])
        assert result.exit_code == 0, result.output
        with app.app_context():
            session = db.session()
            # In order of creation: the last of each family is the one the tests read (the
            # general assembly's resolutions come before the vote by colleges).
            found = {p.family: p
                     for p in session.scalars(select(Proposal).order_by(Proposal.id))}
            for proposal in found.values():  # load what the tests read, then leave it
                _ = [proposal.versions, proposal.organisation, proposal.circle,
                     *[(r.candidate, r.result_json) for r in proposal.rounds]]
        yield found


@pytest.fixture
def app(rolled_back_app: Flask, demo: dict[str, Proposal]) -> Flask:
    """The application on the demo, as new; what the test writes is rolled back."""
    return rolled_back_app


@pytest.fixture
def empty(app: Flask) -> Flask:
    """The application on an empty database (emptied in the test's transaction)."""
    empty_every_table(db.engine_of(app))
    return app


def result_of(round_: Round) -> dict[str, Any]:
    assert round_.result_json is not None
    result: dict[str, Any] = json.loads(round_.result_json)
    return result


def email_of(app: Flask, membership_id: int | None) -> str:
    with app.app_context():
        return db.session().get_one(Membership, membership_id).user.email


def test_the_demo_prints_the_logins(empty: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(cli, ["demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "camille@demo.coop" in result.output
    assert "demo-password" in result.output
    assert len([line for line in result.output.splitlines() if "@demo.coop" in line]) == 12


def test_the_demo_has_a_proposal_of_every_family(demo: dict[str, Proposal]) -> None:
    assert sorted(demo) == sorted(DESCRIPTORS)
    assert all(p.organisation.slug == "reseau-demo" for p in demo.values())


def test_the_consent_proposal_is_open_for_five_more_days_with_some_answers(
        app: Flask, demo: dict[str, Proposal], clock: Clock) -> None:
    proposal = demo["consent"]
    [round_] = proposal.rounds
    assert proposal.status.value == "open"
    assert round_.status.value == "open"
    assert round_.opens_at < clock()
    assert round_.closes_at == clock() + timedelta(days=5)
    with app.app_context():
        session = db.session()
        voted = session.scalar(select(func.count(func.distinct(Ballot.membership_id)))
                               .where(Ballot.round_id == round_.id))
        members = session.scalar(select(func.count()).select_from(Membership))
    assert voted is not None
    assert members is not None
    assert 0 < voted < members
    assert "**" in proposal.current_version.body  # Markdown


def test_the_sociocratic_proposal_integrated_an_objection_into_a_new_version(
        demo: dict[str, Proposal], clock: Clock) -> None:
    proposal = demo["sociocratic_consent"]
    first, second = proposal.rounds
    assert (first.outcome, second.outcome) == ("needs_integration", "adopted")
    assert (first.version_number, second.version_number) == (1, 2)
    assert result_of(first)["rounds"][0]["objections"]
    assert [v.number for v in proposal.versions] == [1, 2]
    assert proposal.versions[1].summary.startswith("L'objection")
    assert first.closes_at < proposal.versions[1].created_at < second.opens_at
    assert (proposal.status.value, proposal.outcome) == ("decided", "adopted")
    assert proposal.outcome_statement
    assert proposal.review_date is not None
    assert proposal.review_date > clock().date()
    assert proposal.circle is not None
    assert proposal.circle.name == "Cercle livraison à vélo"


def test_the_general_assembly_was_decided_college_by_college(
        demo: dict[str, Proposal]) -> None:
    proposal = demo["scic_college"]
    [vote] = proposal.rounds
    result = result_of(vote)
    assert json.loads(proposal.params)["preset"] == "scic_sa_ago"
    assert result["outcome"] == "adopted"
    assert sorted(result["colleges"]) == ["Partenaires", "Salariés", "Usagers"]
    assert all(college["present"] > 0 for college in result["colleges"].values())
    assert proposal.outcome == "adopted"


def test_a_vote_without_quorum_on_first_convocation_was_adopted_on_the_second(
        demo: dict[str, Proposal]) -> None:
    proposal = demo["majority"]
    first, second = proposal.rounds
    assert [(r.convocation, r.outcome) for r in proposal.rounds] == [
        ("first", "no_quorum"), ("second", "adopted")]
    assert result_of(first)["quorum_met"] is False
    assert first.closes_at < second.opens_at
    assert (proposal.status.value, proposal.outcome) == ("decided", "adopted")


def test_the_election_elected_the_consented_candidate(
        app: Flask, demo: dict[str, Proposal]) -> None:
    proposal = demo["sociocratic_election"]
    nominations, consent = proposal.rounds
    assert (nominations.kind.value, consent.kind.value) == ("nomination", "consent")
    result = result_of(consent)
    assert result["outcome"] == "adopted"
    assert result["elected"] == str(consent.candidate_id)
    assert email_of(app, consent.candidate_id) == "lea@demo.coop"
    assert result["nomination_counts"][str(consent.candidate_id)] == 2
    assert (proposal.status.value, proposal.outcome) == ("decided", "adopted")


def test_every_closed_round_closed_at_its_past_deadline_and_recounts_the_same(
        demo: dict[str, Proposal], clock: Clock) -> None:
    closed = [r for p in demo.values() for r in p.rounds if r.status.value == "closed"]
    assert len(closed) == 7
    for round_ in closed:
        assert round_.closed_at == round_.closes_at < clock()
        if round_.case_json is not None:
            assert evaluate(load_case(json.loads(round_.case_json))).to_json() == \
                result_of(round_)


def test_the_annual_general_assembly_had_no_quorum_then_decided_on_second_convocation(
        app: Flask, clock: Clock) -> None:
    with app.app_context():
        session = db.session()
        first, second = session.scalars(select(Assembly).order_by(Assembly.id)).all()
        assert (first.status.value, first.convocation) == ("no_quorum", "first")
        assert (second.status.value, second.convocation) == ("closed", "second")
        assert second.first_sitting_id == first.id
        outcomes = []
        for item in second.items:
            assert item.round is not None
            assert item.round.convocation == "second"
            result = json.loads(item.round.result_json or "{}")
            assert evaluate(load_case(json.loads(item.round.case_json or "{}"))).to_json() == \
                result
            outcomes.append(result["outcome"])
        assert outcomes == ["adopted", "adopted", "adopted"]
        dues_round = second.items[1].round
        assert dues_round is not None
        dues = json.loads(dues_round.result_json or "{}")
        assert dues["colleges"]["Partenaires"]["yes_share"] == "0/1"  # not in that college
        assert dues["attendance"]["represented"] == 2  # Malik's carried over, and Jules's
        assert dues["attendance"]["postal"] == 1  # Awa's, received for the first sitting
        written = minutes.minutes(session, second, clock())
        assert written.audit_head is not None
        assert [r.outcome for r in written.resolutions] == outcomes
        # Convened by e-mail where the member agreed to it, else by post (C. com. R225-63).
        for sitting in (first, second):
            people = email_convocation.convened(session, sitting)
            assert {p.name for p in people if not p.by_email} == {"Awa Diallo", "Malik Benali"}
            assert len([p for p in people if p.by_email]) == 10
        assert written.channels == email_convocation.Channels(by_email=10, by_post=2)


def row_counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        session = db.session()
        return {table.name: session.scalar(select(func.count()).select_from(table)) or 0
                for table in Base.metadata.sorted_tables}


def test_the_demo_twice_with_if_empty_adds_nothing(
        app: Flask, runner: FlaskCliRunner, demo: dict[str, Proposal]) -> None:
    before = row_counts(app)
    result = runner.invoke(cli, ["demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "no demo added" in result.output
    assert row_counts(app) == before
    assert before["proposal"] == 5 + 3  # the general assembly's three resolutions
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(User)) == 12


def test_the_demo_network_is_french_as_its_members_read_it(
        app: Flask, demo: dict[str, Proposal]) -> None:
    """Issue 9: the colleges of the French network were named in English. Its members read
    French, except one who reads English (the README names both logins)."""
    with app.app_context():
        session = db.session()
        names = set(session.scalars(select(College.name)))
        languages = {u.email: u.language for u in session.scalars(select(User))}
    assert names == {"Salariés", "Usagers", "Partenaires"}
    assert {e for e, language in languages.items() if language != "fr"} == {"tom@demo.coop"}
    assert languages["tom@demo.coop"] == "en"
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    assert "`camille@demo.coop` / `demo-password`" in readme
    assert "`tom@demo.coop`" in readme
    assert "in French" in readme


# Its outbox ---------------------------------------------------------------------------


def demo_notices(app: Flask) -> list[Notice]:
    with app.app_context():
        return list(db.session().scalars(select(Notice).order_by(Notice.id)))


def test_the_mail_of_the_demos_past_went_out_at_its_time_and_none_is_given_up(
        app: Flask, demo: dict[str, Proposal], clock: Clock) -> None:
    """Left pending, the messages of events weeks old went out at once when the demo
    started, and the openings of its closed rounds were given up as no longer true."""
    consent_round = demo["consent"].rounds[0].id
    before = demo_notices(app)
    delivered = [n for n in before if n.delivery == "sent"]
    assert {n.kind for n in delivered} >= {"round_opened", "objection", "new_version",
                                           "outcome", "convocation"}
    assert all(n.sent_at == n.created_at < clock() for n in delivered)
    assert not any("link" in json.loads(n.payload) for n in delivered)  # secrets erased
    waiting = [n for n in before if n.delivery == "pending"]
    assert {(n.kind, n.round_id) for n in waiting} == {("round_opened", consent_round)}
    assert len(waiting) == 12  # every member is an elector of the charter's consent round
    report = notice_mail.send_due(app)
    assert (report.sent, report.retried, report.failed) == (12, 0, 0)
    after = demo_notices(app)
    assert {n.delivery for n in after} == {"sent", "in_app"}
    # Only the convocations of the members who did not agree to be convened by e-mail
    # (R225-63) stay in the application: they are convened by letter.
    assert {n.kind for n in after if n.delivery == "in_app"} == {"convocation"}
    with app.app_context():
        assert notices.told_by_mail(db.session(), consent_round) == 12


def test_the_demos_open_round_is_told_through_a_real_smtp_server_in_each_members_language(
        app: Flask, demo: dict[str, Proposal]) -> None:
    with smtp_server() as server:
        app.config.update(smtp_settings(server.port))
        report = notice_mail.send_due(app)
    assert (report.sent, report.failed) == (12, 0)
    subjects = {str(message["To"]): str(message["Subject"]) for message in server.received}
    assert len(subjects) == 12
    assert all(address.endswith("@demo.coop") for address in subjects)
    title = "Adopter la charte commune des livreuses et livreurs"
    assert subjects["tom@demo.coop"] == (
        f"[Réseau des plateformes en communs] Your answer is awaited: {title}")
    assert subjects["camille@demo.coop"] == (
        f"[Réseau des plateformes en communs] Votre réponse est attendue : {title}")


def test_the_demos_mail_is_printed_on_the_console_as_make_run_does_and_tells_nobody(
        app: Flask, demo: dict[str, Proposal], capsys: pytest.CaptureFixture[str]) -> None:
    app.config["MAIL_BACKEND"] = "console"
    report = notice_mail.send_due(app)
    assert (report.sent, report.printed, report.failed) == (0, 12, 0)
    assert capsys.readouterr().err.count("--- e-mail to ") == 12
    with app.app_context():
        assert notices.told_by_mail(db.session(), demo["consent"].rounds[0].id) == 0
