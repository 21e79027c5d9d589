"""The register of decisions of an organisation (a page, CSV, an Atom feed; for members, and
for everyone when the organisation makes it public), the printable history of a proposal,
and the results of a round as CSV."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

from babel.dates import format_date
from flask import (
    Blueprint,
    Response,
    abort,
    render_template,
    request,
    url_for,
)
from flask_babel import LazyString, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import db
from ..errors import error_text
from ..models import Membership, Organisation, Proposal, Role
from ..orgs.access import requires
from ..proposals.rule_words import FAMILY_LABELS, OUTCOME_LABELS, rule_sentences
from ..proposals.views import proposal_words
from ..rounds.views import round_words
from ..services import exports, policies, register
from ..services import rounds as round_service
from ..services.register import Entry, Filters
from .feed import atom_feed

bp = Blueprint("register", __name__)
#: Whether a round's results can be taken away now (the results page's link).
bp.add_app_template_global(exports.exportable, "round_exportable")

#: The columns of the register's CSV.
COLUMNS = ("proposal_id", "title", "circle", "decided_on", "rule", "outcome", "responded",
           "eligible", "counts", "weighted_share", "outcome_statement", "review_date",
           "review_due", "proposer", "url")


@bp.context_processor
def register_words() -> dict[str, Any]:
    """The words of proposals and rounds, for the register and the history pages."""
    return {**proposal_words(), **round_words(), "exportable": exports.exportable,
            "resolution_labels": RESOLUTION_LABELS}


#: How an objection was resolved, in words.
RESOLUTION_LABELS: dict[str, LazyString] = {
    "withdrawn": _l("withdrawn by its author"),
    "valid": _l("recorded as a valid objection"),
    "invalid": _l("recorded as not a valid objection"),
    "concern": _l("recorded as a concern, not an objection"),
    "changed": _l("its author took another position"),
    "integrated": _l("to integrate into a new version"),
    "standing": _l("standing at the close"),
}


def _filters() -> Filters:
    """The register's filters from the address (anything unknown is ignored)."""
    outcome = request.args.get("outcome") or None
    return Filters(circle_id=request.args.get("circle", type=int),
                   year=request.args.get("year", type=int),
                   outcome=outcome if outcome in OUTCOME_LABELS else None)


def _outcome(entry: Entry) -> str:
    return str(OUTCOME_LABELS[entry.outcome]) if entry.outcome in OUTCOME_LABELS else entry.outcome


def _long_date(day: date) -> str:
    return str(format_date(day, "long", locale=get_locale()))


def _summary(entry: Entry) -> str:
    """A decision in a sentence, then its outcome statement (Markdown as written)."""
    said = _("%(outcome)s on %(date)s.", outcome=_outcome(entry).capitalize(),
             date=_long_date(entry.decided_on))
    if entry.review_date:
        said += " " + _("Review date: %(date)s.", date=_long_date(entry.review_date))
    return f"{said}\n\n{entry.statement}".strip()


def _counts(entry: Entry) -> str:
    if entry.figures is None:
        return ""
    return ";".join(f"{position}={count}" for position, count in entry.figures.counts.items())


def _csv(entries: list[Entry], entry_url: Callable[[Entry], str], name: str) -> Response:
    rows = [(e.proposal_id, e.title, e.circle or "", e.decided_on.isoformat(), e.family,
             e.outcome, "" if e.figures is None else e.figures.responded,
             "" if e.figures is None else e.figures.eligible, _counts(e),
             "" if e.figures is None or e.figures.weighted_share is None
             else str(e.figures.weighted_share),
             e.statement, e.review_date.isoformat() if e.review_date else "",
             "yes" if e.review_due else "no", e.proposer or "", entry_url(e))
            for e in entries]
    return Response(exports.to_csv(COLUMNS, rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _feed(organisation: Organisation, entries: list[Entry], endpoint: str, page: str,
          entry_url: Callable[[Entry], str]) -> Response:
    body = atom_feed(
        organisation, entries,
        title=_("Register of decisions: %(organisation)s", organisation=organisation.name),
        self_url=url_for(endpoint, slug=organisation.slug, _external=True),
        page_url=url_for(page, slug=organisation.slug, _external=True),
        entry_url=entry_url, summary=_summary, category=_outcome, now=db.utcnow())
    return Response(body, mimetype="application/atom+xml")


def _page_data(organisation: Organisation, filters: Filters, *, public: bool) -> dict[str, Any]:
    session = db.session()
    return {"organisation": organisation, "filters": filters,
            "entries": register.entries(session, organisation, filters, db.utcnow(),
                                        public=public),
            "circles": register.circles(session, organisation),
            "years": register.years(session, organisation),
            "outcomes": register.outcomes(session, organisation),
            "family_labels": FAMILY_LABELS, "outcome_labels": OUTCOME_LABELS,
            "public": public}


# For members ----------------------------------------------------------------------------


def _history_url(organisation: Organisation) -> Callable[[Entry], str]:
    """The address of a decision's history page, for members."""
    return lambda entry: url_for("register.history", slug=organisation.slug,
                                 proposal_id=entry.proposal_id, _external=True)


@bp.route("/orgs/<slug>/register/")
@requires(Role.MEMBER)
def index(organisation: Organisation, membership: Membership) -> str:
    """Every decision of the organisation, filtered by circle, year and outcome."""
    return render_template("register/index.html", membership=membership,
                           public_url=(url_for("register.public", slug=organisation.slug)
                                       if organisation.public_register else None),
                           **_page_data(organisation, _filters(), public=False))


@bp.route("/orgs/<slug>/register.csv")
@requires(Role.MEMBER)
def csv(organisation: Organisation, membership: Membership) -> Response:
    """The register's decisions, as filtered, as CSV."""
    entries = register.entries(db.session(), organisation, _filters(), db.utcnow())
    return _csv(entries, _history_url(organisation), f"{organisation.slug}-register.csv")


@bp.route("/orgs/<slug>/register.atom")
@requires(Role.MEMBER)
def feed(organisation: Organisation, membership: Membership) -> Response:
    """The register's decisions, as filtered, as an Atom feed."""
    entries = register.entries(db.session(), organisation, _filters(), db.utcnow())
    return _feed(organisation, entries, "register.feed", "register.index",
                 _history_url(organisation))


# For everyone, when the organisation makes its register public ---------------------------


def _public_organisation(slug: str) -> Organisation:
    organisation = register.public_organisation(db.session(), slug)
    if organisation is None:
        abort(404)
    return organisation


def _public_url(organisation: Organisation) -> Callable[[Entry], str]:
    """The address of a decision on the public register."""
    return lambda entry: url_for("register.public", slug=organisation.slug,
                                 _anchor=f"decision-{entry.proposal_id}", _external=True)


@bp.route("/public/<slug>/register/")
def public(slug: str) -> str:
    """An organisation's public register: read-only, members named only if it chose so."""
    organisation = _public_organisation(slug)
    return render_template("register/public.html",
                           **_page_data(organisation, _filters(), public=True))


@bp.route("/public/<slug>/register.csv")
def public_csv(slug: str) -> Response:
    """The public register as CSV."""
    organisation = _public_organisation(slug)
    entries = register.entries(db.session(), organisation, _filters(), db.utcnow(),
                               public=True)
    return _csv(entries, _public_url(organisation), f"{organisation.slug}-register.csv")


@bp.route("/public/<slug>/register.atom")
def public_feed(slug: str) -> Response:
    """The public register as an Atom feed."""
    organisation = _public_organisation(slug)
    entries = register.entries(db.session(), organisation, _filters(), db.utcnow(),
                               public=True)
    return _feed(organisation, entries, "register.public_feed", "register.public",
                 _public_url(organisation))


# A proposal's whole history, and a round's results ----------------------------------------


def _proposal(organisation: Organisation, membership: Membership, proposal_id: int) -> Proposal:
    proposal = db.session().scalar(select(Proposal).where(
        Proposal.id == proposal_id, Proposal.organisation_id == organisation.id))
    if proposal is None or not policies.may_see(proposal, membership):
        abort(404)
    return proposal


@bp.route("/orgs/<slug>/proposals/<int:proposal_id>/history")
@requires(Role.MEMBER)
def history(organisation: Organisation, membership: Membership, proposal_id: int) -> str:
    """A proposal's whole history on one printable page: versions, rounds, results,
    objections and how each was resolved."""
    proposal = _proposal(organisation, membership, proposal_id)
    found = register.history(db.session(), proposal, membership, db.utcnow(),
                             someone=_("a member"))
    return render_template(
        "register/history.html", organisation=organisation, membership=membership,
        proposal=proposal, history=found,
        rule=rule_sentences(proposal.family, json.loads(proposal.params or "{}")))


@bp.route("/orgs/<slug>/proposals/<int:proposal_id>/rounds/<int:round_id>/results.csv")
@requires(Role.MEMBER)
def round_csv(organisation: Organisation, membership: Membership, proposal_id: int,
              round_id: int) -> Response:
    """A round's results as CSV: one row per voter when the proposal shows the reader who
    voted what, else counts by college and position."""
    session = db.session()
    round_ = round_service.round_in(session, organisation.id, proposal_id, round_id)
    if round_ is None or not policies.may_see(round_.proposal, membership):
        abort(404)
    try:
        text = exports.round_csv(session, round_, membership, db.utcnow())
    except exports.ExportRefused as error:
        abort(403, error_text(error))
    name = f"{organisation.slug}-proposal-{proposal_id}-round-{round_.number}-results.csv"
    return Response(text, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
