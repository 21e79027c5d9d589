"""A quorum given as a fraction: zero members is no quorum (the form offers "No quorum" for
that), and each number's refusal stands next to that number (issue 9)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from decisions.web.services import proposals

from .conftest import Auth
from .test_proposals import FACILITATOR, count, errors_of, form
from .test_proposals import coop as coop


@pytest.fixture
def app(rolled_back_app: Flask) -> Flask:
    """The application on the module's world (``coop``, built once): what a test writes is
    rolled back after it."""
    return rolled_back_app


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"quorum_num_first": "0", "quorum_den_first": "5"}, "quorum_num_first",
     "choose “No quorum”"),
    ({"quorum_num_first": "1", "quorum_den_first": "0"}, "quorum_den_first", "at least 1"),
    ({"quorum_num_first": "-1", "quorum_den_first": "5"}, "quorum_num_first", ""),
], ids=["zero-numerator", "zero-denominator", "negative-numerator"])
def test_a_meaningless_quorum_is_refused_next_to_its_number(
        app: Flask, client: FlaskClient, auth: Auth, coop: dict[str, int],
        fields: dict[str, Any], field: str, message: str) -> None:
    auth.login(FACILITATOR)
    data = form(family="majority", preset="scic_sa_ago", quorum_first="fraction", **fields)
    response = client.post("/orgs/coop/proposals/new", data=data)
    assert response.status_code == 200
    shown = errors_of(response.get_data(as_text=True), field)
    assert shown
    assert message in shown
    assert count(app) == 0


@pytest.mark.parametrize(("quorum", "path"), [
    ({"num": 0, "den": 5}, "quorum.num"),
    ({"first": {"num": 1, "den": 2}, "second": {"num": 0, "den": 5}}, "quorum.second.num"),
])
def test_the_service_refuses_a_zero_quorum_too(app: Flask, quorum: dict[str, Any],
                                               path: str) -> None:
    with app.test_request_context():
        problem = proposals.check_rule("majority", {"preset": "scic_sa_ago", "quorum": quorum})
    assert problem is not None
    assert problem.path == path
