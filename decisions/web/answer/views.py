"""Answering from a message: a round's e-mail carries a single-use link per position; it
signs its member in and opens the round's form with that position chosen, not recorded.

The link's page asks for a click first: mail scanners and link previews open links, and
must neither use them nor sign anyone in. The checks (single use, the round's deadline, the
organisation's setting, secret rounds) are the notices service's.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import HiddenField

from .. import db
from ..errors import error_text
from ..login import signed_in
from ..proposals.rule_words import POSITION_LABELS
from ..services import notices, rounds

bp = Blueprint("answer", __name__, url_prefix="/answer")


class AnswerForm(FlaskForm):
    """The confirmation: the position chosen in the message, and the CSRF token."""

    position = HiddenField()


def _unusable(error: notices.LinkError) -> tuple[str, int]:
    """The page of a link that cannot be used: 410 once valid, 404 if never."""
    return (render_template("answer/unusable.html", message=error_text(error)),
            410 if error.gone else 404)


@bp.route("/<token>", methods=["GET", "POST"])
def confirm(token: str) -> str | Response | tuple[str, int]:
    """Confirm, then sign in with an answer link and open the round's form."""
    try:
        link = notices.answer_link(db.session(), token, db.utcnow())
    except notices.LinkError as error:
        return _unusable(error)
    round_ = link.round
    proposal = round_.proposal
    organisation = proposal.organisation
    offered = rounds.positions_of(proposal, round_.kind)
    form = AnswerForm(data={"position": request.args.get("position", "")})
    position = form.position.data if form.position.data in offered else None
    page = {"link": link, "proposal": proposal, "organisation": organisation,
            "position": position, "position_text": str(POSITION_LABELS.get(position, ""))
            if position else None, "form": form}
    if current_user.is_authenticated and signed_in().id != link.user.id:
        return render_template("answer/confirm.html", other_account=True, **page), 403
    if form.validate_on_submit():
        try:
            with db.transaction() as session:
                link = notices.use_answer_link(session, token, db.utcnow())
        except notices.LinkError as error:
            return _unusable(error)
        login_user(link.user)
        flash(_("Signed in as %(name)s. Check your answer, then record it.",
                name=link.user.name), "info")
        return redirect(url_for("rounds.show", slug=organisation.slug,
                                proposal_id=proposal.id, round_id=round_.id,
                                position=position, _anchor="take-part-title"))
    return render_template("answer/confirm.html", other_account=False, **page)
