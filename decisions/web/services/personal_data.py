"""Personal data as the GDPR asks, without breaking the record of decisions.

- **Access and portability**: ``export`` gathers everything the application holds about a
  person, as JSON: the page ``/account/data`` and ``decisions user export EMAIL`` give it.
  A secret round shows that they took part, never a position (none is stored).
- **Leaving**: a person closes their account (``close_account``), or an admin ends a
  membership. A person who belongs to no organisation any more is pseudonymised once every
  organisation they left has kept them the days it chose (``former_member_days``, 0 by
  default: at once): name "Former member 17", address ``former-17@invalid``, no password,
  no session, no feed, no token. Names and addresses live on the account only, so every
  page, list and e-mail that names them says the pseudonym from then on.
- **The record stays whole**: ballots, electorates, participations, counts and audit entries
  name members by ids, never by name or address, and are never deleted. The reasons and
  comments a former member wrote are kept ``record_years`` (10 by default: the statuts and
  the law keep minutes and registers), then replaced by ``REMOVED`` (``remove_writings``):
  a mark that is not empty, so that an objection that gave a reason still did. Ballots'
  fingerprints and stored cases cover those texts, so the removal is itself an audit entry
  (``writings_removed``) holding the new fingerprints and the hashes of the stored cases it
  rewrote, which ``audit.verify`` and ``recount`` read after the entries they supersede: the
  chain is never rewritten, the results never change (checked before anything is written).
- **Assemblies**: attendance, proxies, postal votes and a sitting's chair and secretary are
  ids too; the minutes and attendance sheets shown are drawn from them and the accounts'
  names, so they name a pseudonymised member by the pseudonym, with the same figures (the
  legal record is the minutes the chair and the secretary signed: README, "Personal data").
- **Retention** (``purge``): used or expired invitations, delivered notices, webhook
  deliveries and the answers kept for the API's Idempotency-Keys are deleted after the
  periods of ``Retention``; the scheduler runs
  ``keep_due`` every hour. Password reset links are signed and stateless (only their notice
  is stored, purged with the others); sign-in attempts are counted in the rate limiter's
  memory for minutes, never stored.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations
from sqlalchemy import Table, delete, exists, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from decisions.engine import CaseError, evaluate, load_case
from decisions.engine.results import time_json

from .. import round_cases
from ..models import (
    ApiToken,
    Assembly,
    Attendance,
    AuditEntry,
    Ballot,
    Circle,
    CircleMember,
    Comment,
    Delivery,
    DeliveryState,
    Elector,
    IdempotentAnswer,
    Invitation,
    Membership,
    Notice,
    NoticeKind,
    Organisation,
    Participation,
    PostalVote,
    Proposal,
    ProposalVersion,
    Proxy,
    Round,
    RoundEvent,
    RoundStatus,
    RoundTally,
    User,
    WebhookDelivery,
    WebhookEndpoint,
)
from ..transactions import begin_write, rowcount
from . import ServiceError, accounts, audit, organisations
from .messages import N_

#: What replaces a reason or a comment once the organisation's record no longer keeps it:
#: the editor's mark of a cut, the same in French and English, and never empty.
REMOVED = "[…]"
#: The name of a pseudonymised person, in the language of the organisations they left.
FORMER_MEMBER = N_("Former member %(number)d")
#: What a pseudonymised account's password hash becomes: no password ever matches it.
NO_PASSWORD = "!"  # noqa: S105 - the absence of a password, not one
#: Entry kinds of the audit chain written here.
WRITINGS_REMOVED = audit.WRITINGS_REMOVED
PSEUDONYMISED = "member_pseudonymised"
#: The keys of an audit entry's data that name a member (membership id) or a person
#: (account id): what finds the entries that name someone, for their export.
MEMBER_KEYS = frozenset({"member", "holder", "giver", "candidate", "nominee", "by",
                         "cast_by", "chair", "secretary"})
#: Limits of the organisation's settings.
MAX_FORMER_MEMBER_DAYS = 3650
MAX_RECORD_YEARS = 100
FORMAT = "decisions personal data export, version 1"
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
#: Rounds whose notices are kept while they run: reminders are written once per member,
#: and whether one was is read from them.
RUNNING = (RoundStatus.SCHEDULED, RoundStatus.OPEN)
#: Notices kept with their round (nothing personal beyond who was told): whether the
#: electors were told of a round's opening is what silence-as-consent rests on.
EVIDENCE = (NoticeKind.ROUND_OPENED.value,)
#: Deliveries that told the person (mailed alone or in a digest).
TOLD = (Delivery.SENT.value, Delivery.DIGESTED.value)
FINISHED = (Delivery.SENT.value, Delivery.DIGESTED.value, Delivery.FAILED.value,
            Delivery.IN_APP.value, Delivery.PRINTED.value)


logger = logging.getLogger(__name__)


class PersonalDataError(ServiceError):
    """A request about personal data that cannot be met."""


@dataclass(frozen=True, slots=True)
class Retention:
    """How many days what serves for a while only is kept after it served (the settings
    ``RETAIN_*``; README, "Personal data")."""

    invitations_days: int = 30
    notices_days: int = 90
    webhook_deliveries_days: int = 30
    #: Also how long the API answers a key again (``services.idempotency``).
    idempotency_keys_days: int = 1
    #: After an API token was revoked or expired (the account's list shows it meanwhile).
    api_tokens_days: int = 30


@dataclass(slots=True)
class Kept:
    """What one pass of ``keep_due`` did: accounts pseudonymised, members whose writings
    were removed, rows purged by kind (numbers only: the log says these)."""

    pseudonymised: int = 0
    writings_removed: int = 0
    purged: dict[str, int] = field(default_factory=dict)
    failed: int = 0

    def __str__(self) -> str:
        purged = ", ".join(f"{count} {name}" for name, count in sorted(self.purged.items())
                           if count) or "nothing"
        return (f"{self.pseudonymised} accounts pseudonymised, writings of"
                f" {self.writings_removed} former members removed, purged: {purged}"
                + (f", {self.failed} failed" if self.failed else ""))


# Names -----------------------------------------------------------------------------------


@cache
def _translations(language: str) -> NullTranslations:
    return Translations.load(str(TRANSLATIONS), [language])


def pseudonym(user_id: int, language: str = "en") -> str:
    """The name of a pseudonymised account: "Former member 17" (its account id, which the
    record's ids lead to), in ``language`` ("Ancien membre 17")."""
    return _translations(language).gettext(FORMER_MEMBER) % {"number": user_id}


def pseudonymous_email(user_id: int) -> str:
    """The address of a pseudonymised account: unique (the column is) and, under the
    reserved top-level domain ``.invalid`` (RFC 2606), never deliverable."""
    return f"former-{user_id}@invalid"


def written(text: str | None) -> bool:
    """Whether a reason or comment holds something a person wrote (not the mark)."""
    return bool(text and text.strip()) and text != REMOVED


# Access and portability ----------------------------------------------------------------


def _time(value: datetime | None) -> str | None:
    return None if value is None else time_json(value)


def _organisation(organisation: Organisation) -> dict[str, Any]:
    return {"id": organisation.id, "slug": organisation.slug, "name": organisation.name}


def _without_secrets(payload: str) -> Any:
    """A notice's payload without the tokens of its links (a pending notice holds them)."""
    try:
        data = json.loads(payload or "{}")
    except ValueError:
        return {}
    if isinstance(data, dict):
        return {key: value for key, value in data.items()
                if key not in ("token", "link", "link_hash")}
    return data


def export(db: Session, user: User, now: datetime) -> dict[str, Any]:
    """Everything the application holds about ``user``, as JSON values: the right of access
    and portability (GDPR art. 15 and 20). Other people appear by their ids only; secrets
    (password hash, token hashes, link tokens) never; a secret round as a participation."""
    memberships = list(db.scalars(select(Membership).where(Membership.user_id == user.id)
                                  .order_by(Membership.id)))
    ids = [m.id for m in memberships]
    return {
        "format": FORMAT,
        "exported_at": time_json(now),
        "profile": {"id": user.id, "name": user.name, "email": user.email,
                    "language": user.language, "created_at": _time(user.created_at),
                    "closed_at": _time(user.closed_at),
                    "pseudonymised_at": _time(user.pseudonymised_at),
                    "calendar_feed": user.calendar_token_hash is not None},
        "memberships": [_membership(db, m) for m in memberships],
        "proposals_written": _proposals(db, ids),
        "versions_written": _versions(db, ids),
        "positions": _positions(db, ids),
        "secret_participations": _participations(db, ids),
        "electorates": _electorates(db, ids),
        "comments": _comments(db, ids),
        "objection_records": _objection_records(db, ids),
        "rounds_closed": _rounds_closed(db, ids),
        "tallies_entered": _tallies(db, ids),
        "assemblies": _assemblies(db, ids),
        "notifications": _notices(db, user),
        "invitations_received": _invitations_received(db, user),
        "invitations_sent": _invitations_sent(db, user),
        "api_tokens": _tokens(db, user),
        "webhook_endpoints_created": _endpoints(db, ids),
        "audit_entries": _audit_entries(db, memberships, user.id),
    }


def _membership(db: Session, membership: Membership) -> dict[str, Any]:
    circles = list(db.scalars(select(Circle.name).join(CircleMember).where(
        CircleMember.membership_id == membership.id).order_by(Circle.name)))
    return {"id": membership.id, "organisation": _organisation(membership.organisation),
            "role": membership.role.value, "vote_weight": membership.vote_weight,
            "college": membership.college.name if membership.college else None,
            "circles": circles, "joined_at": _time(membership.joined_at),
            "ended_at": _time(membership.ended_at), "email_choice": membership.notify,
            "muted": membership.muted.split(),
            "email_convocation_agreed_at": _time(membership.email_convocation_agreed_at),
            "writings_removed_at": _time(membership.writings_removed_at)}


def _proposals(db: Session, ids: Sequence[int]) -> list[dict[str, Any]]:
    return [{"id": p.id, "organisation": p.organisation.slug, "title": p.title,
             "family": p.family, "status": p.status.value, "created_at": _time(p.created_at)}
            for p in db.scalars(select(Proposal).where(Proposal.author_id.in_(ids))
                                .order_by(Proposal.id))]


def _versions(db: Session, ids: Sequence[int]) -> list[dict[str, Any]]:
    return [{"proposal": v.proposal_id, "number": v.number, "title": v.title, "body": v.body,
             "summary": v.summary, "created_at": _time(v.created_at)}
            for v in db.scalars(select(ProposalVersion).where(
                ProposalVersion.author_id.in_(ids)).order_by(ProposalVersion.id))]


def _positions(db: Session, ids: Sequence[int]) -> list[dict[str, Any]]:
    rows = db.execute(
        select(Ballot, Round.proposal_id, Round.number, Round.kind, Organisation.slug,
               Elector.ballot_id)
        .join(Round, Round.id == Ballot.round_id)
        .join(Proposal, Proposal.id == Round.proposal_id)
        .join(Organisation, Organisation.id == Proposal.organisation_id)
        .outerjoin(Elector, (Elector.round_id == Ballot.round_id)
                   & (Elector.membership_id == Ballot.membership_id))
        .where(Ballot.membership_id.in_(ids), Proposal.secret.is_(False))
        .order_by(Ballot.id))
    return [{"ballot": ballot.id, "organisation": slug, "proposal": proposal_id,
             "round": ballot.round_id, "round_number": number, "round_kind": kind.value,
             "position": ballot.position, "reason": ballot.reason, "concern": ballot.concern,
             "nominee_member": ballot.nominee_id, "cast_at": _time(ballot.cast_at),
             "cast_by_member": ballot.cast_by_id, "counted": counted == ballot.id}
            for ballot, proposal_id, number, kind, slug, counted in rows]


def _participations(db: Session, ids: Sequence[int]) -> list[dict[str, Any]]:
    rows = db.execute(select(Participation.round_id, Round.proposal_id, Organisation.slug,
                             Participation.at)
                      .join(Round, Round.id == Participation.round_id)
                      .join(Proposal, Proposal.id == Round.proposal_id)
                      .join(Organisation, Organisation.id == Proposal.organisation_id)
                      .where(Participation.membership_id.in_(ids))
                      .order_by(Participation.at))
    return [{"organisation": slug, "proposal": proposal_id, "round": round_id,
             "took_part_at": _time(at)} for round_id, proposal_id, slug, at in rows]


def _electorates(db: Session, ids: Sequence[int]) -> list[dict[str, Any]]:
    rows = db.execute(select(Elector.round_id, Round.proposal_id, Elector.college,
                             Elector.vote_weight)
                      .join(Round, Round.id == Elector.round_id)
                      .where(Elector.membership_id.in_(ids)).order_by(Elector.round_id))
    return [{"round": round_id, "proposal": proposal_id, "college": college,
             "vote_weight": weight} for round_id, proposal_id, college, weight in rows]


def _comments(db: Session, ids: Sequence[int]) -> list[dict[str, Any]]:
    return [{"id": c.id, "round": c.round_id, "body": c.body,
             "created_at": _time(c.created_at)}
            for c in db.scalars(select(Comment).where(Comment.membership_id.in_(ids))
                                .order_by(Comment.id))]


def _objection_records(db: Session, ids: Sequence[int]) -> list[dict[str, Any]]:
    return [{"round": e.round_id, "kind": e.kind, "result": e.result,
             "decided_by": e.decided_by, "rationale": e.rationale, "at": _time(e.at),
             "as": "objector" if e.membership_id in ids else "recorder"}
            for e in db.scalars(select(RoundEvent).where(or_(
                RoundEvent.membership_id.in_(ids), RoundEvent.recorded_by_id.in_(ids)))
                .order_by(RoundEvent.id))]


def _rounds_closed(db: Session, ids: Sequence[int]) -> list[dict[str, Any]]:
    return [{"round": r.id, "proposal": r.proposal_id, "status": r.status.value,
             "closed_at": _time(r.closed_at)}
            for r in db.scalars(select(Round).where(Round.closed_by_id.in_(ids))
                                .order_by(Round.id))]


def _tallies(db: Session, ids: Sequence[int]) -> list[dict[str, Any]]:
    return [{"round": t.round_id, "college": t.college, "entered_at": _time(t.entered_at)}
            for t in db.scalars(select(RoundTally).where(RoundTally.entered_by_id.in_(ids))
                                .order_by(RoundTally.id))]


def _assemblies(db: Session, ids: Sequence[int]) -> list[dict[str, Any]]:
    """What the general assemblies hold of the person: their role in the chair, their
    attendance, the proxies they gave or held, their postal votes (a secret resolution's
    without position: none is stored)."""
    found: list[dict[str, Any]] = []
    for assembly in db.scalars(select(Assembly).where(or_(
            Assembly.chair_id.in_(ids), Assembly.secretary_id.in_(ids))).order_by(Assembly.id)):
        found.append({"assembly": assembly.id, "as": "chair" if assembly.chair_id in ids
                      else "secretary", "meets_at": _time(assembly.meets_at)})
    found += [{"assembly": a.assembly_id, "as": "attendee", "mode": a.mode.value,
               "checked_in_at": _time(a.checked_in_at), "left_at": _time(a.left_at)}
              for a in db.scalars(select(Attendance).where(Attendance.membership_id.in_(ids))
                                  .order_by(Attendance.assembly_id))]
    found += [{"assembly": p.assembly_id,
               "as": "proxy giver" if p.giver_id in ids else "proxy holder",
               "giver_member": p.giver_id, "holder_member": p.holder_id,
               "given_at": _time(p.given_at), "revoked_at": _time(p.revoked_at),
               "used_at": _time(p.used_at)}
              for p in db.scalars(select(Proxy).where(or_(
                  Proxy.giver_id.in_(ids), Proxy.holder_id.in_(ids))).order_by(Proxy.id))]
    found += [{"assembly": v.assembly_id, "as": "postal voter", "agenda_item": v.agenda_item_id,
               "position": v.position, "received_at": _time(v.received_at)}
              for v in db.scalars(select(PostalVote).where(PostalVote.membership_id.in_(ids))
                                  .order_by(PostalVote.id))]
    return found


def _notices(db: Session, user: User) -> list[dict[str, Any]]:
    return [{"id": n.id, "kind": n.kind, "organisation": n.organisation_id,
             "proposal": n.proposal_id, "round": n.round_id,
             "payload": _without_secrets(n.payload), "created_at": _time(n.created_at),
             "delivery": n.delivery, "sent_at": _time(n.sent_at), "read_at": _time(n.read_at)}
            for n in db.scalars(select(Notice).where(or_(
                Notice.user_id == user.id, func.lower(Notice.email) == user.email.lower()))
                .order_by(Notice.id))]


def _invitations_received(db: Session, user: User) -> list[dict[str, Any]]:
    return [{"id": i.id, "organisation": _organisation(i.organisation), "role": i.role.value,
             "created_at": _time(i.created_at), "expires_at": _time(i.expires_at),
             "used_at": _time(i.used_at)}
            for i in db.scalars(select(Invitation).where(
                func.lower(Invitation.email) == user.email.lower()).order_by(Invitation.id))]


def _invitations_sent(db: Session, user: User) -> list[dict[str, Any]]:
    # The invited person's address is theirs, not the inviter's: left out.
    return [{"id": i.id, "organisation": i.organisation.slug, "role": i.role.value,
             "created_at": _time(i.created_at), "used": i.used_at is not None}
            for i in db.scalars(select(Invitation).where(Invitation.invited_by_id == user.id)
                                .order_by(Invitation.id))]


def _tokens(db: Session, user: User) -> list[dict[str, Any]]:
    return [{"id": t.id, "name": t.name, "prefix": t.prefix, "scopes": t.scopes.split(),
             "organisation": t.organisation_id, "created_at": _time(t.created_at),
             "expires_at": _time(t.expires_at), "last_used_at": _time(t.last_used_at),
             "revoked_at": _time(t.revoked_at)}
            for t in db.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                .order_by(ApiToken.id))]


def _endpoints(db: Session, ids: Sequence[int]) -> list[dict[str, Any]]:
    return [{"id": e.id, "organisation": e.organisation_id, "description": e.description,
             "created_at": _time(e.created_at)}
            for e in db.scalars(select(WebhookEndpoint).where(
                WebhookEndpoint.created_by_id.in_(ids)).order_by(WebhookEndpoint.id))]


def names_someone(data: Any, members: set[int], user_id: int) -> bool:
    """Whether an audit entry's data names one of ``members`` (membership ids) or the
    account ``user_id``, at any depth."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key in MEMBER_KEYS and isinstance(value, int) and value in members:
                return True
            if key == "user" and value == user_id:
                return True
            if isinstance(value, dict | list) and names_someone(value, members, user_id):
                return True
    elif isinstance(data, list):
        return any(names_someone(item, members, user_id) for item in data)
    return False


def _audit_entries(db: Session, memberships: Sequence[Membership],
                   user_id: int) -> list[dict[str, Any]]:
    """The sealed entries that name the person (by membership id or account id) or that
    one of their memberships made, in each organisation they belonged to: ids only, as the
    chain holds them."""
    found = []
    for organisation_id in sorted({m.organisation_id for m in memberships}):
        members = {m.id for m in memberships if m.organisation_id == organisation_id}
        # A cheap filter first (the ids' digits in the text), then the JSON decides.
        mentions = [AuditEntry.data.contains(f":{number}") for number in (*members, user_id)]
        for entry in db.scalars(select(AuditEntry).where(
                AuditEntry.organisation_id == organisation_id, AuditEntry.seq.is_not(None),
                or_(AuditEntry.actor_id.in_(members), *mentions)).order_by(AuditEntry.seq)):
            data = json.loads(entry.data)
            if entry.actor_id in members or names_someone(data, members, user_id):
                found.append({"organisation": organisation_id, "seq": entry.seq,
                              "kind": entry.kind, "at": _time(entry.at),
                              "actor_member": entry.actor_id, "data": data,
                              "hash": entry.hash})
    return found


# The organisation's settings -----------------------------------------------------------


def update_settings(db: Session, organisation: Organisation, *, contact: str,
                    former_member_days: int, record_years: int, public_names: bool,
                    now: datetime) -> Organisation:
    """Set who answers data requests, how long a former member's name and address and the
    reasons and comments they wrote are kept, and whether public pages may name members;
    the periods and the choice are recorded in the audit chain (the contact is not: it may
    be a person's address)."""
    contact = contact.strip()
    if len(contact) > 254 or "\n" in contact:
        raise PersonalDataError("privacy.contact", N_("Give one address of at most 254"
                                                      " characters."), field="contact")
    if not 0 <= former_member_days <= MAX_FORMER_MEMBER_DAYS:
        raise PersonalDataError("privacy.former_member_days",
                                N_("Choose a number of days from 0 to %(max)d."),
                                field="former_member_days",
                                params={"max": MAX_FORMER_MEMBER_DAYS})
    if not 0 <= record_years <= MAX_RECORD_YEARS:
        raise PersonalDataError("privacy.record_years",
                                N_("Choose a number of years from 0 to %(max)d."),
                                field="record_years", params={"max": MAX_RECORD_YEARS})
    organisation.privacy_contact = contact
    organisation.former_member_days = former_member_days
    organisation.record_years = record_years
    organisation.public_names = public_names
    db.flush()
    audit.record(db, organisation.id, "privacy_settings_changed",
                 {"former_member_days": former_member_days, "record_years": record_years,
                  "public_names": public_names}, at=now)
    return organisation


# Leaving ------------------------------------------------------------------------------


def close_account(db: Session, user: User, *, password: str, now: datetime) -> bool:
    """Close one's own account (GDPR art. 17): no sign-in from now on; every membership
    ends (refused while the person is the last admin of an organisation, named in the
    error); the account is pseudonymised as soon as the organisations they leave allow (at
    once by default). Whether it was pseudonymised now."""
    if accounts.authenticate(db, user.email, password) is None:
        raise PersonalDataError("account.current_password_wrong",
                                N_("This is not your current password."), field="password")
    user.closed_at = now
    accounts.end_sessions(db, user)
    user.calendar_token_hash = None
    db.execute(update(ApiToken).where(ApiToken.user_id == user.id,
                                      ApiToken.revoked_at.is_(None)).values(revoked_at=now))
    for membership in organisations.organisations_of(db, user):
        try:
            organisations.remove_membership(db, membership, now=now)
        except organisations.OrganisationError as error:
            raise PersonalDataError(
                "account.last_admin",
                N_("You are the last admin of %(organisation)s: make another member admin"
                   " there before closing your account."),
                params={"organisation": membership.organisation.name}) from error
    db.flush()
    pseudonymise_if_due(db, user, now)  # when no membership ended it just now
    return user.pseudonymised_at is not None


def membership_ended(db: Session, membership: Membership, now: datetime) -> None:
    """What follows the end of a membership at once when the organisation keeps nothing
    (its periods at 0): the person is pseudonymised if they belong nowhere any more, their
    writings here are removed. Otherwise ``keep_due`` does it when the time comes."""
    pseudonymise_if_due(db, membership.user, now)
    if membership.organisation.record_years == 0 and writings_due_at(membership) is not None:
        try:
            with db.begin_nested():
                remove_writings(db, membership, now)
        except PersonalDataError as error:  # the membership ends all the same
            logger.warning("The writings of member %d are kept: %s", membership.id, error)


def pseudonymisation_due(db: Session, user: User) -> datetime | None:
    """When the account is to be pseudonymised: once it belongs to no organisation, at the
    latest end of a membership plus that organisation's ``former_member_days``; a closed
    account that never belonged anywhere, when closed. ``None``: not to be (a current
    member, an account in use, or done already)."""
    if user.pseudonymised_at is not None:
        return None
    rows = db.execute(select(Membership.ended_at, Organisation.former_member_days)
                      .join(Organisation, Organisation.id == Membership.organisation_id)
                      .where(Membership.user_id == user.id)).all()
    if not rows:
        return user.closed_at
    ends = [(ended, days) for ended, days in rows if ended is not None]
    if len(ends) < len(rows):  # a current member
        return None
    return max(ended + timedelta(days=days) for ended, days in ends)


def pseudonymise_if_due(db: Session, user: User, now: datetime) -> bool:
    """Pseudonymise the account if it is due at ``now``; whether it was."""
    due = pseudonymisation_due(db, user)
    if due is None or due > now:
        return False
    pseudonymise(db, user, now)
    return True


def _language_of(db: Session, user: User) -> str:
    """The language the pseudonym is written in: that of the organisation the person left
    last (its members read it), else their own."""
    language = db.scalar(select(Organisation.language).join(Membership).where(
        Membership.user_id == user.id).order_by(Membership.ended_at.desc(),
                                                Membership.id.desc()).limit(1))
    return language or user.language or "en"


def pseudonymise(db: Session, user: User, now: datetime) -> None:
    """Replace the person's name and address by a pseudonym, for good: the account cannot
    sign in again, its sessions, feed and tokens stop; its notices go (but the record that
    it was told of a round's opening), and so do the invitations to its address that
    served; the name or address copied into stored messages is replaced too. Ballots,
    electorates, participations and audit entries keep the ids they hold. An entry in each
    organisation's chain says that its former member was pseudonymised (by ids)."""
    name, email = user.name, user.email
    user.name = pseudonym(user.id, _language_of(db, user))
    user.email = pseudonymous_email(user.id)
    user.password_hash = NO_PASSWORD
    user.language = None
    user.calendar_token_hash = None
    user.closed_at = user.closed_at or now
    user.pseudonymised_at = now
    accounts.end_sessions(db, user)
    db.execute(update(ApiToken).where(ApiToken.user_id == user.id)
               .values(name="", revoked_at=func.coalesce(ApiToken.revoked_at, now)))
    db.execute(delete(Notice).where(Notice.user_id == user.id, or_(
        Notice.kind.not_in(EVIDENCE), Notice.delivery.not_in(TOLD))))
    db.execute(update(Notice).where(Notice.user_id == user.id).values(payload="{}", email=None))
    db.execute(delete(Notice).where(func.lower(Notice.email) == email.lower()))
    db.execute(delete(Invitation).where(func.lower(Invitation.email) == email.lower(),
                                        or_(Invitation.used_at.is_not(None),
                                            Invitation.expires_at <= now)))
    replacements = {name: user.name, email: user.email}
    for table, key, column in _STORED_MESSAGES:
        _replace_in_json(db, table, key, column, replacements)
    db.flush()
    for membership_id, organisation_id in db.execute(
            select(Membership.id, Membership.organisation_id)
            .where(Membership.user_id == user.id).order_by(Membership.id)):
        audit.record(db, organisation_id, PSEUDONYMISED,
                     {"member": membership_id, "user": user.id}, at=now)


#: JSON texts that may hold a copy of a person's name or address (an invitation's inviter,
#: a webhook's message): (table, key column, column).
_STORED_MESSAGES: tuple[tuple[Any, str, str], ...] = (
    (Notice.__table__, "id", "payload"),
    (WebhookDelivery.__table__, "id", "payload"),
)


def _replace_in_json(db: Session, table: Table, key: str, column: str,
                     replacements: dict[str, str]) -> int:
    """In the JSON texts of ``table.column`` that hold one of ``replacements``' keys,
    replace each string value equal to one of them (an address also inside a longer string);
    how many rows changed."""
    text = table.c[column]
    wanted = [old for old in replacements if old]
    if not wanted:
        return 0
    changed = 0
    for row_id, value in db.execute(select(table.c[key], text).where(
            or_(*[text.contains(json.dumps(old, ensure_ascii=ascii)[1:-1], autoescape=True)
                  for old in wanted for ascii in (False, True)]))).all():
        try:
            data = json.loads(value)
        except ValueError:
            continue
        new = _replaced(data, replacements)
        if new != data:
            db.execute(update(table).where(table.c[key] == row_id)
                       .values({column: json.dumps(new, ensure_ascii=False)}))
            changed += 1
    return changed


def _replaced(data: Any, replacements: dict[str, str]) -> Any:
    if isinstance(data, dict):
        return {key: _replaced(value, replacements) for key, value in data.items()}
    if isinstance(data, list):
        return [_replaced(item, replacements) for item in data]
    if isinstance(data, str):
        if data in replacements:
            return replacements[data]
        for old, new in replacements.items():
            if "@" in old and old in data:  # an address inside a sentence
                data = data.replace(old, new)
    return data


# The record: reasons and comments -------------------------------------------------------


def remove_writings(db: Session, membership: Membership, now: datetime) -> bool:
    """Replace the reasons, concerns and comments a former member wrote by ``REMOVED``, in
    their rows, in the stored cases of the closed rounds that hold them, and in the notices
    that quote them; then record the ballots' new fingerprints and the cases' new hashes in
    the chain (``writings_removed``), so that verification and recounts go on passing.
    Refused (``PersonalDataError``, nothing written) if a rewritten case would not give its
    stored result again. Whether anything changed."""
    if membership.ended_at is None:
        raise PersonalDataError("writings.current_member",
                                N_("The writings of a current member are kept."))
    ballots = [ballot for ballot in db.scalars(select(Ballot).where(
        Ballot.membership_id == membership.id).order_by(Ballot.id))
        if written(ballot.reason) or written(ballot.concern)]
    for ballot in ballots:
        if written(ballot.reason):
            ballot.reason = REMOVED
        if written(ballot.concern):
            ballot.concern = REMOVED
    comments = [comment for comment in db.scalars(select(Comment).where(
        Comment.membership_id == membership.id).order_by(Comment.id))
        if written(comment.body)]
    for comment in comments:
        comment.body = REMOVED
    db.flush()
    cases = _rewrite_cases(db, membership, {ballot.round_id for ballot in ballots})
    _remove_quotes(db, {ballot.id for ballot in ballots})
    membership.writings_removed_at = now
    db.flush()
    if not (ballots or comments or cases):
        return False
    audit.record(db, membership.organisation_id, WRITINGS_REMOVED, {
        "member": membership.id, "comments": len(comments),
        "fingerprints": {str(ballot.id): audit.ballot_fingerprint(ballot)
                         for ballot in ballots},
        "cases": cases}, at=now)
    return True


def _rewrite_cases(db: Session, membership: Membership,
                   round_ids: set[int]) -> dict[str, str]:
    """Remove the member's reasons from the stored cases of the closed rounds of the
    proposals where they gave one (a sociocratic case holds its proposal's whole log): the
    new hash of each case rewritten, by round id."""
    if not round_ids:
        return {}
    key = round_cases.member_key(membership.id)
    proposals = select(Round.proposal_id).where(Round.id.in_(round_ids))
    hashes = {}
    for round_ in db.scalars(select(Round).where(Round.proposal_id.in_(proposals),
                                                 Round.case_json.is_not(None))
                             .order_by(Round.id)):
        if round_.case_json is None:  # the query says it is not
            continue
        text = redacted_case(round_.case_json, key)
        if text == round_.case_json:
            continue
        _check_same_result(round_, text)
        round_.case_json = text
        hashes[str(round_.id)] = audit.sha256(text)
    db.flush()
    return hashes


def redacted_case(text: str, key: str) -> str:
    """A stored case (JSON text, as ``close_round`` wrote it) with the reasons and concerns
    of the member ``key`` replaced by ``REMOVED``: their positions, nominations and changes,
    not the events others recorded. The same text when there is nothing to replace."""
    case = json.loads(text)
    changed = False
    entries = case.get("ballots") if isinstance(case, dict) else None
    for entry in entries if isinstance(entries, list) else ():
        if not (isinstance(entry, dict) and entry.get("voter") == key
                and entry.get("type") in (None, "position", "nomination", "change")):
            continue
        for name in ("reason", "concern"):
            value = entry.get(name)
            if isinstance(value, str) and written(value):
                entry[name] = REMOVED
                changed = True
    return json.dumps(case, ensure_ascii=False) if changed else text


def _check_same_result(round_: Round, text: str) -> None:
    """Refuse a rewritten case from which the engine would not find the stored result."""
    stored = json.loads(round_.result_json or "null")
    try:
        again = json.loads(json.dumps(evaluate(load_case(json.loads(text))).to_json()))
    except CaseError:
        again = None
    if again != stored:
        raise PersonalDataError("writings.result_changed",
                                N_("Removing these writings would change a result: they are"
                                   " kept."), params={"round": round_.id})


def _remove_quotes(db: Session, ballot_ids: set[int]) -> None:
    """Objection notices quote the objector's reason: replaced by the mark too."""
    if not ballot_ids:
        return
    for notice in db.scalars(select(Notice).where(Notice.kind == NoticeKind.OBJECTION.value)):
        data = json.loads(notice.payload or "{}")
        if isinstance(data, dict) and data.get("ballot_id") in ballot_ids and written(
                data.get("reason")):
            data["reason"] = REMOVED
            notice.payload = json.dumps(data, ensure_ascii=False)


def writings_due_at(membership: Membership) -> datetime | None:
    """When a former member's writings leave the record: ``record_years`` after their
    membership ended (the same day of the year; 28 February for a 29th); ``None`` for a
    current member or when done since they last left (one who came back and left again
    wrote more)."""
    ended, removed = membership.ended_at, membership.writings_removed_at
    if ended is None or (removed is not None and removed >= ended):
        return None
    years = membership.organisation.record_years
    try:
        return ended.replace(year=ended.year + years)
    except ValueError:  # 29 February
        return ended.replace(year=ended.year + years, day=28)


# Retention -----------------------------------------------------------------------------


def purge(db: Session, now: datetime, retention: Retention) -> dict[str, int]:
    """Delete what served and whose period has passed: invitations used or expired more
    than ``invitations_days`` ago; notices delivered (sent, in a digest, given up, shown in
    the application) more than ``notices_days`` ago, except those of a round still running
    and the record that a member was told of a round's opening; webhook deliveries done
    (answered or given up) more than ``webhook_deliveries_days`` ago; the answers kept for
    the API's Idempotency-Keys sent ``idempotency_keys_days`` ago or more (no longer
    answered again); API tokens revoked or expired more than ``api_tokens_days`` ago. How
    many of each."""
    invited_before = now - timedelta(days=retention.invitations_days)
    notified_before = now - timedelta(days=retention.notices_days)
    delivered_before = now - timedelta(days=retention.webhook_deliveries_days)
    keys_before = now - timedelta(days=retention.idempotency_keys_days)
    tokens_before = now - timedelta(days=retention.api_tokens_days)
    running = exists().where(Round.id == Notice.round_id, Round.status.in_(RUNNING))
    counts = {
        "invitations": _deleted(db, delete(Invitation).where(or_(
            Invitation.used_at < invited_before,
            Invitation.used_at.is_(None) & (Invitation.expires_at < invited_before)))),
        "notices": _deleted(db, delete(Notice).where(
            Notice.delivery.in_(FINISHED), Notice.created_at < notified_before,
            Notice.kind.not_in(EVIDENCE), ~running)),
        "webhook deliveries": _deleted(db, delete(WebhookDelivery).where(
            WebhookDelivery.state.in_((DeliveryState.SENT.value, DeliveryState.FAILED.value)),
            WebhookDelivery.created_at < delivered_before)),
        "idempotency keys": _deleted(db, delete(IdempotentAnswer).where(
            IdempotentAnswer.created_at <= keys_before)),
        "api tokens": _deleted(db, delete(ApiToken).where(or_(
            ApiToken.revoked_at < tokens_before, ApiToken.expires_at < tokens_before))),
    }
    db.flush()
    return counts


def _deleted(db: Session, statement: Any) -> int:
    result = db.execute(statement.execution_options(synchronize_session=False))
    return rowcount(result)


def accounts_due(db: Session, now: datetime) -> list[int]:
    """The accounts to pseudonymise at ``now``: not done yet, belonging to no organisation
    now, and either closed or with every organisation's period passed."""
    current = exists().where(Membership.user_id == User.id, Membership.ended_at.is_(None))
    belonged = exists().where(Membership.user_id == User.id)
    candidates = db.scalars(select(User).where(
        User.pseudonymised_at.is_(None), ~current,
        or_(belonged, User.closed_at.is_not(None))).order_by(User.id))
    found = []
    for user in candidates:
        due = pseudonymisation_due(db, user)
        if due is not None and due <= now:
            found.append(user.id)
    return found


def writings_due(db: Session, now: datetime) -> list[int]:
    """The memberships whose writings leave the record at ``now``."""
    ended = db.scalars(select(Membership).where(
        Membership.ended_at.is_not(None),
        Membership.writings_removed_at.is_(None)
        | (Membership.writings_removed_at < Membership.ended_at)).order_by(Membership.id))
    return [m.id for m in ended if (due := writings_due_at(m)) is not None and due <= now]


def keep_due(sessions: sessionmaker[Session], now: datetime, retention: Retention) -> Kept:
    """The scheduler's pass (hourly): pseudonymise the accounts due, remove the writings
    due, purge what served; each account and member in a transaction of its own, so that
    one refused (a case that would count otherwise) never holds the others back."""
    kept = Kept()
    with sessions() as db:
        users, members = accounts_due(db, now), writings_due(db, now)
    for user_id in users:
        with sessions() as db:
            user = begin_write(db).get(User, user_id)
            if user is not None and pseudonymise_if_due(db, user, now):
                kept.pseudonymised += 1
            db.commit()
    for membership_id in members:
        try:
            with sessions() as db:
                membership = begin_write(db).get(Membership, membership_id)
                if membership is not None and writings_due_at(membership) is not None:
                    remove_writings(db, membership, now)
                    kept.writings_removed += 1
                db.commit()
        except PersonalDataError as error:
            logger.warning("The writings of member %d are kept: %s", membership_id, error)
            kept.failed += 1
    with sessions() as db:
        kept.purged = purge(begin_write(db), now, retention)
        db.commit()
    return kept


def summary(data: dict[str, Any]) -> list[tuple[str, int]]:
    """How many items each part of an export holds, in its order (the page shows these)."""
    return [(key, len(value)) for key, value in data.items() if isinstance(value, list)]


def find_organisation(db: Session, slug: str) -> Organisation | None:
    """The organisation of ``slug``, for its public privacy page."""
    return db.scalar(select(Organisation).where(Organisation.slug == slug))
