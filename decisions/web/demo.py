"""A demo: a network of cooperative platforms, its colleges, circles and members."""

from __future__ import annotations

from fractions import Fraction

from flask import current_app
from sqlalchemy import select

from . import db
from .db import utcnow
from .models import Circle, CircleMember, College, Membership, Organisation, Role
from .services import accounts

DEMO_PASSWORD = "demo-password"  # noqa: S105 - printed for the demo, never a real secret

PEOPLE = [
    ("camille@demo.coop", "Camille Martin", Role.ADMIN, "workers"),
    ("samir@demo.coop", "Samir Haddad", Role.FACILITATOR, "workers"),
    ("lea@demo.coop", "Léa Dubois", Role.FACILITATOR, "users"),
    ("hugo@demo.coop", "Hugo Bernard", Role.MEMBER, "workers"),
    ("ines@demo.coop", "Inès Moreau", Role.MEMBER, "users"),
    ("tom@demo.coop", "Tom Lefèvre", Role.MEMBER, "users"),
    ("nora@demo.coop", "Nora Petit", Role.MEMBER, "users"),
    ("yann@demo.coop", "Yann Le Gall", Role.MEMBER, "partners"),
    ("awa@demo.coop", "Awa Diallo", Role.MEMBER, "partners"),
    ("jules@demo.coop", "Jules Roux", Role.MEMBER, "workers"),
    ("chloe@demo.coop", "Chloé Fontaine", Role.MEMBER, "users"),
    ("malik@demo.coop", "Malik Benali", Role.MEMBER, "partners"),
]
COLLEGES = [("workers", Fraction(40)), ("users", Fraction(40)), ("partners", Fraction(20))]


def seed(*, only_if_empty: bool = False) -> list[tuple[str, str, str]] | None:
    """Create the demo; ``None`` when ``only_if_empty`` and organisations exist."""
    with db.transaction() as session:
        if only_if_empty and session.scalar(select(Organisation.id).limit(1)) is not None:
            return None
        now = utcnow()
        network = Organisation(name="Réseau des plateformes en communs", slug="reseau-demo",
                               timezone="Europe/Paris", is_scic=True, created_at=now)
        session.add(network)
        colleges = {name: College(organisation=network, name=name, weight=weight)
                    for name, weight in COLLEGES}
        steering = Circle(organisation=network, name="Comité de pilotage",
                          description="Steering committee of the network", is_steering=True)
        delivery = Circle(organisation=network, name="Cercle livraison à vélo", parent=steering,
                          description="Bike delivery cooperatives")
        session.add_all([*colleges.values(), steering, delivery])
        logins = []
        for email, name, role, college in PEOPLE:
            user = accounts.find_by_email(session, email) or accounts.create_user(
                session, email=email, name=name, password=DEMO_PASSWORD,
                language="fr" if email != "tom@demo.coop" else "en")
            membership = Membership(organisation=network, user=user, role=role,
                                    college=colleges[college], joined_at=now)
            session.add(membership)
            session.flush()
            if role is not Role.MEMBER:
                session.add(CircleMember(circle=steering, membership=membership))
            if college == "workers":
                session.add(CircleMember(circle=delivery, membership=membership))
            logins.append((email, DEMO_PASSWORD, str(role)))
        current_app.logger.info("demo seeded")
        return logins
