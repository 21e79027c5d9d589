"""Forms of organisations."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length, Regexp


class OrganisationForm(FlaskForm):
    """A new organisation: its name, the short name in its address, whether it is a SCIC."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    slug = StringField(
        _l("Short name (in addresses)"),
        validators=[DataRequired(), Length(min=2, max=60),
                    Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$",
                           message=_l("Lower-case letters, digits and dashes only."))],
    )
    is_scic = BooleanField(_l("This organisation is a SCIC (colleges follow the law of 1947)"),
                           default=True)
