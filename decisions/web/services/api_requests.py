"""What the API asks of the services that a page's form already limits to its choices: a
proposal's circle and chosen electors among the organisation's, a nomination among the
round's electors. A page offers only those; the API receives any id, so it is checked here
(with the pages' words) before the services are called, and an id of another
organisation is refused as unknown."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import (
    NOMINATING_KINDS,
    Circle,
    ElectorateScope,
    Membership,
    Organisation,
    Proposal,
    Round,
    VotersVisibility,
)
from . import proposals, rounds
from .messages import N_
from .organisations import current_members


def create_proposal(db: Session, organisation: Organisation, author: Membership, *,
                    title: str, body: str, family: str, params: dict[str, Any],
                    scope: ElectorateScope, circle_id: int | None, electors: Collection[int],
                    hide_results: bool, reasons: tuple[str, ...],
                    voters_visible: VotersVisibility, secret: bool,
                    reminder_hours: int | None, now: datetime) -> Proposal:
    """``proposals.create_proposal``, its circle and electors checked first."""
    if scope is ElectorateScope.CIRCLE and circle_id is not None and db.scalar(select(
            Circle.id).where(Circle.id == circle_id,
                             Circle.organisation_id == organisation.id)) is None:
        raise proposals.ProposalError("proposal.circle_unknown",
                                      N_("Choose the circle that decides."), field="circle")
    if scope is ElectorateScope.LIST and electors:
        chosen = set(electors)
        found = db.scalar(select(func.count()).select_from(
            current_members(organisation.id).where(Membership.id.in_(chosen)).subquery()))
        if found != len(chosen):
            raise proposals.ProposalError(
                "proposal.electors_unknown",
                N_("Choose the members who decide among the current members of the"
                   " organisation."), field="electors")
    return proposals.create_proposal(
        db, organisation, author, title=title, body=body, family=family, params=params,
        now=now, scope=scope, circle_id=circle_id, electors=sorted(set(electors)),
        hide_results=hide_results, reason_required=reasons, voters_visible=voters_visible,
        secret=secret, reminder_hours=reminder_hours)


def cast_ballot(db: Session, round_: Round, member: Membership, position: str, *,
                reason: str, concern: str, nominee_id: int | None, now: datetime) -> bool:
    """``rounds.cast_ballot``, a nomination checked first to name one of the round's
    electors (any other round ignores ``nominee_id``, as its page has no such field).
    Whether the ballot closed the round."""
    if round_.kind in NOMINATING_KINDS:
        if nominee_id is not None and nominee_id not in {
                member_id for member_id, _ in rounds.electors_named(db, round_.id)}:
            raise rounds.BallotRefused("ballot.nominee_unknown",
                                       N_("Choose whom you nominate."), field="nominee")
    else:
        nominee_id = None
    return rounds.cast_ballot(db, round_.id, member.id, position, now=now, reason=reason,
                              concern=concern, nominee_id=nominee_id)
