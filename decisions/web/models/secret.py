"""Secret ballots: who took part is stored, what was voted is only ever added to counters
(docs/secret-ballots.md).

``participation`` names the member and when they took part. ``secret_tally`` holds, for each
college and position of the round, how many ballots and how much vote weight were cast: the
counters are created when the round opens, and every ballot adds to all of them at once
(zero to all but one), in the same transaction as its participation. No row is ever written
for one ballot, so no row, row order, transaction id or page offset belongs to one voter:
after each ballot every counter of the round carries the same transaction, and each counter
keeps its place in the file.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from ..db import Base, UTCDateTime

#: Added to every stored count so that each is an 8-byte integer on SQLite whatever its
#: value: a counter's record then never changes size, so SQLite rewrites it in place and
#: the layout of its page never depends on which counter grew when.
COUNT_OFFSET = 1 << 60


class FixedWidthCount(TypeDecorator[int]):
    """A non-negative count stored with ``COUNT_OFFSET`` added (see above)."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: int | None, dialect: Dialect) -> int | None:
        return None if value is None else value + COUNT_OFFSET

    def process_result_value(self, value: int | None, dialect: Dialect) -> int | None:
        return None if value is None else int(value) - COUNT_OFFSET


class Participation(Base):
    """A member took part in a secret round (one row per member: secret ballots are final)."""

    __tablename__ = "participation"

    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"),
                                          primary_key=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("membership.id", ondelete="CASCADE"),
                                               primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class SecretTally(Base):
    """What a secret round's ballots add up to, for one college (``""`` without colleges)
    and one position: the number of ballots and their vote weight."""

    __tablename__ = "secret_tally"

    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"),
                                          primary_key=True)
    college: Mapped[str] = mapped_column(String(80), primary_key=True)
    position: Mapped[str] = mapped_column(String(20), primary_key=True)
    ballots: Mapped[int] = mapped_column(FixedWidthCount, default=0)
    weight: Mapped[int] = mapped_column(FixedWidthCount, default=0)
