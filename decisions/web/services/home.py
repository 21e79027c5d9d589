"""What awaits a member in one organisation, read in a few queries whatever the number of
rounds: the rounds waiting for their answer, those they answered (their position, unless
the ballot is secret, and whether they may still change it), the outcomes of the last
days, and for facilitators the rounds closing soon with their participation against the
quorum. The organisation's home page and its list of proposals read these.

Each list is one statement over the open rounds of the organisation joined to the member's
own elector row; participation is counted for all the rounds shown at once, grouped by
round (never a query per round), from the electors' index as the results page counts it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import Session, aliased, contains_eager

from decisions.engine import CollegeParams, QuorumScope

from .. import round_cases
from ..families import descriptor
from ..models import (
    COMMENT_KINDS,
    AgendaItem,
    Ballot,
    Comment,
    Elector,
    Membership,
    Organisation,
    Participation,
    Proposal,
    Role,
    Round,
    RoundKind,
    RoundStatus,
    RoundTally,
    User,
)
from .policies import may_see, takes_ballots
from .results import Participation as Turnout
from .results import round_quorum, voters_visible
from .rounds import changes_allowed

#: How far ahead a facilitator's home looks for deadlines.
CLOSING_SOON = timedelta(days=7)
#: How far back the home shows the outcomes of rounds.
RECENT_OUTCOMES = timedelta(days=30)
#: The most outcomes the home lists.
OUTCOMES_SHOWN = 20


@dataclass(frozen=True, slots=True)
class MyRound:
    """An open round as one member sees it. ``answered``: they took a position (in a
    secret round, took part; in a comment round, commented). ``position`` and ``nominee``
    are their counted ones, never those of a secret ballot."""

    round_id: int
    proposal_id: int
    title: str
    kind: RoundKind
    number: int
    closes_at: datetime
    accepting: bool
    secret: bool
    elector: bool
    answered: bool
    position: str | None
    nominee: str | None
    may_change: bool

    @property
    def comments(self) -> bool:
        """Whether members comment in this round rather than take a position."""
        return self.kind in COMMENT_KINDS


@dataclass(frozen=True, slots=True)
class ClosingRound:
    """An open round whose deadline is near (or passed: the scheduler closes it), with its
    participation: for votes weighted by vote weight and the counts of the room, as the
    results page gives it; ``quorum_met`` is ``None`` when the rule checks its quorum per
    college or by weight (the results page gives the engine's verdict)."""

    round_id: int
    proposal_id: int
    title: str
    kind: RoundKind
    number: int
    closes_at: datetime
    participation: Turnout


@dataclass(frozen=True, slots=True)
class RecentOutcome:
    """A round that closed with an outcome."""

    round_id: int
    proposal_id: int
    title: str
    kind: RoundKind
    number: int
    outcome: str
    closed_at: datetime


@dataclass(frozen=True, slots=True)
class Home:
    """What awaits a member: most urgent first; ``closing`` is ``None`` for a member who
    does not facilitate."""

    awaiting: tuple[MyRound, ...]
    answered: tuple[MyRound, ...]
    outcomes: tuple[RecentOutcome, ...]
    closing: tuple[ClosingRound, ...] | None


@dataclass(frozen=True, slots=True)
class ProposalLine:
    """A proposal of the list, with its open round as the member sees it and that round's
    participation in people (both ``None`` without an open round)."""

    proposal: Proposal
    round: MyRound | None
    participation: Turnout | None


def home(db: Session, membership: Membership, now: datetime) -> Home:
    """What awaits ``membership`` in its organisation at ``now``."""
    rounds = _open_rounds(db, membership, now)
    mine = [r for _, r in rounds if r.elector and r.accepting]
    closing = None
    if membership.can(Role.FACILITATOR):
        soon = [round_ for round_, _ in rounds if round_.closes_at <= now + CLOSING_SOON]
        turnout = participation(db, soon, weighted=True)
        closing = tuple(ClosingRound(r.id, r.proposal_id, r.proposal.title, r.kind, r.number,
                                     r.closes_at, turnout[r.id]) for r in soon)
    return Home(awaiting=tuple(r for r in mine if not r.answered),
                answered=tuple(r for r in mine if r.answered),
                outcomes=recent_outcomes(db, membership.organisation_id, now),
                closing=closing)


def proposal_lines(db: Session, organisation: Organisation, membership: Membership,
                   now: datetime) -> list[ProposalLine]:
    """The organisation's proposals the member may see, newest first, each with its open
    round (the one closing first, should there be several) and its participation."""
    proposals = [p for p in db.scalars(
        select(Proposal).where(Proposal.organisation_id == organisation.id)
        .order_by(Proposal.created_at.desc(), Proposal.id.desc())) if may_see(p, membership)]
    first: dict[int, tuple[Round, MyRound]] = {}
    for round_, seen in _open_rounds(db, membership, now):
        first.setdefault(round_.proposal_id, (round_, seen))
    turnout = participation(db, [round_ for round_, _ in first.values()], weighted=False)
    lines = []
    for proposal in proposals:
        found = first.get(proposal.id)
        lines.append(ProposalLine(proposal, None if found is None else found[1],
                                  None if found is None else turnout[found[0].id]))
    return lines


def recent_outcomes(db: Session, organisation_id: int,
                    now: datetime) -> tuple[RecentOutcome, ...]:
    """The rounds of the organisation closed with an outcome in the last
    ``RECENT_OUTCOMES``, latest first (every member may read a closed round's result)."""
    rows = db.execute(
        select(Round.id, Round.proposal_id, Proposal.title, Round.kind, Round.number,
               Round.outcome, Round.closed_at)
        .join(Proposal, Proposal.id == Round.proposal_id)
        .where(Proposal.organisation_id == organisation_id,
               Round.status == RoundStatus.CLOSED, Round.outcome.is_not(None),
               Round.closed_at >= now - RECENT_OUTCOMES)
        .order_by(Round.closed_at.desc(), Round.id.desc()).limit(OUTCOMES_SHOWN))
    return tuple(RecentOutcome(round_id, proposal_id, title, kind, number, outcome or "",
                               closed_at or now)
                 for round_id, proposal_id, title, kind, number, outcome, closed_at in rows)


# The member's open rounds ------------------------------------------------------------------


def _open_rounds(db: Session, membership: Membership,
                 now: datetime) -> list[tuple[Round, MyRound]]:
    """Every open round of the member's organisation, deadline first, with what the member
    did in it, in one statement; not a general assembly's resolutions (answered in the
    meeting, from the assembly's page)."""
    me = membership.id
    nominee, nominee_user = aliased(Membership), aliased(User)
    took_part = exists().where(Participation.round_id == Round.id,
                               Participation.membership_id == me)
    commented = exists().where(Comment.round_id == Round.id, Comment.membership_id == me)
    rows = db.execute(
        select(Round, Elector.membership_id, Elector.position, nominee_user.name,
               took_part.label("took_part"), commented.label("commented"))
        .join(Round.proposal).options(contains_eager(Round.proposal))
        .outerjoin(Elector, (Elector.round_id == Round.id) & (Elector.membership_id == me))
        .outerjoin(Ballot, Ballot.id == Elector.ballot_id)
        .outerjoin(nominee, nominee.id == Ballot.nominee_id)
        .outerjoin(nominee_user, nominee_user.id == nominee.user_id)
        .where(Proposal.organisation_id == membership.organisation_id,
               Round.status == RoundStatus.OPEN,
               ~exists().where(AgendaItem.round_id == Round.id))
        .order_by(Round.closes_at, Round.id)).all()
    found = []
    for round_, elector, position, nominee_name, took, wrote in rows:
        proposal = round_.proposal
        secret = proposal.secret
        if secret:
            answered = bool(took)
        elif round_.kind in COMMENT_KINDS:
            answered = bool(wrote)
        else:
            answered = position is not None
        accepting = bool(round_.accepting(now))
        found.append((round_, MyRound(
            round_id=round_.id, proposal_id=proposal.id, title=proposal.title,
            kind=round_.kind, number=round_.number, closes_at=round_.closes_at,
            accepting=accepting, secret=secret, elector=elector is not None,
            answered=answered,
            position=None if secret else position,
            nominee=None if secret else nominee_name,
            may_change=(accepting and answered and not secret
                        and round_.kind not in COMMENT_KINDS
                        and changes_allowed(proposal, round_.kind)))))
    return found


# Participation -----------------------------------------------------------------------------


def participation(db: Session, rounds: Sequence[Round], *,
                  weighted: bool) -> dict[int, Turnout]:
    """How many of each round's electors answered, by round id, in at most four grouped
    queries for all of them: people who took a position, took part in a secret ballot or
    commented; with ``weighted``, a vote's as the results page counts it (by vote weight,
    with the counts of the room) and each round's quorum against it."""
    if not rounds:
        return {}
    ids = [r.id for r in rounds]
    secret = [r.id for r in rounds if r.proposal.secret]
    comments = [r.id for r in rounds if r.kind in COMMENT_KINDS and not r.proposal.secret]
    votes = {r.id for r in rounds if _counts_weight(r)} if weighted else set()
    # round -> college -> [electors, weight, answered, answered weight]
    groups: dict[int, dict[str, list[int]]] = {}
    answered_weight = func.sum(case((Elector.position.is_not(None), Elector.vote_weight),
                                    else_=0))
    for round_id, college, people, weight, answered, answered_w in db.execute(
            select(Elector.round_id, Elector.college, func.count(), func.sum(Elector.vote_weight),
                   func.count(Elector.position), answered_weight)
            .where(Elector.round_id.in_(ids)).group_by(Elector.round_id, Elector.college)):
        groups.setdefault(round_id, {})[college or ""] = [
            int(people), int(weight or 0), int(answered), int(answered_w or 0)]
    if secret:
        for round_id, college, people, weight in db.execute(
                select(Participation.round_id, Elector.college, func.count(),
                       func.sum(Elector.vote_weight))
                .join(Elector, and_(Elector.round_id == Participation.round_id,
                                    Elector.membership_id == Participation.membership_id))
                .where(Participation.round_id.in_(secret))
                .group_by(Participation.round_id, Elector.college)):
            line = groups.setdefault(round_id, {}).setdefault(college or "", [0, 0, 0, 0])
            line[2], line[3] = int(people), int(weight or 0)
    commenters: dict[int, int] = {}
    if comments:
        commenters = {round_id: int(people) for round_id, people in db.execute(
            select(Comment.round_id, func.count(func.distinct(Comment.membership_id)))
            .where(Comment.round_id.in_(comments)).group_by(Comment.round_id))}
    room: dict[int, dict[str, int]] = {}
    if votes:
        for round_id, college, present in db.execute(
                select(RoundTally.round_id, RoundTally.college, RoundTally.present)
                .where(RoundTally.round_id.in_(votes))):
            room.setdefault(round_id, {})[college or ""] = int(present)
    return {r.id: _turnout(r, groups.get(r.id, {}), commenters.get(r.id, 0),
                           room.get(r.id, {}), weighted=r.id in votes) for r in rounds}


def _counts_weight(round_: Round) -> bool:
    """A vote counts vote weights and the room's counts; other rounds count people."""
    return round_.kind is RoundKind.VOTE and descriptor(round_.proposal.family).is_vote


def _turnout(round_: Round, lines: dict[str, list[int]], commenters: int,
             room: dict[str, int], *, weighted: bool) -> Turnout:
    """One round's participation from its electors by college (``lines``: people, weight,
    answered, answered weight), its commenters and the room's counts by college."""
    if weighted:
        # Present in each college: its voters and the room's, never more than its size.
        empty = [0, 0, 0, 0]
        eligible = sum(line[1] for line in lines.values())
        responded = sum(min(lines.get(c, empty)[3] + room.get(c, 0), lines.get(c, empty)[1])
                        for c in set(lines) | set(room))
    else:
        eligible = sum(line[0] for line in lines.values())
        responded = commenters if round_.kind in COMMENT_KINDS else sum(
            line[2] for line in lines.values())
    quorum = round_quorum(round_) if weighted or round_.kind is RoundKind.CONSENT else None
    if quorum is None:
        return Turnout(responded, eligible)
    return Turnout(responded, eligible, quorum.fraction,
                   quorum.met(responded, eligible) if _quorum_of_heads(round_) else None)


def _quorum_of_heads(round_: Round) -> bool:
    """Whether the round's quorum counts those present against the whole electorate (the
    engine checks a college vote's quorum per college or by weight when its rule says so)."""
    proposal = round_.proposal
    rule = round_cases.rule_params(proposal.family, json.loads(proposal.params or "{}"))
    return not (isinstance(rule, CollegeParams)
                and rule.quorum_scope is not QuorumScope.ASSEMBLY_HEADS)


# Who has not answered ----------------------------------------------------------------------

#: The most names listed of those who have not answered (the rest are counted).
SILENT_LISTED = 100


@dataclass(frozen=True, slots=True)
class Silent:
    """Electors of an open round who have not taken a position: the first
    ``SILENT_LISTED`` names, by name, and how many in all."""

    names: tuple[str, ...]
    total: int

    @property
    def more(self) -> int:
        """How many are not named."""
        return self.total - len(self.names)


def not_answered(db: Session, round_: Round, reader: Membership) -> Silent | None:
    """Who has not answered an open round yet, when the reader may see who took which
    position (``results.voters_visible``: never in a secret round, nor while the counts are
    hidden); ``None`` otherwise, and for rounds of comments."""
    proposal = round_.proposal
    if (round_.status is not RoundStatus.OPEN or round_.kind in COMMENT_KINDS
            or not voters_visible(proposal, round_, reader)):
        return None
    silent = (Elector.round_id == round_.id) & Elector.position.is_(None)
    total = db.scalar(select(func.count()).select_from(Elector).where(silent)) or 0
    names = db.scalars(select(User.name).select_from(Elector)
                       .join(Membership, Membership.id == Elector.membership_id)
                       .join(User, User.id == Membership.user_id)
                       .where(silent).order_by(User.name, Membership.id)
                       .limit(SILENT_LISTED)).all() if total else []
    return Silent(tuple(names), total)


def may_remind(round_: Round, membership: Membership, now: datetime) -> bool:
    """Whether the round's page offers the member to remind those who have not answered:
    a facilitator, while the round takes positions (``notices.nudge`` checks again, and
    how recently they were reminded)."""
    return (membership.can(Role.FACILITATOR) and bool(round_.accepting(now))
            and takes_ballots(round_))
