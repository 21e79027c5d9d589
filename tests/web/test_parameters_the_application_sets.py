"""Issue 9: a rule parameter the application sets itself for every round is refused when a
proposal is created, never silently overwritten.

The acceptance window (``opens_at``, ``closes_at``, ``evaluated_at``, and the deadline taken
strictly: ``deadline_inclusive`` false), the ``convocation`` and ``mode`` of a vote, and a
college vote's ``colleges`` come from the round and the organisation when it is counted.
A proposal that chose them would show a rule the server does not apply.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from decisions.web.models import Membership, Organisation, Proposal
from decisions.web.services import proposals

from .conftest import Clock, six_member_scic, unit

SET_BY_THE_APPLICATION: list[tuple[str, dict[str, Any]]] = [
    ("majority", {"opens_at": "2026-03-02T09:00:00Z"}),
    ("majority", {"closes_at": "2026-03-09T09:00:00Z"}),
    ("consent", {"evaluated_at": "2026-03-09T09:00:00Z"}),
    ("consent", {"deadline_inclusive": True}),
    ("majority", {"convocation": "second"}),
    ("majority", {"mode": "meeting"}),
    ("scic_college", {"colleges": [{"id": "a", "weight": "1/2"}, {"id": "b", "weight": "1/2"}],
                      "enforce_scic_bounds": False}),
]


@pytest.mark.parametrize(("family", "params"), SET_BY_THE_APPLICATION)
def test_a_parameter_the_application_sets_is_refused_at_creation(
        app: Flask, make_org: Callable[..., Organisation],
        make_member: Callable[..., Membership], clock: Clock, family: str,
        params: dict[str, Any]) -> None:
    organisation, members = six_member_scic(make_org, make_member)
    if family != "consent":
        params = {"preset": "association_default", **params}
    with unit(app) as session, pytest.raises(proposals.RuleError) as refused:
        proposals.create_proposal(
            session, session.get_one(Organisation, organisation.id),
            session.get_one(Membership, members[0]), title="Bikes", body="Two.",
            family=family, params=params, now=clock())
    name = next(key for key in params if key not in ("preset", "enforce_scic_bounds"))
    assert refused.value.path == name
    assert "set by the application" in str(refused.value)
    with unit(app) as session:
        assert session.query(Proposal).count() == 0
