"""General assemblies: preparing and convening a sitting, members' proxies, postal votes and
check-in, the chair's live votes by college with the counts of the room, the attendance
sheet, and the minutes (printable, PDF) with the attendance sheet as CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as WerkzeugResponse

from decisions.engine import render

from .. import db
from ..assembly_cases import meeting_day_start
from ..charts import record_chart
from ..config import audit_folder
from ..errors import error_text
from ..forms import show_error
from ..i18n import local_time, zone_of
from ..models import (
    Assembly,
    AssemblyKind,
    AssemblyStatus,
    AttendanceMode,
    Membership,
    Organisation,
    Role,
    Round,
    User,
)
from ..orgs.access import requires
from ..orgs.views import percent
from ..proposals.rule_words import OUTCOME_LABELS, POSITION_LABELS
from ..services import ServiceError, assemblies, checkpoints, email_convocation
from ..services import minutes as minutes_service
from ..services.organisations import current_members
from .forms import (
    KIND_LABELS,
    MODE_LABELS,
    AssemblyForm,
    AttachForm,
    CheckInForm,
    ConfirmForm,
    DateForm,
    GiverForm,
    OfficersForm,
    OpenItemForm,
    ProxyForm,
    ResolutionForm,
    RoomForm,
    VoteForm,
)
from .mail import convocation_values
from .pdf import chart_uri, pages_pdf
from .pdf import minutes_pdf as write_pdf

bp = Blueprint("assemblies", __name__, url_prefix="/orgs/<slug>/assemblies")

Page = str | WerkzeugResponse

def _status_labels() -> dict[str, str]:
    return {AssemblyStatus.DRAFT.value: _("in preparation"),
            AssemblyStatus.CONVENED.value: _("convened"),
            AssemblyStatus.IN_SESSION.value: _("in session"),
            AssemblyStatus.CLOSED.value: _("held"),
            AssemblyStatus.NO_QUORUM.value: _("no quorum")}


def _sheet_labels() -> dict[str, str]:
    return {"room": _("in the room"), "remote": _("remote"),
            "remote_not_counted": _("remote, not counted present"),
            "represented": _("represented"), "postal": _("by post"), "absent": _("absent")}


def _preset_label(preset: str | None) -> str:
    if preset == "scic_sa_ago":
        return str(_("ordinary resolution: majority of the votes expressed, quorum 1/5 on first"
                 " convocation (C. com. L225-98)"))
    if preset == "scic_sa_age":
        return str(_("extraordinary resolution: two thirds of the votes expressed, quorum 1/4 on"
                 " first convocation, 1/5 on second (C. com. L225-96)"))
    return str(_("the rule of the proposal (%(preset)s)",
                 preset=preset or _("the organisation's")))


@bp.context_processor
def words() -> dict[str, Any]:
    """What the assembly templates name and format."""
    return {"kind_label": lambda k: str(KIND_LABELS.get(str(k), k)),
            "mode_label": lambda m: str(MODE_LABELS.get(str(m), m)),
            "status_label": lambda s: _status_labels().get(str(s), str(s)),
            "sheet_label": lambda s: _sheet_labels().get(str(s), str(s)),
            "outcome_label": lambda o: str(OUTCOME_LABELS.get(o, o)) if o else _("not voted"),
            "position_label": lambda p: str(POSITION_LABELS.get(p, p)),
            "preset_label": _preset_label, "percent_of": _percent_of, "Role": Role}


def _percent_of(fraction: str | None) -> str:
    return "—" if fraction is None else percent(Fraction(fraction))


# Loading --------------------------------------------------------------------------------


def _assembly(organisation: Organisation, assembly_id: int) -> Assembly:
    found = assemblies.assembly_in(db.session(), organisation.id, assembly_id)
    if found is None:
        abort(404)
    return found


def _back(organisation: Organisation, assembly: Assembly, anchor: str | None = None,
          ) -> WerkzeugResponse:
    """Back to the sitting's page, or to its attendance sheet when the form came from its
    welcome desk."""
    if request.form.get("back") == "sheet":
        return redirect(url_for("assemblies.sheet", slug=organisation.slug,
                                assembly_id=assembly.id, _anchor="desk"))
    return redirect(url_for("assemblies.show", slug=organisation.slug,
                            assembly_id=assembly.id, _anchor=anchor))


def _act(organisation: Organisation, assembly: Assembly, action: Callable[[Any], Any],
         done: str, anchor: str | None = None) -> WerkzeugResponse:
    """Run one service call in a transaction; flash its refusal, or ``done``."""
    try:
        with db.transaction() as session:
            action(session)
    except ServiceError as error:
        flash(error_text(error), "error")
    else:
        flash(done, "success")
    return _back(organisation, assembly, anchor)


Call = Callable[[Any, Assembly, Membership, datetime], object]


def _confirmed_act(organisation: Organisation, membership: Membership, assembly_id: int,
                   call: Call, done: str, anchor: str | None = None, *,
                   form: FlaskForm | None = None, invalid: str | None = None,
                   ) -> WerkzeugResponse:
    """The thin POST of a sitting: load it (404 if not the organisation's), read the posted
    ``form`` (a ``ConfirmForm`` by default: its CSRF token alone, which the application's
    CSRF protection has checked already), then run ``call(session, sitting, acting member,
    now)``, the one service call, in a transaction (:func:`_act`). With ``invalid``, a form
    that does not validate goes back to the sitting with that message (none if empty)."""
    assembly = _assembly(organisation, assembly_id)
    valid = (form if form is not None else ConfirmForm()).validate_on_submit()
    if not valid and invalid is not None:
        if invalid:
            flash(invalid, "error")
        return _back(organisation, assembly, anchor)
    return _act(organisation, assembly, lambda s: call(
        s, _fresh(s, assembly), _member(s, membership), db.utcnow()), done, anchor)


def _member(session: Any, membership: Membership) -> Membership:
    found: Membership = session.get_one(Membership, membership.id)
    return found


def _fresh(session: Any, assembly: Assembly) -> Assembly:
    found: Assembly = session.get_one(Assembly, assembly.id)
    return found


def _utc(local: datetime | None, organisation: Organisation) -> datetime | None:
    return None if local is None else local.replace(tzinfo=zone_of(organisation)).astimezone(UTC)


# The list and the forms of a sitting ----------------------------------------------------


@bp.route("/")
@requires(Role.MEMBER)
def index(organisation: Organisation, membership: Membership) -> str:
    """The organisation's general assemblies."""
    return render_template("assemblies/index.html", organisation=organisation,
                           membership=membership,
                           assemblies=assemblies.assemblies_of(db.session(), organisation.id))


def _settings(form: AssemblyForm, organisation: Organisation) -> assemblies.Settings | None:
    meets_at = form.meets_at.utc(zone_of(organisation))
    if meets_at is None:
        return None
    return assemblies.Settings(
        title=form.title.data or "", kind=AssemblyKind(form.kind.data), meets_at=meets_at,
        place=form.place.data or "", video_link=form.video_link.data or "",
        second_meets_at=_utc(form.second_meets_at.data, organisation),
        max_proxies_per_holder=form.max_proxies_per_holder.data,
        proxy_same_college=bool(form.proxy_same_college.data),
        remote_counts_as_present=bool(form.remote_counts_as_present.data),
        chair_id=form.chair.data or None, secretary_id=form.secretary.data or None)


@bp.route("/new", methods=["GET", "POST"])
@requires(Role.FACILITATOR)
def new(organisation: Organisation, membership: Membership) -> Page:
    """Prepare a sitting: its date, place, chair and statutory rules; the agenda next."""
    zone = zone_of(organisation)
    default = (db.utcnow().astimezone(zone) + timedelta(days=30)).replace(
        hour=18, minute=0, second=0, microsecond=0, tzinfo=None)
    form = AssemblyForm(data={"meets_at": default, "chair": membership.id})
    form.with_members(_members(organisation))
    if form.validate_on_submit():
        settings = _settings(form, organisation)
        if settings is not None:
            try:
                with db.transaction() as session:
                    created = assemblies.create_assembly(
                        session, session.get_one(Organisation, organisation.id),
                        _member(session, membership), settings, now=db.utcnow())
            except ServiceError as error:
                show_error(form, error, "title")
            else:
                flash(_("The assembly is prepared: now put its resolutions on the agenda."),
                      "success")
                return redirect(url_for("assemblies.show", slug=organisation.slug,
                                        assembly_id=created.id))
    return render_template("assemblies/form.html", organisation=organisation,
                           membership=membership, form=form, assembly=None, zone=zone.key)


def _members(organisation: Organisation) -> list[tuple[int, str]]:
    """The current members as (membership id, name), by name: one query, whatever their
    number."""
    rows = db.session().execute(current_members(organisation.id).with_only_columns(
        Membership.id, User.name).join(User, User.id == Membership.user_id)).all()
    return sorted(((m, n) for m, n in rows), key=lambda r: (r[1].casefold(), r[0]))


@bp.route("/<int:assembly_id>/edit", methods=["GET", "POST"])
@requires(Role.FACILITATOR)
def edit(organisation: Organisation, membership: Membership, assembly_id: int) -> Page:
    """Change a sitting not yet convened."""
    assembly = _assembly(organisation, assembly_id)
    zone = zone_of(organisation)

    def local(moment: datetime | None) -> datetime | None:
        return None if moment is None else moment.astimezone(zone).replace(tzinfo=None)

    form = AssemblyForm(data={
        "title": assembly.title, "kind": assembly.kind.value,
        "meets_at": local(assembly.meets_at), "second_meets_at": local(assembly.second_meets_at),
        "place": assembly.place, "video_link": assembly.video_link,
        "max_proxies_per_holder": assembly.max_proxies_per_holder,
        "proxy_same_college": assembly.proxy_same_college,
        "remote_counts_as_present": assembly.remote_counts_as_present,
        "chair": assembly.chair_id or 0, "secretary": assembly.secretary_id or 0})
    form.with_members(_members(organisation))
    if form.validate_on_submit():
        settings = _settings(form, organisation)
        if settings is not None:
            try:
                with db.transaction() as session:
                    assemblies.update_assembly(session, _fresh(session, assembly),
                                               _member(session, membership), settings,
                                               now=db.utcnow())
            except ServiceError as error:
                if not show_error(form, error, "title"):
                    flash(error_text(error), "error")
            else:
                flash(_("The assembly is saved."), "success")
                return _back(organisation, assembly)
    return render_template("assemblies/form.html", organisation=organisation,
                           membership=membership, form=form, assembly=assembly, zone=zone.key)


# The page of a sitting --------------------------------------------------------------------


@bp.route("/<int:assembly_id>")
@requires(Role.MEMBER)
def show(organisation: Organisation, membership: Membership, assembly_id: int) -> str:
    """A sitting: its agenda, where I stand (proxy, postal vote, check-in), the resolution
    being voted and my votes, and the chair's controls."""
    session = db.session()
    assembly = _assembly(organisation, assembly_id)
    now = db.utcnow()
    facilitator = membership.can(Role.FACILITATOR)
    sheet = None
    if assembly.items and assembly.status in (AssemblyStatus.CONVENED,
                                              AssemblyStatus.IN_SESSION):
        sheet = assemblies.sheet(session, assembly, now)
    current = assemblies.current_item(assembly)
    situation = assemblies.situation(session, assembly, membership, now)
    # Whom a proxy may go to: listed only when the member may give one (2,000 names cost).
    giving = (situation.on_roll and situation.proxy is None and not situation.postal
              and situation.attendance is None
              and assembly.status in (AssemblyStatus.CONVENED, AssemblyStatus.IN_SESSION))
    roll = assemblies.roll_names(session, assembly) if giving else []
    proxy_form = ProxyForm(formdata=None)
    proxy_form.holder.choices = [(m, n) for m, n in roll if m != membership.id]
    check_in_form = CheckInForm(formdata=None)
    vote_form = VoteForm(formdata=None)
    vote_form.for_ids.choices = [(v.for_id, v.name) for v in situation.voices]
    room_form = (RoomForm.for_groups(assemblies.room_groups(session, current),
                                     assemblies.room_counts(session, current), submitted=False)
                 if current is not None and facilitator else None)
    officers = OfficersForm(formdata=None, data={"chair": assembly.chair_id or 0,
                                                 "secretary": assembly.secretary_id or 0})
    naming = facilitator and assembly.status is AssemblyStatus.CONVENED
    choices = [(0, _("— nobody yet —")), *(_members(organisation) if naming else [])]
    officers.chair.choices = choices
    officers.secretary.choices = choices
    attach = AttachForm(formdata=None)
    attach.proposal.choices = (assemblies.draft_votes(session, assembly)
                               if facilitator and assembly.status is AssemblyStatus.DRAFT else [])
    results = {item.id: minutes_service.resolution_of(session, item, {})
               for item in assembly.items if item.round is not None
               and item.round.result_json is not None}
    return render_template(
        "assemblies/show.html", organisation=organisation, membership=membership,
        assembly=assembly, now=now, facilitator=facilitator, sheet=sheet, current=current,
        next_item=assemblies.next_item(assembly), situation=situation,
        postal_open=assemblies.postal_open(assembly, now),
        check_in_open=assemblies.check_in_open(assembly, now),
        postal_deadline=meeting_day_start(assembly),
        proxy_form=proxy_form, check_in_form=check_in_form, vote_form=vote_form,
        room_form=room_form, officers_form=officers, attach_form=attach,
        resolution_form=ResolutionForm(formdata=None), open_form=OpenItemForm(formdata=None),
        date_form=DateForm(formdata=None), confirm=ConfirmForm(formdata=None),
        giver_form=GiverForm(formdata=None), results=results,
        presets={i.id: json.loads(i.proposal.params or "{}").get("preset")
                 for i in assembly.items},
        second=assemblies.second_convocation(session, assembly),
        first=session.get(Assembly, assembly.first_sitting_id)
        if assembly.first_sitting_id else None,
        notice_missing=(assemblies.notice_shortfall(session, assembly, now)
                        if facilitator and assembly.status is AssemblyStatus.DRAFT
                        and assembly.items else 0))


# Preparing the agenda and convening -------------------------------------------------------


@bp.route("/<int:assembly_id>/resolutions", methods=["POST"])
@requires(Role.FACILITATOR)
def add_resolution(organisation: Organisation, membership: Membership, assembly_id: int,
                   ) -> Page:
    """Put a new resolution at the end of the agenda."""
    form = ResolutionForm()
    return _confirmed_act(organisation, membership, assembly_id, lambda s, a, by, now: (
        assemblies.add_resolution(s, a, by, title=form.title.data or "",
                                  body=form.body.data or "",
                                  extraordinary=bool(form.extraordinary.data),
                                  secret=bool(form.secret.data), now=now)),
        _("The resolution is on the agenda."), "agenda", form=form,
        invalid=_("Give the resolution a title and a text."))


@bp.route("/<int:assembly_id>/attach", methods=["POST"])
@requires(Role.FACILITATOR)
def attach(organisation: Organisation, membership: Membership, assembly_id: int) -> Page:
    """Put a draft vote of the organisation on the agenda, with its own rule."""
    form = AttachForm()
    return _confirmed_act(organisation, membership, assembly_id, lambda s, a, by, now: (
        assemblies.attach_proposal(s, a, by, form.proposal.data or 0, now=now)),
        _("The proposal is on the agenda."), "agenda", form=form)


@bp.route("/<int:assembly_id>/items/<int:item_id>/remove", methods=["POST"])
@requires(Role.FACILITATOR)
def remove_item(organisation: Organisation, membership: Membership, assembly_id: int,
                item_id: int) -> Page:
    """Take a resolution off the agenda (before the convocation)."""
    return _confirmed_act(organisation, membership, assembly_id, lambda s, a, by, now: (
        assemblies.remove_item(s, a, by, item_id, now=now)),
        _("The resolution is off the agenda."), "agenda")


@bp.route("/<int:assembly_id>/convene", methods=["POST"])
@requires(Role.FACILITATOR)
def convene(organisation: Organisation, membership: Membership, assembly_id: int) -> Page:
    """Send the convocation with the agenda to every member."""
    return _confirmed_act(organisation, membership, assembly_id, lambda s, a, by, now: (
        assemblies.convene(s, a, by, now=now)),
        _("The convocation is sent to every member, with the agenda: by e-mail to those"
          " who agreed to it; print the letters for the others."))


# The convocation: by e-mail to those who agreed, by post to the others ---------------------


@bp.route("/<int:assembly_id>/convocation")
@requires(Role.FACILITATOR)
def convocation(organisation: Organisation, membership: Membership, assembly_id: int) -> str:
    """Who was (or, before the convocation, would be) convened by e-mail, having agreed to
    it, and who by post, with the letters to print for them."""
    assembly = _assembly(organisation, assembly_id)
    session = db.session()
    people = email_convocation.convened(session, assembly)
    return render_template(
        "assemblies/convocation.html", organisation=organisation, membership=membership,
        assembly=assembly, by_email=[p for p in people if p.by_email],
        by_post=[p for p in people if not p.by_email],
        fixed=email_convocation.channels(session, assembly) is not None,
        lead_days=email_convocation.LEAD.days)


def _letters(organisation: Organisation, assembly: Assembly, *, pdf: bool,
             ) -> list[tuple[str, str]] | None:
    """The letters of the members convened by post, each in its reader's language (else the
    organisation's), as (language, HTML); ``None`` before the convocation is sent."""
    session = db.session()
    if email_convocation.channels(session, assembly) is None:
        return None
    template = current_app.jinja_env.get_template("assemblies/_letter.html")
    letters = []
    for person in email_convocation.convened(session, assembly):
        if person.by_email:
            continue
        language = person.language or organisation.language or "fr"
        with force_locale(language):
            values = convocation_values(assembly, organisation)
            html = template.module.letter(  # type: ignore[attr-defined]
                values, person, organisation, local_time(assembly.convened_at, organisation),
                url_for("account.profile", _external=True, _anchor="convocation-title"),
                pdf=pdf)
        letters.append((language, str(html)))
    return letters


@bp.route("/<int:assembly_id>/convocation/letters")
@requires(Role.FACILITATOR)
def letters(organisation: Organisation, membership: Membership, assembly_id: int) -> Page:
    """The letters convening by post the members who did not agree to e-mail, to print."""
    assembly = _assembly(organisation, assembly_id)
    pages = _letters(organisation, assembly, pdf=False)
    if pages is None:
        flash(_("The letters are made when the convocation is sent."), "error")
        return redirect(url_for("assemblies.convocation", slug=organisation.slug,
                                assembly_id=assembly.id))
    return render_template("assemblies/letters.html", organisation=organisation,
                           membership=membership, assembly=assembly, pages=pages)


@bp.route("/<int:assembly_id>/convocation/letters.pdf")
@requires(Role.FACILITATOR)
def letters_pdf(organisation: Organisation, membership: Membership, assembly_id: int,
                ) -> Page:
    """The letters of the convocation by post as a PDF file, one a page."""
    assembly = _assembly(organisation, assembly_id)
    pages = _letters(organisation, assembly, pdf=True)
    if not pages:
        flash(_("No letter to print: nobody is convened by post."), "error")
        return redirect(url_for("assemblies.convocation", slug=organisation.slug,
                                assembly_id=assembly.id))
    data = pages_pdf([html for _language, html in pages],
                     title=f"{organisation.name} — {assembly.title}")
    name = f"{organisation.slug}-assembly-{assembly.id}-letters.pdf"
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


# Before the meeting: proxies and postal votes -------------------------------------------


@bp.route("/<int:assembly_id>/proxy", methods=["POST"])
@requires(Role.MEMBER)
def proxy(organisation: Organisation, membership: Membership, assembly_id: int) -> Page:
    """Give my proxy to another member (a facilitator records one for a member)."""
    form = ProxyForm()
    giver = form.giver.data if membership.can(Role.FACILITATOR) and form.giver.data else (
        membership.id)
    return _confirmed_act(organisation, membership, assembly_id, lambda s, a, by, now: (
        assemblies.give_proxy(s, a, giver, form.holder.data or 0, by=by, now=now)),
        _("The proxy is given."), "proxy", form=form)


@bp.route("/<int:assembly_id>/proxy/revoke", methods=["POST"])
@requires(Role.MEMBER)
def revoke(organisation: Organisation, membership: Membership, assembly_id: int) -> Page:
    """Revoke my proxy, until its holder votes."""
    form = GiverForm()
    return _confirmed_act(organisation, membership, assembly_id, lambda s, a, by, now: (
        assemblies.revoke_proxy(s, a, _named(form.member.data, membership), by=by,
                                now=now)),
        _("The proxy is revoked."), "proxy", form=form)


def _named(value: str | None, membership: Membership) -> int:
    """A member named by a facilitator's form, else the member themself."""
    if value and value.isdigit() and membership.can(Role.FACILITATOR):
        return int(value)
    return membership.id


@bp.route("/<int:assembly_id>/postal", methods=["POST"])
@requires(Role.MEMBER)
def postal(organisation: Organisation, membership: Membership, assembly_id: int) -> Page:
    """My postal vote: a position on each resolution, final once received."""
    def positions(assembly: Assembly) -> dict[int, str]:
        return {item.id: request.form.get(f"item-{item.id}", "") for item in assembly.items}

    return _confirmed_act(organisation, membership, assembly_id, lambda s, a, by, now: (
        assemblies.vote_by_post(s, a, membership.id, positions(a), by=by, now=now)),
        _("Your postal vote is received."), "postal", invalid="")


# At the meeting ------------------------------------------------------------------------------


@bp.route("/<int:assembly_id>/check-in", methods=["POST"])
@requires(Role.MEMBER)
def check_in(organisation: Organisation, membership: Membership, assembly_id: int) -> Page:
    """Check in: in the room with the code shown there, or remotely; a facilitator checks a
    member in."""
    form = CheckInForm()
    member = form.member.data if membership.can(Role.FACILITATOR) and form.member.data else (
        membership.id)
    mode = AttendanceMode(form.mode.data) if form.mode.data in {m.value for m in AttendanceMode} \
        else AttendanceMode.ROOM
    return _confirmed_act(organisation, membership, assembly_id, lambda s, a, by, now: (
        assemblies.check_in(s, a, member, mode, by=by, now=now, code=form.code.data)),
        _("Checked in."), "vote", form=form)


@bp.route("/<int:assembly_id>/leave", methods=["POST"])
@requires(Role.MEMBER)
def leave(organisation: Organisation, membership: Membership, assembly_id: int) -> Page:
    """Leave the meeting (a facilitator records a member's leaving)."""
    form = GiverForm()
    return _confirmed_act(organisation, membership, assembly_id, lambda s, a, by, now: (
        assemblies.leave(s, a, _named(form.member.data, membership), by=by, now=now)),
        _("Recorded as gone."), form=form)


@bp.route("/<int:assembly_id>/open", methods=["POST"])
@requires(Role.FACILITATOR)
def open_sitting(organisation: Organisation, membership: Membership, assembly_id: int) -> Page:
    """The chair opens the sitting."""
    return _confirmed_act(organisation, membership, assembly_id, lambda s, a, by, now: (
        assemblies.open_sitting(s, a, by, now=now)), _("The sitting is open."))


@bp.route("/<int:assembly_id>/room-code", methods=["POST"])
@requires(Role.FACILITATOR)
def room_code(organisation: Organisation, membership: Membership, assembly_id: int) -> Page:
    """A new code for the screen of the room."""
    return _confirmed_act(organisation, membership, assembly_id, lambda s, a, by, now: (
        assemblies.new_room_code(s, a, by, now=now)), _("A new code is shown in the room."))


@bp.route("/<int:assembly_id>/officers", methods=["POST"])
@requires(Role.FACILITATOR)
def officers(organisation: Organisation, membership: Membership, assembly_id: int) -> Page:
    """Name the chair and the secretary."""
    form = OfficersForm()
    return _confirmed_act(organisation, membership, assembly_id, lambda s, a, by, now: (
        assemblies.set_officers(s, a, by, chair_id=form.chair.data or None,
                                secretary_id=form.secretary.data or None, now=now)),
        _("The chair and the secretary are recorded."), form=form)


@bp.route("/<int:assembly_id>/screen")
@requires(Role.FACILITATOR)
def screen(organisation: Organisation, membership: Membership, assembly_id: int) -> str:
    """The chair's screen for the room: the code to check in, the quorum live, the
    resolution being voted and the last result by college."""
    session = db.session()
    assembly = _assembly(organisation, assembly_id)
    now = db.utcnow()
    sheet = assemblies.sheet(session, assembly, now) if assembly.items else None
    voted = [i for i in assembly.items if i.round is not None and i.round.result_json]
    last = minutes_service.resolution_of(session, voted[-1], {}) if voted else None
    return render_template("assemblies/screen.html", organisation=organisation,
                           membership=membership, assembly=assembly, sheet=sheet,
                           current=assemblies.current_item(assembly), last=last, now=now)


@bp.route("/<int:assembly_id>/sheet")
@requires(Role.MEMBER)
def sheet(organisation: Organisation, membership: Membership, assembly_id: int) -> Page:
    """The attendance sheet: each member present, remote, represented (by whom), by post
    or absent, per college, and the quorum of each rule, as the engine reads it."""
    session = db.session()
    assembly = _assembly(organisation, assembly_id)
    if not assembly.items:
        flash(_("The agenda is empty."), "error")
        return _back(organisation, assembly)
    now = db.utcnow()
    closed = assembly.status in (AssemblyStatus.CLOSED, AssemblyStatus.NO_QUORUM)
    found = (minutes_service.stored_sheet(session, assembly, now) if closed
             else assemblies.sheet(session, assembly, now))
    check_in_form = proxy_form = None
    if membership.can(Role.FACILITATOR) and assemblies.check_in_open(assembly, now):
        roll = assemblies.roll_names(session, assembly)
        check_in_form = CheckInForm(formdata=None)
        check_in_form.member.choices = roll
        proxy_form = ProxyForm(formdata=None)
        proxy_form.giver.choices = proxy_form.holder.choices = roll
    return render_template("assemblies/sheet.html", organisation=organisation,
                           membership=membership, assembly=assembly, sheet=found,
                           check_in_form=check_in_form, proxy_form=proxy_form)


@bp.route("/<int:assembly_id>/sheet.csv")
@requires(Role.MEMBER)
def sheet_csv(organisation: Organisation, membership: Membership, assembly_id: int) -> Page:
    """The attendance sheet as CSV."""
    assembly = _assembly(organisation, assembly_id)
    if not assembly.items:
        flash(_("The agenda is empty."), "error")
        return _back(organisation, assembly)
    out = io.StringIO()
    writer = csv.writer(out)
    for row in minutes_service.attendance_rows(db.session(), assembly, db.utcnow()):
        writer.writerow([_safe_cell(cell) for cell in row])
    name = f"{organisation.slug}-assembly-{assembly.id}-attendance.csv"
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _safe_cell(cell: str) -> str:
    """A cell a spreadsheet will not run as a formula (a name starting with ``=``)."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


# Live votes ---------------------------------------------------------------------------------


@bp.route("/<int:assembly_id>/items/<int:item_id>/open", methods=["POST"])
@requires(Role.FACILITATOR)
def open_item(organisation: Organisation, membership: Membership, assembly_id: int,
              item_id: int) -> Page:
    """The chair opens a resolution's vote."""
    form = OpenItemForm()
    return _confirmed_act(organisation, membership, assembly_id, lambda s, a, by, now: (
        assemblies.open_resolution(s, a, item_id, by, minutes=form.minutes.data, now=now)),
        _("The vote is open."), "chair", form=form,
        invalid=_("Give a length between 1 minute and a day, or none."))


@bp.route("/<int:assembly_id>/items/<int:item_id>/vote", methods=["POST"])
@requires(Role.MEMBER)
def vote(organisation: Organisation, membership: Membership, assembly_id: int,
         item_id: int) -> Page:
    """Cast my vote and those of the members I represent (each, or all the same)."""
    assembly = _assembly(organisation, assembly_id)
    form = VoteForm()
    form.for_ids.choices = []
    form.validate_on_submit()
    chosen = [int(v) for v in request.form.getlist("for_ids") if v.isdigit()] or [
        membership.id]
    position = form.position.data or ""
    try:
        with db.transaction() as session:
            count = assemblies.cast(session, _fresh(session, assembly), item_id,
                                    _member(session, membership), position, for_ids=chosen,
                                    now=db.utcnow())
    except ServiceError as error:
        flash(error_text(error), "error")
    else:
        flash(_("%(count)d vote(s) recorded: %(position)s.", count=count,
                position=str(POSITION_LABELS.get(position, position))), "success")
    return _back(organisation, assembly, "vote")


@bp.route("/<int:assembly_id>/items/<int:item_id>/room", methods=["POST"])
@requires(Role.FACILITATOR)
def room(organisation: Organisation, membership: Membership, assembly_id: int,
         item_id: int) -> Page:
    """Enter the counts of the room per college, beside the online ballots."""
    assembly = _assembly(organisation, assembly_id)
    item = next((i for i in assembly.items if i.id == item_id), None)
    if item is None:
        abort(404)
    form = RoomForm.for_groups(assemblies.room_groups(db.session(), item), {}, submitted=True)
    if not form.validate_on_submit():
        flash(_("Counts are whole numbers, 0 or more."), "error")
        return _back(organisation, assembly, "chair")
    return _act(organisation, assembly, lambda s: assemblies.enter_room_counts(
        s, _fresh(s, assembly), item_id, form.counts(), _member(s, membership),
        now=db.utcnow()), _("The counts of the room are saved."), "chair")


@bp.route("/<int:assembly_id>/items/<int:item_id>/close", methods=["POST"])
@requires(Role.FACILITATOR)
def close_item(organisation: Organisation, membership: Membership, assembly_id: int,
               item_id: int) -> Page:
    """The chair closes the vote: the engine decides it, by college."""
    assembly = _assembly(organisation, assembly_id)
    ConfirmForm().validate_on_submit()
    try:
        with db.transaction() as session:
            assemblies.close_resolution(session, _fresh(session, assembly), item_id,
                                        _member(session, membership), now=db.utcnow())
    except ServiceError as error:
        flash(error_text(error), "error")
        return _back(organisation, assembly, "chair")
    checkpoints.publish(db.session(), audit_folder(current_app), [organisation.id],
                        db.utcnow())
    flash(_("The vote is closed: its result is shown by college."), "success")
    return _back(organisation, assembly, f"item-{item_id}")


@bp.route("/<int:assembly_id>/no-quorum", methods=["POST"])
@requires(Role.FACILITATOR)
def no_quorum(organisation: Organisation, membership: Membership, assembly_id: int) -> Page:
    """Record that the first convocation has no quorum."""
    return _confirmed_act(organisation, membership, assembly_id, lambda s, a, by, now: (
        assemblies.record_no_quorum(s, a, by, now=now)),
        _("Recorded: the quorum is not reached. Prepare the second convocation."))


@bp.route("/<int:assembly_id>/second", methods=["POST"])
@requires(Role.FACILITATOR)
def second(organisation: Organisation, membership: Membership, assembly_id: int) -> Page:
    """Prepare the second convocation, with the same agenda."""
    assembly = _assembly(organisation, assembly_id)
    form = DateForm()
    form.validate_on_submit()
    try:
        with db.transaction() as session:
            made = assemblies.prepare_second_convocation(
                session, _fresh(session, assembly), _member(session, membership),
                meets_at=_utc(form.meets_at.data, organisation), now=db.utcnow())
    except ServiceError as error:
        flash(error_text(error), "error")
        return _back(organisation, assembly)
    flash(_("The second convocation is prepared with the same agenda: check it, then"
            " convene it."), "success")
    return redirect(url_for("assemblies.show", slug=organisation.slug, assembly_id=made.id))


@bp.route("/<int:assembly_id>/close", methods=["POST"])
@requires(Role.FACILITATOR)
def close(organisation: Organisation, membership: Membership, assembly_id: int) -> Page:
    """The chair closes the sitting: the minutes can be written."""
    return _confirmed_act(organisation, membership, assembly_id, lambda s, a, by, now: (
        assemblies.close_sitting(s, a, by, now=now)),
        _("The sitting is closed: its minutes are ready."))


# Minutes -------------------------------------------------------------------------------------


def _minutes_language() -> str:
    """French unless English is asked for (``?lang=en``): the procès-verbal of a French
    cooperative is in French."""
    return "en" if request.args.get("lang") == "en" else "fr"


def _written(organisation: Organisation, assembly: Assembly,
             language: str) -> dict[str, Any] | None:
    try:
        found = minutes_service.minutes(db.session(), assembly, db.utcnow())
    except ServiceError as error:
        flash(error_text(error), "error")
        return None
    session = db.session()
    charts = {r.number: record_chart(session.get_one(Round, r.round_id))
              for r in found.resolutions if r.voted and r.round_id is not None}
    return {"organisation": organisation, "assembly": assembly, "minutes": found,
            "charts": {number: drawn for number, drawn in charts.items() if drawn},
            "chart_uri": chart_uri,
            "language": language, "explain": lambda steps: render(steps, language),  # type: ignore[arg-type]
            "local": lambda moment: local_time(moment, organisation),
            "audit_head": found.audit_head}


@bp.route("/<int:assembly_id>/minutes")
@requires(Role.MEMBER)
def minutes(organisation: Organisation, membership: Membership, assembly_id: int) -> Page:
    """The minutes, as a printable page (French; English with ``?lang=en``)."""
    assembly = _assembly(organisation, assembly_id)
    language = _minutes_language()
    with force_locale(language):
        values = _written(organisation, assembly, language)
        if values is None:
            return _back(organisation, assembly)
        return render_template("assemblies/minutes.html", membership=membership, **values)


@bp.route("/<int:assembly_id>/minutes.pdf")
@requires(Role.MEMBER)
def minutes_pdf(organisation: Organisation, membership: Membership, assembly_id: int) -> Page:
    """The minutes as a PDF file."""
    assembly = _assembly(organisation, assembly_id)
    language = _minutes_language()
    with force_locale(language):
        values = _written(organisation, assembly, language)
        if values is None:
            return _back(organisation, assembly)
        html = render_template("assemblies/minutes_pdf.html", **values)
        data = write_pdf(html, title=f"{organisation.name} — {assembly.title}")
    name = f"{organisation.slug}-assembly-{assembly.id}-minutes-{language}.pdf"
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
