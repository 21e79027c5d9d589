"""Circles: creating, changing and deleting them, choosing their members; circles nest
without cycles, and one of them at most is the steering committee."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ..models import Circle, CircleMember, Membership, Organisation, User
from .messages import N_
from .organisations import OrganisationError, lock_organisation


def circles_of(db: Session, organisation: Organisation) -> list[Circle]:
    """The organisation's circles, by name."""
    return list(db.scalars(select(Circle).where(Circle.organisation_id == organisation.id)
                           .order_by(Circle.name, Circle.id)))


def find_circle(db: Session, organisation: Organisation, circle_id: int) -> Circle | None:
    """One circle of this organisation (``None`` for another organisation's)."""
    return db.scalar(select(Circle).where(Circle.id == circle_id,
                                          Circle.organisation_id == organisation.id))


def circle_tree(circles: Sequence[Circle]) -> dict[int | None, list[Circle]]:
    """The circles under each circle id (``None``: the top-level circles), keeping order."""
    known = {circle.id for circle in circles}
    tree: dict[int | None, list[Circle]] = {None: []}
    for circle in circles:
        parent = circle.parent_id if circle.parent_id in known else None
        tree.setdefault(parent, []).append(circle)
    return tree


def descendants(circles: Sequence[Circle], circle: Circle) -> set[int]:
    """The ids of the circles inside ``circle``, at any depth."""
    tree = circle_tree(circles)
    found: set[int] = set()
    waiting = [circle.id]
    while waiting:
        for child in tree.get(waiting.pop(), []):
            if child.id not in found:
                found.add(child.id)
                waiting.append(child.id)
    return found


def circle_members(db: Session, circle: Circle) -> list[Membership]:
    """The members of a circle, by name."""
    return list(db.scalars(
        select(Membership).join(CircleMember).join(User)
        .where(CircleMember.circle_id == circle.id, Membership.ended_at.is_(None))
        .options(selectinload(Membership.user), selectinload(Membership.college))
        .order_by(User.name, User.id)))


def _clean_name(db: Session, organisation: Organisation, name: str,
                circle: Circle | None) -> str:
    name = " ".join(name.split())
    if not name:
        raise OrganisationError("circle.name_missing", N_("Give the circle a name."),
                                field="name")
    taken = db.scalar(select(Circle.id).where(
        Circle.organisation_id == organisation.id, func.lower(Circle.name) == name.lower(),
        Circle.id != (circle.id if circle is not None else -1)))
    if taken is not None:
        raise OrganisationError("circle.name_taken", N_("There is already a circle of this name."),
                                field="name")
    return name


def _parent(db: Session, organisation: Organisation, parent_id: int | None,
            circle: Circle | None) -> Circle | None:
    """The chosen parent, refused when it belongs elsewhere or would make a cycle."""
    if parent_id is None:
        return None
    parent = find_circle(db, organisation, parent_id)
    if parent is None:
        raise OrganisationError("circle.unknown_parent",
                                N_("Choose a circle of this organisation."), field="parent")
    if circle is not None:
        parents = {c.id: c.parent_id for c in circles_of(db, organisation)}
        ancestor: int | None = parent.id
        seen: set[int] = set()
        while ancestor is not None and ancestor not in seen:
            if ancestor == circle.id:
                raise OrganisationError(
                    "circle.cycle",
                    N_("A circle cannot be placed inside itself or inside one of its own"
                       " sub-circles."), field="parent")
            seen.add(ancestor)
            ancestor = parents.get(ancestor)
    return parent


def _check_steering(db: Session, organisation: Organisation, circle: Circle | None) -> None:
    other = db.scalar(select(Circle).where(
        Circle.organisation_id == organisation.id, Circle.is_steering.is_(True),
        Circle.id != (circle.id if circle is not None else -1)))
    if other is not None:
        raise OrganisationError(
            "circle.second_steering",
            N_("%(circle)s is already the steering committee: there is only one."),
            field="is_steering", params={"circle": other.name})


def _set_members(db: Session, circle: Circle, member_ids: Iterable[int]) -> None:
    wanted = set(member_ids)
    valid = set(db.scalars(select(Membership.id).where(
        Membership.organisation_id == circle.organisation_id, Membership.ended_at.is_(None),
        Membership.id.in_(wanted))))
    if valid != wanted:
        raise OrganisationError("circle.unknown_members",
                                N_("Choose members of this organisation."), field="members")
    current = {link.membership_id: link for link in circle.members}
    for membership_id, link in current.items():
        if membership_id not in wanted:
            circle.members.remove(link)
    for membership_id in sorted(wanted - set(current)):
        circle.members.append(CircleMember(membership_id=membership_id))


def create_circle(db: Session, organisation: Organisation, *, name: str, description: str = "",
                  parent_id: int | None = None, is_steering: bool = False,
                  member_ids: Iterable[int] = ()) -> Circle:
    """A new circle, maybe inside another one, with its members."""
    lock_organisation(db, organisation)
    name = _clean_name(db, organisation, name, None)
    parent = _parent(db, organisation, parent_id, None)
    if is_steering:
        _check_steering(db, organisation, None)
    circle = Circle(organisation=organisation, name=name, description=description.strip(),
                    parent=parent, is_steering=is_steering)
    db.add(circle)
    db.flush()
    _set_members(db, circle, member_ids)
    db.flush()
    return circle


def update_circle(db: Session, circle: Circle, *, name: str, description: str,
                  parent_id: int | None, is_steering: bool, member_ids: Iterable[int]) -> Circle:
    """Change a circle's name, description, parent (never one of its own sub-circles),
    steering flag and members."""
    organisation = circle.organisation
    lock_organisation(db, organisation)
    name = _clean_name(db, organisation, name, circle)
    parent = _parent(db, organisation, parent_id, circle)
    if is_steering:
        _check_steering(db, organisation, circle)
    _set_members(db, circle, member_ids)
    circle.name, circle.description = name, description.strip()
    circle.parent, circle.is_steering = parent, is_steering
    db.flush()
    return circle


def delete_circle(db: Session, circle: Circle) -> None:
    """Delete a circle; its sub-circles move up to its own parent, its members stay in the
    organisation."""
    lock_organisation(db, circle.organisation)
    for child in db.scalars(select(Circle).where(Circle.parent_id == circle.id)):
        child.parent_id = circle.parent_id
    db.flush()
    db.delete(circle)
    db.flush()
