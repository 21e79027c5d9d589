"""Proposals, their versions, rounds, electorate snapshots, ballots and recorded events."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime
from .organisation import Circle, Membership, Organisation


def _enum(kind: type[enum.StrEnum]) -> Enum:
    return Enum(kind, native_enum=False, length=24,
                values_callable=lambda e: [m.value for m in e])


class ProposalStatus(enum.StrEnum):
    """Where a proposal is in its life (docs/architecture.md, "A proposal's life")."""

    DRAFT = "draft"
    OPEN = "open"
    DECIDED = "decided"
    WITHDRAWN = "withdrawn"
    REVIEWED = "reviewed"


#: The states in which a proposal may still be amended, withdrawn or put to a round.
CHANGEABLE = (ProposalStatus.DRAFT, ProposalStatus.OPEN)


class ElectorateScope(enum.StrEnum):
    """Who decides: the whole organisation, a circle, or a chosen list of members."""

    ORGANISATION = "organisation"
    CIRCLE = "circle"
    LIST = "list"


class VotersVisibility(enum.StrEnum):
    """Who may see the list of who voted what."""

    EVERYONE = "everyone"
    FACILITATORS = "facilitators"
    NOBODY = "nobody"


class RoundKind(enum.StrEnum):
    """One timed step of a proposal."""

    CLARIFYING = "clarifying"
    REACTIONS = "reactions"
    NOMINATION = "nomination"
    CHANGE = "change"
    CONSENT = "consent"
    VOTE = "vote"


#: Rounds whose members nominate someone (a sociocratic election's nominations, or changes
#: of nomination after hearing the others'), and rounds whose members comment.
NOMINATING_KINDS = frozenset({RoundKind.NOMINATION, RoundKind.CHANGE})
COMMENT_KINDS = frozenset({RoundKind.CLARIFYING, RoundKind.REACTIONS})


class RoundStatus(enum.StrEnum):
    """A round is scheduled, open, then closed (or cancelled); a round the engine cannot
    evaluate is ``failed``, with the reason, instead of being retried for ever."""

    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    FAILED = "failed"


#: Rounds that decide nothing: cancelled, or failed (the engine could not evaluate them).
UNDECIDED = (RoundStatus.CANCELLED, RoundStatus.FAILED)


class Proposal(Base):
    """A text put to a decision under one rule of the engine.

    ``params`` holds the rule's parameters in the engine's case format (JSON text), so that
    what the organisation chose is exactly what the engine reads.
    """

    __tablename__ = "proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id",
                                                            ondelete="CASCADE"))
    circle_id: Mapped[int | None] = mapped_column(ForeignKey("circle.id", ondelete="SET NULL"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("membership.id",
                                                             ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    family: Mapped[str] = mapped_column(String(40))
    params: Mapped[str] = mapped_column(Text, default="{}")
    electorate_scope: Mapped[ElectorateScope] = mapped_column(
        _enum(ElectorateScope), default=ElectorateScope.ORGANISATION)
    hide_results: Mapped[bool] = mapped_column(Boolean, default=False)
    reason_required: Mapped[str] = mapped_column(String(200), default="")
    voters_visible: Mapped[VotersVisibility] = mapped_column(
        _enum(VotersVisibility), default=VotersVisibility.EVERYONE)
    secret: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[ProposalStatus] = mapped_column(_enum(ProposalStatus),
                                                   default=ProposalStatus.DRAFT)
    outcome: Mapped[str | None] = mapped_column(String(40))
    outcome_statement: Mapped[str] = mapped_column(Text, default="")
    outcome_statement_html: Mapped[str] = mapped_column(Text, default="")
    review_date: Mapped[date | None] = mapped_column(Date)
    # The review date its proposer was told had come (services.reviews): set by the one
    # conditional update that writes the notice, so that each review date is told once.
    review_told_on: Mapped[date | None] = mapped_column(Date)
    # Hours before a round's deadline when electors who have not answered are reminded
    # (None: no reminder).
    reminder_hours: Mapped[int | None] = mapped_column(Integer, default=24)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship()
    circle: Mapped[Circle | None] = relationship()
    author: Mapped[Membership | None] = relationship()
    versions: Mapped[list[ProposalVersion]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan",
        order_by="ProposalVersion.number")
    rounds: Mapped[list[Round]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", order_by="Round.number")
    chosen_electors: Mapped[list[ProposalElector]] = relationship(
        cascade="all, delete-orphan")

    @property
    def current_version(self) -> ProposalVersion:
        """The latest published version."""
        return self.versions[-1]

    @property
    def reasons_required_for(self) -> frozenset[str]:
        """Positions that need a reason on this proposal."""
        return frozenset(p for p in self.reason_required.split(",") if p)


class ProposalVersion(Base):
    """One version of a proposal's text; every amendment is a new one."""

    __tablename__ = "proposal_version"
    __table_args__ = (UniqueConstraint("proposal_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # The body rendered and sanitised once, when the version is saved (never on a view).
    body_html: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("membership.id",
                                                             ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    proposal: Mapped[Proposal] = relationship(back_populates="versions")


class ProposalElector(Base):
    """A member of the chosen list of a proposal whose electorate is a list."""

    __tablename__ = "proposal_elector"

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"),
                                             primary_key=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("membership.id", ondelete="CASCADE"),
                                               primary_key=True)


class Round(Base):
    """One timed step: questions, reactions, nominations, a consent round or a vote."""

    __tablename__ = "round"
    __table_args__ = (UniqueConstraint("proposal_id", "number"),
                      Index("ix_round_due", "status", "closes_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[RoundKind] = mapped_column(_enum(RoundKind))
    version_number: Mapped[int] = mapped_column(Integer)
    convocation: Mapped[str] = mapped_column(String(10), default="first")
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("membership.id",
                                                                ondelete="SET NULL"))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[RoundStatus] = mapped_column(_enum(RoundStatus), default=RoundStatus.OPEN)
    # ``closes_at`` is the deadline as set (and extended); ``closed_at`` when the round was
    # actually closed, earlier than the deadline when a facilitator closed it early.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("membership.id",
                                                                ondelete="SET NULL"))
    outcome: Mapped[str | None] = mapped_column(String(40))
    result_json: Mapped[str | None] = mapped_column(Text)
    case_json: Mapped[str | None] = mapped_column(Text)
    # The colleges of a multi-college vote (names and weights, the engine's ``colleges``
    # parameter) as they were when the round opened: later renames do not reach it.
    colleges_json: Mapped[str | None] = mapped_column(Text)
    # Why the engine could not evaluate the round (status ``failed``).
    failure: Mapped[str | None] = mapped_column(Text)

    proposal: Mapped[Proposal] = relationship(back_populates="rounds")
    candidate: Mapped[Membership | None] = relationship(foreign_keys=[candidate_id])
    closed_by: Mapped[Membership | None] = relationship(foreign_keys=[closed_by_id])

    @hybrid_method
    def accepting(self, now: datetime) -> bool:
        """Whether the round takes ballots, comments and events at ``now``: the engine's
        acceptance window (``opens_at <= cast_at < closes_at``) of an open round. The one
        home of that rule: the same expression is read on a loaded round (pages, tallies)
        and in the WHERE of the statement that stores a ballot, so that a ballot after the
        deadline is never stored."""
        return ((self.status == RoundStatus.OPEN) & (self.opens_at <= now)
                & (self.closes_at > now))


class Elector(Base):
    """A member of a round's electorate, snapshotted when the round opened, with the ballot
    of theirs that counts (the latest, or the first when the rule refuses changes) and its
    position: set by the statement after the one that stores a ballot, in its transaction,
    so that counts and lists read one row per elector however often they change their vote.
    Never set in a secret round, whose ballots are counters only."""

    __tablename__ = "elector"
    # With the member and ballot, so that a close reads the electors from the index alone.
    __table_args__ = (Index("ix_elector_round_position", "round_id", "college", "position",
                            "vote_weight", "membership_id", "ballot_id"),)

    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"),
                                          primary_key=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("membership.id", ondelete="CASCADE"),
                                               primary_key=True)
    college: Mapped[str | None] = mapped_column(String(80))
    vote_weight: Mapped[int] = mapped_column(Integer, default=1)
    ballot_id: Mapped[int | None] = mapped_column(ForeignKey("ballot.id", ondelete="SET NULL"))
    position: Mapped[str | None] = mapped_column(String(20))


class Ballot(Base):
    """A member's position in a round; history is kept and the latest (highest id) counts."""

    __tablename__ = "ballot"
    # With the position, so that a close counts each member's ballot from the index alone.
    __table_args__ = (Index("ix_ballot_round_member_position", "round_id", "membership_id",
                            "id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    membership_id: Mapped[int] = mapped_column(ForeignKey("membership.id", ondelete="CASCADE"))
    position: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    concern: Mapped[str] = mapped_column(Text, default="")
    nominee_id: Mapped[int | None] = mapped_column(ForeignKey("membership.id",
                                                              ondelete="SET NULL"))
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # In a general assembly, the membership of the proxy holder who cast this ballot of the
    # member they represent (None: the member cast it). No reference, as an audit entry's
    # actor: memberships are never deleted.
    cast_by_id: Mapped[int | None] = mapped_column(Integer)


class RoundEvent(Base):
    """A recorded decision about an objection: qualified (valid, invalid, concern) or
    withdrawn, with who decided and why."""

    __tablename__ = "round_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    membership_id: Mapped[int] = mapped_column(ForeignKey("membership.id", ondelete="CASCADE"))
    result: Mapped[str | None] = mapped_column(String(20))
    decided_by: Mapped[str] = mapped_column(String(40), default="")
    rationale: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("membership.id",
                                                                  ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class RoundTally(Base):
    """Counts entered by a facilitator for the in-person part of a hybrid assembly."""

    __tablename__ = "round_tally"
    __table_args__ = (UniqueConstraint("round_id", "college"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    college: Mapped[str] = mapped_column(String(80), default="")
    present: Mapped[int] = mapped_column(Integer, default=0)
    yes: Mapped[int] = mapped_column(Integer, default=0)
    no: Mapped[int] = mapped_column(Integer, default=0)
    abstain: Mapped[int] = mapped_column(Integer, default=0)
    blank: Mapped[int] = mapped_column(Integer, default=0)
    invalid: Mapped[int] = mapped_column(Integer, default=0)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("membership.id",
                                                                 ondelete="SET NULL"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Comment(Base):
    """A clarifying question or a reaction in a comment round."""

    __tablename__ = "comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    membership_id: Mapped[int] = mapped_column(ForeignKey("membership.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
