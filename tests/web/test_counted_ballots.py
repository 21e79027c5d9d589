"""A vote is counted on each elector's ballot as the ballots say (``round_cases.
electorate_tally``): the ballot an elector's row keeps for reading (``Elector.ballot_id``
and ``position``) is checked against their ballots in the statement that counts, and where
a row was changed behind the application's back, the ballots decide, on SQLite and on
PostgreSQL (each has its own statement)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from decisions.web import round_cases
from decisions.web.families import TALLY_POSITIONS
from decisions.web.models import Ballot, Elector, Round, RoundKind
from decisions.web.services import rounds

from .conftest import Clock, unit
from .round_steps import Coop, open_round, proposal_of, vote
from .round_steps import coop_once as coop_once

#: The ballots of the round, in order: members 0 and 2 change their vote.
BALLOTS = [(0, "no"), (1, "yes"), (0, "yes"), (2, "no"), (2, "abstain"), (3, "no")]
WARNING = "counted from the ballots"


@pytest.fixture
def app(rolled_back_app: Flask) -> Flask:
    return rolled_back_app


def _voted(app: Flask, coop: Coop, clock: Clock,
           params: dict[str, Any] | None = None) -> int:
    """A majority vote where ``BALLOTS`` were cast, a minute apart: its id."""
    organisation, members = coop
    proposal = proposal_of(app, organisation, members[0], "majority",
                           params or {"preset": "association_default"}, clock)
    round_id = open_round(app, proposal, RoundKind.VOTE, clock)
    for member, position in BALLOTS:
        clock.advance(minutes=1)
        vote(app, round_id, members[member], position, clock)
    return round_id


def _from_ballots(session: Session, round_id: int, *,
                  changes: bool = True) -> round_cases.ElectorateTally:
    """The tally as its definition reads: each elector's latest ballot (first: without
    changes), weighted, by college."""
    counted: dict[int, str] = {}
    for member, position in session.execute(select(Ballot.membership_id, Ballot.position)
                                            .where(Ballot.round_id == round_id)
                                            .order_by(Ballot.id)):
        if changes or member not in counted:
            counted[member] = position
    counts: dict[str, dict[str, int]] = {}
    sizes: dict[str, int] = {}
    for member, college, weight in session.execute(
            select(Elector.membership_id, Elector.college, Elector.vote_weight)
            .where(Elector.round_id == round_id)):
        sizes[college or ""] = sizes.get(college or "", 0) + weight
        if member in counted:
            row = counts.setdefault(college or "", dict.fromkeys(TALLY_POSITIONS, 0))
            row[counted[member]] += weight
    return round_cases.ElectorateTally(counts, sizes, len(counted))


def _ballot_id(session: Session, round_id: int, member: int, *, first: bool) -> int:
    ids = session.scalars(select(Ballot.id).where(
        Ballot.round_id == round_id, Ballot.membership_id == member).order_by(Ballot.id)).all()
    return ids[0] if first else ids[-1]


def test_the_ballots_the_electors_keep_are_counted_when_the_ballots_agree(
        app: Flask, coop: Coop, clock: Clock, caplog: pytest.LogCaptureFixture) -> None:
    round_id = _voted(app, coop, clock)
    with unit(app) as session:
        tally = round_cases.electorate_tally(session, round_id)
        assert tally == _from_ballots(session, round_id)
        assert tally == round_cases.live_tally(session, round_id)
    assert tally.voters == 4
    assert WARNING not in caplog.text


#: Rows of electors changed behind the application's back: (whose row, the ballot it keeps
#: as (member, first ballot of theirs or latest) or None, and its position).
CHANGED_ROWS = {
    "an earlier ballot": (0, (0, True), "no"),
    "another position": (3, (3, False), "yes"),
    "no ballot": (2, None, None),
    "another member's later ballot": (1, (3, False), "no"),
    "a ballot for an elector who did not vote": (4, (1, False), "yes"),
}


@pytest.mark.parametrize("change", sorted(CHANGED_ROWS))
def test_the_ballots_decide_when_an_electors_row_was_changed(
        app: Flask, coop: Coop, clock: Clock, caplog: pytest.LogCaptureFixture,
        change: str) -> None:
    members = coop[1]
    round_id = _voted(app, coop, clock)
    whose, kept, position = CHANGED_ROWS[change]
    with unit(app) as session:
        ballot_id = None if kept is None else _ballot_id(session, round_id, members[kept[0]],
                                                         first=kept[1])
        session.execute(update(Elector).where(Elector.round_id == round_id,
                                              Elector.membership_id == members[whose])
                        .values(ballot_id=ballot_id, position=position))
    with unit(app) as session:
        expected = _from_ballots(session, round_id)
        assert round_cases.live_tally(session, round_id) != expected  # the row says otherwise
        assert round_cases.electorate_tally(session, round_id) == expected
    assert WARNING in caplog.text
    clock.advance(days=8)
    with unit(app) as session:
        assert rounds.close_round(session, round_id, now=clock())
        stored = json.loads(session.get_one(Round, round_id).case_json or "{}")["ballots"]
    assert {p: stored[p] for p in ("yes", "no", "abstain")} == {
        p: sum(row[p] for row in expected.counts.values()) for p in ("yes", "no", "abstain")}


def test_the_first_ballot_counts_when_changes_are_not_allowed(
        app: Flask, coop: Coop, clock: Clock, caplog: pytest.LogCaptureFixture) -> None:
    """The electors keep each one's first ballot; a second that raced past the server is in
    the ballots and does not count (the tally of a weighted or in-person vote)."""
    organisation, members = coop
    proposal = proposal_of(app, organisation, members[0], "majority",
                           {"preset": "association_default", "allow_vote_change": False}, clock)
    round_id = open_round(app, proposal, RoundKind.VOTE, clock)
    for member, position in ((members[0], "no"), (members[1], "yes")):
        clock.advance(minutes=1)
        vote(app, round_id, member, position, clock)
    with unit(app) as session:  # past the server's check, as two racing requests
        session.execute(insert(Ballot).values(round_id=round_id, membership_id=members[0],
                                               position="yes", reason="", concern="",
                                               cast_at=clock() + timedelta(minutes=1)))
    with unit(app) as session:
        tally = round_cases.electorate_tally(session, round_id, changes=False)
        assert tally == _from_ballots(session, round_id, changes=False)
    assert sum(row["no"] for row in tally.counts.values()) == 1
    assert WARNING not in caplog.text
