"""Forms of personal data: an organisation's periods and contact, and closing an account."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from ..forms import current_password_field, one_line, stripped
from ..models import Organisation
from ..services.personal_data import MAX_FORMER_MEMBER_DAYS, MAX_RECORD_YEARS


def period_field(label: LazyString, maximum: int, *, required: LazyString,
                 out_of_range: LazyString, description: LazyString) -> IntegerField:
    """A period of the organisation's: a whole number from 0 (at once) to ``maximum``,
    required, with its unit said in its messages."""
    return IntegerField(
        label, validators=[InputRequired(required),
                           NumberRange(min=0, max=maximum, message=out_of_range)],
        description=description,
        render_kw={"min": 0, "max": maximum, "inputmode": "numeric"})


class PrivacySettingsForm(FlaskForm):
    """Who answers data requests, how long former members' data are kept, and whether pages
    seen without signing in may name members."""

    contact = StringField(
        _l("Contact for data requests"), validators=[Length(max=254), one_line],
        filters=[stripped],
        description=_l("An e-mail or postal address, shown on the organisation's privacy"
                       " page: where members ask to see, correct or erase their data."))
    former_member_days = period_field(
        _l("Days a former member's name and e-mail are kept"), MAX_FORMER_MEMBER_DAYS,
        required=_l("Give a number of days."),
        out_of_range=_l("Choose a number of days from 0 to %(max)d.",
                        max=MAX_FORMER_MEMBER_DAYS),
        description=_l("Once a person belongs to no organisation any more, their name and"
                       " e-mail are replaced by \u201cFormer member\u201d and a number, in"
                       " every page and record. 0: at once."))
    record_years = period_field(
        _l("Years the reasons and comments of former members are kept"), MAX_RECORD_YEARS,
        required=_l("Give a number of years."),
        out_of_range=_l("Choose a number of years from 0 to %(max)d.", max=MAX_RECORD_YEARS),
        description=_l("As your statuts and the law require for the record of decisions"
                       " (minutes are often kept 10 years). Then they are replaced by"
                       " \u201c[\u2026]\u201d; positions, counts and results stay."))
    public_names = BooleanField(
        _l("Pages seen without signing in may name members"),
        description=_l("Off: public pages (such as a public register of decisions) show no"
                       " member's name."))

    @classmethod
    def of(cls, organisation: Organisation) -> PrivacySettingsForm:
        """The form filled with the organisation's settings (what is posted wins)."""
        return cls(data={"contact": organisation.privacy_contact,
                         "former_member_days": organisation.former_member_days,
                         "record_years": organisation.record_years,
                         "public_names": organisation.public_names})


class CloseAccountForm(FlaskForm):
    """The password, and a tick that says the person knows what closing does."""

    password = current_password_field(_l("Your password"))
    understood = BooleanField(
        _l("I understand that I will no longer be able to sign in, and that my name and"
           " e-mail will be replaced by a pseudonym."),
        validators=[DataRequired(_l("Tick this box to close your account."))])
