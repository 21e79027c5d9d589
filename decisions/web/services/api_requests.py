"""What the API asks of the services beyond what a page's form limits to its choices: a
nomination among the round's electors (a page offers only those; the API receives any id,
so it is checked here, with the pages' words, before the services are called). (A
proposal's circle and chosen electors are checked by ``proposals.create_proposal`` itself,
for the pages and the API alike.)"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ..models import NOMINATING_KINDS, Membership, Round
from . import rounds
from .messages import N_


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
