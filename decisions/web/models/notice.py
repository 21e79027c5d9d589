"""Notices: what the application tells a person, kept in the outbox.

A notice is written in the same transaction as the event that causes it (a round opened, an
objection raised, an outcome decided...), one row per recipient, and holds no text: the
message is written when it is sent, in the recipient's language, from the rows it names. The
sender (``services.outbox``) claims rows with a conditional update, so that several senders
never send one notice twice; a failed SMTP server leaves the row pending, to be tried again
later. The same row is the in-application notification (``read_at``).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime


class NoticeKind(enum.StrEnum):
    """Why a person is told something."""

    ROUND_OPENED = "round_opened"
    REMINDER = "reminder"  # before the deadline, to an elector who has not answered
    NUDGE = "nudge"  # a facilitator's "remind those who have not answered"
    OBJECTION = "objection"  # to the facilitators and the proposer
    NEW_VERSION = "new_version"  # to electors asked to consent again
    OUTCOME = "outcome"
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a kind of message, not a password
    DIGEST = "digest"  # a day's held notices of one person in one organisation
    CONVOCATION = "convocation"  # to a general assembly, with its agenda (a legal notice)
    WEBHOOK_DISABLED = "webhook_disabled"  # to the admins: an endpoint failed for a day
    REVIEW_DUE = "review_due"  # to the proposer of a decision whose review date has come


#: The kinds that ask the recipient to act: mailed even to a person who asked only for those.
ACTION_KINDS = frozenset({NoticeKind.ROUND_OPENED, NoticeKind.REMINDER, NoticeKind.NUDGE,
                          NoticeKind.OBJECTION, NoticeKind.NEW_VERSION, NoticeKind.INVITATION,
                          NoticeKind.PASSWORD_RESET, NoticeKind.WEBHOOK_DISABLED,
                          NoticeKind.REVIEW_DUE})

#: The kinds a person cannot unsubscribe from: they asked for them, or cannot join without.
ALWAYS_SENT = frozenset({NoticeKind.INVITATION, NoticeKind.PASSWORD_RESET,
                         NoticeKind.CONVOCATION})


class Delivery(enum.StrEnum):
    """Where a notice's e-mail stands."""

    PENDING = "pending"  # to be mailed from ``send_after`` on
    SENDING = "sending"  # claimed by a sender at ``claimed_at`` (a lease: see services.outbox)
    SENT = "sent"  # accepted by the SMTP server at ``sent_at``
    # Written on the console at ``sent_at`` (``MAIL_BACKEND = "console"``, the development
    # default): no server accepted it, so it told nobody (never counted as told).
    PRINTED = "printed"
    HELD = "held"  # waits for the recipient's daily digest
    DIGESTED = "digested"  # went out inside the digest notice ``digest_id``
    IN_APP = "in_app"  # not mailed (the recipient's choice): shown in the application only
    FAILED = "failed"  # given up after the last attempt; ``last_error`` says why


class NotifyMode(enum.StrEnum):
    """What a member chose to receive by e-mail from one organisation."""

    ALL = "all"
    DIGEST = "digest"  # what asks them to act at once, the rest in a daily digest
    ACTION = "action"  # only what asks them to act


class Notice(Base):
    """One message to one person (an account, or an address for an invitation)."""

    __tablename__ = "notice"
    __table_args__ = (Index("ix_notice_delivery", "delivery", "send_after"),
                      Index("ix_notice_user_org", "user_id", "organisation_id", "read_at"),
                      Index("ix_notice_round_kind", "round_id", "kind", "user_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id",
                                                                   ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    # Only for a recipient without an account (an invitation); else the account's address
    # at sending time, so that a changed address is used and no copy of it is kept.
    email: Mapped[str | None] = mapped_column(String(254))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id",
                                                               ondelete="CASCADE"))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    # JSON: what the message needs beyond the rows it names (an objection's event id, a
    # version number, a link's token...). Secrets in it are erased once the notice is sent.
    payload: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivery: Mapped[str] = mapped_column(String(12), default=Delivery.PENDING.value)
    send_after: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim: Mapped[str | None] = mapped_column(String(32))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    digest_id: Mapped[int | None] = mapped_column(ForeignKey("notice.id", ondelete="SET NULL"))
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    link_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Announcement(Base):
    """An event that tells many people at once (a round's opening, to its electors), kept as
    one row written in the event's transaction; the sender writes its notices, one per
    person, just after (``services.notices.expand_due``, each announcement in one
    transaction and once, however many senders run).

    Why not the notices themselves in the event's transaction: on PostgreSQL each notice row
    costs four foreign-key checks, and opening a round for 5,000 electors took 340-390 ms
    instead of 170 (benchmarks/open_round.py). Nothing is lost by waiting: the announcement
    is committed with the event, and a person is told nothing before the sender's next pass
    either way (every few seconds, ``scheduler.MAIL_INTERVAL_SECONDS``)."""

    __tablename__ = "announcement"
    __table_args__ = (Index("ix_announcement_expanded_at", "expanded_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    # Whether the mailed notices carry answer links: decided when the event happens.
    links: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When its notices were written, and how many (``None`` until then).
    expanded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notices: Mapped[int | None] = mapped_column(Integer)
