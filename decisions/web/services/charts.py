"""The figures behind a round's charts, as the results page, the minutes and the outcome
e-mail draw them: positions taken (bars), each college's part in a vote by colleges and how
the parts add up to the weighted share against the threshold, participation against the
quorum, and how the positions evolved while the round was open.

Every figure is the engine's (``RoundResults``, built from its stored or live result) or a
count of stored rows; nothing here is drawn (``decisions.web.charts`` draws) nor decided:
the weighted share of a closed round is the one its stored result holds. The evolution is
read from the stored ballots, so it exists only for rounds whose ballots are rows with a
time: never for a secret round (whose ballots are counters, never linked to a time or a
member), nor while the proposal hides its counts.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from decisions.engine import (
    CollegeMethod,
    CollegeParams,
    Convocation,
    MajorityParams,
    ThresholdName,
)

from .. import round_cases
from ..families import descriptor
from ..models import Ballot, Elector, Round, RoundKind, RoundStatus
from .results import RoundResults

#: The most points an evolution keeps: one per ballot up to this, then the last state of
#: each of this many equal slices of time.
MAX_POINTS = 48
#: The most ballots an evolution replays: beyond, the round has no evolution chart, so that
#: its results page still reads its figures in a few aggregates, however large the round.
MAX_REPLAYED = 10_000


@dataclass(frozen=True, slots=True)
class PositionsFigures:
    """Positions taken in a round, in the order the results give them; ``weighted`` when
    they count vote weights (votes) rather than people."""

    counts: tuple[tuple[str, int], ...]
    weighted: bool

    @property
    def total(self) -> int:
        return sum(count for _, count in self.counts)


@dataclass(frozen=True, slots=True)
class CollegeFigures:
    """One college's part in a vote by colleges: its counts, its effective share of the
    votes, the share for within it, and what it adds to the weighted share."""

    name: str
    weight_effective: Fraction
    counts: Mapping[str, int]
    yes_share: Fraction | None
    #: What the college adds to the weighted share: its effective weight times its share
    #: for (proportional method), or its whole weight when its majority is for (bloc).
    contribution: Fraction


@dataclass(frozen=True, slots=True)
class CollegesFigures:
    """A vote by colleges: each college, the weighted share for and the threshold it is
    compared with (``None`` for a simple majority: more for than against)."""

    colleges: tuple[CollegeFigures, ...]
    weighted_share: Fraction | None
    threshold: Fraction | None
    inclusive: bool
    bloc: bool


@dataclass(frozen=True, slots=True)
class ParticipationFigures:
    """Who took part, out of whom, against the quorum (``needed``: the least number that
    meets it, ``None`` without a quorum)."""

    responded: int
    eligible: int
    quorum: Fraction | None
    needed: int | None
    met: bool | None
    weighted: bool


@dataclass(frozen=True, slots=True)
class EvolutionPoint:
    """The counted positions just after the ballot cast at ``at``."""

    at: datetime
    counts: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class EvolutionFigures:
    """How the counted positions of a round evolved from its opening, online ballots only
    (the room's counts have no time), weighted for votes."""

    opens_at: datetime
    ends_at: datetime
    positions: tuple[str, ...]
    points: tuple[EvolutionPoint, ...]
    ballots: int
    weighted: bool

    @property
    def peak(self) -> int:
        return max((max(p.counts.values(), default=0) for p in self.points), default=0)


@dataclass(frozen=True, slots=True)
class RoundFigures:
    """The figures of every chart a round has for its reader (``None``: no such chart)."""

    round_id: int
    positions: PositionsFigures | None
    colleges: CollegesFigures | None
    participation: ParticipationFigures | None
    evolution: EvolutionFigures | None


def round_figures(db: Session, round_: Round, results: RoundResults, now: datetime,
                  ) -> RoundFigures:
    """The charts' figures of a round from its results as the reader may see them
    (``services.results.round_results``), and its stored ballots for the evolution."""
    is_vote = round_.kind is RoundKind.VOTE
    positions = None
    if results.counts:
        positions = PositionsFigures(tuple(results.counts.items()), is_vote)
    participation = None
    p = results.participation
    if p.eligible:
        participation = ParticipationFigures(p.responded, p.eligible, p.quorum, p.needed,
                                             p.quorum_met, is_vote)
    return RoundFigures(
        round_id=round_.id, positions=positions,
        colleges=colleges_figures(round_, results),
        participation=participation,
        evolution=evolution(db, round_, now) if results.counts_visible else None)


def threshold_of(round_: Round) -> tuple[Fraction | None, bool, bool]:
    """A vote's threshold at its convocation (``None`` for a simple majority), whether it
    is inclusive, and whether its colleges vote as blocs."""
    rule = round_cases.rule_params(round_.proposal.family,
                                   json.loads(round_.proposal.params or "{}"))
    if not isinstance(rule, MajorityParams | CollegeParams):
        return None, False, False
    threshold = rule.threshold.at(Convocation(round_.convocation))
    bloc = isinstance(rule, CollegeParams) and rule.method is CollegeMethod.BLOC
    if threshold.name is ThresholdName.SIMPLE:
        return None, False, bloc
    return threshold.fraction, threshold.inclusive, bloc


def colleges_figures(round_: Round, results: RoundResults) -> CollegesFigures | None:
    """The colleges of a vote by colleges, with what each adds to the weighted share."""
    if not results.colleges:
        return None
    threshold, inclusive, bloc = threshold_of(round_)
    colleges = []
    for line in results.colleges:
        if bloc:
            yes, no = line.counts.get("yes", 0), line.counts.get("no", 0)
            contribution = line.weight_effective if yes > no else Fraction(0)
        else:
            contribution = line.weight_effective * (line.yes_share or 0)
        colleges.append(CollegeFigures(line.name, line.weight_effective, line.counts,
                                       line.yes_share, contribution))
    stored, share = _stored_share(round_)
    if not stored:  # open: the parts the engine counted so far, added up
        share = (sum((c.contribution for c in colleges), Fraction(0))
                 if any(c.weight_effective for c in colleges) else None)
    return CollegesFigures(tuple(colleges), share, threshold, inclusive, bloc)


def _stored_share(round_: Round) -> tuple[bool, Fraction | None]:
    """Whether the round has a stored result, and its weighted share (``None`` when the
    engine had none: no college expressed itself)."""
    if round_.status is not RoundStatus.CLOSED or not round_.result_json:
        return False, None
    share = json.loads(round_.result_json).get("weighted_yes_share")
    return True, None if share is None else Fraction(share)


def evolution(db: Session, round_: Round, now: datetime) -> EvolutionFigures | None:
    """How the counted positions evolved in a consent round or a vote, from its stored
    ballots: each member's latest ballot counts (their first when the rule refuses changes),
    weighted by vote weight in a vote. ``None`` for a secret round, another kind of round,
    a round without ballots, or one of more than ``MAX_REPLAYED`` ballots."""
    proposal = round_.proposal
    if proposal.secret or round_.kind not in (RoundKind.CONSENT, RoundKind.VOTE):
        return None
    weighted = round_.kind is RoundKind.VOTE and descriptor(proposal.family).is_vote
    many = db.scalar(select(func.count()).select_from(
        select(Ballot.id).where(Ballot.round_id == round_.id).limit(MAX_REPLAYED + 1)
        .subquery())) or 0
    if not many or many > MAX_REPLAYED:
        return None
    rows = db.execute(
        select(Ballot.membership_id, Ballot.position, Ballot.cast_at, Elector.vote_weight)
        .join(Elector, (Elector.round_id == Ballot.round_id)
              & (Elector.membership_id == Ballot.membership_id))
        .where(Ballot.round_id == round_.id).order_by(Ballot.id)).all()
    if not rows:
        return None
    changes = round_cases.allows_changes(proposal)
    held: dict[int, tuple[str, int]] = {}
    counts: dict[str, int] = {}
    positions: list[str] = []
    points: list[EvolutionPoint] = []
    for member, position, cast_at, weight in rows:
        if member in held and not changes:
            continue
        amount = int(weight or 1) if weighted else 1
        if member in held:
            before, was = held[member]
            counts[before] -= was
        held[member] = (position, amount)
        counts[position] = counts.get(position, 0) + amount
        if position not in positions:
            positions.append(position)
        points.append(EvolutionPoint(cast_at, dict(counts)))
    order = [p for p in _positions_of(round_) if p in positions]
    order += [p for p in positions if p not in order]
    ends = round_.closed_at or min(now, round_.closes_at)
    ends = max(ends, points[-1].at)
    return EvolutionFigures(round_.opens_at, ends, tuple(order),
                            _thinned(points, round_.opens_at, ends), len(rows), weighted)


def _positions_of(round_: Round) -> tuple[str, ...]:
    """The positions of a round's kind, in the order the family shows them."""
    return tuple(str(p) for p in descriptor(round_.proposal.family).positions.get(
        round_.kind, ()))


def _thinned(points: list[EvolutionPoint], start: datetime,
             end: datetime) -> tuple[EvolutionPoint, ...]:
    """At most ``MAX_POINTS`` points: the last state in each equal slice of time (the
    last point is always kept)."""
    if len(points) <= MAX_POINTS or end <= start:
        return tuple(points)
    span = (end - start) / MAX_POINTS
    times = [p.at for p in points]
    kept: list[EvolutionPoint] = []
    for step in range(1, MAX_POINTS + 1):
        index = bisect_right(times, start + span * step) - 1
        if index >= 0 and (not kept or kept[-1] is not points[index]):
            kept.append(points[index])
    if kept[-1] is not points[-1]:
        kept.append(points[-1])
    return tuple(kept)
