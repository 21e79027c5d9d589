"""The calendar feed of a person's deadlines (``/calendar/<token>.ics``): fetched by calendar
applications, which cannot sign in, so the secret token in the address is the key
(``services.calendar_feed``: made and revoked on the profile page)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from .. import db
from ..ics import DeadlineEntry, deadline_events
from ..proposals.rule_words import ROUND_KIND_LABELS
from ..services import calendar_feed

bp = Blueprint("calendar", __name__, url_prefix="/calendar")


def deadline_uid(round_id: int, url: str) -> str:
    """The iCalendar UID of a round's deadline: the same in every feed and e-mail of this
    site, so that a calendar updates one event when the deadline moves."""
    return f"decisions-round-{round_id}-deadline@{urlsplit(url).hostname or 'decisions'}"


@bp.route("/<token>.ics")
def feed(token: str) -> Response:
    """The deadlines of the open rounds where the token's owner is an elector (404 for a
    token that opens no feed: never made, or revoked)."""
    session = db.session()
    user = calendar_feed.owner(session, token) or abort(404)
    now = db.utcnow()
    languages = current_app.config["LANGUAGES"]
    entries = []
    for deadline in calendar_feed.deadlines(session, user, now):
        url = url_for("rounds.show", slug=deadline.slug, proposal_id=deadline.proposal_id,
                      round_id=deadline.round_id, _external=True)
        language = next((chosen for chosen in (user.language, deadline.language)
                         if chosen in languages), languages[0])
        with force_locale(language):
            title = _("%(round)s closes: %(title)s", round=ROUND_KIND_LABELS[deadline.kind],
                      title=deadline.title)
            description = _("%(organisation)s, round %(number)d. Answer before the deadline:"
                            " %(url)s", organisation=deadline.organisation,
                            number=deadline.round_number, url=url)
        entries.append(DeadlineEntry(uid=deadline_uid(deadline.round_id, url), title=title,
                                     starts_at=deadline.closes_at, url=url,
                                     description=description, stamp=now))
    return Response(deadline_events(entries), mimetype="text/calendar",
                    headers={"Cache-Control": "private, no-store",
                             "Content-Disposition": 'inline; filename="deadlines.ics"'})
