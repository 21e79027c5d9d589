"""In-application notifications (``/notifications/``): my notices, newest first, each a short
sentence in my language linking to its round or proposal; marking them read; and the count
of unread ones in the header of every page, read once per request
(``services.inbox``)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import LazyString, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from .. import db
from ..models import NoticeKind
from ..orgs.forms import ConfirmForm
from ..services import inbox
from ..services.inbox import InboxLine

bp = Blueprint("inbox", __name__, url_prefix="/notifications")

#: What each kind of notice says, about the proposal ``%(title)s``.
SENTENCES: dict[NoticeKind, LazyString] = {
    NoticeKind.ROUND_OPENED: _l("A round is open: %(title)s"),
    NoticeKind.REMINDER: _l("Reminder: %(title)s awaits your answer"),
    NoticeKind.NUDGE: _l("A facilitator reminds you: %(title)s awaits your answer"),
    NoticeKind.OBJECTION: _l("An objection was raised: %(title)s"),
    NoticeKind.NEW_VERSION: _l("A new version asks for your consent again: %(title)s"),
    NoticeKind.OUTCOME: _l("Outcome decided: %(title)s"),
    NoticeKind.WEBHOOK_DISABLED: _l("A webhook endpoint is disabled: %(title)s"),
    NoticeKind.REVIEW_DUE: _l("The review date of a decision you proposed has come:"
                              " %(title)s"),
}


def sentence(line: InboxLine) -> str:
    """What a notice says, in the reader's language."""
    if line.kind is NoticeKind.WEBHOOK_DISABLED:
        return str(SENTENCES[line.kind]) % {"title": line.title or _("an endpoint since"
                                                                      " removed")}
    return str(SENTENCES[line.kind]) % {"title": line.title or _("a proposal")}


def target(line: InboxLine) -> str:
    """Where a notice leads: the outcome's results, the round, else the proposal."""
    slug = line.organisation.slug
    if line.kind is NoticeKind.WEBHOOK_DISABLED:
        if "endpoint" in line.details:
            return url_for("integrations.webhook", slug=slug,
                           endpoint_id=line.details["endpoint"])
        return url_for("integrations.index", slug=slug)
    if line.round_id is not None and line.proposal_id is not None:
        endpoint = "rounds.results" if line.kind is NoticeKind.OUTCOME else "rounds.show"
        return url_for(endpoint, slug=slug, proposal_id=line.proposal_id,
                       round_id=line.round_id)
    if line.proposal_id is not None:
        return url_for("proposals.show", slug=slug, proposal_id=line.proposal_id)
    return url_for("orgs.show", slug=slug)


def unread_notices() -> int:
    """How many of the signed-in person's notices are unread (0 signed out), read once per
    request: the header of every page shows it."""
    if not current_user.is_authenticated:
        return 0
    if "unread_notices" not in g:
        g.unread_notices = inbox.unread_count(db.session(), current_user.id)
    count: int = g.unread_notices
    return count


@bp.app_context_processor
def header() -> dict[str, object]:
    """The unread count for the header of every page (base.html), read only when shown."""
    return {"unread_notices": unread_notices}


@bp.route("/")
@login_required
def index() -> str:
    """My notifications, newest first, fifty a page."""
    found = inbox.inbox(db.session(), current_user.id, request.args.get("page", 1, type=int))
    return render_template("inbox/index.html", inbox=found, sentence=sentence,
                           target=target)


@bp.route("/<int:notice_id>/read", methods=["POST"])
@login_required
def read(notice_id: int) -> Response:
    """Mark one of my notifications read."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with db.transaction() as session:
        inbox.mark_read(session, current_user.id, notice_id, now=db.utcnow())
    return redirect(url_for("inbox.index", page=request.args.get("page", type=int)))


@bp.route("/read", methods=["POST"])
@login_required
def read_all() -> Response:
    """Mark all my notifications read."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with db.transaction() as session:
        count = inbox.mark_all_read(session, current_user.id, now=db.utcnow())
    flash(ngettext("%(num)d notification marked read.", "%(num)d notifications marked read.",
                   count), "success")
    return redirect(url_for("inbox.index"))
