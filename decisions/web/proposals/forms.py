"""Forms of proposals: a new proposal with its decision rule, electorate and options; an
amendment; the outcome statement.

The rule's fields become parameters in the engine's case format (:meth:`ProposalForm.rule`);
the form checks only that each field is readable, and the engine judges the rule. Every rule's
fields are on the page, in groups (:data:`RULE_GROUPS`, named by each family's descriptor):
a script shows the chosen rule's alone, and only the chosen rule's fields are read, so that
a field of another rule never stops the draft.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import request
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    Field,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from decisions.engine import PRESETS, Family

from ..errors import error_text
from ..families import DESCRIPTORS, FamilyDescriptor, descriptor
from ..forms import add_error, one_line, options, stripped
from ..models import Circle, ElectorateScope, Membership, Organisation, VotersVisibility
from ..orgs.forms import MultiCheckboxField, choice
from ..services.proposals import DEFAULT_REMINDER_HOURS, RuleError
from .rule_words import (
    BASE_LABELS,
    FAMILY_LABELS,
    POSITION_LABELS,
    THRESHOLD_LABELS,
    VISIBILITY_LABELS,
    VOTE_PRESETS,
    by_convocation,
    preset_words,
)

CONVOCATIONS = ("first", "second")
MAX_BODY = 50_000


class _Unset:
    """A parameter the form leaves to the preset or to the engine's default."""


UNSET = _Unset()

_AS_PRESET = ("", _l("As the preset says"))
_THRESHOLDS = options(_AS_PRESET, *THRESHOLD_LABELS.items())
_BASES = options(_AS_PRESET, *BASE_LABELS.items())
_QUORUMS = options(_AS_PRESET, ("none", _l("No quorum")),
                   ("fraction", _l("A fraction of the members (below)")))


def _number(label: LazyString, description: LazyString | str = "") -> IntegerField:
    return IntegerField(label, validators=[Optional()], description=description,
                        render_kw={"inputmode": "numeric", "size": 6})


#: The fields of each group of rule parameters, in the order of the page; the families a
#: group serves name it in their descriptor's ``form_groups`` (each group also has its
#: positions that require a reason, ``reasons_<group>``).
GROUP_FIELDS: dict[str, tuple[str, ...]] = {
    "vote": ("preset", *(f"{name}_{convocation}" for convocation in CONVOCATIONS
                         for name in ("threshold", "threshold_num", "threshold_den",
                                      "threshold_strict", "base", "quorum", "quorum_num",
                                      "quorum_den"))),
    "consent": ("min_consents", "silence_policy"),
    "sociocratic": ("max_consent_rounds", "escalation_target"),
    "election": ("role", "term_months"),
}


def _served(group: str) -> list[FamilyDescriptor]:
    """The families whose form shows a group of fields."""
    return [rules for rules in DESCRIPTORS.values() if group in rules.form_groups]


#: The groups of rule fields on the page, as the template shows them: the families each
#: serves, and its fields.
RULE_GROUPS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    group: (tuple(rules.family.value for rules in _served(group)), names)
    for group, names in GROUP_FIELDS.items()}


def group_positions(group: str) -> list[str]:
    """The positions whose reasons a group offers: those all its families share, less those
    an earlier group of the same families offers (an election's consent rounds are in the
    sociocratic group, its nominations in its own)."""
    families = _served(group)
    earlier: set[str] = set()
    for name in GROUP_FIELDS:
        if name == group:
            break
        if any(name in rules.form_groups for rules in families):
            earlier |= set(group_positions(name))
    return [p for p in families[0].every_position if p not in earlier
            and all(p in rules.every_position for rules in families)]


def _reasons(group: str) -> MultiCheckboxField:
    """The positions of a group that require a reason; an objection does by default."""
    return MultiCheckboxField(
        _l("Positions that require a reason"),
        choices=options(*((p, POSITION_LABELS.get(p, p)) for p in group_positions(group))),
        default=["object"] if "object" in group_positions(group) else [],
        description=_l("A member taking one of these positions must say why."))


class ProposalForm(FlaskForm):
    """A new proposal: title, Markdown text, decision rule, electorate and options."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200), one_line],
                        filters=[stripped])
    body = TextAreaField(
        _l("Text of the proposal"), validators=[DataRequired(), Length(max=MAX_BODY)],
        description=_l("Written in Markdown: **bold**, *italics*, lists starting with -,"
                       " links as [text](https://example.org). Preview shows the result."),
        render_kw={"rows": 14})
    preview = SubmitField(_l("Preview"))

    family = SelectField(_l("Decision rule"), default="consent",
                         choices=options(*((f.value, FAMILY_LABELS[f]) for f in DESCRIPTORS)))

    # Majority and multi-college votes.
    preset = SelectField(
        _l("Preset"), default="",
        description=_l("A bundle of threshold, base and quorum from the law or common"
                       " practice. The fields below override it where you fill them."))
    threshold_first = SelectField(
        _l("Threshold"), default="", choices=_THRESHOLDS,
        description=_l("How many votes for are needed. Simple: more for than against."
                       " Absolute: more than half of the base."))
    threshold_num_first = _number(_l("Fraction: numerator"))
    threshold_den_first = _number(_l("Fraction: denominator"))
    threshold_strict_first = BooleanField(
        _l("Strictly more than this fraction (exactly the fraction is not enough)"))
    base_first = SelectField(
        _l("Base"), default="", choices=_BASES,
        description=_l("What the threshold is a fraction of. The votes expressed leave"
                       " abstentions out; the members present count those who do not vote."))
    quorum_first = SelectField(
        _l("Quorum"), default="", choices=_QUORUMS,
        description=_l("The least share of the members who must take part for the vote to"
                       " count: 1 and 5 for one fifth."))
    quorum_num_first = _number(_l("Quorum: numerator"))
    quorum_den_first = _number(_l("Quorum: denominator"))
    threshold_second = SelectField(_l("Threshold"), default="", choices=_THRESHOLDS)
    threshold_num_second = _number(_l("Fraction: numerator"))
    threshold_den_second = _number(_l("Fraction: denominator"))
    threshold_strict_second = BooleanField(
        _l("Strictly more than this fraction (exactly the fraction is not enough)"))
    base_second = SelectField(_l("Base"), default="", choices=_BASES)
    quorum_second = SelectField(_l("Quorum"), default="", choices=_QUORUMS)
    quorum_num_second = _number(_l("Quorum: numerator"))
    quorum_den_second = _number(_l("Quorum: denominator"))

    # Consent.
    min_consents = _number(
        _l("Consents needed"),
        _l("How many members must consent explicitly for the proposal to pass. Left blank:"
           " one. Zero lets it pass on silence alone."))
    silence_policy = SelectField(
        _l("Members who do not answer"), default="consent",
        choices=options(("consent", _l("count as consenting: the proposal passes unless"
                                       " someone objects")),
                        ("require_all", _l("stop the decision: everyone must answer"))),
        description=_l("Silence is consent by default; requiring every answer suits small"
                       " groups."))

    # Sociocratic consent and election.
    max_consent_rounds = _number(
        _l("Consent rounds at most"),
        _l("After this many consent rounds with objections remaining, the proposal is"
           " blocked or passed to the escalation circle. Left blank: three."))
    escalation_target = SelectField(
        _l("Escalation circle"), default="",
        description=_l("The broader circle that takes the decision when the rounds run out;"
                       " without one, the proposal is blocked."))

    # Elections.
    role = StringField(_l("Role"), validators=[Optional(), Length(max=120)], filters=[stripped],
                       description=_l("The role to fill, for example: treasurer, delegate to"
                                      " the network."))
    term_months = _number(_l("Term in months"),
                          _l("How long the elected person holds the role."))

    reasons_vote = _reasons("vote")
    reasons_consent = _reasons("consent")
    reasons_sociocratic = _reasons("sociocratic")
    reasons_election = _reasons("election")

    # Who decides.
    scope = RadioField(
        _l("Who decides"), default=ElectorateScope.ORGANISATION.value,
        choices=options((ElectorateScope.ORGANISATION.value, _l("The whole organisation")),
                        (ElectorateScope.CIRCLE.value, _l("One circle")),
                        (ElectorateScope.LIST.value, _l("A chosen list of members"))),
        description=_l("The members who decide are fixed when each round opens."))
    # Choices checked by the service (proposals.create_proposal), in the words the API uses
    # too: a circle of another organisation, a member who left since the page was shown.
    circle = SelectField(_l("Circle"), coerce=int, default=0, validate_choice=False)
    electors = MultiCheckboxField(_l("Members who decide"), coerce=int, validate_choice=False)

    # Options.
    hide_results = BooleanField(
        _l("Hide the results until the round closes"),
        description=_l("Members see the counts only after the deadline, so that early"
                       " answers do not sway later ones."))
    secret = BooleanField(
        _l("Secret ballot"),
        description=_l("Who took part and what was voted are stored apart and can never be"
                       " joined; results stay hidden until the round closes; a secret ballot"
                       " cannot be changed. For votes only."))
    voters_visible = RadioField(
        _l("Who may see the list of voters"), default=VotersVisibility.EVERYONE.value,
        choices=options(*((v.value, label) for v, label in VISIBILITY_LABELS.items())))
    reminder_hours = IntegerField(
        _l("Reminder, in hours before each deadline"), default=DEFAULT_REMINDER_HOURS,
        validators=[Optional()],
        description=_l("Electors who have not answered a round are reminded by e-mail this"
                       " many hours before its deadline. Leave empty for no reminder."),
        render_kw={"inputmode": "numeric", "size": 6})

    submit = SubmitField(_l("Create the draft"))

    @classmethod
    def of(cls, organisation: Organisation, circles: Iterable[Circle],
           members: Iterable[Membership]) -> ProposalForm:
        """The form with the organisation's presets, circles and members to choose from."""
        form = cls()
        circles = list(circles)
        form.preset.choices = options(
            ("", _l("No preset: I set the threshold and the base below")),
            *((name, preset_words(name)) for name in VOTE_PRESETS))
        if not form.is_submitted() or "preset" not in request.form:
            # A preset for the kind of organisation, also when the vote's fields were not
            # on the page yet (another rule was shown).
            form.preset.data = "scic_sa_ago" if organisation.is_scic else "association_default"
        form.escalation_target.choices = options(
            ("", _l("None: the proposal is blocked")), *((c.name, c.name) for c in circles))
        form.circle.choices = [choice(0, _l("Choose a circle")),
                               *(choice(c.id, c.name) for c in circles)]
        form.electors.choices = [choice(m.id, m.user.name) for m in members]
        return form

    @property
    def chosen_family(self) -> str:
        """The family chosen, or consent while none is valid."""
        return self.family.data if self.family.data in DESCRIPTORS else Family.CONSENT.value

    def wants_another_page(self) -> bool:
        """Whether the preview, which writes nothing, was asked for."""
        return self.is_submitted() and bool(self.preview.data)

    def unread_fields(self) -> set[str]:
        """The fields of the groups that do not serve the chosen rule: whatever they hold
        (a value left before choosing another rule) is neither read nor refused."""
        shown = descriptor(self.chosen_family).form_groups
        return {name for group, fields in GROUP_FIELDS.items()
                if group not in shown for name in (*fields, f"reasons_{group}")}

    def validate(self, extra_validators: Any = None) -> bool:
        """Validate the fields of the chosen rule and those every rule shares."""
        super().validate(extra_validators)
        for name in self.unread_fields():
            self[name].errors = []
        return not any(field.errors for field in self)

    @property
    def reasons(self) -> list[str]:
        """The positions of the chosen rule that require a reason."""
        return [p for group in descriptor(self.chosen_family).form_groups
                for p in self[f"reasons_{group}"].data or []]

    # The rule, in the engine's case format ------------------------------------------------

    def rule(self) -> dict[str, Any] | None:
        """The parameters of the chosen rule in the engine's case format; ``None`` when a
        field is incomplete (its error is then on the field)."""
        rules = descriptor(self.chosen_family)
        params: dict[str, Any] = {}
        complete = True
        if "vote" in rules.form_groups:
            preset = self.preset.data or None
            if preset:
                params["preset"] = preset
            for key in ("threshold", "base", "quorum"):
                given: list[Any] = []
                for convocation in CONVOCATIONS:
                    value = self._vote_value(key, convocation)
                    complete = complete and value is not None
                    given.append(UNSET if value is None else value[0])
                value = _per_convocation(key, given[0], given[1], preset)
                if value is not UNSET:
                    params[key] = value
        if "consent" in rules.form_groups:
            if self.min_consents.data is not None:
                params["min_consents"] = self.min_consents.data
            if self.silence_policy.data == "require_all":
                params["silence_policy"] = "require_all"
        if "sociocratic" in rules.form_groups:
            if self.max_consent_rounds.data is not None:
                params["max_consent_rounds"] = self.max_consent_rounds.data
            if self.escalation_target.data:
                params["escalation_target"] = self.escalation_target.data
        if "election" in rules.form_groups:
            if self.role.data:
                params["role"] = self.role.data
            if self.term_months.data is not None:
                params["term_months"] = self.term_months.data
        if rules.takes_objections and "object" not in self.reasons:
            params["objection_requires_reason"] = False
        return params if complete else None

    def _vote_value(self, key: str, convocation: str) -> tuple[Any] | None:
        """``(value,)`` for one convocation (``UNSET`` when left to the preset), ``None``
        when the field is incomplete."""
        chosen = self[f"{key}_{convocation}"].data or ""
        if not chosen:
            return (UNSET,)
        if chosen == "none":
            return (None,)  # no quorum
        if chosen != "fraction":
            return (chosen,)  # a base, or a threshold by name
        num, den = self[f"{key}_num_{convocation}"], self[f"{key}_den_{convocation}"]
        if num.data is None or den.data is None:
            add_error(num if num.data is None else den, _("Give both numbers of the fraction."))
            return None
        if key == "quorum":
            if num.data == 0:  # "No quorum" is offered for that: 0/5 would hide the choice
                add_error(num, _("A quorum of 0 is no quorum: choose “No quorum”, or give at"
                                 " least 1."))
                return None
            return ({"num": num.data, "den": den.data},)
        strict = bool(self[f"threshold_strict_{convocation}"].data)
        return ({"num": num.data, "den": den.data, "inclusive": not strict},)

    def show_rule_problem(self, problem: RuleError) -> None:
        """Put the engine's objection to the rule next to the field it concerns."""
        path = problem.path
        vote = "vote" in descriptor(self.chosen_family).form_groups
        field: Field = self.preset if vote else self.family
        if path is not None:
            parts = path.replace("[", ".").split(".")
            convocation = "second" if "second" in parts else "first"
            name = parts[0]
            if name in ("threshold", "base", "quorum"):
                name = f"{name}_{convocation}"
                if parts[-1] in ("num", "den") and parts[0] != "base":
                    name = f"{parts[0]}_{parts[-1]}_{convocation}"
            if name in self:
                field = self[name]
        add_error(field, _("The decision engine refuses this: %(problem)s",
                           problem=error_text(problem)))


def _per_convocation(key: str, first: Any, second: Any, preset: str | None) -> Any:
    """One parameter from the values given for each convocation, the preset filling the
    convocation left blank: a single value when both agree, else ``{"first", "second"}``."""
    if first is UNSET and second is UNSET:
        return UNSET
    spec = PRESETS.get(preset or "")
    if spec is not None and key in spec.params:
        from_preset = by_convocation(spec.params[key])
        first = from_preset[0] if first is UNSET else first
        second = from_preset[1] if second is UNSET else second
    if second is UNSET:
        second = first  # without a preset, one value serves both convocations
    if first is UNSET:
        return {"second": second}  # the engine says the first convocation is missing
    return first if first == second else {"first": first, "second": second}


class AmendForm(FlaskForm):
    """A new version: its title, text, and a summary of what changed."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200), one_line],
                        filters=[stripped])
    body = TextAreaField(
        _l("Text of the proposal"), validators=[DataRequired(), Length(max=MAX_BODY)],
        description=_l("Written in Markdown: **bold**, *italics*, lists starting with -,"
                       " links as [text](https://example.org). Preview shows the result."),
        render_kw={"rows": 14})
    summary = TextAreaField(
        _l("What changed"),
        validators=[DataRequired(_l("Say what changed in this version.")), Length(max=5000)],
        description=_l("Members read this summary first: which objection or question the"
                       " new version answers, and how."),
        render_kw={"rows": 3})
    preview = SubmitField(_l("Preview"))
    submit = SubmitField(_l("Publish the new version"))


class OutcomeForm(FlaskForm):
    """The facilitator's outcome statement and the date the decision is reviewed."""

    statement = TextAreaField(
        _l("Outcome statement"),
        validators=[DataRequired(_l("Write the outcome statement.")), Length(max=MAX_BODY)],
        description=_l("What was decided, in Markdown, as it goes into the minutes: the"
                       " result, the concerns heard, who does what."),
        render_kw={"rows": 8})
    review_date = DateField(
        _l("Review date"), validators=[Optional()],
        description=_l("When the organisation looks at this decision again (every agreement"
                       " deserves one)."))


class CompareForm(FlaskForm):
    """Two versions to compare (read from the address: it changes nothing, so no CSRF)."""

    class Meta:
        csrf = False

    a = SelectField(_l("From version"), coerce=int)
    b = SelectField(_l("To version"), coerce=int)

    @classmethod
    def of(cls, numbers: Iterable[int], *, a: int, b: int) -> CompareForm:
        """The form over these version numbers, ``a`` and ``b`` unless the address says."""
        form = cls(formdata=request.args, data={"a": a, "b": b})
        labels = [choice(n, _l("Version %(number)d", number=n)) for n in numbers]
        form.a.choices, form.b.choices = labels, list(labels)
        return form
