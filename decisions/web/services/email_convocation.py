"""Convocation to general assemblies by e-mail, only for the members who agreed to it; the
others by post.

C. com. R225-63 (SA, so a SCIC or cooperative in SA form; wording of décret 2011-1473): a
company that wants to use electronic communication instead of the post for the
convocation (R225-68) proposes it to its members, who give their agreement by post or
electronically; without a member's agreement given at the latest 35 days before the date of
the next general assembly, the company convenes them by post. A member who agreed may ask
to go back to the post.

What the application does (docs/rules.md, "Convocation by e-mail", says why):
- no agreement until the member gives one: a member joining, and every member who existed
  before this rule was kept, is convened by post until they agree (a letter is always a
  valid convocation; an e-mail without agreement is not);
- the member gives or withdraws it on their preferences page; an admin records an agreement
  given on paper (with the paper's date) or a withdrawal received by letter;
- an agreement counts for a sitting when given at least 35 days before the assembly's date
  (the first convocation's, for a second one); a withdrawal counts at once;
- how each member was convened is fixed when the sitting is convened (``ConvenedMember``):
  agreeing or withdrawing later changes the next convocation, not that one.

Flask-free: the session and the clock are parameters; every agreement given, recorded or
withdrawn is an entry of the organisation's audit chain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, case, false, func, insert, literal, null, select, true
from sqlalchemy.orm import Session

from ..models import Assembly, College, ConvenedMember, Membership, Organisation, User
from . import ServiceError, audit
from .messages import N_

#: How long before the assembly an agreement must be given to count (R225-63: "au plus
#: tard trente-cinq jours avant la date de la prochaine assemblée générale").
LEAD = timedelta(days=35)


class ConsentError(ServiceError):
    """An agreement to electronic convocation that cannot be recorded."""


# Giving and withdrawing ------------------------------------------------------------------


def set_own(db: Session, user_id: int, membership_id: int, *, agree: bool,
            now: datetime) -> Membership:
    """The member agrees, from now, to be convened by e-mail by one organisation they belong
    to (an agreement given already keeps its date), or withdraws their agreement."""
    membership = db.scalar(select(Membership).where(
        Membership.id == membership_id, Membership.user_id == user_id,
        Membership.ended_at.is_(None)))
    if membership is None:
        raise ConsentError("membership.unknown",
                           N_("You are not a member of this organisation."))
    if agree and membership.email_convocation_agreed_at is None:
        _agree(db, membership, now, on_paper=False, actor=membership, now=now)
    elif not agree and membership.email_convocation_agreed_at is not None:
        _withdraw(db, membership, actor=membership, on_paper=False, now=now)
    return membership


def record_paper(db: Session, organisation: Organisation, member_id: int, actor: Membership,
                 *, given_on: date | None, now: datetime) -> Membership:
    """An admin records a member's agreement given on paper on the day ``given_on`` (in the
    organisation's time zone; counted from that day's start), or, with ``None``, the
    member's letter asking to be convened by post again. The day can be neither in the
    future nor before the membership began."""
    membership = db.scalar(select(Membership).where(
        Membership.id == member_id, Membership.organisation_id == organisation.id,
        Membership.ended_at.is_(None)))
    if membership is None:
        raise ConsentError("membership.unknown", N_("Choose a member of the organisation."))
    if given_on is None:
        if membership.email_convocation_agreed_at is None:
            raise ConsentError("convocation_consent.none",
                               N_("This member is convened by post already."))
        _withdraw(db, membership, actor=actor, on_paper=True, now=now)
        return membership
    zone = ZoneInfo(organisation.timezone)
    if given_on > now.astimezone(zone).date():
        raise ConsentError("convocation_consent.future",
                           N_("The date of the agreement cannot be in the future."),
                           field="given_on")
    if given_on < membership.joined_at.astimezone(zone).date():
        raise ConsentError("convocation_consent.before_joining",
                           N_("The date of the agreement cannot be older than the"
                              " membership."), field="given_on")
    given_at = datetime.combine(given_on, time(), tzinfo=zone).astimezone(UTC)
    _agree(db, membership, given_at, on_paper=True, actor=actor, now=now)
    return membership


def _agree(db: Session, membership: Membership, given_at: datetime, *, on_paper: bool,
           actor: Membership, now: datetime) -> None:
    membership.email_convocation_agreed_at = given_at
    db.flush()
    audit.record(db, membership.organisation_id, "email_convocation_agreed",
                 {"member": membership.id, "agreed_at": given_at, "on_paper": on_paper},
                 at=now, actor_id=actor.id)


def _withdraw(db: Session, membership: Membership, *, actor: Membership, on_paper: bool,
              now: datetime) -> None:
    membership.email_convocation_agreed_at = None
    db.flush()
    audit.record(db, membership.organisation_id, "email_convocation_withdrawn",
                 {"member": membership.id, "on_paper": on_paper}, at=now, actor_id=actor.id)


# Who is convened how ------------------------------------------------------------------------


def assembly_date(db: Session, assembly: Assembly) -> datetime:
    """The date of the assembly an agreement must precede by ``LEAD``: the first
    convocation's, for a sitting on second convocation (the same assembly)."""
    if assembly.first_sitting_id is not None:
        first = db.get(Assembly, assembly.first_sitting_id)
        if first is not None:
            return first.meets_at
    return assembly.meets_at


def counts_for(agreed_at: datetime | None, assembly_on: datetime) -> bool:
    """Whether an agreement of ``agreed_at`` lets the member be convened by e-mail to an
    assembly of ``assembly_on``."""
    return agreed_at is not None and agreed_at <= assembly_on - LEAD


def record(db: Session, assembly: Assembly) -> None:
    """Fix how each current member of the organisation is convened to the sitting, in one
    statement: by e-mail with an agreement that counts for it, else by post."""
    deadline = assembly_date(db, assembly) - LEAD
    agreed = Membership.email_convocation_agreed_at
    in_time = and_(agreed.is_not(None), agreed <= deadline)
    db.execute(insert(ConvenedMember).from_select(
        ["assembly_id", "membership_id", "by_email", "agreed_at"],
        select(literal(assembly.id), Membership.id, case((in_time, true()), else_=false()),
               case((in_time, agreed), else_=null()))
        .where(Membership.organisation_id == assembly.organisation_id,
               Membership.ended_at.is_(None))))


def recipients(assembly: Assembly, *, by_email: bool) -> Select[Any]:
    """The accounts convened to the sitting by e-mail (or by post), as a query."""
    return (select(Membership.user_id).join(
        ConvenedMember, ConvenedMember.membership_id == Membership.id)
        .where(ConvenedMember.assembly_id == assembly.id,
               ConvenedMember.by_email.is_(by_email)))


@dataclass(frozen=True, slots=True)
class Convened:
    """A member and how they are (or, before the convocation, would be) convened."""

    membership_id: int
    name: str
    college: str
    language: str | None
    by_email: bool
    agreed_at: datetime | None


def convened(db: Session, assembly: Assembly) -> list[Convened]:
    """How each member was convened to the sitting, by name; before it is convened, how
    each current member would be with the agreements given so far."""
    fixed = db.scalar(select(func.count()).select_from(ConvenedMember)
                      .where(ConvenedMember.assembly_id == assembly.id))
    if fixed:
        query = (select(Membership.id, User.name, College.name, User.language,
                        ConvenedMember.by_email, ConvenedMember.agreed_at)
                 .join(ConvenedMember, ConvenedMember.membership_id == Membership.id)
                 .where(ConvenedMember.assembly_id == assembly.id))
        rows = [Convened(m, n, c or "", lang, bool(e), a)
                for m, n, c, lang, e, a in db.execute(query.join(User).outerjoin(
                    College, College.id == Membership.college_id))]
    else:
        on = assembly_date(db, assembly)
        current = (select(Membership.id, User.name, College.name, User.language,
                          Membership.email_convocation_agreed_at).join(User)
                   .outerjoin(College, College.id == Membership.college_id)
                   .where(Membership.organisation_id == assembly.organisation_id,
                          Membership.ended_at.is_(None)))
        rows = [Convened(m, n, c or "", lang, counts_for(a, on), a if counts_for(a, on)
                         else None) for m, n, c, lang, a in db.execute(current)]
    return sorted(rows, key=lambda r: (r.name.casefold(), r.membership_id))


@dataclass(frozen=True, slots=True)
class Channels:
    """How many members were convened each way."""

    by_email: int
    by_post: int


def channels(db: Session, assembly: Assembly) -> Channels | None:
    """How many members were convened to the sitting by e-mail and by post (``None``: not
    convened, or convened before the application recorded it)."""
    rows = dict(db.execute(select(ConvenedMember.by_email, func.count())
                           .where(ConvenedMember.assembly_id == assembly.id)
                           .group_by(ConvenedMember.by_email)).all())
    if not rows:
        return None
    return Channels(by_email=int(rows.get(True, 0)), by_post=int(rows.get(False, 0)))
