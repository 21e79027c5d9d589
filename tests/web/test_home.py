"""The organisation's home shows each member what awaits them: the rounds waiting for their
answer (most urgent first, with the time left), the rounds they answered (their position,
never a secret one, and whether they may still change it), the outcomes of the last 30
days, and to facilitators the rounds closing soon with their participation against the
quorum; in a few queries however many rounds there are; and the time left counts down in
the page with a script of the site (the CSP stays strict)."""

from __future__ import annotations

import re

from flask import Flask

from decisions.web.models import Organisation, RoundKind, User
from decisions.web.security import CONTENT_SECURITY_POLICY
from decisions.web.services import organisations, proposals

from .conftest import Clock, unit
from .round_pages import FACILITATOR, Browsers, MakeMember, MakeOrg, draft, member_id
from .round_pages import browsers as browsers
from .round_pages import coop as coop
from .round_steps import close_due, open_round, vote
from .statements import recorded

HOME = "/orgs/coop/"


#: The rules of the proposals: a vote, and a consent round that half the electorate answers.
RULES = {"majority": {"preset": "association_default"},
         "consent": {"preset": "consent_async", "min_responses": {"num": 1, "den": 2}}}


def _proposal(app: Flask, coop: Organisation, clock: Clock, title: str, family: str = "majority",
              **options: object) -> int:
    """A draft of the facilitator's, through the service."""
    with unit(app) as session:
        author = session.scalars(organisations.current_members(coop.id).join(User).where(
            User.email == FACILITATOR)).one()
        return proposals.create_proposal(
            session, session.get_one(Organisation, coop.id), author, title=title, body="Text.",
            family=family, params=RULES[family], now=clock(), **options).id  # type: ignore[arg-type]


def _home(browsers: Browsers, email: str) -> str:
    response = browsers.of(email).get(HOME)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _section(page: str, heading_id: str) -> str:
    """The text of one section of the page (from its heading to the next section)."""
    start = page.index(f'id="{heading_id}"')
    end = page.find("<section", start)
    return page[start:end if end >= 0 else len(page)]


def test_the_home_lists_what_waits_for_my_answer_most_urgent_first_with_the_time_left(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    later = _proposal(app, coop, clock, "Paint the workshop")
    sooner = _proposal(app, coop, clock, "Buy cargo bikes", family="consent")
    browsers.open(FACILITATOR, later, "vote", deadline="2026-03-09T10:00")
    browsers.open(FACILITATOR, sooner, "consent", deadline="2026-03-04T10:00")
    page = _home(browsers, "ana@example.org")
    waiting = _section(page, "awaiting-title")
    assert "(2)" in waiting
    assert waiting.index("Buy cargo bikes") < waiting.index("Paint the workshop")
    # 2026-03-02 09:00 UTC to 2026-03-04 10:00 Paris (09:00 UTC): two days exactly.
    assert re.search(r'<time datetime="2026-03-04T09:00:00\+00:00" data-countdown'
                     r' data-now="2026-03-02T09:00:00\+00:00"', waiting)
    assert "Time left: 2 days</time>" in waiting
    assert "Time left: 7 days</time>" in waiting
    assert "Nothing waits for your answer." not in page
    assert "You have not answered any open round." in page


def test_a_round_i_answered_shows_my_position_and_whether_i_may_change_it(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    proposal = _proposal(app, coop, clock, "Buy cargo bikes")
    round_id = browsers.open(FACILITATOR, proposal, "vote")
    assert browsers.vote("ana@example.org", proposal, round_id, "no").status_code == 302
    page = _home(browsers, "ana@example.org")
    answered = _section(page, "answered-title")
    assert "Buy cargo bikes" in answered
    assert "Your position: <strong>No</strong>" in answered
    assert "You may change it until the deadline." in answered
    assert "Nothing waits for your answer." in page
    assert "Buy cargo bikes" in _section(_home(browsers, "bo@example.org"), "awaiting-title")


def test_a_rule_that_refuses_changes_says_my_answer_can_no_longer_be_changed(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    proposal = draft(app, coop, FACILITATOR, "majority",
                     {"preset": "association_default", "allow_vote_change": False}, clock)
    round_id = browsers.open(FACILITATOR, proposal, "vote")
    browsers.vote("ana@example.org", proposal, round_id, "yes")
    answered = _section(_home(browsers, "ana@example.org"), "answered-title")
    assert "Your position: <strong>Yes</strong>" in answered
    assert "It can no longer be changed." in answered


def test_a_secret_ballot_shows_that_i_voted_never_what(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    proposal = _proposal(app, coop, clock, "Elect the board", secret=True)
    round_id = browsers.open(FACILITATOR, proposal, "vote")
    browsers.vote("ana@example.org", proposal, round_id, "no")
    page = _home(browsers, "ana@example.org")
    answered = _section(page, "answered-title")
    assert "Elect the board" in answered
    assert "You have voted (secret ballot: your vote is not shown)." in answered
    assert "Your position" not in answered
    assert "It can no longer be changed." in answered
    for word in ("No</", ">No<", "Against"):
        assert word not in page


def test_outcomes_of_the_last_30_days_are_listed_and_older_ones_are_not(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    old = _proposal(app, coop, clock, "An old decision")
    open_round(app, old, RoundKind.VOTE, clock)
    ana = member_id(app, "ana@example.org")
    clock.advance(days=7)
    close_due(app, clock)  # closed on day 7
    clock.advance(days=25)
    recent = _proposal(app, coop, clock, "A recent decision")
    round_id = open_round(app, recent, RoundKind.VOTE, clock)
    vote(app, round_id, ana, "yes", clock)
    clock.advance(days=7)
    close_due(app, clock)  # closed on day 39: the old one 32 days before
    outcomes = _section(_home(browsers, "bo@example.org"), "outcomes-title")
    assert "A recent decision" in outcomes
    assert '<span class="badge">adopted</span>' in outcomes
    assert f"/rounds/{round_id}/results" in outcomes
    assert "An old decision" not in outcomes


def test_facilitators_see_the_rounds_closing_soon_with_participation_against_the_quorum(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    soon = _proposal(app, coop, clock, "Buy cargo bikes", family="consent")
    distant = _proposal(app, coop, clock, "A distant vote")
    round_id = browsers.open(FACILITATOR, soon, "consent", deadline="2026-03-05T10:00")
    browsers.open(FACILITATOR, distant, "vote", deadline="2026-04-01T10:00")
    browsers.vote("ana@example.org", soon, round_id, "consent")
    page = _home(browsers, FACILITATOR)
    closing = _section(page, "closing-title")
    assert "Rounds closing within 7 days" in closing
    assert "Buy cargo bikes" in closing
    assert "A distant vote" not in closing
    assert "1 of 5 took part (20%)." in closing
    # consent_async: at least half of the electorate answers.
    assert "Quorum: at least 50% of the electorate, that is 3." in closing
    assert "Not reached yet." in closing
    assert 'id="closing-title"' not in _home(browsers, "ana@example.org")


def test_a_vote_closing_soon_counts_weights_as_its_results_do(
        app: Flask, make_org: MakeOrg, make_member: MakeMember, browsers: Browsers,
        clock: Clock) -> None:
    coop = make_org("coop", admin="admin@example.org", is_scic=False)
    make_member(coop, FACILITATOR, role="facilitator")
    make_member(coop, "ana@example.org", vote_weight=3)
    make_member(coop, "bo@example.org")
    proposal = draft(app, coop, FACILITATOR, "majority", {"preset": "association_default"},
                     clock)
    round_id = browsers.open(FACILITATOR, proposal, "vote")
    browsers.vote("ana@example.org", proposal, round_id, "yes")
    closing = _section(_home(browsers, FACILITATOR), "closing-title")
    results = browsers.page(FACILITATOR, proposal, round_id, "/results")
    assert "3 of 6 took part (50%)." in closing
    assert "3 of 6 took part (50%)." in results


def test_another_organisations_member_sees_nothing_of_it(
        app: Flask, coop: Organisation, make_org: MakeOrg, browsers: Browsers,
        clock: Clock) -> None:
    make_org("other", admin="out@example.org")
    proposal = _proposal(app, coop, clock, "Buy cargo bikes")
    browsers.open(FACILITATOR, proposal, "vote")
    assert browsers.of("out@example.org").get(HOME).status_code == 403
    other = browsers.of("out@example.org").get("/orgs/other/").get_data(as_text=True)
    assert "Buy cargo bikes" not in other
    assert "Nothing waits for your answer." in other


def test_the_home_takes_the_same_few_queries_for_two_rounds_or_eight(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    def statements_of_home() -> int:
        client = browsers.of(FACILITATOR)
        client.get(HOME)  # signed in, session warm
        with recorded(app, savepoints=False) as statements:
            assert client.get(HOME).status_code == 200
        return len(statements)

    ana = member_id(app, "ana@example.org")
    for index in range(8):
        proposal = _proposal(app, coop, clock, f"Proposal {index}",
                             family="majority" if index % 2 else "consent",
                             secret=index % 4 == 1)
        round_id = open_round(app, proposal, RoundKind.VOTE if index % 2 else
                              RoundKind.CONSENT, clock)
        vote(app, round_id, ana, "yes" if index % 2 else "consent", clock)
        if index == 1:
            few = statements_of_home()
    many = statements_of_home()
    print(f'home: {few} statements for 2 rounds, {many} for 8')
    assert many == few
    assert many <= 14


def test_the_countdown_script_is_served_and_referenced_under_the_strict_policy(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    proposal = _proposal(app, coop, clock, "Buy cargo bikes")
    browsers.open(FACILITATOR, proposal, "vote")
    response = browsers.of("ana@example.org").get(HOME)
    page = response.get_data(as_text=True)
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY
    assert '<script src="/static/countdown.js" defer></script>' in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    # The words of durations for the script, in the reader's language.
    assert 'data-day-one="{n} day" data-day-other="{n} days"' in page.replace("\n    ", " ")
    assert 'data-passed="The deadline has passed."' in page
    with browsers.of("ana@example.org").get("/static/countdown.js") as script:
        assert script.status_code == 200
        assert script.mimetype in ("text/javascript", "application/javascript")
        assert "data-countdown" in script.get_data(as_text=True)


def test_the_countdown_speaks_the_readers_language(
        app: Flask, coop: Organisation, make_user: object, make_member: MakeMember,
        browsers: Browsers, clock: Clock) -> None:
    make_user("eve@example.org", name="Ève", language="fr")  # type: ignore[operator]
    make_member(coop, "eve@example.org")
    proposal = _proposal(app, coop, clock, "Acheter des vélos")
    browsers.open(FACILITATOR, proposal, "vote", deadline="2026-03-04T10:00")
    page = _home(browsers, "eve@example.org").replace("\n    ", " ")
    # The script's words are the server's (a no-break space before "jours", as Babel's).
    assert "Temps restant : 2\u00a0jours</time>" in page
    assert 'data-day-one="{n}\u00a0jour" data-day-other="{n}\u00a0jours"' in page
    assert 'data-sentence="Temps restant : {duration}"' in page
