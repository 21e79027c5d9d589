"""Rounds as engine cases: the case of a round is gathered from its rows, in the engine's
JSON case format, so that the exact case can be stored beside the result and recounted.

Vote rounds (majority, colleges) are gathered as counts aggregated in SQL (the engine's tally
formats), weighted by each member's vote weight: no ballot is ever loaded as an object.
Consent and sociocratic rounds name their members (objections need names); circles are small.

Which ballot of a member counts is the engine's rule (``allow_vote_change``, docs/rules.md 0.3),
never decided again here:

- changes allowed (the default): the tally holds each member's latest ballot, which is what
  the engine counts of all of them (every stored ballot is in the acceptance window: the
  server stores none outside it, ``Round.accepting``); tests/web/test_rules_honoured.py
  compares the two. The case is gathered from the ballots themselves (the record, which a
  recount gathers again); the ballot that counts is also kept on the elector's row
  (``Elector.ballot_id`` and ``position``, by ``services.rounds``), so that the live counts
  of an open round read one row per elector, not every ballot (``live_tally``), and a close
  follows it, checked against the ballots in the same statement (``electorate_tally``).
- changes not allowed: the server refuses a second ballot in the engine's words
  (``services.rounds.CHANGE_NOT_ALLOWED``), and the case holds every ballot individually, in
  order, so that the engine itself rejects any later one that raced past the server and its
  ``rejected_ballots`` reach the results page. Individual ballots carry no vote weight and no
  room counts: a round with either is tallied from each member's first ballot, the one the
  engine keeps (and which the elector's row holds under this rule). So is a round still
  open, whose counts are provisional (``case_json(tally=live_tally(...))``).
- secret rounds have only counters, and a secret ballot is never changed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, TypeVarTuple

from sqlalchemy import Select, func, select, text
from sqlalchemy.orm import Session

from decisions.engine import Case, load_case
from decisions.engine.results import fraction_json, time_json

from . import assembly_cases
from .families import TALLY_POSITIONS, descriptor
from .models import (
    NOMINATING_KINDS,
    UNDECIDED,
    Ballot,
    College,
    Elector,
    Proposal,
    ProposalVersion,
    Round,
    RoundEvent,
    RoundKind,
    RoundTally,
    SecretTally,
)

Columns = TypeVarTuple("Columns")
logger = logging.getLogger(__name__)
PHASE_KINDS = {RoundKind.CLARIFYING: "clarifying", RoundKind.REACTIONS: "reactions"}


def member_key(membership_id: int) -> str:
    """The engine's id of a member (the membership row id)."""
    return str(membership_id)


def counted(query: Select[*Columns], round_id: int) -> Select[*Columns]:
    """``query`` over each elector of a round who voted, joined to the ballot that counts
    for them (``Elector.ballot_id``): one row per elector, however often they changed."""
    return (query.select_from(Elector).join(Ballot, Ballot.id == Elector.ballot_id)
            .where(Elector.round_id == round_id))


@dataclass(frozen=True, slots=True)
class ElectorateTally:
    """A round's electors as a vote counts them: weighted counts by college (``""``
    without colleges) and position of their counted ballots, the weighted size of each
    college, and how many people's ballots count."""

    counts: dict[str, dict[str, int]]
    sizes: dict[str, int]
    voters: int


def electorate_tally(db: Session, round_id: int, *, changes: bool = True) -> ElectorateTally:
    """The tally of a round's electors from their ballots (the record): the ballot that
    counts for each elector is the latest of theirs (ids grow with time), or the first when
    changes are not allowed, as the ballots themselves say, whatever ``Elector.ballot_id``
    and ``Elector.position`` say (the same ballot, kept by casting for reading: see
    ``services.rounds``). What a round is decided and recounted on.

    Read in one statement that follows each elector's kept ballot and checks it against
    their ballots (``_checked_tally``): SQLite reads the electors' index with one step into
    the ballots' index each, PostgreSQL joins the two in one pass, and both group without
    sorting, where finding each member's ballot among all of theirs would sort them. Where
    they disagree (a fault, or a row changed behind the application's back), the ballots
    alone decide (``_counted_tally``)."""
    checked = _checked_tally(db, round_id, changes=changes)
    if checked is not None:
        return checked
    logger.warning("Round %d: its electors' counted ballots are not the ones its ballots say;"
                   " counted from the ballots", round_id)
    return _counted_tally(db, round_id, changes=changes)


def _checked_tally(db: Session, round_id: int, *, changes: bool) -> ElectorateTally | None:
    """The tally by the position each elector keeps, each one joined to their ballots from
    the kept one on (from the first to it when ``changes`` is false): the kept ballot alone
    where it is the one that counts (nothing for an elector without ballots), which every
    row must be, with its position, else ``None``. Every elector is thus one row: the sizes
    come along."""
    if db.get_bind().dialect.name == "postgresql":
        # In one process: a parallel plan's workers start for each statement (tens of ms
        # on a busy server of two cores) and take cores that serve requests. The setting
        # lasts until the transaction ends, which a close's does soon after.
        db.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
    kept = Elector.ballot_id
    from_kept = kept.is_(None) | ((Ballot.id >= kept) if changes else (Ballot.id <= kept))
    wrong = Ballot.id.is_distinct_from(kept) | Ballot.position.is_distinct_from(
        Elector.position)
    rows = db.execute(
        select(Elector.college, Elector.position, func.sum(Elector.vote_weight),
               func.count(Ballot.id), func.count().filter(wrong))
        .outerjoin(Ballot, (Ballot.round_id == round_id)
                   & (Ballot.membership_id == Elector.membership_id) & from_kept)
        .where(Elector.round_id == round_id).group_by(Elector.college, Elector.position)
    ).all()
    if any(row[4] for row in rows):
        return None
    return _with_sizes([row[:4] for row in rows])


def _counted_tally(db: Session, round_id: int, *, changes: bool) -> ElectorateTally:
    """The tally by the position of the ballot that counts for each elector, looked up
    among the ballots alone (in their index of (round, member, id, position)): a fault's
    path, slower on PostgreSQL, which runs the lookup as a plan of its own per elector."""
    position = (select(Ballot.position)
                .where(Ballot.round_id == round_id, Ballot.membership_id == Elector.membership_id)
                .order_by(Ballot.id.desc() if changes else Ballot.id).limit(1)
                .scalar_subquery().label("counted_position"))
    return _with_sizes(db.execute(
        select(Elector.college, position, func.sum(Elector.vote_weight), func.count())
        .where(Elector.round_id == round_id).group_by(Elector.college, position)).all())


def live_tally(db: Session, round_id: int) -> ElectorateTally:
    """The tally of a round's electors from each one's counted ballot as casting keeps it
    (``Elector.position``), in one query that reads the electors' index alone however
    many ballots were cast: the provisional counts of an open round."""
    return _with_sizes(db.execute(
        select(Elector.college, Elector.position, func.sum(Elector.vote_weight), func.count())
        .where(Elector.round_id == round_id).group_by(Elector.college, Elector.position)
    ).all())


def _with_sizes(rows: Sequence[Any]) -> ElectorateTally:
    """A tally from rows of (college, position, weight, people) of every elector, those
    who did not vote at position ``None``: the sizes of the colleges are their sums."""
    sizes: dict[str, int] = {}
    for college, _, weight, _ in rows:
        sizes[college or ""] = sizes.get(college or "", 0) + int(weight)
    return _tally([row for row in rows if row[1] is not None], sizes)


def _tally(rows: Iterable[Any], sizes: dict[str, int]) -> ElectorateTally:
    """A tally from rows of (college, position, weight, people)."""
    counts: dict[str, dict[str, int]] = {}
    voters = 0
    for college, position, weight, people in rows:
        counts.setdefault(college or "", dict.fromkeys(TALLY_POSITIONS, 0))[position] = int(
            weight)
        voters += int(people)
    return ElectorateTally(counts, sizes, voters)


def secret_vote_counts(db: Session, round_id: int) -> dict[str, dict[str, int]]:
    """Weighted counts of a secret round, from its counters alone, in the same format as
    ``electorate_tally`` (a college where nobody voted is left out, as there)."""
    rows = db.execute(select(SecretTally.college, SecretTally.position, SecretTally.ballots,
                             SecretTally.weight).where(SecretTally.round_id == round_id)).all()
    counts: dict[str, dict[str, int]] = {}
    for college, position, ballots, weight in rows:
        if ballots:
            counts.setdefault(college, dict.fromkeys(TALLY_POSITIONS, 0))[position] = int(weight)
    return counts


def electorate_counts(db: Session, round_id: int) -> dict[str, int]:
    """Weighted size of the electorate by college (``""`` without colleges), in one query."""
    rows = db.execute(select(Elector.college, func.sum(Elector.vote_weight))
                      .where(Elector.round_id == round_id).group_by(Elector.college)).all()
    return {college or "": int(weight) for college, weight in rows}


def entered_tallies(db: Session, round_id: int) -> list[Any]:
    """Counts a facilitator entered for the people in the room."""
    return list(db.execute(
        select(RoundTally.college, RoundTally.present, RoundTally.yes, RoundTally.no,
               RoundTally.abstain, RoundTally.blank, RoundTally.invalid)
        .where(RoundTally.round_id == round_id)).all())


def ends_at(round_: Round) -> datetime:
    """When the round stopped taking ballots: its deadline, or earlier when a facilitator
    closed it early (the deadline stays on the round as it was set). The engine knows no
    facilitator's close, only a window: the case's ``closes_at`` is this instant, so that a
    ballot from then on is late, as the server refused it. A round that closed itself when
    every elector had answered (``closed_by`` none) keeps its deadline: the engine finds
    that instant in the ballots (``close_when_all_*``) and counts the last answer."""
    if (round_.closed_at is not None and round_.closed_at < round_.closes_at
            and round_.closed_by_id is not None):
        return round_.closed_at
    return round_.closes_at


def engine_colleges(colleges: Iterable[College]) -> list[dict[str, Any]]:
    """Colleges as the engine's ``colleges`` parameter: name and exact weight."""
    return [{"id": c.name, "weight": fraction_json(c.weight)} for c in colleges]


def round_colleges(db: Session, round_: Round) -> list[dict[str, Any]]:
    """The colleges of a college vote as they were when it opened (the organisation's of
    now for a round that has no snapshot)."""
    if round_.colleges_json is not None:
        found: list[dict[str, Any]] = json.loads(round_.colleges_json)
        return found
    return engine_colleges(db.scalars(select(College).where(
        College.organisation_id == round_.proposal.organisation_id).order_by(College.id)))


def _params(proposal: Proposal, round_: Round, now: datetime) -> dict[str, Any]:
    params: dict[str, Any] = json.loads(proposal.params or "{}")
    params.update(opens_at=time_json(round_.opens_at), closes_at=time_json(ends_at(round_)),
                  evaluated_at=time_json(now))
    return params


def sample_electorate(family: str) -> dict[str, Any]:
    """An electorate of the family's format, to read a rule without a round."""
    rules = descriptor(family)
    if rules.by_college:
        return {"colleges": {}}
    if rules.is_vote:
        return {"eligible": 1}
    return {"members": ["x"]}


def rule_params(family: str, params: dict[str, Any]) -> Any:
    """A rule's parameters as the engine reads them, preset and defaults applied (sample
    colleges stand in for a college vote's, which join when a round is counted). Read once
    per rule and process: every ballot asks, and the engine's values are immutable."""
    return _rule_params(family, json.dumps(params, sort_keys=True, ensure_ascii=False))


@lru_cache(maxsize=512)
def _rule_params(family: str, params_text: str) -> Any:
    params = json.loads(params_text)
    if descriptor(family).by_college and "colleges" not in params:
        params = {**params, "colleges": [{"id": c} for c in ("a", "b", "c")]}
    return load_case({"family": family, "params": params,
                      "electorate": sample_electorate(family), "ballots": []}).params


def allows_changes(proposal: Proposal) -> bool:
    """Whether a member's later ballot replaces the first under the proposal's rule
    (``allow_vote_change``; rules without it let members change their position)."""
    return rule_allows_changes(proposal.family, proposal.params or "{}")


def rule_allows_changes(family: str, params_text: str) -> bool:
    """``allows_changes`` of a rule given as its family and parameters (JSON text)."""
    rule = rule_params(family, json.loads(params_text))
    return bool(getattr(rule, "allow_vote_change", True))


def _unweighted(db: Session, round_id: int) -> bool:
    return not db.scalar(select(func.count()).select_from(Elector).where(
        Elector.round_id == round_id, Elector.vote_weight != 1))


def _individual_vote_case(db: Session, proposal: Proposal, round_: Round,
                          now: datetime) -> dict[str, Any]:
    """A vote whose rule refuses changes, every ballot in order (read as rows)."""
    params = _params(proposal, round_, now)
    params.update(convocation=round_.convocation, mode="async")
    rows = db.execute(select(Elector.membership_id, Elector.college)
                      .where(Elector.round_id == round_.id)
                      .order_by(Elector.membership_id)).all()
    members: list[Any] = [member_key(m) for m, _ in rows]
    if descriptor(proposal.family).by_college:
        params.setdefault("enforce_scic_bounds", proposal.organisation.is_scic)
        params["colleges"] = round_colleges(db, round_)
        members = [{"id": member_key(m), "college": c} for m, c in rows]
    ballots = [{"voter": member_key(row.membership_id), "position": row.position,
                "cast_at": time_json(row.cast_at), "seq": row.id}
               for row in _ballot_rows(db, round_.id)]
    return {"family": proposal.family, "params": params, "electorate": {"members": members},
            "ballots": ballots}


def _vote_case(db: Session, proposal: Proposal, round_: Round, now: datetime,
               tally: ElectorateTally | None) -> dict[str, Any]:
    entered = entered_tallies(db, round_.id)
    changes = proposal.secret or allows_changes(proposal)
    if tally is None and not (changes or entered) and _unweighted(db, round_.id):
        return _individual_vote_case(db, proposal, round_, now)
    tally = tally or electorate_tally(db, round_.id, changes=changes)
    counts, sizes = tally.counts, tally.sizes
    if proposal.secret:
        counts = secret_vote_counts(db, round_.id)
    params = _params(proposal, round_, now)
    params["convocation"] = round_.convocation
    params["mode"] = "meeting" if entered else "async"
    groups = {key: dict(values) for key, values in counts.items()}
    present = {key: sum(values.values()) for key, values in counts.items()}
    for college, in_room, *room_counts in entered:
        key = college or ""
        row = groups.setdefault(key, dict.fromkeys(TALLY_POSITIONS, 0))
        for position, count in zip(TALLY_POSITIONS, room_counts, strict=True):
            row[position] += count
        present[key] = present.get(key, 0) + in_room
    if descriptor(proposal.family).by_college:
        colleges = round_colleges(db, round_)
        names = [c["id"] for c in colleges]
        params.setdefault("enforce_scic_bounds", proposal.organisation.is_scic)
        params["colleges"] = colleges
        electorate: dict[str, Any] = {"colleges": {name: {"members": sizes.get(name, 0),
                                            "present": min(present.get(name, 0),
                                                           sizes.get(name, 0))}
                                   for name in names}}
        ballots: dict[str, Any] = {"format": "tally_by_college",
                                   **{c: v for c, v in groups.items() if c}}
    else:
        eligible = sum(sizes.values())
        electorate = {"eligible": eligible,
                      "present": min(sum(present.values()), eligible)}
        total = dict.fromkeys(TALLY_POSITIONS, 0)
        for row in groups.values():
            for position in TALLY_POSITIONS:
                total[position] += row[position]
        ballots = {"format": "tally", **total}
    return {"family": proposal.family, "params": params, "electorate": electorate,
            "ballots": ballots}


def _electors(db: Session, round_id: int) -> list[str]:
    return [member_key(i) for i in db.scalars(
        select(Elector.membership_id).where(Elector.round_id == round_id)
        .order_by(Elector.membership_id))]


def _ballot_rows(db: Session, round_id: int) -> list[Any]:
    return list(db.execute(
        select(Ballot.id, Ballot.membership_id, Ballot.position, Ballot.reason, Ballot.concern,
               Ballot.nominee_id, Ballot.cast_at)
        .where(Ballot.round_id == round_id).order_by(Ballot.id)).all())


def _event_rows(db: Session, round_id: int) -> list[RoundEvent]:
    return list(db.scalars(select(RoundEvent).where(RoundEvent.round_id == round_id)
                           .order_by(RoundEvent.id)))


def _consent_case(db: Session, proposal: Proposal, round_: Round,
                  now: datetime) -> dict[str, Any]:
    entries: list[dict[str, Any]] = []
    for row in _ballot_rows(db, round_.id):
        ballot: dict[str, Any] = {"voter": member_key(row.membership_id),
                                  "position": row.position, "cast_at": time_json(row.cast_at),
                                  "seq": row.id}
        if row.reason:
            ballot["reason"] = row.reason
        if row.concern:
            ballot["concern"] = row.concern
        entries.append(ballot)
    entries += [_event_json(event, None) for event in _event_rows(db, round_.id)]
    return {"family": "consent", "params": _params(proposal, round_, now),
            "electorate": {"members": _electors(db, round_.id)}, "ballots": entries}


def _event_json(event: RoundEvent, number: int | None) -> dict[str, Any]:
    data: dict[str, Any] = {"type": event.kind, "voter": member_key(event.membership_id),
                            "at": time_json(event.at)}
    if number is not None:
        data["round"] = number
    if event.kind == "objection_qualified":
        data.update(result=event.result, decided_by=event.decided_by,
                    rationale=event.rationale)
    return data


def _sociocratic_case(db: Session, proposal: Proposal, upto: Round,
                      now: datetime) -> dict[str, Any]:
    """The whole log of a sociocratic proposal, up to and including ``upto``."""
    timed: list[tuple[datetime, int, dict[str, Any]]] = []
    # Versions published after ``upto`` (numbered above its version) are not its history.
    versions = db.scalars(select(ProposalVersion).where(
        ProposalVersion.proposal_id == proposal.id,
        ProposalVersion.number <= upto.version_number).order_by(ProposalVersion.number)).all()
    for version in versions[1:]:
        timed.append((version.created_at, 0, {"type": "amend", "version": version.number,
                                              "summary": version.summary}))
    consent_number = 0
    for round_ in db.scalars(select(Round).where(
            Round.proposal_id == proposal.id, Round.number <= upto.number,
            Round.status.not_in(UNDECIDED))
            .order_by(Round.number)):
        if round_.kind in PHASE_KINDS:
            timed.append((round_.opens_at, 1, {"type": "phase",
                                               "phase": PHASE_KINDS[round_.kind]}))
            continue
        if round_.kind in NOMINATING_KINDS:
            kind = "nomination" if round_.kind is RoundKind.NOMINATION else "change"
            latest: dict[int, Any] = {}
            for row in _ballot_rows(db, round_.id):
                latest[row.membership_id] = row
            for row in latest.values():
                timed.append((row.cast_at, 2, {
                    "type": kind, "voter": member_key(row.membership_id),
                    "nominee": member_key(row.nominee_id or 0), "reason": row.reason or None}))
            continue
        consent_number += 1
        opening: dict[str, Any] = {"type": "round_open", "round": consent_number,
                                   "version": round_.version_number}
        if round_.candidate_id is not None:
            timed.append((round_.opens_at, 2, {"type": "facilitator_proposal",
                                               "candidate": member_key(round_.candidate_id)}))
            opening["candidate"] = member_key(round_.candidate_id)
        timed.append((round_.opens_at, 3, opening))
        for row in _ballot_rows(db, round_.id):
            if row.cast_at >= ends_at(round_):
                continue  # refused when cast; kept out of the log of positions
            timed.append((row.cast_at, 4, {
                "type": "position", "round": consent_number, "version": round_.version_number,
                "voter": member_key(row.membership_id), "position": row.position,
                "reason": row.reason or None}))
        for event in _event_rows(db, round_.id):
            timed.append((event.at, 5, _event_json(event, consent_number)))
    timed.sort(key=lambda item: (item[0], item[1]))
    params: dict[str, Any] = json.loads(proposal.params or "{}")
    if proposal.review_date is not None:
        params["review_date"] = proposal.review_date.isoformat()
    return {"family": proposal.family, "params": params,
            "electorate": {"members": _electors(db, upto.id)},
            "ballots": [entry for _, _, entry in timed]}


def case_json(db: Session, round_: Round, now: datetime, *,
              tally: ElectorateTally | None = None) -> dict[str, Any]:
    """The case of a round, as the engine's JSON case format; a vote counted from
    ``tally`` when given, whatever its rule (the provisional counts of an open round: the
    engine needs each ballot only to refuse a change that raced past the server)."""
    proposal = round_.proposal
    rules = descriptor(proposal.family)
    item = assembly_cases.item_of_round(db, round_.id) if rules.is_vote else None
    if item is not None:  # a general assembly's resolution: its attendance sheet and all
        data = assembly_cases.resolution_case(db, item, round_, now)
    elif rules.is_vote:
        data = _vote_case(db, proposal, round_, now, tally)
    elif rules.sociocratic:
        data = _sociocratic_case(db, proposal, round_, now)
    else:
        data = _consent_case(db, proposal, round_, now)
    data["id"] = f"{proposal.organisation.slug}/proposal-{proposal.id}/round-{round_.number}"
    return data


def round_case(db: Session, round_: Round, now: datetime, *,
               tally: ElectorateTally | None = None) -> Case:
    """The case of a round, read by the engine (raises ``CaseError`` if inconsistent)."""
    return load_case(case_json(db, round_, now, tally=tally))
