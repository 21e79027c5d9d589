"""What each member chooses to receive, and what the organisation and the proposal set for
the messages: per membership, every message, a daily digest or only what asks to act, and
the kinds of message unsubscribed from (ticked again, received again); the organisation's
language and answer buttons; a proposal's reminder hours before each deadline."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from decisions.web import db
from decisions.web.models import Membership, NoticeKind, Organisation, Proposal, User
from decisions.web.services import unsubscribing

from .conftest import Auth, unit
from .round_pages import MakeMember, MakeOrg
from .test_proposals import form

ANA = "ana@example.org"


@pytest.fixture
def coop(make_org: MakeOrg, make_member: MakeMember) -> Organisation:
    """An association with its admin and a member, who also belongs to another one."""
    organisation = make_org("coop", admin="admin@example.org", is_scic=False)
    make_member(organisation, ANA)
    make_member(make_org("other", admin="oa@example.org", is_scic=False), ANA)
    return organisation


def _membership(app: Flask, email: str, slug: str) -> Membership:
    with app.app_context():
        found = db.session().scalar(select(Membership).join(User).join(Organisation).where(
            User.email == email, Organisation.slug == slug))
        assert found is not None
        db.session().expunge(found)
        return found


def _choices(page: str, membership_id: int) -> tuple[str | None, set[str]]:
    """The mode checked and the kinds ticked in one membership's form of the profile page."""
    start = page.index(f'action="/account/messages/{membership_id}"')
    part = page[start:page.index("</form>", start)]
    checked = re.findall(r'<input checked id="m\d+-(mode|kinds)-\d+" name="[^"]+" type='
                         r'"(?:radio|checkbox)" value="([a-z_]+)"', part)
    modes = [value for field, value in checked if field == "mode"]
    return (modes[0] if modes else None), {value for field, value in checked if field == "kinds"}


def test_the_profile_has_one_form_per_organisation_with_what_is_received(
        app: Flask, coop: Organisation, auth: Auth, client: FlaskClient) -> None:
    auth.login(ANA)
    page = client.get("/account/profile").get_data(as_text=True)
    for slug in ("coop", "other"):
        membership = _membership(app, ANA, slug)
        mode, kinds = _choices(page, membership.id)
        assert mode == "all"
        assert NoticeKind.REMINDER.value in kinds
        assert NoticeKind.INVITATION.value not in kinds  # never turned off
    assert "<legend><bdi>Coop</bdi></legend>" in page
    assert "Whatever you choose, every notice is also shown in the application" in page


def test_a_member_chooses_the_digest_and_unsubscribes_from_reminders_then_takes_them_back(
        app: Flask, coop: Organisation, auth: Auth, client: FlaskClient) -> None:
    auth.login(ANA)
    mine = _membership(app, ANA, "coop")
    prefix = f"m{mine.id}-"
    kept = [k.value for k in NoticeKind if k.value in (
        "round_opened", "nudge", "objection", "new_version", "outcome", "digest",
        "review_due")]  # not webhook_disabled: only admins are offered it
    response = client.post(f"/account/messages/{mine.id}", data={
        f"{prefix}mode": "digest", f"{prefix}kinds": kept})
    assert response.status_code == 302
    saved = _membership(app, ANA, "coop")
    assert (saved.notify, saved.muted) == ("digest", "reminder")
    assert _membership(app, ANA, "other").notify == "all"  # the other organisation's stays
    page = client.get("/account/profile").get_data(as_text=True)
    assert "Your choice of e-mail from Coop is saved." in page
    assert _choices(page, mine.id) == ("digest", set(kept))
    client.post(f"/account/messages/{mine.id}", data={
        f"{prefix}mode": "action", f"{prefix}kinds": [*kept, "reminder"]})
    assert (_membership(app, ANA, "coop").notify, _membership(app, ANA, "coop").muted) == (
        "action", "")


def _offered(page: str, membership_id: int) -> set[str]:
    """The kinds of message one membership's form of the profile page offers, ticked or not."""
    start = page.index(f'action="/account/messages/{membership_id}"')
    part = page[start:page.index("</form>", start)]
    return set(re.findall(r'id="m\d+-kinds-\d+" name="[^"]+" type="checkbox" value="([a-z_]+)"',
                          part))


def test_only_admins_are_offered_the_messages_only_admins_receive(
        app: Flask, coop: Organisation, auth: Auth, client: FlaskClient) -> None:
    admin = _membership(app, "admin@example.org", "coop")
    auth.login("admin@example.org")
    assert NoticeKind.WEBHOOK_DISABLED.value in _offered(
        client.get("/account/profile").get_data(as_text=True), admin.id)
    auth.logout()
    mine = _membership(app, ANA, "coop")
    with unit(app) as session:  # muted once, when Ana was an admin
        session.get_one(Membership, mine.id).muted = NoticeKind.WEBHOOK_DISABLED.value
    auth.login(ANA)
    offered = _offered(client.get("/account/profile").get_data(as_text=True), mine.id)
    assert NoticeKind.REMINDER.value in offered
    assert NoticeKind.WEBHOOK_DISABLED.value not in offered
    prefix = f"m{mine.id}-"
    client.post(f"/account/messages/{mine.id}", data={
        f"{prefix}mode": "all", f"{prefix}kinds": sorted(offered - {"outcome"})})
    # What she is not offered keeps what it was: muted, should she be an admin again.
    assert _membership(app, ANA, "coop").muted == "outcome webhook_disabled"


def test_a_kind_unsubscribed_from_a_message_is_unticked_and_can_be_ticked_again(
        app: Flask, coop: Organisation, auth: Auth, client: FlaskClient) -> None:
    mine = _membership(app, ANA, "coop")
    with unit(app) as session:
        unsubscribing.mute(session, unsubscribing.Unsubscribe(
            mine.user_id, coop.id, NoticeKind.OUTCOME))
    auth.login(ANA)
    page = client.get("/account/profile").get_data(as_text=True)
    mode, kinds = _choices(page, mine.id)
    assert NoticeKind.OUTCOME.value not in kinds
    prefix = f"m{mine.id}-"
    client.post(f"/account/messages/{mine.id}", data={
        f"{prefix}mode": mode, f"{prefix}kinds": [*kinds, NoticeKind.OUTCOME.value]})
    assert _membership(app, ANA, "coop").muted == ""


def test_nobody_changes_anothers_choice_and_a_wrong_choice_changes_nothing(
        app: Flask, coop: Organisation, auth: Auth, client: FlaskClient) -> None:
    auth.login(ANA)
    admins = _membership(app, "admin@example.org", "coop")
    prefix = f"m{admins.id}-"
    assert client.post(f"/account/messages/{admins.id}", data={
        f"{prefix}mode": "action"}).status_code == 404
    assert _membership(app, "admin@example.org", "coop").notify == "all"
    mine = _membership(app, ANA, "coop")
    prefix = f"m{mine.id}-"
    page = client.post(f"/account/messages/{mine.id}", data={
        f"{prefix}mode": "never", f"{prefix}kinds": ["invitation"]}).get_data(as_text=True)
    assert "Not a valid choice" in page
    assert _membership(app, ANA, "coop").notify == "all"


def test_an_admin_sets_the_language_of_the_messages_and_turns_answer_buttons_off(
        app: Flask, coop: Organisation, auth: Auth, client: FlaskClient) -> None:
    auth.login("admin@example.org")
    page = client.get("/orgs/coop/settings").get_data(as_text=True)
    assert '<option selected value="fr">Français</option>' in page
    assert re.search(r'<input [^>]*checked [^>]*id="answer_links"', page)
    response = client.post("/orgs/coop/settings", data={
        "name": "Coop", "timezone": "Europe/Paris", "language": "en"})
    assert response.status_code == 302
    with app.app_context():
        saved = db.session().get_one(Organisation, coop.id)
        assert (saved.language, saved.answer_links) == ("en", False)
    refused = client.post("/orgs/coop/settings", data={
        "name": "Coop", "timezone": "Europe/Paris", "language": "de", "answer_links": "y"})
    assert "Not a valid choice" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session().get_one(Organisation, coop.id).language == "en"


@pytest.mark.parametrize(("given", "stored"), [("48", 48), ("", None), (None, 24)],
                         ids=["48 hours", "none", "left as the page offers"])
def test_a_proposal_says_how_many_hours_before_each_deadline_reminders_go(
        app: Flask, coop: Organisation, auth: Auth, client: FlaskClient, given: str | None,
        stored: int | None) -> None:
    auth.login("admin@example.org")
    page = client.get("/orgs/coop/proposals/new").get_data(as_text=True)
    assert re.search(r'id="reminder_hours"[^>]* value="24"', page)
    data = form() if given is None else form(reminder_hours=given)
    assert client.post("/orgs/coop/proposals/new", data=data).status_code == 302
    with app.app_context():
        assert db.session().scalar(select(Proposal.reminder_hours)) == stored


def test_a_reminder_out_of_bounds_is_refused_next_to_its_field(
        app: Flask, coop: Organisation, auth: Auth, client: FlaskClient) -> None:
    auth.login("admin@example.org")
    page = client.post("/orgs/coop/proposals/new",
                       data=form(reminder_hours="0")).get_data(as_text=True)
    assert ('<ul class="errors" id="reminder_hours-errors"><li>Remind from 1 to 720 hours'
            " before the deadline, or leave the field empty for no reminder.</li></ul>") in page
    with app.app_context():
        assert db.session().scalar(select(Proposal.id)) is None
