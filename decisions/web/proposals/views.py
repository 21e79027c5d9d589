"""Proposals of an organisation: the list, a new proposal with its decision rule, one
proposal with its rounds, its versions and their differences, amending, withdrawing, and the
facilitator's outcome statement."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from babel.dates import format_date
from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from .. import db, markdown
from ..errors import error_text
from ..families import descriptor
from ..forms import add_error, show_error
from ..i18n import local_time
from ..models import (
    ElectorateScope,
    Membership,
    Organisation,
    Proposal,
    ProposalStatus,
    Role,
    VotersVisibility,
)
from ..orgs.access import requires
from ..orgs.forms import ConfirmForm
from ..services import circles as circle_service
from ..services import home, organisations, policies
from ..services import proposals as proposal_service
from ..services.rounds import reasons_required
from .diff import DiffLine, line_diff
from .forms import (
    RULE_GROUPS,
    AmendForm,
    CompareForm,
    OutcomeForm,
    ProposalForm,
)
from .rule_words import (
    FAMILY_HELP,
    FAMILY_LABELS,
    OUTCOME_LABELS,
    POSITION_LABELS,
    ROUND_KIND_LABELS,
    ROUND_STATUS_LABELS,
    STATUS_LABELS,
    VISIBILITY_LABELS,
    rule_sentences,
)

bp = Blueprint("proposals", __name__, url_prefix="/orgs/<slug>/proposals")

#: The sections of the list of proposals, in order.
SECTIONS = (
    (ProposalStatus.OPEN, ("open",)),
    (ProposalStatus.DRAFT, ("draft",)),
    (ProposalStatus.DECIDED, ("decided", "reviewed")),
    (ProposalStatus.WITHDRAWN, ("withdrawn",)),
)


def long_date(day: date | None) -> str:
    """A date in words of the reader's language."""
    return "" if day is None else str(format_date(day, "long", locale=get_locale()))


@bp.context_processor
def proposal_words() -> dict[str, Any]:
    """What the proposal templates show: labels, times in the organisation's zone."""
    return {"family_labels": FAMILY_LABELS, "family_help": FAMILY_HELP,
            "status_labels": STATUS_LABELS, "outcome_labels": OUTCOME_LABELS,
            "round_kind_labels": ROUND_KIND_LABELS, "round_status_labels": ROUND_STATUS_LABELS,
            "position_labels": POSITION_LABELS, "visibility_labels": VISIBILITY_LABELS,
            "local_time": local_time, "long_date": long_date,
            "Role": Role, "ProposalStatus": ProposalStatus}


# Finding --------------------------------------------------------------------------------


def _find(organisation: Organisation, membership: Membership, proposal_id: int) -> Proposal:
    """The organisation's proposal, if this member may see it (else 404)."""
    proposal = db.session().scalar(select(Proposal).where(
        Proposal.id == proposal_id, Proposal.organisation_id == organisation.id))
    if proposal is None or not policies.may_see(proposal, membership):
        abort(404)
    return proposal


def _to_page_of(proposal: Proposal) -> Response:
    """Back to the proposal's page."""
    return redirect(url_for("proposals.show", slug=g.organisation.slug, proposal_id=proposal.id))


def _names(ids: set[int | None]) -> dict[int, str]:
    """Names of members by membership id."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = db.session().scalars(select(Membership).where(Membership.id.in_(wanted)))
    return {m.id: m.user.name for m in rows}


# The list -------------------------------------------------------------------------------


@bp.route("/")
@requires(Role.MEMBER)
def index(organisation: Organisation, membership: Membership) -> str:
    """The organisation's proposals by status: open, drafts, decided, withdrawn; each with
    its open round's deadline, whether I answered, and its participation."""
    now = db.utcnow()
    lines = home.proposal_lines(db.session(), organisation, membership, now)
    sections = [(status, [line for line in lines if line.proposal.status.value in statuses])
                for status, statuses in SECTIONS]
    return render_template("proposals/index.html", organisation=organisation,
                           membership=membership, sections=sections, now=now,
                           may_propose=policies.may_propose(organisation, membership))


# A new proposal ---------------------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
@requires(Role.MEMBER)
def new(organisation: Organisation, membership: Membership) -> str | Response:
    """Put forward a proposal: its text, its decision rule, who decides, its options."""
    if not policies.may_propose(organisation, membership):
        abort(403)
    session = db.session()
    circles = circle_service.circles_of(session, organisation)
    form = ProposalForm.of(organisation, circles, organisations.members_of(session,
                                                                            organisation))
    if request.method == "GET" and request.args.get("family") in FAMILY_LABELS:
        form.family.data = request.args["family"]
    if not form.wants_another_page():
        if form.validate_on_submit():
            proposal = _create(form, organisation, membership)
            if proposal is not None:
                flash(_("Draft saved. A facilitator opens its first round when it is ready."),
                      "success")
                return _to_page_of(proposal)
        elif form.is_submitted():
            form.rule()  # an incomplete fraction is said with the other errors
    return render_template("proposals/new.html", organisation=organisation,
                           membership=membership, form=form, family=form.chosen_family,
                           rule_groups=RULE_GROUPS, circles=circles, preview=_preview(form))


def _create(form: ProposalForm, organisation: Organisation,
            membership: Membership) -> Proposal | None:
    """The proposal from the form, or ``None`` with the reasons on the form's fields."""
    family, params = form.chosen_family, form.rule()
    if params is None:
        return None
    try:
        with db.transaction() as session:
            return proposal_service.create_proposal(
                session, organisation, membership, title=form.title.data or "",
                body=form.body.data or "", family=family, params=params, now=db.utcnow(),
                scope=ElectorateScope(form.scope.data), circle_id=form.circle.data or None,
                electors=list(form.electors.data or []),
                hide_results=bool(form.hide_results.data),
                reason_required=tuple(form.reasons),
                voters_visible=VotersVisibility(form.voters_visible.data),
                secret=bool(form.secret.data), reminder_hours=form.reminder_hours.data)
    except proposal_service.RuleError as error:
        form.show_rule_problem(error)
    except proposal_service.ReasonsError as error:
        add_error(form.reasons_field(), error_text(error))
    except proposal_service.ProposalError as error:
        show_error(form, error, "family")
    return None


# One proposal ---------------------------------------------------------------------------


@bp.route("/<int:proposal_id>")
@requires(Role.MEMBER)
def show(organisation: Organisation, membership: Membership, proposal_id: int) -> str:
    """A proposal: its current version, its rule in plain words, its rounds and outcome."""
    proposal = _find(organisation, membership, proposal_id)
    version = proposal.current_version
    electors = []
    if proposal.electorate_scope is ElectorateScope.LIST:
        electors = sorted(_names({e.membership_id for e in proposal.chosen_electors}).values())
    names = _names({proposal.author_id, version.author_id})
    return render_template(
        "proposals/show.html", organisation=organisation, membership=membership,
        proposal=proposal, version=version, names=names, electors=electors,
        rule=rule_sentences(proposal.family, json.loads(proposal.params or "{}")),
        reasons=[str(POSITION_LABELS.get(p, p)) for p in descriptor(proposal.family).every_position
                 if p in reasons_required(proposal)],
        may_change=policies.may_change(proposal, organisation, membership)
        and policies.changeable(proposal),
        may_open_round=policies.may_open_round(proposal, membership),
        confirm=ConfirmForm(formdata=None))


@bp.route("/<int:proposal_id>/versions")
@requires(Role.MEMBER)
def versions(organisation: Organisation, membership: Membership, proposal_id: int) -> str:
    """Every version with its summary, and the differences between two of them
    (``?a=1&b=2``; by default the last two)."""
    proposal = _find(organisation, membership, proposal_id)
    by_number = {v.number: v for v in proposal.versions}
    latest = proposal.current_version.number
    form = CompareForm.of(sorted(by_number), a=max(latest - 1, 1), b=latest)
    old = new_ = None
    hunks: list[list[DiffLine]] = []
    if form.validate():
        old, new_ = by_number[form.a.data], by_number[form.b.data]
        hunks = line_diff(old.body, new_.body)
    return render_template(
        "proposals/versions.html", organisation=organisation, membership=membership,
        proposal=proposal, versions=list(reversed(proposal.versions)), form=form, old=old,
        new=new_, hunks=hunks, names=_names({v.author_id for v in proposal.versions}))


@bp.route("/<int:proposal_id>/amend", methods=["GET", "POST"])
@requires(Role.MEMBER)
def amend(organisation: Organisation, membership: Membership,
          proposal_id: int) -> str | Response:
    """Publish a new version with a summary of what changed."""
    proposal = _find(organisation, membership, proposal_id)
    if not policies.may_change(proposal, organisation, membership):
        abort(403)
    current = proposal.current_version
    form = AmendForm(data={"title": current.title, "body": current.body})
    if not form.preview.data and form.validate_on_submit():
        try:
            with db.transaction() as session:
                version = proposal_service.amend(
                    session, proposal, membership, title=form.title.data or "",
                    body=form.body.data or "", summary=form.summary.data or "",
                    now=db.utcnow())
        except proposal_service.ProposalError as error:
            form.form_errors.append(error_text(error))
        else:
            flash(_("Version %(number)d published.", number=version.number), "success")
            return _to_page_of(proposal)
    return render_template("proposals/amend.html", organisation=organisation,
                           membership=membership, proposal=proposal, form=form,
                           preview=_preview(form),
                           closed=not policies.changeable(proposal))


@bp.route("/<int:proposal_id>/withdraw", methods=["POST"])
@requires(Role.MEMBER)
def withdraw(organisation: Organisation, membership: Membership, proposal_id: int) -> Response:
    """Withdraw a proposal before it is decided (its open round is cancelled)."""
    proposal = _find(organisation, membership, proposal_id)
    if not policies.may_change(proposal, organisation, membership):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        with db.transaction() as session:
            proposal_service.withdraw(session, proposal, now=db.utcnow(),
                                     actor_id=membership.id)
    except proposal_service.ProposalError as error:
        flash(error_text(error), "error")
    else:
        flash(_("The proposal is withdrawn."), "success")
    return _to_page_of(proposal)


@bp.route("/<int:proposal_id>/outcome", methods=["GET", "POST"])
@requires(Role.FACILITATOR)
def outcome(organisation: Organisation, membership: Membership,
            proposal_id: int) -> str | Response:
    """The facilitator's outcome statement and review date, once the proposal is decided."""
    proposal = _find(organisation, membership, proposal_id)
    if proposal.status is not ProposalStatus.DECIDED:
        flash(_("The outcome is recorded once the proposal is decided."), "error")
        return _to_page_of(proposal)
    form = OutcomeForm(data={"statement": proposal.outcome_statement,
                             "review_date": proposal.review_date})
    if form.validate_on_submit():
        try:
            with db.transaction() as session:
                proposal_service.record_outcome(session, proposal,
                                                statement=form.statement.data or "",
                                                review_date=form.review_date.data,
                                                now=db.utcnow())
        except proposal_service.ProposalError as error:
            if not show_error(form, error):
                form.form_errors.append(error_text(error))
        else:
            flash(_("Outcome statement saved."), "success")
            return _to_page_of(proposal)
    return render_template("proposals/outcome.html", organisation=organisation,
                           membership=membership, proposal=proposal, form=form)


def _preview(form: Any) -> markdown.Rendered | None:
    """The body as it will be shown, when the author asked for a preview."""
    return markdown.render(form.body.data) if form.preview.data else None
