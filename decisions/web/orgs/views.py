"""Organisations: my organisations, creating one, and its administration pages: settings,
members, colleges and circles (members read, admins change)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_percent, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from .. import db
from ..config import audit_folder
from ..errors import error_text
from ..forms import add_error, show_error
from ..i18n import zone_of
from ..labels import AUDIT_LABELS
from ..models import Circle, Membership, Organisation, Role
from ..rounds.views import round_words
from ..services import circles as circle_service
from ..services import colleges as college_service
from ..services import email_convocation, organisations
from ..services import home as home_service
from . import audit_page
from .access import requires
from .forms import (
    CircleForm,
    CollegeForm,
    ConfirmForm,
    MemberForm,
    OrganisationForm,
    PaperConsentForm,
    SettingsForm,
    WeightsForm,
)

bp = Blueprint("orgs", __name__, url_prefix="/orgs")


@bp.context_processor
def roles() -> dict[str, type[Role]]:
    """Templates of organisations compare roles: ``membership.can(Role.ADMIN)``."""
    return {"Role": Role}


@bp.app_template_filter("percent")
def percent(share: Fraction) -> str:
    """A share of 1 as a percentage in the reader's language, to two decimals (1/3: 33.33%)."""
    pattern = get_locale().percent_formats[None].pattern.replace("0", "0.##", 1)
    return str(format_percent(Decimal(share.numerator) / Decimal(share.denominator), pattern))


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
                    is_scic=bool(form.is_scic.data), now=db.utcnow())
        except organisations.OrganisationError as error:
            show_error(form, error, "slug")
        else:
            flash(_("Organisation created. You are its admin."), "success")
            return redirect(url_for("orgs.show", slug=organisation.slug))
    return render_template("orgs/new.html", form=form)


@bp.route("/<slug>/")
@requires(Role.MEMBER)
def show(organisation: Organisation, membership: Membership) -> str:
    """An organisation's home page: what awaits me, what I answered, recent outcomes, and
    for facilitators the rounds closing soon."""
    now = db.utcnow()
    return render_template(
        "orgs/show.html", organisation=organisation, membership=membership, now=now,
        home=home_service.home(db.session(), membership, now),
        closing_days=home_service.CLOSING_SOON.days,
        outcome_days=home_service.RECENT_OUTCOMES.days, **round_words())


# Settings -------------------------------------------------------------------------------


@bp.route("/<slug>/settings", methods=["GET", "POST"])
@requires(Role.ADMIN)
def settings(organisation: Organisation, membership: Membership) -> str | Response:
    """The organisation's name, time zone, whether it is a SCIC, who may propose, the
    language of its messages, whether they carry answer buttons, and whether its register
    of decisions is public."""
    form = SettingsForm(obj=organisation)
    if form.validate_on_submit():
        try:
            with db.transaction() as session:
                organisations.update_settings(
                    session, organisation, name=form.name.data or "",
                    timezone=(form.timezone.data or "").strip(), is_scic=bool(form.is_scic.data),
                    allow_member_proposals=bool(form.allow_member_proposals.data),
                    language=form.language.data or None,
                    languages=current_app.config["LANGUAGES"],
                    answer_links=bool(form.answer_links.data),
                    public_register=bool(form.public_register.data), now=db.utcnow(),
                    actor_id=membership.id)
                problem = college_service.refusal(session, organisation)
        except organisations.OrganisationError as error:
            show_error(form, error, "name")
        else:
            flash(_("Settings saved."), "success")
            if problem is not None:
                flash(_("The colleges cannot be used for a vote yet: %(problem)s",
                        problem=error_text(problem)), "warning")
            return redirect(url_for("orgs.settings", slug=organisation.slug))
    return render_template("orgs/settings.html", organisation=organisation,
                           membership=membership, form=form,
                           timezones=sorted(organisations.time_zones()))


# Members --------------------------------------------------------------------------------


@bp.route("/<slug>/members")
@requires(Role.MEMBER)
def members(organisation: Organisation, membership: Membership) -> str:
    """The organisation's members with their role, college and vote weight."""
    rows = organisations.members_of(db.session(), organisation)
    return render_template("orgs/members.html", organisation=organisation,
                           membership=membership, members=rows)


@bp.route("/<slug>/audit")
@requires(Role.MEMBER)
def audit(organisation: Organisation, membership: Membership) -> str:
    """The organisation's audit log, newest first, 50 entries a page (secret ballots without
    their content), with its head and the key its checkpoints are signed with."""
    number = request.args.get("page", 1, type=int) or 1
    shown = audit_page.page(db.session(), organisation, number, audit_folder(current_app))
    return render_template("orgs/audit.html", organisation=organisation,
                           membership=membership, log=shown, labels=AUDIT_LABELS)


@bp.route("/<slug>/members/<int:member_id>/edit", methods=["GET", "POST"])
@requires(Role.ADMIN)
def member_edit(organisation: Organisation, membership: Membership,
                member_id: int) -> str | Response:
    """Change a member's role, vote weight and college."""
    session = db.session()
    member = organisations.find_member(session, organisation, member_id) or abort(404)
    form = MemberForm(data={"role": member.role.value, "vote_weight": member.vote_weight,
                            "college": member.college_id or 0})
    form.with_colleges(college_service.colleges_of(session, organisation))
    if form.validate_on_submit():
        try:
            with db.transaction() as session:
                organisations.update_membership(
                    session, member, role=Role(form.role.data), vote_weight=form.vote_weight.data
                    or 0, college_id=form.college.data or None, now=db.utcnow())
        except organisations.OrganisationError as error:
            show_error(form, error, "role")
        else:
            flash(_("%(name)s's membership is saved.", name=member.user.name), "success")
            return redirect(url_for("orgs.members", slug=organisation.slug))
    return render_template("orgs/member_edit.html", organisation=organisation,
                           membership=membership, member=member, form=form,
                           confirm=ConfirmForm(formdata=None),
                           paper_form=PaperConsentForm(formdata=None, data={
                               "given_on": db.utcnow().astimezone(zone_of(organisation))
                               .date()}))


@bp.route("/<slug>/members/<int:member_id>/convocation", methods=["POST"])
@requires(Role.ADMIN)
def member_convocation(organisation: Organisation, membership: Membership,
                       member_id: int) -> Response:
    """Record a member's agreement, given on paper, to be convened by e-mail, or their
    letter asking for the post again (C. com. R225-63)."""
    member = organisations.find_member(db.session(), organisation, member_id) or abort(404)
    form = PaperConsentForm()
    withdraw = request.form.get("withdraw") == "1"
    back = redirect(url_for("orgs.member_edit", slug=organisation.slug, member_id=member.id,
                            _anchor="convocation-title"))
    if not withdraw and (not form.validate_on_submit() or form.given_on.data is None):
        flash(_("Give the day of the written agreement."), "error")
        return back
    try:
        with db.transaction() as session:
            email_convocation.record_paper(
                session, session.get_one(Organisation, organisation.id), member.id,
                session.get_one(Membership, membership.id),
                given_on=None if withdraw else form.given_on.data, now=db.utcnow())
    except email_convocation.ConsentError as error:
        flash(error_text(error), "error")
        return back
    if withdraw:
        flash(_("%(name)s will be convened by post again.", name=member.user.name), "success")
    else:
        flash(_("%(name)s's agreement given on paper is recorded: convened by e-mail.",
                name=member.user.name), "success")
    return back


@bp.route("/<slug>/members/<int:member_id>/remove", methods=["POST"])
@requires(Role.ADMIN)
def member_remove(organisation: Organisation, membership: Membership,
                  member_id: int) -> Response:
    """Take a member out of the organisation (never its last admin)."""
    session = db.session()
    member = organisations.find_member(session, organisation, member_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name, leaving = member.user.name, member.id == membership.id
    try:
        with db.transaction() as session:
            organisations.remove_membership(session, member, now=db.utcnow())
    except organisations.OrganisationError as error:
        flash(error_text(error), "error")
        return redirect(url_for("orgs.member_edit", slug=organisation.slug, member_id=member_id))
    if leaving:
        flash(_("You have left %(organisation)s.", organisation=organisation.name), "success")
        return redirect(url_for("orgs.index"))
    flash(_("%(name)s is no longer a member.", name=name), "success")
    return redirect(url_for("orgs.members", slug=organisation.slug))


# Colleges -------------------------------------------------------------------------------


def _colleges_page(organisation: Organisation, membership: Membership, *,
                   add_form: CollegeForm | None = None,
                   weights_form: WeightsForm | None = None) -> str:
    session = db.session()
    rows = college_service.colleges_of(session, organisation)
    verdict = college_service.check(organisation, rows)
    problem = None if verdict is None else college_service.verdict_error(
        verdict, organisation, rows)
    return render_template(
        "orgs/colleges.html", organisation=organisation, membership=membership,
        colleges=rows, verdict=verdict, problem=problem and error_text(problem),
        counts=college_service.member_counts(session, organisation),
        add_form=add_form or CollegeForm(formdata=None),
        weights_form=weights_form or WeightsForm.for_colleges(rows, submitted=False))


@bp.route("/<slug>/colleges")
@requires(Role.MEMBER)
def colleges(organisation: Organisation, membership: Membership) -> str:
    """The colleges, their weights and the effective share the engine computes."""
    return _colleges_page(organisation, membership)


@bp.route("/<slug>/colleges/new", methods=["POST"])
@requires(Role.ADMIN)
def college_new(organisation: Organisation, membership: Membership) -> str | Response:
    """Add a college."""
    form = CollegeForm()
    if form.validate_on_submit():
        try:
            with db.transaction() as session:
                college = college_service.add_college(session, organisation,
                                                      name=form.name.data or "")
        except organisations.OrganisationError as error:
            show_error(form, error, "name")
        else:
            flash(_("College %(name)s added.", name=college.name), "success")
            return redirect(url_for("orgs.colleges", slug=organisation.slug))
    return _colleges_page(organisation, membership, add_form=form)


@bp.route("/<slug>/colleges/weights", methods=["POST"])
@requires(Role.ADMIN)
def college_weights(organisation: Organisation, membership: Membership) -> str | Response:
    """Set the weights of all colleges at once, if the engine accepts them."""
    form = WeightsForm.for_colleges(college_service.colleges_of(db.session(), organisation))
    if form.validate_on_submit():
        try:
            with db.transaction() as session:
                college_service.set_weights(session, organisation, form.weights(),
                                            now=db.utcnow())
        except college_service.CollegeConfigError as error:
            form.form_errors.append(error_text(error))
            for college, field in form.weight_fields():
                if college.id in error.out_of_bounds:
                    add_error(field, _("Out of bounds."))
        except organisations.OrganisationError as error:
            form.form_errors.append(error_text(error))
        else:
            flash(_("Weights saved."), "success")
            return redirect(url_for("orgs.colleges", slug=organisation.slug))
    return _colleges_page(organisation, membership, weights_form=form)


@bp.route("/<slug>/colleges/<int:college_id>/edit", methods=["GET", "POST"])
@requires(Role.ADMIN)
def college_edit(organisation: Organisation, membership: Membership,
                 college_id: int) -> str | Response:
    """Rename a college (or delete it)."""
    session = db.session()
    college = college_service.find_college(session, organisation, college_id) or abort(404)
    form = CollegeForm(obj=college)
    if form.validate_on_submit():
        try:
            with db.transaction() as session:
                college_service.rename_college(session, college, name=form.name.data or "")
        except organisations.OrganisationError as error:
            show_error(form, error, "name")
        else:
            flash(_("College renamed."), "success")
            return redirect(url_for("orgs.colleges", slug=organisation.slug))
    members_count = college_service.member_counts(session, organisation).get(college.id, 0)
    return render_template("orgs/college_edit.html", organisation=organisation,
                           membership=membership, college=college, form=form,
                           members_count=members_count, confirm=ConfirmForm(formdata=None))


@bp.route("/<slug>/colleges/<int:college_id>/delete", methods=["POST"])
@requires(Role.ADMIN)
def college_delete(organisation: Organisation, membership: Membership,
                   college_id: int) -> Response:
    """Delete a college; its members stay, without a college."""
    session = db.session()
    college = college_service.find_college(session, organisation, college_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name = college.name
    with db.transaction() as session:
        college_service.delete_college(session, college)
    flash(_("College %(name)s deleted.", name=name), "success")
    return redirect(url_for("orgs.colleges", slug=organisation.slug))


# Circles --------------------------------------------------------------------------------


@bp.route("/<slug>/circles")
@requires(Role.MEMBER)
def circles(organisation: Organisation, membership: Membership) -> str:
    """The circles as a nested tree, the steering committee marked."""
    rows = circle_service.circles_of(db.session(), organisation)
    return render_template("orgs/circles.html", organisation=organisation,
                           membership=membership, tree=circle_service.circle_tree(rows))


@bp.route("/<slug>/circles/<int:circle_id>")
@requires(Role.MEMBER)
def circle(organisation: Organisation, membership: Membership, circle_id: int) -> str:
    """A circle: its purpose, where it sits, its sub-circles and members."""
    session = db.session()
    found = circle_service.find_circle(session, organisation, circle_id) or abort(404)
    rows = circle_service.circles_of(session, organisation)
    return render_template(
        "orgs/circle.html", organisation=organisation, membership=membership, circle=found,
        children=circle_service.circle_tree(rows).get(found.id, []),
        members=circle_service.circle_members(session, found))


def _circle_form(organisation: Organisation, circle: Circle | None) -> CircleForm:
    """The circle form, offering as parents every circle that would not make a cycle."""
    session = db.session()
    rows = circle_service.circles_of(session, organisation)
    excluded = set() if circle is None else {circle.id, *circle_service.descendants(rows, circle)}
    data = {} if circle is None else {
        "name": circle.name, "description": circle.description,
        "parent": circle.parent_id or 0, "is_steering": circle.is_steering,
        "members": [link.membership_id for link in circle.members]}
    form = CircleForm(data=data)
    return form.with_choices([c for c in rows if c.id not in excluded],
                             organisations.members_of(session, organisation))


def _save_circle(form: CircleForm, organisation: Organisation,
                 circle: Circle | None) -> Circle | None:
    """Create or change the circle from the form; ``None`` when refused (errors on form)."""
    name, description = form.name.data or "", form.description.data or ""
    parent_id, is_steering = form.parent.data or None, bool(form.is_steering.data)
    member_ids = list(form.members.data or [])
    try:
        with db.transaction() as session:
            if circle is None:
                return circle_service.create_circle(
                    session, organisation, name=name, description=description,
                    parent_id=parent_id, is_steering=is_steering, member_ids=member_ids)
            return circle_service.update_circle(
                session, circle, name=name, description=description, parent_id=parent_id,
                is_steering=is_steering, member_ids=member_ids)
    except organisations.OrganisationError as error:
        show_error(form, error, "name")
        return None


@bp.route("/<slug>/circles/new", methods=["GET", "POST"])
@requires(Role.ADMIN)
def circle_new(organisation: Organisation, membership: Membership) -> str | Response:
    """Create a circle."""
    form = _circle_form(organisation, None)
    if form.validate_on_submit():
        saved = _save_circle(form, organisation, None)
        if saved is not None:
            flash(_("Circle %(name)s created.", name=saved.name), "success")
            return redirect(url_for("orgs.circle", slug=organisation.slug, circle_id=saved.id))
    return render_template("orgs/circle_form.html", organisation=organisation,
                           membership=membership, form=form, circle=None)


@bp.route("/<slug>/circles/<int:circle_id>/edit", methods=["GET", "POST"])
@requires(Role.ADMIN)
def circle_edit(organisation: Organisation, membership: Membership,
                circle_id: int) -> str | Response:
    """Change a circle: name, description, parent, steering flag and members."""
    found = circle_service.find_circle(db.session(), organisation, circle_id) or abort(404)
    form = _circle_form(organisation, found)
    if form.validate_on_submit():
        saved = _save_circle(form, organisation, found)
        if saved is not None:
            flash(_("Circle %(name)s saved.", name=saved.name), "success")
            return redirect(url_for("orgs.circle", slug=organisation.slug, circle_id=saved.id))
    return render_template("orgs/circle_form.html", organisation=organisation,
                           membership=membership, form=form, circle=found,
                           confirm=ConfirmForm(formdata=None))


@bp.route("/<slug>/circles/<int:circle_id>/delete", methods=["POST"])
@requires(Role.ADMIN)
def circle_delete(organisation: Organisation, membership: Membership,
                  circle_id: int) -> Response:
    """Delete a circle; its sub-circles move up, its members stay in the organisation."""
    found = circle_service.find_circle(db.session(), organisation, circle_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name = found.name
    with db.transaction() as session:
        circle_service.delete_circle(session, found)
    flash(_("Circle %(name)s deleted.", name=name), "success")
    return redirect(url_for("orgs.circles", slug=organisation.slug))
