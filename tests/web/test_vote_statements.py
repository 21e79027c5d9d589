"""What a ballot through the round page asks of the database: the statements of one vote,
counted, so that the most frequent request does not slowly grow (issue 11)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask, request
from sqlalchemy import func, select, update

from decisions.web import db
from decisions.web.models import Ballot, Membership, Organisation, User
from decisions.web.rounds.forms import BallotForm, accepted_ballot

from .conftest import Clock
from .round_pages import Browsers, MakeMember, MakeOrg, draft, member_id
from .statements import recorded


def test_a_ballot_through_the_page_reads_once_and_writes_once_each(
        app: Flask, make_org: MakeOrg, make_member: MakeMember, clock: Clock) -> None:
    """The person, their membership of the organisation and the round with its proposal in
    one statement; then the ballot stored where the round takes it, the elector's counted
    ballot, and the audit entry (after the head of the chain, on SQLite; sealed after the
    commit elsewhere)."""
    coop: Organisation = make_org("coop", admin="admin@example.org", is_scic=False)
    make_member(coop, "fa@example.org", role="facilitator")
    make_member(coop, "ana@example.org")
    browsers = Browsers(app, "coop")
    proposal = draft(app, coop, "fa@example.org", "majority",
                     {"preset": "association_default"}, clock)
    round_id = browsers.open("fa@example.org", proposal, "vote")
    browsers.vote("ana@example.org", proposal, round_id, "yes")  # the first one, warmed up
    with recorded(app, commits=True) as sent:
        response = browsers.vote("ana@example.org", proposal, round_id, "no")
    assert response.status_code == 302
    assert [what(statement) for statement in sent] == (
        ["SELECT user", "BEGIN IMMEDIATE",
         "INSERT ballot", "UPDATE elector", "SELECT audit_entry", "INSERT audit_entry",
         "COMMIT"]
        if db.engine_of(app).dialect.name == "sqlite" else
        # The read goes on into the write (READ COMMITTED: nothing to end), one commit.
        ["SELECT user", "INSERT ballot", "UPDATE elector", "INSERT audit_entry", "COMMIT",
         # sealed after the commit, on another connection
         "SELECT organisation", "SELECT audit_entry", "UPDATE audit_entry", "COMMIT",
         "SELECT audit_entry", "COMMIT"])
    [read] = [statement for statement in sent if statement.startswith("SELECT")][:1]
    for table in ("user", "membership", "organisation", "proposal", "round"):
        assert f"JOIN {table} " in read.replace('"', "") or f"FROM {table} " in read.replace(
            '"', ""), table


@pytest.fixture
def voting(app: Flask, make_org: MakeOrg, make_member: MakeMember,
           clock: Clock) -> tuple[Browsers, int, int]:
    """coop with a facilitator and three members (ana, bo, cy), signed in, and an open vote
    of coop's: its proposal and round."""
    coop: Organisation = make_org("coop", admin="admin@example.org", is_scic=False)
    make_member(coop, "fa@example.org", role="facilitator")
    for email in ("ana@example.org", "bo@example.org", "cy@example.org"):
        make_member(coop, email)
    browsers = Browsers(app, "coop")
    proposal = draft(app, coop, "fa@example.org", "majority",
                     {"preset": "association_default"}, clock)
    return browsers, proposal, browsers.open("fa@example.org", proposal, "vote")


def _ballots(app: Flask, round_id: int) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(Ballot).where(
            Ballot.round_id == round_id)) or 0


def test_a_ballot_from_a_session_signed_out_since_is_sent_to_sign_in_and_not_stored(
        app: Flask, voting: tuple[Browsers, int, int]) -> None:
    browsers, proposal, round_id = voting
    ana = browsers.of("ana@example.org")
    copied = ana.get_cookie("session")
    assert copied is not None
    assert ana.post("/auth/logout").status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", copied.value)
    response = thief.post(f"{browsers.base(proposal)}/{round_id}/vote", data={"position": "yes"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")
    assert _ballots(app, round_id) == 0


def test_a_ballot_from_a_closed_account_is_sent_to_sign_in_and_not_stored(
        app: Flask, voting: tuple[Browsers, int, int]) -> None:
    browsers, proposal, round_id = voting
    bo = browsers.of("bo@example.org")
    with app.app_context(), db.transaction() as session:
        session.execute(update(User).where(User.email == "bo@example.org").values(
            closed_at=datetime(2026, 3, 1, tzinfo=UTC)))
    response = bo.post(f"{browsers.base(proposal)}/{round_id}/vote", data={"position": "yes"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")
    assert _ballots(app, round_id) == 0


def test_a_ballot_from_a_former_member_is_forbidden_and_not_stored(
        app: Flask, voting: tuple[Browsers, int, int]) -> None:
    browsers, proposal, round_id = voting
    cy = browsers.of("cy@example.org")
    with app.app_context(), db.transaction() as session:
        session.execute(update(Membership).where(Membership.id == member_id(
            app, "cy@example.org")).values(ended_at=datetime(2026, 3, 1, tzinfo=UTC)))
    response = cy.post(f"{browsers.base(proposal)}/{round_id}/vote", data={"position": "yes"})
    assert response.status_code == 403
    assert _ballots(app, round_id) == 0


@pytest.mark.parametrize("path", [
    "/orgs/coop/proposals/{other}/rounds/{round}/vote",  # another proposal of coop's
    "/orgs/elsewhere/proposals/{proposal}/rounds/{round}/vote",  # another organisation
    "/orgs/coop/proposals/{proposal}/rounds/{missing}/vote",
])
def test_a_ballot_on_a_round_under_another_address_is_not_found_and_not_stored(
        app: Flask, voting: tuple[Browsers, int, int], make_org: MakeOrg,
        make_member: MakeMember, clock: Clock, path: str) -> None:
    browsers, proposal, round_id = voting
    elsewhere = make_org("elsewhere", admin="admin2@example.org", is_scic=False)
    make_member(elsewhere, "ana@example.org")
    with app.app_context():
        coop = db.session().scalars(select(Organisation).where(
            Organisation.slug == "coop")).one()
    other = draft(app, coop, "fa@example.org", "majority", {"preset": "association_default"},
                  clock)
    response = browsers.of("ana@example.org").post(path.format(
        other=other, proposal=proposal, round=round_id, missing=round_id + 1000),
        data={"position": "yes"})
    assert response.status_code == 404
    assert _ballots(app, round_id) == 0


def test_a_ballot_with_a_position_the_round_does_not_offer_shows_the_page_again(
        app: Flask, voting: tuple[Browsers, int, int]) -> None:
    browsers, proposal, round_id = voting
    response = browsers.vote("ana@example.org", proposal, round_id, "object")
    assert response.status_code == 200
    assert "Choose a position." in response.get_data(as_text=True)
    assert _ballots(app, round_id) == 0


def test_a_ballot_after_the_deadline_is_refused_on_the_round_page(
        app: Flask, voting: tuple[Browsers, int, int], clock: Clock) -> None:
    browsers, proposal, round_id = voting
    browsers.of("ana@example.org")
    clock.advance(days=30)
    response = browsers.vote("ana@example.org", proposal, round_id, "yes")
    assert response.status_code == 200
    assert "This round is closed: its deadline has passed." in response.get_data(as_text=True)
    assert _ballots(app, round_id) == 0


def what(statement: str) -> str:
    """A statement's verb and first table: ``SELECT user``, ``INSERT ballot``..."""
    words = statement.replace('"', "").split()
    verb = words[0]
    if len(words) == 1:  # COMMIT
        return verb
    if verb == "SELECT":
        return f"SELECT {words[words.index('FROM') + 1]}"
    if verb == "INSERT":
        return f"INSERT {words[2]}"
    return f"{verb} {words[1]}"


@pytest.mark.parametrize("posted", [
    {"position": "yes"},
    {"position": "object"},  # not offered
    {"position": ""},
    {},
    {"position": "no", "reason": "x" * 5000},
    {"position": "no", "reason": "x" * 5001},
    {"position": "no", "concern": "x" * 5001},
    {"position": "abstain", "reason": "   "},  # a reason is required for abstain here
    {"position": "abstain", "reason": "I was away"},
    {"position": "yes", "nominee": "12"},
    {"position": "yes", "nominee": "twelve"},
])
@pytest.mark.parametrize("positions", [("yes", "no", "abstain"), ("consent",)])
def test_a_ballot_read_without_its_form_is_taken_exactly_when_the_form_takes_it(
        app: Flask, posted: dict[str, str], positions: tuple[str, ...]) -> None:
    reasons = frozenset({"abstain"})
    with app.test_request_context(method="POST", data=posted):
        form = BallotForm().with_choices(positions, reasons, [])
        valid = form.validate_on_submit()
        accepted = accepted_ballot(request.form, positions, reasons)
        assert (accepted is not None) == valid
        if accepted is not None:
            assert accepted == (form.position.data, form.reason.data or "",
                                form.concern.data or "")
