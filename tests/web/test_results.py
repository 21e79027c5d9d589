"""Results of rounds: live counts unless hidden until the close, participation against the
quorum, the breakdown by college, the outcome explained in the reader's language, who voted
what as the proposal allows, the exact case to recount, and a hundred thousand ballots read
in a few queries without loading one of them."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Connection, event, func, insert, select, text, update

from decisions.engine import evaluate, load_case
from decisions.web import db
from decisions.web.models import (
    Ballot,
    Elector,
    Membership,
    Organisation,
    Role,
    Round,
    User,
    VotersVisibility,
)
from decisions.web.services import rounds, voters

from .conftest import Clock, module_world
from .round_pages import Browsers, MakeMember, MakeOrg, draft, member_id, stored_round
from .round_steps import close_due
from .statements import recorded

FACILITATOR = "fa@example.org"


def _coop(make_org: MakeOrg, make_member: MakeMember) -> Organisation:
    """An association with its admin, a facilitator and three members."""
    organisation = make_org("coop", admin="admin@example.org", is_scic=False)
    make_member(organisation, FACILITATOR, role="facilitator")
    for email in ("ana@example.org", "bo@example.org", "cy@example.org"):
        make_member(organisation, email)
    return organisation


coop = pytest.fixture(_coop, name="coop")


@pytest.fixture
def browsers(app: Flask) -> Browsers:
    return Browsers(app, "coop")


def test_a_scic_vote_of_three_colleges_gives_the_outcome_the_engine_gives_on_the_downloaded_case(
        app: Flask, make_org: MakeOrg, make_member: MakeMember, browsers: Browsers,
        clock: Clock) -> None:
    coop = make_org("coop", admin="admin@example.org",
                    colleges={"workers": 50, "users": 30, "partners": 20})
    make_member(coop, FACILITATOR, role="facilitator", college="workers")
    votes = {"w1": ("workers", "yes"), "w2": ("workers", "no"), "w3": ("workers", "yes"),
             "u1": ("users", "yes"), "u2": ("users", "yes"), "u3": ("users", "abstain"),
             "p1": ("partners", "no"), "p2": ("partners", "no")}
    for name, (college, _position) in votes.items():
        make_member(coop, f"{name}@example.org", college=college)
    proposal = draft(app, coop, FACILITATOR, "scic_college", {"preset": "scic_sa_ago"}, clock)
    round_id = browsers.open(FACILITATOR, proposal, "vote")
    for name, (_college, position) in votes.items():
        assert browsers.vote(f"{name}@example.org", proposal, round_id,
                             position).status_code == 302
    live = browsers.page("u1@example.org", proposal, round_id, "/results")
    assert "By college" in live
    assert "8 of 9 took part" in live  # the facilitator (workers) did not vote
    assert "Quorum: at least 20% of the electorate, that is 2." in live
    assert "Reached." in live
    not_yet = browsers.of("u1@example.org").get(
        f"{browsers.base(proposal)}/{round_id}/case.json")
    assert not_yet.status_code == 404
    clock.advance(days=7)
    close_due(app, clock)
    download = browsers.of("p1@example.org").get(
        f"{browsers.base(proposal)}/{round_id}/case.json")
    assert download.status_code == 200
    assert download.mimetype == "application/json"
    assert download.headers["Content-Disposition"] == (
        f'attachment; filename="coop-proposal-{proposal}-round-1.json"')
    stored = stored_round(app, round_id)
    assert download.get_data(as_text=True) == stored.case_json
    recount = evaluate(load_case(json.loads(download.get_data(as_text=True))))
    result = json.loads(stored.result_json or "{}")
    assert recount.to_json() == result
    assert recount.outcome.value == stored.outcome
    # workers 2/3 yes x 1/2 + users 2/2 x 3/10 + partners 0 x 1/5 = 19/30
    assert result["weighted_yes_share"] == "19/30"
    page = browsers.page("w1@example.org", proposal, round_id, "/results")
    assert "Outcome: adopted" in page
    assert "College workers (effective weight 1/2)" in page
    assert "66.67%" in page


def test_hidden_results_show_only_participation_until_the_round_closes(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    proposal = draft(app, coop, FACILITATOR, "majority", {"preset": "association_default"},
                     clock, hide_results=True)
    round_id = browsers.open(FACILITATOR, proposal, "vote")
    browsers.vote("ana@example.org", proposal, round_id, "yes")
    browsers.vote("bo@example.org", proposal, round_id, "no", reason="Too dear")
    for email in ("ana@example.org", FACILITATOR):
        hidden = browsers.page(email, proposal, round_id, "/results")
        assert "2 of 5 took part" in hidden
        assert "The counts are shown when the round closes" in hidden
        assert "Counts" not in hidden
        assert "Too dear" not in hidden
        assert "Who took which position" not in hidden
    clock.advance(days=7)
    close_due(app, clock)
    shown = browsers.page("ana@example.org", proposal, round_id, "/results")
    assert "Counts" in shown
    assert "Too dear" in shown


@pytest.mark.parametrize(("visibility", "member_sees", "facilitator_sees"), [
    (VotersVisibility.EVERYONE, True, True),
    (VotersVisibility.FACILITATORS, False, True),
    (VotersVisibility.NOBODY, False, False),
])
def test_who_voted_what_is_shown_as_the_proposal_allows(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock,
        visibility: VotersVisibility, member_sees: bool, facilitator_sees: bool) -> None:
    proposal = draft(app, coop, FACILITATOR, "majority", {"preset": "association_default"},
                     clock, voters_visible=visibility)
    round_id = browsers.open(FACILITATOR, proposal, "vote")
    browsers.vote("bo@example.org", proposal, round_id, "no", reason="Too dear")
    member = browsers.page("ana@example.org", proposal, round_id, "/results")
    facilitator = browsers.page(FACILITATOR, proposal, round_id, "/results")
    assert ("Too dear" in member) is member_sees
    assert ("Too dear" in facilitator) is facilitator_sees
    if not member_sees:
        assert "The proposal does not show who took which position to you." in member


def test_a_secret_vote_names_nobody_and_its_case_holds_counts_only(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    # Consent cannot be secret (objections are named): see test_secret_ballots.py.
    proposal = draft(app, coop, FACILITATOR, "majority", {"preset": "association_default"},
                     clock, secret=True)
    round_id = browsers.open(FACILITATOR, proposal, "vote")
    browsers.vote("ana@example.org", proposal, round_id, "yes")
    browsers.vote("bo@example.org", proposal, round_id, "no")
    browsers.vote("cy@example.org", proposal, round_id, "yes")
    clock.advance(days=7)
    close_due(app, clock)
    page = browsers.page("cy@example.org", proposal, round_id, "/results")
    assert "Adopted: 2 in favour, 1 against" in page
    assert "This is a secret ballot." in page
    assert ">bo<" not in page
    case = browsers.of("cy@example.org").get(f"{browsers.base(proposal)}/{round_id}/case.json")
    assert case.status_code == 200
    assert "bo" not in json.dumps(case.get_json()["ballots"])


def test_the_outcome_is_explained_in_the_readers_language(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock,
        make_user: Any, make_member: MakeMember) -> None:
    make_user("eve@example.org", name="Ève", language="fr")
    make_member(coop, "eve@example.org")
    proposal = draft(app, coop, FACILITATOR, "majority", {"preset": "association_default"},
                     clock)
    round_id = browsers.open(FACILITATOR, proposal, "vote")
    browsers.vote("ana@example.org", proposal, round_id, "yes")
    browsers.vote("eve@example.org", proposal, round_id, "no")
    browsers.vote("bo@example.org", proposal, round_id, "yes")
    clock.advance(days=7)
    close_due(app, clock)
    french = browsers.page("eve@example.org", proposal, round_id, "/results")
    assert "Adopté : 2 pour, 1 contre" in french
    english = browsers.page("ana@example.org", proposal, round_id, "/results")
    assert "Adopted: 2 in favour, 1 against" in english


ELECTORS = 1000
CHANGES = 100


def _crowd(app: Flask, organisation: Organisation) -> None:
    """A thousand members, inserted in bulk."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with app.app_context(), db.transaction() as session:
        session.execute(insert(User), [
            {"email": f"crowd{i}@example.org", "name": f"Crowd {i}", "password_hash": "x",
             "created_at": now} for i in range(ELECTORS)])
        users = session.scalars(select(User.id).where(User.email.like("crowd%"))).all()
        session.execute(insert(Membership), [
            {"organisation_id": organisation.id, "user_id": user, "role": Role.MEMBER,
             "vote_weight": 1, "joined_at": now} for user in users])


def count_latest(connection: Connection, round_id: int) -> None:
    """Each elector's latest ballot made the one that counts, as casting it does
    (``services.rounds``), for ballots inserted in bulk."""
    latest = (select(func.max(Ballot.id)).where(Ballot.round_id == Elector.round_id,
                                                Ballot.membership_id == Elector.membership_id)
              .scalar_subquery())
    connection.execute(update(Elector).where(Elector.round_id == round_id)
                       .values(ballot_id=latest))
    connection.execute(update(Elector).where(Elector.round_id == round_id).values(
        position=select(Ballot.position).where(Ballot.id == Elector.ballot_id)
        .scalar_subquery()))


def _position(member: int, change: int) -> str:
    return ("yes", "no", "abstain", "yes")[(member + change) % 4]


@contextmanager
def watching(app: Flask) -> Iterator[tuple[list[str], list[object]]]:
    """The SQL statements run, and the ballots loaded as objects, inside the block. Savepoints
    are not counted: they read nothing, and a world rolled back after each test (``app`` of
    :class:`TestACrowdedVote`) opens one for each unit of work."""
    loaded: list[object] = []

    def load(target: object, context: Any) -> None:
        loaded.append(target)

    event.listen(Ballot, "load", load)
    try:
        with recorded(app, savepoints=False) as statements:
            yield statements, loaded
    finally:
        event.remove(Ballot, "load", load)


MAX_QUERIES = 12


@pytest.fixture
def truncated_ballots(app: Flask) -> Iterator[None]:
    """The ballots truncated after the test on PostgreSQL, before every table is emptied:
    deleted one by one, they would stay as dead rows that the deletion of each member
    scans, looking for ballots of theirs (seconds for a thousand members)."""
    yield
    engine = db.engine_of(app)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text(f'TRUNCATE TABLE "{Ballot.__tablename__}" CASCADE'))


@pytest.mark.usefixtures("truncated_ballots")
def test_the_results_of_a_hundred_thousand_ballots_take_a_few_queries_and_load_no_ballot(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    _crowd(app, coop)
    proposal = draft(app, coop, FACILITATOR, "majority", {"preset": "association_default"},
                     clock)
    round_id = browsers.open(FACILITATOR, proposal, "vote")
    with app.app_context():
        members = db.session().scalars(select(Membership.id).join(User).where(
            User.email.like("crowd%")).order_by(Membership.id)).all()
    started = clock()
    rows = [{"round_id": round_id, "membership_id": member, "position": _position(member, c),
             "reason": "", "concern": "", "cast_at": started + timedelta(seconds=c)}
            for c in range(CHANGES) for member in members]
    begun = time.perf_counter()
    with db.engine_of(app).begin() as connection:
        connection.execute(insert(Ballot), rows)
        count_latest(connection, round_id)
    assert len(rows) == ELECTORS * CHANGES == 100_000
    clock.advance(hours=1)
    expected = {p: sum(1 for m in members if _position(m, CHANGES - 1) == p)
                for p in ("yes", "no", "abstain")}
    client = browsers.of("ana@example.org")
    client.get("/orgs/")  # signed in, session warm

    url = f"{browsers.base(proposal)}/{round_id}/results"
    with watching(app) as (statements, loaded):
        live = client.get(url)
    assert live.status_code == 200
    page = live.get_data(as_text=True)
    assert f"{ELECTORS} of {ELECTORS + 5} took part" in page
    for position, label in (("yes", "Yes"), ("no", "No"), ("abstain", "Abstention")):
        assert f'>{label}</td><td data-label="Count">{expected[position]}<' in page
    assert loaded == []
    assert len(statements) <= MAX_QUERIES, statements
    live_queries = len(statements)

    clock.advance(days=7)
    assert close_due(app, clock) == [round_id]
    with watching(app) as (statements, loaded):
        closed = client.get(url)
    assert closed.status_code == 200
    assert "Outcome: adopted" in closed.get_data(as_text=True)
    assert "Voters 1–50 of 1000" in closed.get_data(as_text=True)  # everyone may see who
    assert loaded == []
    assert len(statements) <= MAX_QUERIES, statements
    with watching(app) as (statements, loaded):
        found = client.get(f"{url}?search=crowd+999")
    assert ">Crowd 999<" in found.get_data(as_text=True)
    assert "Voters 1–1 of 1" in found.get_data(as_text=True)
    assert loaded == []
    assert len(statements) <= MAX_QUERIES, statements
    print(f"results page: {live_queries} queries open, {len(statements)} closed;"
          f" {time.perf_counter() - begun:.1f} s from the bulk insert")
    with app.app_context():
        assert db.session().get_one(Round, round_id).outcome == "adopted"


def test_participation_counts_people_in_consent_rounds(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    proposal = draft(app, coop, FACILITATOR, "consent",
                     {"preset": "consent_async", "min_responses": {"num": 1, "den": 2}},
                     clock)
    round_id = browsers.open(FACILITATOR, proposal, "consent")
    browsers.vote("ana@example.org", proposal, round_id, "consent")
    page = browsers.page("bo@example.org", proposal, round_id, "/results")
    assert "1 of 5 took part (20%)." in page
    assert "Quorum: at least 50% of the electorate, that is 3." in page
    assert "Not reached yet." in page
    assert member_id(app, "ana@example.org") > 0


def test_an_election_is_explained_as_the_page_shows_it(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    """Issue 9: the explanation spoke of a change round that never was, numbered the consent
    round 1 (round 2 on the page), and said no review date was set beside the review date."""
    everyone = ("admin@example.org", FACILITATOR, "ana@example.org", "bo@example.org",
                "cy@example.org")
    cy = member_id(app, "cy@example.org")
    proposal = draft(app, coop, FACILITATOR, "sociocratic_election",
                     {"role": "treasurer", "term_months": 12}, clock)
    nominations = browsers.open(FACILITATOR, proposal, "nomination")
    for email in everyone:
        browsers.vote(email, proposal, nominations, "nominate", nominee=cy, reason="Careful")
    clock.advance(days=7)
    close_due(app, clock)
    consent = browsers.open(FACILITATOR, proposal, "consent", deadline="2026-03-16T10:00",
                            candidate=cy)
    for email in everyone:
        browsers.vote(email, proposal, consent, "consent")
    clock.advance(days=7)
    close_due(app, clock)
    assert stored_round(app, consent).number == 2
    page = browsers.page("ana@example.org", proposal, consent, "/results")
    assert "Round 2 (version 1, candidate cy): adopted" in page
    assert "Round 1" not in page
    assert "change round" not in page
    assert "Nominations: cy 5." in page
    assert "Elected: cy as treasurer for 12 months." in page


def test_a_review_date_recorded_after_the_decision_is_not_said_missing(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    """Issue 9: "no review date is set" stood beside the review date; the consent round,
    round 2 after a clarifying round, was round 1 in the explanation."""
    everyone = ("admin@example.org", FACILITATOR, "ana@example.org", "bo@example.org",
                "cy@example.org")
    proposal = draft(app, coop, FACILITATOR, "sociocratic_consent", {}, clock)
    clarifying = browsers.open(FACILITATOR, proposal, "clarifying")
    clock.advance(days=7)
    close_due(app, clock)
    consent = browsers.open(FACILITATOR, proposal, "consent", deadline="2026-03-16T10:00")
    assert (stored_round(app, clarifying).number, stored_round(app, consent).number) == (1, 2)
    for email in everyone:
        browsers.vote(email, proposal, consent, "consent")
    clock.advance(days=7)
    close_due(app, clock)
    page = browsers.page("ana@example.org", proposal, consent, "/results")
    assert "Round 2 (version 1): adopted; 5 consents." in page
    assert "Note: no review date is set." in page
    response = browsers.of(FACILITATOR).post(
        f"/orgs/coop/proposals/{proposal}/outcome",
        data={"statement": "Adopted.", "review_date": "2027-05-09"})
    assert response.status_code == 302
    page = browsers.page("ana@example.org", proposal, consent, "/results")
    assert "Round 2 (version 1): adopted; 5 consents." in page
    assert "review date" not in page


# Voters by page (issue 11) -------------------------------------------------------------

VOTERS = 120


def _voters(app: Flask, organisation: Organisation, names: list[str]) -> list[int]:
    """Members named ``names``, inserted in bulk; their membership ids, in order."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with app.app_context(), db.transaction() as session:
        session.execute(insert(User), [
            {"email": f"voter{i}@example.org", "name": name, "password_hash": "x",
             "created_at": now} for i, name in enumerate(names)])
        users = session.scalars(select(User.id).where(User.email.like("voter%"))
                                .order_by(User.id)).all()
        session.execute(insert(Membership), [
            {"organisation_id": organisation.id, "user_id": user, "role": Role.MEMBER,
             "vote_weight": 1, "joined_at": now} for user in users])
        return list(session.scalars(select(Membership.id).where(Membership.user_id.in_(users))
                                    .order_by(Membership.user_id)))


def _cast(app: Flask, clock: Clock, round_id: int, ballots: list[tuple[int, str]]) -> None:
    """Ballots cast through the rounds service, as the vote form does, a second apart."""
    with app.app_context(), db.transaction() as session:
        for member, position in ballots:
            rounds.cast_ballot(session, round_id, member, position, now=clock.advance(seconds=1),
                               reason=f"reason {member}")


def test_a_name_with_letters_beyond_ascii_is_found_whatever_their_case(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    members = _voters(app, coop, ["Élodie Ñúñez", "Eloise Nunez"])
    proposal = draft(app, coop, FACILITATOR, "majority", {"preset": "association_default"},
                     clock)
    round_id = browsers.open(FACILITATOR, proposal, "vote")
    _cast(app, clock, round_id, [(m, "yes") for m in members])
    page = browsers.page("ana@example.org", proposal, round_id, "/results?search=ÉLODIE+ñú")
    assert "Voters 1–1 of 1" in page
    assert "<bdi>Élodie Ñúñez</bdi>" in page
    assert "Eloise" not in page


@dataclass(frozen=True)
class Crowd:
    """The coop, and a vote of 120 more of its members: the proposal, the round and their
    membership ids; the instant the world's clock showed once it was built."""

    organisation: Organisation
    vote: tuple[int, int, list[int]]
    now: datetime


def _crowd_world(app: Flask, clock: Clock, make_org: MakeOrg, make_member: MakeMember,
                 ) -> Crowd:
    """The coop (:func:`_coop`), and a vote where 120 more members named "Voter 000" to
    "Voter 119" voted (listed in that order)."""
    organisation = _coop(make_org, make_member)
    members = _voters(app, organisation, [f"Voter {i:03d}" for i in reversed(range(VOTERS))])
    members.reverse()  # members[i] is "Voter i"
    proposal = draft(app, organisation, FACILITATOR, "majority",
                     {"preset": "association_default"}, clock)
    round_id = Browsers(app, "coop").open(FACILITATOR, proposal, "vote")
    _cast(app, clock, round_id, [(m, ("yes", "no")[i % 2]) for i, m in enumerate(members)])
    return Crowd(organisation, (proposal, round_id, members), clock())


#: Built once for the class below (120 ballots through the service take a while), emptied
#: after it: the module's other tests build their own coop.
crowd = module_world(_crowd_world, name="crowd", scope="class")


class TestACrowdedVote:
    """The pages of voters of a vote of 120 members, on a world built once: what each test
    writes is rolled back after it."""

    @pytest.fixture
    def app(self, rolled_back_app: Flask, crowd: Crowd) -> Flask:
        return rolled_back_app

    @pytest.fixture
    def clock(self, crowd: Crowd) -> Clock:
        """A clock from where building the vote left the world's."""
        return Clock(crowd.now)

    @pytest.fixture
    def coop(self, crowd: Crowd) -> Organisation:
        return crowd.organisation

    @pytest.fixture
    def crowded_vote(self, crowd: Crowd) -> tuple[int, int, list[int]]:
        """The proposal, the round and the voters' membership ids (``[i]`` is "Voter i")."""
        return crowd.vote

    def test_the_second_page_lists_the_next_fifty_voters_by_name(
            self, browsers: Browsers, crowded_vote: tuple[int, int, list[int]]) -> None:
        proposal, round_id, _ = crowded_vote
        page = browsers.page("ana@example.org", proposal, round_id, "/results?page=2")
        assert "Voters 51–100 of 120" in page
        listed = [int(n) for n in re.findall(r"<bdi>Voter (\d{3})</bdi>", page)]
        assert listed == list(range(50, 100))
        assert 'rel="prev"' in page
        assert re.search(r'href="[^"]*page=3[^"]*" rel="next"', page)
        assert re.search(r'page=2[^"]*" aria-current="page"', page)
        assert "120 of 125 took part" in page  # counts are every voter's, not a page's

    def test_voters_are_found_by_name_whatever_the_case(
            self, app: Flask, coop: Organisation, browsers: Browsers, clock: Clock,
            crowded_vote: tuple[int, int, list[int]]) -> None:
        proposal, round_id, _ = crowded_vote
        page = browsers.page("ana@example.org", proposal, round_id, "/results?search=vOTER+01")
        assert "Voters 1–10 of 10" in page
        assert re.findall(r"<bdi>(Voter \d{3})</bdi>", page) == [f"Voter 01{i}" for i in range(10)]
        assert 'value="vOTER 01"' in page  # the search stays in its field
        assert "rel=\"next\"" not in page

    @pytest.mark.parametrize(("search", "found"), [
        ("%", 0), ("_", 0), ("\\", 0), ("%_%", 0), ("' OR 1=1 --", 0),
        ('"><script>alert(1)</script>', 0), ("{{7*7}}", 0), ("x" * 5000, 0),
        ("Voter\x00 001", 1),  # a NUL byte, which PostgreSQL refuses in text, is dropped
    ])
    def test_a_hostile_search_finds_only_names_that_contain_it_and_is_shown_inert(
            self, browsers: Browsers, crowded_vote: tuple[int, int, list[int]], search: str,
            found: int) -> None:
        proposal, round_id, _ = crowded_vote
        response = browsers.of("ana@example.org").get(
            f"{browsers.base(proposal)}/{round_id}/results", query_string={"search": search})
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert "<script>alert(1)</script>" not in page
        assert page.count("<bdi>Voter") == found
        assert ("name contains “" in page) is (found == 0)
        assert "120 of 125 took part" in page

    @pytest.mark.parametrize(("query", "shown"), [
        ("?page=99", "Voters 101–120 of 120"), ("?page=3", "Voters 101–120 of 120"),
        ("?page=0", "Voters 1–50 of 120"), ("?page=-4", "Voters 1–50 of 120"),
        ("?page=two", "Voters 1–50 of 120"), ("?page=2&search=voter+11", "Voters 1–10 of 10"),
    ])
    def test_a_page_beyond_the_end_shows_the_last_and_a_page_before_the_first_the_first(
            self, browsers: Browsers, crowded_vote: tuple[int, int, list[int]], query: str,
            shown: str) -> None:
        proposal, round_id, _ = crowded_vote
        page = browsers.page("ana@example.org", proposal, round_id, f"/results{query}")
        assert shown in page

    def test_counts_and_queries_do_not_grow_when_every_member_changes_their_vote_ten_times(
            self, app: Flask, coop: Organisation, browsers: Browsers, clock: Clock,
            crowded_vote: tuple[int, int, list[int]]) -> None:
        proposal, round_id, members = crowded_vote
        url = f"{browsers.base(proposal)}/{round_id}/results"
        client = browsers.of("ana@example.org")
        client.get(url)  # signed in, session warm
        with watching(app) as (before, _):
            first = client.get(url).get_data(as_text=True)
        positions = ("yes", "no", "abstain")
        for change in range(10):
            _cast(app, clock, round_id, [(m, positions[(i + change) % 3])
                                         for i, m in enumerate(members)])
        with watching(app) as (after, loaded):
            changed = client.get(url).get_data(as_text=True)
        expected = {p: sum(1 for i in range(VOTERS) if positions[(i + 9) % 3] == p)
                    for p in positions}
        for position, label in (("yes", "Yes"), ("no", "No"), ("abstain", "Abstention")):
            assert f'>{label}</td><td data-label="Count">{expected[position]}<' in changed
        assert '>Yes</td><td data-label="Count">60<' in first
        assert f"{VOTERS} of 125 took part" in changed
        assert "Voters 1–50 of 120" in changed
        assert len(after) == len(before) <= MAX_QUERIES
        assert loaded == []
        with app.app_context():
            counted = dict(db.session().execute(select(Elector.membership_id, Elector.ballot_id)
                                                .where(Elector.round_id == round_id)).all())
            latest = dict(db.session().execute(
                select(Ballot.membership_id, func.max(Ballot.id)).where(Ballot.round_id == round_id)
                .group_by(Ballot.membership_id)).all())
        assert {m: counted[m] for m in latest} == latest
        assert sum(1 for ballot in counted.values() if ballot is None) == 5  # who never voted

    def test_so_many_voters_are_listed_in_the_order_they_joined(
            self, browsers: Browsers, crowded_vote: tuple[int, int, list[int]],
            monkeypatch: pytest.MonkeyPatch) -> None:
        """Sorting a hundred thousand names costs more than the rest of the page: beyond
        ``BY_NAME_UP_TO`` voters, the list follows the members' order (search finds a name)."""
        monkeypatch.setattr(voters, "BY_NAME_UP_TO", VOTERS - 1)
        proposal, round_id, _ = crowded_vote
        page = browsers.page("ana@example.org", proposal, round_id, "/results")
        assert "Voters 1–50 of 120" in page
        assert "listed in the order they joined the organisation" in page
        listed = [int(n) for n in re.findall(r"<bdi>Voter (\d{3})</bdi>", page)]
        assert listed == list(range(119, 69, -1))  # "Voter 119" joined first
        found = browsers.page("ana@example.org", proposal, round_id, "/results?search=voter+00")
        assert re.findall(r"<bdi>(Voter \d{3})</bdi>", found) == [f"Voter 00{i}" for i in range(10)]
