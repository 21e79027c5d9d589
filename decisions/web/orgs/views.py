"""Organisations: my organisations, creating one, an organisation's home page."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from .. import db
from ..forms import add_error
from ..models import Membership, Organisation, Role
from ..services import organisations
from .access import requires
from .forms import OrganisationForm

bp = Blueprint("orgs", __name__, url_prefix="/orgs")


@bp.route("/")
@login_required
def index() -> str:
    """The organisations I belong to."""
    memberships = organisations.organisations_of(db.session(), current_user)
    return render_template("orgs/index.html", memberships=memberships)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create() -> str | Response:
    """Create an organisation; its creator becomes its admin."""
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            with db.transaction() as session:
                organisation = organisations.create_organisation(
                    session, current_user, name=form.name.data or "", slug=form.slug.data or "",
                    is_scic=bool(form.is_scic.data))
        except organisations.OrganisationError as error:
            add_error(form.slug, str(error))
        else:
            flash(_("Organisation created. You are its admin."), "success")
            return redirect(url_for("orgs.show", slug=organisation.slug))
    return render_template("orgs/new.html", form=form)


@bp.route("/<slug>/")
@requires(Role.MEMBER)
def show(organisation: Organisation, membership: Membership) -> str:
    """An organisation's home page."""
    return render_template("orgs/show.html", organisation=organisation, membership=membership)
