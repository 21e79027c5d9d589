"""One's own account: name, e-mail, language and password; what each organisation sends by
e-mail; the address of one's calendar of deadlines."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import login_required, login_user
from werkzeug.wrappers import Response

from .. import db
from ..api.forms import SCOPE_LABELS, TokenForm
from ..forms import show_error
from ..login import signed_in
from ..orgs.forms import ConfirmForm
from ..services import (
    accounts,
    api_tokens,
    calendar_feed,
    email_convocation,
    organisations,
    preferences,
)
from .forms import MessagesForm, PasswordForm, ProfileForm

bp = Blueprint("account", __name__, url_prefix="/account")


def _page(profile_form: ProfileForm | None = None,
          password_form: PasswordForm | None = None,
          messages_form: tuple[int, MessagesForm] | None = None,
          calendar_url: str | None = None, token_form: TokenForm | None = None,
          new_token: str | None = None) -> str:
    """The profile page, with the form given (sent back with its errors; ``messages_form``
    with the id of its membership) or fresh ones."""
    user = signed_in()
    sent_back = dict([messages_form]) if messages_form is not None else {}
    messages = [(m, sent_back[m.id] if m.id in sent_back else MessagesForm.of(m))
                for m in organisations.organisations_of(db.session(), user)]
    return render_template("account/profile.html",
                           profile_form=profile_form or ProfileForm.of(user),
                           password_form=password_form or PasswordForm.blank(),
                           min_password=accounts.MIN_PASSWORD, messages=messages,
                           calendar_on=user.calendar_token_hash is not None,
                           calendar_url=calendar_url,
                           tokens=api_tokens.tokens_of(db.session(), user), now=db.utcnow(),
                           token_status=api_tokens.status, scope_labels=SCOPE_LABELS,
                           token_form=token_form or TokenForm(formdata=None),
                           new_token=new_token, confirm=ConfirmForm(formdata=None),
                           lead_days=email_convocation.LEAD.days)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile() -> str | Response:
    """My profile: name, e-mail address, language; and the form to change my password."""
    form = ProfileForm.of(signed_in())
    if form.validate_on_submit():
        try:
            with db.transaction() as session:
                accounts.update_profile(
                    session, signed_in(), name=form.name.data or "",
                    email=form.email.data or "", language=form.chosen_language(),
                    languages=current_app.config["LANGUAGES"],
                    current_password=form.current_password.data or "")
        except accounts.AccountError as error:
            show_error(form, error, "email")
        else:
            refresh()  # the message below already in the language just chosen
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("account.profile"))
    return _page(profile_form=form)


@bp.route("/password", methods=["POST"])
@login_required
def password() -> str | Response:
    """Change my password (the current one first)."""
    form = PasswordForm.blank()
    if form.validate_on_submit():
        try:
            with db.transaction() as session:
                user = accounts.change_password(
                    session, signed_in(), current_password=form.current_password.data or "",
                    password=form.password.data or "")
        except accounts.AccountError as error:
            show_error(form, error, "password")
        else:
            # The session's identifier holds the password's fingerprint: renew it here, so
            # that only the other sessions and devices are signed out.
            cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
            login_user(user, remember=cookie in request.cookies)
            flash(_("Your password is changed. Other devices must sign in again."), "success")
            return redirect(url_for("account.profile"))
    return _page(password_form=form)


@bp.route("/messages/<int:membership_id>", methods=["POST"])
@login_required
def messages(membership_id: int) -> str | Response:
    """What one of my organisations sends me by e-mail."""
    membership = next((m for m in organisations.organisations_of(db.session(), signed_in())
                       if m.id == membership_id), None) or abort(404)
    form = MessagesForm.of(membership, submitted=True)
    if form.validate_on_submit():
        try:
            with db.transaction() as session:
                preferences.set_messages(session, signed_in().id, membership.id,
                                         mode=form.mode.data or "", muted=form.muted())
        except preferences.PreferenceError as error:
            show_error(form, error, "mode")
        else:
            flash(_("Your choice of e-mail from %(organisation)s is saved.",
                    organisation=membership.organisation.name), "success")
            return redirect(url_for("account.profile", _anchor="messages-title"))
    return _page(messages_form=(membership.id, form))


@bp.route("/convocation/<int:membership_id>", methods=["POST"])
@login_required
def convocation(membership_id: int) -> Response:
    """Agree to be convened to one of my organisations' general assemblies by e-mail, or
    withdraw my agreement (C. com. R225-63)."""
    membership = next((m for m in organisations.organisations_of(db.session(), signed_in())
                       if m.id == membership_id), None) or abort(404)
    ConfirmForm().validate_on_submit()  # the CSRF token is checked for every POST
    agree = request.form.get("agree") == "1"
    with db.transaction() as session:
        email_convocation.set_own(session, signed_in().id, membership.id, agree=agree,
                                  now=db.utcnow())
    if agree:
        flash(_("%(organisation)s will convene you to its general assemblies by e-mail.",
                organisation=membership.organisation.name), "success")
    else:
        flash(_("%(organisation)s will convene you to its general assemblies by post.",
                organisation=membership.organisation.name), "success")
    return redirect(url_for("account.profile", _anchor="convocation-title"))


@bp.route("/calendar/new", methods=["POST"])
@login_required
def calendar_new() -> Response:
    """Make the address of my calendar of deadlines (a new one stops the old): shown once,
    on the page this answers with, which no cache keeps."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with db.transaction() as session:
        token = calendar_feed.new_token(session, signed_in())
    response = make_response(_page(calendar_url=url_for("calendar.feed", token=token,
                                                        _external=True)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/calendar/revoke", methods=["POST"])
@login_required
def calendar_revoke() -> Response:
    """Stop my calendar feed: its address answers "not found" from now on."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with db.transaction() as session:
        calendar_feed.revoke(session, signed_in())
    flash(_("Your calendar address is revoked: calendars using it no longer get your"
            " deadlines."), "success")
    return redirect(url_for("account.profile", _anchor="calendar-title"))


@bp.route("/tokens/new", methods=["POST"])
@login_required
def token_new() -> str | Response:
    """Make a personal API token: shown once, on the page this answers with, which no
    cache keeps."""
    form = TokenForm()
    if form.validate_on_submit():
        try:
            with db.transaction() as session:
                issued = api_tokens.create_personal(
                    session, signed_in(), name=form.name.data or "",
                    scopes=list(form.scopes.data or []), days=form.days.data or 0,
                    now=db.utcnow())
        except api_tokens.TokenError as error:
            show_error(form, error, "name")
        else:
            response = make_response(_page(new_token=issued.text))
            response.headers["Cache-Control"] = "no-store"
            return response
    return _page(token_form=form)


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def token_revoke(token_id: int) -> Response:
    """Revoke one of my API tokens: it is refused from now on."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        with db.transaction() as session:
            token = api_tokens.revoke(session, signed_in(), token_id, db.utcnow())
    except api_tokens.TokenError:
        abort(404)
    flash(_("The token %(name)s is revoked.", name=token.name), "success")
    return redirect(url_for("account.profile", _anchor="tokens-title"))
