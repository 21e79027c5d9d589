"""Words shown for domain values, translated, and the menu of an organisation's pages."""

from __future__ import annotations

from flask import Flask
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from . import db
from .models import Membership, Role
from .services.organisations import organisations_of

ROLE_LABELS: dict[Role, LazyString] = {
    Role.MEMBER: _l("member"),
    Role.FACILITATOR: _l("facilitator"),
    Role.ADMIN: _l("admin"),
}

#: What each kind of audit entry records, in words.
AUDIT_LABELS: dict[str, LazyString] = {
    "round_opened": _l("Round opened"),
    "round_extended": _l("Round extended"),
    "round_closed": _l("Round closed"),
    "round_cancelled": _l("Round cancelled"),
    "ballot_cast": _l("Ballot cast"),
    "ballot_changed": _l("Ballot changed"),
    "objection_qualified": _l("Objection qualified"),
    "objection_withdrawn": _l("Objection withdrawn"),
    "version_published": _l("Version published"),
    "proposal_withdrawn": _l("Proposal withdrawn"),
    "outcome_written": _l("Outcome written"),
    "membership_changed": _l("Membership changed"),
    "membership_removed": _l("Member removed"),
    "membership_ended": _l("Membership ended"),
    "round_failed": _l("Round could not be counted"),
    # General assemblies (issue 13).
    "assembly_created": _l("Assembly prepared"),
    "assembly_changed": _l("Assembly changed"),
    "assembly_officers": _l("Chair and secretary named"),
    "agenda_item_added": _l("Resolution put on the agenda"),
    "agenda_item_removed": _l("Resolution taken off the agenda"),
    "assembly_convened": _l("Assembly convened"),
    "proxy_given": _l("Proxy given"),
    "proxy_revoked": _l("Proxy revoked"),
    "postal_vote_received": _l("Postal vote received"),
    "room_code_changed": _l("Room code changed"),
    "checked_in": _l("Member checked in"),
    "left": _l("Member left the meeting"),
    "sitting_opened": _l("Sitting opened"),
    "room_counts": _l("Counts of the room entered"),
    "sitting_without_quorum": _l("Sitting without quorum recorded"),
    "sitting_closed": _l("Sitting closed"),
    "second_convocation_prepared": _l("Second convocation prepared"),
    "email_convocation_agreed": _l("Agreement to be convened by e-mail"),
    "email_convocation_withdrawn": _l("Convened by post again"),
    "college_weights_changed": _l("College weights changed"),
    "round_nudged": _l("Members reminded to answer"),
    "writings_removed": _l("Reasons and comments of a former member removed"),
    "member_pseudonymised": _l("Former member's name and e-mail replaced"),
    "privacy_settings_changed": _l("Personal data settings changed"),
    # Webhooks (issue 14).
    "webhook_disabled": _l("Webhook endpoint disabled"),
    "public_register_changed": _l("Register of decisions made public or private"),
}

#: (endpoint, label, least role): blueprints add their pages here; the menu shows the ones
#: that exist and that the member's role may open.
ORG_MENU: list[tuple[str, LazyString, Role]] = [
    ("proposals.index", _l("Proposals"), Role.MEMBER),
    ("assemblies.index", _l("General assemblies"), Role.MEMBER),
    ("register.index", _l("Register of decisions"), Role.MEMBER),
    ("orgs.members", _l("Members"), Role.MEMBER),
    ("orgs.circles", _l("Circles"), Role.MEMBER),
    ("orgs.colleges", _l("Colleges"), Role.MEMBER),
    ("orgs.audit", _l("Audit log"), Role.MEMBER),
    ("orgs.settings", _l("Settings"), Role.ADMIN),
    ("privacy.settings", _l("Personal data"), Role.ADMIN),
    ("invitations.index", _l("Invitations"), Role.ADMIN),
]


def role_label(role: Role | str) -> str:
    """The translated name of a role."""
    return str(ROLE_LABELS[Role(role)])


def my_memberships() -> list[Membership]:
    """The signed-in person's memberships, for the organisation switcher of every page."""
    if not current_user.is_authenticated:
        return []
    return organisations_of(db.session(), current_user)


def init_app(app: Flask) -> None:
    """Make the labels available in every template."""
    app.jinja_env.globals.update(role_label=role_label, org_menu=ORG_MENU,
                                 my_memberships=my_memberships)
