"""The API's description: OpenAPI 3.1 written from the very models that check requests and
shape answers, every route described, a documentation page in the site's style; and
Schemathesis run against the live application (over HTTP on 127.0.0.1), bounded, finding
no server error and no answer that breaks the description."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from decisions.web import db
from decisions.web.api import schemas
from decisions.web.api.spec import OPERATIONS, PREFIX
from decisions.web.models import (
    AssemblyKind,
    AttendanceMode,
    Membership,
    Organisation,
    Proposal,
    RoundKind,
)
from decisions.web.services import assemblies, proposals, rounds

from .api_world import served, token_for
from .conftest import Clock, unit

#: Test cases per operation and phase: about 1,400 in all (most from the coverage phase's
#: boundary values), ten seconds per backend.
MAX_EXAMPLES = 8
#: The checks run: no server error, and every answer as described (status, media type,
#: headers, body), invalid requests refused, undescribed methods refused with Allow, no
#: answer without the token. Not "positive_data_acceptance": data valid for the schema is
#: often refused by the rules (a round that cannot open now), and rightly so.
CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,"
          "response_headers_conformance,response_schema_conformance,negative_data_rejection,"
          "unsupported_method,allow_header_conformance,ignored_auth,missing_required_header")


@pytest.fixture
def document(client: FlaskClient) -> dict[str, Any]:
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    assert answer.mimetype == "application/json"
    found: dict[str, Any] = answer.get_json()
    return found


def test_the_description_is_openapi_3_1_and_describes_every_route(
        app: Flask, document: dict[str, Any]) -> None:
    assert document["openapi"] == "3.1.0"
    described = {(method.upper(), path) for path, methods in document["paths"].items()
                 for method in methods}
    routes = {(method, re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule))
              for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")
              and rule.endpoint != "api.docs"
              for method in rule.methods or () if method not in ("HEAD", "OPTIONS")}
    assert described == routes
    assert len(described) == 21  # the issue's 17, the assemblies' 3, this description
    assert {f"{PREFIX}/rounds/{{round_id}}/ballot", f"{PREFIX}/organisations/{{slug}}/audit",
            f"{PREFIX}/rounds/{{round_id}}/case"} <= set(document["paths"])


def test_its_schemas_are_the_models_that_check_requests_and_shape_answers(
        document: dict[str, Any]) -> None:
    components = document["components"]["schemas"]
    for model, mode in ((schemas.BallotPut, "validation"), (schemas.Round, "serialization"),
                        (schemas.ProposalCreate, "validation"),
                        (schemas.Problem, "serialization")):
        generated = model.model_json_schema(mode=mode,  # type: ignore[arg-type]
                                            ref_template="#/components/schemas/{model}")
        generated.pop("$defs", None)
        assert components[model.__name__] == generated
    put = document["paths"][f"{PREFIX}/rounds/{{round_id}}/ballot"]["put"]
    assert put["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/BallotPut"}
    assert put["x-scope"] == "vote"
    assert {p["name"] for p in put["parameters"]} == {"round_id", "Idempotency-Key",
                                                      "Decisions-Member"}
    assert set(put["responses"]) >= {"200", "401", "403", "404", "409", "422", "429"}
    assert put["responses"]["422"]["content"] == {"application/problem+json": {
        "schema": {"$ref": "#/components/schemas/Problem"}}}
    assert components["BallotPut"]["additionalProperties"] is False
    assert [op.name for op in OPERATIONS][:2] == ["get_organisation", "list_members"]


def test_the_documentation_page_reads_the_description_in_the_sites_style(
        client: FlaskClient, document: dict[str, Any]) -> None:
    answer = client.get("/api/v1/docs")
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            assert f'id="{operation["operationId"]}"' in page
            assert f"{method.upper()} {path}" in page
    assert 'id="schema-BallotPut"' in page
    assert "<script" not in page
    assert "style=" not in page
    assert not re.search(r'(src|href)="(https?:)?//', page)  # nothing from elsewhere
    assert "default-src 'self'" in answer.headers["Content-Security-Policy"]


# Schemathesis against the live application -------------------------------------------------


def _world(app: Flask, clock: Clock) -> dict[str, list[Any]]:
    """An organisation with rounds of each kind and state for the generated requests to
    reach: the ids Schemathesis draws from (and from random ones)."""
    from .conftest import new_member, new_organisation

    coop = new_organisation(app, "coop", admin="ana@coop.example.org",
                            colleges={"workers": 50, "users": 30, "partners": 20})
    for i in range(3):
        new_member(app, coop, f"m{i}@coop.example.org",
                   college=("workers", "users", "partners")[i])
    found: dict[str, list[Any]] = {"slug": ["coop"], "proposal": [], "round": []}
    with unit(app) as session:
        organisation = session.get_one(Organisation, coop.id)
        author = session.scalars(select(Membership).where(
            Membership.organisation_id == coop.id)).first()
        assert author is not None
        now = clock()
        for family, params, kind, secret in (
                ("consent", {}, RoundKind.CONSENT, False),
                ("majority", {"preset": "association_default"}, RoundKind.VOTE, False),
                ("majority", {"preset": "association_default"}, RoundKind.VOTE, True),
                ("scic_college", {"preset": "scic_sa_ago"}, RoundKind.VOTE, False),
                ("sociocratic_election", {}, RoundKind.NOMINATION, False)):
            proposal = proposals.create_proposal(
                session, organisation, author, title=f"A {family}", body="Text.",
                family=family, params=params, now=now - timedelta(days=2), secret=secret)
            round_ = rounds.open_round(session, proposal, kind, now=now - timedelta(days=2),
                                       closes_at=now + timedelta(days=5))
            found["proposal"].append(proposal.id)
            found["round"].append(round_.id)
        closed = session.get_one(Proposal, found["proposal"][0])
        rounds.close_round(session, closed.rounds[0].id, now=now - timedelta(days=1))
        draft = proposals.create_proposal(session, organisation, author, title="A draft",
                                          body="Text.", family="consent", params={}, now=now)
        found["proposal"].append(draft.id)
        # A general assembly held and closed (its minutes written), and one convened; a
        # member of a college (who may vote by college) checked in.
        present = session.scalars(select(Membership).where(
            Membership.organisation_id == coop.id, Membership.college_id.is_not(None))).first()
        assert present is not None
        start = now - timedelta(days=40)
        held = assemblies.create_assembly(session, organisation, author, assemblies.Settings(
            title="AGO 2025", kind=AssemblyKind.ORDINARY, meets_at=start + timedelta(days=20),
            place="Hall"), now=start)
        item = assemblies.add_resolution(session, held, author, title="Accounts",
                                         body="Approved.", now=start)
        assemblies.convene(session, held, author, now=start)
        meeting = start + timedelta(days=20)
        assemblies.open_sitting(session, held, author, now=meeting)
        assemblies.check_in(session, held, present.id, AttendanceMode.ROOM, by=author,
                            now=meeting)
        resolution = assemblies.open_resolution(session, held, item.id, author, minutes=None,
                                                now=meeting)
        found["round"].append(resolution.id)
        assemblies.close_resolution(session, held, item.id, author,
                                    now=meeting + timedelta(minutes=10))
        assemblies.close_sitting(session, held, author, now=meeting + timedelta(minutes=20))
        convened = assemblies.create_assembly(
            session, organisation, author, assemblies.Settings(
                title="AGE 2026", kind=AssemblyKind.EXTRAORDINARY,
                meets_at=now + timedelta(days=20), place="Hall"), now=now)
        assemblies.add_resolution(session, convened, author, title="Statuts",
                                  body="Changed.", extraordinary=True, now=now)
        assemblies.convene(session, convened, author, now=now)
        found["assembly"] = [held.id, convened.id]
    return found


def _config(path: Path, world: dict[str, list[Any]], token: str) -> Path:
    """A schemathesis.toml: the token, and the world's ids drawn most of the time."""
    names = {"slug": "slug", "proposal_id": "proposal", "round_id": "round",
             "assembly_id": "assembly"}
    lines = [f'headers = {{ Authorization = "Bearer {token}" }}', ""]
    for key in names.values():
        lines += [f"[dictionaries.{key}]", f"values = {json.dumps(world[key])}", ""]
    lines.append("[parameters]")
    lines += [f'"path.{name}" = {{ dictionary = "{key}", probability = 0.9 }}'
              for name, key in names.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


def _schemathesis() -> list[str]:
    found = shutil.which("st", path=str(Path(sys.executable).parent))
    assert found is not None, "schemathesis is installed with the test extras"
    return [found]


def test_schemathesis_finds_no_server_error_and_no_answer_outside_the_description(
        app: Flask, clock: Clock, tmp_path: Path) -> None:
    world = _world(app, clock)
    token = token_for(app, "ana@coop.example.org")
    config = _config(tmp_path / "schemathesis.toml", world, token)
    with served(app) as url:
        run = subprocess.run(
            [*_schemathesis(), "--config-file", str(config), "run",
             f"{url}/api/v1/openapi.json", "--checks", CHECKS,
             "--max-examples", str(MAX_EXAMPLES), "--seed", "14", "--workers", "1",
             "--no-color", "--request-timeout", "20", "--suppress-health-check", "all"],
            capture_output=True, text=True, timeout=240, cwd=tmp_path,
            env={**os.environ, "SCHEMATHESIS_HOOKS": ""}, check=False)
    summary = run.stdout[-6000:]
    assert run.returncode == 0, summary + run.stderr[-2000:]
    generated = re.search(r"(\d+) generated", summary)
    assert generated is not None, summary
    assert 200 <= int(generated.group(1)) <= 3000, summary
    print(f"schemathesis: {generated.group(0)}")  # shown with -rP: the run's size
    with app.app_context():
        assert db.session().scalar(select(Organisation.slug)) == "coop"
