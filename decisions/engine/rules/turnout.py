"""Turnout of a vote: the counts, participants and presence of each group of voters.

Majority votes have one group; multi-college votes have one group per college. Counts come
from tallies, or from individual ballots through ``counting.count_ballots``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from ..counting import PositionRules, count_ballots
from ..model import (
    Ballots,
    CollegeHeadCount,
    CollegeTallies,
    HeadCount,
    Mode,
    Position,
    RejectionReason,
    Roll,
    Tally,
)
from ..params import MajorityParams
from ..results import RejectedBallot

__all__ = ["Group", "Turnout", "resolve_mode", "take_turnout"]

_MEETING_RULES = PositionRules({})
_ASYNC_RULES = PositionRules({Position.INVALID: RejectionReason.POSITION_NOT_ALLOWED})
ASSEMBLY = ""


@dataclass(frozen=True, slots=True)
class Group:
    """One group's turnout: its members, those present, those who voted, and the counts."""

    members: int
    present: int
    participants: int
    counts: Tally


@dataclass(frozen=True, slots=True)
class Turnout:
    """Turnout by group (``""`` for a vote without colleges) and the ballots set aside."""

    mode: Mode
    groups: dict[str, Group]
    rejected: tuple[RejectedBallot, ...] = ()
    superseded: int = 0
    closed_early_at: datetime | None = None
    individual: bool = field(default=False)

    @property
    def assembly(self) -> Group:
        """The whole assembly's turnout: every group added up."""
        groups = self.groups.values()
        return Group(
            members=sum(g.members for g in groups),
            present=sum(g.present for g in groups),
            participants=sum(g.participants for g in groups),
            counts=_add(g.counts for g in groups),
        )


def _add(tallies: Iterable[Tally]) -> Tally:
    yes = no = abstain = blank = invalid = 0
    for t in tallies:
        yes, no, abstain = yes + t.yes, no + t.no, abstain + t.abstain
        blank, invalid = blank + t.blank, invalid + t.invalid
    return Tally(yes, no, abstain, blank, invalid)


def resolve_mode(params: MajorityParams, electorate: object, ballots: object) -> Mode:
    """The mode given, else meeting when the electorate or the ballots are counts."""
    if params.mode is not None:
        return params.mode
    counted = isinstance(electorate, HeadCount | CollegeHeadCount) or isinstance(
        ballots, Tally | CollegeTallies
    )
    return Mode.MEETING if counted else Mode.ASYNC


def take_turnout(
    params: MajorityParams,
    electorate: Roll | HeadCount | CollegeHeadCount,
    ballots: Ballots | Tally | CollegeTallies,
    groups: tuple[str, ...],
    instant: datetime | None,
) -> Turnout:
    """Count a vote's turnout by group; ``groups`` is ``("",)`` without colleges."""
    mode = resolve_mode(params, electorate, ballots)
    if isinstance(ballots, Ballots):
        assert isinstance(electorate, Roll)  # noqa: S101 - load_case guarantees it
        return _from_ballots(params, mode, electorate, ballots, groups, instant)
    tallies = {ASSEMBLY: ballots} if isinstance(ballots, Tally) else dict(ballots.by_college)
    result: dict[str, Group] = {}
    for group in groups:
        counts = tallies.get(group, Tally())
        members, present = _heads(electorate, group, counts)
        result[group] = Group(members, present if mode is Mode.MEETING else counts.total,
                              counts.total, counts)
    return Turnout(mode, result)


def _heads(
    electorate: Roll | HeadCount | CollegeHeadCount, group: str, counts: Tally
) -> tuple[int, int]:
    if isinstance(electorate, HeadCount):
        given = electorate.present
        return electorate.eligible, counts.total if given is None else given
    if isinstance(electorate, CollegeHeadCount):
        heads = next(h for h in electorate.colleges if h.college == group)
        return heads.members, heads.present
    colleges = electorate.colleges or (None,) * len(electorate.ids)
    ids = [i for i, c in zip(electorate.ids, colleges, strict=True) if group in (ASSEMBLY, c)]
    if electorate.present is None:
        return len(ids), counts.total
    attending = set(electorate.present)
    return len(ids), sum(1 for i in ids if i in attending)


def _from_ballots(
    params: MajorityParams,
    mode: Mode,
    roll: Roll,
    ballots: Ballots,
    groups: tuple[str, ...],
    instant: datetime | None,
) -> Turnout:
    if groups == (ASSEMBLY,) or not roll.colleges:
        group_of = dict.fromkeys(roll.ids, ASSEMBLY)
    else:
        group_of = dict(zip(roll.ids, roll.colleges, strict=True))  # type: ignore[arg-type]
    counted = count_ballots(
        ballots,
        group_of,
        params.window,
        instant,
        _MEETING_RULES if mode is Mode.MEETING else _ASYNC_RULES,
        allow_change=params.allow_vote_change,
        close_when_all=params.close_when_all_voted,
    )
    latest = counted.latest
    group = group_of.__getitem__
    # Counted with C-level iterators: a 60,000-member assembly is counted in milliseconds.
    by_group: Counter[tuple[str, Position]] = Counter(
        zip(map(group, latest), map(ballots.positions.__getitem__, latest.values()), strict=True)
    )
    members = Counter(group_of.values())
    voted: Counter[str] = Counter()
    for (g, _), k in by_group.items():
        voted[g] += k
    if mode is Mode.MEETING and roll.present:
        present = Counter(map(group, set(roll.present).union(latest)))
    else:
        present = voted
    result = {
        g: Group(
            members=members[g],
            present=present[g],
            participants=voted[g],
            counts=Tally(*(by_group[g, p] for p in _TALLY_ORDER)),
        )
        for g in groups
    }
    return Turnout(mode, result, counted.rejected, counted.superseded, counted.closed_early_at,
                   individual=True)


_TALLY_ORDER = (Position.YES, Position.NO, Position.ABSTAIN, Position.BLANK, Position.INVALID)
