"""A round's page shows who has not answered yet when the proposal shows who voted what,
what the engine would decide if the round closed now while its results are visible (never
for a secret ballot, never while the results are hidden), the time left counting down,
and lets a facilitator remind those who have not answered (a few times a day at most)."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from decisions.web import db
from decisions.web.models import Notice, NoticeKind, Organisation, Round, VotersVisibility

from .conftest import Clock
from .round_pages import FACILITATOR, Browsers, draft
from .round_pages import browsers as browsers
from .round_pages import coop as coop


def _section(page: str, heading_id: str) -> str:
    start = page.index(f'id="{heading_id}"')
    return page[start:page.index("</section>", start)]


def _vote(app: Flask, coop: Organisation, clock: Clock, **options: object) -> int:
    return draft(app, coop, FACILITATOR, "majority", {"preset": "association_default"}, clock,
                 **options)


def test_who_has_not_answered_is_listed_by_name_when_the_proposal_shows_voters(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    proposal = _vote(app, coop, clock)
    round_id = browsers.open(FACILITATOR, proposal, "vote")
    browsers.vote("ana@example.org", proposal, round_id, "yes")
    silent = _section(browsers.page("bo@example.org", proposal, round_id), "silent-title")
    assert "4 electors have not answered yet:" in silent
    for name in ("admin", "bo", "cy", "fa"):
        assert f"<li><bdi>{name}</bdi></li>" in silent
    assert "<bdi>ana</bdi>" not in silent


@pytest.mark.parametrize(("visibility", "member_sees", "facilitator_sees"), [
    (VotersVisibility.FACILITATORS, False, True),
    (VotersVisibility.NOBODY, False, False),
])
def test_who_has_not_answered_follows_who_may_see_the_voters(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock,
        visibility: VotersVisibility, member_sees: bool, facilitator_sees: bool) -> None:
    proposal = _vote(app, coop, clock, voters_visible=visibility)
    round_id = browsers.open(FACILITATOR, proposal, "vote")
    member = browsers.page("ana@example.org", proposal, round_id)
    facilitator = browsers.page(FACILITATOR, proposal, round_id)
    assert ('id="silent-title"' in member) is member_sees
    assert ('id="silent-title"' in facilitator) is facilitator_sees


@pytest.mark.parametrize("options", [{"secret": True}, {"hide_results": True}],
                         ids=["secret", "hidden"])
def test_neither_who_nor_a_forecast_while_the_counts_are_hidden(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock,
        options: dict[str, bool]) -> None:
    proposal = _vote(app, coop, clock, **options)
    round_id = browsers.open(FACILITATOR, proposal, "vote")
    browsers.vote("ana@example.org", proposal, round_id, "no")
    for email in ("bo@example.org", FACILITATOR, "admin@example.org"):
        page = browsers.page(email, proposal, round_id)
        assert 'id="silent-title"' not in page
        assert "If the round closed now" not in page
        assert "<bdi>ana</bdi>" not in page


def test_a_vote_says_what_the_engine_would_decide_if_it_closed_now(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    proposal = _vote(app, coop, clock)
    round_id = browsers.open(FACILITATOR, proposal, "vote")
    browsers.vote("ana@example.org", proposal, round_id, "yes")
    browsers.vote("bo@example.org", proposal, round_id, "yes")
    browsers.vote("cy@example.org", proposal, round_id, "no")
    forecast = _section(browsers.page("bo@example.org", proposal, round_id), "forecast-title")
    assert "If the round closed now: adopted" in forecast
    assert "Adopted: 2 in favour, 1 against" in forecast
    browsers.vote("ana@example.org", proposal, round_id, "no")
    forecast = _section(browsers.page("bo@example.org", proposal, round_id), "forecast-title")
    assert "If the round closed now: rejected" in forecast


def test_a_consent_round_says_it_would_be_blocked_by_an_objection(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    proposal = draft(app, coop, FACILITATOR, "consent", {"preset": "consent_async"}, clock)
    round_id = browsers.open(FACILITATOR, proposal, "consent")
    browsers.vote("ana@example.org", proposal, round_id, "consent")
    quiet = _section(browsers.page("cy@example.org", proposal, round_id), "forecast-title")
    assert "If the round closed now: adopted" in quiet  # silence counts as consent
    browsers.vote("bo@example.org", proposal, round_id, "object", reason="Too expensive")
    page = browsers.page("cy@example.org", proposal, round_id)
    forecast = _section(page, "forecast-title")
    assert "If the round closed now: blocked by an objection" in forecast
    assert "Blocked: a valid objection stands at the deadline (bo)." in forecast
    # Nothing is stored: the round is still open and undecided.
    with app.app_context():
        round_ = db.session().get_one(Round, round_id)
        assert (round_.status.value, round_.outcome, round_.result_json) == ("open", None, None)


def test_a_consent_round_whose_voters_are_hidden_names_no_objector(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    proposal = draft(app, coop, FACILITATOR, "consent", {"preset": "consent_async"}, clock,
                     voters_visible=VotersVisibility.FACILITATORS)
    round_id = browsers.open(FACILITATOR, proposal, "consent")
    browsers.vote("bo@example.org", proposal, round_id, "object", reason="Too expensive")
    member = _section(browsers.page("cy@example.org", proposal, round_id), "forecast-title")
    assert "blocked by an objection" in member
    assert "(a member)" in member
    assert "(bo)" not in member
    facilitator = _section(browsers.page(FACILITATOR, proposal, round_id), "forecast-title")
    assert "(bo)" in facilitator


def test_the_round_page_counts_down_and_says_when_the_deadline_has_passed(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    proposal = _vote(app, coop, clock)
    round_id = browsers.open(FACILITATOR, proposal, "vote", deadline="2026-03-03T10:30")
    page = browsers.page("ana@example.org", proposal, round_id)
    assert '<script src="/static/countdown.js" defer></script>' in page
    assert 'data-passed="The deadline has passed: the round is being closed."' in page
    assert "Time left: 1 day 30 minutes</time>" in page
    clock.advance(days=2)
    late = browsers.page("ana@example.org", proposal, round_id)
    assert "The deadline has passed: the round is being closed." in late
    assert "If the round closed now" not in late


def _nudged(app: Flask, round_id: int) -> int:
    """How many were reminded by a facilitator in the round."""
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(Notice).where(
            Notice.kind == NoticeKind.NUDGE.value, Notice.round_id == round_id)) or 0


def test_a_facilitator_reminds_those_who_have_not_answered_a_few_times_a_day_at_most(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    proposal = _vote(app, coop, clock)
    round_id = browsers.open(FACILITATOR, proposal, "vote")
    browsers.vote("ana@example.org", proposal, round_id, "yes")
    assert 'id="remind-title"' not in browsers.page("ana@example.org", proposal, round_id)
    assert browsers.post("ana@example.org", proposal, round_id, "remind").status_code == 403
    assert "Remind those who have not answered" in browsers.page(FACILITATOR, proposal, round_id)
    reminded = browsers.post(FACILITATOR, proposal, round_id, "remind")
    assert reminded.status_code == 302
    page = browsers.of(FACILITATOR).get(reminded.headers["Location"]).get_data(as_text=True)
    assert "4 members who had not answered are reminded." in page
    assert _nudged(app, round_id) == 4
    again = browsers.post(FACILITATOR, proposal, round_id, "remind")
    page = browsers.of(FACILITATOR).get(again.headers["Location"]).get_data(as_text=True)
    assert "Members were reminded less than" in page
    assert _nudged(app, round_id) == 4
