"""What every form shares: errors coming from services, the options of a select, and the
fields of a new password."""

from __future__ import annotations

from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from wtforms import Field, PasswordField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # stubs < 3.3
from wtforms.validators import DataRequired, EqualTo, Length

from .services.accounts import MIN_PASSWORD


def add_error(field: Field, message: str) -> None:
    """Show ``message`` next to ``field``, as a validation error (a service refused it)."""
    field.errors = [*field.errors, message]


def stripped(value: str | None) -> str | None:
    """A field filter: text without the spaces pasted around it."""
    return value.strip() if isinstance(value, str) else value


def options(*pairs: tuple[str, str | LazyString]) -> list[Any]:
    """The options of a ``SelectField`` as (value, label) pairs (WTForms 3.3 deprecates bare
    tuples; its type stubs do not know their replacement yet, hence ``Any``)."""
    return [SelectChoice(value, label) for value, label in pairs]


def new_password_field(label: LazyString | None = None) -> PasswordField:
    """A new password of at least :data:`MIN_PASSWORD` characters."""
    return PasswordField(
        label or _l("New password"),
        validators=[DataRequired(), Length(max=200), Length(
            min=MIN_PASSWORD, message=_l("Choose a password of at least %(count)d characters.",
                                         count=MIN_PASSWORD))],
        render_kw={"autocomplete": "new-password"})


def password_confirmation_field(label: LazyString | None = None,
                                of: str = "password") -> PasswordField:
    """The new password typed a second time, which must match the field named ``of``."""
    return PasswordField(
        label or _l("New password, again"),
        validators=[DataRequired(), EqualTo(of, message=_l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"})
