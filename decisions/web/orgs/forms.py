"""Forms of organisations: creating one, its settings, members, colleges and circles."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    Field,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # not in the stubs yet
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from decisions.engine.results import fraction_json

from ..forms import one_line
from ..labels import ROLE_LABELS
from ..models import Circle, College, Membership, Role
from ..services.organisations import MAX_VOTE_WEIGHT


def choice(value: int | str, label: object) -> Any:
    """One option of a select field or of checkboxes."""
    return SelectChoice(value=value, label=label)


class OrganisationForm(FlaskForm):
    """A new organisation: its name, the short name in its address, whether it is a SCIC."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120),
                                               one_line])
    slug = StringField(
        _l("Short name (in addresses)"),
        validators=[DataRequired(), Length(min=2, max=60),
                    Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$",
                           message=_l("Lower-case letters, digits and dashes only."))],
    )
    is_scic = BooleanField(_l("This organisation is a SCIC (colleges follow the law of 1947)"),
                           default=True)


class SettingsForm(FlaskForm):
    """An organisation's name, time zone, and whether it is a SCIC."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120),
                                               one_line])
    timezone = StringField(
        _l("Time zone"), validators=[DataRequired(), Length(max=60)],
        description=_l("Deadlines are shown in this time zone, for example Europe/Paris."),
        render_kw={"list": "timezones", "autocomplete": "off", "spellcheck": "false"})
    is_scic = BooleanField(_l("This organisation is a SCIC (colleges follow the law of 1947)"))
    allow_member_proposals = BooleanField(
        _l("Members may put forward proposals"),
        description=_l("Facilitators and admins always can. Members' proposals start as"
                       " drafts that facilitators take to a decision."))
    # Each language is named in itself, as people look for their own.
    language = SelectField(
        _l("Language of its messages"), choices=[choice("fr", "Français"),
                                                  choice("en", "English")],
        description=_l("For members who have not chosen a language in their profile."))
    answer_links = BooleanField(
        _l("Messages carry a button to answer a round"),
        description=_l("The button signs the member in for that round only, once, until its"
                       " deadline. Never in secret ballots."))
    public_register = BooleanField(
        _l("Make the register of decisions public"),
        description=_l("Anyone, without signing in, can then read its decisions (page, CSV"
                       " and Atom feed), read-only. Members are named there only if the"
                       " personal data settings say so."))


class ConfirmForm(FlaskForm):
    """A button that changes something (removing, deleting): only its CSRF token."""


class PaperConsentForm(FlaskForm):
    """The day a member agreed on paper to be convened by e-mail (C. com. R225-63)."""

    given_on = DateField(_l("Day of the written agreement"), validators=[Optional()],
                         description=_l("The date on the member's signed agreement."))


class MemberForm(FlaskForm):
    """A member's role, vote weight and college."""

    role = SelectField(_l("Role"), choices=[choice(role.value, ROLE_LABELS[role]) for role in Role])
    vote_weight = IntegerField(
        _l("Vote weight"),
        validators=[InputRequired(_l("Give a vote weight.")),
                    NumberRange(min=1, max=MAX_VOTE_WEIGHT,
                                message=_l("The vote weight is a whole number from 1 to"
                                           " 1000000."))],
        description=_l("Votes of one member count this many times (usually 1)."),
        render_kw={"min": 1, "max": MAX_VOTE_WEIGHT, "inputmode": "numeric"})
    college = SelectField(_l("College"), coerce=int)

    def with_colleges(self, colleges: Iterable[College]) -> MemberForm:
        """Offer the organisation's colleges (0 stands for no college)."""
        self.college.choices = [choice(0, _l("No college")),
                                *(choice(college.id, college.name) for college in colleges)]
        return self


class CollegeForm(FlaskForm):
    """A college's name."""

    name = StringField(_l("Name of the college"),
                       validators=[DataRequired(), Length(max=80), one_line])


_PERCENT = re.compile(r"^(\d{1,3}(?:[.,]\d{1,6})?|\d{1,6}/\d{1,6})\s*%?$")


def percent_text(value: Fraction) -> str:
    """A weight in percent as people write it: ``50``, ``33.5``, or ``100/3`` when no
    decimal is exact."""
    rest = value.denominator
    for factor in (2, 5):
        while rest % factor == 0:
            rest //= factor
    if rest != 1:
        return str(fraction_json(value))
    return format(Decimal(value.numerator) / Decimal(value.denominator), "f")


class PercentField(Field):
    """A weight in percent: blank, a number such as 40 or 33.5 (or 33,5), or a fraction such
    as 100/3. Its data is an exact ``Fraction`` or ``None``."""

    widget = TextInput()

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        text = str(valuelist[0]).strip() if valuelist else ""
        if not text:
            return
        match = _PERCENT.match(text)
        if match is None:
            raise ValueError(_l("Write a percentage such as 40 or 33.5, or leave it blank."))
        try:
            self.data = Fraction(match.group(1).replace(",", "."))
        except ZeroDivisionError:
            raise ValueError(_l("Write a percentage such as 40 or 33.5, or leave it blank."))\
                from None

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "" if self.data is None else percent_text(self.data)


def weight_field_name(college: College) -> str:
    """The name of a college's field in :class:`WeightsForm`."""
    return f"weight_{college.id}"


class WeightsForm(FlaskForm):
    """The weight of every college in percent, all at once (all blank: equal weights)."""

    @classmethod
    def for_colleges(cls, colleges: Sequence[College], *, submitted: bool = True,
                     ) -> WeightsForm:
        """The form with one field per college, filled with their current weights (and with
        what was sent, unless ``submitted`` is false: another form of the page was sent)."""

        class Form(cls):  # type: ignore[valid-type,misc]  # fields depend on the colleges
            pass

        for college in colleges:
            setattr(Form, weight_field_name(college),
                    PercentField(college.name, render_kw={"inputmode": "decimal",
                                                          "size": 8}))
        data = {weight_field_name(college): college.weight for college in colleges}
        form: WeightsForm = Form(data=data) if submitted else Form(formdata=None, data=data)
        form.colleges = list(colleges)
        return form

    colleges: list[College]

    def weight_fields(self) -> list[tuple[College, PercentField]]:
        """Each college with its field."""
        return [(college, self[weight_field_name(college)]) for college in self.colleges]

    def weights(self) -> dict[int, Fraction | None]:
        """The weights given, by college id."""
        return {college.id: field.data for college, field in self.weight_fields()}


class MultiCheckboxField(SelectMultipleField):
    """Several choices, each a checkbox."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CircleForm(FlaskForm):
    """A circle: name, description, parent circle, steering flag, members."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120),
                                               one_line])
    description = TextAreaField(_l("Domain and purpose"), validators=[Length(max=5000)])
    # Choices outside the list are checked by the service, with a clear message.
    parent = SelectField(_l("Inside the circle"), coerce=int, validate_choice=False)
    is_steering = BooleanField(_l("This circle is the steering committee"))
    members = MultiCheckboxField(_l("Members of the circle"), coerce=int)

    def with_choices(self, circles: Iterable[Circle],
                     memberships: Iterable[Membership]) -> CircleForm:
        """Offer these circles as parents (0: none) and these members."""
        self.parent.choices = [choice(0, _l("None (a top-level circle)")),
                               *(choice(circle.id, circle.name) for circle in circles)]
        self.members.choices = [choice(m.id, m.user.name) for m in memberships]
        return self
