"""Rounds: opening with an electorate snapshot, casting ballots against the server's clock,
closing through the engine (idempotent, safe from several processes), and the deadlines.

Which round may follow which, the positions of each round and which outcomes leave the
proposal open are the family's descriptor (``families.py``).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVarTuple, cast

from sqlalchemy import (
    Boolean,
    Integer,
    Select,
    String,
    bindparam,
    case,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, contains_eager, sessionmaker

from decisions.engine import Family, dump_case, evaluate
from decisions.engine.params import ConsentParams
from decisions.engine.rules.consent import consent_position_rules

from .. import assembly_cases, round_cases
from ..families import NOMINATE, descriptor
from ..models import (
    CHANGEABLE,
    NOMINATING_KINDS,
    UNDECIDED,
    AgendaItem,
    Ballot,
    CircleMember,
    College,
    Elector,
    ElectorateScope,
    Membership,
    Organisation,
    Participation,
    Proposal,
    ProposalElector,
    ProposalStatus,
    Role,
    Round,
    RoundKind,
    RoundStatus,
    SecretTally,
    User,
    session_identifier,
)
from ..transactions import begin_write, rowcount
from . import ServiceError, audit, notices
from .messages import N_
from .results import nomination_counts

Columns = TypeVarTuple("Columns")

logger = logging.getLogger(__name__)


class RoundError(ServiceError):
    """A round action that cannot be done now."""


class BallotRefused(RoundError):
    """A ballot the server refuses (round closed, not in the electorate, bad position)."""


class DeadlineError(RoundError):
    """A deadline refused: its message belongs next to the deadline field."""

    field = "closes_at"


#: The latest deadline from now when the caller gives none (the web passes its setting).
DEFAULT_HORIZON = timedelta(days=730)


def _check_deadline(closes_at: datetime, now: datetime, horizon: timedelta) -> None:
    """Refuse a deadline beyond ``horizon`` from now: a typo (9999-12-31) would keep the
    round open for ever and its pages could not compute dates around it."""
    if closes_at > now + horizon:
        raise DeadlineError("deadline.too_far",
                            N_("The deadline cannot be more than %(days)d days away."),
                            params={"days": horizon.days})


def round_in(db: Session, organisation_id: int, proposal_id: int, round_id: int,
             ) -> Round | None:
    """The round with its proposal, if it belongs to the proposal and the proposal to the
    organisation (every page of a round starts with this)."""
    return db.scalar(_ROUND_IN, {"r_round": round_id, "r_proposal": proposal_id,
                                 "r_organisation": organisation_id})


_ROUND_IN = (select(Round).join(Round.proposal).options(contains_eager(Round.proposal))
             .where(Round.id == bindparam("r_round"), Round.proposal_id == bindparam("r_proposal"),
                    Proposal.organisation_id == bindparam("r_organisation")))


@dataclass(frozen=True, slots=True)
class RoundRules:
    """What storing a ballot needs to know of a round and its proposal. All of it is fixed
    when they are made, so it may be read before the ballot's transaction (``voting_booth``
    reads it with the voter); what changes (the status, the window, the electorate) the
    statement that stores the ballot checks itself."""

    round_id: int
    proposal_id: int
    organisation_id: int
    kind: RoundKind
    family: str
    params: str
    secret: bool
    reason_required: str

    @property
    def reasons_required_for(self) -> frozenset[str]:
        """Positions that need a reason on the proposal (``Proposal.reasons_required_for``)."""
        return frozenset(p for p in self.reason_required.split(",") if p)

    @classmethod
    def of(cls, round_: Round) -> RoundRules:
        """The rules of a loaded round."""
        proposal = round_.proposal
        return cls(round_.id, round_.proposal_id, proposal.organisation_id, round_.kind,
                   proposal.family, proposal.params, proposal.secret, proposal.reason_required)


@dataclass(frozen=True, slots=True)
class Booth:
    """A person about to vote in a round, read in one statement (``voting_booth``): what
    their account says of their sessions, their current membership of the round's
    organisation, and the round's rules."""

    user_id: int
    session_version: int | None
    password_hash: str
    closed_at: datetime | None
    membership_id: int
    role: Role
    rules: RoundRules

    def get_id(self) -> str:
        """The identifier of the person's current sessions (``User.get_id``)."""
        return session_identifier(self.user_id, self.session_version, self.password_hash)


def voting_booth(db: Session, user_id: int, slug: str, proposal_id: int,
                 round_id: int) -> Booth | None:
    """The person, their current membership of the organisation of ``slug`` and the round,
    if it belongs to the proposal and the proposal to the organisation, in one statement of
    plain columns (a ballot is the most frequent request); ``None`` when any is missing.
    Whether the person is still signed in, and may vote there, is the caller's to check."""
    row = db.connection().execute(_BOOTH, {"v_user": user_id, "v_slug": slug,
                                           "v_proposal": proposal_id,
                                           "v_round": round_id}).first()
    if row is None:
        return None
    return Booth(row.user_id, row.session_version, row.password_hash, row.closed_at,
                 row.membership_id, row.role,
                 RoundRules(row.round_id, row.proposal_id, row.organisation_id, row.kind,
                            row.family, row.params, row.secret, row.reason_required))


def _booth() -> Any:
    user, membership, organisation = User.__table__, Membership.__table__, Organisation.__table__
    proposal, round_ = Proposal.__table__, Round.__table__
    return (select(user.c.id.label("user_id"), user.c.session_version, user.c.password_hash,
                   user.c.closed_at, membership.c.id.label("membership_id"), membership.c.role,
                   round_.c.id.label("round_id"), round_.c.proposal_id,
                   proposal.c.organisation_id, round_.c.kind, proposal.c.family,
                   proposal.c.params, proposal.c.secret, proposal.c.reason_required)
            .select_from(user)
            .join(organisation, organisation.c.slug == bindparam("v_slug"))
            .join(membership, (membership.c.organisation_id == organisation.c.id)
                  & (membership.c.user_id == user.c.id) & membership.c.ended_at.is_(None))
            .join(proposal, (proposal.c.id == bindparam("v_proposal"))
                  & (proposal.c.organisation_id == organisation.c.id))
            .join(round_, (round_.c.id == bindparam("v_round"))
                  & (round_.c.proposal_id == proposal.c.id))
            .where(user.c.id == bindparam("v_user")))


def positions_of(proposal: Proposal | RoundRules, kind: RoundKind) -> tuple[str, ...]:
    """The positions a member may take in a round of this kind."""
    rules = descriptor(proposal.family)
    allowed = tuple(str(p) for p in rules.positions.get(kind, ()))
    params = json.loads(proposal.params or "{}")
    if kind is RoundKind.CONSENT and params.get("allow_abstain") and "abstain" not in allowed:
        allowed = (*allowed, "abstain")
    if rules.family is Family.CONSENT and "positions" in params:
        allowed = tuple(p for p in allowed if p in params["positions"])
    return allowed


def _last_round(proposal: Proposal) -> Round | None:
    done = [r for r in proposal.rounds if r.status not in UNDECIDED]
    return done[-1] if done else None


def next_kinds(proposal: Proposal) -> set[RoundKind]:
    """The kinds of round a facilitator may open now on this proposal.

    A cancelled or failed round counts as if it had never been: after a failed round the
    same kind of round may be opened again (once what made it fail is mended), on the same
    convocation."""
    if proposal.status not in CHANGEABLE:
        return set()
    last = _last_round(proposal)
    rules = descriptor(proposal.family)
    if last is None:
        return set(rules.first_rounds)
    if last.status in (RoundStatus.OPEN, RoundStatus.SCHEDULED):
        return set()
    if last.kind is RoundKind.VOTE and last.convocation == "second":
        return set()
    outcome = None if last.kind not in (RoundKind.CONSENT, RoundKind.VOTE) else last.outcome
    return set(rules.rounds_after(last.kind, outcome))


def deciding(query: Select[*Columns], proposal: Proposal) -> Select[*Columns]:
    """``query`` over memberships, kept to the members who decide on this proposal now:
    current members of the organisation, of its circle or list, with a college for a
    college vote."""
    query = query.where(Membership.organisation_id == proposal.organisation_id,
                        Membership.ended_at.is_(None))
    if proposal.electorate_scope is ElectorateScope.CIRCLE and proposal.circle_id is not None:
        query = query.where(Membership.id.in_(select(CircleMember.membership_id).where(
            CircleMember.circle_id == proposal.circle_id)))
    elif proposal.electorate_scope is ElectorateScope.LIST:
        query = query.where(Membership.id.in_(select(ProposalElector.membership_id).where(
            ProposalElector.proposal_id == proposal.id)))
    if descriptor(proposal.family).by_college:
        query = query.where(Membership.college_id.is_not(None))
    return query


def electorate_of(db: Session, proposal: Proposal) -> list[Membership]:
    """The members who decide on this proposal now (snapshotted when a round opens)."""
    return list(db.scalars(deciding(select(Membership), proposal).order_by(Membership.id)))


def candidates(db: Session, proposal: Proposal) -> list[tuple[int, str]]:
    """Whom an election's consent round may be on: the electorate of now, as (membership
    id, name) by name."""
    members = electorate_of(db, proposal)
    names = dict(db.execute(select(User.id, User.name).where(
        User.id.in_([m.user_id for m in members]))).all())
    return sorted(((m.id, names[m.user_id]) for m in members), key=lambda c: (c[1], c[0]))


def electors_named(db: Session, round_id: int) -> list[tuple[int, str]]:
    """A round's electors as (membership id, name), by name: whom a nomination may name."""
    return [(member, name) for member, name in db.execute(
        select(Elector.membership_id, User.name)
        .join(Membership, Membership.id == Elector.membership_id)
        .join(User, User.id == Membership.user_id)
        .where(Elector.round_id == round_id).order_by(User.name, Elector.membership_id))]


def is_elector(db: Session, round_id: int, membership_id: int) -> bool:
    """Whether the member is in the round's electorate (snapshotted when it opened)."""
    return bool(db.scalar(select(exists().where(
        Elector.round_id == round_id, Elector.membership_id == membership_id))))


def needs_candidate(proposal: Proposal, kind: RoundKind) -> bool:
    """Whether a round of this kind is held on a candidate: an election's consent rounds."""
    return kind is RoundKind.CONSENT and descriptor(proposal.family).elects


def proposed_candidate(db: Session, proposal: Proposal) -> int | None:
    """The candidate first offered to the facilitator: the member most nominated in the
    last closed nominations (or changes), if no one else has as many; else ``None``, and
    the facilitator chooses."""
    done = [r for r in proposal.rounds if r.status is RoundStatus.CLOSED
            and r.kind in NOMINATING_KINDS]
    if not done:
        return None
    counts = nomination_counts(db, done[-1].id)
    if not counts or (len(counts) > 1 and counts[1][2] == counts[0][2]):
        return None
    return counts[0][0]


def open_round(db: Session, proposal: Proposal, kind: RoundKind, *, closes_at: datetime,
               now: datetime, candidate_id: int | None = None,
               horizon: timedelta = DEFAULT_HORIZON, convocation: str | None = None,
               tell: bool = True) -> Round:
    """Open the next round now, until ``closes_at`` (at most ``horizon`` away), with the
    electorate of this moment; an election's consent round is on ``candidate_id``, one of
    them (ignored for any other round). A general assembly's resolution gives its sitting's
    ``convocation``, and ``tell=False``: the members are in the meeting, not in their
    mailboxes."""
    if kind not in next_kinds(proposal):
        raise RoundError("round.cannot_open", N_("This round cannot be opened now."),
                         field="kind")
    if closes_at <= now:
        raise DeadlineError("deadline.past", N_("The deadline must be in the future."))
    electorate = deciding(select(Membership.id), proposal)
    if not needs_candidate(proposal, kind):
        candidate_id = None
    elif candidate_id is None or not db.scalar(select(
            electorate.where(Membership.id == candidate_id).exists())):
        raise RoundError("round.candidate", N_("Choose the candidate among the members of the"
                                               " electorate."), field="candidate")
    _check_deadline(closes_at, now, horizon)
    if not db.scalar(select(electorate.exists())):
        raise RoundError("round.no_electorate",
                         N_("Nobody is in the electorate of this proposal."), field="kind")
    last = _last_round(proposal)
    if convocation is None:
        convocation = "first"
        if kind is RoundKind.VOTE and last is not None and last.outcome == "no_quorum":
            convocation = "second"
    round_ = Round(proposal=proposal, number=len(proposal.rounds) + 1, kind=kind,
                   version_number=proposal.current_version.number, convocation=convocation,
                   candidate_id=candidate_id, opens_at=now, closes_at=closes_at,
                   status=RoundStatus.OPEN, colleges_json=colleges_snapshot(proposal))
    db.add(round_)
    db.flush()
    # The snapshot in one statement: thousands of electors are no ORM objects.
    electors = rowcount(db.execute(insert(Elector.__table__).from_select(
        ["round_id", "membership_id", "college", "vote_weight"],
        deciding(select(literal(round_.id, Integer), Membership.id, College.name,
                        Membership.vote_weight)
                 .outerjoin(College, College.id == Membership.college_id), proposal))
        .execution_options(preserve_rowcount=True)))
    proposal.status = ProposalStatus.OPEN
    db.flush()
    if proposal.secret:
        create_counters(db, round_, positions_of(proposal, kind))
    audit.round_event(db, round_, "round_opened", at=now, round_kind=kind.value,
                      version=round_.version_number, closes_at=closes_at,
                      electors=electors)
    if tell:
        notices.round_opened(db, round_, now)
    return round_


def colleges_snapshot(proposal: Proposal) -> str | None:
    """The organisation's colleges as the engine's ``colleges`` parameter, kept on a college
    vote when it opens: renaming or reweighting a college later cannot change the round
    (its electors keep the college names of this moment too)."""
    if not descriptor(proposal.family).by_college:
        return None
    return json.dumps(round_cases.engine_colleges(proposal.organisation.colleges),
                      ensure_ascii=False)


def cast_ballot(db: Session, round_id: int, membership_id: int, position: str, *, now: datetime,
                reason: str = "", concern: str = "", nominee_id: int | None = None,
                cast_by: int | None = None, rules: RoundRules | None = None) -> bool:
    """Store a ballot if, by the server's clock, the round is open and the member is in its
    electorate — checked in the very statement that stores it, so a ballot racing the
    deadline or the closing is either stored before it or refused, never both.

    Whether this ballot closed the round: the last elector's answer does, in the same
    transaction, when the rule closes once all have answered (``_closes_when_all``).

    A general assembly's resolution is voted from the assembly only (``assemblies.cast``:
    checked in, proxies, postal votes already counted), never through its round: the
    statement that stores the ballot checks that too.

    ``rules``: the round's, when the caller has read them (``voting_booth``); else they are
    taken from the round loaded in the session."""
    rules = stored_ballot(db, round_id, membership_id, position, now=now, reason=reason,
                          concern=concern, nominee_id=nominee_id, cast_by=cast_by, rules=rules)
    return _close_when_all_answered(db, rules, now)


def stored_ballot(db: Session, round_id: int, membership_id: int, position: str, *,
                  now: datetime, reason: str = "", concern: str = "",
                  nominee_id: int | None = None, cast_by: int | None = None,
                  through_assembly: bool = False, rules: RoundRules | None = None,
                  ) -> RoundRules:
    """Store one ballot, or raise ``BallotRefused`` saying why (see ``cast_ballot``). A
    concern is kept only with a consent, where the rule takes one beside it. ``cast_by``:
    the proxy holder casting the ballot of ``membership_id`` in a general assembly (whose
    service checks the proxy; a secret ballot keeps no trace of who cast it).
    ``through_assembly``: the caller is the assembly's service, the only one that may store
    a ballot on a resolution's round. The round's rules, as given or read."""
    if rules is None:
        round_ = db.get(Round, round_id)
        if round_ is None:
            raise BallotRefused("round.unknown", N_("This round does not exist."))
        rules = RoundRules.of(round_)
    elif rules.round_id != round_id:
        raise ValueError("the rules of another round")
    if position != "consent" or not descriptor(rules.family).concern_with_consent:
        concern = ""
    if position not in positions_of(rules, rules.kind):
        raise BallotRefused("ballot.position", N_("This position is not possible in this round."),
                            field="position")
    if position in reasons_required(rules, rules.kind) and not reason.strip():
        raise BallotRefused("ballot.reason_missing", N_("Please give a reason for this position."),
                            field="reason")
    if rules.kind in NOMINATING_KINDS and nominee_id is None:
        raise BallotRefused("ballot.nominee_missing", N_("Choose whom you nominate."),
                            field="nominee")
    values = {"b_round": round_id, "b_member": membership_id, "b_now": now,
              "b_assembly": through_assembly}
    if rules.secret:
        _cast_secret(db, round_id, membership_id, position, values)
        audit.ballot_cast(db, rules.organisation_id, round_id, None, changed=False, at=now)
        return rules
    first_only = not changes_allowed(rules, rules.kind)
    reason, concern = reason.strip(), concern.strip()
    # Core statements on the session's connection: no ORM row is read or written by them.
    connection = db.connection()
    stored = connection.execute(_STORE_BALLOT[first_only], {
        **values, "b_position": position, "b_reason": reason, "b_concern": concern,
        "b_nominee": nominee_id, "b_cast_by": cast_by}).scalar_one_or_none()
    if stored is not None:
        ballot = Ballot(id=stored, round_id=round_id, membership_id=membership_id,
                        position=position, reason=reason, concern=concern,
                        nominee_id=nominee_id, cast_at=now.astimezone(UTC), cast_by_id=cast_by)
        found = connection.execute(_COUNT_BALLOT[first_only], {
            **values, "b_ballot": ballot.id, "b_position": position}).first()
        changed = True if found is None else bool(found.earlier)  # None: a later one counts
        audit.ballot_cast(db, rules.organisation_id, round_id, ballot, changed=changed, at=now)
        if position == "object":
            _tell_objection(db, db.get_one(Round, round_id), ballot, now)
        return rules
    _refuse_resolution(db, values)
    _refuse_closed(db, round_id, now)
    if first_only and db.scalar(select(_has_voted()), values):
        raise BallotRefused("ballot.change_not_allowed", CHANGE_NOT_ALLOWED)
    raise BallotRefused("round.not_elector", N_("You are not in the electorate of this round."))


def _tell_objection(db: Session, round_: Round, ballot: Ballot, now: datetime) -> None:
    """Tell the facilitators and the author of an objection, in a savepoint: a notice that
    cannot be written is logged and never takes the ballot down with it."""
    try:
        with db.begin_nested():
            notices.objection_raised(db, round_, ballot_id=ballot.id,
                                     objector_id=ballot.membership_id, reason=ballot.reason,
                                     now=now)
    except SQLAlchemyError:
        logger.exception("The objection notices of ballot %d could not be written", ballot.id)


# The statements of a ballot, built once: a ballot is the most frequent write, and building
# a statement costs more than running it. Their parameters: b_round, b_member, b_now...

def _is_elector() -> Any:
    return exists().where(Elector.round_id == bindparam("b_round"),
                          Elector.membership_id == bindparam("b_member"))


def _is_resolution() -> Any:
    return exists().where(AgendaItem.round_id == bindparam("b_round"))


def _has_voted() -> Any:
    return exists().where(Ballot.round_id == bindparam("b_round"),
                          Ballot.membership_id == bindparam("b_member"))


def _if_accepting(*conditions: Any, columns: tuple[Any, ...]) -> Any:
    """The values to insert, selected from the round's row if it takes ballots at ``now``
    and ``conditions`` hold: one statement checks and stores. On PostgreSQL it takes a share
    lock on the round's row, so that a close (which updates that row) waits for this
    transaction to end, and then counts what it stored; a close that came first makes this
    statement find the round closed (SQLite: one writer at a time)."""
    return (select(*columns).select_from(Round)
            .where(Round.id == bindparam("b_round", type_=Integer),
                   Round.accepting(cast(datetime, bindparam("b_now", type_=Round.closes_at.type))),
                   _is_elector(),
                   or_(bindparam("b_assembly", type_=Boolean), ~_is_resolution()),
                   *conditions)
            .with_for_update(read=True, of=Round))


def _store_ballot(first_only: bool) -> Any:
    """Store the ballot where the round takes it, the member is an elector and, under
    ``first_only``, has not voted yet: its id, or no row."""
    columns = (bindparam("b_round", type_=Integer), bindparam("b_member", type_=Integer),
               bindparam("b_position", type_=String), bindparam("b_reason", type_=String),
               bindparam("b_concern", type_=String), bindparam("b_nominee", type_=Integer),
               bindparam("b_now", type_=Ballot.cast_at.type),
               bindparam("b_cast_by", type_=Integer))
    values = _if_accepting(*((~_has_voted(),) if first_only else ()), columns=columns)
    return insert(Ballot.__table__).from_select(
        ["round_id", "membership_id", "position", "reason", "concern", "nominee_id", "cast_at",
         "cast_by_id"],
        values).returning(Ballot.id)


def _count_ballot(first_only: bool) -> Any:
    """Make a stored ballot the one that counts for its elector (``Elector.ballot_id``): the
    latest, or under ``first_only`` the first. The condition on the ids, not the order of
    the commits, decides between two ballots of one member racing each other: the row lock
    makes the second update wait for the first, then test it again. Returns whether the
    member had cast a ballot in the round before this one (no row: a later ballot counts)."""
    ballot_id = bindparam("b_ballot", type_=Integer)
    counted = Elector.ballot_id
    replaces = counted.is_(None) | ((counted > ballot_id) if first_only
                                    else (counted < ballot_id))
    earlier = exists().where(Ballot.round_id == bindparam("b_round"),
                             Ballot.membership_id == bindparam("b_member"), Ballot.id < ballot_id)
    return (update(Elector.__table__)
            .where(Elector.round_id == bindparam("b_round", type_=Integer),
                   Elector.membership_id == bindparam("b_member", type_=Integer), replaces)
            .values(ballot_id=ballot_id, position=bindparam("b_position", type_=String))
            .returning(earlier.label("earlier")))


_STORE_BALLOT = {first_only: _store_ballot(first_only) for first_only in (False, True)}
_COUNT_BALLOT = {first_only: _count_ballot(first_only) for first_only in (False, True)}
_BOOTH = _booth()


def _closes_when_all(proposal: Proposal | RoundRules, kind: RoundKind) -> bool:
    """Whether the rule ends a round once every elector has answered: a consent round's
    ``close_when_all_responded`` (true by default, docs/rules.md CON-11), a vote's
    ``close_when_all_voted``. The engine counts a ballot after that instant as late, so
    the server stops taking ballots then too."""
    if kind not in (RoundKind.CONSENT, RoundKind.VOTE):
        return False
    rule = round_cases.rule_params(proposal.family, json.loads(proposal.params or "{}"))
    return bool(getattr(rule, "close_when_all_responded", False)
                or getattr(rule, "close_when_all_voted", False))


def _close_when_all_answered(db: Session, rules: RoundRules, now: datetime) -> bool:
    """Close the round now if its rule says so and every elector has answered."""
    if not _closes_when_all(rules, rules.kind):
        return False
    round_id = rules.round_id
    if rules.secret:
        answered = db.scalar(select(func.count()).select_from(Participation)
                             .where(Participation.round_id == round_id))
        electors = db.scalar(select(func.count()).select_from(Elector)
                             .where(Elector.round_id == round_id))
    else:
        electors, answered = db.execute(select(func.count(), func.count(Elector.position))
                                        .where(Elector.round_id == round_id)).one()
    return bool(electors) and answered == electors and close_round(db, round_id, now=now)


#: The engine's reason for a later ballot under ``allow_vote_change: false``, in its words
#: (``change not allowed``), said to the member when the server refuses it.
CHANGE_NOT_ALLOWED = N_("Ballot refused: change not allowed. This rule counts each member's"
                        " first ballot only.")


def _refuse_resolution(db: Session, values: dict[str, Any]) -> None:
    """Say so when the round that stored nothing is a general assembly's resolution and the
    ballot did not come through the assembly."""
    if not values["b_assembly"] and db.scalar(select(_is_resolution()), values):
        raise BallotRefused("ballot.assembly_resolution",
                            N_("This resolution is voted from its general assembly's page."))


def _refuse_closed(db: Session, round_id: int, now: datetime) -> None:
    """Say why the round that stored nothing at ``now`` takes nothing, if it does not (read
    again: it may have closed since it was loaded)."""
    _refuse(db.get_one(Round, round_id, populate_existing=True), now)


def _refuse(round_: Round, now: datetime) -> None:
    """Say why a round that stored nothing at ``now`` takes nothing, if it does not."""
    if round_.accepting(now):
        return
    if round_.status is RoundStatus.OPEN and now < round_.opens_at:
        raise BallotRefused("round.not_open_yet", N_("This round is not open yet."))
    raise BallotRefused("round.closed", N_("This round is closed: its deadline has passed."))


def changes_allowed(proposal: Proposal | RoundRules, kind: RoundKind) -> bool:
    """Whether a member's later ballot replaces the first in a round of this kind: the
    rule's ``allow_vote_change`` (a secret ballot is never changed, refused apart)."""
    if kind not in (RoundKind.VOTE, RoundKind.CONSENT) or descriptor(proposal.family).sociocratic:
        return True
    return round_cases.rule_allows_changes(proposal.family, proposal.params or "{}")


def engine_reasons(family: str, params: dict[str, Any]) -> frozenset[str]:
    """The positions the engine refuses without a reason under this rule: an objection
    when ``objection_requires_reason`` (for consent, when its policy rejects the ballot
    rather than counting it as a consent)."""
    if not descriptor(family).takes_objections:
        return frozenset()
    rule = round_cases.rule_params(family, params)
    if isinstance(rule, ConsentParams):
        return frozenset(p.value for p in consent_position_rules(rule).need_reason)
    return frozenset({"object"}) if getattr(rule, "objection_requires_reason", True) else (
        frozenset())


def reasons_required(proposal: Proposal | RoundRules,
                     kind: RoundKind | None = None) -> frozenset[str]:
    """The positions that need a reason on this proposal: those the web asks a reason for
    beside the rule (never an objection: the rule alone says that), and those the engine
    refuses without one; in a round of ``kind``, a nomination too (why this person suits
    the role). The proposal page, the round page and the server all read this."""
    asked = proposal.reasons_required_for - {"object"}
    if kind is RoundKind.NOMINATION:
        asked |= {NOMINATE}
    return asked | engine_reasons(proposal.family, json.loads(proposal.params or "{}"))


def _cast_secret(db: Session, round_id: int, membership_id: int, position: str,
                 values: dict[str, Any]) -> None:
    """A secret ballot: the participation (who, when) is stored and the ballot (what, with the
    college and weight of the electorate snapshot) only added to the round's counters, in one
    transaction. It cannot be changed: nothing stored says which counter to take it from.
    (The savepoint only keeps the transaction usable when the same member's other ballot
    wins the race for the participation.)"""
    try:
        with db.begin_nested():
            stored = db.execute(_STORE_PARTICIPATION, values).scalar_one_or_none()
    except IntegrityError:  # the same member's other ballot, at the same moment
        stored = None
    if stored is None:
        if db.scalar(select(_took_part()), values):
            raise BallotRefused("ballot.secret_already_cast",
                                N_("You have already voted: a secret ballot cannot be changed."))
        _refuse_resolution(db, values)
        _refuse_closed(db, round_id, values["b_now"])
        raise BallotRefused("round.not_elector",
                            N_("You are not in the electorate of this round."))
    _add_to_counters(db, round_id, membership_id, position)


def _took_part() -> Any:
    return exists().where(Participation.round_id == bindparam("b_round"),
                          Participation.membership_id == bindparam("b_member"))


_STORE_PARTICIPATION = insert(Participation.__table__).from_select(
    ["round_id", "membership_id", "at"],
    _if_accepting(~_took_part(), columns=(bindparam("b_round", type_=Integer),
                                          bindparam("b_member", type_=Integer),
                                          bindparam("b_now", type_=Participation.at.type)))
).returning(Participation.round_id)


def _add_to_counters(db: Session, round_id: int, membership_id: int, position: str) -> None:
    """Add one secret ballot to its round's counters: every counter of the round is
    rewritten, all but one with zero added, so that none of them marks the last ballot.
    The college and weight are read first so that the statement that carries the position
    does not name the member (a logged statement would otherwise link them by itself)."""
    college, weight = db.execute(select(Elector.college, Elector.vote_weight).where(
        Elector.round_id == round_id, Elector.membership_id == membership_id)).one()
    mine = (SecretTally.college == (college or "")) & (SecretTally.position == position)
    db.execute(update(SecretTally).where(SecretTally.round_id == round_id).values(
        ballots=SecretTally.ballots + case((mine, 1), else_=0),
        weight=SecretTally.weight + case((mine, weight), else_=0))
        .execution_options(synchronize_session=False))


def create_counters(db: Session, round_: Round, positions: tuple[str, ...]) -> None:
    """The zero counters of a secret round: one per college of its electorate (``""``
    without colleges) and position, in a fixed order."""
    colleges = sorted({college or "" for college in db.scalars(
        select(Elector.college).where(Elector.round_id == round_.id).distinct())})
    db.add_all(SecretTally(round_id=round_.id, college=college, position=position,
                           ballots=0, weight=0)
               for college in colleges for position in sorted(positions))
    db.flush()


def close_round(db: Session, round_id: int, *, now: datetime,
                actor_id: int | None = None) -> bool:
    """Close a round and store the engine's result and the exact case it came from.

    Idempotent: only the caller whose conditional update moves the round from open to closed
    does the work (``True``); any other, concurrent or later, gets ``False``. Everything
    happens in the caller's transaction: the round is open, or closed with its result. A
    round the engine cannot evaluate is marked ``failed`` with the reason instead (still
    ``True``: it has left the open rounds for good). ``actor_id``: the facilitator who closed
    it (``None``: its deadline did).
    """
    won = db.connection().execute(update(Round).where(Round.id == round_id,
                                         Round.status == RoundStatus.OPEN)
                     .values(status=RoundStatus.CLOSED, closed_at=now, closed_by_id=actor_id))
    if rowcount(won) != 1:
        return False
    round_ = db.get_one(Round, round_id, populate_existing=True)
    if round_.kind in (RoundKind.CONSENT, RoundKind.VOTE):
        try:
            engine_case = round_cases.round_case(db, round_, max(now, round_cases.ends_at(round_)))
            result = evaluate(engine_case)
        except SQLAlchemyError:
            raise  # the database's trouble, not the round's: rolled back and tried again
        except Exception as error:  # whatever else, this round cannot be counted
            _failed(db, round_, error, now=now, actor_id=actor_id)
            return True
        round_.case_json = json.dumps(dump_case(engine_case), ensure_ascii=False)
        round_.result_json = json.dumps(result.to_json(), ensure_ascii=False)
        round_.outcome = result.outcome.value
        _after_round(round_, now)
    db.flush()
    audit.round_closed(db, round_, at=now, actor_id=actor_id)
    if not assembly_cases.in_assembly(db, round_id):  # an assembly's minutes tell it
        notices.outcome_decided(db, round_, now)
    return True


def _failed(db: Session, round_: Round, error: BaseException, *, now: datetime,
            actor_id: int | None) -> None:
    """Mark a round the engine could not evaluate as failed, with the reason, logged once:
    a failed round is never tried again."""
    reason = f"{type(error).__name__}: {error}"
    round_.status, round_.failure = RoundStatus.FAILED, reason
    db.flush()
    audit.round_event(db, round_, "round_failed", at=now, actor_id=actor_id, reason=reason)
    logger.error("Round %d could not be counted and is marked failed: %s", round_.id, reason)


def _after_round(round_: Round, now: datetime) -> None:
    proposal = round_.proposal
    outcome = round_.outcome or ""
    if outcome in descriptor(proposal.family).stays_open:
        return
    if round_.kind is RoundKind.VOTE and outcome == "no_quorum" and round_.convocation == "first":
        return  # a second convocation may follow
    proposal.status = ProposalStatus.DECIDED
    proposal.outcome = outcome
    proposal.decided_at = now


def close_early(db: Session, round_id: int, *, now: datetime,
                actor_id: int | None = None) -> bool:
    """A facilitator (``actor_id``) closes an open round now, maybe before its deadline: the
    deadline stays as it was set, ``closed_at`` says when it was closed, and the case counts
    the ballots until then (``round_cases.ends_at``)."""
    round_ = db.get(Round, round_id)
    if round_ is None or round_.status is not RoundStatus.OPEN:
        raise RoundError("round.not_open", N_("Only an open round can be closed."))
    return close_round(db, round_id, now=now, actor_id=actor_id)


def check_extendable(round_: Round | None, now: datetime | None = None) -> Round:
    """The round, if its deadline may be moved: it is open and, at ``now`` (when given),
    its deadline has not passed; else ``RoundError``."""
    if (round_ is None or round_.status is not RoundStatus.OPEN
            or (now is not None and now >= round_.closes_at)):
        raise RoundError("round.not_open", N_("Only an open round can be extended."))
    return round_


def extend_round(db: Session, round_id: int, closes_at: datetime, *, now: datetime,
                 actor_id: int | None = None, horizon: timedelta = DEFAULT_HORIZON) -> None:
    """Move an open round's deadline later, at most ``horizon`` from now."""
    round_ = check_extendable(db.get(Round, round_id), now)
    if closes_at <= round_.closes_at:
        raise DeadlineError("deadline.earlier",
                            N_("The new deadline must be later than the current one."))
    _check_deadline(closes_at, now, horizon)
    previous, round_.closes_at = round_.closes_at, closes_at
    db.flush()
    audit.round_event(db, round_, "round_extended", at=now, actor_id=actor_id,
                      closes_at=closes_at, previous_closes_at=previous)


def cancel_round(db: Session, round_id: int, *, now: datetime,
                 actor_id: int | None = None) -> None:
    """Cancel an open round: its ballots are kept but it decides nothing. The conditional
    update never overwrites a round closed meanwhile (by the scheduler, say)."""
    changed = db.connection().execute(update(Round).where(Round.id == round_id,
                                             Round.status == RoundStatus.OPEN)
                         .values(status=RoundStatus.CANCELLED, closed_at=now,
                                 closed_by_id=actor_id))
    if rowcount(changed) != 1:
        raise RoundError("round.not_open", N_("Only an open round can be cancelled."))
    audit.round_event(db, db.get_one(Round, round_id, populate_existing=True),
                      "round_cancelled", at=now, actor_id=actor_id)


def due_rounds(db: Session, now: datetime) -> list[int]:
    """Open rounds whose deadline has passed."""
    return list(db.scalars(select(Round.id).where(Round.status == RoundStatus.OPEN,
                                                  Round.closes_at <= now)
                           .order_by(Round.closes_at)))


def close_due(sessions: sessionmaker[Session], now: datetime) -> list[int]:
    """Close every due round, each in its own transaction; the rounds this call closed."""
    with sessions() as db:
        due = due_rounds(db, now)
    closed = []
    for round_id in due:
        try:
            with sessions() as db:
                if close_round(begin_write(db), round_id, now=now):
                    closed.append(round_id)
                db.commit()
        except Exception:
            # A round the engine cannot count is marked failed by close_round, once; what
            # is left is the database or the disk failing (rolled back, tried again next
            # time), which must not keep every later deadline open either.
            logger.exception("Round %d could not be closed", round_id)
    return closed


def time_left(round_: Round, now: datetime) -> timedelta:
    """How long the round stays open (zero when closed)."""
    if round_.status is not RoundStatus.OPEN:
        return timedelta(0)
    return max(round_.closes_at - now, timedelta(0))
