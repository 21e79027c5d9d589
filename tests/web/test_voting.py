"""Voting through the round page: the server's clock decides, one second before the deadline
counts and the deadline itself is too late; positions can change while the round is open,
the history is kept and the latest counts; a refused ballot stores nothing."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from decisions.web import db
from decisions.web.models import Ballot, ElectorateScope, Organisation

from .conftest import Clock, module_world
from .round_pages import Browsers, MakeMember, MakeOrg, draft, member_id, stored_round

FACILITATOR = "fa@example.org"


@module_world
def coop(make_org: MakeOrg, make_member: MakeMember) -> Organisation:
    organisation = make_org("coop", admin="admin@example.org", is_scic=False)
    make_member(organisation, FACILITATOR, role="facilitator")
    for email in ("ana@example.org", "bo@example.org", "cy@example.org"):
        make_member(organisation, email)
    return organisation


@pytest.fixture
def app(rolled_back_app: Flask) -> Flask:
    """The application on the module's world, built once: what a test writes is rolled
    back after it."""
    return rolled_back_app


@pytest.fixture
def browsers(app: Flask, coop: Organisation) -> Browsers:
    return Browsers(app, "coop")


def ballots(app: Flask, email: str | None = None) -> list[tuple[str, str]]:
    """Every ballot stored, oldest first: (position, reason)."""
    with app.app_context():
        query = select(Ballot.position, Ballot.reason).order_by(Ballot.id)
        if email is not None:
            query = query.where(Ballot.membership_id == member_id(app, email))
        return [(position, reason) for position, reason in db.session().execute(query)]


def test_a_ballot_one_second_before_the_deadline_counts_and_one_at_the_deadline_is_refused(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    proposal = draft(app, coop, FACILITATOR, "majority", {"preset": "association_default"},
                     clock)
    round_id = browsers.open(FACILITATOR, proposal, "vote")  # 2026-03-09 10:00 Paris
    assert stored_round(app, round_id).closes_at == clock.advance(days=7)
    clock.advance(seconds=-1)
    on_time = browsers.vote("ana@example.org", proposal, round_id, "yes")
    assert on_time.status_code == 302
    page = browsers.page("ana@example.org", proposal, round_id)
    assert "Time left: less than a minute" in page
    clock.advance(seconds=1)
    late = browsers.vote("bo@example.org", proposal, round_id, "no")
    assert late.status_code == 200
    text = late.get_data(as_text=True)
    assert 'role="alert"' in text
    assert "This round is closed: its deadline has passed." in text
    assert "Nothing was recorded." in text
    assert f'action="/orgs/coop/proposals/{proposal}/rounds/{round_id}/vote"' not in text
    assert ballots(app) == [("yes", "")]
    closing = browsers.page("bo@example.org", proposal, round_id)
    assert "This round is closed: its deadline has passed." in closing
    results = browsers.page("bo@example.org", proposal, round_id, "/results")
    assert "1 of 5 took part" in results


def test_a_member_changes_their_position_the_history_is_kept_and_the_latest_counts(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    proposal = draft(app, coop, FACILITATOR, "majority", {"preset": "association_default"},
                     clock)
    round_id = browsers.open(FACILITATOR, proposal, "vote")
    assert browsers.vote("ana@example.org", proposal, round_id, "yes").status_code == 302
    clock.advance(hours=2)
    assert browsers.vote("ana@example.org", proposal, round_id, "abstain").status_code == 302
    clock.advance(hours=2)
    assert browsers.vote("ana@example.org", proposal, round_id, "no").status_code == 302
    assert [p for p, _ in ballots(app, "ana@example.org")] == ["yes", "abstain", "no"]
    page = browsers.page("ana@example.org", proposal, round_id)
    assert "Your current position: <strong>No</strong>" in " ".join(page.split())
    assert "Your earlier positions in this round (they no longer count)" in page
    assert "Change my position" in page
    results = browsers.page("bo@example.org", proposal, round_id, "/results")
    rows = results[results.index("<tbody>"):results.index("</tbody>")]
    assert '>Yes</td><td data-label="Count">0<' in rows
    assert ">No</td><td data-label=\"Count\">1<" in rows


@pytest.mark.parametrize(("data", "field", "message"), [
    ({}, "position", "Choose a position."),
    ({"position": "maybe"}, "position", "Choose a position."),
    ({"position": "object"}, "position", "Choose a position."),
    ({"position": "no"}, "reason", "Please give a reason for this position."),
])
def test_a_bad_ballot_is_refused_next_to_its_field_and_nothing_is_stored(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock,
        data: dict[str, str], field: str, message: str) -> None:
    proposal = draft(app, coop, FACILITATOR, "majority", {"preset": "association_default"},
                     clock, reason_required=("no",))
    round_id = browsers.open(FACILITATOR, proposal, "vote")
    response = browsers.of("ana@example.org").post(
        f"{browsers.base(proposal)}/{round_id}/vote", data=data)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    errors = text[text.index(f'id="{field}-errors"'):]
    assert message in errors[:300]
    assert ballots(app) == []
    assert "A reason is required for: No." in text


def test_a_reason_required_by_the_proposal_is_stored_with_the_position(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    proposal = draft(app, coop, FACILITATOR, "majority", {"preset": "association_default"},
                     clock, reason_required=("no",))
    round_id = browsers.open(FACILITATOR, proposal, "vote")
    browsers.vote("ana@example.org", proposal, round_id, "no", reason="  Not now  ")
    assert ballots(app) == [("no", "Not now")]


def test_a_member_outside_the_electorate_sees_the_round_but_cannot_vote(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock,
        make_member: MakeMember) -> None:
    proposal = draft(app, coop, FACILITATOR, "majority", {"preset": "association_default"},
                     clock, scope=ElectorateScope.LIST,
                     electors=[member_id(app, "ana@example.org")])
    round_id = browsers.open(FACILITATOR, proposal, "vote")
    page = browsers.page("bo@example.org", proposal, round_id)
    assert "You are not in the electorate of this round." in page
    assert 'name="position"' not in page
    refused = browsers.vote("bo@example.org", proposal, round_id, "yes")
    assert "You are not in the electorate of this round." in refused.get_data(as_text=True)
    make_member(coop, "late@example.org")
    late = browsers.vote("late@example.org", proposal, round_id, "yes")
    assert "You are not in the electorate of this round." in late.get_data(as_text=True)
    assert ballots(app) == []


def test_a_consent_with_a_concern_keeps_the_concern_and_other_positions_do_not(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    proposal = draft(app, coop, FACILITATOR, "consent", {"preset": "consent_async"}, clock)
    round_id = browsers.open(FACILITATOR, proposal, "consent")
    browsers.vote("ana@example.org", proposal, round_id, "consent", concern="Parking")
    browsers.vote("bo@example.org", proposal, round_id, "abstain", concern="Ignored")
    with app.app_context():
        concerns = db.session().scalars(select(Ballot.concern).order_by(Ballot.id)).all()
    assert concerns == ["Parking", ""]


def test_comments_are_only_taken_in_comment_rounds_and_votes_only_in_position_rounds(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    proposal = draft(app, coop, FACILITATOR, "sociocratic_consent",
                     {"preset": "sociocratic_consent"}, clock)
    questions = browsers.open(FACILITATOR, proposal, "clarifying")
    assert browsers.vote("ana@example.org", proposal, questions, "consent").status_code == 404
    page = browsers.page("ana@example.org", proposal, questions)
    assert 'name="body"' in page
    assert 'name="position"' not in page
    clock.advance(days=8)
    closed = browsers.page("ana@example.org", proposal, questions)
    assert 'name="body"' not in closed
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(Ballot)) == 0


def test_an_objection_without_a_reason_is_taken_by_the_vote_form_when_the_rule_allows_it(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    """``objection_requires_reason: false`` (issue 9): the round page asks no reason and
    its form stores the objection as it came; the default rule still refuses one."""
    free = draft(app, coop, FACILITATOR, "consent", {"objection_requires_reason": False},
                 clock)
    round_id = browsers.open(FACILITATOR, free, "consent")
    page = browsers.page("ana@example.org", free, round_id)
    assert "A reason is required for" not in page
    assert browsers.vote("ana@example.org", free, round_id, "object").status_code == 302
    assert ballots(app) == [("object", "")]
    strict = draft(app, coop, FACILITATOR, "consent", {}, clock)
    round_id = browsers.open(FACILITATOR, strict, "consent")
    refused = browsers.vote("bo@example.org", strict, round_id, "object")
    assert "Please give a reason for this position." in refused.get_data(as_text=True)
    assert ballots(app, "bo@example.org") == []
