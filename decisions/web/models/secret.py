"""Secret ballots: who took part and what was voted, kept in two tables that share nothing
but the round, so that no query — not even an administrator's — can join a member to a
position (DESIGN.md, Security and trust).

``participation`` names the member and when they took part; ``secret_ballot`` holds the
position with the college and vote weight copied from the electorate snapshot, under a
random id, with no member and no time. Both rows are written in the same transaction.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime


def random_id() -> str:
    """A random id: it says nothing of when or by whom a secret ballot was cast."""
    return uuid.uuid4().hex


class Participation(Base):
    """A member took part in a secret round (one row per member: secret ballots are final)."""

    __tablename__ = "participation"

    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"),
                                          primary_key=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("membership.id", ondelete="CASCADE"),
                                               primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class SecretBallot(Base):
    """What was voted in a secret round, by nobody in particular.

    The key is random and the table has no rowid on SQLite, so neither the key nor the order
    of storage follows the order of the participations.
    """

    __tablename__ = "secret_ballot"
    __table_args__ = ({"sqlite_with_rowid": False},)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"),
                                          index=True)
    college: Mapped[str | None] = mapped_column(String(80))
    vote_weight: Mapped[int] = mapped_column(Integer, default=1)
    position: Mapped[str] = mapped_column(String(20))
