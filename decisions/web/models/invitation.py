"""Invitations to join an organisation: single-use links that expire."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime
from .organisation import College, Organisation, Role
from .user import User


class InvitationStatus(enum.StrEnum):
    """Where an invitation stands (a revoked invitation is deleted)."""

    PENDING = "pending"
    USED = "used"
    EXPIRED = "expired"


class Invitation(Base):
    """An admin's invitation: only the hash of its token is stored."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id",
                                                            ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=20, values_callable=lambda e: [r.value for r in e]))
    college_id: Mapped[int | None] = mapped_column(ForeignKey("college.id",
                                                              ondelete="SET NULL"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id",
                                                                 ondelete="SET NULL"))

    organisation: Mapped[Organisation] = relationship()
    college: Mapped[College | None] = relationship()
    invited_by: Mapped[User | None] = relationship()

    def status(self, now: datetime) -> InvitationStatus:
        """Used once accepted; else expired from ``expires_at`` on; else pending."""
        if self.used_at is not None:
            return InvitationStatus.USED
        if now >= self.expires_at:
            return InvitationStatus.EXPIRED
        return InvitationStatus.PENDING
