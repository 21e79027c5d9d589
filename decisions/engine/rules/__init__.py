"""The rules, one per family, behind a common protocol, and the ``evaluate`` entry point."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Protocol

from ..model import Case, Family
from ..results import Result
from .college import CollegeRule
from .consent import ConsentRule
from .election import ElectionRule
from .majority import MajorityRule
from .sociocratic import SociocraticRule

__all__ = ["RULES", "Rule", "evaluate"]


class Rule(Protocol):
    """A family of decision rules: decides a case as a pure function of it and ``now``."""

    @property
    def family(self) -> Family:
        """The family this rule decides."""
        ...

    def evaluate(self, case: Case, now: datetime | None = None) -> Result:
        """Decide ``case`` at the instant ``now`` (default: the case's ``evaluated_at``)."""
        ...


#: The rule of each family.
RULES: Mapping[Family, Rule] = MappingProxyType(
    {
        rule.family: rule
        for rule in (MajorityRule(), CollegeRule(), ConsentRule(), SociocraticRule(),
                     ElectionRule())
    }
)


def evaluate(case: Case, now: datetime | None = None) -> Result:
    """Decide a case: the same case and ``now`` always give the same result.

    ``now`` is the instant of evaluation; ``None`` takes the case's ``evaluated_at``, and a
    case without one is evaluated as closed.
    """
    if now is not None and now.tzinfo is None:
        raise ValueError("now must be an aware datetime (UTC)")
    return RULES[case.family].evaluate(case, now)
