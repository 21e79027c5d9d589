"""Comments in the rounds that take them: clarifying questions and reactions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, insert, literal, select
from sqlalchemy.orm import Session

from ..models import (
    COMMENT_KINDS,
    Comment,
    Elector,
    Membership,
    Round,
    RoundStatus,
    User,
)
from . import ServiceError
from .messages import N_

MAX_COMMENT = 5000


class CommentError(ServiceError):
    """A comment that cannot be posted: said next to the comment."""

    field = "body"


@dataclass(frozen=True, slots=True)
class CommentLine:
    """A comment as shown: who, what, when."""

    id: int
    author: str
    body: str
    created_at: datetime


def post_comment(db: Session, round_id: int, membership_id: int, body: str, *,
                 now: datetime) -> None:
    """Post a comment if the round takes comments and is open by the server's clock, and
    the member is in its electorate (checked in the statement that stores it)."""
    round_ = db.get(Round, round_id)
    if round_ is None or round_.kind not in COMMENT_KINDS:
        raise CommentError("comment.not_taken", N_("This round does not take comments."))
    text = body.strip()
    if not text:
        raise CommentError("comment.empty", N_("Write your comment."))
    if len(text) > MAX_COMMENT:
        raise CommentError("comment.too_long", N_("A comment has at most 5000 characters."))
    is_open = exists().where(Round.id == round_id, Round.accepting(now))
    is_elector = exists().where(Elector.round_id == round_id,
                                Elector.membership_id == membership_id)
    values = select(literal(round_id), literal(membership_id), literal(text),
                    literal(now, Comment.created_at.type)).where(is_open, is_elector)
    stored = db.execute(insert(Comment).from_select(
        ["round_id", "membership_id", "body", "created_at"], values).returning(Comment.id))
    if stored.scalar_one_or_none() is None:
        if now >= round_.closes_at or round_.status is not RoundStatus.OPEN:
            raise CommentError("round.closed",
                               N_("This round is closed: its deadline has passed."))
        if now < round_.opens_at:
            raise CommentError("round.not_open_yet", N_("This round is not open yet."))
        raise CommentError("round.not_elector", N_("You are not in the electorate of this round."))


def comments_of(db: Session, round_id: int) -> list[CommentLine]:
    """The comments of a round, oldest first."""
    rows = db.execute(select(Comment.id, User.name, Comment.body, Comment.created_at)
                      .join(Membership, Membership.id == Comment.membership_id)
                      .join(User, User.id == Membership.user_id)
                      .where(Comment.round_id == round_id).order_by(Comment.id))
    return [CommentLine(*row) for row in rows]
