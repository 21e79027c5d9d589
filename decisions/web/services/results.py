"""Results of a round as people read them, in one read model (:class:`RoundResults`) that
the results page shows and the API and e-mails can share: participation against the
quorum, counts (live while the round is open, the engine's stored result once it is
closed), the breakdown by college, nominations, the outcome and its explanation, and one
page of who took which position when the proposal lets the reader see it.

Every figure comes from an SQL aggregation or from the engine, and counts read each
elector's counted ballot (``Elector.ballot_id`` and ``position``), never every ballot: a
round where members changed their vote a hundred times reads as fast as one where they
voted once, and no ballot is ever loaded as an object. Voters are listed a page at a time.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, aliased

from decisions.engine import (
    CaseError,
    CollegeParams,
    ConsentParams,
    Convocation,
    MajorityParams,
    Quorum,
    Step,
    evaluate,
)

from .. import round_cases
from ..families import TALLY_POSITIONS, descriptor
from ..models import (
    COMMENT_KINDS,
    NOMINATING_KINDS,
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
from . import explaining, notices
from .voters import VoterLine, VoterPage, voter_page

#: Rounds whose members take a position on the proposal (the others take comments).
POSITION_KINDS = frozenset(RoundKind) - COMMENT_KINDS


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
class CollegeLine:
    """One college's part in a multi-college vote, as the engine counted it: its share of
    the votes, who was present, its counts by position and the share for within it."""

    name: str
    weight_effective: Fraction
    members: int
    present: int
    counts: Mapping[str, int]
    yes_share: Fraction | None


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
    """What ``reader`` may see of a round's results at one moment; ``None`` (or empty) for
    what they may not see. ``outcome`` and ``explanation`` are those of a closed round
    that the engine counted; the explanation's steps name members as the reader may see
    them, for the page to put into words (``decisions.engine.render``)."""

    closed: bool
    counts_visible: bool
    participation: Participation
    counts: Mapping[str, int] | None = None
    colleges: tuple[CollegeLine, ...] | None = None
    nominations: tuple[tuple[str, int], ...] | None = None
    outcome: str | None = None
    explanation: tuple[Step, ...] = ()
    voters: VoterPage | None = None
    voters_shown: bool = False
    secret: bool = False
    events: tuple[EventLine, ...] = ()
    case_visible: bool = False
    #: When silence counts as consent: how many electors were told of the round by e-mail
    #: (their opening message accepted by the mail server), else ``None``.
    told: int | None = None


# Who may see what -----------------------------------------------------------------------


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
    return descriptor(proposal.family).is_vote or voters_visible(proposal, round_, reader)


# The read model -------------------------------------------------------------------------


def round_results(db: Session, round_: Round, reader: Membership, now: datetime,
                  page: int = 1, search: str = "", *, someone: str = "a member",
                  ) -> RoundResults:
    """The results of a round as ``reader`` may see them at ``now``, with page ``page`` of
    its voters whose name contains ``search`` (of a failed round, only the size of its
    electorate: the engine could not count it). ``someone`` names, in the reader's
    language, a member the explanation may not name to them."""
    proposal = round_.proposal
    found, voters = _figures(db, round_, now)
    if round_.status is RoundStatus.FAILED:
        return found
    shown = voters_visible(proposal, round_, reader)
    stored = _stored_result(round_)
    return replace(
        found, voters_shown=shown, secret=proposal.secret,
        outcome=None if stored is None else stored.get("outcome"),
        explanation=() if stored is None else _explanation(db, round_, stored, shown,
                                                           someone),
        voters=(voter_page(db, round_.id, page, search, voters=voters)
                if shown and round_.kind in POSITION_KINDS else None),
        events=(tuple(event_lines(db, round_.id)) if round_.kind is RoundKind.CONSENT
                and found.counts_visible and (shown or reader.can(Role.FACILITATOR))
                else ()),
        case_visible=case_visible(proposal, round_, reader),
        told=(notices.told_by_mail(db, round_.id) if round_.kind is RoundKind.CONSENT
              and notices.silence_is_consent(proposal) else None))


def _figures(db: Session, round_: Round, now: datetime) -> tuple[RoundResults, int | None]:
    """Participation and, when they are visible, the counts of a round; and how many
    electors' ballots count, when counting them told (``None`` otherwise)."""
    proposal = round_.proposal
    if round_.status is RoundStatus.FAILED:
        return RoundResults(False, False, Participation(0, electorate_size(db, round_.id))), 0
    closed = round_.status is RoundStatus.CLOSED
    visible = counts_visible(proposal, round_)
    if round_.kind is RoundKind.VOTE and descriptor(proposal.family).is_vote:
        return _vote_figures(db, round_, now, closed=closed, visible=visible)
    if round_.kind in COMMENT_KINDS:
        people = db.scalar(select(func.count(func.distinct(Comment.membership_id)))
                           .where(Comment.round_id == round_.id)) or 0
        return RoundResults(closed, visible,
                            Participation(people, electorate_size(db, round_.id))), None
    found = _position_figures(db, round_, closed=closed, visible=visible)
    return found, found.participation.responded


def _stored_result(round_: Round) -> dict[str, Any] | None:
    """The engine's result stored when a round closed (votes and consent rounds)."""
    if round_.status is not RoundStatus.CLOSED or not round_.result_json:
        return None
    result: dict[str, Any] = json.loads(round_.result_json)
    return result


def round_quorum(round_: Round) -> Quorum | None:
    """The quorum of a round, from its proposal's rule (read once per rule and process):
    a vote's at the round's convocation, a consent round's least share of responses.
    The proposal's parameters never change, so this is the quorum of the stored case."""
    proposal = round_.proposal
    rule = round_cases.rule_params(proposal.family, json.loads(proposal.params or "{}"))
    if isinstance(rule, MajorityParams | CollegeParams):
        quorum: Quorum | None = rule.quorum.at(Convocation(round_.convocation))
        return quorum
    if isinstance(rule, ConsentParams):
        return rule.min_responses
    return None


def _vote_figures(db: Session, round_: Round, now: datetime, *, closed: bool,
                  visible: bool) -> tuple[RoundResults, int | None]:
    """A vote: the stored result once closed, else the engine's count of its electors'
    tally now (a provisional, pending result; ``CaseError`` if the engine cannot count
    it), with how many of them voted."""
    result, voters = _stored_result(round_), None
    if result is None:
        tally = round_cases.live_tally(db, round_.id)
        result = evaluate(round_cases.round_case(db, round_, now, tally=tally)).to_json()
        voters = tally.voters
    quorum = round_quorum(round_)
    participation = Participation(int(result.get("present") or 0),
                                  int(result.get("eligible") or 0),
                                  None if quorum is None else quorum.fraction,
                                  result.get("quorum_met"))
    if not visible:
        return RoundResults(closed, False, participation), voters
    return RoundResults(closed, True, participation, counts=result.get("counts"),
                        colleges=_college_lines(result.get("colleges"))), voters


def _college_lines(colleges: Any) -> tuple[CollegeLine, ...] | None:
    """The colleges of a vote's result (a result that names the colleges wrongly
    configured, as a list, has none)."""
    if not isinstance(colleges, dict) or not colleges:
        return None
    return tuple(CollegeLine(
        name, Fraction(line["weight_effective"]), int(line["members"]), int(line["present"]),
        {position: int(line.get(position) or 0) for position in TALLY_POSITIONS},
        None if line.get("yes_share") is None else Fraction(line["yes_share"]))
        for name, line in colleges.items())


def _position_figures(db: Session, round_: Round, *, closed: bool,
                      visible: bool) -> RoundResults:
    """Consent rounds, nominations and changes: people by counted position, in SQL."""
    counts, eligible = people_by_position(db, round_.id)
    participation = Participation(sum(counts.values()), eligible)
    quorum = round_quorum(round_) if round_.kind is RoundKind.CONSENT else None
    if quorum is not None:
        participation = replace(participation, quorum=quorum.fraction, quorum_met=quorum.met(
            participation.responded, participation.eligible))
    if not visible:
        return RoundResults(closed, False, participation)
    nominations = None
    if round_.kind in NOMINATING_KINDS:
        nominations = tuple((name, count) for _, name, count in nomination_counts(db, round_.id))
    return RoundResults(closed, True, participation, counts=counts, nominations=nominations)


def _explanation(db: Session, round_: Round, result: Mapping[str, Any], voters_shown: bool,
                 someone: str) -> tuple[Step, ...]:
    """The steps of a stored result, told as the page is now, members named (only those it
    names are looked up: votes name nobody)."""
    keys = (set() if descriptor(round_.proposal.family).is_vote
            else explaining.members_named(result))
    return tuple(explaining.named_steps(
        result, member_names(db, round_.id, keys) if keys else {}, voters_shown=voters_shown,
        someone=someone, context=explaining.context_of(db, round_)))


# Before closing -------------------------------------------------------------------------


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
    """How far a round is from complete, told before a facilitator (``reader``) closes it
    now."""
    if round_.proposal.secret:
        answered = db.scalar(select(func.count()).select_from(ParticipationRow)
                             .where(ParticipationRow.round_id == round_.id)) or 0
    elif round_.kind in COMMENT_KINDS:
        answered = db.scalar(select(func.count(func.distinct(Comment.membership_id)))
                             .where(Comment.round_id == round_.id)) or 0
    else:
        answered = db.scalar(select(func.count(Elector.position))
                             .where(Elector.round_id == round_.id)) or 0
    electors = electorate_size(db, round_.id)
    try:
        participation = _figures(db, round_, now)[0].participation
    except CaseError:  # the engine cannot count it: closing will mark it failed
        participation = Participation(answered, electors)
    return BeforeClosing(electors, answered, participation.responded, participation.needed)


# Queries --------------------------------------------------------------------------------


def member_names(db: Session, round_id: int, keys: set[str]) -> dict[str, str]:
    """The names of the members of a round's electorate with these engine keys."""
    ids = [int(key) for key in keys if key.isdecimal()]
    rows = db.execute(select(Elector.membership_id, User.name)
                      .join(Membership, Membership.id == Elector.membership_id)
                      .join(User, User.id == Membership.user_id)
                      .where(Elector.round_id == round_id, Elector.membership_id.in_(ids)))
    return {round_cases.member_key(member): name for member, name in rows}


def electorate_size(db: Session, round_id: int) -> int:
    """How many people are in a round's electorate."""
    return db.scalar(select(func.count()).select_from(Elector)
                     .where(Elector.round_id == round_id)) or 0


def people_by_position(db: Session, round_id: int) -> tuple[dict[str, int], int]:
    """People by counted position in a round (unweighted), and the size of its electorate,
    in one query on the electors' index."""
    rows = db.execute(select(Elector.position, func.count()).where(Elector.round_id == round_id)
                      .group_by(Elector.college, Elector.position)).all()  # the index's order
    counts: dict[str, int] = {}
    for position, count in rows:
        if position is not None:
            counts[position] = counts.get(position, 0) + int(count)
    return counts, sum(int(count) for _, count in rows)


def nomination_counts(db: Session, round_id: int) -> list[tuple[int, str, int]]:
    """Nominees by number of counted nominations in a round, most first:
    (membership id, name, count)."""
    rows = db.execute(round_cases.counted(
        select(Ballot.nominee_id, User.name, func.count()), round_id)
        .join(Membership, Membership.id == Ballot.nominee_id)
        .join(User, User.id == Membership.user_id)
        .group_by(Ballot.nominee_id, User.name))
    found = [(int(nominee or 0), name, int(count)) for nominee, name, count in rows]
    return sorted(found, key=lambda row: (-row[2], row[1], row[0]))


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
