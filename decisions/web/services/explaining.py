"""The engine's stored explanation of a round, made to agree with the page around it.

A round's result is stored when it closes, and its explanation with it; the page shows what
is true now. Three things differ: the review date is written after the decision (the stored
explanation says none is set), the engine numbers the consent rounds alone (the page numbers
every round), and an election's explanation gives the counts after a change round even when
none was held. Its steps name members by id: the page shows their names, but who took which
position only to a reader who may see it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from decisions.engine import Step

from ..models import UNDECIDED, Round, RoundKind

#: Steps of the engine's explanations naming the members who took a position, and those
#: naming the people nominated or proposed as candidates.
_VOTER_KEYS = ("objections", "missing", "concerns", "dismissed", "voters")
_NOMINEE_KEYS = ("candidate", "tied")
#: Steps of a meeting's attendance naming a proxy's giver and holder, or a postal voter:
#: the attendance sheet is public to the members, so always by name.
_SHEET_KEYS = ("member", "holder")
_NOMINEE_COUNTS = ("counts", "after_change")


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


def members_named(result: Mapping[str, Any]) -> set[str]:
    """The member keys a stored result's explanation names, whose names it needs."""
    found: set[str] = set()
    for entry in result.get("explanation", []):
        for key, value in entry.items():
            if isinstance(value, list) and key in (*_VOTER_KEYS, *_NOMINEE_KEYS):
                found.update(str(v) for v in value)
            elif isinstance(value, dict) and key in _NOMINEE_COUNTS:
                found.update(str(k) for k in value)
            elif isinstance(value, str) and key in (*_NOMINEE_KEYS, *_SHEET_KEYS):
                found.add(value)
    return found


def named_steps(result: Mapping[str, Any], names: Mapping[str, str], *, voters_shown: bool,
                someone: str, context: Context | None = None) -> list[Step]:
    """The steps of a stored result's explanation, told as the page is (``context``), with
    the names of members in place of their ids: ``someone`` for those who took a position
    unless the reader may see who took which (``voters_shown``); nominees and candidates
    always by name."""

    def person(key: object, *, voter: bool) -> str:
        if voter and not voters_shown:
            return someone
        return names.get(str(key), str(key))

    entries = result.get("explanation", [])
    if context is not None:
        entries = agreeing(entries, context)
    steps = []
    for entry in entries:
        data: dict[str, Any] = {}
        for key, value in entry.items():
            if key == "code":
                continue
            if isinstance(value, list) and key in (*_VOTER_KEYS, *_NOMINEE_KEYS):
                value = tuple(person(v, voter=key in _VOTER_KEYS) for v in value)
            elif isinstance(value, list):
                value = tuple(value)
            elif isinstance(value, dict) and key in _NOMINEE_COUNTS:
                value = {person(k, voter=False): v for k, v in value.items()}
            elif isinstance(value, str) and key in (*_NOMINEE_KEYS, *_SHEET_KEYS):
                value = person(value, voter=False)
            data[key] = value
        steps.append(Step(str(entry["code"]), data))
    return steps
