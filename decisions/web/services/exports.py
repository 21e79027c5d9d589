"""Results taken away as CSV: a round's results, and the rows of the register of decisions
(``services.register``) that its page lists.

A round's CSV has one row per voter (their counted position, reason, concern, nominee and
when they cast it) when the proposal shows its reader who took which position; otherwise one
row per college and position with the count, which is all a secret round ever gives: no
name, no time, no order of ballots, and nothing at all until a secret round is closed (live
counters read minute by minute could tell whose ballot moved them). Counts hidden until the
close are not exported before it either.

Columns are named in stable English words and positions in the engine's words ("yes",
"object"), so that programs read them in any language; a cell that a spreadsheet would take
for a formula (``=``, ``+``, ``-``, ``@`` first) is written with a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from .. import round_cases
from ..families import descriptor
from ..models import (
    Ballot,
    Elector,
    Membership,
    Round,
    RoundKind,
    RoundStatus,
    User,
)
from . import ServiceError
from .messages import N_
from .results import (
    POSITION_KINDS,
    RoundResults,
    counts_visible,
    round_results,
    voters_visible,
)

#: The columns of a round's CSV, per voter and per college.
VOTER_COLUMNS = ("member", "college", "vote_weight", "position", "nominee", "reason",
                 "concern", "cast_at")
COUNT_COLUMNS = ("college", "position", "count")
#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ExportRefused(ServiceError):
    """A round whose results cannot be exported to this reader now."""


def cell(value: object) -> str:
    """A value as a CSV cell that no spreadsheet runs as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def to_csv(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Rows as CSV text (RFC 4180, CRLF), headed by ``columns``, preceded by a UTF-8 byte
    order mark so that spreadsheets read accents right."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows([cell(value) for value in row] for row in rows)
    return out.getvalue()


def refusal(round_: Round) -> ExportRefused | None:
    """Why a round's results cannot be taken away now, if they cannot."""
    proposal = round_.proposal
    if round_.kind not in POSITION_KINDS or round_.status in (RoundStatus.CANCELLED,
                                                              RoundStatus.FAILED):
        return ExportRefused("export.no_positions",
                             N_("This round has no positions to export."))
    if not counts_visible(proposal, round_):
        return ExportRefused("export.hidden", N_("The counts are shown when the round closes."))
    if proposal.secret and round_.status is not RoundStatus.CLOSED:
        return ExportRefused("export.secret_open",
                             N_("The counts of a secret ballot are exported once the round "
                                "is closed."))
    return None


def exportable(round_: Round) -> bool:
    """Whether a round's results can be taken away now (by any member who may read them)."""
    return refusal(round_) is None


def round_csv(db: Session, round_: Round, reader: Membership, now: datetime) -> str:
    """A round's results as ``reader`` may take them away (see the module's docstring);
    ``ExportRefused`` when there is nothing they may take yet."""
    proposal = round_.proposal
    refused = refusal(round_)
    if refused is not None:
        raise refused
    if not proposal.secret and voters_visible(proposal, round_, reader):
        return to_csv(VOTER_COLUMNS, voter_rows(db, round_.id))
    if round_.kind is RoundKind.VOTE and descriptor(proposal.family).is_vote:
        return to_csv(COUNT_COLUMNS, vote_counts(round_results(db, round_, reader, now)))
    return to_csv(COUNT_COLUMNS, college_counts(db, round_.id))


def vote_counts(results: RoundResults) -> list[tuple[str, str, int]]:
    """A vote's counts by college and position as the engine counted them (its stored
    result once closed, its count of the tally so far while open), the room's included."""
    if results.colleges:
        return [(line.name, position, count) for line in results.colleges
                for position, count in line.counts.items()]
    return [("", position, count) for position, count in (results.counts or {}).items()]


def voter_rows(db: Session, round_id: int) -> list[tuple[object, ...]]:
    """Every voter of a round with their counted ballot, by name."""
    nominee, nominee_user = aliased(Membership), aliased(User)
    rows = db.execute(round_cases.counted(
        select(User.name, Elector.college, Elector.vote_weight, Ballot.position,
               nominee_user.name, Ballot.reason, Ballot.concern, Ballot.cast_at), round_id)
        .join(Membership, Membership.id == Elector.membership_id)
        .join(User, User.id == Membership.user_id)
        .outerjoin(nominee, nominee.id == Ballot.nominee_id)
        .outerjoin(nominee_user, nominee_user.id == nominee.user_id)
        .order_by(User.name, Elector.membership_id))
    return [(name, college or "", weight, position, nominee_name or "", reason, concern,
             _instant(cast_at))
            for name, college, weight, position, nominee_name, reason, concern, cast_at
            in rows]


def college_counts(db: Session, round_id: int) -> list[tuple[str, str, int]]:
    """People by counted position and college (``""`` without one) in a round that is not
    a vote."""
    rows = db.execute(select(Elector.college, Elector.position, func.count())
                      .where(Elector.round_id == round_id, Elector.position.is_not(None))
                      .group_by(Elector.college, Elector.position)
                      .order_by(Elector.college, Elector.position))
    return [(college or "", position or "", int(count)) for college, position, count in rows]


def _instant(moment: datetime | None) -> str:
    """An instant in UTC, ISO 8601, to the second."""
    return "" if moment is None else moment.replace(microsecond=0).isoformat()
