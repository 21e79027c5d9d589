"""Decisions whose review date has come: their proposers are told, once per review date,
through the notice outbox (``NoticeKind.REVIEW_DUE``).

The review date is a date of the organisation (its time zone): it has come when the
organisation's date at ``now`` reaches it, as the register flags it (``register.entries``).
Telling is an "at most once" job shaped like closing a round: one conditional update
(``UPDATE proposal SET review_told_on = review_date WHERE ... review_told_on is not that
date``) and the notice in the same transaction, so that several schedulers meeting on one
decision tell its proposer once, and only the one whose update took writes the notice. The
mark is on the proposal rather than a search for an earlier notice: notices are purged after
``RETAIN_NOTICES_DAYS``, the mark stays; a new review date set later is told when it comes.

Only decided proposals (``reviewed`` ones were reviewed); a proposer who left the
organisation is told nothing (the mark is set all the same, so nobody is told later by
surprise). Flask-free: the clock and the sessions are parameters.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from ..models import Membership, NoticeKind, Organisation, Proposal, ProposalStatus
from ..transactions import rowcount
from . import notices
from .register import today_of


def _untold() -> tuple[ColumnElement[bool], ...]:
    """The decided proposals whose review date has not been told (a review date told before
    and changed since counts as untold)."""
    return (Proposal.status == ProposalStatus.DECIDED, Proposal.review_date.is_not(None),
            or_(Proposal.review_told_on.is_(None),
                Proposal.review_told_on != Proposal.review_date))


def reviews_to_tell(db: Session, now: datetime) -> list[int]:
    """The decided proposals whose review date has come at ``now`` (in their
    organisation's time zone) and whose proposer was not told of it, earliest first (read
    only)."""
    # Any time zone's date is within a day of UTC's: the zone is checked row by row.
    latest = (now + timedelta(days=1)).date()
    rows = db.execute(
        select(Proposal.id, Proposal.review_date, Organisation)
        .join(Organisation, Organisation.id == Proposal.organisation_id)
        .where(*_untold(), Proposal.review_date <= latest)
        .order_by(Proposal.review_date, Proposal.id)).all()
    return [proposal_id for proposal_id, day, organisation in rows
            if day is not None and day <= today_of(organisation, now)]


def tell_review_due(db: Session, proposal_id: int, now: datetime) -> int:
    """Tell the proposer of ``proposal_id`` that its review date has come, if it has and
    nobody told them yet: mark the date told with one conditional update, and write the
    notice only if this call's update took; how many were told (0 or 1). The caller's
    transaction writes (``begin_write``) and commits."""
    proposal = db.get(Proposal, proposal_id)
    if proposal is None or proposal.review_date is None:
        return 0
    day = proposal.review_date
    if day > today_of(proposal.organisation, now):
        return 0
    marked = db.execute(
        update(Proposal).where(Proposal.id == proposal_id, *_untold(),
                               Proposal.review_date == day)
        .values(review_told_on=day).execution_options(synchronize_session=False))
    if rowcount(marked) != 1:
        return 0  # another scheduler told it first
    proposer = db.scalar(select(Membership.user_id).where(
        Membership.id == proposal.author_id, Membership.ended_at.is_(None)))
    if proposer is None:
        return 0
    return notices.notify(db, NoticeKind.REVIEW_DUE, organisation_id=proposal.organisation_id,
                          user_ids=[proposer], proposal_id=proposal.id,
                          payload={"review_date": day.isoformat()}, now=now)


def tell_reviews_due(sessions: sessionmaker[Session], now: datetime) -> int:
    """Tell every proposer whose decision's review date has come at ``now``, one decision
    per transaction (the scheduler's job); how many were told. A decision that fails is
    logged and tried again at the next pass."""
    with sessions() as db:
        due = reviews_to_tell(db, now)
    return notices.one_transaction_each(sessions, due, tell_review_due, now,
                                        "The review of proposal %d could not be told")
