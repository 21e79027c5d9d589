"""Deadlines beyond a sane horizon are refused next to their field, and a round page never
fails whatever deadline is stored (issue 9)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import update

from decisions.web import db
from decisions.web.models import Organisation, Proposal, Round

from .conftest import Clock, module_world
from .round_pages import Browsers, MakeMember, MakeOrg, draft, stored_round

FACILITATOR = "fa@example.org"


@module_world
def coop(make_org: MakeOrg, make_member: MakeMember) -> Organisation:
    organisation = make_org("coop", admin="admin@example.org", is_scic=False)
    make_member(organisation, FACILITATOR, role="facilitator")
    make_member(organisation, "ana@example.org")
    return organisation


@pytest.fixture
def app(rolled_back_app: Flask) -> Flask:
    """The application on the module's world, built once: what a test writes is rolled
    back after it."""
    return rolled_back_app


@pytest.fixture
def browsers(app: Flask, coop: Organisation) -> Browsers:
    return Browsers(app, "coop")


@pytest.mark.parametrize("deadline", ["9999-12-31T23:59", "2028-03-03T10:00"])
def test_a_deadline_beyond_the_horizon_is_refused_next_to_its_field(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock,
        deadline: str) -> None:
    proposal = draft(app, coop, FACILITATOR, "majority", {"preset": "association_default"},
                     clock)
    response = browsers.of(FACILITATOR).post(f"{browsers.base(proposal)}/open",
                                             data={"kind": "vote", "closes_at": deadline})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    errors = page.split('id="closes_at-errors"')[1].split("</ul>")[0]
    assert "The deadline cannot be more than 730 days away." in errors
    with app.app_context():
        assert db.session().get_one(Proposal, proposal).rounds == []


def test_the_horizon_is_configurable_and_the_last_day_within_it_is_accepted(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    app.config["DEADLINE_HORIZON_DAYS"] = 30
    proposal = draft(app, coop, FACILITATOR, "majority", {"preset": "association_default"},
                     clock)
    refused = browsers.of(FACILITATOR).post(f"{browsers.base(proposal)}/open",
                                            data={"kind": "vote",
                                                  "closes_at": "2026-04-02T10:00"})
    assert "The deadline cannot be more than 30 days away." in refused.get_data(as_text=True)
    round_id = browsers.open(FACILITATOR, proposal, "vote", deadline="2026-04-01T10:00")
    assert stored_round(app, round_id).closes_at == datetime(2026, 4, 1, 8, 0, tzinfo=UTC)


def test_an_extension_beyond_the_horizon_is_refused_next_to_its_field(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    proposal = draft(app, coop, FACILITATOR, "majority", {"preset": "association_default"},
                     clock)
    round_id = browsers.open(FACILITATOR, proposal, "vote")
    response = browsers.post(FACILITATOR, proposal, round_id, "extend",
                             closes_at="9999-12-31T23:59")
    assert response.status_code == 200
    errors = response.get_data(as_text=True).split('id="closes_at-errors"')[1]
    assert "The deadline cannot be more than 730 days away." in errors.split("</ul>")[0]
    assert stored_round(app, round_id).closes_at == datetime(2026, 3, 9, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("email", [FACILITATOR, "ana@example.org"])
def test_a_round_page_shows_whatever_deadline_is_stored(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock, email: str) -> None:
    proposal = draft(app, coop, FACILITATOR, "majority", {"preset": "association_default"},
                     clock)
    round_id = browsers.open(FACILITATOR, proposal, "vote")
    with app.app_context(), db.transaction() as session:
        session.execute(update(Round).where(Round.id == round_id).values(
            closes_at=datetime(9999, 12, 31, 23, 59, tzinfo=UTC)))
    page = browsers.page(email, proposal, round_id)
    assert "9999" in page
