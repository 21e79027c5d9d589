"""The register of decisions: every decided proposal of an organisation with its date, rule,
outcome, figures, outcome statement and review date, filtered by circle, year and outcome;
the decisions whose review date has passed; and a proposal's whole history (versions,
rounds, results, objections and how each was resolved) for its printable page.

The register is read in a fixed number of queries whatever its length: the decided
proposals, then the figures of every deciding round at once. Figures are the engine's (a
round's stored result) or counts of electors' rows; a secret round gives its counts only.
An organisation may make its register public (``Organisation.public_register``); a public
register (``public``) names no member unless the organisation chose to
(``Organisation.public_names``): its proposers are left out.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ..families import descriptor
from ..models import (
    Ballot,
    Circle,
    Elector,
    Membership,
    Organisation,
    Proposal,
    ProposalStatus,
    ProposalVersion,
    Role,
    Round,
    RoundEvent,
    RoundKind,
    RoundStatus,
    User,
)
from .results import EventLine, RoundResults, event_lines, round_results

#: The statuses of a decided proposal (``reviewed`` comes after ``decided``).
DECIDED = (ProposalStatus.DECIDED, ProposalStatus.REVIEWED)


@dataclass(frozen=True, slots=True)
class Filters:
    """What the register shows: one circle, one year (of the decision, in the
    organisation's time zone), one outcome; ``None``: every one."""

    circle_id: int | None = None
    year: int | None = None
    outcome: str | None = None


@dataclass(frozen=True, slots=True)
class Figures:
    """The figures of the round that decided: who took part out of whom (weighted in a
    vote), the counts by position, and a vote by colleges' weighted share for."""

    round_id: int
    round_number: int
    kind: RoundKind
    responded: int
    eligible: int
    counts: Mapping[str, int]
    weighted_share: Fraction | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    """One decision of the register."""

    proposal_id: int
    title: str
    circle_id: int | None
    circle: str | None
    family: str
    outcome: str
    decided_at: datetime
    decided_on: date
    statement: str
    statement_html: str
    review_date: date | None
    review_due: bool
    proposer: str | None
    figures: Figures | None


def zone(organisation: Organisation) -> ZoneInfo:
    """The organisation's time zone (UTC when it names none that exists)."""
    try:
        return ZoneInfo(organisation.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def public_organisation(db: Session, slug: str) -> Organisation | None:
    """The organisation of ``slug`` if it made its register public
    (``Organisation.public_register``, its admins' choice; private by default), else
    ``None``."""
    return db.scalar(select(Organisation).where(Organisation.slug == slug,
                                                Organisation.public_register.is_(True)))


def today_of(organisation: Organisation, now: datetime) -> date:
    """The organisation's date at ``now``."""
    return now.astimezone(zone(organisation)).date()


def _decided(organisation: Organisation) -> Select[Proposal]:
    return select(Proposal).where(Proposal.organisation_id == organisation.id,
                                  Proposal.status.in_(DECIDED),
                                  Proposal.decided_at.is_not(None))


def entries(db: Session, organisation: Organisation, filters: Filters, now: datetime, *,
            public: bool = False) -> list[Entry]:
    """The decisions of the register that ``filters`` keep, latest first, with the figures
    of the rounds that decided them; ``public``: as the public register shows them (no
    proposer unless the organisation names members in public)."""
    query = _decided(organisation)
    if filters.circle_id is not None:
        query = query.where(Proposal.circle_id == filters.circle_id)
    if filters.outcome:
        query = query.where(Proposal.outcome == filters.outcome)
    if filters.year is not None:
        start, end = _year_bounds(organisation, filters.year)
        query = query.where(Proposal.decided_at >= start, Proposal.decided_at < end)
    proposals = list(db.scalars(query.order_by(Proposal.decided_at.desc(),
                                               Proposal.id.desc())))
    deciding = _deciding_rounds(db, [p.id for p in proposals])
    figures = _figures(db, list(deciding.values()))
    names = not public or organisation.public_names
    proposers = _names(db, [p.author_id for p in proposals]) if names else {}
    today = today_of(organisation, now)
    here = zone(organisation)
    circles = {c.id: c.name for c in organisation.circles}
    found = []
    for proposal in proposals:
        assert proposal.decided_at is not None  # noqa: S101 - selected so
        round_ = deciding.get(proposal.id)
        found.append(Entry(
            proposal_id=proposal.id, title=proposal.title, circle_id=proposal.circle_id,
            circle=circles.get(proposal.circle_id) if proposal.circle_id else None,
            family=proposal.family, outcome=proposal.outcome or "",
            decided_at=proposal.decided_at,
            decided_on=proposal.decided_at.astimezone(here).date(),
            statement=proposal.outcome_statement,
            statement_html=proposal.outcome_statement_html,
            review_date=proposal.review_date,
            review_due=proposal.review_date is not None and proposal.review_date <= today,
            proposer=proposers.get(proposal.author_id) if proposal.author_id else None,
            figures=None if round_ is None else figures.get(round_.id)))
    return found


def _year_bounds(organisation: Organisation, year: int) -> tuple[datetime, datetime]:
    """The instants (UTC) where the organisation's year begins and the next one begins (a
    year outside 2..9998 is brought within: no decision was taken then)."""
    here = zone(organisation)
    year = min(max(year, 2), 9998)
    start, end = (datetime.combine(date(y, 1, 1), time(), here).astimezone(UTC)
                  for y in (year, year + 1))
    return start, end


def years(db: Session, organisation: Organisation) -> list[int]:
    """The years (in the organisation's time zone) in which it decided something, latest
    first."""
    here = zone(organisation)
    return sorted({moment.astimezone(here).year for moment in db.scalars(
        _decided(organisation).with_only_columns(Proposal.decided_at)) if moment},
        reverse=True)


def outcomes(db: Session, organisation: Organisation) -> list[str]:
    """The outcomes the organisation's decisions had."""
    return sorted(o for o in db.scalars(_decided(organisation).with_only_columns(
        Proposal.outcome).distinct()) if o)


def circles(db: Session, organisation: Organisation) -> list[tuple[int, str]]:
    """The circles that decided something: (id, name) by name."""
    rows = db.execute(select(Circle.id, Circle.name).where(Circle.id.in_(
        _decided(organisation).with_only_columns(Proposal.circle_id)))
        .order_by(Circle.name))
    return [(int(i), name) for i, name in rows]


def reviews_due(db: Session, organisation: Organisation, now: datetime,
                ) -> list[tuple[int, int | None, date]]:
    """The decisions whose review date has come (on the organisation's date at ``now``):
    (proposal id, proposer's membership id, review date), earliest first, whether their
    proposers were told or not (``services.reviews`` tells them, once)."""
    today = today_of(organisation, now)
    rows = db.execute(_decided(organisation).with_only_columns(
        Proposal.id, Proposal.author_id, Proposal.review_date)
        .where(Proposal.review_date.is_not(None), Proposal.review_date <= today)
        .order_by(Proposal.review_date, Proposal.id))
    return [(int(i), author, day) for i, author, day in rows if day is not None]


def _deciding_rounds(db: Session, proposal_ids: Sequence[int]) -> dict[int, Round]:
    """The round that decided each proposal: its last closed round counted by the engine."""
    if not proposal_ids:
        return {}
    rounds = db.scalars(select(Round).where(
        Round.proposal_id.in_(proposal_ids), Round.status == RoundStatus.CLOSED,
        Round.result_json.is_not(None)).order_by(Round.proposal_id, Round.number))
    return {r.proposal_id: r for r in rounds}


def _figures(db: Session, rounds: Sequence[Round]) -> dict[int, Figures]:
    """The figures of closed rounds: a vote's from its stored result (the room's counts and
    vote weights in them), the others' from their electors' counted positions (one query
    for them all)."""
    people = [r.id for r in rounds if not _is_vote(r)]
    counted: dict[int, dict[str, int]] = {i: {} for i in people}
    sizes: dict[int, int] = dict.fromkeys(people, 0)
    if people:
        rows = db.execute(select(Elector.round_id, Elector.position, func.count())
                          .where(Elector.round_id.in_(people))
                          .group_by(Elector.round_id, Elector.position))
        for round_id, position, count in rows:
            sizes[round_id] += int(count)
            if position is not None:
                counted[round_id][position] = int(count)
    found = {}
    for round_ in rounds:
        if _is_vote(round_):
            result: dict[str, Any] = json.loads(round_.result_json or "{}")
            share = result.get("weighted_yes_share")
            found[round_.id] = Figures(
                round_.id, round_.number, round_.kind, int(result.get("present") or 0),
                int(result.get("eligible") or 0), dict(result.get("counts") or {}),
                None if share is None else Fraction(share))
        else:
            counts = counted[round_.id]
            found[round_.id] = Figures(round_.id, round_.number, round_.kind,
                                       sum(counts.values()), sizes[round_.id], counts)
    return found


def _is_vote(round_: Round) -> bool:
    return round_.kind is RoundKind.VOTE and descriptor(round_.proposal.family).is_vote


def _names(db: Session, membership_ids: Sequence[int | None]) -> dict[int, str]:
    wanted = {i for i in membership_ids if i is not None}
    if not wanted:
        return {}
    rows = db.execute(select(Membership.id, User.name).join(User, User.id == Membership.user_id)
                      .where(Membership.id.in_(wanted)))
    return {int(i): name for i, name in rows}


# A proposal's whole history -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ObjectionLine:
    """An objection counted at a consent round's close (or before it, later changed), and
    how it was resolved: the events recorded about it, or what became of the round."""

    objector: str | None
    reason: str
    #: "withdrawn", "valid", "invalid", "concern" (recorded), "changed" (its author took
    #: another position), "integrated" (the round asked for a new version), "standing".
    resolution: str
    events: tuple[EventLine, ...] = ()


@dataclass(frozen=True, slots=True)
class RoundRecord:
    """One round in a proposal's history, with its results as the reader may see them."""

    round: Round
    results: RoundResults | None
    objections: tuple[ObjectionLine, ...]


@dataclass(frozen=True, slots=True)
class History:
    """A proposal's whole history: its versions (with their authors' names), its rounds with
    their results and objections, and who put it forward."""

    proposal: Proposal
    versions: tuple[tuple[ProposalVersion, str | None], ...]
    rounds: tuple[RoundRecord, ...]
    proposer: str | None


def history(db: Session, proposal: Proposal, reader: Membership, now: datetime, *,
            someone: str = "a member") -> History:
    """Everything about ``proposal`` that ``reader`` may see, in order: the results of each
    round as its results page shows them to them (``someone`` names, in the reader's
    language, a member the explanations may not name), and the objections of its consent
    rounds with their resolution when the reader may see who objected (facilitators always
    see them, as on the round's page)."""
    names = _names(db, [proposal.author_id, *(v.author_id for v in proposal.versions)])
    records = []
    for round_ in proposal.rounds:
        found = (None if round_.status is RoundStatus.SCHEDULED
                 else round_results(db, round_, reader, now, someone=someone))
        named = found is not None and found.counts_visible and (
            found.voters_shown or reader.can(Role.FACILITATOR))
        records.append(RoundRecord(round_, found,
                                   tuple(objections(db, round_)) if named else ()))
    return History(proposal,
                   tuple((v, names.get(v.author_id) if v.author_id else None)
                         for v in proposal.versions),
                   tuple(records),
                   names.get(proposal.author_id) if proposal.author_id else None)


def objections(db: Session, round_: Round) -> list[ObjectionLine]:
    """Every member who objected in a consent round (at any time while it was open), by
    name, with their last reason to object and how the objection was resolved."""
    if round_.kind is not RoundKind.CONSENT:
        return []
    rows = db.execute(
        select(Ballot.membership_id, User.name, Ballot.reason, Elector.position)
        .join(Membership, Membership.id == Ballot.membership_id)
        .join(User, User.id == Membership.user_id)
        .join(Elector, (Elector.round_id == Ballot.round_id)
              & (Elector.membership_id == Ballot.membership_id))
        .where(Ballot.round_id == round_.id, Ballot.position == "object")
        .order_by(Ballot.id)).all()
    last = {int(member): (name, reason, position) for member, name, reason, position in rows}
    about: dict[int, list[EventLine]] = {}
    members = db.scalars(select(RoundEvent.membership_id).where(
        RoundEvent.round_id == round_.id).order_by(RoundEvent.id))
    for member, event in zip(members, event_lines(db, round_.id), strict=True):
        about.setdefault(int(member), []).append(event)
    lines = []
    for member, (name, reason, position) in sorted(last.items(),
                                                   key=lambda item: (item[1][0], item[0])):
        events = tuple(about.get(member, ()))
        if events:
            resolution = ("withdrawn" if events[-1].kind == "objection_withdrawn"
                          else events[-1].result or "standing")
        elif position != "object":
            resolution = "changed"
        elif round_.outcome == "needs_integration":
            resolution = "integrated"
        else:
            resolution = "standing"
        lines.append(ObjectionLine(name, reason, resolution, events))
    return lines
