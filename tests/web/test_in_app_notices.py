"""In-application notifications: what the application told me, as a list of short sentences
in my language linking to their round; an unread count in the header of every page (one
query per page); marking one or all read (POST with CSRF); nobody else's, and nothing of an
organisation I left."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select

from decisions.web import db
from decisions.web.models import Notice, NoticeKind, Organisation, User

from .conftest import Clock, keep_former_members
from .round_pages import FACILITATOR, Browsers, MakeMember, MakeOrg, draft, member_id
from .round_pages import browsers as browsers
from .round_pages import coop as coop
from .round_steps import close_due, sender_pass
from .statements import recorded
from .variant import csrf_token, login_with_token, variant


def _unread_badge(page: str) -> str | None:
    found = re.search(r'Notifications <span class="badge">([^<]+)</span>', page)
    return None if found is None else found.group(1)


def opened(app: Flask, browsers: Browsers, proposal: int, clock: Clock) -> int:
    """A vote opened by the facilitator, its electors told by the sender's next pass."""
    round_id = browsers.open(FACILITATOR, proposal, "vote")
    sender_pass(app, clock)
    return round_id


def _notice_ids(app: Flask, email: str) -> list[int]:
    with app.app_context():
        return list(db.session().scalars(select(Notice.id).join(User, User.id == Notice.user_id)
                                         .where(User.email == email).order_by(Notice.id)))


def test_a_round_opened_is_an_unread_notification_linking_to_the_round(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    proposal = draft(app, coop, FACILITATOR, "majority", {"preset": "association_default"},
                     clock)
    round_id = opened(app, browsers, proposal, clock)
    home = browsers.of("ana@example.org").get("/orgs/coop/").get_data(as_text=True)
    assert _unread_badge(home) == "1 unread"
    page = browsers.of("ana@example.org").get("/notifications/").get_data(as_text=True)
    assert "1 unread notification." in page
    assert (f'<a href="/orgs/coop/proposals/{proposal}/rounds/{round_id}"><strong>'
            "A round is open: Buy cargo bikes</strong></a>") in page
    assert "Coop</bdi> · Monday, March 2, 2026" in page


def test_marking_one_then_all_read(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    for _ in range(2):
        proposal = draft(app, coop, FACILITATOR, "majority",
                         {"preset": "association_default"}, clock)
        opened(app, browsers, proposal, clock)
    first, second = _notice_ids(app, "ana@example.org")
    ana = browsers.of("ana@example.org")
    assert ana.post(f"/notifications/{first}/read").status_code == 302
    page = ana.get("/notifications/").get_data(as_text=True)
    assert "1 unread notification." in page
    assert _unread_badge(page) == "1 unread"
    assert f"/notifications/{first}/read" not in page
    assert f"/notifications/{second}/read" in page
    done = ana.post("/notifications/read")
    assert done.status_code == 302
    page = ana.get(done.headers["Location"]).get_data(as_text=True)
    assert "1 notification marked read." in page
    assert _unread_badge(page) is None
    assert "0 unread notifications." in page


def test_nobody_marks_anothers_notification_read(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    proposal = draft(app, coop, FACILITATOR, "majority", {"preset": "association_default"},
                     clock)
    opened(app, browsers, proposal, clock)
    [anas] = _notice_ids(app, "ana@example.org")
    bo = browsers.of("bo@example.org")
    bo.post(f"/notifications/{anas}/read")
    bo.post("/notifications/read")  # his own, not hers
    assert "0 unread notifications." in bo.get("/notifications/").get_data(as_text=True)
    page = browsers.of("ana@example.org").get("/notifications/").get_data(as_text=True)
    assert "1 unread notification." in page


def test_marking_read_needs_the_csrf_token(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    proposal = draft(app, coop, FACILITATOR, "majority", {"preset": "association_default"},
                     clock)
    opened(app, browsers, proposal, clock)
    [anas] = _notice_ids(app, "ana@example.org")
    with variant(app, WTF_CSRF_ENABLED=True) as guarded:
        client = guarded.test_client()
        assert login_with_token(client, "ana@example.org").status_code == 302
        assert client.post(f"/notifications/{anas}/read").status_code == 400
        assert client.post("/notifications/read").status_code == 400
        token = csrf_token(client.get("/notifications/").get_data(as_text=True))
        assert client.post(f"/notifications/{anas}/read",
                           data={"csrf_token": token}).status_code == 302
    assert "0 unread notifications." in browsers.of("ana@example.org").get(
        "/notifications/").get_data(as_text=True)


def test_an_outcome_links_to_the_results_in_my_language(
        app: Flask, coop: Organisation, make_user: object, make_member: MakeMember,
        browsers: Browsers, clock: Clock) -> None:
    make_user("eve@example.org", name="Ève", language="fr")  # type: ignore[operator]
    make_member(coop, "eve@example.org")
    proposal = draft(app, coop, FACILITATOR, "majority", {"preset": "association_default"},
                     clock)
    round_id = opened(app, browsers, proposal, clock)
    clock.advance(days=8)
    close_due(app, clock)
    page = browsers.of("eve@example.org").get("/notifications/").get_data(as_text=True)
    assert "Résultat décidé : Buy cargo bikes" in page
    assert f'href="/orgs/coop/proposals/{proposal}/rounds/{round_id}/results"' in page
    assert "Un tour est ouvert : Buy cargo bikes" in page
    assert "2 notifications non lues." in page


def test_the_notifications_of_an_organisation_i_left_are_not_shown(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    proposal = draft(app, coop, FACILITATOR, "majority", {"preset": "association_default"},
                     clock)
    opened(app, browsers, proposal, clock)
    bo = member_id(app, "bo@example.org")
    browsers.of("bo@example.org")  # signed in before leaving
    keep_former_members(app, coop.id)  # so that Bo's account outlives his membership
    assert browsers.of("admin@example.org").post(
        f"/orgs/coop/members/{bo}/remove").status_code == 302
    page = browsers.of("bo@example.org").get("/notifications/").get_data(as_text=True)
    assert "Buy cargo bikes" not in page
    assert _unread_badge(page) is None


def test_the_unread_count_costs_one_query_per_page(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    proposal = draft(app, coop, FACILITATOR, "majority", {"preset": "association_default"},
                     clock)
    opened(app, browsers, proposal, clock)
    client = browsers.of("ana@example.org")
    client.get("/orgs/")
    with recorded(app, savepoints=False) as statements:
        assert client.get("/orgs/").status_code == 200
    assert len([s for s in statements if "FROM notice" in s]) == 1


def test_an_invitation_is_never_a_notification(
        app: Flask, coop: Organisation, make_org: MakeOrg, browsers: Browsers) -> None:
    make_org("other", admin="oa@example.org")
    browsers.of("oa@example.org").post("/orgs/other/invitations/", data={
        "email": "ana@example.org", "role": "member"})
    with app.app_context():
        kinds = set(db.session().scalars(select(Notice.kind)))
    assert NoticeKind.INVITATION.value in kinds
    page = browsers.of("ana@example.org").get("/notifications/").get_data(as_text=True)
    assert "You have no notification." in page
