"""Turnout of a vote: the counts, participants and presence of each group of voters.

Majority votes have one group; multi-college votes have one group per college. Counts come
from tallies, or from individual ballots through ``counting.count_ballots``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from ..attendance import Attendance, sort_ballots, take_attendance
from ..counting import PositionRules, count_ballots
from ..errors import CaseError
from ..model import (
    Ballots,
    CollegeHeadCount,
    CollegeTallies,
    CountedTally,
    HeadCount,
    Mode,
    Position,
    PostalOnAmended,
    RejectionReason,
    Roll,
    Tally,
    Votes,
)
from ..params import MajorityParams
from ..results import AttendanceCounts, RejectedBallot

__all__ = ["Group", "Turnout", "resolve_mode", "take_turnout"]

_MEETING_RULES = PositionRules({})
_ASYNC_RULES = PositionRules({Position.INVALID: RejectionReason.POSITION_NOT_ALLOWED})
ASSEMBLY = ""


@dataclass(frozen=True, slots=True)
class Group:
    """One group's turnout: its members, those present, those who voted, and the counts,
    in votes (heads, or sums of vote weights); ``attendance`` in heads for a meeting read
    from an attendance sheet."""

    members: Votes
    present: Votes
    participants: Votes
    counts: Tally
    attendance: AttendanceCounts | None = None


@dataclass(frozen=True, slots=True)
class Turnout:
    """Turnout by group (``""`` for a vote without colleges) and the ballots set aside;
    ``attendance`` for a meeting read from an attendance sheet."""

    mode: Mode
    groups: dict[str, Group]
    rejected: tuple[RejectedBallot, ...] = ()
    superseded: int = 0
    closed_early_at: datetime | None = None
    individual: bool = field(default=False)
    attendance: Attendance | None = None
    tallies: tuple[CountedTally, ...] = ()

    @property
    def assembly(self) -> Group:
        """The whole assembly's turnout: every group added up."""
        groups = self.groups.values()
        sheets = [g.attendance for g in groups if g.attendance is not None]
        return Group(
            members=sum(g.members for g in groups),
            present=sum(g.present for g in groups),
            participants=sum(g.participants for g in groups),
            counts=_add(g.counts for g in groups),
            attendance=sum(sheets, AttendanceCounts()) if sheets else None,
        )


def _add(tallies: Iterable[Tally]) -> Tally:
    yes: Votes
    no: Votes
    abstain: Votes
    blank: Votes
    invalid: Votes
    yes = no = abstain = blank = invalid = 0
    for t in tallies:
        yes, no, abstain = yes + t.yes, no + t.no, abstain + t.abstain
        blank, invalid = blank + t.blank, invalid + t.invalid
    return Tally(yes, no, abstain, blank, invalid)


def resolve_mode(params: MajorityParams, electorate: object, ballots: object,
                 tallies: tuple[CountedTally, ...] = ()) -> Mode:
    """The mode given, else meeting when the electorate or the ballots are counts."""
    if params.mode is not None:
        return params.mode
    counted = bool(tallies) or isinstance(electorate, HeadCount | CollegeHeadCount) or (
        isinstance(ballots, Tally | CollegeTallies))
    sheet = (isinstance(electorate, Roll) and electorate.has_attendance_sheet) or (
        isinstance(ballots, Ballots) and ballots.by_channel)
    return Mode.MEETING if counted or sheet else Mode.ASYNC


def take_turnout(
    params: MajorityParams,
    electorate: Roll | HeadCount | CollegeHeadCount,
    ballots: Ballots | Tally | CollegeTallies,
    groups: tuple[str, ...],
    instant: datetime | None,
    tallies: tuple[CountedTally, ...] = (),
) -> Turnout:
    """Count a vote's turnout by group; ``groups`` is ``("",)`` without colleges.
    ``tallies`` are votes of a meeting counted without names, added to the named
    ballots' counts (docs/rules.md 8b, "Meetings")."""
    mode = resolve_mode(params, electorate, ballots, tallies)
    if tallies and not (isinstance(ballots, Ballots) and isinstance(electorate, Roll)):
        raise CaseError("$.ballots", "votes counted without names go beside named ballots"
                        " of a named electorate (electorate.members); a tally format"
                        " carries every count already")
    if isinstance(ballots, Ballots):
        assert isinstance(electorate, Roll)  # noqa: S101 - load_case guarantees it
        if (electorate.has_attendance_sheet or electorate.weights or ballots.by_channel
                or tallies):
            turnout = _from_sheet(params, mode, electorate, ballots, groups, instant)
            return _with_tallies(turnout, tallies) if tallies else turnout
        return _from_ballots(params, mode, electorate, ballots, groups, instant)
    if isinstance(electorate, Roll) and (electorate.has_attendance_sheet or electorate.weights):
        raise CaseError("$.ballots", "a tally carries its own counts: member weights, remote"
                        " members, proxies and postal votes need individual ballots")
    by_group = {ASSEMBLY: ballots} if isinstance(ballots, Tally) else dict(ballots.by_college)
    result: dict[str, Group] = {}
    for group in groups:
        counts = by_group.get(group, Tally())
        members, present = _heads(electorate, group, counts)
        result[group] = Group(members, present if mode is Mode.MEETING else counts.total,
                              counts.total, counts)
    return Turnout(mode, result)


def _heads(
    electorate: Roll | HeadCount | CollegeHeadCount, group: str, counts: Tally
) -> tuple[Votes, Votes]:
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


def _group_of(roll: Roll, groups: tuple[str, ...]) -> dict[str, str]:
    if groups == (ASSEMBLY,) or not roll.colleges:
        return dict.fromkeys(roll.ids, ASSEMBLY)
    return dict(zip(roll.ids, roll.colleges, strict=True))  # type: ignore[arg-type]


def _from_sheet(
    params: MajorityParams,
    mode: Mode,
    roll: Roll,
    ballots: Ballots,
    groups: tuple[str, ...],
    instant: datetime | None,
) -> Turnout:
    """Turnout of a vote with an attendance sheet, member weights or ballots cast by proxy
    holders or by post (docs/rules.md 0.4): every figure in votes."""
    if mode is not Mode.MEETING:
        if roll.has_attendance_sheet or ballots.by_channel:
            raise CaseError("$.params.mode", "remote members, proxies and postal votes"
                            " belong to a meeting: mode must be meeting")
        return _weighted(params, mode, roll, ballots, groups, instant)
    group_of = _group_of(roll, groups)
    attendance = take_attendance(params, roll)
    channels = sort_ballots(attendance, group_of, ballots, params)
    times, seqs = ballots.cast_at, ballots.seqs
    # Members whose postal form counts vote by post only: the meeting's count leaves them out.
    in_meeting = {m: g for m, g in group_of.items() if m not in attendance.postal}
    counted = count_ballots(
        _subset(ballots, channels.direct), in_meeting, params.window, instant, _MEETING_RULES,
        allow_change=params.allow_vote_change, close_when_all=params.close_when_all_voted)
    latest = {voter: channels.direct[j] for voter, j in counted.latest.items()}
    rejected = list(counted.rejected)
    superseded = counted.superseded

    known_postal = [i for i in channels.postal if instant is None or times[i] <= instant]
    for i in sorted(known_postal, key=lambda i: (times[i], seqs[i] or 0, i)):
        voter = ballots.voters[i]
        if voter not in latest:
            latest[voter] = i
        elif params.allow_vote_change:
            latest[voter], superseded = i, superseded + 1
        else:
            rejected.append(_record(ballots, i, RejectionReason.CHANGE_NOT_ALLOWED))

    closed = counted.closed_early_at
    for i, reason in channels.refused:
        cast_at = times[i]
        by_post = bool(ballots.postal) and ballots.postal[i]
        # A ballot cast after the instant is not known yet, unless the vote was closed
        # when it was cast (as count_ballots decides for the others).
        if instant is None or cast_at <= instant or (
                not by_post and (params.window.late(cast_at) or closed is not None)):
            rejected.append(_record(ballots, i, reason))
    rejected.sort(key=lambda r: (r.cast_at, r.voter))

    positions = {voter: ballots.positions[i] for voter, i in latest.items()}
    if params.amended_in_meeting and params.postal_on_amended is PostalOnAmended.NO:
        # Every postal form counts as a vote against the amended text (the statuts' choice).
        positions.update(dict.fromkeys(attendance.postal, Position.NO))
    present = attendance.attending | positions.keys()
    return Turnout(mode, _groups(roll, groups, group_of, positions, present, attendance),
                   tuple(rejected), superseded, closed, individual=True, attendance=attendance)


def _with_tallies(turnout: Turnout, tallies: tuple[CountedTally, ...]) -> Turnout:
    """The turnout with votes counted without names added to their groups' counts and
    participants. Each group's counted votes can only be votes present in it that cast no
    named ballot (members in the room, or represented, who voted by hand or on paper; or
    anyone in a secret ballot): more is inconsistent input, refused as malformed, as a
    tally larger than the members present is."""
    if turnout.mode is not Mode.MEETING:
        raise CaseError("$.params.mode", "votes counted without names belong to a meeting:"
                        " mode must be meeting")
    added: defaultdict[str, list[Tally]] = defaultdict(list)
    for counted in tallies:
        added[counted.college or ASSEMBLY].append(counted.tally)
    groups = dict(turnout.groups)
    for name, counts in added.items():
        group = groups.get(name)
        if group is None:
            raise CaseError("$.ballots", f"votes counted without names for {name!r}, which"
                            " is not a group of this vote")
        extra = _add(counts)
        room = group.present - group.participants
        if extra.total > room:
            where = f" in college {name}" if name else ""
            raise CaseError("$.ballots", f"{extra.total} votes counted without names{where},"
                            f" but only {_votes_text(room)} votes present cast no named"
                            " ballot")
        groups[name] = Group(group.members, group.present,
                             _exact(group.participants + extra.total),
                             _add((group.counts, extra)), group.attendance)
    return Turnout(turnout.mode, groups, turnout.rejected, turnout.superseded,
                   turnout.closed_early_at, turnout.individual, turnout.attendance, tallies)


def _votes_text(votes: Votes) -> str:
    """A number of votes as the case format writes it (``"3/2"`` for a fraction)."""
    return str(votes) if isinstance(votes, int) or votes.denominator != 1 else str(
        votes.numerator)


def _weighted(
    params: MajorityParams,
    mode: Mode,
    roll: Roll,
    ballots: Ballots,
    groups: tuple[str, ...],
    instant: datetime | None,
) -> Turnout:
    """An asynchronous vote of members with vote weights: participants are present."""
    group_of = _group_of(roll, groups)
    counted = count_ballots(
        ballots, group_of, params.window, instant,
        _MEETING_RULES if mode is Mode.MEETING else _ASYNC_RULES,
        allow_change=params.allow_vote_change, close_when_all=params.close_when_all_voted)
    positions = {voter: ballots.positions[i] for voter, i in counted.latest.items()}
    return Turnout(mode, _groups(roll, groups, group_of, positions, positions.keys(), None),
                   counted.rejected, counted.superseded, counted.closed_early_at,
                   individual=True)


def _groups(
    roll: Roll,
    groups: tuple[str, ...],
    group_of: dict[str, str],
    positions: dict[str, Position],
    present: Iterable[str],
    attendance: Attendance | None,
) -> dict[str, Group]:
    weights = dict(zip(roll.ids, roll.weights, strict=True)) if roll.weights else {}
    weight: Callable[[str], Votes] = lambda member: weights.get(member, 1)  # noqa: E731
    sums: defaultdict[tuple[str, Position], Votes] = defaultdict(int)
    voted: defaultdict[str, Votes] = defaultdict(int)
    for voter, position in positions.items():
        g, w = group_of[voter], weight(voter)
        sums[g, position] += w
        voted[g] += w
    members: defaultdict[str, Votes] = defaultdict(int)
    heads: defaultdict[str, set[str]] = defaultdict(set)
    for member, g in group_of.items():
        members[g] += weight(member)
        heads[g].add(member)
    attending: defaultdict[str, Votes] = defaultdict(int)
    for member in present:
        if member in group_of:
            attending[group_of[member]] += weight(member)
    return {
        g: Group(
            members=_exact(members[g]),
            present=_exact(attending[g]),
            participants=_exact(voted[g]),
            counts=Tally(*(_exact(sums[g, p]) for p in _TALLY_ORDER)),
            attendance=None if attendance is None else attendance.counts(frozenset(heads[g])),
        )
        for g in groups
    }


def _exact(votes: Votes) -> Votes:
    """Whole numbers of votes as ``int``, so that unweighted figures read as before."""
    if isinstance(votes, int):
        return votes
    return votes.numerator if votes.denominator == 1 else votes


def _subset(ballots: Ballots, indices: tuple[int, ...]) -> Ballots:
    if len(indices) == len(ballots):
        return ballots
    def pick(column: tuple[object, ...]) -> tuple[object, ...]:
        return tuple(column[i] for i in indices) if column else ()
    return Ballots(*(pick(c) for c in (  # type: ignore[arg-type]
        ballots.voters, ballots.positions, ballots.cast_at, ballots.reasons, ballots.concerns,
        ballots.seqs, ballots.cast_by, ballots.postal)))


def _record(ballots: Ballots, i: int, reason: RejectionReason) -> RejectedBallot:
    return RejectedBallot(ballots.voters[i], reason, ballots.cast_at[i],
                          ballots.cast_by[i] if ballots.cast_by else None,
                          bool(ballots.postal) and ballots.postal[i])
