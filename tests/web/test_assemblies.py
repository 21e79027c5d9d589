"""A general assembly walked through the HTTP application, from its convocation to its
minutes: proxies (one refused over the cap), a postal vote, members checking in with the
room's code, live votes with a proxy holder voting for two, counts of the room by college,
a resolution rejected in one college and adopted overall, a secret resolution, the minutes
(French and English pages, PDF) and the attendance sheet as CSV; and a first convocation
without quorum followed by a second that decides. The minutes' figures are the engine's
results for the stored cases."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from decisions.engine import evaluate, load_case
from decisions.web import db
from decisions.web.models import (
    Assembly,
    AuditEntry,
    Ballot,
    Membership,
    Notice,
    Organisation,
    Round,
)
from decisions.web.services import minutes

from .conftest import Auth, Clock
from .outbox import sent

PARIS = ZoneInfo("Europe/Paris")
BASE = "/orgs/coop/assemblies"


@pytest.fixture
def coop(make_org: Callable[..., Organisation],
         make_member: Callable[..., Membership]) -> dict[str, int]:
    """A SCIC with colleges workers 50 %, users 30 %, partners 20 %: three members in each,
    and the chair (a facilitator, of the workers)."""
    organisation = make_org("coop", admin="ana@example.org",
                            colleges={"workers": 50, "users": 30, "partners": 20})
    ids = {"chair": make_member(organisation, "chair@example.org", role="facilitator",
                                college="workers").id}
    for college in ("workers", "users", "partners"):
        for i in range(3):
            name = f"{college[0]}{i}"
            ids[name] = make_member(organisation, f"{name}@example.org", college=college).id
    return ids


def browser(app: Flask, name: str) -> FlaskClient:
    """A member's own browser, signed in."""
    client = app.test_client()
    assert Auth(client).login(f"{name}@example.org").status_code == 302
    return client


def local(clock: Clock, days: int, hour: int = 18) -> str:
    """A date ``days`` from now at ``hour`` in Paris, as a form field takes it."""
    day = (clock() + timedelta(days=days)).astimezone(PARIS)
    return f"{day:%Y-%m-%d}T{hour:02d}:00"


def flashed(response: Any) -> str:
    """The page a redirect leads to (its flash messages)."""
    page: str = response.get_data(as_text=True)
    return page


def stored(app: Flask, assembly_id: int) -> Assembly:
    with app.app_context():
        session = db.session()
        found = session.get_one(Assembly, assembly_id)
        session.expunge(found)
        return found


def items(app: Flask, assembly_id: int) -> list[tuple[int, int | None]]:
    with app.app_context():
        return [(i.id, i.round_id) for i in db.session().get_one(Assembly, assembly_id).items]


def prepare(app: Flask, chair: FlaskClient, clock: Clock, *, days: int, **extra: str) -> int:
    """A sitting prepared by the chair through the form: its id."""
    response = chair.post(f"{BASE}/new", data={
        "title": "AGO 2026", "kind": "ordinary", "meets_at": local(clock, days),
        "place": "Maison des coopératives, Lyon", "max_proxies_per_holder": "1",
        "chair": str(_id(app, "chair")), **extra})
    assert response.status_code == 302, response.get_data(as_text=True)
    found = re.search(r"/assemblies/(\d+)", response.headers["Location"])
    assert found is not None
    return int(found.group(1))


def _id(app: Flask, name: str) -> int:
    with app.app_context():
        from decisions.web.models import User
        session = db.session()
        user = session.query(User).filter_by(email=f"{name}@example.org").one()
        return session.query(Membership).filter_by(user_id=user.id).one().id


def agreed_on_paper(app: Flask, coop: dict[str, int], clock: Clock, *names: str) -> None:
    """The admin records that these members agreed on paper today to be convened by e-mail
    (C. com. R225-63; test_email_convocation.py tells the rest); 40 days pass, so that the
    agreements count for the assemblies of the next weeks (given 35 days before)."""
    admin = browser(app, "ana")
    day = clock().astimezone(PARIS).strftime("%Y-%m-%d")
    for name in names:
        assert admin.post(f"/orgs/coop/members/{coop[name]}/convocation",
                          data={"given_on": day}).status_code == 302
    clock.advance(days=40)


def test_an_assembly_from_convocation_to_minutes(
        app: Flask, coop: dict[str, int], clock: Clock) -> None:
    # Every member but u2 (who will vote by post) and p2 agreed to be convened by e-mail.
    agreed_on_paper(app, coop, clock, "chair", "w0", "w1", "w2", "u0", "u1", "p0", "p1")
    chair = browser(app, "chair")
    assembly_id = prepare(app, chair, clock, days=10)
    page = f"{BASE}/{assembly_id}"
    for title, secret in (("Approve the accounts 2025", ""), ("Elect the board", "y")):
        assert chair.post(f"{page}/resolutions", data={
            "title": title, "body": f"The assembly resolves: {title.lower()}.",
            **({"secret": "y"} if secret else {})}).status_code == 302
    # Ten days before the meeting: five days of notice are missing (R225-69: fifteen).
    refused = chair.post(f"{page}/convene", follow_redirects=True)
    assert "5 days of notice are missing" in flashed(refused)
    assert stored(app, assembly_id).status.value == "draft"
    assert chair.post(f"{page}/edit", data={
        "title": "AGO 2026", "kind": "ordinary", "meets_at": local(clock, 20),
        "place": "Maison des coopératives, Lyon", "max_proxies_per_holder": "1",
        "chair": str(coop["chair"]), "secretary": str(coop["u0"])}).status_code == 302
    assert "convocation is sent" in flashed(chair.post(f"{page}/convene",
                                                       follow_redirects=True))
    with app.app_context():
        assert db.session().query(Notice).filter_by(kind="convocation").count() == 11
    mails = [m for m in sent(app) if "Convocation" in str(m["Subject"])]
    assert len(mails) == 8  # the others, ana, u2 and p2, are convened by post
    letters = chair.get(f"{page}/convocation/letters").get_data(as_text=True)
    assert letters.count('class="letter"') == 3
    assert "Approve the accounts 2025" in mails[0].get_content()
    assert mails[0]["List-Unsubscribe"] is None  # a legal notice: always sent

    # Before the meeting: two proxies to w0, the second over the statutory cap of one.
    assert "proxy is given" in flashed(browser(app, "w1").post(
        f"{page}/proxy", data={"holder": coop["w0"]}, follow_redirects=True))
    over = browser(app, "w2").post(f"{page}/proxy", data={"holder": coop["w0"]},
                                   follow_redirects=True)
    assert "holds 1 proxies already, the most the statuts allow" in flashed(over)
    [(first, _), (second, _)] = items(app, assembly_id)
    assert "postal vote is received" in flashed(browser(app, "u2").post(
        f"{page}/postal", data={f"item-{first}": "yes", f"item-{second}": "no"},
        follow_redirects=True))

    # The meeting's day: the chair opens the sitting, members check in with the room's code.
    clock.advance(days=20)
    assert chair.post(f"{page}/open").status_code == 302
    code = stored(app, assembly_id).room_code
    assert code is not None
    assert code in chair.get(f"{page}/screen").get_data(as_text=True)
    members = {name: browser(app, name) for name in ("w0", "w2", "u0", "u1", "p0")}
    for name, client in members.items():
        checked = client.post(f"{page}/check-in", data={"mode": "room", "code": code.lower()},
                              follow_redirects=True)
        assert "Checked in" in flashed(checked), name
    assert "not the code shown" in flashed(browser(app, "p2").post(
        f"{page}/check-in", data={"mode": "room", "code": "WRONG1"}, follow_redirects=True))
    for name in ("p1", "chair"):  # the chair checks p1 and themself in
        chair.post(f"{page}/check-in", data={"member": coop[name], "mode": "room"})
    sheet = chair.get(f"{page}/sheet").get_data(as_text=True)
    assert "quorum reached" in sheet

    # Resolution 1, live: w0 votes for themself and for w1 at once.
    assert chair.post(f"{page}/items/{first}/open", data={"minutes": ""}).status_code == 302
    # The resolution's round page sends members to the assembly: no ballot form of its own.
    [(_, first_round), _] = items(app, assembly_id)
    with app.app_context():
        from decisions.web.models import Round
        proposal_id = db.session().get_one(Round, first_round).proposal_id
    round_page = browser(app, "p2").get(
        f"/orgs/coop/proposals/{proposal_id}/rounds/{first_round}").get_data(as_text=True)
    assert "This resolution is voted in its general assembly" in round_page
    assert f'href="{page}"' in round_page
    assert "Record my position" not in round_page
    # Nor does the address of a round's form take a ballot on it: nothing is stored.
    refused = browser(app, "p2").post(
        f"/orgs/coop/proposals/{proposal_id}/rounds/{first_round}/vote",
        data={"position": "yes"})
    assert refused.status_code == 200
    assert "This resolution is voted from its general assembly" in refused.get_data(
        as_text=True)
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(Ballot).where(
            Ballot.round_id == first_round)) == 0
    clock.advance(seconds=30)
    vote = members["w0"].post(f"{page}/items/{first}/vote", data={
        "position": "no", "for_ids": [coop["w0"], coop["w1"]]}, follow_redirects=True)
    assert "2 vote(s) recorded" in flashed(vote)
    members["w2"].post(f"{page}/items/{first}/vote", data={"position": "no"})
    members["u0"].post(f"{page}/items/{first}/vote", data={"position": "yes"})
    chair.post(f"{page}/items/{first}/vote", data={"position": "yes"})
    not_mine = members["u0"].post(f"{page}/items/{first}/vote", data={
        "position": "yes", "for_ids": [coop["u2"]]}, follow_redirects=True)
    assert "You cannot vote for u2" in flashed(not_mine)
    # The room: u1 by a show of hands in users, p0 and p1 in partners.
    too_many = chair.post(f"{page}/items/{first}/room", data={"g1_yes": "3"},
                          follow_redirects=True)
    assert "The engine refuses these counts" in flashed(too_many)
    assert chair.post(f"{page}/items/{first}/room", data={
        "g1_yes": "1", "g2_yes": "2"}).status_code == 302
    clock.advance(seconds=30)
    closed = chair.post(f"{page}/items/{first}/close", follow_redirects=True)
    assert "result is shown by college" in flashed(closed)

    # Resolution 2, secret: the holder's two votes go to the counters like the others.
    assert chair.post(f"{page}/items/{second}/open", data={"minutes": "5"}).status_code == 302
    clock.advance(seconds=30)
    members["w0"].post(f"{page}/items/{second}/vote", data={
        "position": "yes", "for_ids": [coop["w0"], coop["w1"]]})
    members["p0"].post(f"{page}/items/{second}/vote", data={"position": "no"})
    clock.advance(seconds=30)
    chair.post(f"{page}/items/{second}/close")
    assert "minutes are ready" in flashed(chair.post(f"{page}/close", follow_redirects=True))

    # The stored results are the engine's for the stored cases, and the minutes say them.
    [(_, first_round), (_, second_round)] = items(app, assembly_id)
    with app.app_context():
        session = db.session()
        results = []
        for round_id in (first_round, second_round):
            round_ = session.get_one(Round, round_id)
            result = json.loads(round_.result_json or "{}")
            assert evaluate(load_case(json.loads(round_.case_json or "{}"))).to_json() == result
            results.append(result)
        accounts, board = results
        assert accounts["outcome"] == "adopted"
        workers = accounts["colleges"]["workers"]
        assert (workers["yes"], workers["no"], workers["yes_share"]) == (1, 3, "1/4")
        assert accounts["colleges"]["users"]["yes"] == 3  # online, by post, by hand
        assert accounts["colleges"]["partners"]["yes"] == 2  # by hand
        assert accounts["weighted_yes_share"] == "5/8"
        assert accounts["represented_by"] == {str(coop["w1"]): str(coop["w0"])}
        assert accounts["attendance"] == {"in_room": 7, "remote": 0, "remote_not_counted": 0,
                                          "represented": 1, "postal": 1}
        assert (board["counts"]["yes"], board["counts"]["no"]) == (2, 2)  # u2's postal no
        assert {t["source"] for t in board["tallies"]} == {"secret", "postal"}
        written = minutes.minutes(session, session.get_one(Assembly, assembly_id), clock())
        assert [r.result for r in written.resolutions] == results
        workers_line = written.resolutions[0].colleges[0]
        assert (workers_line.name, workers_line.carried) == ("workers", False)
        head = session.query(AuditEntry).filter_by(kind="sitting_closed").one().hash
    french = chair.get(f"{page}/minutes").get_data(as_text=True)
    assert "Procès-verbal" in french
    assert "8 membres ont été convoqués par courrier électronique" in french
    assert head in french
    assert "Cette résolution est adoptée." in french
    assert "non adoptée" in french  # in the workers' college
    english = chair.get(f"{page}/minutes?lang=en").get_data(as_text=True)
    assert "Minutes of the ordinary general assembly" in english
    assert "This resolution is adopted." in english
    # The page prints the engine's figures: the attendance, each college, each count.
    attendance = accounts["attendance"]
    assert (f"{accounts['present']} members present or represented of {accounts['eligible']}:"
            f" {attendance['in_room']} in the room, {attendance['remote']} remote,"
            f" {attendance['represented']} represented by proxy, {attendance['postal']} by"
            " postal vote.") in english
    for result in results:
        counts = result["counts"]
        assert (f"Votes: {counts['yes']} for, {counts['no']} against, {counts['abstain']}"
                f" abstentions, {counts['blank']} blank, {counts['invalid']} spoiled;"
                f" {result['present']} present or represented of {result['eligible']}.") \
            in english
        for name, college in (result.get("colleges") or {}).items():
            row = (rf"<td>{name}</td><td>[^<]*</td><td>{college['present']}/"
                   rf"{college['members']}</td><td>{college['yes']}</td><td>{college['no']}"
                   rf"</td><td>{college['abstain']}</td><td>{college['blank']}</td>")
            assert re.search(row, english), name
    assert "Weighted share of yes: 62.5%." in english  # 5/8, the engine's share
    pdf = members["u0"].get(f"{page}/minutes.pdf")
    assert pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    rows = list(csv.reader(io.StringIO(members["u0"].get(f"{page}/sheet.csv")
                                       .get_data(as_text=True))))
    statuses = {row[1]: row[3] for row in rows[1:]}
    assert (statuses["w1"], statuses["u2"], statuses["w0"], statuses["p2"]) == (
        "represented", "postal", "room", "absent")
    assert len(rows) == 11


def test_a_first_convocation_without_quorum_then_a_second_that_decides(
        app: Flask, coop: dict[str, int], clock: Clock) -> None:
    chair = browser(app, "chair")
    assembly_id = prepare(app, chair, clock, days=16)
    page = f"{BASE}/{assembly_id}"
    chair.post(f"{page}/resolutions", data={"title": "Budget 2027", "body": "Adopt it."})
    chair.post(f"{page}/convene")
    browser(app, "w1").post(f"{page}/proxy", data={"holder": coop["w0"]})
    [(item, _)] = items(app, assembly_id)
    browser(app, "u2").post(f"{page}/postal", data={f"item-{item}": "yes"})
    clock.advance(days=16)
    chair.post(f"{page}/open")
    # Nobody comes: w1's proxy has no holder at the meeting, u2's postal vote alone counts,
    # 1 of 10 present where the quorum is 1/5.
    recorded = chair.post(f"{page}/no-quorum", follow_redirects=True)
    assert "quorum is not reached" in flashed(recorded)
    assert stored(app, assembly_id).status.value == "no_quorum"
    french = chair.get(f"{page}/minutes").get_data(as_text=True)
    assert "le quorum n'étant pas atteint" in french.lower()
    second = chair.post(f"{page}/second", data={"meets_at": local(clock, 11)})
    found = re.search(r"/assemblies/(\d+)", second.headers["Location"])
    assert found is not None
    second_id = int(found.group(1))
    again = f"{BASE}/{second_id}"
    assert stored(app, second_id).convocation == "second"
    assert "convocation is sent" in flashed(chair.post(f"{again}/convene",
                                                       follow_redirects=True))
    clock.advance(days=11)
    chair.post(f"{again}/open")
    code = stored(app, second_id).room_code
    w0 = browser(app, "w0")
    w0.post(f"{again}/check-in", data={"mode": "room", "code": code})
    [(second_item, _)] = items(app, second_id)
    chair.post(f"{again}/items/{second_item}/open", data={"minutes": ""})
    clock.advance(seconds=10)
    # The proxy and the postal vote given for the first convocation stand (R225-77, R225-79).
    assert "2 vote(s) recorded" in flashed(w0.post(
        f"{again}/items/{second_item}/vote",
        data={"position": "yes", "for_ids": [coop["w0"], coop["w1"]]}, follow_redirects=True))
    clock.advance(seconds=10)
    chair.post(f"{again}/items/{second_item}/close")
    chair.post(f"{again}/close")
    [(_, round_id)] = items(app, second_id)
    with app.app_context():
        result = json.loads(db.session().get_one(Round, round_id).result_json or "{}")
    assert (result["outcome"], result["convocation"], result["present"]) == (
        "adopted", "second", 3)
    assert result["counts"]["yes"] == 3


def test_a_resolution_amended_after_the_convocation_is_not_voted_at_the_sitting(
        app: Flask, coop: dict[str, int], clock: Clock) -> None:
    # The application does not amend in the meeting (docs/rules.md 8b, "Convocation by
    # e-mail" and 0.4): the members were convened, and voted by post, on the text convened.
    chair = browser(app, "chair")
    assembly_id = prepare(app, chair, clock, days=16)
    page = f"{BASE}/{assembly_id}"
    chair.post(f"{page}/resolutions", data={"title": "Budget 2027", "body": "Adopt it."})
    chair.post(f"{page}/convene")
    [(item, _)] = items(app, assembly_id)
    browser(app, "u2").post(f"{page}/postal", data={f"item-{item}": "yes"})
    with app.app_context():
        proposal_id = db.session().get_one(Assembly, assembly_id).items[0].proposal_id
    assert chair.post(f"/orgs/coop/proposals/{proposal_id}/amend", data={
        "title": "Budget 2027", "body": "Adopt it, halved.",
        "summary": "Halved."}).status_code == 302
    clock.advance(days=16)
    chair.post(f"{page}/open")
    refused = chair.post(f"{page}/items/{item}/open", data={"minutes": ""},
                         follow_redirects=True)
    assert "This proposal changed since the convocation: it cannot be voted." in flashed(
        refused)
    assert items(app, assembly_id) == [(item, None)]
