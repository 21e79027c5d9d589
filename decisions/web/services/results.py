"""Results of a round as people read them: participation against the quorum, counts (live
while the round is open, the engine's stored result once it is closed), the breakdown by
college, nominations, and who took which position when the proposal lets the reader see it.

Every figure comes from an SQL aggregation or from the engine: no ballot is ever loaded as
an object here, so that a vote of a hundred thousand ballots reads as fast as one of ten.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import Session, aliased

from decisions.engine import (
    Case,
    CaseError,
    CollegeParams,
    ConsentParams,
    MajorityParams,
    Quorum,
    evaluate,
    load_case,
)

from .. import casebook
from ..models import (
    Ballot,
    Comment,
    Elector,
    Membership,
    Proposal,
    Role,
    Round,
    RoundEvent,
    RoundKind,
    RoundStatus,
    User,
    VotersVisibility,
)
from ..models.secret import Participation as ParticipationRow

#: Families whose rounds are counted as votes (weighted, with in-person tallies).
VOTE_FAMILIES = frozenset({"majority", "scic_college"})
#: Rounds whose members take a position on the proposal (the others take comments).
POSITION_KINDS = frozenset({RoundKind.VOTE, RoundKind.CONSENT, RoundKind.NOMINATION,
                            RoundKind.CHANGE})
COMMENT_KINDS = frozenset({RoundKind.CLARIFYING, RoundKind.REACTIONS})


def latest_ballot_ids(round_id: int) -> Select[Any]:
    """The id of each member's latest ballot in a round (ids grow with time)."""
    return (select(func.max(Ballot.id)).where(Ballot.round_id == round_id)
            .group_by(Ballot.membership_id))


@dataclass(frozen=True, slots=True)
class Participation:
    """How many took part, out of how many, against the quorum when there is one.

    For votes the numbers are weighted by vote weight and include the people counted in
    the room; for the other rounds they are people.
    """

    responded: int
    eligible: int
    quorum: Fraction | None = None
    quorum_met: bool | None = None

    @property
    def share(self) -> Fraction:
        """The part of the electorate that took part."""
        return Fraction(self.responded, self.eligible) if self.eligible else Fraction(0)

    @property
    def needed(self) -> int | None:
        """The least number of participants that meets the quorum."""
        if self.quorum is None:
            return None
        return -(-self.quorum.numerator * self.eligible // self.quorum.denominator)


@dataclass(frozen=True, slots=True)
class VoterLine:
    """One member's latest position in a round."""

    membership_id: int
    name: str
    position: str
    reason: str
    concern: str
    nominee: str | None
    cast_at: datetime


@dataclass(frozen=True, slots=True)
class EventLine:
    """A recorded decision about an objection."""

    kind: str
    objector: str
    result: str | None
    decided_by: str
    rationale: str
    recorded_by: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class RoundResults:
    """What the results page of a round shows; ``None`` for what the reader may not see."""

    closed: bool
    counts_visible: bool
    participation: Participation
    counts: dict[str, int] | None = None
    colleges: dict[str, dict[str, Any]] | None = None
    nominations: list[tuple[str, int]] | None = None
    result: dict[str, Any] | None = None
    voters: list[VoterLine] | None = None
    voters_shown: bool = False
    events: list[EventLine] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BeforeClosing:
    """What a facilitator closing a round now is told first: how many of its electors have
    not answered, and whether its quorum is reached (weighted as on the results page;
    ``needed`` is ``None`` without a quorum)."""

    electors: int
    answered: int
    responded: int
    needed: int | None

    @property
    def silent(self) -> int:
        """Electors who have not answered."""
        return self.electors - self.answered

    @property
    def quorum_missing(self) -> bool:
        """Whether the round has a quorum that is not reached."""
        return self.needed is not None and self.responded < self.needed

    @property
    def needs_confirmation(self) -> bool:
        """Whether closing now should be confirmed."""
        return self.silent > 0 or self.quorum_missing


def before_closing(db: Session, round_: Round, reader: Membership,
                   now: datetime) -> BeforeClosing:
    """How far a round is from complete, told before a facilitator closes it now."""
    if round_.proposal.secret:
        who: Any = ParticipationRow.membership_id
        where: Any = ParticipationRow.round_id == round_.id
    elif round_.kind in COMMENT_KINDS:
        who, where = Comment.membership_id, Comment.round_id == round_.id
    else:
        who, where = Ballot.membership_id, Ballot.round_id == round_.id
    answered = db.scalar(select(func.count(func.distinct(who))).where(where)) or 0
    electors = electorate_size(db, round_.id)
    try:
        participation = round_results(db, round_, reader, now).participation
    except CaseError:  # the engine cannot count it: closing will mark it failed
        participation = Participation(answered, electors)
    return BeforeClosing(electors, answered, participation.responded, participation.needed)


def counts_visible(proposal: Proposal, round_: Round) -> bool:
    """Counts are shown live, unless the proposal hides them until the round closes."""
    return not proposal.hide_results or round_.status is RoundStatus.CLOSED


def voters_visible(proposal: Proposal, round_: Round, reader: Membership) -> bool:
    """Whether the reader may see who took which position in this round."""
    if proposal.secret or not counts_visible(proposal, round_):
        return False
    if proposal.voters_visible is VotersVisibility.EVERYONE:
        return True
    return (proposal.voters_visible is VotersVisibility.FACILITATORS
            and reader.can(Role.FACILITATOR))


def case_visible(proposal: Proposal, round_: Round, reader: Membership) -> bool:
    """Whether the reader may download the stored case of a closed round: vote cases hold
    counts only; the cases of consent rounds name who took which position."""
    if round_.status is not RoundStatus.CLOSED or round_.case_json is None:
        return False
    return proposal.family in VOTE_FAMILIES or voters_visible(proposal, round_, reader)


def member_names(db: Session, round_id: int) -> dict[str, str]:
    """The names of a round's electorate, by the engine's member key."""
    rows = db.execute(select(Elector.membership_id, User.name)
                      .join(Membership, Membership.id == Elector.membership_id)
                      .join(User, User.id == Membership.user_id)
                      .where(Elector.round_id == round_id))
    return {casebook.member_key(member): name for member, name in rows}


def electorate_size(db: Session, round_id: int) -> int:
    """How many people are in a round's electorate."""
    return db.scalar(select(func.count()).select_from(Elector)
                     .where(Elector.round_id == round_id)) or 0


def position_counts(db: Session, round_id: int) -> dict[str, int]:
    """People by latest position in a round, in one query (unweighted)."""
    rows = db.execute(select(Ballot.position, func.count())
                      .where(Ballot.id.in_(latest_ballot_ids(round_id)))
                      .group_by(Ballot.position))
    return {position: int(count) for position, count in rows}


def nomination_counts(db: Session, round_id: int) -> list[tuple[int, str, int]]:
    """Nominees by number of latest nominations in a round, most first:
    (membership id, name, count)."""
    rows = db.execute(
        select(Ballot.nominee_id, User.name, func.count())
        .join(Membership, Membership.id == Ballot.nominee_id)
        .join(User, User.id == Membership.user_id)
        .where(Ballot.id.in_(latest_ballot_ids(round_id)))
        .group_by(Ballot.nominee_id, User.name))
    found = [(int(nominee or 0), name, int(count)) for nominee, name, count in rows]
    return sorted(found, key=lambda row: (-row[2], row[1], row[0]))


def voter_lines(db: Session, round_id: int) -> list[VoterLine]:
    """Each member's latest position in a round, by name, in one query."""
    nominee = aliased(Membership)
    nominee_user = aliased(User)
    rows = db.execute(
        select(Ballot.membership_id, User.name, Ballot.position, Ballot.reason, Ballot.concern,
               nominee_user.name, Ballot.cast_at)
        .join(Membership, Membership.id == Ballot.membership_id)
        .join(User, User.id == Membership.user_id)
        .outerjoin(nominee, nominee.id == Ballot.nominee_id)
        .outerjoin(nominee_user, nominee_user.id == nominee.user_id)
        .where(Ballot.id.in_(latest_ballot_ids(round_id)))
        .order_by(User.name, Ballot.membership_id))
    return [VoterLine(*row) for row in rows]


def event_lines(db: Session, round_id: int) -> list[EventLine]:
    """The objections' qualifications and withdrawals recorded in a round, in order."""
    objector, recorder = aliased(Membership), aliased(Membership)
    objector_user, recorder_user = aliased(User), aliased(User)
    rows = db.execute(
        select(RoundEvent.kind, objector_user.name, RoundEvent.result, RoundEvent.decided_by,
               RoundEvent.rationale, recorder_user.name, RoundEvent.at)
        .join(objector, objector.id == RoundEvent.membership_id)
        .join(objector_user, objector_user.id == objector.user_id)
        .outerjoin(recorder, recorder.id == RoundEvent.recorded_by_id)
        .outerjoin(recorder_user, recorder_user.id == recorder.user_id)
        .where(RoundEvent.round_id == round_id).order_by(RoundEvent.id))
    return [EventLine(*row) for row in rows]


def own_ballots(db: Session, round_id: int, membership_id: int) -> list[VoterLine]:
    """A member's ballots in a round, latest first (the first one counts)."""
    nominee = aliased(Membership)
    nominee_user = aliased(User)
    rows = db.execute(
        select(Ballot.membership_id, User.name, Ballot.position, Ballot.reason, Ballot.concern,
               nominee_user.name, Ballot.cast_at)
        .join(Membership, Membership.id == Ballot.membership_id)
        .join(User, User.id == Membership.user_id)
        .outerjoin(nominee, nominee.id == Ballot.nominee_id)
        .outerjoin(nominee_user, nominee_user.id == nominee.user_id)
        .where(Ballot.round_id == round_id, Ballot.membership_id == membership_id)
        .order_by(Ballot.id.desc()))
    return [VoterLine(*row) for row in rows]


def took_part(db: Session, round_id: int, membership_id: int) -> bool:
    """Whether a member has cast their secret ballot in a round (never what it was)."""
    return bool(db.scalar(select(exists().where(
        ParticipationRow.round_id == round_id, ParticipationRow.membership_id == membership_id))))


def _quorum(case: Case) -> Quorum | None:
    params = case.params
    if isinstance(params, MajorityParams | CollegeParams):
        return params.quorum.at(params.convocation)
    if isinstance(params, ConsentParams):
        return params.min_responses
    return None


def _case_and_result(db: Session, round_: Round,
                     now: datetime) -> tuple[Case, dict[str, Any]]:
    """The stored case and result of a closed round; the live case, counted by the engine
    at ``now`` (a provisional, pending result), of an open one."""
    if round_.status is RoundStatus.CLOSED and round_.case_json and round_.result_json:
        return load_case(json.loads(round_.case_json)), json.loads(round_.result_json)
    case = casebook.round_case(db, round_, now)
    return case, evaluate(case).to_json()


def _vote_results(db: Session, round_: Round, now: datetime, visible: bool,
                  closed: bool) -> RoundResults:
    case, result = _case_and_result(db, round_, now)
    quorum = _quorum(case)
    participation = Participation(int(result.get("present") or 0),
                                  int(result.get("eligible") or 0),
                                  None if quorum is None else quorum.fraction,
                                  result.get("quorum_met"))
    if not visible:
        return RoundResults(closed, False, participation)
    return RoundResults(closed, True, participation, counts=result.get("counts"),
                        colleges=result.get("colleges"),
                        result=result if closed else None)


def round_results(db: Session, round_: Round, reader: Membership, now: datetime,
                  ) -> RoundResults:
    """The results of a round as ``reader`` may see them at ``now`` (of a failed round, only
    the size of its electorate: the engine could not count it)."""
    proposal = round_.proposal
    if round_.status is RoundStatus.FAILED:
        return RoundResults(False, False, Participation(0, electorate_size(db, round_.id)))
    closed = round_.status is RoundStatus.CLOSED
    visible = counts_visible(proposal, round_)
    if round_.kind is RoundKind.VOTE and proposal.family in VOTE_FAMILIES:
        results = _vote_results(db, round_, now, visible, closed)
    elif round_.kind in COMMENT_KINDS:
        people = db.scalar(select(func.count(func.distinct(Comment.membership_id)))
                           .where(Comment.round_id == round_.id)) or 0
        results = RoundResults(closed, visible,
                               Participation(people, electorate_size(db, round_.id)))
    else:
        results = _position_results(db, round_, now, visible, closed)
    show_voters = voters_visible(proposal, round_, reader)
    voters = (voter_lines(db, round_.id)
              if show_voters and round_.kind in POSITION_KINDS else None)
    events = (event_lines(db, round_.id) if round_.kind is RoundKind.CONSENT and visible
              and (show_voters or reader.can(Role.FACILITATOR)) else [])
    named = results.result is not None and proposal.family not in VOTE_FAMILIES
    return replace(results, voters=voters, voters_shown=show_voters, events=events,
                   names=member_names(db, round_.id) if named else {})


def _position_results(db: Session, round_: Round, now: datetime, visible: bool,
                      closed: bool) -> RoundResults:
    """Consent rounds, nominations and changes: people by latest position, in SQL."""
    counts = position_counts(db, round_.id)
    participation = Participation(sum(counts.values()), electorate_size(db, round_.id))
    result: dict[str, Any] | None = None
    if round_.kind is RoundKind.CONSENT and (closed or round_.proposal.family == "consent"):
        case, stored = _case_and_result(db, round_, now)
        result = stored if closed else None
        quorum = _quorum(case)
        if quorum is not None:
            participation = replace(participation, quorum=quorum.fraction, quorum_met=quorum.met(
                participation.responded, participation.eligible))
    if not visible:
        return RoundResults(closed, False, participation)
    nominations = None
    if round_.kind in (RoundKind.NOMINATION, RoundKind.CHANGE):
        nominations = [(name, count) for _, name, count in nomination_counts(db, round_.id)]
    return RoundResults(closed, True, participation, counts=counts, nominations=nominations,
                        result=result)
