"""Forms of signing in, accepting an invitation, and setting a new password."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length

from ..forms import new_password_field, one_line, password_confirmation_field, stripped


class LoginForm(FlaskForm):
    """E-mail and password, and whether to be remembered on this device."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)],
                       filters=[stripped])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Remember me on this device"))


class InvitationAccountForm(FlaskForm):
    """The account of an invited person: the name shown to others, and a password."""

    name = StringField(_l("Your name"),
                       validators=[DataRequired(), Length(max=120), one_line],
                       render_kw={"autocomplete": "name"})
    password = new_password_field(_l("Password"))
    confirm = password_confirmation_field(_l("Password, again"))


class AcceptInvitationForm(FlaskForm):
    """Accepting an invitation as the signed-in person: a button (and its CSRF token)."""


class ResetRequestForm(FlaskForm):
    """The e-mail address of the account whose password was forgotten."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)],
                       filters=[stripped],
                       render_kw={"autocomplete": "email"})


class ResetPasswordForm(FlaskForm):
    """A new password, twice."""

    password = new_password_field()
    confirm = password_confirmation_field()
