"""Forms of an organisation's invitations."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField
from wtforms.validators import DataRequired, Email, Length

from ..forms import options, stripped
from ..labels import ROLE_LABELS
from ..models import Organisation, Role


class InvitationForm(FlaskForm):
    """Whom to invite, with which role, into which college (if any)."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)],
                       filters=[stripped])
    role = SelectField(_l("Role"), choices=options(*((r.value, ROLE_LABELS[r]) for r in Role)),
                       default=Role.MEMBER.value)
    college = SelectField(_l("College"), choices=[], default="")

    @classmethod
    def of(cls, organisation: Organisation) -> InvitationForm:
        """The form with the organisation's colleges to choose from."""
        form = cls()
        form.college.choices = options(("", _l("No college")),
                                       *((str(c.id), c.name) for c in organisation.colleges))
        return form

    def college_id(self) -> int | None:
        """The chosen college's id, ``None`` for none."""
        return int(self.college.data) if self.college.data else None


class RevokeForm(FlaskForm):
    """Revoking a pending invitation: a button (and its CSRF token)."""
