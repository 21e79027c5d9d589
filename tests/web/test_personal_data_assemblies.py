"""A member's general assemblies in their export, and in the assemblies' pages once they are
pseudonymised: she was the secretary of a sitting, attended it holding another member's
proxy, voted by post in another assembly (an open resolution and a secret one), and gave a
proxy for a third. Her export holds each, the secret resolution's postal vote without a
position; after she is pseudonymised the sitting's minutes, attendance sheet and pages name
her by her pseudonym, with the same figures, and recounts and the audit still pass.

The choice written in README ("Personal data"): the minutes and the attendance sheet the
application shows are read from the record's ids and the accounts' names, so they follow
the organisation's ``former_member_days``; the minutes kept as the legal record are the ones
the chair and the secretary signed at the sitting (printed or the PDF), which the
organisation keeps as its statuts require."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from decisions.web.models import (
    Assembly,
    AssemblyKind,
    AttendanceMode,
    Membership,
    Organisation,
    User,
)
from decisions.web.services import assemblies, minutes

from .conftest import Auth, Clock, unit
from .test_personal_data import checks_pass

NAME, EMAIL = "Zéphyrine Quatremare", "zephyrine.quatremare@example.org"
TRACES = ("Zéphyrine", "Quatremare", "zephyrine.quatremare")


def _assembly(session: Any, organisation_id: int, chair: Membership, clock: Clock,
              title: str, secretary_id: int | None = None) -> Assembly:
    """An ordinary assembly in 20 days, convened, with an open and a secret resolution."""
    assembly = assemblies.create_assembly(
        session, session.get_one(Organisation, organisation_id), chair, assemblies.Settings(
            title=title, kind=AssemblyKind.ORDINARY, meets_at=clock() + timedelta(days=20),
            place="Salle des fêtes", chair_id=chair.id, secretary_id=secretary_id),
        now=clock())
    assemblies.add_resolution(session, assembly, chair, title="Accounts 2025",
                              body="The assembly approves the accounts.", now=clock())
    assemblies.add_resolution(session, assembly, chair, title="Board election",
                              body="Elect the board.", secret=True, now=clock())
    assemblies.convene(session, assembly, chair, now=clock())
    return assembly


def test_her_assemblies_are_in_her_export_and_her_pseudonym_in_their_minutes(
        app: Flask, clock: Clock, runner: FlaskCliRunner, make_user: Callable[..., User],
        make_org: Callable[..., Organisation],
        make_member: Callable[..., Membership]) -> None:
    organisation = make_org("coop", admin="ana@example.org")
    make_user(EMAIL, name=NAME)
    her = make_member(organisation, EMAIL).id
    chair_id = make_member(organisation, "chair@example.org", role="facilitator").id
    w0 = make_member(organisation, "w0@example.org").id
    w1 = make_member(organisation, "w1@example.org").id
    with unit(app) as session:
        chair = session.get_one(Membership, chair_id)
        held = _assembly(session, organisation.id, chair, clock, "AGO 2026", secretary_id=her)
        by_post = _assembly(session, organisation.id, chair, clock, "AGE 2026")
        given = _assembly(session, organisation.id, chair, clock, "AGO 2027")
        sitting, postal, proxy_for = held.id, by_post.id, given.id
        open_item, secret_item = (item.id for item in by_post.items)
        assemblies.give_proxy(session, held, w1, her, by=session.get_one(Membership, w1),
                              now=clock())
        assemblies.vote_by_post(session, by_post, her,
                                {open_item: "yes", secret_item: "no"},
                                by=session.get_one(Membership, her), now=clock())
        assemblies.give_proxy(session, given, her, w0, by=session.get_one(Membership, her),
                              now=clock())
    clock.advance(days=20)
    with unit(app) as session:
        assembly = session.get_one(Assembly, sitting)
        chair = session.get_one(Membership, chair_id)
        assemblies.open_sitting(session, assembly, chair, now=clock())
        for member in (her, chair_id, w0):
            assemblies.check_in(session, assembly, member, AttendanceMode.ROOM, by=chair,
                                now=clock())
        for item, position in zip((i.id for i in assembly.items), ("no", "yes"), strict=True):
            assemblies.open_resolution(session, assembly, item, chair, minutes=None,
                                       now=clock())
            for member in (her, chair_id, w0):
                assemblies.cast(session, assembly, item, session.get_one(Membership, member),
                                position, for_ids=[member, w1] if member == her else [member],
                                now=clock())
            clock.advance(minutes=1)
            assemblies.close_resolution(session, assembly, item, chair, now=clock())
        assemblies.close_sitting(session, assembly, chair, now=clock())

    # Her export: the chair she held, her attendance, the proxies, her postal votes.
    client = app.test_client()
    assert Auth(client).login(EMAIL).status_code == 302
    data = json.loads(client.get("/account/data.json").get_data(as_text=True))
    found = {(entry["assembly"], entry["as"]) for entry in data["assemblies"]}
    assert found == {(sitting, "secretary"), (sitting, "attendee"), (sitting, "proxy holder"),
                     (postal, "postal voter"), (proxy_for, "proxy giver")}
    proxies = {entry["as"]: (entry["giver_member"], entry["holder_member"])
               for entry in data["assemblies"] if entry["as"].startswith("proxy")}
    assert proxies == {"proxy holder": (w1, her), "proxy giver": (her, w0)}
    votes = {entry["agenda_item"]: entry["position"] for entry in data["assemblies"]
             if entry["as"] == "postal voter"}
    assert votes == {open_item: "yes", secret_item: None}  # a secret resolution: no position
    [attended] = [e for e in data["assemblies"] if e["as"] == "attendee"]
    assert attended["mode"] == "room"
    secret_round = next(e["round"] for e in data["secret_participations"])
    assert secret_round not in {p["round"] for p in data["positions"]}

    pages = [f"/orgs/coop/assemblies/{sitting}", f"/orgs/coop/assemblies/{sitting}/sheet",
             f"/orgs/coop/assemblies/{sitting}/sheet.csv",
             f"/orgs/coop/assemblies/{sitting}/minutes",
             f"/orgs/coop/assemblies/{sitting}/minutes?lang=en", "/orgs/coop/assemblies/"]
    admin = app.test_client()
    assert Auth(admin).login("ana@example.org").status_code == 302
    before = {path: admin.get(path).get_data(as_text=True) for path in pages}
    assert NAME in before[f"/orgs/coop/assemblies/{sitting}/minutes"]
    assert NAME in before[f"/orgs/coop/assemblies/{sitting}/sheet.csv"]

    def figures() -> Any:
        with unit(app) as session:
            assembly = session.get_one(Assembly, sitting)
            written = minutes.minutes(session, assembly, clock())
            return ([(r.outcome, r.result) for r in written.resolutions], written.audit_head,
                    sorted((row[0], row[2], row[3], row[5], row[6])  # by name: not these
                           for row in minutes.attendance_rows(session, assembly, clock())))

    recorded = figures()
    checks_pass(runner)

    # The admin ends her membership: pseudonymised at once (the default period).
    removed = admin.post(f"/orgs/coop/members/{her}/remove")
    assert removed.status_code == 302
    admin.get(removed.location)  # its message, which named her to the admin who did it
    with unit(app) as session:
        user = session.scalars(select(User).join(Membership).where(Membership.id == her)).one()
        pseudonym = user.name
    assert pseudonym.startswith("Ancien membre ")
    assert figures() == recorded
    checks_pass(runner)
    for path in pages:
        response = admin.get(path)
        assert response.status_code == 200, path
        text = response.get_data(as_text=True)
        assert [trace for trace in TRACES if trace in text] == [], (path, [
            text[max(0, text.index(trace) - 300):text.index(trace) + 100]
            for trace in TRACES if trace in text])
    assert pseudonym in admin.get(f"/orgs/coop/assemblies/{sitting}/minutes").get_data(
        as_text=True)
    assert pseudonym in admin.get(f"/orgs/coop/assemblies/{sitting}/sheet.csv").get_data(
        as_text=True)
