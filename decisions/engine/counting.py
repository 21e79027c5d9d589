"""Which individual ballots count: eligibility, time window, position, changes (docs/rules.md 0.3).

Shared by the voting families. Ballots are read in the order of ``(cast_at, seq, arrival)``,
so the order in which independent ballots arrive never changes what counts.
"""

from __future__ import annotations

import bisect
import itertools
import operator
from collections.abc import Collection, Mapping, Sequence
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


def _count_in_time_order(
    ballots: Ballots,
    eligible: Collection[str],
    window: Window,
    instant: datetime | None,
    rules: PositionRules,
) -> Counted | None:
    """The common case of a large vote, counted with C-level iterators and bisection.

    Ballots in time order (sorted first when they did not arrive so): those too early are a
    prefix of the ones known at ``instant``, those late a suffix of all (known or not: a late
    ballot is refused whatever the instant), and each voter's latest on-time ballot is the
    last one ``dict`` keeps. Refused ones are few and read one by one.

    ``None`` when any on-time ballot needs a closer look (a voter not eligible, a position
    refused or needing a reason, a ``seq``): the careful path then decides.
    """
    voters, times, positions = ballots.voters, ballots.cast_at, ballots.positions
    n = len(voters)
    if not n or ballots.seqs.count(None) != n:
        return None
    order: Sequence[int]
    if all(map(operator.le, times, itertools.islice(times, 1, None))):
        order, ordered = range(n), times
    else:  # a stable sort keeps arrival order for ballots cast at the same instant
        order = sorted(range(n), key=times.__getitem__)
        ordered = tuple(map(times.__getitem__, order))
    end = n if instant is None else bisect.bisect_right(ordered, instant)
    opens, closes = window.opens_at, window.closes_at
    lo = 0 if opens is None else bisect.bisect_left(ordered, opens, 0, end)
    cut = bisect.bisect_right if window.deadline_inclusive else bisect.bisect_left
    late = n if closes is None else cut(ordered, closes, lo, n)
    on_time = order[lo:min(late, end)]
    kinds = set(map(positions.__getitem__, on_time))
    if not kinds.isdisjoint(rules.refused) or not kinds.isdisjoint(rules.need_reason):
        return None
    counted = dict(zip(map(voters.__getitem__, on_time), on_time, strict=True))
    if not all(map(eligible.__contains__, counted)):
        return None
    rejected = []
    holders = ballots.cast_by
    for i in itertools.chain(order[:lo], order[late:]):
        reason = _NOT_ELIGIBLE if voters[i] not in eligible else window.refusal(times[i])
        rejected.append(RejectedBallot(voters[i], reason or RejectionReason.LATE, times[i],
                                       holders[i] if holders else None))
    rejected.sort(key=lambda r: (r.cast_at, r.voter))  # stable: one voter keeps arrival order
    return Counted(latest=counted, rejected=tuple(rejected),
                   superseded=len(on_time) - len(counted), closed_early_at=None)


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

    A ballot cast after ``instant`` is not known yet and is left out, unless the vote was
    already closed when it was cast: at or after the deadline, or after an early close that
    happened by ``instant``; then it is refused whatever the instant (docs/rules.md 0.3, 8b).
    With ``close_when_all``, the vote closes once every eligible member has a counted
    ballot: any later ballot before the deadline is refused ``change_not_allowed``.
    """
    if not close_when_all and allow_change:
        fast = _count_in_time_order(ballots, eligible, window, instant, rules)
        if fast is not None:
            return fast
    voters, positions, times = ballots.voters, ballots.positions, ballots.cast_at
    reasons, seqs = ballots.reasons, ballots.seqs
    refused, need_reason = rules.refused, rules.need_reason
    opens, late = window.opens_at, window.late

    def rank(i: int) -> tuple[datetime, int, int]:
        return times[i], seqs[i] or 0, i

    def instant_of(i: int) -> tuple[datetime, int]:
        return times[i], seqs[i] or 0

    def defect(i: int) -> RejectionReason | None:
        """The first defect of docs/rules.md 8b before ``change_not_allowed``."""
        cast_at = times[i]
        if voters[i] not in eligible:
            return _NOT_ELIGIBLE
        if opens is not None and cast_at < opens:
            return RejectionReason.TOO_EARLY
        if late(cast_at):
            return RejectionReason.LATE
        position = positions[i]
        refusal = refused.get(position)
        if refusal is None and position in need_reason and not (reasons[i] or "").strip():
            refusal = RejectionReason.MISSING_REASON
        return refusal

    rejected: list[tuple[int, RejectionReason]] = []
    accepted: list[int] = []
    unknown: list[int] = []  # cast after the instant, before the deadline
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    for i, voter in enumerate(voters):
        cast_at = times[i]
        if instant is not None and cast_at > instant and not late(cast_at):
            unknown.append(i)
            continue
        refusal = defect(i)
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

    # The vote closes at the instant the last member answered: ballots of that same instant
    # are simultaneous with it and count, whatever their order of arrival.
    closed_at: tuple[datetime, int] | None = None
    if close_when_all and eligible and len(first) == len(eligible):
        closed_at = max(instant_of(i) for i in first.values())
    if closed_at is not None or not allow_change:
        counted: dict[str, int] = {}
        for i in sorted(accepted, key=rank):
            voter = voters[i]
            too_late = closed_at is not None and instant_of(i) > closed_at
            if too_late or (voter in counted and not allow_change):
                rejected.append((i, _CHANGE_NOT_ALLOWED))
            else:
                counted[voter] = i
        accepted_count = len(accepted) - sum(1 for _, r in rejected if r is _CHANGE_NOT_ALLOWED)
    else:
        counted, accepted_count = last, len(accepted)
    if closed_at is not None:  # closed by the instant: a ballot cast after it is too late
        rejected += ((i, defect(i) or _CHANGE_NOT_ALLOWED) for i in unknown)
    # Records in time order; at one instant, by voter, so that arrival order never shows.
    rejected.sort(key=lambda item: (times[item[0]], seqs[item[0]] or 0, voters[item[0]],
                                    item[0]))
    holders = ballots.cast_by
    return Counted(
        latest=counted,
        rejected=tuple(RejectedBallot(voters[i], r, times[i], holders[i] if holders else None)
                       for i, r in rejected),
        superseded=accepted_count - len(counted),
        closed_early_at=None if closed_at is None else closed_at[0],
    )
