"""The e-mails people ask for from a page: a link to set a new password, and an invitation.

Neither is sent here: each is a notice row written in the transaction of what it announces
(the invitation, the request), which the sender mails afterwards (``notice_mail``), so that
a page never waits for an SMTP server and an e-mail is never lost when one is down. The row
keeps the link's token until it is sent, and the language of the page it was asked from:
the language of a person without an account, or whose account names none. This module also
says in words how long the links work.
"""

from __future__ import annotations

from babel.units import format_unit
from flask import current_app
from flask_babel import get_locale
from sqlalchemy.orm import Session, object_session

from . import db as database
from .models import NoticeKind, Organisation, User
from .services import accounts, outbox
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


def page_language() -> str:
    """The language of the page the person is on (their profile's, else their browser's)."""
    return str(get_locale() or "en")


def send_password_reset(db: Session, email: str) -> None:
    """Queue an e-mail with a reset link when an account has this address, committed at
    once; do nothing otherwise (the caller answers the same either way, so no one learns who
    has an account)."""
    user = accounts.find_by_email(db, email)
    if user is None or user.closed_at is not None:
        return
    with database.transaction() as session:
        now = database.utcnow()
        token = accounts.password_reset_token(user, reset_key(), now)
        outbox.enqueue(session, NoticeKind.PASSWORD_RESET, now=now, user_id=user.id,
                       payload={"token": token, "language": page_language()})


def send_invitation(invited: Invited, organisation: Organisation, inviter: User) -> None:
    """Queue the e-mail of an invitation's link in the invitation's own transaction (if the
    invitation is rolled back, so is its e-mail), in the invited account's language if they
    have one, else the inviter's page's."""
    invitation = invited.invitation
    session = object_session(invitation)
    if session is None:
        raise RuntimeError("send_invitation: the invitation belongs to no session")
    outbox.enqueue(
        session, NoticeKind.INVITATION, now=database.utcnow(), email=invitation.email,
        organisation_id=organisation.id,
        payload={"token": invited.token, "organisation": organisation.name,
                 "inviter": inviter.name, "role": str(invitation.role),
                 "expires_at": invitation.expires_at.isoformat(),
                 "language": invited.language or page_language()})
