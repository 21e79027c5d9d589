"""Who took which position in a round, a page at a time: each voter's counted ballot
(``Elector.ballot_id``), by name, and a search by name that neither the case of the letters
nor the wildcards of SQL fool. A round of a hundred thousand voters shows a page as fast as
one of ten: only the page's rows are read in full."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session, aliased

from .. import round_cases
from ..models import Ballot, Elector, Membership, User

#: Voters listed on one page of results.
VOTERS_PER_PAGE = 50
#: The longest search by name taken (longer ones are cut): names are shorter.
SEARCH_LENGTH = 100
#: Voters are listed by name up to this many, by membership beyond.
BY_NAME_UP_TO = 2000


@dataclass(frozen=True, slots=True)
class VoterLine:
    """One member's counted position in a round."""

    membership_id: int
    name: str
    position: str
    reason: str
    concern: str
    nominee: str | None
    cast_at: datetime


@dataclass(frozen=True, slots=True)
class VoterPage:
    """One page of who took which position: page ``number`` of those whose name contains
    ``search`` (every voter without one), ``total`` of them in all, listed by name (or,
    when they are many, in the order they joined the organisation: ``by_name`` false)."""

    lines: tuple[VoterLine, ...]
    number: int
    total: int
    search: str = ""
    size: int = VOTERS_PER_PAGE
    by_name: bool = True

    def __len__(self) -> int:
        """How many voters this page lists."""
        return len(self.lines)

    @property
    def pages(self) -> int:
        """How many pages the voters fill (one, even empty)."""
        return max(1, math.ceil(self.total / self.size))

    @property
    def first(self) -> int:
        """The rank of the first voter on this page (0 when it is empty)."""
        return (self.number - 1) * self.size + 1 if self.lines else 0

    @property
    def last(self) -> int:
        """The rank of the last voter on this page (0 when it is empty)."""
        return self.first + len(self.lines) - 1 if self.lines else 0

    @property
    def previous(self) -> int | None:
        """The number of the page before, if any."""
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        """The number of the page after, if any."""
        return self.number + 1 if self.number < self.pages else None

    def nearby(self, around: int = 2) -> list[int | None]:
        """The page numbers a pager links: the first, the last and those ``around`` this
        one, ``None`` where some are left out."""
        shown = sorted({1, self.pages, *range(max(1, self.number - around),
                                              min(self.pages, self.number + around) + 1)})
        numbers: list[int | None] = []
        for number in shown:
            if numbers and number - (numbers[-1] or 0) > 1:
                numbers.append(None)
            numbers.append(number)
        return numbers


def _name_contains(search: str) -> ColumnElement[bool]:
    """Names that contain ``search``, whatever the case, its ``%`` and ``_`` taken as
    themselves. A search of ASCII letters compares them as the database does; another
    lowers every letter (``unicode_lower``: on SQLite, a Python function per name)."""
    escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    if search.isascii():
        return User.name.ilike(f"%{escaped}%", escape="\\")
    return func.unicode_lower(User.name).like(f"%{escaped.lower()}%", escape="\\")


def voter_page(db: Session, round_id: int, page: int = 1, search: str = "",
               size: int = VOTERS_PER_PAGE, *, voters: int | None = None) -> VoterPage:
    """Page ``page`` of the voters of a round whose name contains ``search``; a page past
    the last shows the last (``voters``: how many voted, when the caller counted them).
    By name up to ``BY_NAME_UP_TO`` voters, else in the order they joined the organisation
    (sorting a hundred thousand names takes longer than the rest of the page: search
    finds a name)."""
    search = "".join(c for c in search if c.isprintable()).strip()[:SEARCH_LENGTH]
    ids = select(Elector.membership_id).where(Elector.round_id == round_id,
                                              Elector.position.is_not(None))
    named = (ids.join(Membership, Membership.id == Elector.membership_id)
             .join(User, User.id == Membership.user_id))
    if search:
        ids = named = named.where(_name_contains(search))
    if voters is None or search:
        voters = db.scalar(select(func.count()).select_from(ids.subquery())) or 0
    total = voters
    number = min(max(page, 1), max(1, math.ceil(total / size)))
    chosen, order = ((named, (User.name, Elector.membership_id)) if total <= BY_NAME_UP_TO
                     else (ids, (Elector.membership_id,)))
    shown = chosen.order_by(*order).limit(size).offset((number - 1) * size).subquery()
    rows = db.execute(_voter_rows(round_id).join(
        shown, shown.c.membership_id == Elector.membership_id).order_by(*order))
    return VoterPage(tuple(VoterLine(*row) for row in rows), number, total, search, size,
                     by_name=total <= BY_NAME_UP_TO)


def _voter_rows(round_id: int) -> Select[int, str, str, str, str, str, datetime]:
    nominee = aliased(Membership)
    nominee_user = aliased(User)
    return (round_cases.counted(
        select(Elector.membership_id, User.name, Ballot.position, Ballot.reason,
               Ballot.concern, nominee_user.name, Ballot.cast_at), round_id)
        .join(Membership, Membership.id == Elector.membership_id)
        .join(User, User.id == Membership.user_id)
        .outerjoin(nominee, nominee.id == Ballot.nominee_id)
        .outerjoin(nominee_user, nominee_user.id == nominee.user_id))
