"""Errors of the API that are not refusals of the rules: the database unable to take a write
now (503 with Retry-After, as the pages), and an error on our side (500): problems too, never
a page."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy.exc import OperationalError

from decisions.web.models import Organisation
from decisions.web.services import proposals

from .api_world import Api, token_for
from .test_unavailable import _read_only
from .variant import row_counts, variant

PROPOSAL = {"title": "Buy cargo bikes", "body": "Two.", "family": "consent"}


@pytest.fixture
def coop(app: Flask, make_org: Callable[..., Organisation]) -> str:
    """An organisation and a token of its admin (committed: other engines read them)."""
    make_org("coop", admin="ana@example.org")
    return token_for(app, "ana@example.org")


def test_a_write_to_a_read_only_database_is_a_503_problem_and_writes_nothing(
        app: Flask, coop: str) -> None:
    before = row_counts(app)
    with variant(app, DATABASE_URL=_read_only(app.config["DATABASE_URL"])) as read_only:
        answer = Api(read_only.test_client(), coop, {"Accept-Language": "fr"}).post(
            "/organisations/coop/proposals", PROPOSAL)
    assert answer.status_code == 503
    assert answer.mimetype == "application/problem+json"
    assert answer.headers["Retry-After"] == "300"
    assert answer.get_json()["code"] == "database.read-only"
    assert "lecture seule" in answer.get_json()["detail"]
    assert row_counts(app) == before


def test_an_error_on_our_side_is_a_500_problem(
        app: Flask, coop: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise OperationalError("INSERT ...", {}, sqlite3.OperationalError("disk I/O error"))

    monkeypatch.setattr(proposals, "create_proposal", broken)
    with variant(app, PROPAGATE_EXCEPTIONS=False) as other:
        answer = Api(other.test_client(), coop).post("/organisations/coop/proposals", PROPOSAL)
    assert answer.status_code == 500
    assert answer.mimetype == "application/problem+json"
    assert answer.get_json()["code"] == "server.error"
    assert "Retry-After" not in answer.headers
