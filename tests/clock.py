"""The application's clock in tests, moved instead of sleeping (web and browser tests)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta


@dataclass
class Clock:
    """The application's clock, moved by tests instead of sleeping."""

    now: datetime = field(default_factory=lambda: datetime(2026, 3, 2, 9, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        """Move the clock forward (``advance(days=1, seconds=-1)``)."""
        self.now += timedelta(**delta)
        return self.now
