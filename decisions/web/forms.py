"""What every form shares: errors coming from services, the options of a select, and the
fields of passwords."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from wtforms import Field, Form, PasswordField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # stubs < 3.3
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from .errors import error_text
from .services import ServiceError
from .services.accounts import MIN_PASSWORD


def add_error(field: Field, message: str) -> None:
    """Show ``message`` next to ``field``, as a validation error (a service refused it)."""
    field.errors = [*field.errors, message]


def show_error(form: Form, error: ServiceError, default: str | None = None) -> bool:
    """Show a service's refusal next to the field it names, else next to ``default``;
    ``False`` when the form has neither (the caller says it another way)."""
    name = error.field if error.field is not None and error.field in form else default
    if name is None:
        return False
    add_error(form[name], error_text(error))
    return True


#: C0 and C1 control characters: a line break in a name breaks e-mail headers and layouts.
CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
#: Bidirectional embeddings, overrides and isolates: a name holding one reverses the text
#: shown after it (U+202A to U+202E, U+2066 to U+2069).
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def one_line(form: Form, field: Field) -> None:
    """A validator of names and titles: one line of visible text, refused (with a message
    saying what to remove) when it holds control or bidirectional override characters."""
    del form
    value = field.data if isinstance(field.data, str) else ""
    if CONTROLS.search(value):
        raise ValidationError(_l("Remove the line breaks, tabs and other control characters."))
    if BIDI_CONTROLS.search(value):
        raise ValidationError(_l("Remove the invisible characters that reverse the direction"
                                 " of the text."))


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


def current_password_field(label: LazyString) -> PasswordField:
    """The person's current password, asked before a change that needs it."""
    return PasswordField(label, validators=[DataRequired(), Length(max=200)],
                         render_kw={"autocomplete": "current-password"})


def password_confirmation_field(label: LazyString | None = None,
                                of: str = "password") -> PasswordField:
    """The new password typed a second time, which must match the field named ``of``."""
    return PasswordField(
        label or _l("New password, again"),
        validators=[DataRequired(), EqualTo(of, message=_l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"})
