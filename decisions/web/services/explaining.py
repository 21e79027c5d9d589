"""The engine's stored explanation of a round, made to agree with the page around it.

A round's result is stored when it closes, and its explanation with it; the page shows what
is true now. Three things differ: the review date is written after the decision (the stored
explanation says none is set), the engine numbers the consent rounds alone (the page numbers
every round), and an election's explanation gives the counts after a change round even when
none was held."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import UNDECIDED, Round, RoundKind


@dataclass(frozen=True)
class Context:
    """What the page knows now: its number of each of the engine's consent rounds, whether a
    change round was held, whether a review date is recorded."""

    round_numbers: Mapping[int, int]
    change_round: bool
    review_date_set: bool


def context_of(db: Session, round_: Round) -> Context:
    """The context of a round's explanation, up to and including that round."""
    held = db.execute(select(Round.kind, Round.number).where(
        Round.proposal_id == round_.proposal_id, Round.number <= round_.number,
        Round.status.not_in(UNDECIDED)).order_by(Round.number)).all()
    consent = [number for kind, number in held if kind is RoundKind.CONSENT]
    return Context(round_numbers=dict(enumerate(consent, start=1)),
                   change_round=any(kind is RoundKind.CHANGE for kind, _ in held),
                   review_date_set=round_.proposal.review_date is not None)


def agreeing(entries: Iterable[Mapping[str, Any]], context: Context) -> list[dict[str, Any]]:
    """The steps of a stored explanation as the page tells them now."""
    found: list[dict[str, Any]] = []
    for entry in entries:
        step = dict(entry)
        if step.get("code") == "review_date_missing" and context.review_date_set:
            continue
        if step.get("code") == "round" and step.get("round") in context.round_numbers:
            step["round"] = context.round_numbers[step["round"]]
        if step.get("code") == "nominations" and not context.change_round:
            step.pop("after_change", None)
        found.append(step)
    return found
