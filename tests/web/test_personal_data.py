"""Personal data as the GDPR asks, without breaking the record of decisions: a member's
export, closing an account, pseudonymisation when they belong nowhere, their reasons and
comments removed after the organisation's period; results, recounts and the audit
verification unchanged throughout, and no page, export or log line naming them after."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from decisions.web import db, scheduler
from decisions.web.cli import cli
from decisions.web.models import (
    AuditEntry,
    Ballot,
    Comment,
    Membership,
    Organisation,
    Proposal,
    Role,
    Round,
    RoundKind,
    User,
)
from decisions.web.services import (
    accounts,
    comments,
    objections,
    organisations,
    personal_data,
    proposals,
)

from .conftest import PASSWORD, Auth, Clock, unit
from .live import Browser, Live, gunicorn
from .round_steps import close_due, open_round, proposal_of, vote

NAME, EMAIL = "Zéphyrine Quatremare", "zephyrine.quatremare@example.org"
REASON = "Quatremare thinks the cargo bikes cost too much"
CONCERN = "A concern only Zéphyrine would write"
COMMENT = "Zéphyrine asks where the bikes will be kept"
#: What must appear nowhere once she is pseudonymised and her writings removed.
TRACES = ("Zéphyrine", "Zephyrine", "Quatremare", "quatremare", "zephyrine.quatremare",
          REASON, CONCERN, COMMENT)


@dataclass
class Coop:
    """The organisation, its admin's and other members' membership ids, hers, and the
    rounds she took part in."""

    organisation: Organisation
    admin: int
    others: list[int]
    her: int
    her_user: int
    rounds: dict[str, int]
    proposals: dict[str, int]


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Everything the application's loggers say, at DEBUG, and SQLAlchemy's statements (as
    an operator who turned them on would see them)."""
    caplog.set_level(logging.DEBUG, logger="decisions")
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    return caplog


def _secret_proposal(app: Flask, organisation: Organisation, author: int, clock: Clock) -> int:
    with unit(app) as session:
        return proposals.create_proposal(
            session, session.get_one(Organisation, organisation.id),
            session.get_one(Membership, author), title="Elect the board", body="Secret.",
            family="majority", params={"preset": "association_default"}, now=clock(),
            secret=True).id


def build(app: Flask, clock: Clock, make_user: Callable[..., User],
          make_org: Callable[..., Organisation],
          make_member: Callable[..., Membership]) -> Coop:
    """She votes in a consent round (an objection with a reason, a concern), a secret vote,
    a sociocratic consent (an objection qualified as a concern), comments in a clarifying
    round; all closed. Then she votes in an open vote, left open."""
    organisation = make_org("coop", admin="ana@example.org")
    her_user = make_user(EMAIL, name=NAME)
    her = make_member(organisation, EMAIL).id
    others = [make_member(organisation, f"m{i}@example.org").id for i in range(4)]
    with app.app_context():
        admin = db.session().scalar(select(Membership.id).join(User).where(
            User.email == "ana@example.org"))
    assert admin is not None
    everyone = [admin, her, *others]
    rounds: dict[str, int] = {}
    made: dict[str, int] = {}
    made["consent"] = proposal_of(app, organisation, admin, "consent",
                                  {"preset": "consent_async"}, clock)
    rounds["consent"] = open_round(app, made["consent"], RoundKind.CONSENT, clock)
    vote(app, rounds["consent"], her, "object", clock, reason=REASON)
    vote(app, rounds["consent"], her, "consent", clock, concern=CONCERN)  # changed her mind
    vote(app, rounds["consent"], others[0], "consent", clock)
    made["secret"] = _secret_proposal(app, organisation, admin, clock)
    rounds["secret"] = open_round(app, made["secret"], RoundKind.VOTE, clock)
    vote(app, rounds["secret"], her, "yes", clock)
    vote(app, rounds["secret"], others[0], "no", clock)
    vote(app, rounds["secret"], others[1], "yes", clock)
    made["socio"] = proposal_of(app, organisation, admin, "sociocratic_consent",
                                {"preset": "sociocratic_consent"}, clock)
    rounds["talk"] = open_round(app, made["socio"], RoundKind.CLARIFYING, clock)
    with unit(app) as session:
        comments.post_comment(session, rounds["talk"], her, COMMENT, now=clock())
    clock.advance(days=7)
    assert set(close_due(app, clock)) == {rounds["consent"], rounds["secret"], rounds["talk"]}
    rounds["socio"] = open_round(app, made["socio"], RoundKind.CONSENT, clock)
    for member in everyone:
        vote(app, rounds["socio"], member, "object" if member == her else "consent", clock,
             reason=REASON if member == her else "")
    with unit(app) as session:
        objections.qualify_objection(session, rounds["socio"], her, "concern",
                                     decided_by="circle", rationale="The circle heard it.",
                                     recorded_by=admin, now=clock())
    clock.advance(days=7)
    assert close_due(app, clock) == [rounds["socio"]]
    made["open"] = proposal_of(app, organisation, admin, "majority",
                               {"preset": "association_default"}, clock)
    rounds["open"] = open_round(app, made["open"], RoundKind.VOTE, clock)
    vote(app, rounds["open"], her, "no", clock, reason=REASON)
    vote(app, rounds["open"], others[1], "yes", clock)
    return Coop(organisation, admin, others, her, her_user.id, rounds, made)


@pytest.fixture
def coop(app: Flask, clock: Clock, make_user: Callable[..., User],
         make_org: Callable[..., Organisation],
         make_member: Callable[..., Membership]) -> Coop:
    return build(app, clock, make_user, make_org, make_member)


def stored_results(app: Flask) -> dict[int, tuple[str | None, str | None]]:
    """Every closed round's outcome and stored result."""
    with app.app_context():
        return {r.id: (r.outcome, r.result_json) for r in db.session().scalars(
            select(Round).where(Round.result_json.is_not(None)))}


def checks_pass(runner: FlaskCliRunner) -> None:
    """``decisions recount --all`` and ``decisions audit verify`` find nothing."""
    recounted = runner.invoke(cli, ["recount", "--all"])
    assert recounted.exit_code == 0, recounted.output
    verified = runner.invoke(cli, ["audit", "verify"])
    assert verified.exit_code == 0, verified.output


def signed_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    assert Auth(client).login(email).status_code == 302
    return client


def pages(coop: Coop) -> Iterator[str]:
    """Every page of the organisation that may name a member, and the stored cases."""
    slug = "coop"
    yield from (f"/orgs/{slug}/", f"/orgs/{slug}/members", f"/orgs/{slug}/proposals/",
                f"/orgs/{slug}/circles", "/notifications/", "/", "/privacy",
                f"/orgs/{slug}/privacy", "/account/data", "/account/data.json")
    for number in range(1, 4):
        yield f"/orgs/{slug}/audit?page={number}"
    for name, proposal in coop.proposals.items():
        yield f"/orgs/{slug}/proposals/{proposal}"
        yield f"/orgs/{slug}/proposals/{proposal}/versions"
        for round_name, round_id in coop.rounds.items():
            if round_name == name or (name == "socio" and round_name == "talk"):
                base = f"/orgs/{slug}/proposals/{proposal}/rounds/{round_id}"
                yield from (base, f"{base}/results")
                if round_name != "talk":  # a comment round stores no case
                    yield f"{base}/case.json"


def other_pages(app: Flask, coop: Coop) -> Iterator[str]:
    """Every other page of an organisation, a proposal or a round the application has
    (registers, histories, exports, assemblies...), for the rounds she took part in."""
    fillable = {"slug", "proposal_id", "round_id"}
    for rule in app.url_map.iter_rules():
        if (rule.endpoint == "static" or rule.endpoint.startswith("api.")
                or "GET" not in (rule.methods or ()) or not rule.arguments
                or not set(rule.arguments) <= fillable):
            continue
        for name, proposal in coop.proposals.items():
            round_id = coop.rounds["talk" if name == "talk" else name]
            built = rule.build({"slug": "coop", "proposal_id": proposal,
                                "round_id": round_id}, append_unknown=False)
            if built is not None:
                yield built[1]


def shown_anywhere(app: Flask, coop: Coop, live: Live, readers: list[str]) -> list[str]:
    """Where one of ``TRACES`` still shows, for each reader signed in to the live server:
    pages, exports."""
    found, seen = [], []
    with app.app_context(), db.transaction() as session:  # its public pages too
        session.scalars(select(Organisation).where(Organisation.slug == "coop")).one(
            ).public_register = True
    for reader in readers:
        browser = Browser(live.base)
        browser.sign_in(reader, PASSWORD)
        for path in pages(coop):
            status, text = browser.get(path)
            assert status == 200, (reader, path, status)
            found += [f"{reader} {path}: {trace}" for trace in TRACES if trace in text]
        for path in sorted(set(other_pages(app, coop))):
            status, text = browser.get(path)
            if status == 200:
                seen.append(path)
                found += [f"{reader} {path}: {trace}" for trace in TRACES if trace in text]
    assert "/orgs/coop/audit" in seen  # the crawl reached the organisation's pages
    assert "/public/coop/register/" in seen  # and its public pages
    return found


def serving(app: Flask, clock: Clock, tmp_path: Path) -> AbstractContextManager[Live]:
    """gunicorn serving the test's database as docs/deployment.md runs it (its access log
    on), its clock at the test's now; its logs in ``tmp_path/server``, server after server."""
    return gunicorn(app.config["DATABASE_URL"], app.config["SECRET_KEY"], tmp_path / "server",
                    now=clock(), instance=Path(app.instance_path), PUBLIC_REGISTERS="coop",
                    AUDIT_SEALING="commit")


def test_a_member_is_exported_then_pseudonymised_and_their_writings_removed_with_results_recounts_and_audit_unchanged(  # noqa: E501
        app: Flask, coop: Coop, clock: Clock, runner: FlaskCliRunner,
        logs: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    """The done-when of issue 16. Her export, her removal and every page afterwards go
    through gunicorn as deployed, whose access log, error log and output are read at the
    end with the log of everything the test ran in-process (the scheduler's jobs, the
    commands): none holds her name or address."""
    # Her export: everything, others by number, the secret round as a participation only.
    exported = signed_in(app, EMAIL).get("/account/data.json")
    assert exported.headers["Cache-Control"] == "no-store"
    with serving(app, clock, tmp_path) as live:
        her = Browser(live.base)
        her.sign_in(EMAIL, PASSWORD)
        status, text = her.get("/account/data.json")
        assert status == 200
        data = json.loads(text)
        assert data == json.loads(exported.get_data(as_text=True))
        # The admin looks for her among the voters of a round (the words go in the address),
        # then ends her membership.
        admin = Browser(live.base)
        admin.sign_in("ana@example.org", PASSWORD)
        status, text = admin.get(
            f"/orgs/coop/proposals/{coop.proposals['consent']}/rounds/"
            f"{coop.rounds['consent']}/results?search=Quatremare")
        assert status == 200
        assert NAME in text
        admin.get("/orgs/coop/members")
        status, _ = admin.post(f"/orgs/coop/members/{coop.her}/remove", {})
        assert status == 302
    assert data["profile"]["name"] == NAME
    assert data["profile"]["email"] == EMAIL
    assert [m["organisation"]["slug"] for m in data["memberships"]] == ["coop"]
    positions = {(p["round"], p["position"], p["reason"], p["concern"], p["counted"])
                 for p in data["positions"]}
    assert (coop.rounds["consent"], "object", REASON, "", False) in positions
    assert (coop.rounds["consent"], "consent", "", CONCERN, True) in positions
    assert (coop.rounds["open"], "no", REASON, "", True) in positions
    assert coop.rounds["secret"] not in {p["round"] for p in data["positions"]}
    [secret] = data["secret_participations"]
    assert secret["round"] == coop.rounds["secret"]
    assert set(secret) == {"organisation", "proposal", "round", "took_part_at"}
    assert [c["body"] for c in data["comments"]] == [COMMENT]
    assert {e["round"] for e in data["electorates"]} == set(coop.rounds.values())
    assert data["notifications"], "the openings and outcomes she was told of"
    kinds = {e["kind"] for e in data["audit_entries"]}
    assert {"ballot_cast", "ballot_changed", "objection_qualified"} <= kinds
    secret_text = json.dumps(data)
    assert '"yes"' not in json.dumps(data["audit_entries"])  # her secret position: nowhere
    assert "password" not in secret_text
    assert "token_hash" not in secret_text
    results = stored_results(app)
    checks_pass(runner)

    # The admin ended her membership: she belongs nowhere, the organisation keeps names 0
    # days: pseudonymised at once; her reasons stay (10 years of record by default).
    with app.app_context():
        user = db.session().get_one(User, coop.her_user)
        assert user.name == personal_data.pseudonym(coop.her_user, "fr")
        assert user.name == f"Ancien membre {coop.her_user}"
        assert user.email == f"former-{coop.her_user}@invalid"
        assert user.pseudonymised_at == clock()
        reasons = set(db.session().scalars(select(Ballot.reason).where(
            Ballot.membership_id == coop.her)))
        assert REASON in reasons
    assert Auth(app.test_client()).login(EMAIL).status_code == 200  # signs in no more
    assert stored_results(app) == results
    checks_pass(runner)

    # The open round she voted in closes after she left: her ballot counts.
    clock.advance(days=7)
    assert close_due(app, clock) == [coop.rounds["open"]]
    with app.app_context():
        closed = db.session().get_one(Round, coop.rounds["open"])
        assert json.loads(closed.result_json or "{}")["counts"]["no"] == 1
    results = stored_results(app)
    checks_pass(runner)

    # Ten years on, the scheduler removes her reasons, concern and comment: the stored
    # cases are rewritten, the results are not, and everything still verifies.
    clock.advance(days=3653)
    kept = scheduler.keep_personal_data(app)
    assert kept is not None
    assert kept.writings_removed == 1
    with app.app_context():
        session = db.session()
        assert set(session.scalars(select(Ballot.reason).where(
            Ballot.membership_id == coop.her))) == {personal_data.REMOVED, ""}
        assert session.scalars(select(Comment.body).where(
            Comment.membership_id == coop.her)).all() == [personal_data.REMOVED]
        for round_id in (coop.rounds["consent"], coop.rounds["socio"], coop.rounds["open"]):
            case = session.get_one(Round, round_id).case_json or ""
            assert REASON not in case
            assert CONCERN not in case
        assert session.get_one(Membership, coop.her).writings_removed_at == clock()
    assert stored_results(app) == results
    checks_pass(runner)

    # No page, export or log line names her any more: as the admin, another member, and in
    # the other members' exports.
    with serving(app, clock, tmp_path) as live:
        assert shown_anywhere(app, coop, live, ["ana@example.org", "m0@example.org"]) == []
    with app.app_context():
        session = db.session()
        for email in ("ana@example.org", "m0@example.org", "m1@example.org"):
            other = accounts.find_by_email(session, email)
            assert other is not None
            text = json.dumps(personal_data.export(session, other, clock()),
                              ensure_ascii=False)
            assert not [trace for trace in TRACES if trace in text], email
        entries = " ".join(session.scalars(select(AuditEntry.data)))
        assert not [trace for trace in TRACES if trace in entries]
    results_page = signed_in(app, "ana@example.org").get(
        f"/orgs/coop/proposals/{coop.proposals['consent']}/rounds/{coop.rounds['consent']}"
        "/results").get_data(as_text=True)
    assert f"Ancien membre {coop.her_user}" in results_page  # her ballot, by her pseudonym
    assert personal_data.REMOVED in results_page  # her concern, removed
    logged = "\n".join(logs.text.splitlines())
    assert "Personal data:" in logged  # the scheduler's job was heard
    assert "writings_removed" in logged or "UPDATE ballot" in logged  # and SQLAlchemy
    served = live.logs()
    assert '"GET /account/data.json' in served  # her export, in the access log
    assert "search=[redacted]" in served  # what the admin typed: not her name
    assert f"POST /orgs/coop/members/{coop.her}/remove" in served
    assert '"GET /orgs/coop/audit?page=1' in served  # the pages afterwards
    assert not [trace for trace in (*TRACES, EMAIL) if trace in logged + served]


def test_closing_my_account_ends_my_memberships_and_pseudonymises_me_at_once(
        app: Flask, coop: Coop, clock: Clock, runner: FlaskCliRunner) -> None:
    results = stored_results(app)
    client = signed_in(app, EMAIL)
    page = client.get("/account/close").get_data(as_text=True)
    assert "Coop" in page
    wrong = client.post("/account/close", data={"password": "not it", "understood": "y"})
    assert "This is not your current password." in wrong.get_data(as_text=True)
    unticked = client.post("/account/close", data={"password": PASSWORD})
    assert "Tick this box to close your account." in unticked.get_data(as_text=True)
    closed = client.post("/account/close", data={"password": PASSWORD, "understood": "y"})
    assert closed.status_code == 302
    assert client.get("/account/profile").status_code == 302  # signed out, for good
    assert Auth(app.test_client()).login(EMAIL).status_code == 200
    with app.app_context():
        session = db.session()
        user = session.get_one(User, coop.her_user)
        assert user.closed_at == clock() == user.pseudonymised_at
        assert user.email == personal_data.pseudonymous_email(user.id)
        assert session.get_one(Membership, coop.her).ended_at == clock()
        kinds = [kind for kind, in session.execute(select(AuditEntry.kind).where(
            AuditEntry.organisation_id == coop.organisation.id).order_by(AuditEntry.seq))]
        assert kinds[-2:] == ["membership_ended", "member_pseudonymised"]
    assert stored_results(app) == results
    checks_pass(runner)


def test_the_last_admin_cannot_close_their_account(
        app: Flask, coop: Coop) -> None:
    client = signed_in(app, "ana@example.org")
    response = client.post("/account/close", data={"password": PASSWORD, "understood": "y"})
    assert response.status_code == 200
    assert "You are the last admin of Coop" in response.get_data(as_text=True)
    with app.app_context():
        user = accounts.find_by_email(db.session(), "ana@example.org")
        assert user is not None
        assert user.closed_at is None


def test_an_organisation_that_keeps_names_pseudonymises_when_its_period_ends(
        app: Flask, coop: Coop, clock: Clock) -> None:
    with unit(app) as session:
        personal_data.update_settings(session, session.get_one(Organisation,
                                                               coop.organisation.id),
                                      contact="", former_member_days=30, record_years=10,
                                      public_names=False, now=clock())
    with unit(app) as session:
        organisations.remove_membership(session, session.get_one(Membership, coop.her),
                                        now=clock())
    with app.app_context():
        assert db.session().get_one(User, coop.her_user).name == NAME
    clock.advance(days=29)
    assert scheduler.keep_personal_data(app) is not None
    with app.app_context():
        assert db.session().get_one(User, coop.her_user).name == NAME
    clock.advance(days=1)
    kept = scheduler.keep_personal_data(app)
    assert kept is not None
    assert kept.pseudonymised == 1
    with app.app_context():
        assert db.session().get_one(User, coop.her_user).name.startswith("Ancien membre")


def test_a_person_still_member_elsewhere_keeps_their_name_and_account(
        app: Flask, coop: Coop, clock: Clock, make_org: Callable[..., Organisation],
        make_member: Callable[..., Membership]) -> None:
    other = make_org("other", admin="bo@example.org")
    make_member(other, EMAIL)
    with unit(app) as session:
        organisations.remove_membership(session, session.get_one(Membership, coop.her),
                                        now=clock())
    with app.app_context():
        user = db.session().get_one(User, coop.her_user)
        assert (user.name, user.email, user.pseudonymised_at) == (NAME, EMAIL, None)
    assert Auth(app.test_client()).login(EMAIL).status_code == 302


def test_an_organisation_keeping_no_record_removes_the_writings_when_a_member_leaves(
        app: Flask, coop: Coop, clock: Clock, runner: FlaskCliRunner) -> None:
    with unit(app) as session:
        personal_data.update_settings(session, session.get_one(Organisation,
                                                               coop.organisation.id),
                                      contact="dpo@coop.example.org", former_member_days=0,
                                      record_years=0, public_names=False, now=clock())
    results = stored_results(app)
    with unit(app) as session:
        organisations.remove_membership(session, session.get_one(Membership, coop.her),
                                        now=clock())
    with app.app_context():
        session = db.session()
        assert REASON not in set(session.scalars(select(Ballot.reason)))
        [entry] = session.scalars(select(AuditEntry).where(
            AuditEntry.kind == personal_data.WRITINGS_REMOVED)).all()
        data = json.loads(entry.data)
        assert data["member"] == coop.her
        assert data["comments"] == 1
        assert set(data["cases"]) == {str(coop.rounds["consent"]), str(coop.rounds["socio"])}
        assert "dpo@" not in " ".join(session.scalars(select(AuditEntry.data)))
    assert stored_results(app) == results
    checks_pass(runner)


def test_a_ballot_changed_after_its_reason_was_removed_is_still_found(
        app: Flask, coop: Coop, clock: Clock, runner: FlaskCliRunner) -> None:
    with unit(app) as session:
        personal_data.update_settings(session, session.get_one(Organisation,
                                                               coop.organisation.id),
                                      contact="", former_member_days=0, record_years=0,
                                      public_names=False, now=clock())
        organisations.remove_membership(session, session.get_one(Membership, coop.her),
                                        now=clock())
    checks_pass(runner)
    with unit(app) as session:  # behind the application's back
        ballot = session.scalars(select(Ballot).where(
            Ballot.membership_id == coop.her, Ballot.round_id == coop.rounds["socio"])).one()
        ballot.position = "consent"
    verified = runner.invoke(cli, ["audit", "verify"])
    assert verified.exit_code == 1
    assert "was changed since it was cast" in verified.output


def test_the_command_line_exports_a_person_as_json(
        app: Flask, coop: Coop, clock: Clock, runner: FlaskCliRunner) -> None:
    result = runner.invoke(cli, ["user", "export", EMAIL.upper()])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    with app.app_context():
        user = db.session().get_one(User, coop.her_user)
        assert data == json.loads(json.dumps(personal_data.export(db.session(), user,
                                                                  clock())))
    missing = runner.invoke(cli, ["user", "export", "nobody@example.org"])
    assert missing.exit_code == 1
    assert "No account has the address nobody@example.org." in missing.output


def test_my_data_page_counts_each_part_and_links_the_file(
        app: Flask, coop: Coop) -> None:
    page = signed_in(app, EMAIL).get("/account/data").get_data(as_text=True)
    assert NAME in page
    assert EMAIL in page
    assert 'href="/account/data.json"' in page
    comments_row = re.search(r"<td[^>]*>Comments</td><td[^>]*>(\d+)</td>", page)
    assert comments_row is not None
    assert comments_row.group(1) == "1"


ENTRY_NAME = "Zoé Vermandois-Quetzal"


def test_no_audit_entry_holds_a_name_or_an_e_mail(
        app: Flask, clock: Clock, make_user: Callable[..., User],
        make_org: Callable[..., Organisation],
        make_member: Callable[..., Membership]) -> None:
    """Every kind of entry the application writes, from people whose names and addresses
    are unmistakable: none of them is in any entry."""
    from decisions.web.services import colleges

    organisation = make_org("coop", admin="zoe.admin@example.org",
                            colleges={"workers": 50, "users": 30, "partners": 20})
    with unit(app) as session:
        admin_user = accounts.find_by_email(session, "zoe.admin@example.org")
        assert admin_user is not None
        admin_user.name = ENTRY_NAME
    people = {f"{word}.quetzal@example.org": f"{word.title()} Quetzalcoatl"
              for word in ("ines", "oscar", "ulla")}
    members = []
    for email, name in people.items():
        make_user(email, name=name)
        members.append(make_member(organisation, email, college="workers").id)
    with unit(app) as session:
        admin = session.scalars(select(Membership).where(
            Membership.user_id == admin_user.id)).one()
        org = session.get_one(Organisation, organisation.id)
        organisations.update_membership(session, session.get_one(Membership, members[0]),
                                        role=Role.FACILITATOR, vote_weight=2,
                                        college_id=None, now=clock())
        ids = {c.name: c.id for c in colleges.colleges_of(session, org)}
        from fractions import Fraction
        colleges.set_weights(session, org, {ids["workers"]: Fraction(40),
                                            ids["users"]: Fraction(40),
                                            ids["partners"]: Fraction(20)}, now=clock())
        personal_data.update_settings(session, org, contact="zoe.admin@example.org",
                                      former_member_days=0, record_years=0,
                                      public_names=True, now=clock())
        admin_id = admin.id
    socio = proposal_of(app, organisation, admin_id, "sociocratic_consent",
                        {"preset": "sociocratic_consent"}, clock)
    first = open_round(app, socio, RoundKind.CONSENT, clock)
    everyone = [admin_id, *members]
    for member in everyone:
        vote(app, first, member, "object" if member == members[1] else "consent", clock,
             reason="Too heavy" if member == members[1] else "")
    with unit(app) as session:
        objections.qualify_objection(session, first, members[1], "valid",
                                     decided_by="objector", rationale="Fair",
                                     recorded_by=admin_id, now=clock())
    clock.advance(days=7)
    close_due(app, clock)
    with unit(app) as session:
        proposals.amend(session, session.get_one(Proposal, socio),
                        session.get_one(Membership, admin_id), title="Lighter bikes",
                        body="Lighter.", summary="Lighter", now=clock())
    second = open_round(app, socio, RoundKind.CONSENT, clock)
    for member in everyone:
        vote(app, second, member, "consent", clock)
    clock.advance(days=7)
    close_due(app, clock)
    with unit(app) as session:
        proposals.record_outcome(session, session.get_one(Proposal, socio),
                                 statement="Lighter bikes.", review_date=None, now=clock())
        organisations.remove_membership(session, session.get_one(Membership, members[2]),
                                        now=clock())
    with unit(app) as session:
        user = accounts.find_by_email(session, "oscar.quetzal@example.org")
        assert user is not None
        personal_data.close_account(session, user, password=PASSWORD, now=clock())
    with app.app_context():
        rows = db.session().execute(select(AuditEntry.kind, AuditEntry.data)).all()
    kinds = {kind for kind, _ in rows}
    assert {"membership_changed", "college_weights_changed", "privacy_settings_changed",
            "round_opened", "ballot_cast", "objection_qualified", "round_closed",
            "version_published", "outcome_written", "membership_ended",
            "member_pseudonymised", "writings_removed"} <= kinds
    text = " ".join(data for _, data in rows)
    for email, name in {**people, "zoe.admin@example.org": ENTRY_NAME}.items():
        assert email not in text
        assert name not in text
        assert "Quetzal" not in text
        assert "Zoé" not in text


def test_a_case_loses_the_reasons_of_one_member_only() -> None:
    case = {"family": "consent", "ballots": [
        {"voter": "7", "position": "object", "reason": "mine", "seq": 1},
        {"voter": "8", "position": "object", "reason": "theirs", "seq": 2},
        {"voter": "7", "position": "consent", "concern": "  ", "seq": 3},
        {"type": "objection_qualified", "voter": "7", "rationale": "the circle's"}]}
    text = json.dumps(case, ensure_ascii=False)
    redacted: dict[str, Any] = json.loads(personal_data.redacted_case(text, "7"))
    assert [b.get("reason") for b in redacted["ballots"]] == ["[…]", "theirs", None, None]
    assert redacted["ballots"][2]["concern"] == "  "  # blank: nothing written, kept as is
    assert redacted["ballots"][3]["rationale"] == "the circle's"
    assert personal_data.redacted_case(text, "9") == text


def test_a_pseudonym_is_written_in_the_organisations_language() -> None:
    assert personal_data.pseudonym(17) == "Former member 17"
    assert personal_data.pseudonym(17, "fr") == "Ancien membre 17"


def test_pseudonymising_replaces_copies_of_the_name_in_stored_messages(
        app: Flask, coop: Coop, clock: Clock) -> None:
    from decisions.web.models import Invitation, Notice
    from decisions.web.services import invitations

    with unit(app) as session:
        organisation = session.get_one(Organisation, coop.organisation.id)
        her = session.get_one(User, coop.her_user)
        organisations.update_membership(session, session.get_one(Membership, coop.her),
                                        role=Role.ADMIN, vote_weight=1,
                                        college_id=None, now=clock())
        invited = invitations.invite(session, organisation, her, email="new@example.org",
                                     role=Role.MEMBER, days=14, now=clock())
        session.add(Notice(kind="invitation", organisation_id=organisation.id,
                           email="new@example.org", payload=json.dumps(
                               {"inviter": NAME, "organisation": "Coop"}),
                           created_at=clock(), send_after=clock(), delivery="sent"))
        invitation_id = invited.invitation.id
    with unit(app) as session:
        organisations.remove_membership(session, session.get_one(Membership, coop.her),
                                        now=clock())
    with app.app_context():
        session = db.session()
        payloads = " ".join(session.scalars(select(Notice.payload)))
        assert NAME not in payloads
        assert json.dumps(NAME)[1:-1] not in payloads
        assert REASON in payloads  # her writing quoted by an objection: kept with the record
        assert f'"inviter": "Ancien membre {coop.her_user}"' in payloads
        invitation = session.get_one(Invitation, invitation_id)
        assert invitation.invited_by_id == coop.her_user  # still pending, by number


def test_a_record_that_no_longer_recounts_is_never_rewritten(
        app: Flask, coop: Coop, clock: Clock, runner: FlaskCliRunner,
        logs: pytest.LogCaptureFixture) -> None:
    with unit(app) as session:  # a stored result changed behind the application's back
        changed = session.get_one(Round, coop.rounds["consent"])
        result = json.loads(changed.result_json or "{}")
        result["counts"]["consent"] += 1
        changed.result_json = json.dumps(result)
    with unit(app) as session:
        personal_data.update_settings(session, session.get_one(Organisation,
                                                               coop.organisation.id),
                                      contact="", former_member_days=0, record_years=0,
                                      public_names=False, now=clock())
        organisations.remove_membership(session, session.get_one(Membership, coop.her),
                                        now=clock())
    with app.app_context():
        session = db.session()
        assert session.get_one(Membership, coop.her).ended_at == clock()  # she left
        assert session.get_one(Membership, coop.her).writings_removed_at is None
        assert REASON in set(session.scalars(select(Ballot.reason)))  # nothing rewritten
        assert REASON in (session.get_one(Round, coop.rounds["socio"]).case_json or "")
    assert f"The writings of member {coop.her} are kept" in logs.text
    kept = scheduler.keep_personal_data(app)
    assert kept is not None
    assert (kept.writings_removed, kept.failed) == (0, 1)  # tried again, refused again
    verified = runner.invoke(cli, ["audit", "verify"])
    assert "the stored result is not the one its closing entry hashed" in verified.output


def test_copies_of_an_address_in_webhook_deliveries_are_replaced(
        app: Flask, coop: Coop, clock: Clock) -> None:
    from decisions.web.models import WebhookDelivery
    from decisions.web.services import webhooks

    with unit(app) as session:
        admin = session.get_one(Membership, coop.admin)
        endpoint = webhooks.register(session, session.get_one(Organisation,
                                                               coop.organisation.id),
                                     admin, url="https://hooks.example.org/coop",
                                     kind="standard", events=["round.closed"], now=clock(),
                                     private_allowed=True).endpoint
        session.add(WebhookDelivery(
            endpoint_id=endpoint.id, event="round.closed", event_key="round.closed:1",
            message_id="msg_1", payload=json.dumps({"data": {"by": NAME, "note": (
                f"asked by {EMAIL} by mail")}}), created_at=clock(), state="sent",
            send_after=clock()))
    with unit(app) as session:
        organisations.remove_membership(session, session.get_one(Membership, coop.her),
                                        now=clock())
    with app.app_context():
        payload = json.loads(db.session().scalars(select(WebhookDelivery.payload)).one())
    assert payload == {"data": {"by": f"Ancien membre {coop.her_user}", "note": (
        f"asked by former-{coop.her_user}@invalid by mail")}}
