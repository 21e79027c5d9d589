"""``decisions recount``: closed rounds evaluated again from their stored cases, and their
cases gathered again from the rows, must match what was stored."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select, text

from decisions.web import db
from decisions.web.cli import cli
from decisions.web.models import Membership, Organisation, Proposal, RoundKind

from .conftest import Clock, unit
from .round_steps import coop as coop
from .round_steps import open_round, proposal_of, vote
from .test_audit import closed_majority_round


def close(app: Flask, clock: Clock) -> None:
    from decisions.web.services import rounds

    clock.advance(days=7)
    with app.app_context():
        rounds.close_due(app.extensions["decisions.db"], clock())


def test_every_family_recounts_to_what_was_stored(
        app: Flask, coop: tuple[Organisation, list[int]], clock: Clock,
        runner: FlaskCliRunner) -> None:
    organisation, members = coop
    closed_majority_round(app, coop, clock)
    college = proposal_of(app, organisation, members[0], "scic_college",
                          {"preset": "scic_sa_ago"}, clock)
    college_round = open_round(app, college, RoundKind.VOTE, clock)
    for member in members:
        vote(app, college_round, member, "yes", clock)
    consent = proposal_of(app, organisation, members[0], "consent",
                          {"preset": "consent_async"}, clock)
    consent_round = open_round(app, consent, RoundKind.CONSENT, clock)
    vote(app, consent_round, members[1], "object", clock, reason="Too dear")
    vote(app, consent_round, members[2], "consent", clock)
    sociocratic = proposal_of(app, organisation, members[0], "sociocratic_consent",
                              {"preset": "sociocratic_consent"}, clock)
    first = open_round(app, sociocratic, RoundKind.CONSENT, clock)
    with app.app_context():
        everyone = list(db.session().scalars(select(Membership.id).where(
            Membership.organisation_id == organisation.id)))
    for member in everyone:
        vote(app, first, member, "object" if member == members[2] else "consent", clock,
             reason="Budget")
    close(app, clock)
    from decisions.web.services import proposals

    with unit(app) as session:
        proposals.amend(session, session.get_one(Proposal, sociocratic),
                        session.get_one(Membership, members[0]), title="One bike",
                        body="One.", summary="Halved", now=clock())
    second = open_round(app, sociocratic, RoundKind.CONSENT, clock)
    for member in everyone:
        vote(app, second, member, "consent", clock)
    close(app, clock)
    with unit(app) as session:  # written after the decision: not part of its case
        proposals.record_outcome(session, session.get_one(Proposal, sociocratic),
                                 statement="One bike.", review_date=date(2027, 3, 1),
                                 now=clock())
    result = runner.invoke(cli, ["recount", "--all"])
    assert result.exit_code == 0, result.output
    assert result.output == "5 closed rounds recounted: no difference.\n"
    single = runner.invoke(cli, ["recount", str(first)])
    assert single.exit_code == 0, single.output


def test_a_changed_stored_result_is_found(
        app: Flask, coop: tuple[Organisation, list[int]], clock: Clock,
        runner: FlaskCliRunner) -> None:
    round_id = closed_majority_round(app, coop, clock)
    with db.engine_of(app).begin() as connection:
        stored: Any = json.loads(connection.scalar(
            text("SELECT result_json FROM round WHERE id = :r"), {"r": round_id}))
        stored["outcome"] = "rejected" if stored["outcome"] != "rejected" else "adopted"
        connection.execute(text("UPDATE round SET result_json = :j WHERE id = :r"),
                           {"j": json.dumps(stored), "r": round_id})
    result = runner.invoke(cli, ["recount", str(round_id)])
    assert result.exit_code != 0
    assert f"round {round_id} (coop/" in result.output
    assert "result.outcome: stored" in result.output


def test_recount_needs_a_round_or_all(app: Flask, runner: FlaskCliRunner) -> None:
    assert runner.invoke(cli, ["recount"]).exit_code != 0
    missing = runner.invoke(cli, ["recount", "999"])
    assert missing.exit_code != 0
    assert "999" in missing.output
    assert runner.invoke(cli, ["recount", "--all"]).output == (
        "0 closed rounds recounted: no difference.\n")


def test_the_demo_verifies_and_recounts_without_difference(
        app: Flask, runner: FlaskCliRunner) -> None:
    assert runner.invoke(cli, ["demo"]).exit_code == 0
    verified = runner.invoke(cli, ["audit", "verify"])
    assert verified.exit_code == 0, verified.output
    recounted = runner.invoke(cli, ["recount", "--all"])
    assert recounted.exit_code == 0, recounted.output
    assert "no difference" in recounted.output
