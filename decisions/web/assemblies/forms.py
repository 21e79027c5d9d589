"""Forms of general assemblies: the sitting, its resolutions, proxies, postal votes,
checking in, the live votes and the counts of the room."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    Field,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional

from ..families import TALLY_POSITIONS
from ..forms import one_line, options, stripped
from ..models import AssemblyKind, AttendanceMode
from ..proposals.rule_words import POSITION_LABELS
from ..rounds.forms import COUNT_LABELS, LocalDeadlineField
from ..services.assemblies import POSITIONS, RoomCounts

KIND_LABELS: dict[str, LazyString] = {
    AssemblyKind.ORDINARY.value: _l("Ordinary general assembly"),
    AssemblyKind.EXTRAORDINARY.value: _l("Extraordinary general assembly"),
    AssemblyKind.BOTH.value: _l("Ordinary and extraordinary general assembly"),
}

MODE_LABELS: dict[str, LazyString] = {
    AttendanceMode.ROOM.value: _l("In the room"),
    AttendanceMode.REMOTE.value: _l("Remotely (video)"),
}


class AssemblyForm(FlaskForm):
    """A sitting: title, kind, when and where, who chairs, the statutory rules."""

    title = StringField(_l("Title"), filters=[stripped],
                        validators=[DataRequired(), Length(max=200), one_line])
    kind = SelectField(_l("Kind"), choices=options(*KIND_LABELS.items()))
    meets_at = LocalDeadlineField(_l("Date and time of the meeting"))
    second_meets_at = DateTimeLocalField(
        _l("Date of the second convocation, if the first has no quorum (optional)"),
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"], validators=[Optional()])
    place = TextAreaField(_l("Place"), filters=[stripped], validators=[Length(max=1000)])
    video_link = StringField(_l("Video link (optional)"), filters=[stripped],
                             validators=[Optional(), Length(max=500),
                                         URL(require_tld=False, message=_l("Enter a web"
                                                                           " address."))])
    max_proxies_per_holder = IntegerField(
        _l("Most proxies one member may hold (empty: no cap)"),
        validators=[Optional(), NumberRange(min=0, max=10_000)])
    proxy_same_college = BooleanField(_l("A proxy holder must be of the member's college"))
    remote_counts_as_present = BooleanField(
        _l("Members taking part remotely count as present (only if the statuts say so)"))
    chair = SelectField(_l("Chair"), coerce=int, validate_choice=False)
    secretary = SelectField(_l("Secretary"), coerce=int, validate_choice=False)

    def with_members(self, members: Sequence[tuple[int, str]]) -> AssemblyForm:
        """The members who may chair or take the minutes."""
        choices = [(0, str(_l("— nobody yet —"))), *members]
        self.chair.choices = choices
        self.secretary.choices = choices
        return self


class ResolutionForm(FlaskForm):
    """A new resolution: its text and whether it is extraordinary or secret."""

    title = StringField(_l("Title"), filters=[stripped],
                        validators=[DataRequired(), Length(max=200), one_line])
    body = TextAreaField(_l("Text of the resolution"),
                         validators=[DataRequired(), Length(max=50_000)])
    extraordinary = BooleanField(_l("Extraordinary resolution (statuts: two thirds)"))
    secret = BooleanField(_l("Secret ballot (an election, for instance)"))


class AttachForm(FlaskForm):
    """One of the organisation's draft votes put on the agenda, with its own rule."""

    proposal = SelectField(_l("Draft proposal"), coerce=int, validate_choice=False)


class ProxyForm(FlaskForm):
    """A proxy to another member (a facilitator may record one for a member)."""

    holder = SelectField(_l("Give my proxy to"), coerce=int, validate_choice=False)
    giver = SelectField(_l("Member who gives the proxy"), coerce=int, validate_choice=False)


class GiverForm(FlaskForm):
    """Whose proxy is revoked, or who leaves (empty: oneself)."""

    member = HiddenField()


class CheckInForm(FlaskForm):
    """Checking in: with the code of the room, or remotely; a facilitator names the
    member."""

    mode = RadioField(_l("How I take part"), choices=options(*MODE_LABELS.items()),
                      default=AttendanceMode.ROOM.value)
    code = StringField(_l("Code shown in the room"), filters=[stripped],
                       validators=[Length(max=12)],
                       render_kw={"autocomplete": "off", "autocapitalize": "characters"})
    member = SelectField(_l("Member"), coerce=int, validate_choice=False)


class OpenItemForm(FlaskForm):
    """Opening a resolution's vote: for some minutes, or until the chair closes it."""

    minutes = IntegerField(_l("Minutes (empty: until I close it)"),
                           validators=[Optional(), NumberRange(min=1, max=1440)])


class DateForm(FlaskForm):
    """The date of a second convocation."""

    meets_at = DateTimeLocalField(_l("Date and time of the second convocation"),
                                  format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                  validators=[Optional()])


class OfficersForm(FlaskForm):
    """The chair and the secretary of the sitting."""

    chair = SelectField(_l("Chair"), coerce=int, validate_choice=False)
    secretary = SelectField(_l("Secretary"), coerce=int, validate_choice=False)


class ConfirmForm(FlaskForm):
    """A button that only needs the CSRF token."""


class VoteForm(FlaskForm):
    """A vote on the resolution open now: the position, and whose votes (mine, those of the
    members I represent)."""

    position = RadioField(_l("Position"), choices=options(
        *((p, POSITION_LABELS[p]) for p in POSITIONS)))
    for_ids = SelectMultipleField(_l("Whose vote"), coerce=int, validate_choice=False)


def count_field(college_index: int, position: str) -> str:
    """The name of one count of one college in :class:`RoomForm`."""
    return f"g{college_index}_{position}"


class RoomForm(FlaskForm):
    """The counts of a show of hands or paper ballots in the room, per college."""

    @classmethod
    def for_groups(cls, groups: Sequence[str], entered: dict[str, RoomCounts], *,
                   submitted: bool) -> RoomForm:
        """The form with one count per college and position, filled with what was
        entered."""

        class Form(cls):  # type: ignore[valid-type,misc]  # fields depend on the colleges
            pass

        for index, _group in enumerate(groups):
            for position in TALLY_POSITIONS:
                setattr(Form, count_field(index, position), IntegerField(
                    COUNT_LABELS[position],
                    validators=[Optional(), NumberRange(min=0, max=1_000_000)]))
        data: dict[str, Any] = {}
        for index, group in enumerate(groups):
            counts = entered.get(group, RoomCounts())
            for position in TALLY_POSITIONS:
                data[count_field(index, position)] = getattr(counts, position) or None
        form: RoomForm = Form(data=data) if submitted else Form(formdata=None, data=data)
        form.groups = list(groups)
        return form

    groups: list[str]

    def group_fields(self) -> list[tuple[str, list[Field]]]:
        """Each college with its count fields."""
        return [(group, [self[count_field(i, p)] for p in TALLY_POSITIONS])
                for i, group in enumerate(self.groups)]

    def counts(self) -> dict[str, RoomCounts]:
        """The counts typed, per college."""
        return {group: RoomCounts(**{p: self[count_field(i, p)].data or 0
                                     for p in TALLY_POSITIONS})
                for i, group in enumerate(self.groups)}
