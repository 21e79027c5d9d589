"""Which individual ballots count: eligibility, time window, position, changes (RULES.md 0.3).

Shared by the voting families. Ballots are read in the order of ``(cast_at, seq, arrival)``,
so the order in which independent ballots arrive never changes what counts.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from .model import Ballots, Position, RejectionReason
from .results import RejectedBallot
from .timing import Window

__all__ = ["Counted", "PositionRules", "count_ballots"]

_NOT_ELIGIBLE = RejectionReason.NOT_ELIGIBLE
_CHANGE_NOT_ALLOWED = RejectionReason.CHANGE_NOT_ALLOWED


@dataclass(frozen=True, slots=True)
class PositionRules:
    """The position checks of a family: positions refused outright, and those needing a
    reason (refused ``missing_reason`` without one)."""

    refused: Mapping[Position, RejectionReason]
    need_reason: frozenset[Position] = frozenset()


@dataclass(frozen=True, slots=True)
class Counted:
    """The counted ballot of each voter (an index into the ballots), and the rest."""

    latest: Mapping[str, int]
    rejected: tuple[RejectedBallot, ...]
    superseded: int
    closed_early_at: datetime | None


def _count_all_accepted(
    ballots: Ballots,
    eligible: Collection[str],
    window: Window,
    instant: datetime | None,
    rules: PositionRules,
) -> Counted | None:
    """The common case of a large vote, counted with C-level iterators: every ballot is on
    time, eligible and of an allowed position, so the latest of each voter counts.

    ``None`` when any ballot needs a closer look: the careful path then decides.
    """
    voters, times = ballots.voters, ballots.cast_at
    if not voters:
        return None
    earliest, latest = min(times), max(times)
    if instant is not None and latest > instant:
        return None
    if window.refusal(earliest) is not None or window.refusal(latest) is not None:
        return None
    positions = set(ballots.positions)
    if not positions.isdisjoint(rules.refused) or not positions.isdisjoint(rules.need_reason):
        return None
    if not all(map(eligible.__contains__, voters)):
        return None
    if any(s is not None for s in ballots.seqs):
        return None
    counted = dict(zip(voters, range(len(voters)), strict=True))
    if len(counted) < len(voters) and not all(
            map(operator.le, times, itertools.islice(times, 1, None))):
        # Some voters changed their ballot and ballots did not arrive in time order: read them
        # in time order (a stable sort keeps arrival order for ballots cast at the same instant).
        order = sorted(range(len(voters)), key=times.__getitem__)
        counted = dict(zip(map(voters.__getitem__, order), order, strict=True))
    return Counted(latest=counted, rejected=(), superseded=len(voters) - len(counted),
                   closed_early_at=None)


def count_ballots(
    ballots: Ballots,
    eligible: Collection[str],
    window: Window,
    instant: datetime | None,
    rules: PositionRules,
    *,
    allow_change: bool,
    close_when_all: bool,
) -> Counted:
    """Accept or refuse each ballot, then keep one per voter.

    Ballots cast after ``instant`` are not known yet and are left out. With
    ``close_when_all``, the vote closes once every eligible member has a counted ballot: any
    later ballot before the deadline is refused ``change_not_allowed``.
    """
    if not close_when_all and allow_change:
        fast = _count_all_accepted(ballots, eligible, window, instant, rules)
        if fast is not None:
            return fast
    voters, positions, times = ballots.voters, ballots.positions, ballots.cast_at
    reasons, seqs = ballots.reasons, ballots.seqs
    refused, need_reason = rules.refused, rules.need_reason
    opens, closes, inclusive = window.opens_at, window.closes_at, window.deadline_inclusive

    def rank(i: int) -> tuple[datetime, int, int]:
        return times[i], seqs[i] or 0, i

    rejected: list[tuple[int, RejectionReason]] = []
    accepted: list[int] = []
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    for i, voter in enumerate(voters):
        cast_at = times[i]
        if instant is not None and cast_at > instant:
            continue
        if voter not in eligible:
            rejected.append((i, _NOT_ELIGIBLE))
            continue
        if opens is not None and cast_at < opens:
            rejected.append((i, RejectionReason.TOO_EARLY))
            continue
        if closes is not None and (cast_at > closes if inclusive else cast_at >= closes):
            rejected.append((i, RejectionReason.LATE))
            continue
        position = positions[i]
        refusal = refused.get(position)
        if refusal is None and position in need_reason and not (reasons[i] or "").strip():
            refusal = RejectionReason.MISSING_REASON
        if refusal is not None:
            rejected.append((i, refusal))
            continue
        accepted.append(i)
        j = last.get(voter)
        if j is None:
            first[voter] = last[voter] = i
        elif cast_at > times[j] or (cast_at == times[j] and rank(i) > rank(j)):
            last[voter] = i
        elif rank(i) < rank(first[voter]):
            first[voter] = i

    closed_at: tuple[datetime, int, int] | None = None
    if close_when_all and eligible and len(first) == len(eligible):
        closed_at = max(rank(i) for i in first.values())
    if closed_at is not None or not allow_change:
        counted: dict[str, int] = {}
        for i in sorted(accepted, key=rank):
            voter = voters[i]
            too_late = closed_at is not None and rank(i) > closed_at
            if too_late or (voter in counted and not allow_change):
                rejected.append((i, _CHANGE_NOT_ALLOWED))
            else:
                counted[voter] = i
        accepted_count = len(accepted) - sum(1 for _, r in rejected if r is _CHANGE_NOT_ALLOWED)
    else:
        counted, accepted_count = last, len(accepted)
    rejected.sort(key=lambda item: rank(item[0]))
    return Counted(
        latest=counted,
        rejected=tuple(RejectedBallot(voters[i], r, times[i]) for i, r in rejected),
        superseded=accepted_count - len(counted),
        closed_early_at=None if closed_at is None else closed_at[0],
    )
