"""Convocation by e-mail only with the member's agreement (C. com. R225-63), through the
HTTP application: members agree or withdraw on their preferences page, an admin records an
agreement given on paper; the convocation mails only those whose agreement counts (given 35
days before the assembly at the latest), the others are listed to be convened by post with
a printable letter (page and PDF) carrying the agenda and texts; the minutes say how many
were convened each way."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from decisions.web import db
from decisions.web.models import AuditEntry, ConvenedMember, Membership, Notice, User

from .conftest import Clock
from .outbox import sent
from .test_assemblies import BASE, PARIS, browser, flashed, prepare, stored
from .test_assemblies import coop as coop


def agree(client: FlaskClient, membership_id: int, *, yes: bool = True) -> str:
    """The member gives (or withdraws) their agreement on their preferences page."""
    response = client.post(f"/account/convocation/{membership_id}",
                           data={"agree": "1" if yes else "0"}, follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def on_paper(admin: FlaskClient, membership_id: int, day: str) -> str:
    """An admin records an agreement given on paper on ``day`` (YYYY-MM-DD; empty: the
    member's letter asking for the post again)."""
    data = {"given_on": day} if day else {"withdraw": "1"}
    response = admin.post(f"/orgs/coop/members/{membership_id}/convocation", data=data,
                          follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def mailed_to(app: Flask) -> set[str]:
    """Who received a convocation by e-mail."""
    return {m["To"].addresses[0].username for m in sent(app)
            if "Convocation" in str(m["Subject"])}


def test_only_members_who_agreed_in_time_are_mailed_the_others_get_a_letter(
        app: Flask, coop: dict[str, int], clock: Clock) -> None:
    clients = {name: browser(app, name) for name in ("w0", "w1", "u0", "u1")}
    for name in ("w0", "w1", "u0"):
        page = agree(clients[name], coop[name])
        assert "You agreed on" in page
    # w1 changes their mind: convened by post again.
    assert "You are convened by post" in agree(clients["w1"], coop["w1"], yes=False)
    admin = browser(app, "ana")
    before_joining = (clock() - timedelta(days=1)).astimezone(PARIS).strftime("%Y-%m-%d")
    assert "cannot be older than the membership" in on_paper(admin, coop["p0"],
                                                             before_joining)
    today = clock().astimezone(PARIS).strftime("%Y-%m-%d")
    assert "agreement given on paper is recorded" in on_paper(admin, coop["p0"], today)
    future = (clock() + timedelta(days=2)).astimezone(PARIS).strftime("%Y-%m-%d")
    assert "cannot be in the future" in on_paper(admin, coop["p1"], future)
    clock.advance(days=20)
    # Too late for an assembly 16 days from now: 35 days before it is 19 days ago.
    agree(clients["u1"], coop["u1"])

    chair = browser(app, "chair")
    assembly_id = prepare(app, chair, clock, days=16)
    page = f"{BASE}/{assembly_id}"
    chair.post(f"{page}/resolutions", data={"title": "Approve the accounts 2025",
                                            "body": "The assembly approves the accounts."})
    forecast = chair.get(f"{page}/convocation").get_data(as_text=True)
    assert "3 members would be convened by e-mail and 8 by post" in forecast
    assert "convocation is sent" in flashed(chair.post(f"{page}/convene",
                                                       follow_redirects=True))
    assert mailed_to(app) == {"w0", "u0", "p0"}
    with app.app_context():
        session = db.session()
        by_post = {name for name, in session.execute(
            select(User.name).join(Membership).join(
                ConvenedMember, ConvenedMember.membership_id == Membership.id)
            .where(ConvenedMember.assembly_id == assembly_id,
                   ConvenedMember.by_email.is_(False)))}
        assert by_post == {"ana", "chair", "w1", "w2", "u1", "u2", "p1", "p2"}
        # The members convened by post find the notice in the application, not by e-mail.
        u1 = session.scalar(select(User.id).where(User.email == "u1@example.org"))
        notice = session.scalars(select(Notice).where(Notice.user_id == u1,
                                                      Notice.kind == "convocation")).one()
        assert notice.delivery == "in_app"
        kinds = [(e.kind, e.data) for e in session.scalars(
            select(AuditEntry).where(AuditEntry.kind.like("email_convocation%"))
            .order_by(AuditEntry.seq))]
        assert [k for k, _ in kinds] == ["email_convocation_agreed"] * 3 + [
            "email_convocation_withdrawn", "email_convocation_agreed",
            "email_convocation_agreed"]
        assert '"on_paper":true' in kinds[4][1]

    # Agreeing after the convocation changes the next one, not this one.
    agree(browser(app, "w2"), coop["w2"])
    listing = chair.get(f"{page}/convocation").get_data(as_text=True)
    assert "3 members were convened by e-mail and 8 by post" in listing
    post_part = listing.split('id="by-post"')[1].split('id="by-email"')[0]
    for name in ("w1", "w2", "u1", "p1"):
        assert f">{name}<" in post_part, name
    assert ">w0<" not in post_part
    letters = chair.get(f"{page}/convocation/letters").get_data(as_text=True)
    assert len(re.findall(r'class="letter"', letters)) == 8
    assert "Approve the accounts 2025" in letters
    assert "The assembly approves the accounts." in letters
    assert "Maison des coopératives, Lyon" in letters
    pdf = chair.get(f"{page}/convocation/letters.pdf")
    assert pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    assert pdf.data.count(b"/Type /Page\n") == 8  # one letter a page
    # A member may not read who is convened how, nor print the letters.
    assert clients["w0"].get(f"{page}/convocation").status_code == 403

    # Nobody comes: the minutes of the sitting without quorum say how each was convened.
    clock.advance(days=16)
    chair.post(f"{page}/open")
    chair.post(f"{page}/no-quorum")
    assert stored(app, assembly_id).status.value == "no_quorum"
    french = chair.get(f"{page}/minutes").get_data(as_text=True)
    assert "3 membres ont été convoqués par courrier électronique" in french
    assert "8 par voie postale" in french
    english = chair.get(f"{page}/minutes?lang=en").get_data(as_text=True)
    assert "3 members were convened by e-mail, having agreed to it, and 8 by post" in english


def test_an_admin_records_a_withdrawal_received_by_letter(
        app: Flask, coop: dict[str, int], clock: Clock) -> None:
    admin = browser(app, "ana")
    on_paper(admin, coop["u2"], clock().astimezone(PARIS).strftime("%Y-%m-%d"))
    edit = admin.get(f"/orgs/coop/members/{coop['u2']}/edit").get_data(as_text=True)
    assert "Convened by e-mail: agreed on" in edit
    assert "convened by post again" in on_paper(admin, coop["u2"], "")
    assert "is convened by post already" in on_paper(admin, coop["u2"], "")
    with app.app_context():
        found = db.session().get_one(Membership, coop["u2"])
        assert found.email_convocation_agreed_at is None
    # Members convened by post are listed before the convocation too: everyone here.
    chair = browser(app, "chair")
    assembly_id = prepare(app, chair, clock, days=40)
    chair.post(f"{BASE}/{assembly_id}/resolutions", data={"title": "Budget", "body": "Yes."})
    page = chair.get(f"{BASE}/{assembly_id}/convocation").get_data(as_text=True)
    assert "0 members would be convened by e-mail and 11 by post" in page
