"""The services refuse with one family of errors: a stable code, the field at fault, and an
English message that the web layer translates (issue 10)."""

from __future__ import annotations

import pytest
from flask import Flask

from decisions.web.errors import error_text
from decisions.web.services import ServiceError
from decisions.web.services.proposals import RuleError, check_rule
from decisions.web.services.rounds import DeadlineError, RoundError


def test_a_service_error_carries_its_code_field_and_english_message_filled_in() -> None:
    error = DeadlineError("deadline.too_far",
                          "The deadline cannot be more than %(days)d days away.",
                          params={"days": 730})
    assert isinstance(error, RoundError)
    assert isinstance(error, ServiceError)
    assert (error.code, error.field) == ("deadline.too_far", "closes_at")
    assert str(error) == "The deadline cannot be more than 730 days away."


def test_the_web_layer_says_a_refusal_in_the_readers_language(app: Flask) -> None:
    error = DeadlineError("deadline.too_far",
                          "The deadline cannot be more than %(days)d days away.",
                          params={"days": 730})
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert error_text(error) == "L'échéance ne peut pas être à plus de 730 jours."
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert error_text(error) == str(error)


@pytest.mark.parametrize(("family", "params", "path"), [
    ("no_such_rule", {}, None),
    ("majority", {"preset": "scic_sa_ago", "quorum": {"num": 0, "den": 5}}, "quorum.num"),
])
def test_the_engines_objection_to_a_rule_names_the_parameter_at_fault(
        family: str, params: dict[str, object], path: str | None) -> None:
    problem = check_rule(family, params)
    assert isinstance(problem, RuleError)
    assert problem.path == path
    assert problem.field == ("family" if path is None else "params")

