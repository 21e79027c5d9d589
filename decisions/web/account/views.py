"""One's own account: name, e-mail, language and password."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import login_required, login_user
from werkzeug.wrappers import Response

from .. import db
from ..forms import show_error
from ..login import signed_in
from ..services import accounts
from .forms import PasswordForm, ProfileForm

bp = Blueprint("account", __name__, url_prefix="/account")


def _page(profile_form: ProfileForm | None = None,
          password_form: PasswordForm | None = None) -> str:
    return render_template("account/profile.html",
                           profile_form=profile_form or ProfileForm.of(signed_in()),
                           password_form=password_form or PasswordForm.blank(),
                           min_password=accounts.MIN_PASSWORD)


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
