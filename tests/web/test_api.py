"""The JSON API through its resources: tokens and scopes, the organisation and its members,
proposals, versions, rounds, my ballot, results, the case and the audit log; errors as
RFC 9457 problems in the page's words; pagination, idempotency, ETags and rate limits.

The world (an organisation with colleges, an admin, a facilitator, six members and an
outsider) is built once; what a test writes is rolled back after it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from decisions.web import db
from decisions.web.models import ApiToken, Ballot, Organisation, User
from decisions.web.services import audit

from .api_world import Api, member_id, token_for
from .conftest import Clock, module_world, unit
from .outbox import sent
from .round_pages import MakeMember, MakeOrg
from .variant import variant

ADMIN, FACILITATOR = "ana@coop.example.org", "fay@coop.example.org"
MEMBERS = [f"m{i}@coop.example.org" for i in range(6)]
OUTSIDER = "out@other.example.org"
COLLEGES = ("workers", "users", "partners")


@module_world
def coop(make_org: MakeOrg, make_member: MakeMember) -> Organisation:
    """A SCIC with colleges 50/30/20, its admin, a facilitator, six members two per
    college, and another organisation's admin."""
    organisation = make_org("coop", admin=ADMIN,
                            colleges={"workers": 50, "users": 30, "partners": 20})
    make_member(organisation, FACILITATOR, role="facilitator", college="workers")
    for i, email in enumerate(MEMBERS):
        make_member(organisation, email, college=COLLEGES[i % 3])
    make_org("other", admin=OUTSIDER)
    return organisation


@pytest.fixture
def app(rolled_back_app: Flask, coop: Organisation) -> Flask:
    return rolled_back_app


def api(client: FlaskClient, app: Flask, email: str, scopes: tuple[str, ...] = (
        "read", "vote", "facilitate", "administer"),
        headers: dict[str, str] | None = None) -> Api:
    """A client with a personal token of ``email`` with these scopes."""
    return Api(client, token_for(app, email, scopes), headers)


def problem(response: Any, status: int, code: str) -> dict[str, Any]:
    """The problem of a response, checked to be one of ``status`` and ``code``."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    found: dict[str, Any] = response.get_json()
    assert found["code"] == code, found
    assert found["type"] == f"/api/v1/problems/{code}"
    assert found["status"] == status
    return found


def consent_proposal(facilitator: Api, **extra: Any) -> int:
    answer = facilitator.post("/organisations/coop/proposals", {
        "title": "Buy two cargo bikes", "body": "Two bikes for deliveries.",
        "family": "consent", **extra})
    assert answer.status_code == 201, answer.get_json()
    return int(answer.get_json()["id"])


def open_round(facilitator: Api, proposal: int, kind: str, clock: Clock,
               days: int = 7) -> int:
    answer = facilitator.post(f"/proposals/{proposal}/rounds", {
        "kind": kind, "closes_at": (clock() + timedelta(days=days)).isoformat()})
    assert answer.status_code == 201, answer.get_json()
    assert answer.headers["Location"] == f"/api/v1/rounds/{answer.get_json()['id']}"
    return int(answer.get_json()["id"])


@pytest.mark.parametrize(("backend", "warned"), [("console", True), ("smtp", False)])
def test_opening_a_consent_round_while_e_mail_is_only_printed_answers_with_a_warning(
        app: Flask, client: FlaskClient, clock: Clock, backend: str, warned: bool) -> None:
    """As the page warns before opening: the silence of electors told by no e-mail would
    count as consent."""
    app.config["MAIL_BACKEND"] = backend
    facilitator = api(client, app, FACILITATOR)
    answer = facilitator.post(f"/proposals/{consent_proposal(facilitator)}/rounds", {
        "kind": "consent", "closes_at": (clock() + timedelta(days=7)).isoformat()})
    assert answer.status_code == 201, answer.get_json()
    warnings = answer.get_json()["warnings"]
    assert [w["code"] for w in warnings] == (["mail.printed_only"] if warned else [])
    if warned:
        assert warnings[0]["message"].startswith(
            "E-mail is not configured: electors will not be told by e-mail")


# Tokens ---------------------------------------------------------------------------------


def test_a_member_reads_the_organisation_with_a_personal_token(
        app: Flask, client: FlaskClient) -> None:
    answer = api(client, app, MEMBERS[0], ("read",)).get("/organisations/coop")
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["slug"] == "coop"
    assert [c["name"] for c in body["colleges"]] == list(COLLEGES)
    assert body["me"]["role"] == "member"
    assert body["me"]["college"] == "workers"


def test_without_a_token_the_api_answers_401_with_a_bearer_challenge(
        app: Flask, client: FlaskClient) -> None:
    answer = Api(client, None).get("/organisations/coop")
    problem(answer, 401, "token.missing")
    assert answer.headers["WWW-Authenticate"] == 'Bearer realm="decisions"'
    forged = Api(client, "dcs_" + "x" * 43).get("/organisations/coop")
    problem(forged, 401, "token.invalid")
    assert 'error="invalid_token"' in forged.headers["WWW-Authenticate"]


def test_a_signed_in_browser_gets_nothing_from_the_api(
        app: Flask, client: FlaskClient, auth: Any) -> None:
    assert auth.login(ADMIN).status_code == 302
    assert client.get("/orgs/coop/").status_code == 200
    problem(client.get("/api/v1/organisations/coop"), 401, "token.missing")


def test_a_token_in_the_address_is_refused_even_a_valid_one(
        app: Flask, client: FlaskClient) -> None:
    text = token_for(app, ADMIN, ("read",))
    answer = client.get(f"/api/v1/organisations/coop?access_token={text}")
    assert problem(answer, 400, "token.in_address")["field"] == "access_token"
    answer = Api(client, text).get(f"/organisations/coop/members?cursor={text}")
    problem(answer, 400, "token.in_address")


def test_only_the_hash_of_a_token_is_stored(app: Flask, client: FlaskClient) -> None:
    text = token_for(app, ADMIN, ("read",))
    with app.app_context():
        row = db.session().scalar(select(ApiToken))
        assert row is not None
        assert row.token_hash == hashlib.sha256(text.encode()).hexdigest()
        assert text not in (row.prefix + row.name + row.scopes)
        assert text.startswith(row.prefix)


def test_a_revoked_or_expired_token_is_refused(
        app: Flask, client: FlaskClient, clock: Clock) -> None:
    text = token_for(app, MEMBERS[0], ("read",), days=1)
    reader = Api(client, text)
    assert reader.get("/organisations/coop").status_code == 200
    clock.advance(days=1)
    problem(reader.get("/organisations/coop"), 401, "token.expired")
    other = Api(client, token_for(app, MEMBERS[0], ("read",)))
    with unit(app) as session:
        session.execute(update(ApiToken).values(revoked_at=clock()))
    problem(other.get("/organisations/coop"), 401, "token.revoked")


def test_each_scope_opens_its_operations_only(
        app: Flask, client: FlaskClient, clock: Clock) -> None:
    facilitator = api(client, app, FACILITATOR)
    round_id = open_round(facilitator, consent_proposal(facilitator), "consent", clock)
    voter_only = api(client, app, MEMBERS[0], ("vote",))
    reader_only = api(client, app, MEMBERS[0], ("read",))
    refused = problem(voter_only.get(f"/rounds/{round_id}"), 403, "token.scope")
    assert "read" in refused["detail"]
    answer = reader_only.put(f"/rounds/{round_id}/ballot", {"position": "consent"})
    problem(answer, 403, "token.scope")
    assert answer.headers["WWW-Authenticate"].endswith('error="insufficient_scope",'
                                                       ' scope="vote"')
    assert voter_only.put(f"/rounds/{round_id}/ballot",
                          {"position": "consent"}).status_code == 200
    problem(api(client, app, FACILITATOR, ("read", "vote")).post(
        f"/rounds/{round_id}/close"), 403, "token.scope")


def test_a_token_never_does_more_than_its_member_may_on_the_pages(
        app: Flask, client: FlaskClient, clock: Clock) -> None:
    facilitator = api(client, app, FACILITATOR)
    proposal = consent_proposal(facilitator)
    member = api(client, app, MEMBERS[0])  # every scope, but a member's role
    problem(member.post("/organisations/coop/proposals", {
        "title": "Mine", "body": "Text.", "family": "consent"}), 403,
        "proposal.may_not_propose")
    opened = consent_proposal(facilitator)
    round_id = open_round(facilitator, opened, "consent", clock)
    problem(member.post(f"/proposals/{opened}/rounds", {
        "kind": "consent", "closes_at": (clock() + timedelta(days=1)).isoformat()}),
        403, "role.insufficient")
    problem(member.post(f"/rounds/{round_id}/close"), 403, "role.insufficient")
    problem(member.post(f"/proposals/{opened}/versions", {
        "title": "T", "body": "B", "summary": "S"}), 403, "proposal.may_not_change")
    problem(member.post("/organisations/coop/members", {"email": "new@example.org"}),
            403, "role.insufficient")
    # A draft is seen by its author and the facilitators only, as on the pages.
    problem(member.get(f"/proposals/{proposal}"), 404, "not_found")
    assert proposal not in [p["id"] for p in member.get(
        "/organisations/coop/proposals").get_json()["items"]]
    assert proposal in [p["id"] for p in facilitator.get(
        "/organisations/coop/proposals").get_json()["items"]]


def test_an_outsider_is_forbidden_the_organisation_and_finds_none_of_its_proposals(
        app: Flask, client: FlaskClient, clock: Clock) -> None:
    facilitator = api(client, app, FACILITATOR)
    proposal = consent_proposal(facilitator)
    round_id = open_round(facilitator, proposal, "consent", clock)
    outsider = api(client, app, OUTSIDER)
    problem(outsider.get("/organisations/coop"), 403, "organisation.not_member")
    problem(outsider.get(f"/proposals/{proposal}"), 404, "not_found")
    problem(outsider.get(f"/rounds/{round_id}"), 404, "not_found")
    problem(outsider.put(f"/rounds/{round_id}/ballot", {"position": "consent"}), 404,
            "not_found")
    problem(outsider.get("/organisations/nowhere"), 404, "not_found")


def test_an_organisation_token_acts_for_the_member_it_names_in_its_organisation_only(
        app: Flask, client: FlaskClient, clock: Clock) -> None:
    facilitator = api(client, app, FACILITATOR)
    round_id = open_round(facilitator, consent_proposal(facilitator), "consent", clock)
    platform = Api(client, token_for(app, ADMIN, ("read", "vote"), organisation="coop"))
    assert platform.get("/organisations/coop").get_json()["me"]["role"] == "admin"
    for email in MEMBERS[:2]:
        named = {"Decisions-Member": str(member_id(app, "coop", email))}
        assert platform.get("/organisations/coop", named).get_json()["me"]["name"] == (
            email.split("@")[0])
        assert platform.put(f"/rounds/{round_id}/ballot", {"position": "consent"},
                            named).status_code == 200
    with app.app_context():
        voters = set(db.session().scalars(select(Ballot.membership_id)))
    assert voters == {member_id(app, "coop", email) for email in MEMBERS[:2]}
    stranger = {"Decisions-Member": str(member_id(app, "other", OUTSIDER))}
    assert problem(platform.get("/organisations/coop", stranger), 400,
                   "token.member_unknown")["field"] == "Decisions-Member"
    problem(platform.get("/organisations/other"), 403, "organisation.not_member")
    personal = api(client, app, MEMBERS[0], headers={"Decisions-Member": "1"})
    problem(personal.get("/organisations/coop"), 400, "token.member_header")


@contextmanager
def sharing(app: Flask, clock: Clock, **settings: Any) -> Iterator[Flask]:
    """The application with other settings, on the test's database transaction (what it
    writes is rolled back with the test's)."""
    with variant(app, **settings) as other:
        other.config["CLOCK"] = clock
        own = other.extensions["decisions.db"]
        other.extensions["decisions.db"] = app.extensions["decisions.db"]
        try:
            yield other
        finally:
            other.extensions["decisions.db"] = own


def test_the_api_takes_no_csrf_token_even_with_csrf_protection_on(
        app: Flask, clock: Clock) -> None:
    with sharing(app, clock, WTF_CSRF_ENABLED=True) as protected:
        client = protected.test_client()
        facilitator = Api(client, token_for(protected, FACILITATOR))
        proposal = consent_proposal(facilitator)
        assert open_round(facilitator, proposal, "consent", clock)
        assert client.post("/auth/logout").status_code == 400  # the pages still want one


# Members --------------------------------------------------------------------------------


def test_members_are_listed_a_page_at_a_time_after_a_cursor(
        app: Flask, client: FlaskClient) -> None:
    reader = api(client, app, MEMBERS[0], ("read",))
    names, cursor, pages = [], None, 0
    while True:
        path = "/organisations/coop/members?limit=3" + (f"&cursor={cursor}" if cursor else "")
        body = reader.get(path).get_json()
        names += [m["name"] for m in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert names == ["ana", "fay", *(e.split("@")[0] for e in MEMBERS)]
    bad = reader.get("/organisations/coop/members?cursor=bm90LWEtY3Vyc29y")
    assert problem(bad, 400, "cursor.invalid")["field"] == "cursor"
    assert problem(reader.get("/organisations/coop/members?limit=0"), 400,
                   "query.invalid")["field"] == "limit"


def test_an_admin_invites_someone_who_gets_the_invitation_mail(
        app: Flask, client: FlaskClient) -> None:
    admin = api(client, app, ADMIN, ("administer",))
    answer = admin.post("/organisations/coop/members", {
        "email": "New@Example.org", "role": "facilitator",
        "college_id": admin_college(app, "users")})
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["email"] == "new@example.org"
    assert answer.get_json()["status"] == "pending"
    assert [m["To"] for m in sent(app)] == ["new@example.org"]
    again = admin.post("/organisations/coop/members", {"email": "new@example.org"})
    assert problem(again, 409, "invitation.pending")["field"] == "email"
    member = admin.post("/organisations/coop/members", {"email": MEMBERS[0]})
    problem(member, 409, "invitation.already_member")


def admin_college(app: Flask, name: str) -> int:
    with app.app_context():
        organisation = db.session().scalar(select(Organisation).where(Organisation.slug == "coop"))
        assert organisation is not None
        return next(c.id for c in organisation.colleges if c.name == name)


# Proposals and rounds -------------------------------------------------------------------


def test_the_engine_refuses_a_rule_and_the_problem_names_the_parameter(
        app: Flask, client: FlaskClient) -> None:
    facilitator = api(client, app, FACILITATOR)
    answer = facilitator.post("/organisations/coop/proposals", {
        "title": "A vote", "body": "Text.", "family": "majority",
        "params": {"quorum": {"num": 0, "den": 5}}})
    found = problem(answer, 422, "rule.zero_quorum")
    assert found["field"] == "params.quorum.num"
    set_by_rounds = facilitator.post("/organisations/coop/proposals", {
        "title": "A vote", "body": "Text.", "family": "majority",
        "params": {"closes_at": "2026-01-01T00:00:00Z"}})
    assert problem(set_by_rounds, 422, "rule.set_by_application")["field"] == (
        "params.closes_at")


def test_a_body_that_does_not_validate_is_refused_naming_each_field(
        app: Flask, client: FlaskClient) -> None:
    facilitator = api(client, app, FACILITATOR)
    answer = facilitator.post("/organisations/coop/proposals", {
        "title": "two\nlines", "body": "", "family": "unknown", "colour": "red",
        "reminder_hours": "24"})
    found = problem(answer, 422, "request.invalid")
    fields = {e["field"] for e in found["errors"]}
    assert fields == {"title", "body", "family", "colour", "reminder_hours"}
    not_json = client.post("/api/v1/organisations/coop/proposals", data="title=x",
                           headers={"Authorization": facilitator._headers(None)["Authorization"],
                                    "Content-Type": "application/x-www-form-urlencoded"})
    problem(not_json, 415, "request.media_type")
    broken = client.post("/api/v1/organisations/coop/proposals", data="{",
                         headers={**facilitator._headers(None),
                                  "Content-Type": "application/json"})
    problem(broken, 400, "request.json")


def test_a_proposal_of_a_circle_or_list_of_another_organisation_is_refused(
        app: Flask, client: FlaskClient) -> None:
    facilitator = api(client, app, FACILITATOR)
    stranger = member_id(app, "other", OUTSIDER)
    answer = facilitator.post("/organisations/coop/proposals", {
        "title": "T", "body": "B", "family": "consent", "electorate_scope": "list",
        "electors": [stranger]})
    assert problem(answer, 422, "proposal.electors_unknown")["field"] == "electors"
    answer = facilitator.post("/organisations/coop/proposals", {
        "title": "T", "body": "B", "family": "consent", "electorate_scope": "circle",
        "circle_id": 2_000_000})
    assert problem(answer, 422, "proposal.circle_unknown")["field"] == "circle_id"


def test_versions_rounds_deadlines_and_the_close_as_on_the_pages(
        app: Flask, client: FlaskClient, clock: Clock) -> None:
    facilitator = api(client, app, FACILITATOR)
    proposal = consent_proposal(facilitator)
    version = facilitator.post(f"/proposals/{proposal}/versions", {
        "title": "Buy three cargo bikes", "body": "Three.", "summary": "One more bike."})
    assert version.status_code == 201
    assert version.get_json()["number"] == 2
    round_id = open_round(facilitator, proposal, "consent", clock)
    problem(facilitator.post(f"/proposals/{proposal}/versions", {
        "title": "T", "body": "B", "summary": "S"}), 409, "proposal.round_open")
    body = facilitator.get(f"/proposals/{proposal}").get_json()
    assert body["title"] == "Buy three cargo bikes"
    assert [r["id"] for r in body["rounds"]] == [round_id]
    assert body["may_open"] == []
    earlier = facilitator.post(f"/rounds/{round_id}/extend", {
        "closes_at": (clock() + timedelta(days=1)).isoformat()})
    found = problem(earlier, 422, "deadline.earlier")
    assert found["field"] == "closes_at"
    assert found["detail"] == "The new deadline must be later than the current one."
    later = facilitator.post(f"/rounds/{round_id}/extend", {
        "closes_at": (clock() + timedelta(days=9)).isoformat()})
    assert later.status_code == 200
    assert later.get_json()["closes_at"].startswith(str((clock() + timedelta(days=9)).date()))
    naive = facilitator.post(f"/rounds/{round_id}/extend", {"closes_at": "2026-03-20T10:00"})
    problem(naive, 422, "request.invalid")
    api(client, app, MEMBERS[0]).put(f"/rounds/{round_id}/ballot", {"position": "consent"})
    clock.advance(minutes=1)  # a ballot at the very instant of the close would be late
    closed = facilitator.post(f"/rounds/{round_id}/close")
    assert closed.status_code == 200
    assert closed.get_json()["status"] == "closed"
    assert closed.get_json()["outcome"] == "adopted"  # one consent, silence of the others
    problem(facilitator.post(f"/rounds/{round_id}/close"), 409, "round.not_open")
    rounds = facilitator.get(f"/proposals/{proposal}/rounds?limit=1").get_json()
    assert [r["id"] for r in rounds["items"]] == [round_id]
    assert rounds["next_cursor"] is None


# My ballot ------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_refused_ballot_says_why_in_the_words_of_the_page(
        app: Flask, client: FlaskClient, clock: Clock, auth: Any, language: str) -> None:
    facilitator = api(client, app, FACILITATOR)
    proposal = consent_proposal(facilitator)
    round_id = open_round(facilitator, proposal, "consent", clock, days=1)
    voter = api(client, app, MEMBERS[0], headers={"Accept-Language": language})
    wrong = problem(voter.put(f"/rounds/{round_id}/ballot", {"position": "yes"}), 422,
                    "ballot.position")
    no_reason = problem(voter.put(f"/rounds/{round_id}/ballot", {"position": "object"}),
                        422, "ballot.reason_missing")
    assert (wrong["field"], no_reason["field"]) == ("position", "reason")
    clock.advance(days=1)
    late = problem(voter.put(f"/rounds/{round_id}/ballot", {"position": "consent"}), 409,
                   "round.closed")
    # The page says the same, in the same language.
    assert auth.login(MEMBERS[0]).status_code == 302
    page = client.post(f"/orgs/coop/proposals/{proposal}/rounds/{round_id}/vote",
                       data={"position": "consent"}, headers={"Accept-Language": language})
    assert late["detail"] in page.get_data(as_text=True)
    if language == "fr":
        assert late["detail"] != "This round is closed: its deadline has passed."


def test_someone_outside_the_electorate_is_told_so(
        app: Flask, client: FlaskClient, clock: Clock) -> None:
    facilitator = api(client, app, FACILITATOR)
    proposal = consent_proposal(facilitator, electorate_scope="list",
                                electors=[member_id(app, "coop", MEMBERS[0])])
    round_id = open_round(facilitator, proposal, "consent", clock)
    found = problem(api(client, app, MEMBERS[1]).put(f"/rounds/{round_id}/ballot",
                                                     {"position": "consent"}),
                    403, "round.not_elector")
    assert found["detail"] == "You are not in the electorate of this round."


def test_my_ballot_is_read_back_and_a_key_sent_again_gives_the_first_answer(
        app: Flask, client: FlaskClient, clock: Clock) -> None:
    facilitator = api(client, app, FACILITATOR)
    round_id = open_round(facilitator, consent_proposal(facilitator), "consent", clock)
    voter = api(client, app, MEMBERS[0])
    assert voter.get(f"/rounds/{round_id}/ballot").get_json()["voted"] is False
    key = {"Idempotency-Key": "3f1c9a52-ballot-1"}
    first = voter.put(f"/rounds/{round_id}/ballot",
                      {"position": "consent", "concern": "Mind the budget."}, key)
    assert first.status_code == 200
    again = voter.put(f"/rounds/{round_id}/ballot",
                      {"position": "consent", "concern": "Mind the budget."}, key)
    assert again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(Ballot)) == 1
    other = voter.put(f"/rounds/{round_id}/ballot", {"position": "abstain"}, key)
    assert problem(other, 422, "idempotency.key_reused")["field"] == "Idempotency-Key"
    problem(voter.put(f"/rounds/{round_id}/ballot", {"position": "abstain"},
                      {"Idempotency-Key": "with space"}), 400, "idempotency.key_invalid")
    changed = voter.put(f"/rounds/{round_id}/ballot", {"position": "abstain"})
    assert changed.get_json()["position"] == "abstain"
    mine = voter.get(f"/rounds/{round_id}/ballot").get_json()
    assert (mine["voted"], mine["position"], mine["concern"]) == (True, "abstain", "")


# Results, case and audit ----------------------------------------------------------------


def test_the_result_has_an_etag_that_changes_with_it(
        app: Flask, client: FlaskClient, clock: Clock) -> None:
    facilitator = api(client, app, FACILITATOR)
    round_id = open_round(facilitator, consent_proposal(facilitator), "consent", clock)
    reader = api(client, app, MEMBERS[0])
    first = reader.get(f"/rounds/{round_id}/result")
    etag = first.headers["ETag"]
    assert first.get_json()["participation"] == {"responded": 0, "eligible": 8,
                                                 "quorum": None, "quorum_met": None,
                                                 "needed": None}
    assert reader.get(f"/rounds/{round_id}/result",
                      {"If-None-Match": etag}).status_code == 304
    reader.put(f"/rounds/{round_id}/ballot", {"position": "consent"})
    changed = reader.get(f"/rounds/{round_id}/result", {"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.get_json()["counts"] == {"consent": 1}


def test_the_case_is_the_stored_text_whose_hash_the_audit_log_holds(
        app: Flask, client: FlaskClient, clock: Clock) -> None:
    facilitator = api(client, app, FACILITATOR)
    round_id = open_round(facilitator, consent_proposal(facilitator), "consent", clock)
    problem(facilitator.get(f"/rounds/{round_id}/case"), 404, "case.none")
    api(client, app, MEMBERS[0]).put(f"/rounds/{round_id}/ballot", {"position": "consent"})
    facilitator.post(f"/rounds/{round_id}/close")
    case = facilitator.get(f"/rounds/{round_id}/case")
    assert case.status_code == 200
    closing = [e for e in facilitator.get("/organisations/coop/audit").get_json()["items"]
               if e["kind"] == "round_closed" and e["data"]["round"] == round_id]
    assert closing[0]["data"]["case_sha256"] == hashlib.sha256(case.data).hexdigest()
    assert json.loads(case.data)["family"] == "consent"


def test_the_audit_log_comes_newest_first_a_page_at_a_time_and_its_hashes_chain(
        app: Flask, client: FlaskClient, clock: Clock) -> None:
    facilitator = api(client, app, FACILITATOR)
    round_id = open_round(facilitator, consent_proposal(facilitator), "consent", clock)
    for email in MEMBERS:
        api(client, app, email).put(f"/rounds/{round_id}/ballot", {"position": "consent"})
    reader = api(client, app, MEMBERS[0], ("read",))
    first = reader.get("/organisations/coop/audit?limit=4").get_json()
    entries, cursor = list(first["items"]), first["next_cursor"]
    while cursor:
        page = reader.get(f"/organisations/coop/audit?limit=4&cursor={cursor}").get_json()
        entries += page["items"]
        cursor = page["next_cursor"]
    assert first["head"]["length"] == 7  # the round opened, six ballots
    assert [e["seq"] for e in entries] == list(range(first["head"]["length"], 0, -1))
    assert entries[0]["hash"] == first["head"]["hash"]
    with app.app_context():
        rows = {e.seq: e for e in audit.entries(db.session(), organisation_id(app))}
    previous = audit.GENESIS
    for entry in reversed(entries):
        row = rows[entry["seq"]]
        assert audit.digest(previous, entry["seq"], entry["kind"], row.data, row.actor_id,
                            row.at) == entry["hash"]
        previous = entry["hash"]


def organisation_id(app: Flask, slug: str = "coop") -> int:
    with app.app_context():
        found = db.session().scalar(select(Organisation.id).where(Organisation.slug == slug))
        assert found is not None
        return int(found)


# Secret rounds --------------------------------------------------------------------------


def test_a_secret_round_reveals_nothing_the_pages_do_not(
        app: Flask, client: FlaskClient, clock: Clock) -> None:
    facilitator = api(client, app, FACILITATOR)
    answer = facilitator.post("/organisations/coop/proposals", {
        "title": "Elect the board", "body": "By secret ballot.", "family": "majority",
        "params": {"preset": "association_default"}, "secret": True,
        "reasons_required": []})
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["hide_results"] is True
    round_id = open_round(facilitator, answer.get_json()["id"], "vote", clock)
    voter = api(client, app, MEMBERS[0])
    assert voter.put(f"/rounds/{round_id}/ballot", {"position": "yes"}).get_json() == {
        "round_id": round_id, "secret": True, "voted": True, "position": None, "reason": None,
        "concern": None, "nominee": None, "cast_at": None, "round_status": "open"}
    problem(voter.put(f"/rounds/{round_id}/ballot", {"position": "no"}), 409,
            "ballot.secret_already_cast")
    # Another member sees only that they have not voted themselves.
    assert api(client, app, MEMBERS[1]).get(f"/rounds/{round_id}/ballot").get_json()[
        "voted"] is False
    result = facilitator.get(f"/rounds/{round_id}/result").get_json()
    assert (result["counts_visible"], result["counts"], result["voters"]) == (False, None, None)
    ballots = [e for e in facilitator.get("/organisations/coop/audit").get_json()["items"]
               if e["kind"] == "ballot_cast"]
    assert ballots == [{**ballots[0], "data": {"round": round_id, "ballots": 1},
                        "actor_id": None}]
    facilitator.post(f"/rounds/{round_id}/close")
    closed = facilitator.get(f"/rounds/{round_id}/result").get_json()
    assert closed["counts"]["yes"] == 1
    assert closed["voters"] is None


# Errors ---------------------------------------------------------------------------------


def test_unknown_addresses_and_methods_answer_problems_not_pages(
        app: Flask, client: FlaskClient) -> None:
    reader = api(client, app, MEMBERS[0])
    problem(reader.get("/nothing/here"), 404, "not_found")
    problem(reader.get("/rounds/2147483647"), 404, "not_found")
    wrong = client.delete("/api/v1/organisations/coop", headers=reader._headers(None))
    problem(wrong, 405, "method.not_allowed")
    assert wrong.headers["Allow"] == "GET, HEAD"


def test_the_callers_language_is_their_accounts(
        app: Flask, client: FlaskClient, clock: Clock) -> None:
    with unit(app) as session:
        user = session.scalar(select(User).where(User.email == MEMBERS[0]))
        assert user is not None
        user.language = "fr"
    voter = api(client, app, MEMBERS[0])
    facilitator = api(client, app, FACILITATOR)
    round_id = open_round(facilitator, consent_proposal(facilitator), "consent", clock)
    found = problem(voter.put(f"/rounds/{round_id}/ballot", {"position": "yes"}), 422,
                    "ballot.position")
    assert found["detail"] != "This position is not possible in this round."
    assert found["title"] == "Unprocessable content"


# Rate limits ----------------------------------------------------------------------------


@pytest.fixture
def limited(app: Flask, clock: Clock) -> Iterator[Flask]:
    """The application with rate limits on, three API requests a minute per token."""
    with sharing(app, clock, RATELIMIT_ENABLED=True, API_RATE_LIMIT="3 per minute") as other:
        yield other


def test_each_token_has_its_rate_limit_said_in_ratelimit_headers(limited: Flask) -> None:
    client = limited.test_client()
    first = Api(client, token_for(limited, MEMBERS[0], ("read",)))
    second = Api(client, token_for(limited, MEMBERS[1], ("read",)))
    answers = [first.get(path) for path in ("/organisations/coop", "/organisations/coop/members",
                                            "/organisations/coop/audit", "/organisations/coop")]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[0].headers["RateLimit-Policy"] == '"token";q=3;w=60'
    assert answers[0].headers["RateLimit"].startswith('"token";r=2;t=')
    assert answers[2].headers["RateLimit"].startswith('"token";r=0;t=')
    refused = problem(answers[3], 429, "rate_limited")
    assert int(answers[3].headers["Retry-After"]) >= 1
    assert refused["detail"]
    assert second.get("/organisations/coop").status_code == 200  # another token's own limit
