"""General assemblies through the API (issue 14, on the services of issue 13): the list, a
sitting with its agenda, attendance and quorum, its minutes as figures once closed; a
resolution voted through the ballot of its round, as on the sitting's page (checked in,
for oneself and by proxy), a secret one revealing nothing the pages do not."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from decisions.web import db
from decisions.web.models import (
    Assembly,
    AssemblyKind,
    AttendanceMode,
    AuditEntry,
    Membership,
    Organisation,
    RoundKind,
)
from decisions.web.services import assemblies, minutes, proposals, rounds

from .api_world import Api, token_for
from .conftest import Clock, module_world, unit
from .round_pages import MakeMember, MakeOrg

ADMIN, CHAIR, OUTSIDER = "ana@coop.example.org", "fay@coop.example.org", "out@other.example.org"
NAMES = ("w0", "w1", "u0", "u1", "p0", "p1")
COLLEGES = {"w": "workers", "u": "users", "p": "partners"}
#: The sitting meets this long after the world's (and each test's) clock starts.
MEETING = timedelta(days=20)


def email(name: str) -> str:
    return f"{name}@coop.example.org"


@module_world
def coop(app: Flask, clock: Clock, make_org: MakeOrg, make_member: MakeMember,
         ) -> dict[str, int]:
    """A SCIC (colleges 50/30/20), its chair and two members per college; an ordinary
    assembly convened with two resolutions (the second secret), w1's proxy to w0 and p1's
    postal vote, its sitting open on the meeting's day with the chair, w0, u0 and p0 checked
    in and the first resolution being voted; and an extraordinary one in preparation."""
    organisation = make_org("coop", admin=ADMIN,
                            colleges={"workers": 50, "users": 30, "partners": 20})
    make_org("other", admin=OUTSIDER)
    ids = {"chair": make_member(organisation, CHAIR, role="facilitator",
                                college="workers").id}
    for name in NAMES:
        ids[name] = make_member(organisation, email(name), college=COLLEGES[name[0]]).id
    start = clock()
    with unit(app) as session:
        org = session.get_one(Organisation, organisation.id)
        chair = session.get_one(Membership, ids["chair"])
        sitting = assemblies.create_assembly(session, org, chair, assemblies.Settings(
            title="AGO 2026", kind=AssemblyKind.ORDINARY, meets_at=start + MEETING,
            place="Salle des fêtes", video_link="https://meet.example.org/ago",
            max_proxies_per_holder=1, chair_id=chair.id), now=start)
        assemblies.add_resolution(session, sitting, chair, title="Accounts 2025",
                                  body="The assembly approves the accounts.", now=start)
        assemblies.add_resolution(session, sitting, chair, title="Board election",
                                  body="Elect the board.", secret=True, now=start)
        assemblies.convene(session, sitting, chair, now=start)
        assemblies.give_proxy(session, sitting, ids["w1"], ids["w0"],
                              by=session.get_one(Membership, ids["w1"]), now=start)
        items = [i.id for i in sitting.items]
        assemblies.vote_by_post(session, sitting, ids["p1"], {items[0]: "yes", items[1]: "no"},
                                by=session.get_one(Membership, ids["p1"]), now=start)
        later = assemblies.create_assembly(session, org, chair, assemblies.Settings(
            title="AGE 2026", kind=AssemblyKind.EXTRAORDINARY, meets_at=start + 2 * MEETING,
            place="Salle des fêtes"), now=start)
        ids.update(assembly=sitting.id, later=later.id, item1=items[0], item2=items[1])
    meeting = start + MEETING
    with unit(app) as session:
        sitting = session.get_one(Assembly, ids["assembly"])
        chair = session.get_one(Membership, ids["chair"])
        assemblies.open_sitting(session, sitting, chair, now=meeting)
        for name in ("chair", "w0", "u0", "p0"):
            assemblies.check_in(session, sitting, ids[name], AttendanceMode.ROOM, by=chair,
                                now=meeting)
        ids["round1"] = assemblies.open_resolution(session, sitting, ids["item1"], chair,
                                                   minutes=None, now=meeting).id
    return ids


@pytest.fixture
def app(rolled_back_app: Flask, coop: dict[str, int], clock: Clock) -> Flask:
    clock.advance(days=MEETING.days, minutes=5)  # the sitting is open, resolution 1 voted
    return rolled_back_app


def api(client: FlaskClient, app: Flask, who: str,
        scopes: tuple[str, ...] = ("read", "vote")) -> Api:
    return Api(client, token_for(app, who, scopes))


def problem(answer: Any, status: int, code: str) -> dict[str, Any]:
    assert answer.status_code == status, answer.get_data(as_text=True)
    assert answer.mimetype == "application/problem+json"
    found: dict[str, Any] = answer.get_json()
    assert found["code"] == code, found
    return found


def test_the_assemblies_are_listed_a_page_at_a_time(
        app: Flask, client: FlaskClient, coop: dict[str, int]) -> None:
    reader = api(client, app, email("u1"), ("read",))
    first = reader.get("/organisations/coop/assemblies?limit=1")
    assert first.status_code == 200
    [latest] = first.get_json()["items"]
    assert (latest["id"], latest["title"], latest["kind"], latest["status"]) == (
        coop["later"], "AGE 2026", "extraordinary", "draft")
    cursor = first.get_json()["next_cursor"]
    second = reader.get(f"/organisations/coop/assemblies?limit=1&cursor={cursor}").get_json()
    assert [a["id"] for a in second["items"]] == [coop["assembly"]]
    assert second["next_cursor"] is None
    problem(api(client, app, OUTSIDER).get("/organisations/coop/assemblies"), 403,
            "organisation.not_member")


def test_a_sitting_is_read_with_its_agenda_attendance_and_quorum(
        app: Flask, client: FlaskClient, coop: dict[str, int], clock: Clock) -> None:
    answer = api(client, app, email("w0")).get(f"/assemblies/{coop['assembly']}")
    assert answer.status_code == 200, answer.get_json()
    found = answer.get_json()
    assert (found["title"], found["kind"], found["status"], found["convocation"]) == (
        "AGO 2026", "ordinary", "in_session", "first")
    assert found["meets_at"] == (clock() - timedelta(minutes=5)).isoformat().replace(
        "+00:00", "Z")
    assert (found["place"], found["chair"]) == ("Salle des fêtes", "fay")
    first, second = found["agenda"]
    assert (first["number"], first["round_id"], first["round_status"], first["preset"],
            first["family"], first["secret"]) == (1, coop["round1"], "open", "scic_sa_ago",
                                                  "scic_college", False)
    assert (second["round_id"], second["secret"], second["outcome"]) == (None, True, None)
    assert found["current_round_id"] == coop["round1"]
    with app.app_context():
        sheet = assemblies.sheet(db.session(), db.session().get_one(Assembly, coop["assembly"]),
                                 clock())
    attendance = found["attendance"]
    assert attendance["counts"] == sheet.attendance
    assert attendance["counts"]["in_room"] == 4
    assert attendance["counts"]["represented"] == 1
    assert attendance["counts"]["postal"] == 1
    assert set(attendance["by_college"]) == {"workers", "users", "partners"}
    assert attendance["by_college"] == sheet.by_college
    assert attendance["quorum_met"] is sheet.quorum_met is True
    assert [q["preset"] for q in attendance["quorums"]] == ["scic_sa_ago"]
    assert "lines" not in attendance  # who is where: the sheet's page, not these figures
    me = found["me"]
    assert (me["on_roll"], me["checked_in"], me["proxies_held"]) == (True, "room",
                                                                     [coop["w1"]])
    assert [(v["member_id"], v["own"], v["cast"]) for v in me["voices"]] == [
        (coop["w0"], True, None), (coop["w1"], False, None)]
    problem(api(client, app, OUTSIDER).get(f"/assemblies/{coop['assembly']}"), 404,
            "not_found")


def test_a_resolution_is_voted_through_its_rounds_ballot_as_on_the_sittings_page(
        app: Flask, client: FlaskClient, coop: dict[str, int], clock: Clock) -> None:
    path = f"/rounds/{coop['round1']}/ballot"
    absent = problem(api(client, app, email("u1")).put(path, {"position": "yes"}), 403,
                     "vote.not_present")
    assert absent["detail"] == ("Check in first: members vote from the meeting (those who"
                                " voted by post have voted).")
    problem(api(client, app, email("w0"), ("read",)).put(path, {"position": "yes"}), 403,
            "token.scope")
    holder = api(client, app, email("w0"))
    problem(holder.put(path, {"position": "maybe"}), 422, "vote.position")
    voted = holder.put(path, {"position": "no", "for_members": [coop["w0"], coop["w1"]]},
                       {"Idempotency-Key": "w0-and-w1"})
    assert voted.status_code == 200, voted.get_json()
    assert (voted.get_json()["voted"], voted.get_json()["position"]) == (True, "no")
    again = holder.put(path, {"position": "no", "for_members": [coop["w0"], coop["w1"]]},
                       {"Idempotency-Key": "w0-and-w1"})
    assert again.headers["Idempotent-Replayed"] == "true"
    voices = holder.get(f"/assemblies/{coop['assembly']}").get_json()["me"]["voices"]
    assert [(v["member_id"], v["cast"]) for v in voices] == [(coop["w0"], "no"),
                                                             (coop["w1"], "no")]
    refused = problem(api(client, app, email("u0")).put(path, {
        "position": "yes", "for_members": [coop["w1"]]}), 403, "vote.not_represented")
    assert refused["detail"] == ("You cannot vote for w1: no standing proxy, or they take part"
                                 " themselves.")
    # A platform voting for its member with the organisation's token, as for any round.
    platform = Api(client, token_for(app, ADMIN, ("read", "vote"), organisation="coop"),
                   {"Decisions-Member": str(coop["p0"])})
    assert platform.put(path, {"position": "yes"}).status_code == 200
    with app.app_context():
        cast = [json.loads(data) for data in db.session().scalars(select(AuditEntry.data).where(
            AuditEntry.kind == "ballot_cast"))]
    assert [e["round"] for e in cast] == [coop["round1"]] * 3  # w0's, w1's by w0, p0's
    # Elsewhere, a vote for another member is refused.
    with unit(app) as session:
        organisation = session.scalar(select(Organisation).where(Organisation.slug == "coop"))
        assert organisation is not None
        author = session.get_one(Membership, coop["chair"])
        proposal = proposals.create_proposal(session, organisation, author, title="T",
                                             body="B", family="majority",
                                             params={"preset": "association_default"},
                                             now=clock())
        other_round = rounds.open_round(session, proposal, RoundKind.VOTE, now=clock(),
                                        closes_at=clock() + timedelta(days=7)).id
    problem(holder.put(f"/rounds/{other_round}/ballot", {
        "position": "yes", "for_members": [coop["w1"]]}), 422, "ballot.for_members")


def test_a_secret_resolution_and_the_minutes_reveal_nothing_the_pages_do_not(
        app: Flask, client: FlaskClient, coop: dict[str, int], clock: Clock) -> None:
    holder, reader = api(client, app, email("w0")), api(client, app, email("u1"), ("read",))
    refused = problem(reader.get(f"/assemblies/{coop['assembly']}/minutes"), 409,
                      "minutes.not_closed")
    assert refused["detail"] == "The minutes are written once the assembly is closed."
    for name, position in (("w0", "yes"), ("u0", "no"), ("p0", "yes")):
        answer = api(client, app, email(name)).put(f"/rounds/{coop['round1']}/ballot",
                                                   {"position": position})
        assert answer.status_code == 200, answer.get_json()
    clock.advance(minutes=5)
    problem(holder.post(f"/rounds/{coop['round1']}/close"), 403, "token.scope")
    closed = api(client, app, CHAIR, ("read", "facilitate")).post(
        f"/rounds/{coop['round1']}/close")  # as the sitting's page closes it
    assert closed.status_code == 200, closed.get_json()
    assert closed.get_json()["status"] == "closed"
    with unit(app) as session:
        sitting = session.get_one(Assembly, coop["assembly"])
        chair = session.get_one(Membership, coop["chair"])
        closing = session.scalars(select(AuditEntry).where(
            AuditEntry.kind == "round_closed")).one()
        assert closing.actor_id == chair.id
        secret_round = assemblies.open_resolution(session, sitting, coop["item2"], chair,
                                                  minutes=None, now=clock()).id
    clock.advance(minutes=1)
    path = f"/rounds/{secret_round}/ballot"
    assert holder.put(path, {"position": "no", "for_members": [coop["w0"], coop["w1"]]},
                      ).status_code == 200
    mine = holder.get(path).get_json()
    assert (mine["secret"], mine["voted"], mine["position"], mine["cast_at"]) == (
        True, True, None, None)
    voices = holder.get(f"/assemblies/{coop['assembly']}").get_json()["me"]["voices"]
    assert {v["cast"] for v in voices} == {"secret"}
    live = reader.get(f"/rounds/{secret_round}/result").get_json()
    assert (live["counts"], live["voters"], live["counts_visible"]) == (None, None, False)
    log = reader.get("/organisations/coop/audit?limit=200").get_json()["items"]
    secret_ballots = [e["data"] for e in log if e["kind"] == "ballot_cast"
                      and e["data"].get("round") == secret_round]
    assert len(secret_ballots) == 2
    assert not any({"position", "member", "ballot"} & set(data) for data in secret_ballots)
    clock.advance(minutes=5)
    with unit(app) as session:
        sitting = session.get_one(Assembly, coop["assembly"])
        chair = session.get_one(Membership, coop["chair"])
        assemblies.close_resolution(session, sitting, coop["item2"], chair, now=clock())
        assemblies.close_sitting(session, sitting, chair, now=clock())
    answer = reader.get(f"/assemblies/{coop['assembly']}/minutes")
    assert answer.status_code == 200, answer.get_json()
    found = answer.get_json()
    with app.app_context():
        session = db.session()
        written = minutes.minutes(session, session.get_one(Assembly, coop["assembly"]),
                                  clock())
        sitting_closed = session.scalars(select(AuditEntry).where(
            AuditEntry.kind == "sitting_closed")).one()
    assert (found["status"], found["chair"], found["notice_days"]) == (
        "closed", "fay", written.notice_days)
    assert (found["audit_seq"], found["audit_head"]) == (sitting_closed.seq,
                                                         sitting_closed.hash)
    assert found["attendance"]["counts"] == written.sheet.attendance
    public, secret = found["resolutions"]
    assert [(r["number"], r["outcome"], r["round_id"]) for r in found["resolutions"]] == [
        (r.number, r.outcome, r.round_id) for r in written.resolutions]
    assert public["colleges"] == [
        {"name": c.name, "weight": c.weight, "members": c.members, "present": c.present,
         "yes": c.yes, "no": c.no, "abstain": c.abstain, "blank": c.blank,
         "invalid": c.invalid, "yes_share": c.yes_share, "carried": c.carried}
        for c in written.resolutions[0].colleges]
    assert public["explanation"]
    assert secret["secret"] is True
    assert "w0" not in json.dumps(secret)
    assert "w1" not in json.dumps(secret)
    assert reader.get(f"/assemblies/{coop['assembly']}").get_json()["agenda"][1][
        "outcome"] == written.resolutions[1].outcome
