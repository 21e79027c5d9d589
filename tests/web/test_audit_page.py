"""The audit page members read: names rather than member numbers, times of the
organisation's zone with the zone named, words rather than raw keys, pages of 50 down to
the oldest entry (issue 8, part 5)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from decisions.web.models import Organisation, RoundKind
from decisions.web.services import audit

from .conftest import Clock, unit
from .round_steps import coop_once as coop_once
from .round_steps import open_round, proposal_of, vote


@pytest.fixture
def app(rolled_back_app: Flask) -> Flask:
    """The application on the module's world, built once: what a test writes is rolled
    back after it."""
    return rolled_back_app


def rows(page: str) -> list[str]:
    """The rows of the log's table, as text."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [re.sub(r"\s+", " ", row) for row in body.split("<tr>")[1:]]


def test_the_log_names_people_in_the_organisations_time_and_words(
        app: Flask, coop: tuple[Organisation, list[int]], clock: Clock, client: FlaskClient,
        auth: Any) -> None:
    organisation, members = coop
    proposal = proposal_of(app, organisation, members[0], "majority",
                           {"preset": "association_default"}, clock)
    round_id = open_round(app, proposal, RoundKind.VOTE, clock)
    vote(app, round_id, members[1], "yes", clock)
    auth.login("m0@example.org")
    page = client.get("/orgs/coop/audit").get_data(as_text=True)
    ballot, opened = rows(page)
    assert "Ballot cast" in ballot
    assert "<td>m1</td>" in ballot  # who cast it, by name
    assert "Member: m1" in ballot
    assert "Position: yes" in ballot
    assert "10:00" in ballot
    assert "(Europe/Paris)" in ballot
    assert "Round opened" in opened
    assert "Kind of round: vote" in opened
    assert "round_kind" not in page
    assert "closes_at" not in page
    assert "Deadline:" in opened
    assert "(Europe/Paris)" in opened


def test_the_log_comes_in_pages_of_50_down_to_the_oldest_entry(
        app: Flask, coop: tuple[Organisation, list[int]], clock: Clock, client: FlaskClient,
        auth: Any) -> None:
    organisation, _ = coop
    with unit(app) as session:
        for i in range(120):
            audit.record(session, organisation.id, "test", {"i": i}, at=clock())
    auth.login("m0@example.org")
    newest = client.get("/orgs/coop/audit").get_data(as_text=True)
    assert len(rows(newest)) == 50
    assert rows(newest)[0].startswith(" <td>120</td>")
    assert "Page 1 of 3" in newest
    assert "/orgs/coop/audit?page=2" in newest
    assert "/orgs/coop/audit?page=3" in newest
    oldest = client.get("/orgs/coop/audit?page=3").get_data(as_text=True)
    assert len(rows(oldest)) == 20
    assert rows(oldest)[-1].startswith(" <td>1</td>")
    assert "Page 3 of 3" in oldest
    assert "?page=2" in oldest
    assert client.get("/orgs/coop/audit?page=99").status_code == 200
