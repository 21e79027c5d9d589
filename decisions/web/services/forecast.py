"""What the outcome of an open round would be if it closed now: the engine evaluates the
round's case from the ballots cast so far, gathered as the close gathers it
(``round_cases``), evaluated as closed. Read-only: nothing is stored.

Only where the counts are already shown while the round is open: never for a secret ballot
(its counts are hidden until the close), nor when the proposal hides its results; the
explanation names members only to a reader who may see who took which position.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from decisions.engine import EngineError, Step, evaluate, load_case

from .. import round_cases
from ..families import descriptor
from ..models import Membership, Round, RoundKind
from . import explaining
from .results import counts_visible, member_names, voters_visible

#: The rounds the engine counts at their close.
COUNTED_KINDS = frozenset({RoundKind.CONSENT, RoundKind.VOTE})


@dataclass(frozen=True, slots=True)
class Forecast:
    """The outcome the engine gives the round's ballots of now, and its explanation."""

    outcome: str
    explanation: tuple[Step, ...]


def if_closed_now(db: Session, round_: Round, reader: Membership, now: datetime, *,
                  someone: str = "a member") -> Forecast | None:
    """The outcome of ``round_`` if it closed at ``now``, as ``reader`` may read it;
    ``None`` when the round is not open and taking ballots, the engine does not count it,
    its counts are hidden (secret or hidden results), or the engine cannot evaluate it."""
    proposal = round_.proposal
    if (round_.kind not in COUNTED_KINDS or not round_.accepting(now) or proposal.secret
            or not counts_visible(proposal, round_)):
        return None
    rules = descriptor(proposal.family)
    tally = round_cases.live_tally(db, round_.id) if rules.is_vote else None
    case = round_cases.case_json(db, round_, now, tally=tally)
    _as_closed(case["params"])
    try:
        result = evaluate(load_case(case)).to_json()
    except EngineError:
        return None
    shown = voters_visible(proposal, round_, reader)
    keys = set() if rules.is_vote else explaining.members_named(result)
    steps = explaining.named_steps(
        result, member_names(db, round_.id, keys) if keys else {}, voters_shown=shown,
        someone=someone, context=explaining.context_of(db, round_))
    return Forecast(str(result.get("outcome", "")), tuple(steps))


def _as_closed(params: dict[str, Any]) -> None:
    """Evaluate the case at its deadline, as the close does: silence then counts as the rule
    says (consent, abstention...) and no outcome is left pending. Every ballot stored is
    before the deadline (the server refuses later ones), so the ballots of now are those
    counted. A sociocratic log has no window: it is read as it stands."""
    if "closes_at" in params:
        params["evaluated_at"] = params["closes_at"]

