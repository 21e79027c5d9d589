"""Organisations: creating them, finding a person's membership."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import utcnow
from ..models import Membership, Organisation, Role, User


class OrganisationError(ValueError):
    """A change to an organisation that cannot be made, with a message for the person."""


def create_organisation(db: Session, creator: User, *, name: str, slug: str,
                        is_scic: bool = True) -> Organisation:
    """A new organisation whose creator is its first admin."""
    if db.scalar(select(Organisation.id).where(Organisation.slug == slug)) is not None:
        raise OrganisationError(_l("This short name is already taken."))
    organisation = Organisation(name=name.strip(), slug=slug, is_scic=is_scic,
                                created_at=utcnow())
    db.add(organisation)
    db.flush()
    db.add(Membership(organisation=organisation, user=creator, role=Role.ADMIN,
                      joined_at=utcnow()))
    db.flush()
    return organisation


def membership_of(db: Session, user: User, organisation: Organisation) -> Membership | None:
    """The person's membership of an organisation, if they are a member."""
    return db.scalar(select(Membership).where(Membership.user_id == user.id,
                                              Membership.organisation_id == organisation.id))


def organisations_of(db: Session, user: User) -> list[Membership]:
    """The person's memberships, by organisation name."""
    return list(db.scalars(
        select(Membership).join(Organisation).where(Membership.user_id == user.id)
        .order_by(Organisation.name)))
