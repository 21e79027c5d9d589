"""What a member receives by e-mail: the kinds of notice they unsubscribed from, and the
signed tokens of the one-click unsubscribe links (RFC 8058) that every e-mail carries.

An unsubscribe token names an account, an organisation and a kind of notice, signed with
the application's secret key: following it needs no sign-in (a mail provider posts it on the
person's behalf), and it can do nothing but stop that kind of e-mail. It never expires: a
link in an old e-mail must still work.

This module imports nothing of Flask: the caller passes the secret key.
"""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..models import ALWAYS_SENT, Delivery, Membership, Notice, NoticeKind, Organisation
from ..transactions import rowcount
from . import ServiceError
from .messages import N_

UNSUBSCRIBE_SALT = "decisions.unsubscribe"


class UnsubscribeError(ServiceError):
    """An unsubscribe link that cannot be used: not one of ours, or for nobody now."""


@dataclass(frozen=True, slots=True)
class Unsubscribe:
    """What an unsubscribe link stops: e-mails of ``kind`` from an organisation to an
    account."""

    user_id: int
    organisation_id: int
    kind: NoticeKind


def muted_kinds(muted: str | None) -> frozenset[str]:
    """The kinds a membership's ``muted`` column names."""
    return frozenset((muted or "").split())


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(secret: str, user_id: int, organisation_id: int, kind: NoticeKind) -> str:
    """The token of the link that stops e-mails of ``kind`` from the organisation to the
    account."""
    return _serializer(secret).dumps([user_id, organisation_id, kind.value])


_NOT_A_LINK = N_("This unsubscribe link is not valid. Check that it was copied whole.")


def read_unsubscribe_token(secret: str, token: str) -> Unsubscribe:
    """What a token stops; :class:`UnsubscribeError` when it is not a valid one."""
    try:
        content = _serializer(secret).loads(token)
    except BadSignature:
        raise UnsubscribeError("unsubscribe.invalid", _NOT_A_LINK) from None
    if not (isinstance(content, list) and len(content) == 3
            and all(isinstance(v, int) for v in content[:2])
            and content[2] in {kind.value for kind in NoticeKind}
            and NoticeKind(content[2]) not in ALWAYS_SENT):
        raise UnsubscribeError("unsubscribe.invalid", _NOT_A_LINK)
    return Unsubscribe(content[0], content[1], NoticeKind(content[2]))


def membership_of(db: Session, wanted: Unsubscribe) -> Membership:
    """The membership an unsubscribe link is about (ended or not: a former member may still
    receive the digest of their last days); :class:`UnsubscribeError` when there is none."""
    found = db.scalar(select(Membership).where(
        Membership.user_id == wanted.user_id,
        Membership.organisation_id == wanted.organisation_id))
    if found is None or db.get(Organisation, wanted.organisation_id) is None:
        raise UnsubscribeError("unsubscribe.invalid", _NOT_A_LINK)
    return found


def mute(db: Session, wanted: Unsubscribe) -> bool:
    """Stop e-mails of the link's kind from the organisation to the account: the kind joins
    the membership's muted kinds, and the notices of that kind not yet mailed stay in the
    application only (``in_app``). Whether anything changed (a second click changes
    nothing)."""
    membership = membership_of(db, wanted)
    kinds = muted_kinds(membership.muted)
    changed = wanted.kind.value not in kinds
    if changed:
        membership.muted = " ".join(sorted(kinds | {wanted.kind.value}))
    waiting = db.execute(
        update(Notice).where(Notice.user_id == wanted.user_id,
                             Notice.organisation_id == wanted.organisation_id,
                             Notice.kind == wanted.kind.value,
                             Notice.delivery.in_((Delivery.PENDING.value, Delivery.HELD.value)))
        .values(delivery=Delivery.IN_APP.value).execution_options(synchronize_session=False))
    db.flush()
    return changed or bool(rowcount(waiting))
