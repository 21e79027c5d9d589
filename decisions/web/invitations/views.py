"""An organisation's invitations: admins invite people by e-mail and revoke pending ones."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from .. import db, emails
from ..errors import error_text
from ..forms import show_error
from ..login import signed_in
from ..models import InvitationStatus, Membership, Organisation, Role
from ..orgs.access import requires
from ..services import invitations
from .forms import InvitationForm, RevokeForm

bp = Blueprint("invitations", __name__, url_prefix="/orgs/<slug>/invitations")

STATUS_LABELS: dict[InvitationStatus, LazyString] = {
    InvitationStatus.PENDING: _l("pending"),
    InvitationStatus.USED: _l("accepted"),
    InvitationStatus.EXPIRED: _l("expired"),
}


@bp.route("/", methods=["GET", "POST"])
@requires(Role.ADMIN)
def index(organisation: Organisation, membership: Membership) -> str | Response:
    """The organisation's invitations, and the form to invite someone."""
    form = InvitationForm.of(organisation)
    if form.validate_on_submit():
        try:
            with db.transaction() as session:
                invited = invitations.invite(
                    session, organisation, signed_in(), email=form.email.data or "",
                    role=Role(form.role.data), college_id=form.college_id(),
                    days=emails.invitation_days(), now=db.utcnow())
                # Sent inside the transaction: if the e-mail cannot go, nothing is recorded.
                emails.send_invitation(invited, organisation, signed_in())
        except invitations.InvitationError as error:
            show_error(form, error, "email")
        else:
            flash(_("Invitation sent to %(email)s.", email=invited.invitation.email), "success")
            return redirect(url_for("invitations.index", slug=organisation.slug))
    now = db.utcnow()
    rows = [(i, i.status(now)) for i in invitations.invitations_of(db.session(), organisation)]
    return render_template("invitations/index.html", organisation=organisation,
                           membership=membership, form=form, rows=rows,
                           status_labels=STATUS_LABELS, pending=InvitationStatus.PENDING,
                           lifetime=emails.invitation_lifetime())


@bp.route("/<int:invitation_id>/revoke", methods=["POST"])
@requires(Role.ADMIN)
def revoke(organisation: Organisation, membership: Membership, invitation_id: int) -> Response:
    """Revoke a pending invitation: its link stops working."""
    if not RevokeForm().validate_on_submit():
        abort(400)
    try:
        with db.transaction() as session:
            invitation = invitations.revoke(session, organisation, invitation_id, db.utcnow())
    except invitations.InvitationNotFound:
        abort(404)
    except invitations.InvitationError as error:
        flash(error_text(error), "error")
    else:
        flash(_("The invitation to %(email)s is revoked: its link no longer works.",
                email=invitation.email), "success")
    return redirect(url_for("invitations.index", slug=organisation.slug))
