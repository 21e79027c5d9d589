"""Rounds of a proposal: opening the next one, its page (the text, time left, my position,
the vote or comment form), facilitators' actions (extend, close early, cancel, objections,
counts of the room), its results, and the download of the exact case it was decided on."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_time
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import LazyString, format_timedelta, get_locale
from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy.orm import Session, contains_eager
from werkzeug.wrappers import Response as WerkzeugResponse

from decisions.engine import Step, render

from .. import db
from ..config import audit_folder
from ..forms import add_error
from ..models import (
    Elector,
    Membership,
    Organisation,
    Proposal,
    ProposalVersion,
    Role,
    Round,
    RoundKind,
    RoundStatus,
    User,
)
from ..orgs.access import requires
from ..proposals.plain_words import (
    OUTCOME_LABELS,
    POSITION_LABELS,
    ROUND_KIND_LABELS,
    ROUND_STATUS_LABELS,
)
from ..services import (
    ServiceError,
    audit,
    checkpoints,
    explaining,
    objections,
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
)

bp = Blueprint("rounds", __name__, url_prefix="/orgs/<slug>/proposals/<int:proposal_id>/rounds")

Page = str | tuple[str, int] | WerkzeugResponse

#: Steps of the engine's explanations naming the members who took a position, and those
#: naming the people nominated or proposed as candidates.
_VOTER_KEYS = ("objections", "missing", "concerns", "dismissed", "voters")
_NOMINEE_KEYS = ("candidate", "tied")
_NOMINEE_COUNTS = ("counts", "after_change")


# Words and times ------------------------------------------------------------------------


def _zone(organisation: Organisation) -> ZoneInfo:
    try:
        return ZoneInfo(organisation.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_time(moment: datetime | None, organisation: Organisation) -> str:
    """An instant as a date and time of the organisation's time zone, in the reader's
    language, naming the zone."""
    if moment is None:
        return ""
    zone = _zone(organisation)
    try:
        local = moment.astimezone(zone)
    except OverflowError:  # a stored deadline at the end of year 9999: shown in UTC
        zone = ZoneInfo("UTC")
        local = moment.astimezone(zone)
    locale = get_locale()
    return str(_("%(date)s at %(time)s (%(zone)s)",
                 date=format_date(local.date(), "full", locale=locale),
                 time=format_time(local, "short", tzinfo=zone, locale=locale), zone=zone.key))


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
def words() -> dict[str, Any]:
    """What the templates of rounds name and format."""
    return {"Role": Role, "kind_label": lambda k: _label(ROUND_KIND_LABELS, k),
            "status_label": lambda s: _label(ROUND_STATUS_LABELS, s),
            "outcome_label": lambda o: _label(OUTCOME_LABELS, o),
            "position_label": position_label,
            "qualification_label": lambda q: _label(QUALIFICATION_LABELS, q),
            "decider_label": lambda d: _label(DECIDER_LABELS, d),
            "local_time": local_time, "duration": duration,
            "fraction": lambda text: Fraction(str(text))}


def language() -> Literal["en", "fr"]:
    """The reader's language for the engine's explanations."""
    return "fr" if str(get_locale()).startswith("fr") else "en"


def explanation(result: Mapping[str, Any], names: Mapping[str, str], voters_shown: bool,
                context: explaining.Context | None = None) -> str:
    """The engine's explanation of a stored result, in the reader's language, with the
    names of members in place of their ids (who objected only when the reader may see who
    took which position), told as the page around it is (``context``)."""
    someone = str(_("a member"))

    def person(key: object, *, voter: bool) -> str:
        if voter and not voters_shown:
            return someone
        return names.get(str(key), str(key))

    steps = []
    entries = result.get("explanation", [])
    if context is not None:
        entries = explaining.agreeing(entries, context)
    for entry in entries:
        data: dict[str, Any] = {}
        for key, value in entry.items():
            if key == "code":
                continue
            if isinstance(value, list) and key in (*_VOTER_KEYS, *_NOMINEE_KEYS):
                value = tuple(person(v, voter=key in _VOTER_KEYS) for v in value)
            elif isinstance(value, list):
                value = tuple(value)
            elif isinstance(value, dict) and key in _NOMINEE_COUNTS:
                value = {person(k, voter=False): v for k, v in value.items()}
            elif isinstance(value, str) and key in _NOMINEE_KEYS:
                value = person(value, voter=False)
            data[key] = value
        steps.append(Step(str(entry["code"]), data))
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
    round_ = db.session().scalar(
        select(Round).join(Round.proposal).options(contains_eager(Round.proposal))
        .where(Round.id == round_id, Round.proposal_id == proposal_id,
               Proposal.organisation_id == organisation.id))
    if round_ is None:
        abort(404)
    return round_


def _electors(session: Session, round_id: int) -> list[tuple[int, str]]:
    return [(member, name) for member, name in session.execute(
        select(Elector.membership_id, User.name)
        .join(Membership, Membership.id == Elector.membership_id)
        .join(User, User.id == Membership.user_id)
        .where(Elector.round_id == round_id).order_by(User.name, Elector.membership_id))]


def _is_elector(session: Session, round_id: int, membership: Membership) -> bool:
    return bool(session.scalar(select(exists().where(
        Elector.round_id == round_id, Elector.membership_id == membership.id))))


def _back(organisation: Organisation, round_: Round) -> WerkzeugResponse:
    return redirect(url_for("rounds.show", slug=organisation.slug,
                            proposal_id=round_.proposal_id, round_id=round_.id))


# Forms of the round page ----------------------------------------------------------------


def _ballot_form(session: Session, round_: Round, *, submitted: bool) -> BallotForm:
    proposal = round_.proposal
    form = BallotForm() if submitted else BallotForm(formdata=None)
    positions = round_service.positions_of(proposal, round_.kind)
    reason_for = set(round_service.reasons_required(proposal))
    if round_.kind is RoundKind.NOMINATION:
        reason_for.add("nominate")
    nominees = (_electors(session, round_.id)
                if round_.kind in (RoundKind.NOMINATION, RoundKind.CHANGE) else [])
    return form.with_choices(positions, reason_for, nominees)


def _deadline_form(organisation: Organisation, round_: Round, *,
                   submitted: bool) -> DeadlineForm:
    try:
        later = (round_.closes_at + timedelta(days=1)).astimezone(_zone(organisation))
    except OverflowError:  # whatever is stored, the page shows
        later = round_.closes_at
    data = {"closes_at": later.replace(tzinfo=None)}
    return DeadlineForm(data=data) if submitted else DeadlineForm(formdata=None, data=data)


def _qualify_form(session: Session, round_: Round, *, submitted: bool) -> QualifyForm:
    form = QualifyForm() if submitted else QualifyForm(formdata=None)
    standing = objections.standing_objections(session, round_.id)
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
               refused: str | None = None) -> str:
    """The round page, with the forms given (sent back with their errors) or fresh ones."""
    session = db.session()
    proposal = round_.proposal
    now = db.utcnow()
    facilitator = membership.can(Role.FACILITATOR)
    version = session.scalar(select(ProposalVersion).where(
        ProposalVersion.proposal_id == proposal.id,
        ProposalVersion.number == round_.version_number))
    elector = _is_elector(session, round_.id, membership)
    takes_positions = round_.kind in results.POSITION_KINDS
    takes_comments = round_.kind in results.COMMENT_KINDS
    accepting = round_.accepting(now)
    mine = results.own_ballots(session, round_.id, membership.id) if takes_positions else []
    standing = (objections.standing_objections(session, round_.id)
                if round_.kind is RoundKind.CONSENT else [])
    vote_round = round_.kind is RoundKind.VOTE and proposal.family in results.VOTE_FAMILIES
    is_open = round_.status is RoundStatus.OPEN
    form = ballot_form or (_ballot_form(session, round_, submitted=False)
                           if takes_positions and accepting and elector else None)
    return render_template(
        "rounds/show.html", organisation=organisation, membership=membership,
        proposal=proposal, round=round_, version=version, now=now,
        time_left=round_service.time_left(round_, now), accepting=accepting,
        elector=elector, mine=mine, refused=refused,
        secret_voted=proposal.secret and results.took_part(session, round_.id, membership.id),
        ballot_form=form, reason_help=_reason_help(round_, form),
        comment_form=comment_form or (CommentForm(formdata=None)
                                      if takes_comments and accepting and elector else None),
        comments=comment_service.comments_of(session, round_.id) if takes_comments else [],
        standing=standing,
        events=(results.event_lines(session, round_.id) if round_.kind is RoundKind.CONSENT
                and (facilitator or results.voters_visible(proposal, round_, membership))
                else []),
        facilitator=facilitator,
        deadline_form=deadline_form or (_deadline_form(organisation, round_, submitted=False)
                                        if facilitator and is_open else None),
        qualify_form=qualify_form or (_qualify_form(session, round_, submitted=False)
                                      if facilitator and accepting and standing else None),
        tally_form=tally_form or (_tally_form(session, round_, submitted=False)
                                  if facilitator and accepting and vote_round else None),
        case_visible=results.case_visible(proposal, round_, membership))


# Opening --------------------------------------------------------------------------------


def _candidates(session: Session, proposal: Proposal) -> list[tuple[int, str]]:
    members = round_service.electorate_of(session, proposal)
    names = dict(session.execute(select(User.id, User.name).where(
        User.id.in_([m.user_id for m in members]))).all())
    return sorted(((m.id, names[m.user_id]) for m in members), key=lambda c: (c[1], c[0]))


def _top_nominee(session: Session, proposal: Proposal) -> int | None:
    """The unique most nominated member of the last nominations, if there is one."""
    done = [r for r in proposal.rounds if r.status is RoundStatus.CLOSED
            and r.kind in (RoundKind.NOMINATION, RoundKind.CHANGE)]
    if not done:
        return None
    counts = results.nomination_counts(session, done[-1].id)
    if not counts or (len(counts) > 1 and counts[1][2] == counts[0][2]):
        return None
    return counts[0][0]


@bp.route("/open", methods=["GET", "POST"], endpoint="open")
@requires(Role.FACILITATOR)
def open_round(organisation: Organisation, membership: Membership,
               proposal_id: int) -> Page:
    """Open the next round of a proposal, until a deadline in the organisation's time."""
    session = db.session()
    proposal = _proposal(organisation, proposal_id)
    kinds = round_service.next_kinds(proposal)
    now = db.utcnow()
    election = proposal.family == "sociocratic_election" and RoundKind.CONSENT in kinds
    candidates = _candidates(session, proposal) if election else []
    zone = _zone(organisation)
    default = (now.astimezone(zone) + timedelta(days=7)).replace(
        minute=0, second=0, microsecond=0, tzinfo=None)
    form = OpenRoundForm(data={"closes_at": default,
                               "candidate": _top_nominee(session, proposal) or 0})
    form.with_choices(kinds, candidates)
    if kinds and form.validate_on_submit():
        kind = RoundKind(form.kind.data)
        closes_at = form.closes_at.utc(zone)
        candidate = form.candidate.data or None
        needs_candidate = election and kind is RoundKind.CONSENT
        if closes_at is not None and closes_at <= now:
            add_error(form.closes_at, _("The deadline must be in the future."))
        elif needs_candidate and candidate not in dict(candidates):
            add_error(form.candidate, _("Choose the candidate among the members of the"
                                        " electorate."))
        elif closes_at is not None:
            try:
                with db.transaction() as session:
                    round_ = round_service.open_round(
                        session, proposal, kind, closes_at=closes_at, now=now,
                        candidate_id=candidate if needs_candidate else None,
                        horizon=_horizon())
            except round_service.DeadlineError as error:
                add_error(form.closes_at, str(error))
            except round_service.RoundError as error:
                add_error(form.kind, str(error))
            else:
                flash(_("The round is open until %(deadline)s.",
                        deadline=local_time(round_.closes_at, organisation)), "success")
                return _back(organisation, round_)
    return render_template("rounds/open.html", organisation=organisation,
                           membership=membership, proposal=proposal, form=form, kinds=kinds,
                           election=election, zone=zone.key)


# The round page and what members do there -----------------------------------------------


@bp.route("/<int:round_id>")
@requires(Role.MEMBER)
def show(organisation: Organisation, membership: Membership, proposal_id: int,
         round_id: int) -> str:
    """A round: the version it is about, time left, my position and the form to take one."""
    return _show_page(organisation, membership, _round(organisation, proposal_id, round_id))


@bp.route("/<int:round_id>/vote", methods=["POST"])
@requires(Role.MEMBER)
def vote(organisation: Organisation, membership: Membership, proposal_id: int,
         round_id: int) -> Page:
    """Take or change my position; the server's clock decides whether it is on time."""
    round_ = _round(organisation, proposal_id, round_id)
    if round_.kind not in results.POSITION_KINDS:
        abort(404)
    form = _ballot_form(db.session(), round_, submitted=True)
    if not form.validate_on_submit():
        return _show_page(organisation, membership, round_, ballot_form=form)
    position = form.position.data or ""
    try:
        with db.transaction() as session:
            round_service.cast_ballot(
                session, round_.id, membership.id, position, now=db.utcnow(),
                reason=form.reason.data or "",
                concern=(form.concern.data or "") if position == "consent"
                and round_.proposal.family == "consent" else "",
                nominee_id=form.nominee.data if form.nominees else None)
    except round_service.BallotRefused as error:
        return _show_page(organisation, membership, round_, ballot_form=form,
                          refused=str(error))
    flash(_("Your position is recorded: %(position)s.", position=position_label(position))
          if round_.kind not in (RoundKind.NOMINATION, RoundKind.CHANGE)
          else _("Your nomination is recorded."), "success")
    return _back(organisation, round_)


@bp.route("/<int:round_id>/comment", methods=["POST"])
@requires(Role.MEMBER)
def comment(organisation: Organisation, membership: Membership, proposal_id: int,
            round_id: int) -> Page:
    """Ask a clarifying question or give a reaction."""
    round_ = _round(organisation, proposal_id, round_id)
    if round_.kind not in results.COMMENT_KINDS:
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
                          refused=str(error))
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
        closes_at = form.closes_at.utc(_zone(organisation))
        if closes_at is not None:
            try:
                with db.transaction() as session:
                    round_service.extend_round(session, round_.id, closes_at, now=db.utcnow(),
                                               actor_id=membership.id, horizon=_horizon())
            except round_service.RoundError as error:
                add_error(form.closes_at, str(error))
            else:
                flash(_("The deadline is now %(deadline)s.",
                        deadline=local_time(closes_at, organisation)), "success")
                return _back(organisation, round_)
    if round_.status is not RoundStatus.OPEN:
        flash(_("Only an open round can be extended."), "error")
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
    if form.confirmed.data != "yes" and round_.status is RoundStatus.OPEN:
        before = results.before_closing(db.session(), round_, membership, db.utcnow())
        if before.needs_confirmation:
            return render_template("rounds/close.html", organisation=organisation,
                                   membership=membership, proposal=round_.proposal,
                                   round=round_, before=before)
    try:
        with db.transaction() as session:
            closed = round_service.close_early(session, round_.id, now=db.utcnow(),
                                               actor_id=membership.id)
    except round_service.RoundError as error:
        flash(str(error), "error")
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
        flash(str(error), "error")
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
    if round_.kind is not RoundKind.CONSENT:
        abort(404)
    form = _qualify_form(db.session(), round_, submitted=True)
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
            add_error(getattr(form, error.field, form.objector), str(error))
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
    if round_.kind is not RoundKind.VOTE or round_.proposal.family not in results.VOTE_FAMILIES:
        abort(404)
    form = _tally_form(db.session(), round_, submitted=True)
    if form.validate_on_submit():
        try:
            with db.transaction() as session:
                tallies.enter_tally(session, round_.id, form.counts(),
                                    entered_by=membership.id, now=db.utcnow())
        except tallies.TallyError as error:
            add_error(form.field_for(error.college, error.field), str(error))
        else:
            flash(_("The counts of the room are saved."), "success")
            return _back(organisation, round_)
    return _show_page(organisation, membership, round_, tally_form=form)


# Results --------------------------------------------------------------------------------


@bp.route("/<int:round_id>/results", endpoint="results")
@requires(Role.MEMBER)
def results_page(organisation: Organisation, membership: Membership, proposal_id: int,
                 round_id: int) -> str:
    """Participation, counts (live unless hidden until the close), the outcome and its
    explanation, and who took which position when the proposal allows it."""
    round_ = _round(organisation, proposal_id, round_id)
    now = db.utcnow()
    found = results.round_results(db.session(), round_, membership, now)
    text = (explanation(found.result, found.names, found.voters_shown,
                        explaining.context_of(db.session(), round_))
            if found.result is not None else None)
    head, published = _audit_head(organisation, round_)
    return render_template(
        "rounds/results.html", organisation=organisation, membership=membership,
        proposal=round_.proposal, round=round_, results=found, explanation=text,
        time_left=round_service.time_left(round_, now),
        case_visible=results.case_visible(round_.proposal, round_, membership),
        audit_head=head, audit_head_published=published)


def _audit_head(organisation: Organisation, round_: Round,
                ) -> tuple[checkpoints.Head | None, bool]:
    """The audit chain's head to show with a closed round's outcome (the outcome notice,
    until notices are sent): the checkpoint published at its close, else the current head;
    ``None`` while the round is not closed."""
    if round_.status is not RoundStatus.CLOSED:
        return None, False
    session = db.session()
    closing = audit.closing_entries(session, organisation.id).get(round_.id)
    if closing is not None:
        found = checkpoints.covering(audit_folder(current_app), organisation.id, closing[0])
        if found is not None:
            return found.head, True
    return checkpoints.head(session, organisation.id), False


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

