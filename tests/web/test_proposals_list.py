"""The list of proposals shows, for each, its open round's deadline and time left, whether I
answered, and the participation; in the same few queries for two proposals or eight."""

from __future__ import annotations

from flask import Flask

from decisions.web.models import ElectorateScope, Organisation, RoundKind

from .conftest import Clock
from .round_pages import FACILITATOR, Browsers, MakeOrg, draft, member_id
from .round_pages import browsers as browsers
from .round_pages import coop as coop
from .round_steps import open_round, vote
from .statements import recorded

LIST = "/orgs/coop/proposals/"


def _item(page: str, proposal: int) -> str:
    """The list item of one proposal."""
    start = page.index(f"/proposals/{proposal}\"")
    return page[start:page.index("</li>", start)]


def test_each_proposal_shows_its_deadline_time_left_my_answer_and_the_participation(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    proposal = draft(app, coop, FACILITATOR, "majority", {"preset": "association_default"},
                     clock)
    round_id = browsers.open(FACILITATOR, proposal, "vote", deadline="2026-03-04T12:30")
    browsers.vote("ana@example.org", proposal, round_id, "no")
    mine = _item(browsers.of("ana@example.org").get(LIST).get_data(as_text=True), proposal)
    assert f"/rounds/{round_id}\">Vote</a> ·" in mine
    assert "Deadline: Wednesday, March 4, 2026 at 12:30\u202fPM (Europe/Paris)" in mine
    assert "Time left: 2 days 2 hours</time>" in mine
    assert "You have answered: No." in mine
    assert "1 of 5 electors have answered." in mine
    theirs = _item(browsers.of("bo@example.org").get(LIST).get_data(as_text=True), proposal)
    assert "You have not answered yet." in theirs
    assert "1 of 5 electors have answered." in theirs


def test_a_secret_vote_says_i_voted_never_what(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    proposal = draft(app, coop, FACILITATOR, "majority", {"preset": "association_default"},
                     clock, secret=True)
    round_id = browsers.open(FACILITATOR, proposal, "vote")
    browsers.vote("ana@example.org", proposal, round_id, "no")
    browsers.vote("bo@example.org", proposal, round_id, "yes")
    mine = _item(browsers.of("ana@example.org").get(LIST).get_data(as_text=True), proposal)
    assert "You have voted." in mine
    assert "You have answered" not in mine
    assert "2 of 5 electors have answered." in mine


def test_a_member_outside_the_electorate_is_told_so(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    ana = member_id(app, "ana@example.org")
    proposal = draft(app, coop, FACILITATOR, "majority", {"preset": "association_default"},
                     clock, scope=ElectorateScope.LIST, electors=[ana])
    browsers.open(FACILITATOR, proposal, "vote")
    theirs = _item(browsers.of("bo@example.org").get(LIST).get_data(as_text=True), proposal)
    assert "You are not in the electorate of this round." in theirs
    assert "0 of 1 electors have answered." in theirs


def test_drafts_and_decided_proposals_have_no_round_line(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    proposal = draft(app, coop, FACILITATOR, "majority", {"preset": "association_default"},
                     clock)
    page = browsers.of(FACILITATOR).get(LIST).get_data(as_text=True)
    assert "Time left" not in _item(page, proposal)
    assert "electors have answered" not in page


def test_the_list_takes_the_same_few_queries_for_two_proposals_or_eight(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    def statements_of_list() -> int:
        client = browsers.of("bo@example.org")
        client.get(LIST)
        with recorded(app, savepoints=False) as statements:
            assert client.get(LIST).status_code == 200
        return len(statements)

    ana = member_id(app, "ana@example.org")
    for index in range(8):
        proposal = draft(app, coop, FACILITATOR, "majority",
                         {"preset": "association_default"}, clock, secret=index == 1)
        round_id = open_round(app, proposal, RoundKind.VOTE, clock)
        vote(app, round_id, ana, "yes", clock)
        if index == 1:
            few = statements_of_list()
    many = statements_of_list()
    assert many == few
    assert many <= 10


def test_another_organisations_member_cannot_read_the_list(
        app: Flask, coop: Organisation, make_org: MakeOrg, browsers: Browsers) -> None:
    make_org("other", admin="out@example.org")
    assert browsers.of("out@example.org").get(LIST).status_code == 403
