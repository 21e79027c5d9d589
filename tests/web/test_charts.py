"""Charts of a round, drawn as SVG on the server: the figures they say are the engine's (the
test reads the SVG's text), each has a text alternative, they follow the reader's language,
and no chart ever shows how a secret ballot evolved.

The demo (decisions/web/demo.py) is seeded once for the module: its general assembly is a
vote of three colleges, its charter an open consent round."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from fractions import Fraction
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import select

from decisions.engine import evaluate
from decisions.engine.results import CollegeResult
from decisions.web import charts, db, round_cases
from decisions.web.models import Membership, Organisation, Proposal, Round, RoundKind
from decisions.web.orgs.views import percent
from decisions.web.services import charts as chart_service
from decisions.web.services import proposals, results, rounds

from .demo_world import ADMIN, SLUG, signed_in
from .demo_world import app as app
from .demo_world import demo_ids as demo_ids

SVG = "{http://www.w3.org/2000/svg}"


def _round(family: str, ids: dict[str, int], number: int = -1) -> Round:
    proposal = db.session().get_one(Proposal, ids[family])
    return proposal.rounds[number]


def _reader(round_: Round, email: str = ADMIN) -> Membership:
    return next(m for m in round_.proposal.organisation.memberships if m.user.email == email)


def _figures(round_: Round) -> chart_service.RoundFigures:
    found = results.round_results(db.session(), round_, _reader(round_), db.utcnow())
    return chart_service.round_figures(db.session(), round_, found, db.utcnow())


def _svg(round_: Round, kind: str, language: str = "en") -> ET.Element:
    [drawn] = charts.svg_in(_figures(round_), language, kind=kind)
    assert drawn.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(drawn)  # noqa: S314 - our own output


def _texts(svg: ET.Element) -> list[str]:
    return [t.text or "" for t in svg.iter(f"{SVG}text")]


def test_the_chart_of_a_three_college_vote_says_the_engines_figures(
        app: Flask, demo_ids: dict[str, int]) -> None:
    with app.test_request_context(), force_locale("en"):
        vote = _round("scic_college", demo_ids)
        result: dict[str, Any] = json.loads(vote.result_json or "{}")
        texts = " | ".join(_texts(_svg(vote, "colleges")))
    assert len(result["colleges"]) == 3
    with app.test_request_context(), force_locale("en"):
        for name, college in result["colleges"].items():
            heading = (f"{name}: {percent(Fraction(college['weight_effective']))} of the votes, "
                       f"{percent(Fraction(college['yes_share']))} for")
            assert heading in texts
            assert (f"Yes {college['yes']}, No {college['no']}, "
                    f"Abstention {college['abstain']}") in texts
            part = Fraction(college["weight_effective"]) * Fraction(college["yes_share"])
            assert f"{name} {percent(part)}" in texts
        share = percent(Fraction(result["weighted_yes_share"]))
        assert f"Weighted share for: {share}" in texts
        decision = next(s for s in result["explanation"] if s["code"] == "decision")
        assert f"Needed: more than {percent(Fraction(decision['required']))}" in texts
    assert share == "80%"


def test_the_colleges_parts_add_up_to_the_engines_weighted_share_while_the_vote_is_open(
        app: Flask, demo_ids: dict[str, int]) -> None:
    with app.app_context():
        session = db.session()
        assembly = session.get_one(Proposal, demo_ids["scic_college"])
        organisation = assembly.organisation
        author = _reader(assembly.rounds[0])
        proposal = proposals.create_proposal(
            session, organisation, author, title="Budget 2027", body="Le budget.",
            family="scic_college", params={"preset": "scic_sa_ago"}, now=db.utcnow())
        vote = rounds.open_round(session, proposal, RoundKind.VOTE, now=db.utcnow(),
                                 closes_at=db.utcnow() + timedelta(days=3))
        members = {m.user.email.split("@")[0]: m for m in organisation.memberships}
        for who, position in {"camille": "yes", "hugo": "no", "ines": "yes", "tom": "no",
                              "yann": "yes", "awa": "abstain"}.items():
            rounds.cast_ballot(session, vote.id, members[who].id, position,
                               now=db.utcnow() + timedelta(minutes=1))
        session.flush()
        figures = _figures(vote)
        live = evaluate(round_cases.round_case(session, vote, db.utcnow(),
                                               tally=round_cases.live_tally(session, vote.id)))
    assert figures.colleges is not None
    assert isinstance(live, CollegeResult)
    assert figures.colleges.weighted_share == live.weighted_yes_share
    assert figures.colleges.threshold == Fraction(1, 2)


def test_each_chart_has_a_text_alternative_that_says_its_figures(
        app: Flask, demo_ids: dict[str, int]) -> None:
    client = signed_in(app)
    with app.app_context():
        vote = _round("scic_college", demo_ids)
        path = f"/orgs/{SLUG}/proposals/{vote.proposal_id}/rounds/{vote.id}/results"
    page = client.get(path).get_data(as_text=True)
    svgs = re.findall(r"<svg[^>]*>.*?</svg>", page, re.S)
    kinds = re.findall(r'class="chart chart-(\w+)"', page)
    assert sorted(kinds) == ["colleges", "evolution", "participation", "positions"]
    for svg in svgs:
        labelled = re.search(r'aria-labelledby="([^"]+)"', svg)
        assert labelled is not None
        assert 'role="img"' in svg
        for name in labelled.group(1).split():
            said = re.search(rf'id="{name}">([^<]+)<', svg)
            assert said is not None, name
            assert said.group(1).strip()
    assert "10 sur 12 ont participé (83,33\xa0%)." in page  # in the desc, in French
    assert "Part pondérée pour : 80\xa0%" in page


def test_the_evolution_follows_each_members_latest_ballot(
        app: Flask, demo_ids: dict[str, int]) -> None:
    with app.app_context():
        charter = _round("consent", demo_ids)
        found = results.round_results(db.session(), charter, _reader(charter), db.utcnow())
        evolution = _figures(charter).evolution
    assert evolution is not None
    assert evolution.ballots == len(evolution.points) == 5
    assert evolution.points[-1].counts == found.counts
    assert [sum(p.counts.values()) for p in evolution.points] == [1, 2, 3, 4, 5]
    assert evolution.positions == ("consent", "abstain")


def test_a_secret_ballot_never_has_an_evolution_chart(
        app: Flask, demo_ids: dict[str, int]) -> None:
    with app.app_context():
        session = db.session()
        organisation = session.scalars(select(Organisation)).one()
        author = next(m for m in organisation.memberships if m.user.email == ADMIN)
        proposal = proposals.create_proposal(
            session, organisation, author, title="Secret", body="Secret.", family="majority",
            params={"preset": "association_default"}, now=db.utcnow(), secret=True)
        vote = rounds.open_round(session, proposal, RoundKind.VOTE, now=db.utcnow(),
                                 closes_at=db.utcnow() + timedelta(hours=1))
        for member in organisation.memberships[:4]:
            rounds.cast_ballot(session, vote.id, member.id, "yes",
                               now=db.utcnow() + timedelta(minutes=1))
        open_figures = _figures(vote)
        rounds.close_round(session, vote.id, now=db.utcnow() + timedelta(hours=1))
        closed_figures = _figures(vote)
    assert open_figures.evolution is None
    assert closed_figures.evolution is None
    assert closed_figures.positions is not None  # counts, which a secret ballot shows
    assert dict(closed_figures.positions.counts)["yes"] == 4


def test_counts_hidden_until_the_close_have_no_chart_but_participation(
        app: Flask, demo_ids: dict[str, int]) -> None:
    with app.app_context():
        session = db.session()
        organisation = session.scalars(select(Organisation)).one()
        author = next(m for m in organisation.memberships if m.user.email == ADMIN)
        proposal = proposals.create_proposal(
            session, organisation, author, title="Hidden", body="Hidden.", family="majority",
            params={"preset": "association_default"}, now=db.utcnow(), hide_results=True)
        vote = rounds.open_round(session, proposal, RoundKind.VOTE, now=db.utcnow(),
                                 closes_at=db.utcnow() + timedelta(hours=1))
        rounds.cast_ballot(session, vote.id, author.id, "yes",
                           now=db.utcnow() + timedelta(minutes=1))
        figures = _figures(vote)
    assert figures.positions is None
    assert figures.evolution is None
    assert figures.participation is not None
    assert figures.participation.responded == 1


def test_a_chart_file_is_svg_in_the_language_asked(
        app: Flask, demo_ids: dict[str, int]) -> None:
    with app.test_request_context():
        vote = _round("scic_college", demo_ids)
        french = _svg(vote, "participation", "fr")
        english = _svg(vote, "participation", "en")
    assert french.tag == f"{SVG}svg"
    assert french.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"
    assert "10 sur 12 ont participé (83,33\xa0%)." in _texts(french)
    assert "10 of 12 took part (83.33%)." in _texts(english)
    assert any(t.startswith("Quorum: 3 (20%), reached") for t in _texts(english))
    assert french.find(f"{SVG}title") is not None
    assert french.find(f"{SVG}desc") is not None


def test_a_round_of_too_many_ballots_to_replay_has_no_evolution(
        app: Flask, demo_ids: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chart_service, "MAX_REPLAYED", 4)  # the charter has 5 ballots
    with app.app_context():
        charter = _round("consent", demo_ids)
        figures = _figures(charter)
    assert figures.evolution is None
    assert figures.positions is not None
