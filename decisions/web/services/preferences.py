"""What a person chooses to receive by e-mail from each organisation they belong to: every
message, a daily digest, or only what asks them to act (``NotifyMode``); and the kinds of
message they unsubscribed from (one click in a message: ``services.unsubscribing``), which
they may take back here. What is not mailed is still shown in the application.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import ALWAYS_SENT, Membership, NoticeKind, NotifyMode, Role
from . import ServiceError
from .messages import N_

#: The kinds of message a person may stop, in the order shown: all but those they asked for
#: or cannot join without (``ALWAYS_SENT``), as the unsubscribe links allow.
MUTABLE_KINDS = tuple(kind for kind in NoticeKind if kind not in ALWAYS_SENT)
#: The kinds only an organisation's admins receive.
ADMIN_KINDS = frozenset({NoticeKind.WEBHOOK_DISABLED})


def kinds_offered(role: Role) -> tuple[NoticeKind, ...]:
    """The kinds of message a member of ``role`` chooses to receive or not: those that may
    reach them (the admins' own only to admins)."""
    return tuple(kind for kind in MUTABLE_KINDS if role is Role.ADMIN or kind not in ADMIN_KINDS)


class PreferenceError(ServiceError):
    """A choice of messages that cannot be recorded."""


def set_messages(db: Session, user_id: int, membership_id: int, *, mode: str,
                 muted: Iterable[str]) -> Membership:
    """Record what the person receives by e-mail from one organisation they belong to now:
    ``mode`` (a ``NotifyMode``) and the kinds of message ``muted`` (the others are received
    again)."""
    membership = db.scalar(select(Membership).where(
        Membership.id == membership_id, Membership.user_id == user_id,
        Membership.ended_at.is_(None)))
    if membership is None:
        raise PreferenceError("membership.unknown",
                              N_("You are not a member of this organisation."))
    if mode not in {m.value for m in NotifyMode}:
        raise PreferenceError("messages.mode", N_("Choose what you receive by e-mail."),
                              field="mode")
    kinds = set(muted)
    if not kinds <= {k.value for k in MUTABLE_KINDS}:
        raise PreferenceError("messages.kind",
                              N_("These messages cannot be turned off."), field="kinds")
    membership.notify = mode
    membership.muted = " ".join(k.value for k in MUTABLE_KINDS if k.value in kinds)
    db.flush()
    return membership
