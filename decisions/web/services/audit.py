"""The audit log: appending to each organisation's hash-chained log, and verifying it.

Each entry's hash covers its sequence number, kind, data, actor, time and the previous
entry's hash, so that any change to the past breaks the chain where it happened.

Entries are written in the transaction of the event they record (an event and its entry are
stored together or not at all) and chained ("sealed": numbered and hashed) in one of two
ways (docs/architecture.md, "The audit chain"):

- events of the organisation's life (a round opened or closed, a member changed...) wait for
  the chain's lock, a row lock on the organisation (``FOR NO KEY UPDATE`` on PostgreSQL, so
  that rows referring to the organisation may still be inserted meanwhile), seal what is
  pending before them, and are sealed at once: a close's entry follows every ballot
  committed before it, and the head published after the close holds it.
- ballots take no shared lock: on PostgreSQL their entry is written pending (no number, no
  hash) and sealed after the commit (``seal_after_commit``: by the process's sealing thread,
  or by the request itself, as ``AUDIT_SEALING`` says), in order of id, by whichever holds
  the chain's lock then; one that finds it held leaves the entries to the holder, which
  looks again after its own commit. The scheduler seals what may be left (a process that
  died between its commit and its seal) at each tick: nothing acknowledged stays unsealed
  longer than ``SEAL_DELAY``, and ``verify`` reports an entry that did. On SQLite a
  transaction that writes holds the database's only write lock from its start (``transactions``), so
  ballots are sealed at once there too, at no extra cost.

Ballots get a fingerprint in their entry (a hash of the stored row), so that a ballot row
changed behind the application's back is found too. Secret ballots are recorded without
member, position or fingerprint: only the round and how many ballots it held when this one
was stored.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    bindparam,
    event,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)
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
from ..transactions import AUDIT_SEALING

GENESIS = "0" * 64
BALLOT_KINDS = ("ballot_cast", "ballot_changed")
#: The entry that replaced a former member's reasons by a mark (services.personal_data): it
#: holds the new fingerprints of their ballots and the new hashes of the stored cases it
#: rewrote, which supersede those of the entries before it.
WRITINGS_REMOVED = "writings_removed"
#: How long an acknowledged entry may stay pending at most, given a running scheduler (two
#: seconds between its ticks): ``verify`` reports an entry pending for longer.
SEAL_DELAY = timedelta(seconds=10)
#: How many times a request that sealed looks again for entries left to it (then the
#: scheduler's next tick seals them).
SEAL_PASSES = 8
#: ``Session.info`` key: the organisations whose chains have entries pending in the session's
#: transaction, sealed after its commit.
PENDING = "decisions.audit.pending"

logger = logging.getLogger(__name__)


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
    """Append an entry made ``at`` to the organisation's chain, sealed at once, in the
    caller's transaction: it waits for the chain's lock and seals first what is pending."""
    # A no-op write on a column that is no key: a row lock on PostgreSQL (rows referring
    # to the organisation may still be inserted meanwhile), the write lock on SQLite.
    db.execute(update(Organisation).where(Organisation.id == organisation_id)
               .values(name=Organisation.name).execution_options(synchronize_session=False))
    seq, previous = seal(db, organisation_id)
    text = canonical(data)
    entry = AuditEntry(organisation_id=organisation_id, seq=seq + 1, kind=kind, data=text,
                       actor_id=actor_id, at=at, previous_hash=previous,
                       hash=digest(previous, seq + 1, kind, text, actor_id, at))
    db.add(entry)
    db.flush()
    if db.get_bind().dialect.name != "sqlite":  # ballots committed while this held the lock
        db.info.setdefault(PENDING, set()).add(organisation_id)  # left theirs to it
    return entry


def record_pending(db: Session, organisation_id: int, kind: str, data: Mapping[str, Any], *,
                   at: datetime, actor_id: int | None = None) -> None:
    """Write an entry made ``at`` in the caller's transaction without waiting for the chain:
    sealed after the commit (``seal_after_commit``). On SQLite, where the caller's
    transaction holds the write lock already (it wrote the ballot), it is sealed at once."""
    text = canonical(data)
    values = {"e_organisation": organisation_id, "e_kind": kind, "e_data": text,
              "e_actor": actor_id, "e_at": at, "e_seq": None, "e_previous": None,
              "e_hash": None}
    connection = db.connection()  # Core statements: no ORM row is read or written
    if connection.dialect.name == "sqlite":
        seq, previous = seal(connection, organisation_id)  # the head: nothing is pending
        values.update(e_seq=seq + 1, e_previous=previous,
                      e_hash=digest(previous, seq + 1, kind, text, actor_id, at))
    else:
        db.info.setdefault(PENDING, set()).add(organisation_id)
    connection.execute(_INSERT_ENTRY, values)


#: An entry written by Core, built once, as ballots write them.
_ENTRY = AuditEntry.__table__
_INSERT_ENTRY = insert(_ENTRY).values(
    organisation_id=bindparam("e_organisation"), kind=bindparam("e_kind"),
    data=bindparam("e_data"), actor_id=bindparam("e_actor"), at=bindparam("e_at"),
    seq=bindparam("e_seq"), previous_hash=bindparam("e_previous"), hash=bindparam("e_hash"))


def seal(db: Session | Connection, organisation_id: int) -> tuple[int, str]:
    """Chain the organisation's pending entries after its head, in order of id, in the
    caller's transaction (which holds the chain's lock); the new head (length, hash)."""
    rows = db.execute(_HEAD_AND_PENDING, {"s_organisation": organisation_id}).all()
    seq, previous = (rows[0].seq, rows[0].hash) if rows and rows[0].seq else (0, GENESIS)
    sealed = []
    for row in rows:
        if row.seq is not None:
            continue
        seq += 1
        entry_hash = digest(previous, seq, row.kind, row.data, row.actor_id, row.at)
        sealed.append({"s_id": row.id, "s_seq": seq, "s_previous": previous,
                       "s_hash": entry_hash})
        previous = entry_hash
    if sealed:
        db.execute(_SEAL_ENTRY, sealed)
    return seq, previous


def seal_after_commit(bind: Engine | Connection, organisation_id: int) -> None:
    """Seal an organisation's pending entries in transactions of their own, unless another
    request holds the chain's lock: that one looks again after its commit, and so sees every
    entry committed while it held the lock (their writers committed before finding it
    held). ``bind``: the engine, or a connection already in a transaction (a test's)."""
    values = {"s_organisation": organisation_id}
    for _ in range(SEAL_PASSES):
        with _connection(bind) as connection:
            with (connection.begin_nested() if connection.in_transaction()
                  else connection.begin()):
                if connection.execute(_LOCK_IF_FREE, values).first() is None:
                    return
                seal(connection, organisation_id)
            # In a transaction of its own, committed: a rollback would make psycopg forget
            # the statements it prepared (db.end_reading).
            with (connection.begin_nested() if connection.in_transaction()
                  else connection.begin()):
                if not connection.execute(_ANY_PENDING, values).scalar():
                    return


@contextmanager
def _connection(bind: Engine | Connection) -> Iterator[Connection]:
    if isinstance(bind, Connection):
        yield bind
    else:
        with bind.connect() as connection:
            yield connection


def seal_everything(bind: Engine) -> None:
    """Seal every organisation's pending entries (the scheduler's tick: entries whose
    request died between its commit and its seal)."""
    with bind.connect() as connection:
        waiting = connection.scalars(select(AuditEntry.organisation_id).where(
            AuditEntry.seq.is_(None)).distinct()).all()
    for organisation_id in waiting:
        seal_after_commit(bind, organisation_id)


# The statements of sealing, built once: it follows every ballot on PostgreSQL.
#: The chain's lock unless another transaction holds it (then no row): the lock ``record``
#: takes (its UPDATE takes FOR NO KEY UPDATE on PostgreSQL). Not used on SQLite.
_LOCK_IF_FREE = (select(Organisation.id).where(Organisation.id == bindparam("s_organisation"))
                 .with_for_update(key_share=True, skip_locked=True))
_HEAD_AND_PENDING = (
    select(_ENTRY.c.id, _ENTRY.c.seq, _ENTRY.c.hash, _ENTRY.c.kind, _ENTRY.c.data,
           _ENTRY.c.actor_id, _ENTRY.c.at)
    .where(_ENTRY.c.organisation_id == bindparam("s_organisation"),
           or_(_ENTRY.c.seq.is_(None), _ENTRY.c.seq == (
               select(func.max(_ENTRY.c.seq))
               .where(_ENTRY.c.organisation_id == bindparam("s_organisation"))
               .scalar_subquery())))
    .order_by(_ENTRY.c.seq.is_not(None).desc(), _ENTRY.c.id))
_SEAL_ENTRY = (update(_ENTRY).where(_ENTRY.c.id == bindparam("s_id"), _ENTRY.c.seq.is_(None))
               .values(seq=bindparam("s_seq"), previous_hash=bindparam("s_previous"),
                       hash=bindparam("s_hash")))
_ANY_PENDING = select(exists().where(_ENTRY.c.organisation_id == bindparam("s_organisation"),
                                     _ENTRY.c.seq.is_(None)))


@event.listens_for(Session, "after_commit")
def _seal_committed(db: Session) -> None:
    """After a commit that wrote pending entries, seal them on another connection (this
    session cannot run SQL inside its own commit): at once, or by the process's sealing
    thread when the session says so (``transactions.AUDIT_SEALING``)."""
    if db.get_nested_transaction() is not None:  # a savepoint: the transaction goes on
        return
    waiting: set[int] = db.info.pop(PENDING, set())
    if not waiting:
        return
    bind = db.get_bind()
    if isinstance(bind, Engine) and db.info.get(AUDIT_SEALING) == "background":
        _SEALER.submit(bind, waiting)
        return
    for organisation_id in sorted(waiting):
        _seal_or_log(bind, organisation_id)


def _seal_or_log(bind: Engine | Connection, organisation_id: int) -> None:
    try:
        seal_after_commit(bind, organisation_id)
    except Exception:  # the ballot is committed: the scheduler seals its entry later
        logger.exception("Audit entries of organisation %d left to the scheduler",
                         organisation_id)


class Sealer:
    """The sealing thread of a process: requests hand it the organisations whose entries
    they committed pending and answer at once; it seals them in batches, which is cheaper
    than a transaction per ballot. Started on first use in each process (a fork, as
    gunicorn's workers are, starts its own)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: dict[Engine, set[int]] = {}
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._busy = False

    def submit(self, bind: Engine, organisation_ids: Iterable[int]) -> None:
        """Seal these organisations' pending entries soon."""
        with self._lock:
            self._waiting.setdefault(bind, set()).update(organisation_ids)
            if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._run, name="audit-sealer",
                                                daemon=True)
                self._thread.start()
        self._wake.set()

    def idle(self, timeout: float = 5.0) -> bool:
        """Wait until nothing is left to seal (tests, benchmarks); whether it is so."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if not self._waiting and not self._busy:
                    return True
            time.sleep(0.005)
        return False

    def _run(self) -> None:
        while True:
            self._wake.wait()
            with self._lock:
                self._wake.clear()
                work, self._waiting = self._waiting, {}
                self._busy = bool(work)
            for bind, organisation_ids in work.items():
                for organisation_id in sorted(organisation_ids):
                    _seal_or_log(bind, organisation_id)
            with self._lock:
                self._busy = False


_SEALER = Sealer()


def sealer() -> Sealer:
    """This process's sealing thread."""
    return _SEALER


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(db: Session) -> None:
    if db.get_nested_transaction() is None:
        db.info.pop(PENDING, None)


def ballot_fingerprint(ballot: Any) -> str:
    """The SHA-256 of a stored ballot row (any object with the ballot's columns); the
    proxy holder who cast it is in it only when there is one, so that every other ballot's
    fingerprint stays what it was."""
    content = {
        "id": ballot.id, "round": ballot.round_id, "member": ballot.membership_id,
        "position": ballot.position, "reason": ballot.reason or "",
        "concern": ballot.concern or "", "nominee": ballot.nominee_id,
        "cast_at": time_json(ballot.cast_at)}
    if getattr(ballot, "cast_by_id", None) is not None:
        content["cast_by"] = ballot.cast_by_id
    return sha256(canonical(content))


def ballot_cast(db: Session, organisation_id: int, round_id: int, ballot: Ballot | None, *,
                changed: bool, at: datetime) -> None:
    """Record a ballot just stored in a round of the organisation (``ballot``, not
    necessarily loaded in the session): cast, or ``changed`` (the member had one in the
    round already); for a secret proposal (``ballot`` ``None``), only the round and its
    number of ballots: no member, no position. Sealed after the commit
    (``record_pending``)."""
    if ballot is None:
        record_pending(db, organisation_id, "ballot_cast",
                       {"round": round_id, "ballots": participations(db, round_id)}, at=at)
        return
    data = {"round": round_id, "ballot": ballot.id, "member": ballot.membership_id,
            "position": ballot.position, "fingerprint": ballot_fingerprint(ballot)}
    if ballot.cast_by_id is not None:  # a proxy holder cast it: they are the actor
        data["cast_by"] = ballot.cast_by_id
    record_pending(db, organisation_id, "ballot_changed" if changed else "ballot_cast",
                   data, at=at, actor_id=ballot.cast_by_id or ballot.membership_id)


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
    query = select(AuditEntry).where(AuditEntry.organisation_id == organisation_id,
                                     AuditEntry.seq.is_not(None))
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
    """An organisation's sealed entries, oldest first."""
    yield from db.scalars(select(AuditEntry).where(AuditEntry.organisation_id == organisation_id,
                                                   AuditEntry.seq.is_not(None))
                          .order_by(AuditEntry.seq))


def verify_pending(db: Session, organisation_id: int, now: datetime) -> list[Problem]:
    """Entries of the organisation still unsealed ``SEAL_DELAY`` after they were made."""
    late = db.execute(select(AuditEntry.id, AuditEntry.kind, AuditEntry.at).where(
        AuditEntry.organisation_id == organisation_id, AuditEntry.seq.is_(None),
        AuditEntry.at < now - SEAL_DELAY).order_by(AuditEntry.id)).all()
    return [Problem(organisation_id, 0, f"the {kind} entry {entry_id} made at {time_json(at)}"
                    f" is still not chained") for entry_id, kind, at in late]


def verify_chain(db: Session, organisation_id: int) -> Problem | None:
    """The first broken link of one organisation's sealed chain, or ``None`` when it
    holds."""
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
                                                                  "membership_removed",
                                                                  WRITINGS_REMOVED)))
                                      .order_by(AuditEntry.seq)):
        content = json.loads(data)
        if kind == "membership_removed":
            removed.add(int(content["member"]))
        elif kind == WRITINGS_REMOVED:
            for ballot_id, fingerprint in content.get("fingerprints", {}).items():
                if int(ballot_id) in audited:  # the ballot, its reason removed since
                    _, _, round_id, member = audited[int(ballot_id)]
                    audited[int(ballot_id)] = (seq, fingerprint, round_id, member)
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
    (seq, data); its ``case_sha256`` the one of a later ``writings_removed`` entry that
    rewrote the stored case, if any."""
    found = round_entries(db, organisation_id, "round_closed")
    for seq, data in db.execute(select(AuditEntry.seq, AuditEntry.data).where(
            AuditEntry.organisation_id == organisation_id,
            AuditEntry.kind == WRITINGS_REMOVED, AuditEntry.seq.is_not(None))
            .order_by(AuditEntry.seq)):
        for round_id, case_hash in json.loads(data).get("cases", {}).items():
            closing = found.get(int(round_id))
            if closing is not None and closing[0] < seq:
                found[int(round_id)] = (closing[0], {**closing[1], "case_sha256": case_hash})
    return found


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
    logged_ballots = Counter(
        json.loads(data).get("round") for data in db.scalars(select(AuditEntry.data).where(
            AuditEntry.organisation_id == organisation_id, AuditEntry.kind == "ballot_cast")))
    problems = []
    for round_id in db.scalars(select(Round.id).join(Proposal).where(
            Proposal.organisation_id == organisation_id, Proposal.secret.is_(True))
            .order_by(Round.id)):
        turnout = secret_turnout(db, round_id)
        seq, _ = audited.get(round_id, (0, {}))
        logged = logged_ballots[round_id]
        if not turnout.counted == turnout.took_part == logged:
            problems.append(Problem(organisation_id, seq, f"round {round_id}: the secret"
                                    f" counters hold {turnout.counted} ballots for"
                                    f" {turnout.took_part} participations, the audit log"
                                    f" counts {logged}"))
        problems += [Problem(organisation_id, seq, found)
                     for found in secret_college_differences(db, turnout)]
    return problems


def verify(db: Session, now: datetime) -> tuple[int, int, list[Problem]]:
    """Verify every organisation's chain, ballots and closed rounds, and that no entry has
    waited longer than ``SEAL_DELAY`` to be chained at ``now``: (organisations, entries,
    problems)."""
    problems: list[Problem] = []
    organisation_ids = list(db.scalars(select(Organisation.id).order_by(Organisation.id)))
    for organisation_id in organisation_ids:
        broken = verify_chain(db, organisation_id)
        if broken is not None:
            problems.append(broken)
        problems += verify_pending(db, organisation_id, now)
        problems += verify_ballots(db, organisation_id)
        problems += verify_closes(db, organisation_id)
        problems += verify_secret_rounds(db, organisation_id)
    count = db.scalar(select(func.count()).select_from(AuditEntry)) or 0
    return len(organisation_ids), count, problems
