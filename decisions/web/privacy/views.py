"""Personal data: the privacy page (the site's, and each organisation's), my data and its
JSON export, closing my account, and an organisation's settings of its periods."""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    url_for,
)
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, logout_user
from werkzeug.wrappers import Response

from .. import db, emails
from ..config import retention
from ..errors import error_text
from ..forms import show_error
from ..login import signed_in
from ..models import Membership, Organisation, Role
from ..orgs.access import requires
from ..services import organisations, personal_data
from .forms import CloseAccountForm, PrivacySettingsForm

bp = Blueprint("privacy", __name__)

#: The parts of a person's export, in words (the page "My data" counts each).
SECTIONS: dict[str, LazyString] = {
    "memberships": _l("Memberships"),
    "proposals_written": _l("Proposals you put forward"),
    "versions_written": _l("Versions you wrote"),
    "positions": _l("Positions in rounds that are not secret, with your reasons"),
    "secret_participations": _l("Secret rounds you took part in (never what you chose)"),
    "electorates": _l("Rounds whose electorate you were in"),
    "comments": _l("Comments"),
    "objection_records": _l("Objections recorded about you or by you"),
    "rounds_closed": _l("Rounds you closed or cancelled"),
    "tallies_entered": _l("Counts you entered for a meeting"),
    "assemblies": _l("General assemblies: chair, attendance, proxies, postal votes"),
    "notifications": _l("Notifications sent to you"),
    "invitations_received": _l("Invitations you received"),
    "invitations_sent": _l("Invitations you sent"),
    "api_tokens": _l("Access tokens of the API"),
    "webhook_endpoints_created": _l("Webhook endpoints you registered"),
    "audit_entries": _l("Audit log entries that name you (by number)"),
}


@dataclass(frozen=True, slots=True)
class Facts:
    """What the privacy page says, read from the configuration and, on an organisation's
    page, from its settings."""

    site_contact: str | None
    invitations_days: int
    notices_days: int
    webhook_deliveries_days: int
    idempotency_keys_days: int
    api_tokens_days: int
    organisation: Organisation | None

    @property
    def former_member_days(self) -> int | None:
        """The organisation's period for names (``None`` on the site's page)."""
        return None if self.organisation is None else self.organisation.former_member_days

    @property
    def record_years(self) -> int | None:
        """The organisation's period for reasons and comments."""
        return None if self.organisation is None else self.organisation.record_years


def _facts(organisation: Organisation | None) -> Facts:
    config = current_app.config
    periods = retention(current_app)
    return Facts(site_contact=config.get("PRIVACY_CONTACT") or None,
                 invitations_days=periods.invitations_days,
                 notices_days=periods.notices_days,
                 webhook_deliveries_days=periods.webhook_deliveries_days,
                 idempotency_keys_days=periods.idempotency_keys_days,
                 api_tokens_days=periods.api_tokens_days,
                 organisation=organisation)


def _mine() -> list[Membership]:
    return (organisations.organisations_of(db.session(), current_user)
            if current_user.is_authenticated else [])


def _policy(organisation: Organisation | None) -> str:
    return render_template("privacy/policy.html", facts=_facts(organisation), mine=_mine(),
                           invitation_lifetime=emails.invitation_lifetime(),
                           reset_lifetime=emails.reset_link_lifetime())


@bp.route("/privacy")
def policy() -> str:
    """What the application stores about people, why, for how long, who sees it, and how
    to exercise each right (generated from the configuration)."""
    return _policy(None)


@bp.route("/orgs/<slug>/privacy")
def organisation(slug: str) -> str:
    """The privacy page of one organisation: its contact and its periods (public: it is
    owed to people before they join)."""
    found = personal_data.find_organisation(db.session(), slug) or abort(404)
    return _policy(found)


@bp.route("/orgs/<slug>/privacy/settings", methods=["GET", "POST"])
@requires(Role.ADMIN)
def settings(organisation: Organisation, membership: Membership) -> str | Response:
    """The organisation's contact for data requests and how long it keeps former members'
    data."""
    form = PrivacySettingsForm.of(organisation)
    if form.validate_on_submit():
        try:
            with db.transaction() as session:
                personal_data.update_settings(
                    session, session.get_one(Organisation, organisation.id),
                    contact=form.contact.data or "",
                    former_member_days=form.former_member_days.data or 0,
                    record_years=form.record_years.data or 0,
                    public_names=bool(form.public_names.data), now=db.utcnow())
        except personal_data.PersonalDataError as error:
            show_error(form, error, "contact")
        else:
            flash(_("The personal data settings are saved."), "success")
            return redirect(url_for("privacy.settings", slug=organisation.slug))
    return render_template("privacy/settings.html", organisation=organisation,
                           membership=membership, form=form)


@bp.route("/account/data")
@login_required
def my_data() -> str:
    """What the application holds about me, part by part, with the whole as JSON."""
    data = personal_data.export(db.session(), signed_in(), db.utcnow())
    return render_template("privacy/data.html", data=data, sections=SECTIONS,
                           counts=dict(personal_data.summary(data)))


@bp.route("/account/data.json")
@login_required
def export() -> Response:
    """Everything the application holds about me, as a JSON file (never cached)."""
    data = personal_data.export(db.session(), signed_in(), db.utcnow())
    response = make_response(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    response.mimetype = "application/json"
    response.headers["Content-Disposition"] = 'attachment; filename="my-data.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/account/close", methods=["GET", "POST"])
@login_required
def close() -> str | Response:
    """Close my account: I leave every organisation, sign in no more, and my name and
    e-mail are replaced by a pseudonym as soon as my organisations' periods allow."""
    form = CloseAccountForm()
    if form.validate_on_submit():
        try:
            with db.transaction() as session:
                personal_data.close_account(session, signed_in(),
                                            password=form.password.data or "",
                                            now=db.utcnow())
        except personal_data.PersonalDataError as error:
            if not show_error(form, error):
                form.form_errors.append(error_text(error))
        else:
            logout_user()
            flash(_("Your account is closed."), "success")
            return redirect(url_for("privacy.policy"))
    return render_template("privacy/close.html", form=form, mine=_mine())
