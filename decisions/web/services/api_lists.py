"""The lists of the API, a page at a time after a cursor (the last id, number or sequence
number of the page before): members, proposals, rounds, general assemblies and the audit
log. Each page is one
query on an index, however long the list; a page lists what its reader may see, as the
pages of the application do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import Generic, TypeVar

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload

from ..models import Assembly, Membership, Proposal, ProposalStatus, Role, Round
from . import audit
from .organisations import current_members

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """Some items, and the cursor of the next page (``None``: this was the last)."""

    items: list[T]
    after: int | None


def _page(rows: list[T], limit: int, key: Callable[[T], int]) -> Page[T]:
    """The first ``limit`` of ``rows`` (``limit + 1`` were read: one more says there is a
    next page, after the ``key`` of the last one kept)."""
    return Page(rows[:limit], key(rows[limit - 1]) if len(rows) > limit else None)


def _keyset(db: Session, query: Select[T], key: InstrumentedAttribute[int],
            position: int | None, limit: int, *, descending: bool = False) -> Page[T]:
    """A page of ``query`` in the order of ``key`` (``descending``: the highest first),
    past ``position``, the key of the last item of the page before (``None``: the first
    page); one query on the key's index."""
    if position is not None:
        query = query.where(key < position if descending else key > position)
    rows = list(db.scalars(query.order_by(key.desc() if descending else key).limit(limit + 1)))
    return _page(rows, limit, attrgetter(key.key))


def members(db: Session, organisation_id: int, *, after: int | None,
            limit: int) -> Page[Membership]:
    """The organisation's current members by membership id, after ``after``."""
    query = current_members(organisation_id).options(
        selectinload(Membership.user), selectinload(Membership.college))
    return _keyset(db, query, Membership.id, after, limit)


def proposals(db: Session, reader: Membership, *, before: int | None,
              limit: int) -> Page[Proposal]:
    """The proposals of the reader's organisation that they may see (a draft: its author,
    facilitators and admins; ``policies.may_see``), newest first, before ``before``."""
    query = select(Proposal).where(Proposal.organisation_id == reader.organisation_id)
    if not reader.can(Role.FACILITATOR):
        query = query.where(or_(Proposal.status != ProposalStatus.DRAFT,
                                Proposal.author_id == reader.id))
    return _keyset(db, query, Proposal.id, before, limit, descending=True)


def rounds(db: Session, proposal: Proposal, *, after: int | None,
           limit: int) -> Page[Round]:
    """A proposal's rounds in order, after the round numbered ``after``."""
    query = select(Round).where(Round.proposal_id == proposal.id)
    return _keyset(db, query, Round.number, after, limit)


def audit_entries(db: Session, organisation_id: int, *, below: int | None,
                  limit: int) -> Page[audit.Shown]:
    """The organisation's audit entries, newest first, before the entry numbered
    ``below`` (a secret ballot's entry shows its round and count only: ``audit.latest``)."""
    rows = audit.latest(db, organisation_id, limit=limit + 1, below=below)
    return _page(rows, limit, lambda entry: entry.seq)


def assemblies(db: Session, organisation_id: int, *, before: int | None,
               limit: int) -> Page[Assembly]:
    """The organisation's general assemblies, the latest prepared first (every member sees
    them all, as on the assemblies page), before ``before``."""
    query = select(Assembly).where(Assembly.organisation_id == organisation_id)
    return _keyset(db, query, Assembly.id, before, limit, descending=True)
