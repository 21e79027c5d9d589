"""A personal calendar feed: an address with a secret token, shown once on the profile page,
that calendar applications read without signing in: the deadlines of the open rounds where I
am an elector, in all my organisations; revoked (or replaced), the address is not found."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from flask import Flask
from icalendar import Calendar
from sqlalchemy import select

from decisions.web import db
from decisions.web.models import ElectorateScope, Organisation, User

from .conftest import Clock
from .round_pages import FACILITATOR, Browsers, MakeMember, MakeOrg, draft, member_id
from .round_pages import browsers as browsers
from .round_pages import coop as coop
from .round_steps import close_due


def _new_address(browsers: Browsers, email: str) -> str:
    """Make the calendar address on the profile page: its path, as the page shows it once."""
    response = browsers.of(email).post("/account/calendar/new")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    found = re.search(r'id="calendar-url" value="http://localhost(/calendar/[\w-]+\.ics)"',
                      response.get_data(as_text=True))
    assert found is not None
    return found.group(1)


def _events(app: Flask, path: str) -> list[dict[str, object]]:
    """The events of the feed at ``path``, fetched without signing in."""
    response = app.test_client().get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.get_data())
    return [{"summary": str(event["summary"]), "start": event.decoded("dtstart"),
             "url": str(event["url"]), "uid": str(event["uid"]),
             "description": str(event.get("description", ""))}
            for event in calendar.walk("VEVENT")]


def test_the_feed_lists_the_deadlines_of_my_open_rounds_in_all_my_organisations(
        app: Flask, coop: Organisation, make_org: MakeOrg, make_member: MakeMember,
        browsers: Browsers, clock: Clock) -> None:
    other = make_org("other", admin="oa@example.org", is_scic=False)
    make_member(other, "ana@example.org", role="facilitator")
    bikes = draft(app, coop, FACILITATOR, "majority", {"preset": "association_default"}, clock)
    bikes_round = browsers.open(FACILITATOR, bikes, "vote", deadline="2026-03-09T10:00")
    elsewhere = Browsers(app, "other", browsers.clients)
    garden = draft(app, other, "ana@example.org", "consent", {"preset": "consent_async"}, clock)
    garden_round = elsewhere.open("ana@example.org", garden, "consent",
                                  deadline="2026-03-05T18:00")
    # Not hers: a round of a chosen list without her, and a round already closed.
    bo = member_id(app, "bo@example.org")
    listed = draft(app, coop, FACILITATOR, "majority", {"preset": "association_default"},
                   clock, scope=ElectorateScope.LIST, electors=[bo])
    browsers.open(FACILITATOR, listed, "vote")
    path = _new_address(browsers, "ana@example.org")
    events = _events(app, path)
    assert [event["start"] for event in events] == [
        datetime(2026, 3, 5, 17, 0, tzinfo=UTC), datetime(2026, 3, 9, 9, 0, tzinfo=UTC)]
    # Ana chose no language: each organisation's (French by default) is used.
    assert events[0]["summary"] == "Tour de consentement se clôt : Buy cargo bikes"
    assert events[0]["url"] == (
        f"http://localhost/orgs/other/proposals/{garden}/rounds/{garden_round}")
    assert events[1]["url"] == f"http://localhost/orgs/coop/proposals/{bikes}/rounds/{bikes_round}"
    assert events[1]["uid"] == f"decisions-round-{bikes_round}-deadline@localhost"
    assert "Coop, tour 1. Répondez avant l'échéance" in str(events[1]["description"])
    clock.advance(days=4)
    close_due(app, clock)  # the consent round closes; its deadline leaves the feed
    assert [event["start"] for event in _events(app, path)] == [
        datetime(2026, 3, 9, 9, 0, tzinfo=UTC)]


def test_the_address_is_shown_once_and_only_its_hash_is_kept(
        app: Flask, coop: Organisation, browsers: Browsers) -> None:
    path = _new_address(browsers, "ana@example.org")
    token = path.removeprefix("/calendar/").removesuffix(".ics")
    again = browsers.of("ana@example.org").get("/account/profile").get_data(as_text=True)
    assert token not in again
    assert "Your calendar address is active." in again
    with app.app_context():
        stored = db.session().scalar(select(User.calendar_token_hash).where(
            User.email == "ana@example.org"))
    assert stored is not None
    assert token not in stored
    assert len(stored) == 64


def test_a_revoked_or_replaced_address_is_not_found(
        app: Flask, coop: Organisation, browsers: Browsers) -> None:
    first = _new_address(browsers, "ana@example.org")
    second = _new_address(browsers, "ana@example.org")
    assert app.test_client().get(first).status_code == 404
    assert app.test_client().get(second).status_code == 200
    revoked = browsers.of("ana@example.org").post("/account/calendar/revoke")
    assert revoked.status_code == 302
    assert app.test_client().get(second).status_code == 404
    page = browsers.of("ana@example.org").get("/account/profile").get_data(as_text=True)
    assert "You have no calendar address." in page


def test_a_token_opens_only_its_owners_feed_and_a_made_up_one_nothing(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    bo = member_id(app, "bo@example.org")
    secret = draft(app, coop, FACILITATOR, "majority", {"preset": "association_default"},
                   clock, scope=ElectorateScope.LIST, electors=[bo])
    browsers.open(FACILITATOR, secret, "vote")
    path = _new_address(browsers, "ana@example.org")
    assert _events(app, path) == []
    assert len(_events(app, _new_address(browsers, "bo@example.org"))) == 1
    for made_up in ("/calendar/x.ics", "/calendar/" + "A" * 43 + ".ics"):
        assert app.test_client().get(made_up).status_code == 404


def test_the_feed_speaks_the_language_its_owner_chose_before_the_organisations(
        app: Flask, coop: Organisation, make_user: object, make_member: MakeMember,
        browsers: Browsers, clock: Clock) -> None:
    make_user("eve@example.org", name="Eve", language="en")  # type: ignore[operator]
    make_member(coop, "eve@example.org")
    proposal = draft(app, coop, FACILITATOR, "majority", {"preset": "association_default"},
                     clock)
    browsers.open(FACILITATOR, proposal, "vote")
    [event] = _events(app, _new_address(browsers, "eve@example.org"))
    assert event["summary"] == "Vote closes: Buy cargo bikes"
    assert "Coop, round 1. Answer before the deadline" in str(event["description"])
