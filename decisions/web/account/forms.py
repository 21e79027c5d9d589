"""Forms of one's own account: the profile and the password."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from ..forms import (
    new_password_field,
    one_line,
    options,
    password_confirmation_field,
    stripped,
)
from ..models import User

# Each language is named in itself, as people look for their own.
LANGUAGE_CHOICES = options(("", _l("The language of my browser")), ("en", "English"),
                           ("fr", "Français"))


class ProfileForm(FlaskForm):
    """Name, e-mail address and preferred language; the current password when the
    address changes."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120), one_line],
                       render_kw={"autocomplete": "name"})
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)],
                       filters=[stripped],
                       render_kw={"autocomplete": "email"})
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    current_password = PasswordField(
        _l("Current password (only to change the e-mail address)"),
        validators=[Optional(), Length(max=200)],
        render_kw={"autocomplete": "current-password"})

    @classmethod
    def of(cls, user: User) -> ProfileForm:
        """The form filled with the person's profile (what they post wins)."""
        return cls(prefix="profile",
                   data={"name": user.name, "email": user.email, "language": user.language or ""})

    def chosen_language(self) -> str | None:
        """The chosen language, ``None`` for the browser's."""
        return self.language.data or None


class PasswordForm(FlaskForm):
    """The current password, and the new one twice."""

    current_password = PasswordField(_l("Current password"),
                                     validators=[DataRequired(), Length(max=200)],
                                     render_kw={"autocomplete": "current-password"})
    password = new_password_field()
    confirm = password_confirmation_field()

    @classmethod
    def blank(cls) -> PasswordForm:
        """The form with its own prefix (its fields' ids differ from the profile's)."""
        return cls(prefix="password")
