"""What every form shares."""

from __future__ import annotations

from wtforms import Field


def add_error(field: Field, message: str) -> None:
    """Show ``message`` next to ``field``, as a validation error (a service refused it)."""
    field.errors = [*field.errors, message]
