"""Invitations: an admin invites someone by e-mail; the link in the e-mail lets them join,
once, before it expires. Only the SHA-256 hash of the link's token is stored."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..models import College, Invitation, InvitationStatus, Membership, Organisation, Role, User
from . import ServiceError
from .accounts import check_new_password, create_user, find_by_email, normalise_email
from .messages import N_
from .organisations import membership_of

TOKEN_BYTES = 32


class InvitationError(ServiceError):
    """An invitation that cannot be made or accepted."""


class InvitationNotFound(InvitationError):
    """No invitation has this token or id: it never existed, or was revoked."""


class InvitationGone(InvitationError):
    """The invitation existed but can no longer be used: it was used, or it expired."""


@dataclass(frozen=True, slots=True)
class Invited:
    """A new invitation, the token of its link (only its hash is stored: e-mail it now), and
    the language of the invited person's account, if they have one."""

    invitation: Invitation
    token: str
    language: str | None


def hash_token(token: str) -> str:
    """What is stored of a token: its SHA-256 hash, in hexadecimal."""
    return hashlib.sha256(token.encode()).hexdigest()


def invitations_of(db: Session, organisation: Organisation) -> list[Invitation]:
    """The organisation's invitations, newest first."""
    return list(db.scalars(
        select(Invitation).where(Invitation.organisation_id == organisation.id)
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())))


def invite(db: Session, organisation: Organisation, invited_by: User, *, email: str,
           role: Role, college_id: int | None = None, days: int, now: datetime) -> Invited:
    """Invite someone to join ``organisation`` with ``role`` and maybe a college, for
    ``days`` from ``now``; the caller e-mails them the link in the same transaction (if the
    e-mail cannot go, no invitation is recorded). Refused for a current member, for an
    address with a pending invitation, and for a college of another organisation."""
    email = normalise_email(email)
    account = find_by_email(db, email)
    if account is not None and membership_of(db, account, organisation) is not None:
        raise InvitationError("invitation.already_member",
                              N_("%(email)s is already a member of this organisation."),
                              field="email", params={"email": email})
    pending = db.scalar(select(Invitation.id).where(
        Invitation.organisation_id == organisation.id, func.lower(Invitation.email) == email,
        Invitation.used_at.is_(None), Invitation.expires_at > now))
    if pending is not None:
        raise InvitationError("invitation.pending", N_("An invitation to this address is still"
                                                       " pending. Revoke it first to send a new"
                                                       " one."), field="email")
    if college_id is not None and db.scalar(select(College.id).where(
            College.id == college_id, College.organisation_id == organisation.id)) is None:
        raise InvitationError("invitation.unknown_college",
                              N_("Choose one of the organisation's colleges."), field="college")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    invitation = Invitation(
        organisation_id=organisation.id, email=email, role=role, college_id=college_id,
        token_hash=hash_token(token), created_at=now, invited_by_id=invited_by.id,
        expires_at=now + timedelta(days=days))
    db.add(invitation)
    db.flush()
    return Invited(invitation, token, account.language if account is not None else None)


def revoke(db: Session, organisation: Organisation, invitation_id: int,
           now: datetime) -> Invitation:
    """Withdraw a pending invitation: it is deleted, so its link leads nowhere."""
    invitation = db.scalar(select(Invitation).where(
        Invitation.id == invitation_id, Invitation.organisation_id == organisation.id))
    if invitation is None:
        raise InvitationNotFound("invitation.unknown", N_("There is no such invitation."))
    if invitation.status(now) is not InvitationStatus.PENDING:
        raise InvitationError("invitation.not_pending",
                              N_("Only a pending invitation can be revoked."))
    db.delete(invitation)
    db.flush()
    return invitation


def pending_invitation(db: Session, token: str, now: datetime) -> Invitation:
    """The invitation of a link, if it can still be accepted at ``now``; else
    :class:`InvitationNotFound` or :class:`InvitationGone`."""
    invitation = db.scalar(select(Invitation).where(Invitation.token_hash == hash_token(token)))
    if invitation is None:
        raise InvitationNotFound("invitation.unknown", N_(
            "This invitation link is not valid: the invitation was revoked, or the link was"
            " not copied whole. Ask an admin of the organisation for a new invitation."))
    status = invitation.status(now)
    if status is InvitationStatus.USED:
        raise InvitationGone("invitation.used", N_(
            "This invitation has already been used. If you accepted it, sign in to reach"
            " the organisation."))
    if status is InvitationStatus.EXPIRED:
        raise InvitationGone("invitation.expired", N_(
            "This invitation has expired. Ask an admin of the organisation for a new one."))
    return invitation


def accept_with_new_account(db: Session, token: str, *, name: str, password: str,
                            now: datetime) -> Membership:
    """Accept an invitation by creating the account of its e-mail address."""
    invitation = pending_invitation(db, token, now)
    check_new_password(password)
    user = create_user(db, email=invitation.email, name=name, password=password, now=now)
    return _join(db, invitation, user, now)


def accept(db: Session, token: str, user: User, now: datetime) -> Membership:
    """Accept an invitation as the signed-in account of its e-mail address."""
    invitation = pending_invitation(db, token, now)
    if normalise_email(user.email) != normalise_email(invitation.email):
        raise InvitationError("invitation.other_address",
                              N_("This invitation is for another e-mail address."))
    if membership_of(db, user, invitation.organisation) is not None:
        raise InvitationError("invitation.already_joined",
                              N_("You are already a member of this organisation."))
    return _join(db, invitation, user, now)


def _join(db: Session, invitation: Invitation, user: User, now: datetime) -> Membership:
    # Claim the invitation with one conditional update: of two people accepting at once,
    # exactly one finds it still unused.
    claimed = db.scalar(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.used_at.is_(None),
               Invitation.expires_at > now)
        .values(used_at=now).returning(Invitation.id))
    if claimed is None:
        raise InvitationGone("invitation.used", N_("This invitation has already been used."))
    membership = db.scalar(select(Membership).where(
        Membership.organisation_id == invitation.organisation_id,
        Membership.user_id == user.id))
    if membership is None:
        membership = Membership(organisation_id=invitation.organisation_id, user=user)
        db.add(membership)
    # A former member joins again through their ended membership (one per person and
    # organisation), which keeps the history of their earlier rounds.
    membership.role, membership.college_id = invitation.role, invitation.college_id
    membership.joined_at, membership.ended_at = now, None
    db.flush()
    return membership
