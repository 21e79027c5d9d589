"""The e-mails the application writes to people: a link to set a new password, and an
invitation. Each is written in its recipient's language, with links to this site; the
services make the tokens, this module the words and the links."""

from __future__ import annotations

from babel.units import format_unit
from flask import current_app, url_for
from flask_babel import force_locale, format_datetime, get_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from . import mail
from .db import utcnow
from .labels import role_label
from .models import Organisation, User
from .services import accounts
from .services.invitations import Invited


def duration_in_words(seconds: int) -> str:
    """An exact duration in the current language, in the largest unit that divides it
    ("2 hours", "90 minutes", "14 jours"): a deadline is never rounded."""
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            return format_unit(seconds // size, f"duration-{unit}", locale=get_locale())
    return format_unit(seconds, "duration-second", locale=get_locale())


def reset_key() -> accounts.ResetKey:
    """What signs the application's password reset links, and how long they work."""
    return accounts.ResetKey(current_app.config["SECRET_KEY"],
                             int(current_app.config["PASSWORD_RESET_SECONDS"]))


def reset_link_lifetime() -> str:
    """How long a reset link works, in words of the current language ("2 hours")."""
    return duration_in_words(reset_key().seconds)


def invitation_lifetime() -> str:
    """How long an invitation works, in words of the current language ("14 days")."""
    return duration_in_words(86400 * invitation_days())


def invitation_days() -> int:
    """How many days an invitation works (``INVITATION_DAYS``)."""
    return int(current_app.config["INVITATION_DAYS"])


def send_password_reset(db: Session, email: str) -> None:
    """E-mail a reset link when an account has this address; do nothing otherwise (the
    caller answers the same either way, so no one learns who has an account)."""
    user = accounts.find_by_email(db, email)
    if user is None:
        return
    token = accounts.password_reset_token(user, reset_key(), utcnow())
    link = url_for("auth.reset", token=token, _external=True)
    with force_locale(user.language or str(get_locale() or "en")):
        subject = _("Set a new password for decisions")
        body = _(
            "Hello %(name)s,\n\n"
            "Someone, probably you, asked to set a new password for your account on"
            " decisions. To choose it, open this link within %(lifetime)s:\n\n"
            "%(link)s\n\n"
            "The link works once. If you did not ask for it, ignore this e-mail: your"
            " password stays as it is.",
            name=user.name, lifetime=reset_link_lifetime(), link=link)
    mail.send(user.email, subject, body)


def send_invitation(invited: Invited, organisation: Organisation, inviter: User) -> None:
    """E-mail an invitation's link, in the invited account's language if they have one."""
    invitation = invited.invitation
    link = url_for("auth.invitation", token=invited.token, _external=True)
    with force_locale(invited.language or str(get_locale() or "en")):
        subject = _("Invitation to join %(organisation)s on decisions",
                    organisation=organisation.name)
        body = _(
            "Hello,\n\n"
            "%(inviter)s invites you to join %(organisation)s as %(role)s on decisions,"
            " where its members take decisions together.\n\n"
            "To accept, open this link:\n\n"
            "%(link)s\n\n"
            "The link works once, until %(expiry)s. If you did not expect this invitation,"
            " ignore this e-mail.",
            inviter=inviter.name, organisation=organisation.name,
            role=role_label(invitation.role), link=link,
            expiry=format_datetime(invitation.expires_at, "long"))
    mail.send(invitation.email, subject, body)
