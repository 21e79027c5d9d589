"""Forms of rounds: opening one, moving its deadline, closing or cancelling it, taking a
position, commenting, recording what an objection is, and the counts of the room."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    Field,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..families import TALLY_POSITIONS
from ..forms import add_error, options
from ..models import RoundKind
from ..proposals.rule_words import POSITION_LABELS, ROUND_KIND_LABELS
from ..services.comments import MAX_COMMENT
from ..services.tallies import RoomCount

MAX_REASON = 5000

QUALIFICATION_LABELS: dict[str, LazyString] = {
    "valid": _l("A valid objection"),
    "invalid": _l("Not a valid objection"),
    "concern": _l("A concern, not an objection"),
    "withdrawn": _l("Withdrawn by its author"),
}

DECIDER_LABELS: dict[str, LazyString] = {
    "objector": _l("The objector"),
    "circle": _l("The circle, by consent"),
}


class LocalDeadlineField(DateTimeLocalField):
    """A deadline typed as a local date and time in the organisation's time zone; its
    :meth:`utc` is the instant it names, refused when the clocks skip that time."""

    def __init__(self, label: LazyString, **kwargs: Any) -> None:
        super().__init__(label, format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S",
                                        "%Y-%m-%d %H:%M"],
                         validators=[InputRequired(_l("Enter a date and a time."))],
                         # WTForms 3.3 takes this message; its type stubs predate it.
                         invalid_value_message=_l("Enter a date and a time."),  # type: ignore[call-arg]
                         **kwargs)

    def utc(self, zone: tzinfo) -> datetime | None:
        """The instant in UTC of the local date and time in ``zone``, or ``None`` (with an
        error next to the field) when that time does not exist there (the hour skipped when
        the clocks go forward)."""
        local = self.data
        if local is None:
            return None
        instant = local.replace(tzinfo=zone).astimezone(UTC)
        if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
            add_error(self, str(_l("This time does not exist in %(zone)s: the clocks change.",
                                   zone=str(zone))))
            return None
        return instant


class OpenRoundForm(FlaskForm):
    """The next round: its kind, its deadline, and for an election's consent round the
    candidate."""

    kind = SelectField(_l("Kind of round"))
    closes_at = LocalDeadlineField(_l("Deadline"))
    candidate = SelectField(_l("Candidate"), coerce=int, validate_choice=False)

    def with_choices(self, kinds: Iterable[str],
                     candidates: Sequence[tuple[int, str]]) -> OpenRoundForm:
        """Offer these kinds of round (in the order of the rounds' life) and candidates."""
        order = list(ROUND_KIND_LABELS)
        self.kind.choices = options(*((k, ROUND_KIND_LABELS[RoundKind(k)])
                                      for k in sorted(kinds, key=lambda k: order.index(
                                          RoundKind(k)))))
        self.candidate.choices = options(("0", _l("Choose the candidate")),
                                         *((str(i), name) for i, name in candidates))
        return self


class DeadlineForm(FlaskForm):
    """A later deadline for an open round."""

    closes_at = LocalDeadlineField(_l("New deadline"))


class ConfirmForm(FlaskForm):
    """A button that changes something (closing, cancelling): only its CSRF token."""


class CloseForm(FlaskForm):
    """Closing a round now; ``confirmed`` once the facilitator has been told that the quorum
    is not reached or that members have not answered."""

    confirmed = HiddenField()


class BallotForm(FlaskForm):
    """A member's position, with a reason where one is needed, a concern, or a nominee."""

    class Meta:
        # CSRFProtect (security.py) checks the token of every POST before its view; the
        # form's own check would sign a new token at each ballot for nothing (issue 11).
        # The round page sends the token with csrf_token().
        csrf = False

    position = RadioField(_l("Your position"), validate_choice=False)
    nominee = SelectField(_l("Whom you nominate"), coerce=int, validate_choice=False)
    reason = TextAreaField(_l("Reason"), validators=[Length(max=MAX_REASON)])
    concern = TextAreaField(_l("Your concern (optional)"), validators=[Length(max=MAX_REASON)])

    reason_for: frozenset[str] = frozenset()
    nominees: dict[int, str]

    def with_choices(self, positions: Sequence[str], reason_for: Iterable[str],
                     nominees: Sequence[tuple[int, str]]) -> BallotForm:
        """Offer these positions and nominees; ``reason_for`` are positions that need a
        reason."""
        self.position.choices = options(*((p, POSITION_LABELS.get(p, p)) for p in positions))
        self.reason_for = frozenset(reason_for)
        self.nominees = dict(nominees)
        self.nominee.choices = options(("0", _l("Choose a member")),
                                       *((str(i), name) for i, name in nominees))
        if len(positions) == 1 and not self.position.data:
            self.position.data = positions[0]
        return self

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields, then what depends on the position chosen."""
        valid = bool(super().validate(extra_validators))
        allowed = {str(choice[0]) for choice in self.position.iter_choices()}
        position = self.position.data
        if position not in allowed:
            add_error(self.position, str(_l("Choose a position.")))
            return False
        if position in self.reason_for and not (self.reason.data or "").strip():
            add_error(self.reason, str(_l("Please give a reason for this position.")))
            valid = False
        if self.nominees and self.nominee.data not in self.nominees:
            add_error(self.nominee, str(_l("Choose whom you nominate.")))
            valid = False
        return valid


def accepted_ballot(formdata: Mapping[str, str], positions: Sequence[str],
                    reason_for: frozenset[str]) -> tuple[str, str, str] | None:
    """The position, reason and concern posted, read straight from the fields, when
    ``BallotForm`` offering ``positions`` and no nominee would take them without a message
    (a ballot is the most frequent POST, and building the form costs more than its checks);
    ``None`` when anything is off: then the form says what. Kept beside the form, whose
    fields and ``validate`` it follows."""
    position = formdata.get("position") or (positions[0] if len(positions) == 1 else "")
    reason, concern = formdata.get("reason") or "", formdata.get("concern") or ""
    nominee = formdata.get("nominee")
    if (position not in positions or (position in reason_for and not reason.strip())
            or len(reason) > MAX_REASON or len(concern) > MAX_REASON
            or (nominee is not None and not nominee.strip().isdigit())):
        return None
    return position, reason, concern


class CommentForm(FlaskForm):
    """A clarifying question or a reaction."""

    body = TextAreaField(_l("Your comment"), validators=[
        InputRequired(_l("Write your comment.")),
        Length(max=MAX_COMMENT, message=_l("A comment has at most 5000 characters."))])


class QualifyForm(FlaskForm):
    """What an objection is, who decided it and why; or its withdrawal by its author."""

    objector = SelectField(_l("Objection of"), coerce=int, validate_choice=False)
    action = RadioField(_l("The objection is"), choices=options(
        *((key, label) for key, label in QUALIFICATION_LABELS.items())),
        validators=[InputRequired(_l("Choose what the objection is."))])
    decided_by = RadioField(_l("Decided by"), default="objector", choices=options(
        *((key, label) for key, label in DECIDER_LABELS.items())), validators=[Optional()])
    rationale = TextAreaField(_l("Rationale"), validators=[Length(max=MAX_REASON)],
                              description=_l("Why this was decided; for a withdrawal, an"
                                             " optional note."))

    def with_objectors(self, objectors: Sequence[tuple[int, str]]) -> QualifyForm:
        """Offer the members whose objection stands."""
        self.objector.choices = options(*((str(i), name) for i, name in objectors))
        return self


def count_field_name(group_index: int, name: str) -> str:
    """The name of one count of one group in :class:`TallyForm`."""
    return f"g{group_index}_{name}"


COUNT_LABELS: dict[str, LazyString] = {
    "present": _l("Present or represented in the room"),
    "yes": _l("For"),
    "no": _l("Against"),
    "abstain": _l("Abstain"),
    "blank": _l("Blank"),
    "invalid": _l("Spoiled"),
}


class TallyForm(FlaskForm):
    """The counts of the room, one set per group (each college, or the whole assembly)."""

    groups: list[str]

    @classmethod
    def for_groups(cls, groups: Sequence[str], entered: dict[str, RoomCount], *,
                   submitted: bool = True) -> TallyForm:
        """The form with fields for each group, filled with the counts entered so far."""

        class Form(cls):  # type: ignore[valid-type,misc]  # fields depend on the groups
            pass

        data: dict[str, int] = {}
        for index, group in enumerate(groups):
            for name in ("present", *TALLY_POSITIONS):
                setattr(Form, count_field_name(index, name), IntegerField(
                    COUNT_LABELS[name], default=0,
                    validators=[InputRequired(_l("Give a number, 0 if none.")),
                                NumberRange(min=0, max=10_000_000,
                                            message=_l("Give a whole number, 0 or more."))],
                    render_kw={"min": 0, "inputmode": "numeric"}))
                data[count_field_name(index, name)] = getattr(
                    entered.get(group, RoomCount()), name)
        form: TallyForm = Form(data=data) if submitted else Form(formdata=None, data=data)
        form.groups = list(groups)
        return form

    def group_fields(self) -> list[tuple[str, list[Field]]]:
        """Each group with its fields, present first."""
        return [(group, [self[count_field_name(index, name)]
                         for name in ("present", *TALLY_POSITIONS)])
                for index, group in enumerate(self.groups)]

    def counts(self) -> dict[str, RoomCount]:
        """The counts given, by group."""
        return {group: RoomCount(**{name: int(self[count_field_name(index, name)].data or 0)
                                    for name in ("present", *TALLY_POSITIONS)})
                for index, group in enumerate(self.groups)}

    def field_for(self, group: str, name: str) -> Field:
        """The field of one count of one group (the first group's ``present`` otherwise)."""
        index = self.groups.index(group) if group in self.groups else 0
        found: Field = self[count_field_name(index, name if name in COUNT_LABELS
                                             else "present")]
        return found
