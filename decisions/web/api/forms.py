"""Forms of the pages around the API: a token (personal or an organisation's), a webhook
endpoint; and the words of scopes, events and kinds of endpoint."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, PasswordField, RadioField, StringField, URLField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..forms import one_line, options, stripped
from ..models import EndpointKind, Scope, WebhookEvent
from ..orgs.forms import MultiCheckboxField
from ..services.api_tokens import DEFAULT_DAYS, MAX_DAYS, NAME_LENGTH

SCOPE_LABELS: dict[Scope, LazyString] = {
    Scope.READ: _l("Read: organisations, members, proposals, rounds, results, audit log"),
    Scope.VOTE: _l("Vote: take or change a position in a round"),
    Scope.FACILITATE: _l("Facilitate: put forward proposals and versions, open, extend and"
                         " close rounds"),
    Scope.ADMINISTER: _l("Administer: invite members"),
}

EVENT_LABELS: dict[WebhookEvent, LazyString] = {
    WebhookEvent.ROUND_OPENED: _l("A round opened"),
    WebhookEvent.ROUND_CLOSING_SOON: _l("A round closes within a day"),
    WebhookEvent.ROUND_CLOSED: _l("A round closed"),
    WebhookEvent.PROPOSAL_DECIDED: _l("A proposal is decided"),
    WebhookEvent.VERSION_PUBLISHED: _l("A new version of a proposal is published"),
    WebhookEvent.ASSEMBLY_CONVENED: _l("A general assembly is convened"),
    WebhookEvent.ASSEMBLY_OPENED: _l("A general assembly's sitting opens"),
    WebhookEvent.ASSEMBLY_CLOSED: _l("A general assembly's sitting closes (its minutes are"
                                     " ready)"),
}

KIND_LABELS: dict[EndpointKind, LazyString] = {
    EndpointKind.STANDARD: _l("Signed JSON (Standard Webhooks), for a program"),
    EndpointKind.SLACK: _l("A message in a Mattermost or Slack channel (incoming webhook)"),
    EndpointKind.MATRIX: _l("A message in a Matrix room"),
}


class TokenForm(FlaskForm):
    """A new token: its name, scopes and lifetime."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=NAME_LENGTH),
                                                one_line], filters=[stripped],
                       description=_l("What the token is for, such as the platform that"
                                      " uses it."))
    scopes = MultiCheckboxField(
        _l("What it may do"), default=[Scope.READ.value],
        choices=options(*((s.value, label) for s, label in SCOPE_LABELS.items())),
        description=_l("Never more than the member it acts as may do on the pages."))
    days = IntegerField(_l("Days before it expires"), default=DEFAULT_DAYS,
                        validators=[DataRequired(), NumberRange(min=1, max=MAX_DAYS)],
                        render_kw={"inputmode": "numeric", "size": 4})


class EndpointForm(FlaskForm):
    """A new webhook endpoint."""

    url = URLField(_l("Address"), validators=[DataRequired(), Length(max=2000)],
                   filters=[stripped],
                   description=_l("For a Matrix room: the homeserver's address of the room,"
                                  " https://matrix.example.org/_matrix/client/v3/rooms/"
                                  "!room:example.org"))
    kind = RadioField(_l("What it receives"), default=EndpointKind.STANDARD.value,
                      choices=options(*((k.value, label) for k, label in KIND_LABELS.items())))
    events = MultiCheckboxField(
        _l("Events"), default=[e.value for e in WebhookEvent],
        choices=options(*((e.value, label) for e, label in EVENT_LABELS.items())))
    description = StringField(_l("Description"), validators=[Optional(), Length(max=200),
                                                             one_line], filters=[stripped])
    access_token = PasswordField(_l("Access token (Matrix only)"),
                                 validators=[Optional(), Length(max=500)],
                                 description=_l("The access token of the account that posts"
                                                " in the room."))


class EndpointEditForm(FlaskForm):
    """The events an endpoint is told of, and its description."""

    events = MultiCheckboxField(
        _l("Events"), choices=options(*((e.value, label) for e, label in EVENT_LABELS.items())))
    description = StringField(_l("Description"), validators=[Optional(), Length(max=200),
                                                             one_line], filters=[stripped])
