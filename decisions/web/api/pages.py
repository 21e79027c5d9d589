"""The integrations page of an organisation (its admins): its API tokens, made and
revoked, and its webhook endpoints, each with its latest deliveries and their answers.
A token or a signing secret is shown once, on the page that answers its making, which no
cache keeps."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from .. import db
from ..forms import show_error
from ..labels import ORG_MENU
from ..models import DeliveryState, EndpointKind, Membership, Organisation, Role
from ..orgs.access import requires
from ..orgs.forms import ConfirmForm
from ..services import api_tokens, webhooks
from .forms import (
    EVENT_LABELS,
    KIND_LABELS,
    SCOPE_LABELS,
    EndpointEditForm,
    EndpointForm,
    TokenForm,
)

bp = Blueprint("integrations", __name__, url_prefix="/orgs/<slug>/integrations")
ORG_MENU.append(("integrations.index", _l("Integrations"), Role.ADMIN))


def private_allowed() -> bool:
    """Whether endpoints may be on this machine or a private network
    (``WEBHOOK_PRIVATE_ADDRESSES``; by default only under TESTING or in debug mode)."""
    allowed = current_app.config.get("WEBHOOK_PRIVATE_ADDRESSES")
    return bool(current_app.testing or current_app.debug) if allowed is None else bool(allowed)


@bp.context_processor
def words() -> dict[str, Any]:
    """What the integration pages name."""
    return {"scope_labels": SCOPE_LABELS, "event_labels": EVENT_LABELS,
            "kind_labels": KIND_LABELS, "token_status": api_tokens.status,
            "DeliveryState": DeliveryState, "EndpointKind": EndpointKind}


def _index(organisation: Organisation, membership: Membership, *,
           token_form: TokenForm | None = None, endpoint_form: EndpointForm | None = None,
           new_token: str | None = None) -> str:
    session = db.session()
    return render_template(
        "api/integrations.html", organisation=organisation, membership=membership,
        tokens=api_tokens.organisation_tokens(session, organisation),
        endpoints=webhooks.endpoints_of(session, organisation), now=db.utcnow(),
        token_form=token_form or TokenForm(formdata=None),
        endpoint_form=endpoint_form or EndpointForm(formdata=None),
        new_token=new_token, confirm=ConfirmForm(formdata=None))


def _shown_once(page: str) -> Response:
    response = make_response(page)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/")
@requires(Role.ADMIN)
def index(organisation: Organisation, membership: Membership) -> str:
    """The organisation's API tokens and webhook endpoints."""
    return _index(organisation, membership)


@bp.route("/tokens", methods=["POST"])
@requires(Role.ADMIN)
def token_new(organisation: Organisation, membership: Membership) -> str | Response:
    """Make a token of the organisation, for a platform; shown once."""
    form = TokenForm()
    if form.validate_on_submit():
        try:
            with db.transaction() as session:
                issued = api_tokens.create_for_organisation(
                    session, organisation, membership, name=form.name.data or "",
                    scopes=list(form.scopes.data or []), days=form.days.data or 0,
                    now=db.utcnow())
        except api_tokens.TokenError as error:
            show_error(form, error, "name")
        else:
            return _shown_once(_index(organisation, membership, new_token=issued.text))
    return _index(organisation, membership, token_form=form)


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@requires(Role.ADMIN)
def token_revoke(organisation: Organisation, membership: Membership,
                 token_id: int) -> Response:
    """Revoke one of the organisation's tokens."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        with db.transaction() as session:
            token = api_tokens.revoke_for_organisation(session, organisation, token_id,
                                                       db.utcnow())
    except api_tokens.TokenError:
        abort(404)
    flash(_("The token %(name)s is revoked.", name=token.name), "success")
    return redirect(url_for("integrations.index", slug=organisation.slug))


@bp.route("/webhooks", methods=["POST"])
@requires(Role.ADMIN)
def webhook_new(organisation: Organisation, membership: Membership) -> str | Response:
    """Register a webhook endpoint; its signing secret is shown once."""
    form = EndpointForm()
    if form.validate_on_submit():
        try:
            with db.transaction() as session:
                registered = webhooks.register(
                    session, organisation, membership, url=form.url.data or "",
                    kind=form.kind.data or "", events=list(form.events.data or []),
                    description=form.description.data or "",
                    access_token=form.access_token.data or "", now=db.utcnow(),
                    private_allowed=private_allowed())
        except webhooks.WebhookError as error:
            show_error(form, error, "url")
        else:
            return _shown_once(_endpoint_page(organisation, membership, registered.endpoint.id,
                                              secret=registered.secret))
    return _index(organisation, membership, endpoint_form=form)


def _endpoint_page(organisation: Organisation, membership: Membership, endpoint_id: int, *,
                   form: EndpointEditForm | None = None, secret: str | None = None) -> str:
    session = db.session()
    endpoint = webhooks.find(session, organisation, endpoint_id) or abort(404)
    if form is None:
        form = EndpointEditForm(formdata=None, data={"events": sorted(endpoint.event_set),
                                                     "description": endpoint.description})
    return render_template(
        "api/webhook.html", organisation=organisation, membership=membership,
        endpoint=endpoint, deliveries=webhooks.deliveries_of(session, endpoint), form=form,
        secret=secret, confirm=ConfirmForm(formdata=None), now=db.utcnow())


@bp.route("/webhooks/<int:endpoint_id>", methods=["GET", "POST"])
@requires(Role.ADMIN)
def webhook(organisation: Organisation, membership: Membership,
            endpoint_id: int) -> str | Response:
    """An endpoint: its events, its latest deliveries with the answers it gave."""
    endpoint = webhooks.find(db.session(), organisation, endpoint_id) or abort(404)
    form = EndpointEditForm()
    if form.validate_on_submit():
        try:
            with db.transaction() as session:
                webhooks.change(session, endpoint, events=list(form.events.data or []),
                                description=form.description.data or "")
        except webhooks.WebhookError as error:
            show_error(form, error, "events")
        else:
            flash(_("The endpoint is saved."), "success")
            return redirect(url_for("integrations.webhook", slug=organisation.slug,
                                    endpoint_id=endpoint.id))
        return _endpoint_page(organisation, membership, endpoint.id, form=form)
    return _endpoint_page(organisation, membership, endpoint.id)


@bp.route("/webhooks/<int:endpoint_id>/rotate", methods=["POST"])
@requires(Role.ADMIN)
def webhook_rotate(organisation: Organisation, membership: Membership,
                   endpoint_id: int) -> Response:
    """A new signing secret (the old one still signs for a day); shown once."""
    endpoint = webhooks.find(db.session(), organisation, endpoint_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with db.transaction() as session:
        registered = webhooks.rotate_secret(session, endpoint, db.utcnow())
    return _shown_once(_endpoint_page(organisation, membership, endpoint.id,
                                      secret=registered.secret))


@bp.route("/webhooks/<int:endpoint_id>/enable", methods=["POST"])
@requires(Role.ADMIN)
def webhook_enable(organisation: Organisation, membership: Membership,
                   endpoint_id: int) -> Response:
    """Turn a disabled endpoint on again."""
    endpoint = webhooks.find(db.session(), organisation, endpoint_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with db.transaction() as session:
        webhooks.enable(session, endpoint, db.utcnow())
    flash(_("The endpoint is on again: it is told of events from now on."), "success")
    return redirect(url_for("integrations.webhook", slug=organisation.slug,
                            endpoint_id=endpoint.id))


@bp.route("/webhooks/<int:endpoint_id>/delete", methods=["POST"])
@requires(Role.ADMIN)
def webhook_delete(organisation: Organisation, membership: Membership,
                   endpoint_id: int) -> Response:
    """Remove an endpoint and its deliveries."""
    endpoint = webhooks.find(db.session(), organisation, endpoint_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with db.transaction() as session:
        webhooks.delete(session, endpoint)
    flash(_("The endpoint is removed."), "success")
    return redirect(url_for("integrations.index", slug=organisation.slug))

