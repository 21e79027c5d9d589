"""General assemblies: a sitting convened with an agenda of resolutions, the proxies and
postal votes given before it, and who attends it (docs/rules.md 0.4, 8b "Meetings").

A resolution is a proposal (its text: one version of it; its rule: the proposal's family and
parameters, a SCIC preset or the organisation's own) voted live in a round of the proposal
opened by the chair. A second convocation, after a first without quorum, is a sitting of its
own with the same agenda (R225-69: the same agenda), to which the proxies and postal votes
given for the first carry over (R225-77, R225-79: they are valid for the successive
assemblies convened with the same agenda).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime
from .organisation import Membership, Organisation
from .proposal import Proposal, Round
from .secret import FixedWidthCount


def _enum(kind: type[enum.StrEnum]) -> Enum:
    return Enum(kind, native_enum=False, length=20,
                values_callable=lambda e: [m.value for m in e])


class AssemblyKind(enum.StrEnum):
    """What the assembly decides on: ordinary resolutions (accounts, board), extraordinary
    ones (statuts), or both (an assembly "mixte")."""

    ORDINARY = "ordinary"
    EXTRAORDINARY = "extraordinary"
    BOTH = "both"


class AssemblyStatus(enum.StrEnum):
    """A sitting is prepared, convened (its notice sent), in session, then closed: held,
    or recorded without quorum (a second convocation may follow)."""

    DRAFT = "draft"
    CONVENED = "convened"
    IN_SESSION = "in_session"
    CLOSED = "closed"
    NO_QUORUM = "no_quorum"


class AttendanceMode(enum.StrEnum):
    """How a member takes part in the sitting."""

    ROOM = "room"
    REMOTE = "remote"


class Assembly(Base):
    """One sitting of a general assembly of an organisation, with its statutory rules of
    attendance (the cap on proxies, whether remote members count as present)."""

    __tablename__ = "assembly"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id",
                                                            ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[AssemblyKind] = mapped_column(_enum(AssemblyKind))
    # "first" or "second" (the engine's ``convocation``); a second names the first.
    convocation: Mapped[str] = mapped_column(String(10), default="first")
    first_sitting_id: Mapped[int | None] = mapped_column(ForeignKey("assembly.id",
                                                                    ondelete="SET NULL"))
    meets_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The date of a second convocation announced with the first one (optional).
    second_meets_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(Text, default="")
    video_link: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[AssemblyStatus] = mapped_column(_enum(AssemblyStatus),
                                                   default=AssemblyStatus.DRAFT)
    convened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("membership.id",
                                                            ondelete="SET NULL"))
    secretary_id: Mapped[int | None] = mapped_column(ForeignKey("membership.id",
                                                                ondelete="SET NULL"))
    # The statuts' cap on proxies one member may hold (None: no cap, "unlimited").
    max_proxies_per_holder: Mapped[int | None] = mapped_column(Integer)
    proxy_same_college: Mapped[bool] = mapped_column(Boolean, default=False)
    remote_counts_as_present: Mapped[bool] = mapped_column(Boolean, default=False)
    # Shown on the chair's screen: typing it checks a member in as present in the room.
    room_code: Mapped[str | None] = mapped_column(String(12))
    # The attendance sheet as the engine read it when the sitting closed, and its result:
    # what the minutes print.
    attendance_case_json: Mapped[str | None] = mapped_column(Text)
    attendance_result_json: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship()
    chair: Mapped[Membership | None] = relationship(foreign_keys=[chair_id])
    secretary: Mapped[Membership | None] = relationship(foreign_keys=[secretary_id])
    items: Mapped[list[AgendaItem]] = relationship(
        back_populates="assembly", cascade="all, delete-orphan", order_by="AgendaItem.number")


class AgendaItem(Base):
    """A resolution on the agenda, in order: a proposal's version and its rule, voted in a
    round of the proposal opened by the chair (``round_id``, once opened)."""

    __tablename__ = "agenda_item"
    __table_args__ = (UniqueConstraint("assembly_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(ForeignKey("assembly.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    version_number: Mapped[int] = mapped_column(Integer)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("round.id", ondelete="SET NULL"))

    assembly: Mapped[Assembly] = relationship(back_populates="items")
    proposal: Mapped[Proposal] = relationship()
    round: Mapped[Round | None] = relationship()


class Proxy(Base):
    """A member gives a proxy to another for the sitting; revocable until the holder first
    votes in it (``used_at``)."""

    __tablename__ = "proxy"
    __table_args__ = (Index("ix_proxy_assembly_holder", "assembly_id", "holder_id"),
                      Index("ix_proxy_assembly_giver", "assembly_id", "giver_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(ForeignKey("assembly.id", ondelete="CASCADE"))
    giver_id: Mapped[int] = mapped_column(ForeignKey("membership.id", ondelete="CASCADE"))
    holder_id: Mapped[int] = mapped_column(ForeignKey("membership.id", ondelete="CASCADE"))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PostalVote(Base):
    """A member's vote by post on one resolution, received before the meeting day. On a
    secret resolution ``position`` stays empty: the vote is only added to the resolution's
    postal counters (``PostalTally``)."""

    __tablename__ = "postal_vote"
    __table_args__ = (UniqueConstraint("agenda_item_id", "membership_id"),
                      Index("ix_postal_vote_assembly_member", "assembly_id", "membership_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(ForeignKey("assembly.id", ondelete="CASCADE"))
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id",
                                                           ondelete="CASCADE"))
    membership_id: Mapped[int] = mapped_column(ForeignKey("membership.id", ondelete="CASCADE"))
    position: Mapped[str | None] = mapped_column(String(20))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PostalTally(Base):
    """The postal votes on a secret resolution, for one college (``""`` without colleges)
    and one position: counters created with the convocation and all rewritten by each vote,
    as a secret round's (models.secret)."""

    __tablename__ = "postal_tally"

    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id",
                                                           ondelete="CASCADE"),
                                                primary_key=True)
    college: Mapped[str] = mapped_column(String(80), primary_key=True)
    position: Mapped[str] = mapped_column(String(20), primary_key=True)
    ballots: Mapped[int] = mapped_column(FixedWidthCount, default=0)
    weight: Mapped[int] = mapped_column(FixedWidthCount, default=0)


class Attendance(Base):
    """A member checked in to the sitting, in the room or remotely, by themself or by a
    facilitator (``checked_in_by_id``); ``left_at`` when they left before the end."""

    __tablename__ = "attendance"

    assembly_id: Mapped[int] = mapped_column(ForeignKey("assembly.id", ondelete="CASCADE"),
                                             primary_key=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("membership.id", ondelete="CASCADE"),
                                               primary_key=True)
    mode: Mapped[AttendanceMode] = mapped_column(_enum(AttendanceMode))
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime)
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("membership.id",
                                                                    ondelete="SET NULL"))
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ConvenedMember(Base):
    """How a member was convened to the sitting, fixed when it was convened: by e-mail,
    relying on their agreement of ``agreed_at`` (C. com. R225-63), or by post (a letter
    the organisers print and send)."""

    __tablename__ = "convened_member"

    assembly_id: Mapped[int] = mapped_column(ForeignKey("assembly.id", ondelete="CASCADE"),
                                             primary_key=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("membership.id", ondelete="CASCADE"),
                                               primary_key=True)
    by_email: Mapped[bool] = mapped_column(Boolean)
    agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
