"""General assemblies through the services: convocation, proxies, postal votes, attendance,
live votes by college, a first convocation without quorum and the second one."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from decisions.engine import evaluate, load_case
from decisions.web.models import (
    Assembly,
    AssemblyKind,
    AttendanceMode,
    Membership,
    Notice,
    Organisation,
)
from decisions.web.services import assemblies, home, minutes, rounds

from .conftest import Clock, unit

Scic = tuple[Organisation, dict[str, int]]


@pytest.fixture
def scic(make_org: Callable[..., Organisation],
         make_member: Callable[..., Membership]) -> Scic:
    """A SCIC with colleges 50/30/20 and three members in each, and a facilitator."""
    organisation = make_org("coop", admin="ana@example.org",
                            colleges={"workers": 50, "users": 30, "partners": 20})
    ids = {}
    for college in ("workers", "users", "partners"):
        for i in range(3):
            name = f"{college[0]}{i}"
            ids[name] = make_member(organisation, f"{name}@example.org", college=college).id
    ids["chair"] = make_member(organisation, "chair@example.org", role="facilitator",
                               college="workers").id
    return organisation, ids


def _member(session: Any, ids: dict[str, int], name: str) -> Membership:
    found: Membership = session.get_one(Membership, ids[name])
    return found


def _assembly(session: Any, organisation: Organisation, ids: dict[str, int], clock: Clock,
              days: int = 20, **settings: Any) -> Assembly:
    org = session.get_one(Organisation, organisation.id)
    chair = _member(session, ids, "chair")
    assembly = assemblies.create_assembly(session, org, chair, assemblies.Settings(
        title="AGO 2026", kind=AssemblyKind.ORDINARY, meets_at=clock() + timedelta(days=days),
        place="Salle des fêtes", max_proxies_per_holder=1, chair_id=chair.id,
        **settings), now=clock())
    assemblies.add_resolution(session, assembly, chair, title="Accounts 2025",
                              body="The assembly approves the accounts.", now=clock())
    assemblies.add_resolution(session, assembly, chair, title="Board election",
                              body="Elect the board.", secret=True, now=clock())
    return assembly


def _sitting_in_session(session: Any, assembly: Assembly, ids: dict[str, int],
                        clock: Clock) -> Membership:
    """Open the sitting and check in six members (the proxy holder w0 among them); the
    chair."""
    chair = _member(session, ids, "chair")
    assemblies.open_sitting(session, assembly, chair, now=clock())
    for name in ("w0", "w2", "u0", "u1", "p0", "chair"):
        assemblies.check_in(session, assembly, ids[name], AttendanceMode.ROOM, by=chair,
                            now=clock())
    return chair


def test_a_convocation_too_late_is_refused_with_the_days_missing(
        app: Flask, scic: Scic, clock: Clock) -> None:
    organisation, ids = scic
    with unit(app) as session:
        assembly = _assembly(session, organisation, ids, clock, days=10)
        with pytest.raises(assemblies.ConvocationRefused) as refused:
            assemblies.convene(session, assembly, _member(session, ids, "chair"), now=clock())
        assert refused.value.params == {"days": 5}


def test_an_assembly_from_convocation_to_minutes(app: Flask, scic: Scic, clock: Clock) -> None:
    organisation, ids = scic
    with unit(app) as session:
        assembly = _assembly(session, organisation, ids, clock)
        sent = assemblies.convene(session, assembly, _member(session, ids, "chair"),
                                  now=clock())
        assert sent == 11
        assert session.query(Notice).filter_by(kind="convocation").count() == 11
        assembly_id = assembly.id
    with unit(app) as session:
        assembly = session.get_one(Assembly, assembly_id)
        w0 = _member(session, ids, "w0")
        assemblies.give_proxy(session, assembly, ids["w1"], ids["w0"],
                              by=_member(session, ids, "w1"), now=clock())
        with pytest.raises(assemblies.ProxyRefused) as over:
            assemblies.give_proxy(session, assembly, ids["w2"], ids["w0"],
                                  by=_member(session, ids, "w2"), now=clock())
        assert over.value.code == "proxy.over_cap"
        items = [i.id for i in assembly.items]
        assemblies.vote_by_post(session, assembly, ids["u2"], {items[0]: "yes", items[1]: "no"},
                                by=_member(session, ids, "u2"), now=clock())
        del w0
    clock.advance(days=20)
    with unit(app) as session:
        assembly = session.get_one(Assembly, assembly_id)
        chair = _sitting_in_session(session, assembly, ids, clock)
        found = assemblies.sheet(session, assembly, clock())
        assert found.quorum_met
        assert found.attendance == {"in_room": 6, "remote": 0, "remote_not_counted": 0,
                                    "represented": 1, "postal": 1}
        first = assembly.items[0]
        assemblies.open_resolution(session, assembly, first.id, chair, minutes=None,
                                   now=clock())
    clock.advance(minutes=1)
    with unit(app) as session:
        assembly = session.get_one(Assembly, assembly_id)
        item = assembly.items[0].id
        w0 = _member(session, ids, "w0")
        voices = assemblies.voices(session, assembly, w0, clock())
        assert {v.for_id for v in voices} == {ids["w0"], ids["w1"]}
        assemblies.cast(session, assembly, item, w0, "no", for_ids=[ids["w0"], ids["w1"]],
                        now=clock())
        assemblies.cast(session, assembly, item, _member(session, ids, "w2"), "no",
                        for_ids=[ids["w2"]], now=clock())
        assemblies.cast(session, assembly, item, _member(session, ids, "u0"), "yes",
                        for_ids=[ids["u0"]], now=clock())
        with pytest.raises(assemblies.VoteRefused):
            assemblies.cast(session, assembly, item, _member(session, ids, "u0"), "yes",
                            for_ids=[ids["u2"]], now=clock())
        room = assemblies.RoomCounts
        with pytest.raises(assemblies.VoteRefused):
            assemblies.enter_room_counts(session, assembly, item, {"users": room(yes=2)},
                                         _member(session, ids, "chair"), now=clock())
    clock.advance(minutes=1)
    with unit(app) as session:
        assembly = session.get_one(Assembly, assembly_id)
        item = assembly.items[0].id
        chair = _member(session, ids, "chair")
        assemblies.enter_room_counts(session, assembly, item,
                                     {"users": room(yes=1), "partners": room(yes=1),
                                      "workers": room(yes=1)}, chair, now=clock())
        round_ = assemblies.close_resolution(session, assembly, item, chair, now=clock())
        result = json.loads(round_.result_json or "{}")
        assert result["outcome"] == "adopted"
        assert result["colleges"]["workers"]["yes"] == 1
        assert result["colleges"]["workers"]["no"] == 3
        assert evaluate(load_case(json.loads(round_.case_json or "{}"))).to_json() == result
    with unit(app) as session:
        assembly = session.get_one(Assembly, assembly_id)
        chair = _member(session, ids, "chair")
        second = assembly.items[1].id
        assemblies.open_resolution(session, assembly, second, chair, minutes=5, now=clock())
        assemblies.cast(session, assembly, second, _member(session, ids, "w0"), "yes",
                        for_ids=[ids["w0"], ids["w1"]], now=clock())
        clock.advance(minutes=1)
        round_ = assemblies.close_resolution(session, assembly, second, chair, now=clock())
        result = json.loads(round_.result_json or "{}")
        assert result["tallies"][0]["source"] in ("secret", "postal")
        assemblies.close_sitting(session, assembly, chair, now=clock())
    with unit(app) as session:
        assembly = session.get_one(Assembly, assembly_id)
        written = minutes.minutes(session, assembly, clock())
        assert written.audit_head is not None
        assert [r.outcome for r in written.resolutions] == ["adopted", result["outcome"]]
        rows = minutes.attendance_rows(session, assembly, clock())
        assert len(rows) == 11


def _convened(app: Flask, scic: Scic, clock: Clock, **settings: Any) -> int:
    organisation, ids = scic
    with unit(app) as session:
        assembly = _assembly(session, organisation, ids, clock, **settings)
        assemblies.convene(session, assembly, _member(session, ids, "chair"), now=clock())
        return assembly.id


@pytest.mark.parametrize(("giver", "holder", "code"), [
    ("w1", "w1", "proxy.self"),
    ("w2", "w1", "proxy.chain"),  # w1 gave a proxy to w0 first
    ("w0", "u0", "proxy.chain_giver"),  # w0 holds w1's
    ("u0", "w2", "proxy.college"),
])
def test_proxies_the_engine_would_refuse_are_refused_when_given(
        app: Flask, scic: Scic, clock: Clock, giver: str, holder: str, code: str) -> None:
    ids = scic[1]
    assembly_id = _convened(app, scic, clock, proxy_same_college=True)
    with unit(app) as session:
        assembly = session.get_one(Assembly, assembly_id)
        assemblies.give_proxy(session, assembly, ids["w1"], ids["w0"],
                              by=_member(session, ids, "w1"), now=clock())
        with pytest.raises(assemblies.ProxyRefused) as refused:
            assemblies.give_proxy(session, assembly, ids[giver], ids[holder],
                                  by=_member(session, ids, giver), now=clock())
        assert refused.value.code == code


def test_a_proxy_is_revocable_until_its_holder_first_votes(
        app: Flask, scic: Scic, clock: Clock) -> None:
    ids = scic[1]
    assembly_id = _convened(app, scic, clock)
    with unit(app) as session:
        assembly = session.get_one(Assembly, assembly_id)
        for giver in ("w1", "u1"):
            assemblies.give_proxy(session, assembly, ids[giver], ids["w0" if giver == "w1"
                                                                     else "u0"],
                                  by=_member(session, ids, giver), now=clock())
        assemblies.revoke_proxy(session, assembly, ids["u1"], by=_member(session, ids, "u1"),
                                now=clock())
    clock.advance(days=20)
    with unit(app) as session:
        assembly = session.get_one(Assembly, assembly_id)
        chair = _member(session, ids, "chair")
        assemblies.open_sitting(session, assembly, chair, now=clock())
        assemblies.check_in(session, assembly, ids["w0"], AttendanceMode.ROOM, by=chair,
                            now=clock())
        assemblies.open_resolution(session, assembly, assembly.items[0].id, chair,
                                   minutes=None, now=clock())
        assemblies.cast(session, assembly, assembly.items[0].id, _member(session, ids, "w0"),
                        "yes", for_ids=[ids["w0"]], now=clock())
        with pytest.raises(assemblies.ProxyRefused) as refused:
            assemblies.revoke_proxy(session, assembly, ids["w1"],
                                    by=_member(session, ids, "w1"), now=clock())
        assert refused.value.code == "proxy.used"


def test_a_secret_resolution_stores_no_named_ballot_even_cast_by_a_proxy_holder(
        app: Flask, scic: Scic, clock: Clock) -> None:
    from decisions.web.models import AuditEntry, Ballot, Participation
    ids = scic[1]
    assembly_id = _convened(app, scic, clock)
    with unit(app) as session:
        assembly = session.get_one(Assembly, assembly_id)
        assemblies.give_proxy(session, assembly, ids["w1"], ids["w0"],
                              by=_member(session, ids, "w1"), now=clock())
        with pytest.raises(assemblies.AssemblyError):  # the meeting's day has not come
            assemblies.check_in(session, assembly, ids["w0"], AttendanceMode.ROOM,
                                by=_member(session, ids, "chair"), now=clock())
    clock.advance(days=20)
    with unit(app) as session:
        assembly = session.get_one(Assembly, assembly_id)
        chair = _member(session, ids, "chair")
        assemblies.open_sitting(session, assembly, chair, now=clock())
        assemblies.check_in(session, assembly, ids["w0"], AttendanceMode.ROOM, by=chair,
                            now=clock())
        secret = assembly.items[1]
        assemblies.open_resolution(session, assembly, assembly.items[0].id, chair,
                                   minutes=None, now=clock())
        clock.advance(seconds=5)
        assemblies.close_resolution(session, assembly, assembly.items[0].id, chair,
                                    now=clock())
        assemblies.open_resolution(session, assembly, secret.id, chair, minutes=None,
                                   now=clock())
        assemblies.cast(session, assembly, secret.id, _member(session, ids, "w0"), "no",
                        for_ids=[ids["w0"], ids["w1"]], now=clock())
        round_id = secret.round_id
    with unit(app) as session:
        assert session.query(Ballot).filter_by(round_id=round_id).count() == 0
        took_part = {p.membership_id for p in session.query(Participation)
                     .filter_by(round_id=round_id)}
        assert took_part == {ids["w0"], ids["w1"]}
        entries = [json.loads(e.data) for e in session.query(AuditEntry)
                   .filter_by(kind="ballot_cast") if json.loads(e.data)["round"] == round_id]
        assert len(entries) == 2
        assert all(set(e) == {"round", "ballots"} for e in entries)  # no member, no position


def test_postal_votes_are_taken_until_the_day_before_the_meeting(
        app: Flask, scic: Scic, clock: Clock) -> None:
    ids = scic[1]
    assembly_id = _convened(app, scic, clock)
    clock.advance(days=19, hours=15)  # the meeting's day in Paris (18:00 local, 20 days on)
    with unit(app) as session:
        assembly = session.get_one(Assembly, assembly_id)
        with pytest.raises(assemblies.VoteRefused) as refused:
            assemblies.vote_by_post(session, assembly, ids["u2"],
                                    {assembly.items[0].id: "yes"},
                                    by=_member(session, ids, "u2"), now=clock())
        assert refused.value.code == "postal.closed"


def test_the_minutes_pdf_falls_back_to_a_core_font_without_dejavu(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    from decisions.web.assemblies import pdf
    monkeypatch.setattr(pdf, "FONT_DIR", tmp_path)
    data = pdf.minutes_pdf("<h1>Procès-verbal</h1><p>L’assemblée a voté : 1 000 €.</p>",
                           title="PV")
    assert data.startswith(b"%PDF")


def _first_resolution_open(app: Flask, scic: Scic, clock: Clock) -> int:
    """An assembly convened (w1's proxy given to w0), its sitting held twenty days later
    and its first resolution opened: that resolution's round id."""
    organisation, ids = scic
    with unit(app) as session:
        assembly = _assembly(session, organisation, ids, clock)
        assemblies.convene(session, assembly, _member(session, ids, "chair"), now=clock())
        assemblies.give_proxy(session, assembly, ids["w1"], ids["w0"],
                              by=_member(session, ids, "w1"), now=clock())
        assembly_id = assembly.id
    clock.advance(days=20)
    with unit(app) as session:
        assembly = session.get_one(Assembly, assembly_id)
        chair = _sitting_in_session(session, assembly, ids, clock)
        assemblies.open_resolution(session, assembly, assembly.items[0].id, chair,
                                   minutes=None, now=clock())
        opened = assembly.items[0].round
        assert opened is not None
        return opened.id


def test_a_resolution_is_voted_from_the_assembly_only_never_through_the_round_itself(
        app: Flask, scic: Scic, clock: Clock) -> None:
    """A resolution's round takes the ballots of members checked in, cast through the
    assembly (``assemblies.cast``): the plain ballot of a round (its page, or the API's
    ``PUT /rounds/{id}/ballot`` outside an assembly) must not let a member who is absent,
    represented or who voted by post vote on it."""
    ids = scic[1]
    round_id = _first_resolution_open(app, scic, clock)
    clock.advance(minutes=1)
    for name in ("p1", "w1", "w0"):  # absent, represented, and even present
        with unit(app) as session, pytest.raises(rounds.BallotRefused) as refused:
            rounds.cast_ballot(session, round_id, ids[name], "yes", now=clock())
        assert refused.value.code == "ballot.assembly_resolution"


def test_a_resolution_voted_in_the_meeting_does_not_await_members_on_their_home(
        app: Flask, scic: Scic, clock: Clock) -> None:
    """A resolution's round is answered in the meeting (checked in, by proxy, by post), not
    from the home page: it is not listed there as awaiting the member's answer."""
    ids = scic[1]
    _first_resolution_open(app, scic, clock)
    with unit(app) as session:
        for name in ("p1", "w0"):  # absent, present
            found = home.home(session, _member(session, ids, name), clock())
            assert found.awaiting == ()
            assert found.answered == ()
