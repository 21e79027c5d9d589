"""One-click unsubscribe (RFC 8058): the link of every e-mail's ``List-Unsubscribe`` header
and footer stops that kind of e-mail from that organisation.

``POST /unsubscribe/<token>`` is what a mail provider sends on the person's behalf
(``List-Unsubscribe=One-Click``): no sign-in and no CSRF token, as the RFC wants; the signed
token is the only thing that authorises it, and it can do nothing but stop e-mails.
``GET`` (a person following the footer's link) only shows a page with the button: a link
opened by a mail scanner must not unsubscribe anyone.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request

from .. import db
from ..models import Organisation
from ..notice_mail import KIND_NAMES
from ..security import csrf
from ..services import unsubscribing
from ..services.unsubscribing import Unsubscribe, UnsubscribeError

bp = Blueprint("unsubscribe", __name__, url_prefix="/unsubscribe")


def _wanted(token: str) -> tuple[Unsubscribe, Organisation]:
    """What the token stops, and the organisation; 404 for a token that is not ours."""
    try:
        wanted = unsubscribing.read_unsubscribe_token(str(current_app.config["SECRET_KEY"]),
                                                      token)
        unsubscribing.membership_of(db.session(), wanted)
    except UnsubscribeError:
        abort(404)
    return wanted, db.session().get_one(Organisation, wanted.organisation_id)


@bp.route("/<token>", methods=["GET", "POST"])
@csrf.exempt
def one_click(token: str) -> str:
    """Stop e-mails of one kind from one organisation: the confirming page (GET) or done
    (POST, one click)."""
    wanted, organisation = _wanted(token)
    done = request.method == "POST"
    if done:
        with db.transaction() as session:
            unsubscribing.mute(session, wanted)
    return render_template("notices/unsubscribe.html", organisation=organisation, done=done,
                           what=KIND_NAMES.get(wanted.kind, wanted.kind.value))
