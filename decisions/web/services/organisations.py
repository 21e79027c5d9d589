"""Organisations: creating them, their settings, finding and changing memberships."""

from __future__ import annotations

import functools
from collections.abc import Collection
from datetime import datetime
from zoneinfo import available_timezones

from sqlalchemy import Select, bindparam, delete, func, select
from sqlalchemy.orm import Session, selectinload

from ..models import CircleMember, College, Membership, Organisation, Role, User
from . import ServiceError, audit
from .messages import N_

MAX_VOTE_WEIGHT = 1_000_000


class OrganisationError(ServiceError):
    """A change to an organisation, its members, circles or colleges that cannot be made."""


#: Files of the time zone database that name no place: the server's own zone and defaults.
NOT_PLACES = frozenset({"localtime", "posixrules", "Factory"})


@functools.cache
def time_zones() -> frozenset[str]:
    """The names of the time zones this system knows (read once: it scans the disk)."""
    return frozenset(available_timezones()) - NOT_PLACES


def create_organisation(db: Session, creator: User, *, name: str, slug: str,
                        is_scic: bool = True, now: datetime) -> Organisation:
    """A new organisation, created at ``now``, whose creator is its first admin."""
    if db.scalar(select(Organisation.id).where(Organisation.slug == slug)) is not None:
        raise OrganisationError("organisation.slug_taken",
                                N_("This short name is already taken."), field="slug")
    organisation = Organisation(name=name.strip(), slug=slug, is_scic=is_scic,
                                created_at=now)
    db.add(organisation)
    db.flush()
    db.add(Membership(organisation=organisation, user=creator, role=Role.ADMIN,
                      joined_at=now))
    db.flush()
    return organisation


def update_settings(db: Session, organisation: Organisation, *, name: str, timezone: str,
                    is_scic: bool, allow_member_proposals: bool | None = None,
                    language: str | None = None, languages: Collection[str] = ("en", "fr"),
                    answer_links: bool | None = None, public_register: bool | None = None,
                    now: datetime | None = None, actor_id: int | None = None,
                    ) -> Organisation:
    """Rename the organisation, set its time zone, whether it is a SCIC and (each unless
    ``None``) whether its members may put forward proposals, the language of its messages
    to members who chose none (one of ``languages``), whether its messages carry links
    that sign a member in to answer a round, and whether its register of decisions is
    public. Making the register public or private again is recorded in the audit chain
    (at ``now``, by the member ``actor_id``): it decides what anyone may read."""
    if public_register is not None and now is None:
        raise ValueError("making a register public or private is recorded: give now")
    if language is not None and language not in languages:
        raise OrganisationError("organisation.language", N_("Choose one of the languages"
                                                              " offered."), field="language")
    name = name.strip()
    if not name:
        raise OrganisationError("organisation.name_missing", N_("Give the organisation a name."),
                                field="name")
    if timezone not in time_zones():
        raise OrganisationError(
            "organisation.unknown_timezone",
            N_("Unknown time zone: choose one from the list, such as Europe/Paris."),
            field="timezone")
    organisation.name, organisation.timezone, organisation.is_scic = name, timezone, is_scic
    if allow_member_proposals is not None:
        organisation.allow_member_proposals = allow_member_proposals
    if language is not None:
        organisation.language = language
    if answer_links is not None:
        organisation.answer_links = answer_links
    db.flush()
    if public_register is not None and public_register != organisation.public_register:
        assert now is not None  # noqa: S101 - checked above
        organisation.public_register = public_register
        db.flush()
        audit.record(db, organisation.id, "public_register_changed",
                     {"public_register": public_register}, at=now, actor_id=actor_id)
    return organisation


def current_members(organisation_id: int) -> Select[Membership]:
    """The memberships of an organisation that have not ended: the members of now (ended
    ones are kept for the history of their rounds, never for access nor new rounds)."""
    return select(Membership).where(Membership.organisation_id == organisation_id,
                                    Membership.ended_at.is_(None))


def membership_of(db: Session, user: User, organisation: Organisation) -> Membership | None:
    """The person's membership of an organisation, if they are a member now."""
    return db.scalar(current_members(organisation.id).where(Membership.user_id == user.id))


def visit(db: Session, slug: str, user_id: int) -> tuple[Organisation | None,
                                                        Membership | None]:
    """The organisation of ``slug`` and the person's current membership of it, in one
    statement (every page of an organisation starts with this)."""
    found = db.execute(_VISIT, {"v_slug": slug, "v_user": user_id}).first()
    return (None, None) if found is None else (found[0], found[1])


_VISIT = (select(Organisation, Membership)
          .outerjoin(Membership, (Membership.organisation_id == Organisation.id)
                     & (Membership.user_id == bindparam("v_user"))
                     & Membership.ended_at.is_(None))
          .where(Organisation.slug == bindparam("v_slug")))


def organisations_of(db: Session, user: User) -> list[Membership]:
    """The person's current memberships, by organisation name."""
    return list(db.scalars(
        select(Membership).join(Organisation).where(Membership.user_id == user.id,
                                                    Membership.ended_at.is_(None))
        .order_by(Organisation.name)))


def members_of(db: Session, organisation: Organisation) -> list[Membership]:
    """The organisation's current memberships with their people and colleges, by name."""
    return list(db.scalars(
        current_members(organisation.id).join(User)
        .options(selectinload(Membership.user), selectinload(Membership.college))
        .order_by(User.name, User.id)))


def find_member(db: Session, organisation: Organisation, membership_id: int) -> Membership | None:
    """One current membership of this organisation (``None`` for another organisation's or
    an ended one)."""
    return db.scalar(current_members(organisation.id).where(Membership.id == membership_id))


def lock_organisation(db: Session, organisation: Organisation) -> None:
    """Serialise changes checked against the organisation's other rows until the end of the
    transaction: two admins demoting each other at the same moment must not leave it without
    any, nor two circles become each other's parent (PostgreSQL locks the organisation's row;
    SQLite has a single writer anyway)."""
    db.execute(select(Organisation.id).where(Organisation.id == organisation.id)
               .with_for_update())


def _admin_count(db: Session, organisation: Organisation) -> int:
    return db.scalar(select(func.count(Membership.id)).where(
        Membership.organisation_id == organisation.id, Membership.ended_at.is_(None),
        Membership.role == Role.ADMIN)) or 0


def update_membership(db: Session, membership: Membership, *, role: Role, vote_weight: int,
                      college_id: int | None, now: datetime) -> Membership:
    """Change a member's role, vote weight and college; the last admin stays admin."""
    organisation = membership.organisation
    if not 1 <= vote_weight <= MAX_VOTE_WEIGHT:
        raise OrganisationError("membership.vote_weight",
                                N_("The vote weight is a whole number from 1 to 1000000."),
                                field="vote_weight")
    college = None
    if college_id is not None:
        college = db.get(College, college_id)
        if college is None or college.organisation_id != organisation.id:
            raise OrganisationError("membership.unknown_college",
                                    N_("Choose one of the organisation's colleges."),
                                    field="college")
    lock_organisation(db, organisation)
    db.refresh(membership)
    demoting = membership.role is Role.ADMIN and role is not Role.ADMIN
    if demoting and _admin_count(db, organisation) <= 1:
        raise OrganisationError(
            "membership.last_admin",
            N_("An organisation must keep at least one admin: make another member admin"
               " first."), field="role")
    membership.role, membership.vote_weight, membership.college = role, vote_weight, college
    db.flush()
    audit.record(db, organisation.id, "membership_changed", {
        "member": membership.id, "user": membership.user_id, "role": role.value,
        "vote_weight": vote_weight, "college": None if college is None else college.name},
        at=now)
    return membership


def remove_membership(db: Session, membership: Membership, *, now: datetime) -> None:
    """End a person's membership (they leave the organisation's circles); never its last
    admin. The membership row stays, role kept, so that the ballots, electorates,
    participations and audit entries of the rounds they took part in stay whole."""
    organisation = membership.organisation
    lock_organisation(db, organisation)
    db.refresh(membership)
    if membership.role is Role.ADMIN and _admin_count(db, organisation) <= 1:
        raise OrganisationError(
            "membership.last_admin",
            N_("An organisation must keep at least one admin: make another member admin"
               " before removing this one."))
    if membership.ended_at is not None:
        return
    membership.ended_at = now
    db.execute(delete(CircleMember).where(CircleMember.membership_id == membership.id))
    db.flush()
    audit.record(db, organisation.id, "membership_ended",
                 {"member": membership.id, "user": membership.user_id}, at=now)
    from . import personal_data  # it ends memberships too (closing an account)

    personal_data.membership_ended(db, membership, now)
