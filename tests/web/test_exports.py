"""A round's results as CSV: one row per voter when the proposal shows its reader who voted
what, per college and position otherwise, and nothing that links a secret ballot to anyone
(no name, no time; nothing at all before the close)."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from decisions.web import db
from decisions.web.models import (
    Organisation,
    Proposal,
    RoundKind,
    User,
    VotersVisibility,
)
from decisions.web.services import exports, proposals, rounds

from .demo_world import ADMIN, READS_ENGLISH, SLUG, signed_in
from .demo_world import app as app
from .demo_world import demo_ids as demo_ids

BALLOTS = {"camille": "yes", "hugo": "no", "ines": "yes", "tom": "abstain", "yann": "yes"}


def _rows(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def _download(client: FlaskClient, proposal: int, round_id: int) -> tuple[int, str]:
    response = client.get(f"/orgs/{SLUG}/proposals/{proposal}/rounds/{round_id}/results.csv")
    return response.status_code, response.get_data(as_text=True)


def _vote(app: Flask, *, secret: bool = False, hide: bool = False,
          visible: VotersVisibility = VotersVisibility.EVERYONE,
          close: bool = True) -> tuple[int, int]:
    """A vote of the demo's three colleges, with BALLOTS cast and maybe closed."""
    with app.app_context(), db.transaction() as session:
        organisation = session.scalars(select(Organisation)).one()
        members = {m.user.email.split("@")[0]: m for m in organisation.memberships}
        proposal = proposals.create_proposal(
            session, organisation, members["camille"], title="Budget 2027", body="Budget.",
            family="scic_college", params={"preset": "scic_sa_ago"}, now=db.utcnow(),
            secret=secret, hide_results=hide, voters_visible=visible)
        vote = rounds.open_round(session, proposal, RoundKind.VOTE, now=db.utcnow(),
                                 closes_at=db.utcnow() + timedelta(hours=2))
        for step, (who, position) in enumerate(BALLOTS.items(), start=1):
            rounds.cast_ballot(session, vote.id, members[who].id, position,
                               now=db.utcnow() + timedelta(minutes=step),
                               reason="=HYPERLINK(\"x\")" if who == "hugo" else "")
        if close:
            rounds.close_round(session, vote.id, now=db.utcnow() + timedelta(hours=2))
        return proposal.id, vote.id


def test_a_round_that_shows_its_voters_gives_one_row_per_voter(
        app: Flask, demo_ids: dict[str, int]) -> None:
    with app.app_context():
        assembly = db.session().get_one(Proposal, demo_ids["scic_college"])
        round_id = assembly.rounds[0].id
    status, text = _download(signed_in(app), demo_ids["scic_college"], round_id)
    assert status == 200
    rows = _rows(text)
    assert list(rows[0]) == list(exports.VOTER_COLUMNS)
    assert len(rows) == 10
    awa = next(r for r in rows if r["member"] == "Awa Diallo")
    assert (awa["college"], awa["position"]) == ("Partenaires", "no")
    assert awa["reason"] == "Les réserves devraient financer l'atelier."
    assert awa["cast_at"].endswith("+00:00")


def test_a_formula_in_a_reason_is_written_as_text(app: Flask, demo_ids: dict[str, int]) -> None:
    proposal, round_id = _vote(app)
    rows = _rows(_download(signed_in(app), proposal, round_id)[1])
    hugo = next(r for r in rows if r["member"] == "Hugo Bernard")
    assert hugo["reason"] == "'=HYPERLINK(\"x\")"


def test_a_round_that_hides_its_voters_gives_counts_by_college_and_position(
        app: Flask, demo_ids: dict[str, int]) -> None:
    proposal, round_id = _vote(app, visible=VotersVisibility.NOBODY)
    status, text = _download(signed_in(app, READS_ENGLISH), proposal, round_id)
    assert status == 200
    rows = _rows(text)
    assert list(rows[0]) == list(exports.COUNT_COLUMNS)
    with app.app_context():
        names = list(db.session().scalars(select(User.name)))
        result = json.loads(db.session().get_one(Proposal, proposal).rounds[0].result_json
                            or "{}")
    assert not any(name in text for name in names)
    for college, line in result["colleges"].items():
        for position in ("yes", "no", "abstain", "blank", "invalid"):
            [row] = [r for r in rows if (r["college"], r["position"]) == (college, position)]
            assert int(row["count"]) == line[position]


def test_a_secret_ballot_exports_nothing_before_its_close_then_counts_only(
        app: Flask, demo_ids: dict[str, int]) -> None:
    proposal, round_id = _vote(app, secret=True, close=False)
    client = signed_in(app)
    assert _download(client, proposal, round_id)[0] == 403
    with app.app_context(), db.transaction() as session:
        rounds.close_round(session, round_id, now=db.utcnow() + timedelta(hours=2))
    status, text = _download(client, proposal, round_id)
    assert status == 200
    rows = _rows(text)
    assert list(rows[0]) == list(exports.COUNT_COLUMNS)
    with app.app_context():
        names = list(db.session().scalars(select(User.name)))
    assert not any(name in text for name in names)
    assert "2026" not in text  # no time of any ballot
    totals: dict[str, int] = {}
    for row in rows:
        totals[row["position"]] = totals.get(row["position"], 0) + int(row["count"])
    assert {p: n for p, n in totals.items() if n} == {"yes": 3, "no": 1, "abstain": 1}


def test_counts_hidden_until_the_close_are_not_exported_before_it(
        app: Flask, demo_ids: dict[str, int]) -> None:
    proposal, round_id = _vote(app, hide=True, close=False)
    assert _download(signed_in(app), proposal, round_id)[0] == 403
    with app.app_context():
        page = signed_in(app).get(
            f"/orgs/{SLUG}/proposals/{proposal}/rounds/{round_id}/results")
    assert "results.csv" not in page.get_data(as_text=True)


def test_the_results_page_links_its_csv(app: Flask, demo_ids: dict[str, int]) -> None:
    proposal, round_id = _vote(app)
    page = signed_in(app, ADMIN).get(
        f"/orgs/{SLUG}/proposals/{proposal}/rounds/{round_id}/results").get_data(as_text=True)
    assert f"/rounds/{round_id}/results.csv" in page
