"""Signed checkpoints of the audit chains, kept outside the database.

A hash chain only shows changes to its past as long as someone remembers its head: whoever
can write to the database can otherwise delete the newest entries, or rewrite one and
re-hash every later entry, and the chain still holds. So at every close the head of the
organisation's chain (its length and last hash) is appended, signed with an Ed25519 key that
is not in the database, to ``<folder>/checkpoints/<organisation id>.jsonl``; the public key
is kept beside it (``audit_key.pub``) and shown to members. ``decisions audit verify``
checks the chain against every checkpoint, and against a head a member kept (``--head``).

Checkpoints are written after the close commits, so a rolled-back close publishes nothing.
Two closes at once may append their lines out of order: each line is checked on its own,
and the longest one is the latest head. This module does not import Flask: callers pass the
folder (the instance folder by default, ``config.audit_folder``).
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from decisions.engine.results import time_json

from ..models import AuditEntry, Organisation, Proposal, Round, RoundStatus
from .audit import GENESIS, Problem, canonical, closing_entries

KEY_FILE = "audit_key"
PUBLIC_KEY_FILE = "audit_key.pub"
FOLDER = "checkpoints"


@dataclass(frozen=True, slots=True)
class Head:
    """The head of a chain: how many entries it holds and the hash of the last one."""

    length: int
    hash: str

    def __str__(self) -> str:
        return f"{self.length}:{self.hash}"

    @classmethod
    def parse(cls, text: str) -> Head:
        """``LENGTH:HASH`` as printed on the audit page; ``ValueError`` when it is not."""
        length, _, hash_ = text.strip().partition(":")
        hash_ = hash_.strip().lower()
        if not length.strip().isdigit() or len(hash_) != 64 or any(
                c not in "0123456789abcdef" for c in hash_):
            raise ValueError(f"not LENGTH:HASH (a number and 64 hexadecimal digits): {text!r}")
        return cls(int(length), hash_)


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """One published head, as read back: ``signed`` is whether its signature holds."""

    organisation_id: int
    slug: str
    head: Head
    at: str
    signed: bool


def head(db: Session, organisation_id: int) -> Head:
    """The current head of an organisation's chain (length 0 and the genesis hash when
    empty)."""
    last = db.execute(select(AuditEntry.seq, AuditEntry.hash)
                      .where(AuditEntry.organisation_id == organisation_id,
                             AuditEntry.seq.is_not(None))
                      .order_by(AuditEntry.seq.desc()).limit(1)).first()
    return Head(0, GENESIS) if last is None else Head(last.seq, last.hash)


def _create_private(path: Path) -> None:
    """Write a new key, readable by its owner only; a key another process wrote first
    wins (the file is linked into place, never overwritten)."""
    key = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(key)
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()


def private_key(folder: Path) -> Ed25519PrivateKey:
    """The signing key in ``folder``, generated on first use (mode 0600), with its public
    key written beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / KEY_FILE
    if not path.exists():
        _create_private(path)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key")
    public = folder / PUBLIC_KEY_FILE
    if not public.exists():
        public.write_text(_public_text(key.public_key()) + "\n")
    return key


def _public_text(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def public_key_text(folder: Path) -> str | None:
    """The public key members check checkpoints with (base64 of its 32 bytes), if any."""
    path = folder / PUBLIC_KEY_FILE
    return path.read_text().strip() if path.exists() else None


def _public_key(folder: Path) -> Ed25519PublicKey | None:
    text = public_key_text(folder)
    if text is None:
        return None
    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(text))
    except ValueError:
        return None


def path_of(folder: Path, organisation_id: int) -> Path:
    """Where an organisation's checkpoints are appended."""
    return folder / FOLDER / f"{organisation_id}.jsonl"


def publish(db: Session, folder: Path, organisation_ids: Iterable[int],
            at: datetime) -> list[Checkpoint]:
    """Append a signed checkpoint of each organisation's current head (call it after the
    transaction that closed rounds has committed)."""
    key = private_key(folder)
    written = []
    for organisation_id in sorted(set(organisation_ids)):
        slug = db.scalar(select(Organisation.slug).where(Organisation.id == organisation_id))
        current = head(db, organisation_id)
        stamp = time_json(at)
        body = {"organisation": organisation_id, "slug": slug or "", "length": current.length,
                "hash": current.hash, "at": stamp}
        signature = base64.b64encode(key.sign(canonical(body).encode())).decode()
        path = path_of(folder, organisation_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as file:  # one write: appends stay whole
            file.write(json.dumps({**body, "signature": signature}) + "\n")
        written.append(Checkpoint(organisation_id, slug or "", current, stamp, True))
    return written


def publish_rounds(db: Session, folder: Path, round_ids: Iterable[int],
                   at: datetime) -> list[Checkpoint]:
    """Publish the heads of the organisations of rounds just closed (none: nothing)."""
    ids = list(round_ids)
    if not ids:
        return []
    organisations = db.scalars(select(Proposal.organisation_id).join(Round)
                               .where(Round.id.in_(ids)).distinct())
    return publish(db, folder, organisations, at)


def _read_line(line: str, key: Ed25519PublicKey | None) -> Checkpoint | None:
    try:
        content = json.loads(line)
        signature = base64.b64decode(content.pop("signature"))
        found = Checkpoint(int(content["organisation"]), str(content["slug"]),
                           Head(int(content["length"]), str(content["hash"])),
                           str(content["at"]), False)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    if key is not None:
        try:
            key.verify(signature, canonical(content).encode())
        except InvalidSignature:
            return found
        return Checkpoint(found.organisation_id, found.slug, found.head, found.at, True)
    return found


def read(folder: Path, organisation_id: int) -> list[Checkpoint | None]:
    """An organisation's checkpoints in the order written (``None`` for an unreadable line),
    each with whether its signature holds under the public key in ``folder``."""
    path = path_of(folder, organisation_id)
    if not path.exists():
        return []
    key = _public_key(folder)
    return [_read_line(line, key) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def latest(folder: Path, organisation_id: int) -> Checkpoint | None:
    """The longest validly signed checkpoint of an organisation, if any."""
    signed = [c for c in read(folder, organisation_id) if c is not None and c.signed]
    return max(signed, key=lambda c: c.head.length, default=None)


def covering(folder: Path, organisation_id: int, length: int) -> Checkpoint | None:
    """The first validly signed checkpoint whose chain holds ``length`` entries or more:
    the head published when (or soon after) the entry at ``length`` was written."""
    signed = [c for c in read(folder, organisation_id)
              if c is not None and c.signed and c.head.length >= length]
    return min(signed, key=lambda c: c.head.length, default=None)


def round_head(db: Session, folder: Path, round_: Round) -> tuple[Head | None, bool]:
    """The audit chain's head to show with a closed round's outcome (the outcome notice,
    until notices are sent): the checkpoint published at its close (``True``), else the
    current head (``False``); ``None`` while the round is not closed."""
    if round_.status is not RoundStatus.CLOSED:
        return None, False
    organisation_id = round_.proposal.organisation_id
    closing = closing_entries(db, organisation_id).get(round_.id)
    if closing is not None:
        found = covering(folder, organisation_id, closing[0])
        if found is not None:
            return found.head, True
    return head(db, organisation_id), False


def check_head(db: Session, organisation_id: int, expected: Head, source: str) -> list[Problem]:
    """Whether the chain still has the head ``expected`` at its length: shorter means newest
    entries were deleted, another hash means entries up to there were rewritten."""
    current = head(db, organisation_id)
    if current.length < expected.length:
        return [Problem(organisation_id, 0, f"the chain has {current.length} entries but"
                        f" {source} says {expected.length}: its newest entries were deleted")]
    found: str | None = GENESIS
    if expected.length:
        found = db.scalar(select(AuditEntry.hash).where(
            AuditEntry.organisation_id == organisation_id, AuditEntry.seq == expected.length))
    if found != expected.hash:
        return [Problem(organisation_id, expected.length, f"its hash differs from {source}:"
                        " entries up to it were rewritten")]
    return []


def verify(db: Session, folder: Path, heads: Mapping[int, Head] | None = None,
           ) -> list[Problem]:
    """Check every organisation's chain against its checkpoints (each of them: two closes at
    once may write out of order) and against the heads given (members' copies)."""
    problems: list[Problem] = []
    key_missing = _public_key(folder) is None
    for organisation_id in db.scalars(select(Organisation.id).order_by(Organisation.id)):
        published = read(folder, organisation_id)
        if published and key_missing:
            problems.append(Problem(organisation_id, 0, f"no public key in {folder} to check"
                                    " its checkpoints with"))
            continue
        for number, checkpoint in enumerate(published, start=1):
            where = f"checkpoint {number} of {path_of(folder, organisation_id)}"
            if checkpoint is None or checkpoint.organisation_id != organisation_id:
                problems.append(Problem(organisation_id, 0, f"{where} cannot be read"))
            elif not checkpoint.signed:
                problems.append(Problem(organisation_id, 0, f"{where} has a bad signature"))
            else:
                problems += check_head(db, organisation_id, checkpoint.head,
                                       f"{where} ({checkpoint.at})")
        if heads and organisation_id in heads:
            problems += check_head(db, organisation_id, heads[organisation_id],
                                   "the head given")
    return problems
