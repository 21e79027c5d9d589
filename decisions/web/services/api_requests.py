"""What the API asks of the services beyond what a page's form limits to its choices: a
nomination among the round's electors (a page offers only those; the API receives any id,
so it is checked here, with the pages' words, before the services are called); and a
general assembly's resolution voted as its sitting's page votes it, by a member checked
in, for themself and those they represent. (A proposal's circle and chosen electors are
checked by ``proposals.create_proposal`` itself, for the pages and the API alike.)"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from .. import assembly_cases
from ..models import NOMINATING_KINDS, Membership, Round
from . import assemblies, rounds
from .messages import N_


def cast_ballot(db: Session, round_: Round, member: Membership, position: str, *,
                reason: str, concern: str, nominee_id: int | None,
                for_members: Sequence[int] | None = None, now: datetime) -> bool:
    """``rounds.cast_ballot``, a nomination checked first to name one of the round's
    electors (any other round ignores ``nominee_id``, as its page has no such field). A
    general assembly's resolution is voted as on the sitting's page (``assemblies.cast``:
    once checked in, for oneself and/or the members whose proxy one holds, ``for_members``);
    elsewhere ``for_members`` is refused. Whether the ballot closed the round."""
    item = assembly_cases.item_of_round(db, round_.id)
    if item is not None:
        assemblies.cast(db, item.assembly, item.id, member, position,
                        for_ids=list(for_members or [member.id]), now=now)
        return False
    if for_members is not None and list(for_members) != [member.id]:
        raise rounds.BallotRefused("ballot.for_members",
                                   N_("Only the votes of a general assembly's resolution are"
                                      " cast for other members (by proxy)."),
                                   field="for_members")
    if round_.kind in NOMINATING_KINDS:
        if nominee_id is not None and nominee_id not in {
                member_id for member_id, _ in rounds.electors_named(db, round_.id)}:
            raise rounds.BallotRefused("ballot.nominee_unknown",
                                       N_("Choose whom you nominate."), field="nominee")
    else:
        nominee_id = None
    return rounds.cast_ballot(db, round_.id, member.id, position, now=now, reason=reason,
                              concern=concern, nominee_id=nominee_id)


def close_round(db: Session, round_: Round, member: Membership, *, now: datetime) -> bool:
    """``rounds.close_early`` by ``member``; a general assembly's resolution closed as its
    sitting's page closes it (``assemblies.close_resolution``: the engine checks the room's
    counts first, and nothing is closed when it refuses them). Whether it was closed."""
    item = assembly_cases.item_of_round(db, round_.id)
    if item is not None:
        assemblies.close_resolution(db, item.assembly, item.id, member, now=now)
        return True
    return rounds.close_early(db, round_.id, now=now, actor_id=member.id)
