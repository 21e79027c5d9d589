"""The audit log: appending to each organisation's hash-chained log, and verifying it.

Each entry's hash covers its sequence number, kind, data, actor, time and the previous
entry's hash, so that any change to the past breaks the chain where it happened. Appends to
one organisation's chain are serialised by a write on the organisation's row first (a row
lock on PostgreSQL, the write lock on SQLite), in the caller's transaction: an event and its
entry are stored together or not at all.

Ballots get a fingerprint in their entry (a hash of the stored row), so that a ballot row
changed behind the application's back is found too. Secret ballots are recorded without
member, position or fingerprint: only the round and how many ballots it holds.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from decisions.engine.results import fraction_json, time_json

from ..models import (
    AuditEntry,
    Ballot,
    Elector,
    Organisation,
    Participation,
    Proposal,
    Round,
    RoundStatus,
    SecretTally,
)

GENESIS = "0" * 64
BALLOT_KINDS = ("ballot_cast", "ballot_changed")


def sha256(text: str) -> str:
    """The SHA-256 of a text, in hexadecimal."""
    return hashlib.sha256(text.encode()).hexdigest()


def digest(previous: str, seq: int, kind: str, data: str, actor_id: int | None,
           at: datetime) -> str:
    """The hash of an entry, from its content and the previous hash."""
    return sha256(json.dumps([previous, seq, kind, data, actor_id, time_json(at)],
                             ensure_ascii=False, separators=(",", ":")))


def canonical(data: Mapping[str, Any]) -> str:
    """Data as canonical JSON text (sorted keys), so that its hash is stable."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=str)


def record(db: Session, organisation_id: int, kind: str, data: Mapping[str, Any], *,
           at: datetime, actor_id: int | None = None) -> AuditEntry:
    """Append an entry made ``at`` to the organisation's chain, in the caller's
    transaction."""
    # Serialise appends to this chain (a no-op write on a column that is no key, so that
    # rows referring to the organisation may still be inserted meanwhile on PostgreSQL).
    db.execute(update(Organisation).where(Organisation.id == organisation_id)
               .values(name=Organisation.name).execution_options(synchronize_session=False))
    last = db.execute(select(AuditEntry.seq, AuditEntry.hash)
                      .where(AuditEntry.organisation_id == organisation_id)
                      .order_by(AuditEntry.seq.desc()).limit(1)).first()
    seq, previous = (1, GENESIS) if last is None else (last.seq + 1, last.hash)
    text = canonical(data)
    entry = AuditEntry(organisation_id=organisation_id, seq=seq, kind=kind, data=text,
                       actor_id=actor_id, at=at, previous_hash=previous,
                       hash=digest(previous, seq, kind, text, actor_id, at))
    db.add(entry)
    db.flush()
    return entry


def ballot_fingerprint(ballot: Any) -> str:
    """The SHA-256 of a stored ballot row (any object with the ballot's columns)."""
    return sha256(canonical({
        "id": ballot.id, "round": ballot.round_id, "member": ballot.membership_id,
        "position": ballot.position, "reason": ballot.reason or "",
        "concern": ballot.concern or "", "nominee": ballot.nominee_id,
        "cast_at": time_json(ballot.cast_at)}))


def ballot_cast(db: Session, round_: Round, ballot_id: int | None, *,
                at: datetime) -> AuditEntry:
    """Record a ballot just stored: cast, or changed (an earlier one of the member's in the
    round); for a secret proposal (``ballot_id`` ``None``), only the round and its number of
    ballots: no member, no position."""
    proposal = round_.proposal
    if proposal.secret or ballot_id is None:
        return record(db, proposal.organisation_id, "ballot_cast",
                      {"round": round_.id, "ballots": participations(db, round_.id)}, at=at)
    ballot = db.get_one(Ballot, ballot_id)
    earlier = db.scalar(select(func.count()).select_from(Ballot).where(
        Ballot.round_id == round_.id, Ballot.membership_id == ballot.membership_id,
        Ballot.id < ballot.id)) or 0
    return record(db, proposal.organisation_id, "ballot_changed" if earlier else "ballot_cast",
                  {"round": round_.id, "ballot": ballot.id, "member": ballot.membership_id,
                   "position": ballot.position, "fingerprint": ballot_fingerprint(ballot)},
                  at=at, actor_id=ballot.membership_id)


def round_event(db: Session, round_: Round, event: str, *, at: datetime,
                actor_id: int | None = None, **data: Any) -> AuditEntry:
    """Record something that happened to a round (opened, extended, closed, cancelled,
    failed), by ``actor_id`` when a member did it."""
    return record(db, round_.proposal.organisation_id, event,
                  {"proposal": round_.proposal_id, "round": round_.id,
                   "number": round_.number, **data}, at=at, actor_id=actor_id)


def round_closed(db: Session, round_: Round, *, at: datetime,
                 actor_id: int | None = None) -> AuditEntry:
    """Record a closed round with its outcome and the hashes of its stored case and
    result (``actor_id``: the facilitator who closed it, if one did)."""
    return round_event(db, round_, "round_closed", at=at, actor_id=actor_id,
                       outcome=round_.outcome,
                       case_sha256=None if round_.case_json is None
                       else sha256(round_.case_json),
                       result_sha256=None if round_.result_json is None
                       else sha256(round_.result_json))


def proposal_event(db: Session, proposal: Proposal, kind: str, *, at: datetime,
                   actor_id: int | None = None, **data: Any) -> AuditEntry:
    """Record something that happened to a proposal (version published, outcome written)."""
    return record(db, proposal.organisation_id, kind, {"proposal": proposal.id, **data},
                  at=at, actor_id=actor_id)


def weights_json(weights: Mapping[Any, Fraction | None]) -> dict[str, str | None]:
    """College weights as exact fractions in text."""
    return {str(key): fraction_json(weight) for key, weight in weights.items()}


@dataclass(frozen=True, slots=True)
class Shown:
    """An entry as members read it."""

    seq: int
    at: datetime
    kind: str
    data: dict[str, Any]
    hash: str
    actor: int | None = None


def latest(db: Session, organisation_id: int, *, limit: int,
           below: int | None = None) -> list[Shown]:
    """The organisation's latest entries (before entry ``below`` when given), newest first;
    a ballot of a secret proposal shows its round and count only, whatever the entry
    holds, and no actor."""
    secret_rounds = set(db.scalars(select(Round.id).join(Proposal).where(
        Proposal.organisation_id == organisation_id, Proposal.secret.is_(True))))
    query = select(AuditEntry).where(AuditEntry.organisation_id == organisation_id)
    if below is not None:
        query = query.where(AuditEntry.seq < below)
    shown = []
    for entry in db.scalars(query.order_by(AuditEntry.seq.desc()).limit(limit)):
        data = json.loads(entry.data)
        actor = entry.actor_id
        if entry.kind in BALLOT_KINDS and data.get("round") in secret_rounds:
            data, actor = {"round": data.get("round"), "ballots": data.get("ballots")}, None
        shown.append(Shown(entry.seq, entry.at, entry.kind, data, entry.hash, actor))
    return shown


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong found by verification: in which organisation, at which entry
    (``seq``, 0 for none), and what."""

    organisation_id: int
    seq: int
    problem: str


#: The first broken link of a chain.
Break = Problem


def entries(db: Session, organisation_id: int) -> Iterator[AuditEntry]:
    """An organisation's entries, oldest first."""
    yield from db.scalars(select(AuditEntry).where(AuditEntry.organisation_id ==
                                                   organisation_id).order_by(AuditEntry.seq))


def verify_chain(db: Session, organisation_id: int) -> Problem | None:
    """The first broken link of one organisation's chain, or ``None`` when it holds."""
    previous, expected_seq = GENESIS, 1
    for entry in entries(db, organisation_id):
        if entry.seq != expected_seq:
            return Problem(organisation_id, entry.seq, f"entry {expected_seq} is missing")
        if entry.previous_hash != previous:
            return Problem(organisation_id, entry.seq, "does not follow the entry before it")
        if entry.hash != digest(previous, entry.seq, entry.kind, entry.data, entry.actor_id,
                                entry.at):
            return Problem(organisation_id, entry.seq, "its content was changed")
        previous, expected_seq = entry.hash, expected_seq + 1
    return None


def verify_ballots(db: Session, organisation_id: int) -> list[Problem]:
    """Every (non-secret) ballot row of the organisation that no longer matches the
    fingerprint of its audit entry, or has none; and audited ballots that are gone."""
    audited: dict[int, tuple[int, str, int, int]] = {}
    removed: set[int] = set()  # members removed: their ballots went with them
    for seq, kind, data in db.execute(select(AuditEntry.seq, AuditEntry.kind, AuditEntry.data)
                                      .where(AuditEntry.organisation_id == organisation_id,
                                             AuditEntry.kind.in_((*BALLOT_KINDS,
                                                                  "membership_removed")))
                                      .order_by(AuditEntry.seq)):
        content = json.loads(data)
        if kind == "membership_removed":
            removed.add(int(content["member"]))
        elif "fingerprint" in content:
            audited[int(content["ballot"])] = (seq, content["fingerprint"],
                                               int(content["round"]), int(content["member"]))
    problems = []
    rows = db.scalars(select(Ballot).join(Round, Round.id == Ballot.round_id)
                      .join(Proposal, Proposal.id == Round.proposal_id)
                      .where(Proposal.organisation_id == organisation_id,
                             Proposal.secret.is_(False)).order_by(Ballot.id))
    for ballot in rows:
        found = audited.pop(ballot.id, None)
        if found is None:
            problems.append(Problem(organisation_id, 0, f"round {ballot.round_id}: ballot"
                                    f" {ballot.id} has no audit entry"))
        elif found[1] != ballot_fingerprint(ballot):
            problems.append(Problem(organisation_id, found[0], f"round {ballot.round_id}:"
                                    f" ballot {ballot.id} was changed since it was cast"))
    problems += [Problem(organisation_id, seq, f"round {round_id}: ballot {ballot_id} is"
                         " gone") for ballot_id, (seq, _, round_id, member) in audited.items()
                 if member not in removed]
    return problems


def round_entries(db: Session, organisation_id: int,
                  kind: str) -> dict[int, tuple[int, dict[str, Any]]]:
    """The latest entry of ``kind`` about each round of the organisation: round id to
    (seq, data)."""
    found: dict[int, tuple[int, dict[str, Any]]] = {}
    for seq, data in db.execute(select(AuditEntry.seq, AuditEntry.data).where(
            AuditEntry.organisation_id == organisation_id, AuditEntry.kind == kind)
            .order_by(AuditEntry.seq)):
        content = json.loads(data)
        if isinstance(content, dict) and isinstance(content.get("round"), int):
            found[content["round"]] = (seq, content)
    return found


def closing_entries(db: Session, organisation_id: int) -> dict[int, tuple[int, dict[str, Any]]]:
    """The latest ``round_closed`` entry of each round of the organisation: round id to
    (seq, data)."""
    return round_entries(db, organisation_id, "round_closed")


def close_differences(round_: Round, entry: Mapping[str, Any]) -> list[str]:
    """What differs between a closed round's row and what its closing entry says of it."""
    stored = {"outcome": round_.outcome,
              "case_sha256": None if round_.case_json is None else sha256(round_.case_json),
              "result_sha256": None if round_.result_json is None
              else sha256(round_.result_json)}
    names = {"outcome": "outcome", "case_sha256": "stored case", "result_sha256":
             "stored result"}
    differences = []
    for key, value in stored.items():
        if entry.get(key) != value:
            said = entry.get(key)
            differences.append(f"the outcome is {value!r}, its closing entry says {said!r}"
                               if key == "outcome" else
                               f"the {names[key]} is not the one its closing entry hashed")
    return differences


def verify_closes(db: Session, organisation_id: int) -> list[Problem]:
    """Every closed round of the organisation whose outcome, stored case or stored result is
    not what its closing entry says (or that has no closing entry)."""
    closing = closing_entries(db, organisation_id)
    problems = []
    for round_ in db.scalars(select(Round).join(Proposal).where(
            Proposal.organisation_id == organisation_id,
            Round.status == RoundStatus.CLOSED).order_by(Round.id)):
        found = closing.get(round_.id)
        if found is None:
            problems.append(Problem(organisation_id, 0, f"round {round_.id} is closed but"
                                    " has no closing entry"))
            continue
        seq, data = found
        problems += [Problem(organisation_id, seq, f"round {round_.id}: {difference}")
                     for difference in close_differences(round_, data)]
    return problems


def participations(db: Session, round_id: int) -> int:
    """How many members took part in a secret round."""
    return db.scalar(select(func.count()).select_from(Participation)
                     .where(Participation.round_id == round_id)) or 0


@dataclass(frozen=True, slots=True)
class SecretTurnout:
    """A secret round's counters added up by college (ballots, vote weight), and its
    participations: they agree unless a counter was changed behind the application's
    back."""

    round_id: int
    by_college: dict[str, tuple[int, int]]
    took_part: int

    @property
    def counted(self) -> int:
        """The ballots the counters hold."""
        return sum(ballots for ballots, _ in self.by_college.values())


def secret_turnout(db: Session, round_id: int) -> SecretTurnout:
    """What a secret round's counters and participations count, read once. (Counts are
    summed here, not in SQL: each is stored with an offset, see ``FixedWidthCount``.)"""
    counters: dict[str, tuple[int, int]] = {}
    for college, ballots, weight in db.execute(select(
            SecretTally.college, SecretTally.ballots, SecretTally.weight)
            .where(SecretTally.round_id == round_id)):
        before, their_weight = counters.get(college, (0, 0))
        counters[college] = (before + ballots, their_weight + weight)
    return SecretTurnout(round_id, counters, participations(db, round_id))


def secret_college_differences(db: Session, turnout: SecretTurnout) -> list[str]:
    """Colleges of a secret round whose counters do not add up to its participants: their
    number and their vote weight, from the electorate snapshot (a counter's weight changed
    behind the application's back, say). Only totals per college are compared: nothing here
    links a participant to a position."""
    round_id, counters = turnout.round_id, turnout.by_college
    participants = {(college or ""): (int(count), int(weight or 0))
                    for college, count, weight in db.execute(
                        select(Elector.college, func.count(), func.sum(Elector.vote_weight))
                        .join(Participation, (Participation.round_id == Elector.round_id)
                              & (Participation.membership_id == Elector.membership_id))
                        .where(Elector.round_id == round_id).group_by(Elector.college))}
    found = []
    for college in sorted(set(counters) | set(participants)):
        ballots, weight = counters.get(college, (0, 0))
        took_part, their_weight = participants.get(college, (0, 0))
        if (ballots, weight) != (took_part, their_weight):
            found.append(f"round {round_id}: college {college or '(none)'!r}: the secret"
                         f" counters hold {ballots} ballots of weight {weight}, its"
                         f" participants are {took_part} of weight {their_weight}")
    return found


def verify_secret_rounds(db: Session, organisation_id: int) -> list[Problem]:
    """Every secret round of the organisation whose counters, participations and audit log
    do not count the same number of ballots (a ballot slipped into the counters, say), or
    whose counters per college do not add up to its participants' number and weight."""
    audited = round_entries(db, organisation_id, "ballot_cast")
    problems = []
    for round_id in db.scalars(select(Round.id).join(Proposal).where(
            Proposal.organisation_id == organisation_id, Proposal.secret.is_(True))
            .order_by(Round.id)):
        turnout = secret_turnout(db, round_id)
        seq, entry = audited.get(round_id, (0, {}))
        logged = entry.get("ballots", 0)
        if not turnout.counted == turnout.took_part == logged:
            problems.append(Problem(organisation_id, seq, f"round {round_id}: the secret"
                                    f" counters hold {turnout.counted} ballots for"
                                    f" {turnout.took_part} participations, the audit log"
                                    f" counts {logged}"))
        problems += [Problem(organisation_id, seq, found)
                     for found in secret_college_differences(db, turnout)]
    return problems


def verify(db: Session) -> tuple[int, int, list[Problem]]:
    """Verify every organisation's chain, ballots and closed rounds: (organisations,
    entries, problems)."""
    problems: list[Problem] = []
    organisation_ids = list(db.scalars(select(Organisation.id).order_by(Organisation.id)))
    for organisation_id in organisation_ids:
        broken = verify_chain(db, organisation_id)
        if broken is not None:
            problems.append(broken)
        problems += verify_ballots(db, organisation_id)
        problems += verify_closes(db, organisation_id)
        problems += verify_secret_rounds(db, organisation_id)
    count = db.scalar(select(func.count()).select_from(AuditEntry)) or 0
    return len(organisation_ids), count, problems
