"""The audit log: per organisation, append-only, each entry carrying the hash of the one
before it, so that any change to the past breaks the chain where it happened."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime


class AuditEntry(Base):
    """One event that matters, in the organisation's chain. A ballot's entry is written
    pending (``seq`` and the hashes empty) and chained right after its commit
    (``services.audit``, "sealed")."""

    __tablename__ = "audit_entry"
    __table_args__ = (UniqueConstraint("organisation_id", "seq"),
                      Index("ix_audit_entry_kind", "organisation_id", "kind"))

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id",
                                                            ondelete="CASCADE"))
    # Empty while pending (typed as the sealed entries that every reader but the sealer and
    # ``verify_pending`` select: ``seq IS NOT NULL``).
    seq: Mapped[int] = mapped_column(Integer, nullable=True)
    kind: Mapped[str] = mapped_column(String(40))
    data: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    previous_hash: Mapped[str] = mapped_column(String(64), nullable=True)
    hash: Mapped[str] = mapped_column(String(64), nullable=True)
