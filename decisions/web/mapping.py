"""The only place where rows become engine values, and engine results become row values.

The web layer decides nothing: it maps its rows to the engine's values, asks the engine, and
maps the answer back to row ids so that pages can show it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from decisions.engine import College as EngineCollege
from decisions.engine import CollegeRefusal

from .models import College, Organisation


def college_key(college_id: int) -> str:
    """The engine's id of a college row."""
    return str(college_id)


def engine_colleges(colleges: Iterable[College],
                    weights: Mapping[int, Fraction | None] | None = None,
                    ) -> tuple[EngineCollege, ...]:
    """College rows as the engine's configuration: ids, and weights in percent (``None``
    for equal weights); ``weights`` by row id replaces the rows' own (a proposed change)."""
    return tuple(
        EngineCollege(id=college_key(college.id),
                      weight=college.weight if weights is None else weights[college.id])
        for college in colleges)


def enforce_scic_bounds(organisation: Organisation) -> bool:
    """Whether the law of SCICs bounds the organisation's colleges (docs/rules.md 3.2 and 10)."""
    return organisation.is_scic


@dataclass(frozen=True, slots=True)
class CollegeVerdict:
    """The engine's verdict on a college configuration, in row ids.

    ``shares`` gives each college's effective share of the voting rights (a fraction of 1)
    when the configuration is accepted; otherwise ``error`` says why and ``offending`` names
    the colleges concerned.
    """

    shares: Mapping[int, Fraction] = field(default_factory=dict)
    error: CollegeRefusal | None = None
    offending: tuple[int, ...] = ()

    @property
    def accepted(self) -> bool:
        """Whether the engine accepts the configuration."""
        return self.error is None


def college_verdict(checked: tuple[CollegeRefusal, tuple[str, ...]] | dict[str, Fraction],
                    ) -> CollegeVerdict:
    """The answer of ``check_colleges`` with row ids instead of engine ids."""
    if isinstance(checked, tuple):
        error, offending = checked
        return CollegeVerdict(error=error, offending=tuple(int(key) for key in offending))
    return CollegeVerdict(shares={int(key): share for key, share in checked.items()})
