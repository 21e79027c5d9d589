"""Signing in and out, accepting an invitation, and setting a forgotten password."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response
from wtforms import Form

from .. import db, emails
from ..errors import error_text
from ..forms import add_error, show_error
from ..login import signed_in
from ..models import Invitation
from ..security import limit_login, limit_login_account, limit_reset, limit_reset_account
from ..services import ServiceError, accounts, invitations
from ..services.organisations import membership_of
from .forms import (
    AcceptInvitationForm,
    InvitationAccountForm,
    LoginForm,
    ResetPasswordForm,
    ResetRequestForm,
)

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _safe_next(target: str | None) -> str:
    """Only local paths: never redirect a person to another site after signing in."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(
            target).netloc:
        return target
    return url_for("index")


@bp.route("/login", methods=["GET", "POST"])
@limit_login
@limit_login_account
def login() -> str | Response:
    """Sign in with e-mail and password."""
    if current_user.is_authenticated:
        return redirect(url_for("index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(db.session(), form.email.data or "", form.password.data or "")
        if user is None:
            add_error(form.password, _("Wrong e-mail or password."))
        else:
            login_user(user, remember=bool(form.remember.data))
            flash(_("Welcome, %(name)s.", name=user.name), "success")
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    """Sign out (a POST with its CSRF token, so no link can sign anyone out). The session
    ends on the server too: a copy of its cookie, or of "remember me", no longer works."""
    with db.transaction() as session:
        accounts.end_sessions(session, signed_in())
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


def _show_error(form: Form, error: accounts.AccountError | invitations.InvitationError) -> None:
    """A service's refusal next to its field, or on top of the page if the form has none."""
    if not show_error(form, error):
        flash(error_text(error), "error")


def _unusable_link(title: str, error: ServiceError, *, gone: bool,
                   retry: str | None = None) -> tuple[str, int]:
    """The page of a link that cannot be used: 410 once valid, 404 if never (or revoked)."""
    page = render_template("auth/link_unusable.html", title=title, message=error_text(error),
                           retry=retry)
    return page, 410 if gone else 404


def _invitation_unusable(error: invitations.InvitationError) -> tuple[str, int]:
    return _unusable_link(_("Invitation not valid"), error,
                          gone=isinstance(error, invitations.InvitationGone))


def _reset_unusable(error: accounts.ResetLinkError) -> tuple[str, int]:
    return _unusable_link(_("Password reset link not valid"), error, gone=error.gone,
                          retry=url_for("auth.reset_request"))


def _joined(invitation: Invitation) -> Response:
    flash(_("Welcome to %(organisation)s.", organisation=invitation.organisation.name),
          "success")
    return redirect(url_for("orgs.show", slug=invitation.organisation.slug))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def invitation(token: str) -> str | Response | tuple[str, int]:
    """Accept an invitation: with a new account, or signed in as the invited address."""
    session = db.session()
    try:
        invited = invitations.pending_invitation(session, token, db.utcnow())
    except invitations.InvitationError as error:
        return _invitation_unusable(error)
    page = "auth/invitation.html"
    if current_user.is_authenticated:
        user = signed_in()
        if accounts.normalise_email(user.email) != invited.email:
            return render_template(page, invitation=invited, state="other_account"), 403
        if membership_of(session, user, invited.organisation) is not None:
            return render_template(page, invitation=invited, state="already_member")
        form = AcceptInvitationForm()
        if form.validate_on_submit():
            try:
                with db.transaction() as session:
                    invitations.accept(session, token, user, db.utcnow())
            except (invitations.InvitationNotFound, invitations.InvitationGone) as error:
                return _invitation_unusable(error)
            except invitations.InvitationError as error:
                flash(error_text(error), "error")
            else:
                return _joined(invited)
        return render_template(page, invitation=invited, state="accept", form=form)
    if accounts.find_by_email(session, invited.email) is not None:
        return render_template(page, invitation=invited, state="sign_in",
                               login=url_for("auth.login", next=request.path))
    account_form = InvitationAccountForm()
    if account_form.validate_on_submit():
        try:
            with db.transaction() as session:
                membership = invitations.accept_with_new_account(
                    session, token, name=account_form.name.data or "",
                    password=account_form.password.data or "", now=db.utcnow())
        except (invitations.InvitationNotFound, invitations.InvitationGone) as error:
            return _invitation_unusable(error)
        except (invitations.InvitationError, accounts.AccountError) as error:
            _show_error(account_form, error)
        else:
            login_user(membership.user)
            return _joined(invited)
    return render_template(page, invitation=invited, state="new_account", form=account_form)


@bp.route("/reset", methods=["GET", "POST"])
@limit_reset
@limit_reset_account
def reset_request() -> str | Response:
    """Ask for a link to set a new password (the answer never tells if the account exists)."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        emails.send_password_reset(db.session(), form.email.data or "")
        flash(_("If an account has this address, an e-mail with a link to set a new password"
                " is on its way. The link works for %(lifetime)s.",
                lifetime=emails.reset_link_lifetime()), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str) -> str | Response | tuple[str, int]:
    """Set a new password with the link of a reset e-mail."""
    try:
        user = accounts.user_of_reset_token(db.session(), token, emails.reset_key(),
                                            db.utcnow())
    except accounts.ResetLinkError as error:
        return _reset_unusable(error)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            with db.transaction() as session:
                accounts.reset_password(session, token, form.password.data or "",
                                        emails.reset_key(), db.utcnow())
        except accounts.ResetLinkError as error:
            return _reset_unusable(error)
        except accounts.AccountError as error:
            _show_error(form, error)
        else:
            # Every session of the account ended with the old password (User.get_id).
            flash(_("Your password is changed. Sign in with it."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form, user=user)
