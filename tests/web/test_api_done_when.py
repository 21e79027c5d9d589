"""Done when (issue 14): a whole consent round and a college vote are driven through the API
alone, with tokens of the right scopes made by ``decisions token create``, and refused with
the wrong ones; the stored case, read through the API, recounts to the same outcome with
the engine."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from decisions.engine import evaluate, load_case
from decisions.web.cli import cli
from decisions.web.models import Organisation

from .api_world import Api, member_id
from .conftest import Clock, module_world
from .round_pages import MakeMember, MakeOrg

ADMIN, FACILITATOR = "ana@coop.example.org", "fay@coop.example.org"
COLLEGES = ("workers", "users", "partners")
MEMBERS = [f"m{i}@coop.example.org" for i in range(6)]


@module_world
def coop(make_org: MakeOrg, make_member: MakeMember) -> Organisation:
    """A SCIC (colleges 50/30/20), its admin, a facilitator in the workers' college, and six
    members, two per college."""
    organisation = make_org("coop", admin=ADMIN,
                            colleges={"workers": 50, "users": 30, "partners": 20})
    make_member(organisation, FACILITATOR, role="facilitator", college="workers")
    for i, email in enumerate(MEMBERS):
        make_member(organisation, email, college=COLLEGES[i % 3])
    return organisation


@pytest.fixture
def app(rolled_back_app: Flask, coop: Organisation) -> Flask:
    return rolled_back_app


def cli_token(app: Flask, email: str, *scopes: str, organisation: str | None = None) -> str:
    """A token made with ``decisions token create`` (printed once, on its own line)."""
    arguments = ["token", "create", "--email", email, "--name", "done-when"]
    for scope in scopes:
        arguments += ["--scope", scope]
    if organisation is not None:
        arguments += ["--organisation", organisation]
    result = app.test_cli_runner().invoke(cli, arguments)
    assert result.exit_code == 0, result.output
    text = result.stdout.strip()
    assert text.startswith("dcs_")
    assert "\n" not in text
    return text


def refused(answer: Any, status: int, code: str) -> None:
    assert answer.status_code == status, answer.get_data(as_text=True)
    assert answer.get_json()["code"] == code


def test_a_whole_consent_round_through_the_api_alone(
        app: Flask, client: FlaskClient, clock: Clock) -> None:
    facilitator = Api(client, cli_token(app, FACILITATOR, "read", "facilitate"))
    voters = [Api(client, cli_token(app, email, "read", "vote")) for email in
              [ADMIN, FACILITATOR, *MEMBERS]]
    # The wrong scopes, and the wrong role, are refused.
    refused(Api(client, cli_token(app, FACILITATOR, "read", "vote")).post(
        "/organisations/coop/proposals", {"title": "T", "body": "B", "family": "consent"}),
        403, "token.scope")
    refused(Api(client, cli_token(app, MEMBERS[0], "read", "facilitate")).post(
        "/organisations/coop/proposals", {"title": "T", "body": "B", "family": "consent"}),
        403, "proposal.may_not_propose")

    made = facilitator.post("/organisations/coop/proposals", {
        "title": "Share the delivery bikes with the food circuit",
        "body": "The two cargo bikes are lent on weekends.", "family": "consent",
        "params": {"min_consents": 2}, "reasons_required": ["object"]})
    assert made.status_code == 201, made.get_json()
    proposal = made.get_json()["id"]
    assert made.get_json()["may_open"] == ["consent"]
    opened = facilitator.post(f"/proposals/{proposal}/rounds", {
        "kind": "consent", "closes_at": (clock() + timedelta(days=7)).isoformat()})
    assert opened.status_code == 201
    round_id = opened.get_json()["id"]
    refused(Api(client, cli_token(app, MEMBERS[0], "read")).put(
        f"/rounds/{round_id}/ballot", {"position": "consent"}), 403, "token.scope")
    refused(facilitator.put(f"/rounds/{round_id}/ballot", {"position": "consent"}),
            403, "token.scope")

    clock.advance(hours=1)
    refused(voters[2].put(f"/rounds/{round_id}/ballot", {"position": "object"}), 422,
            "ballot.reason_missing")
    positions = ["consent", "consent", "object", "consent", "abstain", "consent", "consent",
                 "consent"]
    for voter, position in zip(voters, positions, strict=True):
        body = {"position": position}
        if position == "object":
            body["reason"] = "Weekends are when we deliver the most."
        answer = voter.put(f"/rounds/{round_id}/ballot", body,
                           {"Idempotency-Key": f"ballot-{position}-{id(voter)}"})
        assert answer.status_code == 200, answer.get_json()
    # Every elector answered: the rule closed the round with the last ballot.
    result = facilitator.get(f"/rounds/{round_id}/result").get_json()
    assert result["closed"] is True
    assert result["participation"]["responded"] == result["participation"]["eligible"] == 8
    assert result["counts"] == {"consent": 6, "object": 1, "abstain": 1}
    assert result["outcome"] == facilitator.get(f"/rounds/{round_id}").get_json()["outcome"]
    assert "objection" in result["explanation"].lower()
    refused(voters[0].put(f"/rounds/{round_id}/ballot", {"position": "consent"}), 409,
            "round.closed")
    case = facilitator.get(f"/rounds/{round_id}/case")
    assert evaluate(load_case(json.loads(case.data))).outcome.value == result["outcome"]
    kinds = [e["kind"] for e in facilitator.get("/organisations/coop/audit").get_json()[
        "items"]]
    assert kinds[0] == "round_closed"
    assert kinds.count("ballot_cast") == 8


def test_a_college_vote_through_the_api_alone_with_a_platform_voting_for_its_members(
        app: Flask, client: FlaskClient, clock: Clock) -> None:
    facilitator = Api(client, cli_token(app, FACILITATOR, "read", "facilitate"))
    platform = Api(client, cli_token(app, ADMIN, "read", "vote", organisation="coop"))
    reader = Api(client, cli_token(app, MEMBERS[0], "read"))
    made = facilitator.post("/organisations/coop/proposals", {
        "title": "Approve the 2026 accounts", "body": "The accounts are attached.",
        "family": "scic_college", "params": {"preset": "scic_sa_ago"}})
    assert made.status_code == 201, made.get_json()
    proposal = made.get_json()["id"]
    opened = facilitator.post(f"/proposals/{proposal}/rounds", {
        "kind": "vote", "closes_at": (clock() + timedelta(days=14)).isoformat()})
    assert opened.status_code == 201, opened.get_json()
    round_id = opened.get_json()["id"]
    assert opened.get_json()["positions"] == ["yes", "no", "abstain", "blank"]
    clock.advance(hours=2)
    refused(platform.post(f"/rounds/{round_id}/close"), 403, "token.scope")
    votes = dict(zip(MEMBERS, ["yes", "no", "yes", "yes", "abstain", "yes"], strict=True))
    for email, position in votes.items():
        acting = {"Decisions-Member": str(member_id(app, "coop", email))}
        answer = platform.put(f"/rounds/{round_id}/ballot", {"position": position}, acting)
        assert answer.status_code == 200, answer.get_json()
        assert platform.get(f"/rounds/{round_id}/ballot", acting).get_json()["position"] == (
            position)
    live = reader.get(f"/rounds/{round_id}/result").get_json()
    assert live["closed"] is False
    assert live["counts"]["yes"] == 4
    clock.advance(hours=1)
    closed = facilitator.post(f"/rounds/{round_id}/close")
    assert closed.status_code == 200
    assert closed.get_json()["status"] == "closed"
    result = reader.get(f"/rounds/{round_id}/result").get_json()
    assert [c["name"] for c in result["colleges"]] == list(COLLEGES)
    assert {c["name"]: c["counts"]["yes"] for c in result["colleges"]} == {
        "workers": 2, "users": 0, "partners": 2}
    assert result["outcome"] == "adopted"
    assert reader.get(f"/proposals/{proposal}").get_json()["status"] == "decided"
    case = json.loads(reader.get(f"/rounds/{round_id}/case").data)
    assert evaluate(load_case(case)).outcome.value == "adopted"
