"""Organisations, their colleges, members and circles."""

from __future__ import annotations

import enum
from datetime import datetime
from fractions import Fraction
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, FractionType, UTCDateTime

if TYPE_CHECKING:
    from .user import User


class Role(enum.StrEnum):
    """What a member may do; each role can do what the ones before it can."""

    MEMBER = "member"
    FACILITATOR = "facilitator"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        """Order of the roles: member < facilitator < admin."""
        return list(Role).index(self)


class Organisation(Base):
    """A cooperative, association or network: it has members, colleges and circles."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    timezone: Mapped[str] = mapped_column(String(60), default="Europe/Paris")
    # A SCIC's colleges follow art. 19 octies (3+ colleges, 10-50 %); others any 2+.
    is_scic: Mapped[bool] = mapped_column(Boolean, default=True)
    # Facilitators and admins always put forward proposals; members only when this is set.
    allow_member_proposals: Mapped[bool] = mapped_column(Boolean, default=False)
    # The language of its messages to members who chose none (the network is French).
    language: Mapped[str] = mapped_column(String(8), default="fr")
    # Whether messages carry single-use links that sign a member in to answer a round
    # (never for secret rounds).
    answer_links: Mapped[bool] = mapped_column(Boolean, default=True)
    # Personal data (services.personal_data): who answers data requests; how many days the
    # name and address of a person who belongs nowhere any more are kept after their
    # membership here ended (0: pseudonymised at once); how many years the reasons and
    # comments of a former member stay in the record of its decisions (the statuts' rule);
    # whether pages seen without signing in may name members.
    privacy_contact: Mapped[str] = mapped_column(String(254), default="")
    former_member_days: Mapped[int] = mapped_column(Integer, default=0)
    record_years: Mapped[int] = mapped_column(Integer, default=10)
    public_names: Mapped[bool] = mapped_column(Boolean, default=False)
    # Whether its register of decisions is also public, read-only, at
    # /public/<slug>/register/ (naming members only with ``public_names``): its admins'
    # choice, on its settings page.
    public_register: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan")
    colleges: Mapped[list[College]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="College.id")
    circles: Mapped[list[Circle]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="Circle.id")


class College(Base):
    """A stakeholder college with its statutory weight in percent (``None``: equal)."""

    __tablename__ = "college"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id",
                                                            ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    weight: Mapped[Fraction | None] = mapped_column(FractionType)

    organisation: Mapped[Organisation] = relationship(back_populates="colleges")


class Membership(Base):
    """A person in an organisation, with a role, a vote weight and maybe a college."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("organisation_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id",
                                                            ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=20, values_callable=lambda e: [r.value for r in e]),
        default=Role.MEMBER)
    vote_weight: Mapped[int] = mapped_column(Integer, default=1)
    college_id: Mapped[int | None] = mapped_column(ForeignKey("college.id",
                                                              ondelete="SET NULL"))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Leaving ends a membership; it is never deleted, so that its ballots, electorates and
    # audit entries stay whole (``None``: a current member).
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What this member receives by e-mail from this organisation (models.notice.NotifyMode),
    # and the kinds of notice they unsubscribed from, space-separated.
    notify: Mapped[str] = mapped_column(String(12), default="all")
    muted: Mapped[str] = mapped_column(String(200), default="")
    # When the reasons and comments this former member wrote were replaced by a mark, once
    # the organisation's ``record_years`` had passed (services.personal_data).
    writings_removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When this member agreed to be convened to general assemblies by e-mail (C. com.
    # R225-63: electronic convocation needs the shareholder's prior agreement), given on
    # their preferences page or on paper (recorded by an admin, with the paper's date);
    # ``None``: convened by post (services.e_convocation).
    email_convocation_agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(back_populates="memberships")
    college: Mapped[College | None] = relationship()

    @property
    def is_current(self) -> bool:
        """Whether this membership has not ended."""
        return self.ended_at is None

    def can(self, role: Role) -> bool:
        """Whether this member has at least ``role``."""
        return self.role.rank >= role.rank


class Circle(Base):
    """A group that decides on its domain; circles nest (the steering committee is one)."""

    __tablename__ = "circle"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id",
                                                            ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("circle.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    is_steering: Mapped[bool] = mapped_column(Boolean, default=False)

    organisation: Mapped[Organisation] = relationship(back_populates="circles")
    parent: Mapped[Circle | None] = relationship(remote_side=[id])
    members: Mapped[list[CircleMember]] = relationship(
        back_populates="circle", cascade="all, delete-orphan")


class CircleMember(Base):
    """A member of an organisation belonging to one of its circles."""

    __tablename__ = "circle_member"

    circle_id: Mapped[int] = mapped_column(ForeignKey("circle.id", ondelete="CASCADE"),
                                           primary_key=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("membership.id", ondelete="CASCADE"),
                                               primary_key=True)

    circle: Mapped[Circle] = relationship(back_populates="members")
    membership: Mapped[Membership] = relationship()
