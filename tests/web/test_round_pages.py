"""The life of each family of rules through the round pages: facilitators open, extend, close
and cancel rounds and record what objections are; members read, comment, nominate and take
positions; the clock moves instead of anyone waiting."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import func, select

from decisions.web import db
from decisions.web.models import (
    Ballot,
    Comment,
    Organisation,
    Proposal,
    ProposalStatus,
    RoundEvent,
    RoundTally,
)
from decisions.web.services import rounds

from .conftest import Clock, module_world
from .round_pages import Browsers, MakeMember, MakeOrg, draft, member_id, stored_round

FACILITATOR = "fa@example.org"
MEMBERS = ("ana@example.org", "bo@example.org", "cy@example.org")


@module_world
def coop(make_org: MakeOrg, make_member: MakeMember) -> Organisation:
    """A cooperative without colleges: an admin, a facilitator and three members."""
    organisation = make_org("coop", admin="admin@example.org", is_scic=False)
    make_member(organisation, FACILITATOR, role="facilitator")
    for email in MEMBERS:
        make_member(organisation, email)
    return organisation


@pytest.fixture
def app(rolled_back_app: Flask) -> Flask:
    """The application on the module's world, built once: what a test writes is rolled
    back after it."""
    return rolled_back_app


@pytest.fixture
def browsers(app: Flask, coop: Organisation) -> Browsers:
    return Browsers(app, "coop")


def close_due(app: Flask, clock: Clock) -> list[int]:
    """What the scheduler does at each tick."""
    with app.app_context():
        return rounds.close_due(app.extensions["decisions.db"], clock())


def count(app: Flask, model: type, **where: object) -> int:
    with app.app_context():
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return db.session().scalar(query) or 0


def test_a_majority_vote_opens_collects_positions_and_closes_through_the_pages(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    proposal = draft(app, coop, FACILITATOR, "majority", {"preset": "association_default"},
                     clock)
    form = browsers.of(FACILITATOR).get(f"{browsers.base(proposal)}/open")
    assert form.status_code == 200
    assert 'value="2026-03-09T10:00"' in form.get_data(as_text=True)  # a week on, Paris time
    round_id = browsers.open(FACILITATOR, proposal, "vote")
    opened = stored_round(app, round_id)
    assert opened.closes_at == datetime(2026, 3, 9, 9, 0, tzinfo=UTC)  # 10:00 in Paris
    page = browsers.page("ana@example.org", proposal, round_id)
    assert "We buy <strong>two</strong> cargo bikes." in page
    assert "Time left: 7 days" in page
    assert "You have not taken a position yet." in page
    for email, position in zip(MEMBERS, ("yes", "yes", "no"), strict=True):
        response = browsers.vote(email, proposal, round_id, position)
        assert response.status_code == 302
    page = browsers.page("cy@example.org", proposal, round_id)
    assert "Your current position:" in page
    assert "<strong>No</strong>" in page
    clock.advance(days=7)
    assert close_due(app, clock) == [round_id]
    results = browsers.page("bo@example.org", proposal, round_id, "/results")
    assert "Outcome: adopted" in results
    assert "Adopted: 2 in favour, 1 against" in results
    with app.app_context():
        assert db.session().get_one(Proposal, proposal).status is ProposalStatus.DECIDED


def test_a_member_cannot_open_a_round_and_a_facilitator_sees_why_none_can_open(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    proposal = draft(app, coop, FACILITATOR, "majority", {"preset": "association_default"},
                     clock)
    assert browsers.of("ana@example.org").get(
        f"{browsers.base(proposal)}/open").status_code == 403
    browsers.open(FACILITATOR, proposal, "vote")
    page = browsers.of(FACILITATOR).get(f"{browsers.base(proposal)}/open")
    assert "No round can be opened on this proposal now" in page.get_data(as_text=True)
    refused = browsers.of(FACILITATOR).post(f"{browsers.base(proposal)}/open",
                                            data={"kind": "vote",
                                                  "closes_at": "2026-03-10T10:00"})
    assert refused.status_code == 200
    assert count(app, Ballot) == 0


@pytest.mark.parametrize(("deadline", "message"), [
    ("2026-03-01T10:00", "The deadline must be in the future."),
    ("next tuesday", "Enter a date and a time."),
    ("2026-03-29T02:30", "This time does not exist in Europe/Paris: the clocks change."),
])
def test_a_bad_deadline_is_refused_next_to_its_field_and_nothing_opens(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock, deadline: str,
        message: str) -> None:
    proposal = draft(app, coop, FACILITATOR, "majority", {"preset": "association_default"},
                     clock)
    response = browsers.of(FACILITATOR).post(f"{browsers.base(proposal)}/open",
                                             data={"kind": "vote", "closes_at": deadline})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="closes_at-errors"' in page
    assert message in page
    with app.app_context():
        assert db.session().get_one(Proposal, proposal).rounds == []


def test_a_facilitator_extends_the_deadline_then_closes_early(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    proposal = draft(app, coop, FACILITATOR, "majority", {"preset": "association_default"},
                     clock)
    round_id = browsers.open(FACILITATOR, proposal, "vote")
    sooner = browsers.post(FACILITATOR, proposal, round_id, "extend",
                           closes_at="2026-03-05T10:00")
    assert sooner.status_code == 200
    assert "The new deadline must be later than the current one." in sooner.get_data(
        as_text=True)
    assert browsers.post("ana@example.org", proposal, round_id, "extend",
                         closes_at="2026-03-20T10:00").status_code == 403
    later = browsers.post(FACILITATOR, proposal, round_id, "extend",
                          closes_at="2026-03-20T10:00")
    assert later.status_code == 302
    assert stored_round(app, round_id).closes_at == datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
    browsers.vote("ana@example.org", proposal, round_id, "yes")
    clock.advance(days=1)
    asked = browsers.post(FACILITATOR, proposal, round_id, "close")
    assert asked.status_code == 200  # not everyone has answered: confirm first
    assert stored_round(app, round_id).status.value == "open"
    closed = browsers.post(FACILITATOR, proposal, round_id, "close", confirmed="yes")
    assert closed.status_code == 302
    assert closed.headers["Location"].endswith(f"/rounds/{round_id}/results")
    stored = stored_round(app, round_id)
    assert stored.status.value == "closed"
    assert stored.closes_at == datetime(2026, 3, 20, 9, 0, tzinfo=UTC)  # the deadline set
    assert stored.closed_at == clock()
    assert stored.outcome == "adopted"
    page = browsers.page("bo@example.org", proposal, round_id)
    assert "This round is closed." in page
    assert 'action="/orgs/coop/proposals' not in page.split("Your position")[-1]


def test_a_cancelled_round_decides_nothing_and_another_may_open(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    proposal = draft(app, coop, FACILITATOR, "majority", {"preset": "association_default"},
                     clock)
    first = browsers.open(FACILITATOR, proposal, "vote")
    browsers.vote("ana@example.org", proposal, first, "yes")
    assert browsers.post("ana@example.org", proposal, first, "cancel").status_code == 403
    assert browsers.post(FACILITATOR, proposal, first, "cancel").status_code == 302
    assert stored_round(app, first).status.value == "cancelled"
    assert "This round was cancelled: it decides nothing." in browsers.page(
        "ana@example.org", proposal, first)
    assert count(app, Ballot, round_id=first) == 1  # kept
    second = browsers.open(FACILITATOR, proposal, "vote")
    assert stored_round(app, second).number == 2


def test_a_hybrid_assembly_adds_the_counts_of_the_room_to_the_ballots_online(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock,
        make_member: MakeMember) -> None:
    for n in range(5):
        make_member(coop, f"room{n}@example.org")
    proposal = draft(app, coop, FACILITATOR, "majority", {"preset": "association_default"},
                     clock)
    round_id = browsers.open(FACILITATOR, proposal, "vote")
    browsers.vote("ana@example.org", proposal, round_id, "no")
    counts = {"g0_present": "5", "g0_yes": "3", "g0_no": "1", "g0_abstain": "1",
              "g0_blank": "0", "g0_invalid": "0"}
    too_many = browsers.post(FACILITATOR, proposal, round_id, "tally",
                             **{**counts, "g0_present": "2"})
    assert too_many.status_code == 200
    assert "More ballots than people present." in too_many.get_data(as_text=True)
    assert count(app, RoundTally) == 0
    assert browsers.post("ana@example.org", proposal, round_id, "tally",
                         **counts).status_code == 403
    assert browsers.post(FACILITATOR, proposal, round_id, "tally", **counts).status_code == 302
    live = browsers.page("bo@example.org", proposal, round_id, "/results")
    assert "6 of 10 took part" in live
    clock.advance(days=7)
    close_due(app, clock)
    stored = stored_round(app, round_id)
    assert stored.outcome == "adopted"
    assert '"yes": 3' in (stored.case_json or "")


def test_a_consent_objection_qualified_as_a_concern_by_its_author_lets_it_pass(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    proposal = draft(app, coop, FACILITATOR, "consent", {"preset": "consent_async"}, clock)
    round_id = browsers.open(FACILITATOR, proposal, "consent")
    browsers.vote("ana@example.org", proposal, round_id, "consent",
                  concern="Where do we park them?")
    unreasoned = browsers.vote("bo@example.org", proposal, round_id, "object")
    assert unreasoned.status_code == 200
    assert "Please give a reason for this position." in unreasoned.get_data(as_text=True)
    assert count(app, Ballot, round_id=round_id) == 1
    browsers.vote("bo@example.org", proposal, round_id, "object", reason="Too expensive")
    page = browsers.page(FACILITATOR, proposal, round_id)
    assert "Record a decision about an objection" in page
    assert "Too expensive" in page
    bo = member_id(app, "bo@example.org")
    no_rationale = browsers.post(FACILITATOR, proposal, round_id, "qualify", objector=bo,
                                 action="concern", decided_by="objector", rationale="")
    assert "Write the rationale of this decision." in no_rationale.get_data(as_text=True)
    assert browsers.post("ana@example.org", proposal, round_id, "qualify", objector=bo,
                         action="concern", decided_by="objector",
                         rationale="Bo agrees").status_code == 403
    assert count(app, RoundEvent) == 0
    recorded = browsers.post(FACILITATOR, proposal, round_id, "qualify", objector=bo,
                             action="concern", decided_by="objector",
                             rationale="Bo can live with it if we review the cost in June")
    assert recorded.status_code == 302
    with app.app_context():
        event = db.session().scalars(select(RoundEvent)).one()
        assert (event.kind, event.result, event.decided_by) == (
            "objection_qualified", "concern", str(bo))
    clock.advance(days=7)
    close_due(app, clock)
    stored = stored_round(app, round_id)
    assert stored.outcome == "adopted"
    results = browsers.page("cy@example.org", proposal, round_id, "/results")
    assert "Objection of bo: A concern, not an objection, decided by The objector." in results


def test_a_consent_objection_left_standing_blocks(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    proposal = draft(app, coop, FACILITATOR, "consent", {"preset": "consent_async"}, clock)
    round_id = browsers.open(FACILITATOR, proposal, "consent")
    browsers.vote("ana@example.org", proposal, round_id, "consent")
    browsers.vote("bo@example.org", proposal, round_id, "object", reason="Too expensive")
    clock.advance(days=7)
    close_due(app, clock)
    results = browsers.page("ana@example.org", proposal, round_id, "/results")
    assert "Outcome: blocked by an objection" in results
    assert "Blocked: a valid objection stands at the deadline (bo)." in results


def test_a_sociocratic_proposal_goes_questions_objection_new_version_consent(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    everyone = ("admin@example.org", FACILITATOR, *MEMBERS)
    proposal = draft(app, coop, FACILITATOR, "sociocratic_consent",
                     {"preset": "sociocratic_consent"}, clock)
    questions = browsers.open(FACILITATOR, proposal, "clarifying", deadline="2026-03-03T10:00")
    empty = browsers.post("ana@example.org", proposal, questions, "comment", body="  ")
    assert "Write your comment." in empty.get_data(as_text=True)
    assert browsers.post("ana@example.org", proposal, questions, "comment",
                         body="Electric or not?").status_code == 302
    assert "Electric or not?" in browsers.page("bo@example.org", proposal, questions)
    clock.advance(days=1)
    late = browsers.post("bo@example.org", proposal, questions, "comment", body="Too late?")
    assert "This round is closed: its deadline has passed." in late.get_data(as_text=True)
    assert count(app, Comment) == 1
    close_due(app, clock)

    first = browsers.open(FACILITATOR, proposal, "consent")
    for email in everyone:
        if email == "cy@example.org":
            browsers.vote(email, proposal, first, "object", reason="Budget too high")
        else:
            assert browsers.vote(email, proposal, first, "consent").status_code == 302
    clock.advance(days=7)
    close_due(app, clock)
    assert stored_round(app, first).outcome == "needs_integration"
    amended = browsers.of(FACILITATOR).post(
        f"/orgs/coop/proposals/{proposal}/amend",
        data={"title": "Buy one cargo bike", "body": "We buy **one** cargo bike.",
              "summary": "Halved the budget"})
    assert amended.status_code == 302

    second = browsers.open(FACILITATOR, proposal, "consent", deadline="2026-03-23T10:00")
    assert stored_round(app, second).version_number == 2
    second_page = browsers.page("cy@example.org", proposal, second)
    assert "We buy <strong>one</strong> cargo bike." in second_page
    assert "The text, version 2" in second_page
    for email in everyone:
        browsers.vote(email, proposal, second, "consent")
    clock.advance(days=14)
    close_due(app, clock)
    stored = stored_round(app, second)
    assert stored.outcome == "adopted"
    results = browsers.page("ana@example.org", proposal, second, "/results")
    assert "Outcome: adopted" in results
    # Numbered as on the page: the clarifying round is round 1 (issue 9).
    assert "Round 2 (version 1): needs integration" in results
    with app.app_context():
        assert db.session().get_one(Proposal, proposal).outcome == "adopted"


def test_an_objection_withdrawn_by_its_author_is_adopted_on_the_same_version(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    everyone = ("admin@example.org", FACILITATOR, *MEMBERS)
    proposal = draft(app, coop, FACILITATOR, "sociocratic_consent",
                     {"preset": "sociocratic_consent"}, clock)
    round_id = browsers.open(FACILITATOR, proposal, "consent")
    for email in everyone:
        position = "object" if email == "bo@example.org" else "consent"
        browsers.vote(email, proposal, round_id, position, reason="Where do they park?")
    clock.advance(hours=1)
    withdrawn = browsers.post(FACILITATOR, proposal, round_id, "qualify",
                              objector=member_id(app, "bo@example.org"), action="withdrawn",
                              rationale="The garage has room")
    assert withdrawn.status_code == 302
    assert "bo withdrew their objection." in browsers.page("ana@example.org", proposal,
                                                           round_id)
    clock.advance(days=7)
    close_due(app, clock)
    assert stored_round(app, round_id).outcome == "adopted"


def test_an_election_nominates_changes_and_consents_to_the_candidate(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    everyone = ("admin@example.org", FACILITATOR, *MEMBERS)
    cy = member_id(app, "cy@example.org")
    bo = member_id(app, "bo@example.org")
    proposal = draft(app, coop, FACILITATOR, "sociocratic_election",
                     {"preset": "sociocratic_election", "role": "treasurer",
                      "term_months": 12}, clock)
    nominations = browsers.open(FACILITATOR, proposal, "nomination")
    page = browsers.page("ana@example.org", proposal, nominations)
    assert "Whom you nominate" in page
    no_reason = browsers.vote("ana@example.org", proposal, nominations, "nominate",
                              nominee=cy)
    assert "Please give a reason for this position." in no_reason.get_data(as_text=True)
    stranger = browsers.vote("ana@example.org", proposal, nominations, "nominate",
                             nominee=999_999, reason="Who?")
    assert "Choose whom you nominate." in stranger.get_data(as_text=True)
    for email in everyone:
        nominee = bo if email in ("ana@example.org", "admin@example.org") else cy
        assert browsers.vote(email, proposal, nominations, "nominate", nominee=nominee,
                             reason="Careful with money").status_code == 302
    results = browsers.page("ana@example.org", proposal, nominations, "/results")
    assert "Nominations" in results
    clock.advance(days=7)
    close_due(app, clock)
    change = browsers.open(FACILITATOR, proposal, "change", deadline="2026-03-16T10:00")
    browsers.vote("ana@example.org", proposal, change, "nominate", nominee=cy)
    clock.advance(days=7)
    close_due(app, clock)
    form = browsers.of(FACILITATOR).get(f"{browsers.base(proposal)}/open")
    assert f'<option selected value="{cy}">' in form.get_data(as_text=True)
    consent = browsers.open(FACILITATOR, proposal, "consent", deadline="2026-03-23T10:00",
                            candidate=cy)
    assert "Candidate: <bdi>cy</bdi>" in browsers.page("cy@example.org", proposal, consent)
    for email in everyone:
        browsers.vote(email, proposal, consent, "consent")
    clock.advance(days=7)
    close_due(app, clock)
    stored = stored_round(app, consent)
    assert stored.outcome == "adopted"
    results = browsers.page("bo@example.org", proposal, consent, "/results")
    assert "Elected: cy as treasurer for 12 months." in results


def test_a_round_of_another_proposal_or_organisation_is_not_found(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock,
        make_org: MakeOrg, make_member: MakeMember) -> None:
    proposal = draft(app, coop, FACILITATOR, "majority", {"preset": "association_default"},
                     clock)
    other = draft(app, coop, FACILITATOR, "majority", {"preset": "association_default"},
                  clock)
    round_id = browsers.open(FACILITATOR, proposal, "vote")
    client = browsers.of("ana@example.org")
    assert client.get(f"{browsers.base(other)}/{round_id}").status_code == 404
    assert client.post(f"{browsers.base(other)}/{round_id}/vote",
                       data={"position": "yes"}).status_code == 404
    elsewhere = make_org("elsewhere", admin="ana@example.org")
    assert elsewhere.slug == "elsewhere"
    assert client.get(f"/orgs/elsewhere/proposals/{proposal}/rounds/{round_id}"
                      ).status_code == 404
    assert count(app, Ballot) == 0


def test_the_circle_dismisses_an_objection_before_the_deadline_but_not_after(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    proposal = draft(app, coop, FACILITATOR, "consent", {"preset": "consent_async"}, clock)
    round_id = browsers.open(FACILITATOR, proposal, "consent")
    browsers.vote("ana@example.org", proposal, round_id, "consent")
    browsers.vote("bo@example.org", proposal, round_id, "object", reason="I dislike bikes")
    browsers.vote("cy@example.org", proposal, round_id, "object", reason="Too expensive")
    bo, cy = member_id(app, "bo@example.org"), member_id(app, "cy@example.org")
    nobody = browsers.post(FACILITATOR, proposal, round_id, "qualify",
                           objector=member_id(app, "ana@example.org"), action="invalid",
                           decided_by="circle", rationale="?")
    assert "This member has no objection standing in this round." in nobody.get_data(
        as_text=True)
    dismissed = browsers.post(FACILITATOR, proposal, round_id, "qualify", objector=bo,
                              action="invalid", decided_by="circle",
                              rationale="A preference, not a harm to the circle's aims")
    assert dismissed.status_code == 302
    clock.advance(days=7)
    late = browsers.post(FACILITATOR, proposal, round_id, "qualify", objector=cy,
                         action="concern", decided_by="objector", rationale="Cy agrees")
    assert late.status_code == 200
    assert "This round is closed: its deadline has passed." in late.get_data(as_text=True)
    with app.app_context():
        events = db.session().scalars(select(RoundEvent)).all()
        assert [(e.membership_id, e.result, e.decided_by) for e in events] == [
            (bo, "invalid", "circle")]
    close_due(app, clock)
    stored = stored_round(app, round_id)
    assert stored.outcome == "blocked"
    assert f'"dismissed_objections": ["{bo}"]' in (stored.result_json or "")


def test_a_scic_assembly_enters_the_counts_of_the_room_college_by_college(
        app: Flask, make_org: MakeOrg, make_member: MakeMember, clock: Clock) -> None:
    scic = make_org("scic", admin="admin@example.org",
                    colleges={"workers": 50, "users": 30, "partners": 20})
    browsers = Browsers(app, "scic")
    make_member(scic, FACILITATOR, role="facilitator", college="workers")
    for n, college in enumerate(("workers", "workers", "users", "users", "partners")):
        make_member(scic, f"m{n}@example.org", college=college)
    proposal = draft(app, scic, FACILITATOR, "scic_college", {"preset": "scic_sa_ago"}, clock)
    round_id = browsers.open(FACILITATOR, proposal, "vote")
    browsers.vote("m0@example.org", proposal, round_id, "yes")
    page = browsers.page(FACILITATOR, proposal, round_id)
    assert "College workers" in page
    assert "College partners" in page
    counts = {f"g{g}_{name}": "0" for g in range(3)
              for name in ("present", "yes", "no", "abstain", "blank", "invalid")}
    too_many = browsers.post(FACILITATOR, proposal, round_id, "tally",
                             **{**counts, "g2_present": "3", "g2_no": "3"})
    assert "More people present than in the electorate (1)." in too_many.get_data(
        as_text=True)
    counts.update(g0_present="1", g0_yes="1", g1_present="2", g1_yes="1", g1_no="1")
    assert browsers.post(FACILITATOR, proposal, round_id, "tally", **counts).status_code == 302
    with app.app_context():
        rows = db.session().execute(select(RoundTally.college, RoundTally.present,
                                           RoundTally.yes, RoundTally.no)
                                    .order_by(RoundTally.college)).all()
    assert [tuple(row) for row in rows] == [("users", 2, 1, 1), ("workers", 1, 1, 0)]
    clock.advance(days=7)
    close_due(app, clock)
    stored = stored_round(app, round_id)
    case = (stored.case_json or "")
    assert '"format": "tally_by_college"' in case
    # workers 2/2 x 1/2 + users 1/2 x 3/10 + partners nothing expressed (redistributed)
    assert stored.outcome == "adopted"


def _after_vote(browsers: Browsers, email: str, proposal: int, round_id: int, position: str,
                language: str = "en") -> tuple[str, str]:
    """Vote through the page, then follow the redirect as a browser does: where it led,
    and the page there."""
    client = browsers.of(email)
    headers = {"Accept-Language": language}
    response = client.post(f"{browsers.base(proposal)}/{round_id}/vote",
                           data={"position": position}, headers=headers)
    assert response.status_code == 302
    location = response.headers["Location"]
    return location, client.get(location, headers=headers).get_data(as_text=True)


def test_a_member_sees_the_position_recorded_after_the_redirect_in_their_language(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    proposal = draft(app, coop, FACILITATOR, "majority", {"preset": "association_default"},
                     clock)
    round_id = browsers.open(FACILITATOR, proposal, "vote")
    _, page = _after_vote(browsers, "ana@example.org", proposal, round_id, "yes")
    assert "Your position is recorded: Yes." in page
    _, page = _after_vote(browsers, "bo@example.org", proposal, round_id, "no", "fr")
    assert "Votre position est enregistrée : Contre." in page
    _, page = _after_vote(browsers, "ana@example.org", proposal, round_id, "abstain")
    assert "Your position is recorded: Abstention." in page


def test_the_confirmation_shows_the_stored_ballot_never_the_address(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    proposal = draft(app, coop, FACILITATOR, "majority", {"preset": "association_default"},
                     clock)
    round_id = browsers.open(FACILITATOR, proposal, "vote")
    location, _ = _after_vote(browsers, "ana@example.org", proposal, round_id, "yes")
    assert "yes" not in location  # the address says a position was recorded, not which
    # Someone who has not voted, sent the same address, is told nothing was recorded...
    page = browsers.of("bo@example.org").get(location).get_data(as_text=True)
    assert "is recorded" not in page
    assert "You have not taken a position yet." in page
    # ... and a forged address cannot make the page claim another position.
    forged = browsers.of("ana@example.org").get(
        f"{location}{'&' if '?' in location else '?'}position=no&recorded=no")
    assert "Your position is recorded: Yes." in forged.get_data(as_text=True)
    assert "Your position is recorded: No." not in forged.get_data(as_text=True)


def test_a_ballot_leaves_the_session_cookie_as_it_was(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    """The confirmation rides on the redirect, not in the session: rewriting the signed
    cookie at every ballot was a good part of a ballot's cost (issue 11)."""
    proposal = draft(app, coop, FACILITATOR, "majority", {"preset": "association_default"},
                     clock)
    round_id = browsers.open(FACILITATOR, proposal, "vote")
    response = browsers.vote("ana@example.org", proposal, round_id, "yes")
    assert response.status_code == 302
    assert "Set-Cookie" not in response.headers


def test_a_secret_ballot_is_confirmed_without_its_position_in_any_address(
        app: Flask, coop: Organisation, browsers: Browsers, clock: Clock) -> None:
    proposal = draft(app, coop, FACILITATOR, "majority", {"preset": "association_default"},
                     clock, secret=True)
    round_id = browsers.open(FACILITATOR, proposal, "vote")
    location, page = _after_vote(browsers, "ana@example.org", proposal, round_id, "no")
    assert "no" not in location.rpartition("/")[2]  # an access log keeps addresses
    assert "Your position is recorded: No." in page
    assert "Your ballot is secret" in page
    again = browsers.of("ana@example.org").get(location).get_data(as_text=True)
    assert "recorded: No" not in again  # shown once, kept nowhere
