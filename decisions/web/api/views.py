"""The routes of ``/api/v1``: each parses its request (``spec.operation`` did the token,
scope, query and body), asks the services what the page asks them, and answers with its
model. The pages' rules apply to the member the request acts as: the same role checks, the
same ``policies``, the same refusals in the same words."""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import timedelta
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError, IntegrityError, InternalError, OperationalError
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    MethodNotAllowed,
    NotFound,
)
from werkzeug.routing import MapAdapter

from .. import db, emails, mail
from ..config import audit_folder, retention
from ..errors import UNAVAILABLE
from ..models import ElectorateScope, Role, RoundStatus, Scope
from ..security import csrf, limiter
from ..services import (
    ServiceError,
    api_lists,
    api_requests,
    checkpoints,
    idempotency,
    invitations,
    notices,
    policies,
    results,
)
from ..services import minutes as minutes_service
from ..services import proposals as proposal_service
from ..services import rounds as round_service
from . import docs as docs_page
from . import rate_headers, rate_key, rate_limit, render, schemas
from .auth import Call, in_callers_language
from .problems import Problem, from_http, refused, response
from .spec import IDEMPOTENCY_KEY, IF_NONE_MATCH, JSON, PREFIX, Reply, openapi
from .spec import operation as declare

bp = Blueprint("api", __name__, url_prefix=PREFIX)
csrf.exempt(bp)  # no cookie session: a bearer token cannot be sent by another site's form
# One limit per token across every operation (a shared limit: not one per route).
limiter.shared_limit(rate_limit, scope="api", key_func=rate_key)(bp)
bp.after_request(rate_headers)

ORGS, PROPOSALS, ROUNDS, AUDIT = "organisations", "proposals", "rounds", "audit"
ASSEMBLIES = "assemblies"
WRITE_ERRORS = (409, 422)
#: The fields of the proposal page that a refusal names, as the API's body names them.
PROPOSAL_FIELDS = {"circle": "circle_id", "reason_required": "reasons_required"}


def _horizon() -> timedelta:
    return timedelta(days=int(current_app.config["DEADLINE_HORIZON_DAYS"]))


# Cursors ---------------------------------------------------------------------------------


def _cursor(value: int | None) -> str | None:
    """An opaque cursor for a position in a list."""
    if value is None:
        return None
    return base64.urlsafe_b64encode(f"v1:{value}".encode()).decode().rstrip("=")


def _position(cursor: str | None) -> int | None:
    """The position a cursor stands for (400 for one this API did not give)."""
    if cursor is None:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    found = re.fullmatch(r"v1:(\d{1,10})", text)
    if found is None or int(found.group(1)) > schemas.ID_MAX:
        raise Problem(400, "cursor.invalid",
                      _("This cursor is not one this list gave: start again from the first"
                        " page."), field="cursor")
    return int(found.group(1))


def _created(model: Any, location: str) -> Reply:
    return Reply(model, status=201, headers={"Location": location})


# Organisations and members ----------------------------------------------------------------


@declare(bp, "GET", "/organisations/<slug>", tag=ORGS, scope=Scope.READ,
         response=schemas.Organisation)
def get_organisation(call: Call, slug: str) -> schemas.Organisation:
    """An organisation, its colleges, and the member the request acts as.

    Readable by every member of the organisation."""
    organisation, member = call.organisation(slug)
    return render.organisation(organisation, member)


@declare(bp, "GET", "/organisations/<slug>/members", tag=ORGS, scope=Scope.READ,
         query=schemas.PageQuery, response=schemas.MemberPage)
def list_members(call: Call, slug: str, query: schemas.PageQuery) -> schemas.MemberPage:
    """The organisation's current members, by membership id, a page at a time."""
    organisation, _member = call.organisation(slug)
    page = api_lists.members(call.session, organisation.id, after=_position(query.cursor),
                             limit=query.limit)
    return schemas.MemberPage(items=[render.member(m) for m in page.items],
                              next_cursor=_cursor(page.after))


@declare(bp, "POST", "/organisations/<slug>/members", tag=ORGS, scope=Scope.ADMINISTER,
         body=schemas.MemberInvite, response=schemas.Invitation, status=201,
         errors=WRITE_ERRORS, role="admin", created=True)
def invite_member(call: Call, slug: str, body: schemas.MemberInvite) -> Reply:
    """Invite someone to join: they receive an e-mail with a link to accept.

    As the invitations page does: the person joins with this role (and college) when they
    accept; refused for a current member or while an invitation to the address is
    pending."""
    organisation, member = call.organisation(slug, Role.ADMIN)
    now = call.now
    try:
        with db.transaction() as session:
            invited = invitations.invite(
                session, organisation, member.user, email=str(body.email), role=body.role,
                college_id=body.college_id, days=emails.invitation_days(), now=now)
            emails.send_invitation(invited, organisation, member.user)
    except ServiceError as error:
        raise refused(error) from None
    return _created(render.invitation(invited.invitation, now),
                    url_for("api.list_members", slug=organisation.slug))


# Proposals -------------------------------------------------------------------------------


@declare(bp, "GET", "/organisations/<slug>/proposals", tag=PROPOSALS, scope=Scope.READ,
         query=schemas.PageQuery, response=schemas.ProposalPage)
def list_proposals(call: Call, slug: str, query: schemas.PageQuery) -> schemas.ProposalPage:
    """The organisation's proposals, newest first (drafts only to their author and to
    facilitators, as on the pages)."""
    _organisation, member = call.organisation(slug)
    page = api_lists.proposals(call.session, member, before=_position(query.cursor),
                               limit=query.limit)
    return schemas.ProposalPage(items=[render.proposal_summary(p) for p in page.items],
                                next_cursor=_cursor(page.after))


@declare(bp, "POST", "/organisations/<slug>/proposals", tag=PROPOSALS,
         scope=Scope.FACILITATE, body=schemas.ProposalCreate, response=schemas.Proposal,
         status=201, errors=WRITE_ERRORS, role="facilitator (or member, where the"
         " organisation lets members propose)", created=True)
def create_proposal(call: Call, slug: str, body: schemas.ProposalCreate) -> Reply:
    """Put forward a draft proposal with its decision rule.

    The engine checks the rule and its parameters first (`params`, in the engine's case
    format); a facilitator then opens its first round."""
    organisation, member = call.organisation(slug)
    if not policies.may_propose(organisation, member):
        raise Problem(403, "proposal.may_not_propose",
                      _("Only facilitators and admins put forward proposals in this"
                        " organisation."))
    try:
        with db.transaction() as session:
            proposal = proposal_service.create_proposal(
                session, organisation, member, title=body.title, body=body.body,
                family=body.family.value, params=body.params, now=call.now,
                scope=ElectorateScope(body.electorate_scope), circle_id=body.circle_id,
                electors=body.electors, hide_results=body.hide_results,
                reason_required=tuple(body.reasons_required),
                voters_visible=body.voters_visible, secret=body.secret,
                reminder_hours=body.reminder_hours)
    except proposal_service.RuleError as error:
        problem = refused(error)
        if error.path is not None:
            problem.field = f"params.{error.path}"
        raise problem from None
    except ServiceError as error:
        problem = refused(error)
        # The page's field names, as this body names them.
        problem.field = PROPOSAL_FIELDS.get(problem.field or "", problem.field)
        raise problem from None
    return _created(render.proposal(proposal, member),
                    url_for("api.get_proposal", proposal_id=proposal.id))


@declare(bp, "GET", "/proposals/<int:proposal_id>", tag=PROPOSALS, scope=Scope.READ,
         response=schemas.Proposal)
def get_proposal(call: Call, proposal_id: int) -> schemas.Proposal:
    """A proposal: its current version, rule, electorate, options and rounds."""
    proposal, member = call.proposal(proposal_id)
    return render.proposal(proposal, member)


@declare(bp, "POST", "/proposals/<int:proposal_id>/versions", tag=PROPOSALS,
         scope=Scope.FACILITATE, body=schemas.VersionCreate, response=schemas.Version,
         status=201, errors=WRITE_ERRORS, role="facilitator (or the author, where members"
         " may propose)", created=True)
def publish_version(call: Call, proposal_id: int, body: schemas.VersionCreate) -> Reply:
    """Publish a new version of the text, saying what changed.

    Refused while a round is open, and once the proposal is decided or withdrawn."""
    proposal, member = call.proposal(proposal_id)
    if not policies.may_change(proposal, proposal.organisation, member):
        raise Problem(403, "proposal.may_not_change",
                      _("Only facilitators, admins and the proposal's author change a"
                        " proposal."))
    try:
        with db.transaction() as session:
            version = proposal_service.amend(session, proposal, member, title=body.title,
                                             body=body.body, summary=body.summary,
                                             now=call.now)
    except ServiceError as error:
        raise refused(error) from None
    return _created(render.version(version), url_for("api.get_proposal",
                                                      proposal_id=proposal.id))


# Rounds ----------------------------------------------------------------------------------


@declare(bp, "GET", "/proposals/<int:proposal_id>/rounds", tag=ROUNDS, scope=Scope.READ,
         query=schemas.PageQuery, response=schemas.RoundPage)
def list_rounds(call: Call, proposal_id: int, query: schemas.PageQuery) -> schemas.RoundPage:
    """The proposal's rounds in order, with what the acting member may do in each."""
    proposal, member = call.proposal(proposal_id)
    page = api_lists.rounds(call.session, proposal, after=_position(query.cursor),
                            limit=query.limit)
    return schemas.RoundPage(items=[render.round_(call.session, r, member, call.now)
                                    for r in page.items], next_cursor=_cursor(page.after))


@declare(bp, "POST", "/proposals/<int:proposal_id>/rounds", tag=ROUNDS,
         scope=Scope.FACILITATE, body=schemas.RoundOpen, response=schemas.OpenedRound,
         status=201,
         errors=WRITE_ERRORS, role="facilitator", created=True)
def open_round(call: Call, proposal_id: int, body: schemas.RoundOpen) -> Reply:
    """Open the proposal's next round now, until a deadline.

    Its electorate is the proposal's as of now. An election's consent round names its
    candidate among the electorate."""
    proposal, member = call.proposal(proposal_id)
    call.allow(member, Role.FACILITATOR)
    try:
        with db.transaction() as session:
            round_ = round_service.open_round(
                session, proposal, body.kind, closes_at=body.closes_at, now=call.now,
                candidate_id=body.candidate_id, horizon=_horizon())
    except ServiceError as error:
        raise refused(error) from None
    warnings = []
    if notices.silence_untold(proposal, body.kind, mail_printed=mail.printed_only(current_app)):
        warnings.append(schemas.ApiWarning(code="mail.printed_only", message=_(
            "E-mail is not configured: electors will not be told by e-mail that this round"
            " is open.")))
    opened = render.round_(db.session(), round_, member, call.now)
    return _created(schemas.OpenedRound(**opened.model_dump(), warnings=warnings),
                    url_for("api.get_round", round_id=round_.id))


@declare(bp, "GET", "/rounds/<int:round_id>", tag=ROUNDS, scope=Scope.READ,
         response=schemas.Round)
def get_round(call: Call, round_id: int) -> schemas.Round:
    """A round: kind, window, status, outcome, positions, and what I may do in it now."""
    round_, member = call.round(round_id)
    return render.round_(call.session, round_, member, call.now)


@declare(bp, "POST", "/rounds/<int:round_id>/close", tag=ROUNDS, scope=Scope.FACILITATE,
         response=schemas.Round, errors=WRITE_ERRORS, role="facilitator")
def close_round(call: Call, round_id: int) -> schemas.Round:
    """Close an open round now, before its deadline: the engine decides it.

    Its result and the exact case it was counted from are stored, the audit chain's head
    is signed. A round the engine cannot count is answered with the status `failed`. A
    general assembly's resolution is closed as its sitting's page closes it: refused,
    nothing closed, when the engine finds the room's counts impossible."""
    round_, member = call.round(round_id)
    call.allow(member, Role.FACILITATOR)
    try:
        with db.transaction() as session:
            closed = api_requests.close_round(session, round_, member, now=call.now)
    except ServiceError as error:
        raise refused(error) from None
    if closed:  # committed: publish the head that holds its closing entry
        checkpoints.publish(db.session(), audit_folder(current_app),
                            [round_.proposal.organisation_id], db.utcnow())
    db.session().refresh(round_)
    return render.round_(db.session(), round_, member, call.now)


@declare(bp, "POST", "/rounds/<int:round_id>/extend", tag=ROUNDS, scope=Scope.FACILITATE,
         body=schemas.RoundExtend, response=schemas.Round, errors=WRITE_ERRORS,
         role="facilitator")
def extend_round(call: Call, round_id: int, body: schemas.RoundExtend) -> schemas.Round:
    """Move an open round's deadline later."""
    round_, member = call.round(round_id)
    call.allow(member, Role.FACILITATOR)
    try:
        with db.transaction() as session:
            round_service.extend_round(session, round_.id, body.closes_at, now=call.now,
                                       actor_id=member.id, horizon=_horizon())
    except ServiceError as error:
        raise refused(error) from None
    db.session().refresh(round_)
    return render.round_(db.session(), round_, member, call.now)


# My ballot -------------------------------------------------------------------------------


def _ballot_round(call: Call, round_id: int) -> tuple[Any, Any]:
    round_, member = call.round(round_id)
    if not policies.takes_ballots(round_):
        raise Problem(404, "round.takes_no_ballots",
                      _("Members take no position in this round."))
    return round_, member


@declare(bp, "GET", "/rounds/<int:round_id>/ballot", tag=ROUNDS, scope=Scope.READ,
         response=schemas.Ballot)
def get_ballot(call: Call, round_id: int) -> schemas.Ballot:
    """My ballot that counts in the round (of a secret round, only whether I voted)."""
    round_, member = _ballot_round(call, round_id)
    return render.ballot(call.session, round_, member)


_KEY = re.compile(r"[\x21-\x7e]{1,255}")


@declare(bp, "PUT", "/rounds/<int:round_id>/ballot", tag=ROUNDS, scope=Scope.VOTE,
         body=schemas.BallotPut, response=schemas.Ballot, errors=WRITE_ERRORS,
         headers=(IDEMPOTENCY_KEY,))
def put_ballot(call: Call, round_id: int, body: schemas.BallotPut) -> Response:
    """Take or change my position in the round; the server's clock decides if it is on time.

    Refused, with the page's words, when the round is closed, when I am not in its
    electorate, when the position is not one of the round's, or without a reason the rule
    asks for. A general assembly's resolution is voted as on the sitting's page: once
    checked in, for myself and/or the members whose proxy I hold (`for_members`). Send an
    `Idempotency-Key` so that a request sent again after a lost answer does not cast a
    second ballot (which a rule counting first ballots would refuse)."""
    round_, member = _ballot_round(call, round_id)
    key = request.headers.get(IDEMPOTENCY_KEY.name)
    if key is not None and not _KEY.fullmatch(key):
        raise Problem(400, "idempotency.key_invalid",
                      _("An Idempotency-Key is 1 to 255 visible characters."),
                      field=IDEMPOTENCY_KEY.name)
    print_ = idempotency.fingerprint(request.method, request.path, str(member.id),
                                     request.get_data())
    if key is not None:
        replay = _replay(call, key, print_)
        if replay is not None:
            return replay
    try:
        with db.transaction() as session:
            closed = api_requests.cast_ballot(
                session, round_, member, body.position, reason=body.reason,
                concern=body.concern, nominee_id=body.nominee_id,
                for_members=body.for_members, now=call.now)
            session.refresh(round_)
            text = render.ballot(session, round_, member).model_dump_json()
            if key is not None:
                idempotency.remember(session, call.token.id, key, print_, 200, text, call.now,
                                     _keys_kept())
    except (ServiceError, IntegrityError) as error:
        # The same request with the same key, sent again meanwhile, may have committed first:
        # this one then finds its ballot there (refused as a change) or its key (the unique
        # index): the first one's answer is the answer.
        replay = None if key is None else _replay(call, key, print_)
        if replay is not None:
            return replay
        if isinstance(error, ServiceError):
            raise refused(error) from None
        raise
    if closed:  # the last answer closed the round: publish the head that holds its close
        checkpoints.publish(db.session(), audit_folder(current_app),
                            [round_.proposal.organisation_id], db.utcnow())
    return Response(text, status=200, mimetype=JSON)


def _keys_kept() -> timedelta:
    """How long an Idempotency-Key is answered again (``RETAIN_IDEMPOTENCY_KEYS_DAYS``)."""
    return timedelta(days=retention(current_app).idempotency_keys_days)


def _replay(call: Call, key: str, print_: str) -> Response | None:
    """The answer stored for this key and request, if any (422 for another request)."""
    try:
        stored = idempotency.earlier(db.session(), call.token.id, key, print_, call.now,
                                     _keys_kept())
    except ServiceError as error:
        raise refused(error) from None
    if stored is None:
        return None
    answer = Response(stored.body, status=stored.status, mimetype=JSON)
    answer.headers["Idempotent-Replayed"] = "true"
    return answer


# Results ---------------------------------------------------------------------------------


@declare(bp, "GET", "/rounds/<int:round_id>/result", tag=ROUNDS, scope=Scope.READ,
         response=schemas.Result, headers=(IF_NONE_MATCH,), etag=True)
def get_result(call: Call, round_id: int) -> schemas.Result:
    """The round's results as its results page shows them to me.

    Counts are live unless the proposal hides them until the close (always, for a secret
    ballot); who took which position only where the proposal lets me see it. The `ETag`
    changes with the answer: send it back in `If-None-Match` to get 304 while nothing
    changed."""
    round_, member = call.round(round_id)
    return render.result(call.session, round_, member, call.now)


@declare(bp, "GET", "/rounds/<int:round_id>/case", tag=ROUNDS, scope=Scope.READ,
         response=schemas.Case, errors=(404,))
def get_case(call: Call, round_id: int) -> Response:
    """The exact case a closed round was counted from, to recount it with the engine.

    The text is byte for byte the one stored (its SHA-256 is in the round's closing entry
    of the audit log). Cases of consent rounds name who took which position: readable
    where the proposal lets me see that."""
    round_, member = call.round(round_id)
    if round_.status is not RoundStatus.CLOSED or round_.case_json is None:
        raise Problem(404, "case.none", _("This round has no stored case: it is not closed,"
                                          " or was not counted."))
    if not results.case_visible(round_.proposal, round_, member):
        raise Problem(403, "case.hidden", _("This case names who took which position, which"
                                            " this proposal does not let you see."))
    answer = Response(round_.case_json, mimetype=JSON)
    answer.add_etag()
    answer.make_conditional(request)
    return answer


# General assemblies ----------------------------------------------------------------------


@declare(bp, "GET", "/organisations/<slug>/assemblies", tag=ASSEMBLIES, scope=Scope.READ,
         query=schemas.PageQuery, response=schemas.AssemblyPage)
def list_assemblies(call: Call, slug: str, query: schemas.PageQuery) -> schemas.AssemblyPage:
    """The organisation's general assemblies, the latest prepared first."""
    organisation, _member = call.organisation(slug)
    page = api_lists.assemblies(call.session, organisation.id, before=_position(query.cursor),
                                limit=query.limit)
    return schemas.AssemblyPage(items=[render.assembly_summary(a) for a in page.items],
                                next_cursor=_cursor(page.after))


@declare(bp, "GET", "/assemblies/<int:assembly_id>", tag=ASSEMBLIES, scope=Scope.READ,
         response=schemas.Assembly)
def get_assembly(call: Call, assembly_id: int) -> schemas.Assembly:
    """A general assembly: its dates, place, convocation, agenda, attendance and quorum.

    Each resolution names the round it is voted in once the chair opened it: cast your vote
    (and those you hold proxies for, `for_members`) with `PUT /rounds/{id}/ballot`, once
    checked in. `me.voices` lists the votes you may cast now. The attendance figures are
    live until the sitting closes, then as stored at its close."""
    found, member = call.assembly(assembly_id)
    return render.assembly(call.session, found, member, call.now)


@declare(bp, "GET", "/assemblies/<int:assembly_id>/minutes", tag=ASSEMBLIES,
         scope=Scope.READ, response=schemas.Minutes, errors=(409,))
def get_minutes(call: Call, assembly_id: int) -> schemas.Minutes:
    """The figures of a closed sitting's minutes.

    Read from what the engine decided and the sitting stored (the attendance sheet at the
    close, each resolution's stored result), as the minutes page and PDF say them, with the
    head of the audit chain at the closing entry. 409 until the sitting is closed."""
    found, _member = call.assembly(assembly_id)
    try:
        written = minutes_service.minutes(call.session, found, call.now)
    except ServiceError as error:
        raise refused(error) from None
    return render.minutes_of(written)


# The audit log ---------------------------------------------------------------------------


@declare(bp, "GET", "/organisations/<slug>/audit", tag=AUDIT, scope=Scope.READ,
         query=schemas.PageQuery, response=schemas.AuditPage)
def list_audit(call: Call, slug: str, query: schemas.PageQuery) -> schemas.AuditPage:
    """The organisation's audit log, newest first, and the chain's head.

    Each entry carries its hash, chained to the one before: recompute them to check the
    log (`decisions audit verify` does). A secret ballot's entry shows its round and
    count only."""
    organisation, _member = call.organisation(slug)
    session = call.session
    head = checkpoints.head(session, organisation.id)
    below = _position(query.cursor)
    page = api_lists.audit_entries(session, organisation.id,
                                   below=head.length + 1 if below is None else below,
                                   limit=query.limit)
    return schemas.AuditPage(items=[render.audit_entry(e) for e in page.items],
                             next_cursor=_cursor(page.after),
                             head=schemas.AuditHead(length=head.length, hash=head.hash))


# The description -------------------------------------------------------------------------


@declare(bp, "GET", "/openapi.json", tag="description", scope=None, response=None)
def openapi_document(call: None) -> Response:
    """This API's description (OpenAPI 3.1).

    Written from the same models that check the requests and shape the answers."""
    answer = Response(response=_openapi_text(), mimetype=JSON)
    answer.headers["Cache-Control"] = "public, max-age=300"
    return answer


def _openapi_text() -> str:
    return json.dumps(openapi(), ensure_ascii=False, indent=1)


@bp.route("/docs")
def docs() -> str:
    """This API's description as a page to read, in the site's style."""
    spec = openapi()
    return render_template("api/docs.html", spec=spec, operations=docs_page.operations(spec),
                           schemas=docs_page.schemas(spec))


# Errors ----------------------------------------------------------------------------------


def _matches(adapter: MapAdapter, method: str) -> bool:
    try:
        adapter.match(method=method)
    except HTTPException:
        return False
    return True


def routing_problems() -> Response | None:
    """An address under /api/v1 that names no operation, or a method it does not take:
    a problem (404, or 405 with the methods it takes), not a page. Run before every
    request of the application (routing errors reach no blueprint's handlers)."""
    error = request.routing_exception
    if error is None or not request.path.startswith(PREFIX + "/"):
        return None
    with in_callers_language():
        if isinstance(error, MethodNotAllowed):
            # Werkzeug lists the methods of the rules whose pattern matched, even when their
            # converter refused the value (an id beyond the database's integers): keep
            # those that really match, and with none it is "not found".
            adapter = current_app.url_map.bind_to_environ(request.environ)
            allowed = sorted(m for m in set(error.valid_methods or ()) - {"OPTIONS"}
                             if _matches(adapter, m))
            if allowed:
                return response(Problem(405, "method.not_allowed",
                                        _("This address does not take this method."),
                                        headers={"Allow": ", ".join(allowed)}))
            error = NotFound()
        if isinstance(error, NotFound):
            return response(Problem(404, "not_found", _("There is nothing at this address.")))
    return None


@bp.errorhandler(Problem)
def _problem(problem: Problem) -> Response:
    return response(problem)


@bp.errorhandler(OperationalError)
@bp.errorhandler(InternalError)
def _unavailable(error: DBAPIError) -> Response:
    """503 with ``Retry-After`` when the database cannot take a write now (a lock held too
    long, a read-only database), as the pages answer; any other error of the database is
    a 500."""
    reason = db.unavailable(error)
    if reason is None:
        raise error
    db.session().rollback()
    _title, message, seconds = UNAVAILABLE[reason]
    with in_callers_language(getattr(g.get("api_call"), "user", None)):
        return response(Problem(503, f"database.{reason}", str(message),
                                headers={"Retry-After": str(seconds)}))


@bp.errorhandler(InternalServerError)  # the application's own 500 page would win otherwise
@bp.errorhandler(HTTPException)
def _http(error: HTTPException) -> Response:
    with in_callers_language(getattr(g.get("api_call"), "user", None)):
        return response(from_http(error))

