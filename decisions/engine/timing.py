"""Time windows of a vote: when a ballot is on time, and whether a case is still open.

The engine reads no clock: the instant of evaluation is always given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .model import RejectionReason

__all__ = ["Window"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Window:
    """When ballots are accepted, and the instant the case is evaluated at.

    A ballot is on time iff ``opens_at <= cast_at < closes_at`` (deadline exclusive, as
    Loomio's ``closing_at > now``), or ``<= closes_at`` when ``deadline_inclusive``.
    ``evaluated_at`` absent means the case is evaluated as closed.
    """

    opens_at: datetime | None = None
    closes_at: datetime | None = None
    evaluated_at: datetime | None = None
    deadline_inclusive: bool = False

    def refusal(self, cast_at: datetime) -> RejectionReason | None:
        """Why a ballot cast at ``cast_at`` is out of the window, or ``None`` if on time."""
        if self.opens_at is not None and cast_at < self.opens_at:
            return RejectionReason.TOO_EARLY
        return RejectionReason.LATE if self.late(cast_at) else None

    def late(self, cast_at: datetime) -> bool:
        """Whether a ballot cast at ``cast_at`` comes at or after the deadline (after it when
        ``deadline_inclusive``): refused whatever the instant of evaluation."""
        closes = self.closes_at
        if closes is None:
            return False
        return cast_at > closes if self.deadline_inclusive else cast_at >= closes

    def still_open(self, instant: datetime | None) -> bool:
        """Whether, at ``instant``, the vote has not reached its deadline (or not opened)."""
        if instant is None:
            return False
        if self.opens_at is not None and instant < self.opens_at:
            return True
        if self.closes_at is None:
            return False
        return instant <= self.closes_at if self.deadline_inclusive else instant < self.closes_at
