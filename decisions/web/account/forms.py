"""Forms of one's own account: the profile, the password, and what each organisation sends
by e-mail."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from ..forms import (
    current_password_field,
    new_password_field,
    one_line,
    options,
    password_confirmation_field,
    stripped,
)
from ..models import Membership, NoticeKind, NotifyMode, User
from ..orgs.forms import MultiCheckboxField, choice
from ..services.preferences import MUTABLE_KINDS, kinds_offered
from ..services.unsubscribing import muted_kinds

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

    current_password = current_password_field(_l("Current password"))
    password = new_password_field()
    confirm = password_confirmation_field()

    @classmethod
    def blank(cls) -> PasswordForm:
        """The form with its own prefix (its fields' ids differ from the profile's)."""
        return cls(prefix="password")


#: What a person may receive by e-mail from an organisation.
MODE_LABELS: dict[NotifyMode, LazyString] = {
    NotifyMode.ALL: _l("Every message"),
    NotifyMode.DIGEST: _l("What asks me to act at once, the rest in a daily digest"),
    NotifyMode.ACTION: _l("Only what asks me to act (the rest in the application)"),
}

#: Each kind of message, as a person chooses to receive it or not.
KIND_LABELS: dict[NoticeKind, LazyString] = {
    NoticeKind.ROUND_OPENED: _l("A round opens"),
    NoticeKind.REMINDER: _l("Reminders before a deadline"),
    NoticeKind.NUDGE: _l("Reminders from a facilitator"),
    NoticeKind.OBJECTION: _l("Objections raised (to facilitators and proposers)"),
    NoticeKind.NEW_VERSION: _l("A new version asks for my consent again"),
    NoticeKind.OUTCOME: _l("Outcomes"),
    NoticeKind.DIGEST: _l("The daily digest"),
    NoticeKind.WEBHOOK_DISABLED: _l("A webhook endpoint is disabled (to admins)"),
    NoticeKind.REVIEW_DUE: _l("The review date of a decision I proposed has come"),
}


class MessagesForm(FlaskForm):
    """What one organisation sends a member by e-mail: a mode, and the kinds of message
    received (unticking one unsubscribes from it; ticking it again subscribes)."""

    mode = RadioField(_l("By e-mail"), choices=[choice(m.value, MODE_LABELS[m])
                                                for m in NotifyMode])
    kinds = MultiCheckboxField(_l("Messages I receive by e-mail"),
                               choices=[choice(k.value, KIND_LABELS[k]) for k in MUTABLE_KINDS],
                               description=_l("Everything is also shown in the application."))
    offered: list[str]  # the kinds this member chooses among (see ``of``)
    kept_muted: list[str]  # muted kinds the member is not offered

    @classmethod
    def of(cls, membership: Membership, *, submitted: bool = False) -> MessagesForm:
        """The form of one membership (its fields' ids are its own), filled with what the
        member chose (what they post wins when ``submitted``)."""
        muted = muted_kinds(membership.muted)
        offered = kinds_offered(membership.role)
        data = {"mode": membership.notify,
                "kinds": [k.value for k in offered if k.value not in muted]}
        if submitted:
            form = cls(prefix=f"m{membership.id}", data=data)
        else:
            form = cls(formdata=None, prefix=f"m{membership.id}", data=data)
        form.kinds.choices = [choice(k.value, KIND_LABELS[k]) for k in offered]
        form.offered = [k.value for k in offered]
        # What the member is not offered keeps what it was (an admin's choice, should they
        # be one again).
        form.kept_muted = [k.value for k in MUTABLE_KINDS
                           if k not in offered and k.value in muted]
        return form

    def muted(self) -> list[str]:
        """The kinds of message left unticked, and those not offered that were muted."""
        received = set(self.kinds.data or [])
        return [value for value in self.offered if value not in received] + self.kept_muted
