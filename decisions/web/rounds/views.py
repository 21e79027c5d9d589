"""Rounds of a proposal: opening the next one, its page (the text, time left, my position,
the vote or comment form), facilitators' actions (extend, close early, cancel, objections,
counts of the room), its results, and the download of the exact case it was decided on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any, Literal

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
from flask_babel import LazyString, format_timedelta, get_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as WerkzeugResponse

from decisions.engine import Step, render

from .. import db, login, mail
from ..config import audit_folder
from ..errors import error_text
from ..families import descriptor
from ..forms import add_error, show_error
from ..i18n import local_time, zone_of
from ..models import (
    NOMINATING_KINDS,
    Membership,
    Organisation,
    Proposal,
    ProposalVersion,
    Role,
    Round,
    RoundKind,
    RoundStatus,
)
from ..orgs.access import requires
from ..proposals.rule_words import (
    OUTCOME_LABELS,
    POSITION_LABELS,
    ROUND_KIND_LABELS,
    ROUND_STATUS_LABELS,
)
from ..services import (
    ServiceError,
    checkpoints,
    forecast,
    home,
    notices,
    objections,
    policies,
    results,
    tallies,
)
from ..services import comments as comment_service
from ..services import rounds as round_service
from .forms import (
    COUNT_LABELS,
    DECIDER_LABELS,
    QUALIFICATION_LABELS,
    BallotForm,
    CloseForm,
    CommentForm,
    ConfirmForm,
    DeadlineForm,
    OpenRoundForm,
    QualifyForm,
    TallyForm,
    accepted_ballot,
)

bp = Blueprint("rounds", __name__, url_prefix="/orgs/<slug>/proposals/<int:proposal_id>/rounds")

Page = str | tuple[str, int] | WerkzeugResponse

# Words and times ------------------------------------------------------------------------


def _horizon() -> timedelta:
    """How far ahead a deadline may be set (``DEADLINE_HORIZON_DAYS``)."""
    return timedelta(days=int(current_app.config["DEADLINE_HORIZON_DAYS"]))


def duration(left: timedelta) -> str:
    """How long is left, to the minute: "6 days 23 hours"."""
    if left < timedelta(minutes=1):
        return str(_("less than a minute"))
    days, rest = divmod(int(left.total_seconds()), 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = [(days, "day"), (hours, "hour"), (minutes, "minute")]
    shown = [(n, unit) for n, unit in parts if n][:2]
    return " ".join(format_timedelta(timedelta(**{f"{unit}s": n}), granularity=unit,
                                     threshold=1000) for n, unit in shown)


def _label(labels: Mapping[Any, LazyString], key: str | None, *extra: Mapping[Any, Any]) -> str:
    for table in (labels, *extra):
        if key in table:
            return str(table[key])
    return key or ""


def position_label(position: str | None) -> str:
    """A position in words."""
    return _label(POSITION_LABELS, position, COUNT_LABELS)


@bp.context_processor
def round_words() -> dict[str, Any]:
    """What the templates of rounds name and format."""
    return {"Role": Role, "kind_label": lambda k: _label(ROUND_KIND_LABELS, k),
            "status_label": lambda s: _label(ROUND_STATUS_LABELS, s),
            "outcome_label": lambda o: _label(OUTCOME_LABELS, o),
            "position_label": position_label,
            "qualification_label": lambda q: _label(QUALIFICATION_LABELS, q),
            "decider_label": lambda d: _label(DECIDER_LABELS, d),
            "duration": duration, "explain": explain}


#: Every page counting down to a deadline says the time left as the round pages do
#: (templates/macros/countdown.html).
bp.add_app_template_global(duration, "duration")


def language() -> Literal["en", "fr"]:
    """The reader's language for the engine's explanations."""
    return "fr" if str(get_locale()).startswith("fr") else "en"


def explain(steps: Sequence[Step]) -> str:
    """The steps of an explanation in the reader's language."""
    return render(steps, language())


# Loading --------------------------------------------------------------------------------


def _proposal(organisation: Organisation, proposal_id: int) -> Proposal:
    proposal = db.session().scalar(select(Proposal).where(
        Proposal.id == proposal_id, Proposal.organisation_id == organisation.id))
    if proposal is None:
        abort(404)
    return proposal


def _round(organisation: Organisation, proposal_id: int, round_id: int) -> Round:
    """The round, if it belongs to the proposal and the proposal to the organisation."""
    round_ = round_service.round_in(db.session(), organisation.id, proposal_id, round_id)
    if round_ is None:
        abort(404)
    return round_


def _back(organisation: Organisation, round_: Round, **args: Any) -> WerkzeugResponse:
    return _to_round(organisation.slug, round_.proposal_id, round_.id, **args)


def _to_round(slug: str, proposal_id: int, round_id: int, **args: Any) -> WerkzeugResponse:
    """To the round page, by its ids (a ballot's path has no loaded round)."""
    return redirect(url_for("rounds.show", slug=slug, proposal_id=proposal_id,
                            round_id=round_id, **args))


#: The round page's address after a ballot: ``?recorded=1`` asks it to confirm the member's
#: stored position (never taken from the address). A ballot so writes no session cookie.
RECORDED = "recorded"


def _recorded(kind: RoundKind, position: str) -> str:
    """The confirmation of a position just recorded."""
    if kind in NOMINATING_KINDS:
        return str(_("Your nomination is recorded."))
    return str(_("Your position is recorded: %(position)s.", position=position_label(position)))


# Forms of the round page ----------------------------------------------------------------


def _ballot_form(session: Session, round_: Round, *, submitted: bool) -> BallotForm:
    proposal = round_.proposal
    form = BallotForm() if submitted else BallotForm(formdata=None)
    nominees = (round_service.electors_named(session, round_.id)
                if round_.kind in NOMINATING_KINDS else [])
    positions = round_service.positions_of(proposal, round_.kind)
    if not submitted and request.args.get("position") in positions:
        form.position.data = request.args["position"]  # chosen in a message: not recorded
    return form.with_choices(positions, round_service.reasons_required(proposal, round_.kind),
                             nominees)


def _deadline_form(organisation: Organisation, round_: Round, *,
                   submitted: bool) -> DeadlineForm:
    try:
        later = (round_.closes_at + timedelta(days=1)).astimezone(zone_of(organisation))
    except OverflowError:  # whatever is stored, the page shows
        later = round_.closes_at
    data = {"closes_at": later.replace(tzinfo=None)}
    return DeadlineForm(data=data) if submitted else DeadlineForm(formdata=None, data=data)


def _qualify_form(standing: list[tuple[int, str, str]], *, submitted: bool) -> QualifyForm:
    form = QualifyForm() if submitted else QualifyForm(formdata=None)
    return form.with_objectors([(member, name) for member, name, _ in standing])


def _tally_form(session: Session, round_: Round, *, submitted: bool) -> TallyForm:
    return TallyForm.for_groups(tallies.tally_groups(session, round_),
                                tallies.entered(session, round_.id), submitted=submitted)


def _reason_help(round_: Round, form: BallotForm | None) -> str | None:
    """What the reason field asks for, by the positions offered."""
    if form is None:
        return None
    if round_.kind is RoundKind.NOMINATION:
        return str(_("Required: why this person suits the role."))
    if round_.kind is RoundKind.CHANGE:
        return str(_("Why you change your nomination, if you do."))
    offered = [str(choice[0]) for choice in form.position.iter_choices()]
    needed = [position_label(p) for p in offered if p in form.reason_for]
    if not needed:
        return None
    return str(_("A reason is required for: %(positions)s.", positions=", ".join(needed)))


def _show_page(organisation: Organisation, membership: Membership, round_: Round, *,
               ballot_form: BallotForm | None = None, comment_form: CommentForm | None = None,
               deadline_form: DeadlineForm | None = None,
               qualify_form: QualifyForm | None = None, tally_form: TallyForm | None = None,
               refused: str | None = None, recorded: bool = False) -> str:
    """The round page, with the forms given (sent back with their errors) or fresh ones for
    what the member may do now; ``recorded``: confirm the member's latest stored ballot."""
    session = db.session()
    proposal = round_.proposal
    now = db.utcnow()
    actions = policies.round_actions(session, round_, membership, now)
    version = session.scalar(select(ProposalVersion).where(
        ProposalVersion.proposal_id == proposal.id,
        ProposalVersion.number == round_.version_number))
    standing = (objections.standing_objections(session, round_.id)
                if actions.qualify or qualify_form else [])
    form = ballot_form or (_ballot_form(session, round_, submitted=False)
                           if actions.vote else None)
    mine = (results.own_ballots(session, round_.id, membership.id)
            if policies.takes_ballots(round_) else [])
    return render_template(
        "rounds/show.html", organisation=organisation, membership=membership,
        proposal=proposal, family_rules=descriptor(proposal.family), round=round_,
        version=version, now=now, time_left=round_service.time_left(round_, now),
        actions=actions, refused=refused,
        mine=mine, recorded=_recorded(round_.kind, mine[0].position) if recorded and mine else None,
        ballot_form=form, reason_help=_reason_help(round_, form),
        comment_form=comment_form or (CommentForm(formdata=None) if actions.comment else None),
        comments=(comment_service.comments_of(session, round_.id)
                  if policies.takes_comments(round_) else []),
        standing=standing,
        events=(results.event_lines(session, round_.id) if actions.see_objection_events
                else []),
        deadline_form=deadline_form or (_deadline_form(organisation, round_, submitted=False)
                                        if actions.extend else None),
        qualify_form=qualify_form or (_qualify_form(standing, submitted=False)
                                      if actions.qualify else None),
        tally_form=tally_form or (_tally_form(session, round_, submitted=False)
                                  if actions.tally else None),
        case_visible=results.case_visible(proposal, round_, membership),
        silent=home.not_answered(session, round_, membership),
        forecast=forecast.if_closed_now(session, round_, membership, now,
                                        someone=_("a member")),
        may_remind=home.may_remind(round_, membership, now))


# Opening --------------------------------------------------------------------------------


@bp.route("/open", methods=["GET", "POST"], endpoint="open")
@requires(Role.FACILITATOR)
def open_round(organisation: Organisation, membership: Membership,
               proposal_id: int) -> Page:
    """Open the next round of a proposal, until a deadline in the organisation's time."""
    session = db.session()
    proposal = _proposal(organisation, proposal_id)
    kinds = round_service.next_kinds(proposal)
    now = db.utcnow()
    election = any(round_service.needs_candidate(proposal, kind) for kind in kinds)
    candidates = round_service.candidates(session, proposal) if election else []
    zone = zone_of(organisation)
    default = (now.astimezone(zone) + timedelta(days=7)).replace(
        minute=0, second=0, microsecond=0, tzinfo=None)
    proposed = round_service.proposed_candidate(session, proposal)
    form = OpenRoundForm(data={"closes_at": default, "candidate": proposed or 0})
    form.with_choices(kinds, candidates)
    if form.validate_on_submit():
        closes_at = form.closes_at.utc(zone)
        if closes_at is not None:
            try:
                with db.transaction() as session:
                    round_ = round_service.open_round(
                        session, proposal, RoundKind(form.kind.data), closes_at=closes_at,
                        now=now, candidate_id=form.candidate.data or None, horizon=_horizon())
            except round_service.RoundError as error:
                show_error(form, error, "kind")
            else:
                flash(_("The round is open until %(deadline)s.",
                        deadline=local_time(round_.closes_at, organisation)), "success")
                return _back(organisation, round_)
    return render_template("rounds/open.html", organisation=organisation,
                           membership=membership, proposal=proposal, form=form, kinds=kinds,
                           election=election, zone=zone.key,
                           mail_off=any(notices.silence_untold(
                               proposal, kind, mail_printed=mail.printed_only(current_app))
                               for kind in kinds))


# The round page and what members do there -----------------------------------------------


@bp.route("/<int:round_id>")
@requires(Role.MEMBER)
def show(organisation: Organisation, membership: Membership, proposal_id: int,
         round_id: int) -> str:
    """A round: the version it is about, time left, my position and the form to take one."""
    return _show_page(organisation, membership, _round(organisation, proposal_id, round_id),
                      recorded=request.args.get(RECORDED) == "1")


@bp.route("/<int:round_id>/vote", methods=["POST"])
def vote(slug: str, proposal_id: int, round_id: int) -> Page:
    """Take or change my position; the server's clock decides whether it is on time.

    The most frequent request, so a member's ballot reads the person, the membership and
    the round in one statement (``_booth``); any other case (signed out, not a member, a
    nomination, a form with errors) is answered by the pages' own path, ``_vote``."""
    booth = _booth(slug, proposal_id, round_id)
    # ``requires`` takes the slug and gives the organisation and membership to _vote and
    # _refused: mypy sees their own signatures.
    if booth is None:
        return _vote(slug=slug, proposal_id=proposal_id, round_id=round_id)  # type: ignore[call-arg]
    rules = booth.rules
    positions = round_service.positions_of(rules, rules.kind)
    reasons = round_service.reasons_required(rules, rules.kind)
    accepted = accepted_ballot(request.form, positions, reasons)
    if accepted is None:  # the form says what is wrong
        return _vote(slug=slug, proposal_id=proposal_id, round_id=round_id)  # type: ignore[call-arg]
    position, reason, concern = accepted
    try:
        with db.transaction() as session:
            closed = round_service.cast_ballot(
                session, rules.round_id, booth.membership_id, position, now=db.utcnow(),
                reason=reason, concern=concern, rules=rules)
    except round_service.BallotRefused as error:
        form = BallotForm().with_choices(positions, reasons, [])
        form.validate()
        return _refused(slug=slug, proposal_id=proposal_id, round_id=round_id,  # type: ignore[call-arg]
                        form=form, refused=error_text(error))
    return _recorded_ballot(slug, rules.organisation_id, rules.proposal_id, rules.round_id,
                            rules.kind, position, secret=rules.secret, closed=closed)


def _booth(slug: str, proposal_id: int, round_id: int) -> round_service.Booth | None:
    """The signed-in member about to vote and the round, read in one statement: when the
    session signs its person in as it is, the account still holds it, the membership may
    vote and the round takes positions from its own form (not nominations, which name
    electors read apart); else ``None``."""
    session_id = login.session_person()
    user_id = None if session_id is None else login.person_of(session_id)
    if session_id is None or user_id is None:
        return None
    booth = round_service.voting_booth(db.session(), user_id, slug, proposal_id, round_id)
    if (booth is None or not login.still_signed_in(session_id, booth)
            or booth.role.rank < Role.MEMBER.rank or booth.rules.kind in NOMINATING_KINDS
            or not policies.takes_ballots(booth.rules)):
        return None
    return booth


@requires(Role.MEMBER)
def _vote(organisation: Organisation, membership: Membership, proposal_id: int,
          round_id: int) -> Page:
    """A ballot through the pages' own checks, each read apart (see ``vote``)."""
    round_ = _round(organisation, proposal_id, round_id)
    if not policies.takes_ballots(round_):
        abort(404)
    form = _ballot_form(db.session(), round_, submitted=True)
    if not form.validate_on_submit():
        return _show_page(organisation, membership, round_, ballot_form=form)
    position = form.position.data or ""
    try:
        with db.transaction() as session:
            closed = round_service.cast_ballot(
                session, round_.id, membership.id, position, now=db.utcnow(),
                reason=form.reason.data or "",
                concern=form.concern.data or "",
                nominee_id=form.nominee.data if form.nominees else None)
    except round_service.BallotRefused as error:
        return _show_page(organisation, membership, round_, ballot_form=form,
                          refused=error_text(error))
    return _recorded_ballot(organisation.slug, organisation.id, round_.proposal_id, round_.id,
                            round_.kind, position, secret=round_.proposal.secret,
                            closed=closed)


@requires(Role.MEMBER)
def _refused(organisation: Organisation, membership: Membership, proposal_id: int,
             round_id: int, form: BallotForm, refused: str) -> Page:
    """The round page saying why the server refused the ballot in ``form``."""
    return _show_page(organisation, membership, _round(organisation, proposal_id, round_id),
                      ballot_form=form, refused=refused)


def _recorded_ballot(slug: str, organisation_id: int, proposal_id: int, round_id: int,
                     kind: RoundKind, position: str, *, secret: bool,
                     closed: bool) -> WerkzeugResponse:
    """Back to the round page after a ballot."""
    if secret:  # nothing stored says the position: the session carries it, never an address
        flash(_recorded(kind, position), "success")
    if closed:  # the last answer closed the round: publish the head that holds its close
        checkpoints.publish(db.session(), audit_folder(current_app), [organisation_id],
                            db.utcnow())
        flash(_("Every elector has answered: the round is closed."), "info")
    shown: dict[str, Any] = {} if secret else {RECORDED: "1"}
    return _to_round(slug, proposal_id, round_id, **shown)


@bp.route("/<int:round_id>/comment", methods=["POST"])
@requires(Role.MEMBER)
def comment(organisation: Organisation, membership: Membership, proposal_id: int,
            round_id: int) -> Page:
    """Ask a clarifying question or give a reaction."""
    round_ = _round(organisation, proposal_id, round_id)
    if not policies.takes_comments(round_):
        abort(404)
    form = CommentForm()
    if not form.validate_on_submit():
        return _show_page(organisation, membership, round_, comment_form=form)
    try:
        with db.transaction() as session:
            comment_service.post_comment(session, round_.id, membership.id,
                                         form.body.data or "", now=db.utcnow())
    except comment_service.CommentError as error:
        return _show_page(organisation, membership, round_, comment_form=form,
                          refused=error_text(error))
    flash(_("Your comment is posted."), "success")
    return _back(organisation, round_)


# Facilitators ---------------------------------------------------------------------------


@bp.route("/<int:round_id>/extend", methods=["POST"])
@requires(Role.FACILITATOR)
def extend(organisation: Organisation, membership: Membership, proposal_id: int,
           round_id: int) -> Page:
    """Move an open round's deadline later."""
    round_ = _round(organisation, proposal_id, round_id)
    form = _deadline_form(organisation, round_, submitted=True)
    if form.validate_on_submit():
        closes_at = form.closes_at.utc(zone_of(organisation))
        if closes_at is not None:
            try:
                with db.transaction() as session:
                    round_service.extend_round(session, round_.id, closes_at, now=db.utcnow(),
                                               actor_id=membership.id, horizon=_horizon())
            except round_service.RoundError as error:
                add_error(form.closes_at, error_text(error))
            else:
                flash(_("The deadline is now %(deadline)s.",
                        deadline=local_time(closes_at, organisation)), "success")
                return _back(organisation, round_)
    try:  # a round closed meanwhile has no deadline form to show the errors in
        round_service.check_extendable(round_)
    except round_service.RoundError as error:
        flash(error_text(error), "error")
        return _back(organisation, round_)
    return _show_page(organisation, membership, round_, deadline_form=form)


@bp.route("/<int:round_id>/close", methods=["POST"])
@requires(Role.FACILITATOR)
def close(organisation: Organisation, membership: Membership, proposal_id: int,
          round_id: int) -> Page:
    """Close an open round now, before its deadline: the engine decides it. When members
    have not answered or the quorum is not reached, a page says so and asks to confirm."""
    round_ = _round(organisation, proposal_id, round_id)
    form = CloseForm()
    if not form.validate_on_submit():
        abort(400)
    now = db.utcnow()
    if (form.confirmed.data != "yes"
            and policies.round_actions(db.session(), round_, membership, now).close):
        before = results.before_closing(db.session(), round_, membership, now)
        if before.needs_confirmation:
            return render_template("rounds/close.html", organisation=organisation,
                                   membership=membership, proposal=round_.proposal,
                                   round=round_, before=before)
    try:
        with db.transaction() as session:
            closed = round_service.close_early(session, round_.id, now=now,
                                               actor_id=membership.id)
    except round_service.RoundError as error:
        flash(error_text(error), "error")
        return _back(organisation, round_)
    if closed:  # committed: publish the head that now holds its closing entry
        checkpoints.publish(db.session(), audit_folder(current_app), [organisation.id],
                            db.utcnow())
    db.session().refresh(round_)
    if round_.status is RoundStatus.FAILED:
        flash(_("The round could not be counted: it decides nothing (%(reason)s).",
                reason=round_.failure or ""), "error")
        return _back(organisation, round_)
    flash(_("The round is closed."), "success")
    return redirect(url_for("rounds.results", slug=organisation.slug,
                            proposal_id=round_.proposal_id, round_id=round_.id))


@bp.route("/<int:round_id>/cancel", methods=["POST"])
@requires(Role.FACILITATOR)
def cancel(organisation: Organisation, membership: Membership, proposal_id: int,
           round_id: int) -> WerkzeugResponse:
    """Cancel an open round: its ballots are kept but it decides nothing."""
    round_ = _round(organisation, proposal_id, round_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        with db.transaction() as session:
            round_service.cancel_round(session, round_.id, now=db.utcnow(),
                                       actor_id=membership.id)
    except round_service.RoundError as error:
        flash(error_text(error), "error")
    else:
        flash(_("The round is cancelled: it decides nothing."), "success")
    return _back(organisation, round_)


@bp.route("/<int:round_id>/qualify", methods=["POST"])
@requires(Role.FACILITATOR)
def qualify(organisation: Organisation, membership: Membership, proposal_id: int,
            round_id: int) -> Page:
    """Record what an objection is, as decided by its author or the circle, or that its
    author withdrew it."""
    round_ = _round(organisation, proposal_id, round_id)
    if not policies.takes_objections(round_):
        abort(404)
    form = _qualify_form(objections.standing_objections(db.session(), round_.id),
                         submitted=True)
    if form.validate_on_submit():
        action = form.action.data or ""
        try:
            with db.transaction() as session:
                if action == objections.WITHDRAWN:
                    objections.withdraw_objection(
                        session, round_.id, form.objector.data or 0,
                        note=form.rationale.data or "", recorded_by=membership.id,
                        now=db.utcnow())
                else:
                    objections.qualify_objection(
                        session, round_.id, form.objector.data or 0, action,
                        decided_by=form.decided_by.data or "",
                        rationale=form.rationale.data or "", recorded_by=membership.id,
                        now=db.utcnow())
        except ServiceError as error:
            show_error(form, error, "objector")
        else:
            flash(_("Recorded: %(what)s.", what=_label(QUALIFICATION_LABELS, action)),
                  "success")
            return _back(organisation, round_)
    return _show_page(organisation, membership, round_, qualify_form=form)


@bp.route("/<int:round_id>/tally", methods=["POST"])
@requires(Role.FACILITATOR)
def tally(organisation: Organisation, membership: Membership, proposal_id: int,
          round_id: int) -> Page:
    """Enter the counts of the people in the room, beside the ballots cast online."""
    round_ = _round(organisation, proposal_id, round_id)
    if not policies.takes_room_counts(round_):
        abort(404)
    form = _tally_form(db.session(), round_, submitted=True)
    if form.validate_on_submit():
        try:
            with db.transaction() as session:
                tallies.enter_tally(session, round_.id, form.counts(),
                                    entered_by=membership.id, now=db.utcnow())
        except tallies.TallyError as error:
            add_error(form.field_for(error.college, error.field or ""), error_text(error))
        else:
            flash(_("The counts of the room are saved."), "success")
            return _back(organisation, round_)
    return _show_page(organisation, membership, round_, tally_form=form)


@bp.route("/<int:round_id>/remind", methods=["POST"])
@requires(Role.FACILITATOR)
def remind(organisation: Organisation, membership: Membership, proposal_id: int,
           round_id: int) -> Page:
    """Remind the electors who have not answered (a few times a day at most, logged)."""
    round_ = _round(organisation, proposal_id, round_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        with db.transaction() as session:
            count = notices.nudge(session, round_.id, by=membership, now=db.utcnow())
    except ServiceError as error:
        flash(error_text(error), "error")
    else:
        flash(ngettext("%(num)d member who had not answered is reminded.",
                       "%(num)d members who had not answered are reminded.", count), "success")
    return _back(organisation, round_)


# Results --------------------------------------------------------------------------------


@bp.route("/<int:round_id>/results", endpoint="results")
@requires(Role.MEMBER)
def results_page(organisation: Organisation, membership: Membership, proposal_id: int,
                 round_id: int) -> str:
    """Participation, counts (live unless hidden until the close), the outcome and its
    explanation, and who took which position when the proposal allows it."""
    round_ = _round(organisation, proposal_id, round_id)
    now = db.utcnow()
    found = results.round_results(
        db.session(), round_, membership, now, page=request.args.get("page", 1, type=int),
        search=request.args.get("search", ""), someone=_("a member"))
    head, published = checkpoints.round_head(db.session(), audit_folder(current_app), round_)
    return render_template(
        "rounds/results.html", organisation=organisation, membership=membership,
        proposal=round_.proposal, round=round_, results=found,
        time_left=round_service.time_left(round_, now),
        audit_head=head, audit_head_published=published)


@bp.route("/<int:round_id>/case.json")
@requires(Role.MEMBER)
def case(organisation: Organisation, membership: Membership, proposal_id: int,
         round_id: int) -> Response:
    """The exact case a closed round was decided on, to recount it with the engine."""
    round_ = _round(organisation, proposal_id, round_id)
    if round_.status is not RoundStatus.CLOSED or round_.case_json is None:
        abort(404)
    if not results.case_visible(round_.proposal, round_, membership):
        abort(403)
    name = f"{organisation.slug}-proposal-{round_.proposal_id}-round-{round_.number}.json"
    return Response(round_.case_json, mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})

