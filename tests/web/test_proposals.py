"""The proposal pages: creating each family of rule through the form, the engine refusing bad
parameters, previews, versions and their differences, amending, withdrawing, the outcome,
and who may do what."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from decisions.web import db
from decisions.web.families import DESCRIPTORS, descriptor
from decisions.web.models import (
    Circle,
    CircleMember,
    ElectorateScope,
    Membership,
    Organisation,
    Proposal,
    ProposalElector,
    ProposalStatus,
    ProposalVersion,
    RoundKind,
    VotersVisibility,
)
from decisions.web.proposals.forms import group_positions
from decisions.web.services import proposals, rounds

from .api_world import Api, token_for
from .conftest import Auth, Clock, module_world, unit

ADMIN, FACILITATOR, MEMBER, OTHER = ("ana@example.org", "fay@example.org", "mo@example.org",
                                     "ola@example.org")


@module_world
def coop(app: Flask, make_org: Callable[..., Organisation],
         make_member: Callable[..., Membership]) -> dict[str, int]:
    """A SCIC with an admin, a facilitator, two members and a steering circle."""
    organisation = make_org("coop", admin=ADMIN,
                            colleges={"workers": 50, "users": 30, "partners": 20})
    ids = {"organisation": organisation.id,
           "facilitator": make_member(organisation, FACILITATOR, "facilitator").id,
           "member": make_member(organisation, MEMBER, college="workers").id,
           "other": make_member(organisation, OTHER, college="users").id}
    with unit(app) as session:
        ids["admin"] = session.scalar(select(Membership.id).where(
            Membership.organisation_id == organisation.id, Membership.role == "admin")) or 0
        circle = Circle(organisation_id=organisation.id, name="Steering", is_steering=True)
        session.add(circle)
        session.flush()
        session.add(CircleMember(circle_id=circle.id, membership_id=ids["member"]))
        ids["circle"] = circle.id
    return ids


@pytest.fixture
def app(rolled_back_app: Flask) -> Flask:
    """The application on the module's world, built once: what a test writes is rolled
    back after it."""
    return rolled_back_app


def form(**fields: Any) -> dict[str, Any]:
    """What the new proposal page sends, for a consent proposal unless told otherwise."""
    data: dict[str, Any] = {
        "title": "Buy two cargo bikes", "body": "We buy **two** cargo bikes.",
        "family": "consent", "scope": "organisation", "circle": "0",
        "voters_visible": "everyone", "preset": "", "silence_policy": "consent",
        "submit": "1"}
    data.update(fields)
    # The positions that require a reason, in the group of fields of their rule.
    family = data["family"]  # an objection is not a position in a vote
    reasons = data.pop("reasons", [] if family in ("majority", "scic_college") else ["object"])
    groups = descriptor(family).form_groups
    for group in groups:
        data[f"reasons_{group}"] = [p for p in reasons if p in group_positions(group)
                                    or (group == groups[0] and not any(
                                        p in group_positions(g) for g in groups))]
    return data


def count(app: Flask, model: Any = Proposal) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(model)) or 0


def only_proposal(app: Flask) -> Proposal:
    with app.app_context():
        proposal = db.session().scalars(select(Proposal)).one()
        proposal.versions, proposal.chosen_electors  # noqa: B018 - loaded before closing
        return proposal


def make_proposal(app: Flask, clock: Clock, author: int, *, family: str = "consent",
                  params: dict[str, Any] | None = None, title: str = "Buy two cargo bikes",
                  body: str = "We buy two cargo bikes.", organisation: int | None = None,
                  status: ProposalStatus | None = None) -> int:
    with unit(app) as session:
        member = session.get_one(Membership, author)
        proposal = proposals.create_proposal(
            session, session.get_one(Organisation, organisation or member.organisation_id),
            member, title=title, body=body, family=family, params=params or {}, now=clock())
        if status is not None:
            proposal.status = status
            if status is ProposalStatus.DECIDED:
                proposal.outcome, proposal.decided_at = "adopted", clock()
        return proposal.id


def errors_of(page: str, field: str) -> str:
    """The error list shown next to a field."""
    match = re.search(rf'<ul class="errors" id="{field}-errors">(.*?)</ul>', page, re.S)
    assert match is not None, f"no error next to {field}"
    return match.group(1)


# Creating each family through the page ------------------------------------------------------


CREATED = [
    ("consent", {"min_consents": "2", "silence_policy": "require_all"},
     {"min_consents": 2, "silence_policy": "require_all"},
     "At least 2 members must consent explicitly."),
    ("sociocratic_consent", {"max_consent_rounds": "2", "escalation_target": "Steering"},
     {"max_consent_rounds": 2, "escalation_target": "Steering"},
     "If objections remain after 2 consent rounds, the proposal passes to the circle Steering."),
    ("sociocratic_election", {"role": "Treasurer", "term_months": "24", "reasons": ["object",
                                                                                    "nominate"]},
     {"role": "Treasurer", "term_months": 24},
     "Election for the role Treasurer, for 24 months."),
    ("majority", {"preset": "scic_sa_ago", "threshold_first": "two_thirds", "reasons": []},
     {"preset": "scic_sa_ago", "threshold": {"first": "two_thirds", "second": "absolute"}},
     "at least two thirds of the votes expressed on first convocation, more than half of the"
     " votes expressed on second; quorum one fifth on first convocation, none on second"),
    ("majority", {"preset": "", "threshold_first": "fraction", "threshold_num_first": "3",
                  "threshold_den_first": "5", "threshold_strict_first": "y", "base_first": "YNA",
                  "quorum_first": "none", "reasons": ["no"]},
     {"threshold": {"num": 3, "den": 5, "inclusive": False}, "base": "YNA", "quorum": None},
     "more than 3/5 of the votes for, against and abstentions; no quorum"),
    ("scic_college", {"preset": "association_default", "quorum_first": "fraction",
                      "quorum_num_first": "1", "quorum_den_first": "3",
                      "quorum_second": "fraction", "quorum_num_second": "1",
                      "quorum_den_second": "3", "reasons": []},
     {"preset": "association_default", "quorum": {"num": 1, "den": 3}},
     "more votes for than against; quorum one third"),
]


@pytest.mark.parametrize(("family", "fields", "params", "words"), CREATED,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CREATED)])
def test_a_facilitator_creates_a_proposal_of_each_family_through_the_page(
        app: Flask, client: FlaskClient, auth: Auth, coop: dict[str, int], family: str,
        fields: dict[str, Any], params: dict[str, Any], words: str) -> None:
    auth.login(FACILITATOR)
    response = client.post("/orgs/coop/proposals/new", data=form(family=family, **fields))
    assert response.status_code == 302, response.get_data(as_text=True)
    proposal = only_proposal(app)
    assert response.headers["Location"].endswith(f"/orgs/coop/proposals/{proposal.id}")
    assert proposal.family == family
    assert json.loads(proposal.params) == {
        **params, **({} if family in ("majority", "scic_college") or "object" in fields.get(
            "reasons", ["object"]) else {"objection_requires_reason": False})}
    assert proposals.check_rule(family, json.loads(proposal.params)) is None
    assert proposal.status is ProposalStatus.DRAFT
    assert proposal.author_id == coop["facilitator"]
    assert [v.body for v in proposal.versions] == ["We buy **two** cargo bikes."]
    assert proposal.reasons_required_for == set(fields.get("reasons", ["object"]))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert words in page
    assert "<strong>two</strong>" in page


def test_the_rule_options_are_each_in_their_group_and_nothing_is_written(
        app: Flask, client: FlaskClient, auth: Auth, coop: dict[str, int]) -> None:
    auth.login(FACILITATOR)
    page = client.get("/orgs/coop/proposals/new").get_data(as_text=True)
    assert '<option selected value="consent">' in page
    assert '<option selected value="scic_sa_ago">' in page  # the SCIC's default preset
    vote = page[page.index('data-families="majority scic_college"'):]
    vote = vote[:vote.index('data-families="consent"')]
    assert 'name="threshold_first"' in vote
    assert 'name="min_consents"' not in vote
    assert 'value="yes"' in vote
    assert 'value="object"' not in vote
    assert re.search(r'<input checked id="reasons_consent-\d" name="reasons_consent"'
                     r' type="checkbox" value="object">', page)
    data = form(family="majority", preview="1")
    del data["submit"]
    client.post("/orgs/coop/proposals/new", data=data)
    assert count(app) == 0


class BrowserForm(HTMLParser):
    """What a browser sends from a page's form left as it is: checked boxes, chosen options,
    text of the inputs; the submit buttons are left out."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None

    def _add(self, name: str | None, value: str | None) -> None:
        if name:
            self.data.setdefault(name, []).append(value or "")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("type") not in ("submit", "checkbox", "radio"):
            self._add(found.get("name"), found.get("value"))
        elif tag == "input" and "checked" in found:
            self._add(found.get("name"), found.get("value") or "on")
        elif tag == "select":
            self._select = found.get("name")
        elif tag == "option" and self._select and "selected" in found:
            self._add(self._select, found.get("value"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def browser_form(page: str, **fields: Any) -> dict[str, Any]:
    """The new proposal page's form as a browser sends it, with ``fields`` changed."""
    parser = BrowserForm()
    parser.feed(page)
    return {**parser.data, **fields}


def test_a_vote_is_created_straight_away_without_showing_its_options_first(
        app: Flask, client: FlaskClient, auth: Auth, coop: dict[str, int]) -> None:
    """Issue 9: choosing a vote on the fresh page and creating it failed on the objection's
    reason, a position of consent that a vote does not have."""
    auth.login(FACILITATOR)
    page = client.get("/orgs/coop/proposals/new").get_data(as_text=True)
    for family in ("majority", "scic_college"):
        data = browser_form(page, family=family, title="Buy two cargo bikes",
                            body="We buy two.", submit="1")
        response = client.post("/orgs/coop/proposals/new", data=data)
        assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        made = db.session().scalars(select(Proposal).order_by(Proposal.id)).all()
        assert [p.family for p in made] == ["majority", "scic_college"]
        assert json.loads(made[0].params) == {"preset": "scic_sa_ago"}
        assert all(p.reasons_required_for == set() for p in made)


def test_every_rule_has_its_group_of_fields_and_a_script_shows_the_chosen_one(
        client: FlaskClient, auth: Auth, coop: dict[str, int]) -> None:
    auth.login(FACILITATOR)
    page = client.get("/orgs/coop/proposals/new?family=majority").get_data(as_text=True)
    assert '<option selected value="majority">' in page
    for name in ("threshold_first", "min_consents", "max_consent_rounds", "role"):
        assert f'name="{name}"' in page
    groups = re.findall(r'<fieldset[^>]*data-families="([^"]+)"', page)
    assert {f for g in groups for f in g.split()} == set(DESCRIPTORS)
    assert re.search(r'<script src="/static/proposal-form\.js" defer>', page)
    assert "show_rule" not in page


def test_the_fields_of_a_rule_not_chosen_are_never_read(
        app: Flask, client: FlaskClient, auth: Auth, coop: dict[str, int]) -> None:
    auth.login(FACILITATOR)
    response = client.post("/orgs/coop/proposals/new", data=form(
        threshold_first="nonsense", threshold_num_first="many", min_consents="2",
        max_consent_rounds="x", reasons_vote=["object"], term_months="-"))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert json.loads(only_proposal(app).params) == {"min_consents": 2}


def test_errors_are_announced_at_the_top_of_the_form_with_links_to_their_fields(
        app: Flask, client: FlaskClient, auth: Auth, coop: dict[str, int]) -> None:
    auth.login(FACILITATOR)
    page = client.post("/orgs/coop/proposals/new", data=form(
        title="", family="majority", preset="scic_sa_ago", quorum_first="fraction",
        quorum_num_first="1")).get_data(as_text=True)
    summary = re.search(r'<div class="error-summary" id="error-summary" role="alert"'
                        r' tabindex="-1"[^>]*>(.*?)</div>', page, re.S)
    assert summary is not None
    assert summary.start() < page.index('name="title"')
    links = re.findall(r'<a href="#([\w-]+)">', summary.group(1))
    assert links == ["title", "quorum_den_first"]
    assert 'id="quorum_den_first"' in page
    assert "Give both numbers of the fraction." in summary.group(1)
    assert count(app) == 0


def test_each_vote_preset_is_offered_with_its_rule_in_plain_words(
        client: FlaskClient, auth: Auth, coop: dict[str, int]) -> None:
    auth.login(ADMIN)
    page = client.get("/orgs/coop/proposals/new?family=majority").get_data(as_text=True)
    assert ("SA ordinary general assembly: more than half of the votes expressed; quorum one"
            " fifth on first convocation, none on second") in page
    assert ("SA extraordinary general assembly: at least two thirds of the votes expressed;"
            " quorum one quarter on first convocation, one fifth on second") in page
    assert ("SARL ordinary decision: more than half of all members entitled to vote on first"
            " convocation, more than half of the votes expressed on second; no quorum") in page
    assert "Association, as the statutes decide: more votes for than against; no quorum" in page


def test_the_preview_shows_the_rendered_text_and_writes_nothing(
        app: Flask, client: FlaskClient, auth: Auth, coop: dict[str, int]) -> None:
    auth.login(FACILITATOR)
    data = form(body="# Bikes\n\n- *two* of them\n- [shop](https://example.org)",
                preview="1")
    del data["submit"]
    page = client.post("/orgs/coop/proposals/new", data=data).get_data(as_text=True)
    assert "<h1>Bikes</h1>" in page
    assert "<em>two</em>" in page
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">shop</a>' in page
    assert count(app) == 0


# The engine judges the rule -------------------------------------------------------------


REFUSED = [
    ("majority", {"quorum_first": "fraction", "quorum_num_first": "6", "quorum_den_first": "5"},
     "quorum_first", "more than the whole"),
    ("majority", {"preset": "", "base_first": "YN"}, "threshold_first", "missing"),
    ("majority", {"threshold_second": "fraction", "threshold_num_second": "1",
                  "threshold_den_second": "0"}, "threshold_den_second", "at least 1"),
    ("scic_college", {"preset": "", "threshold_second": "absolute", "base_second": "YN"},
     "threshold_first", "missing"),
    ("consent", {"min_consents": "-1"}, "min_consents", "at least 0"),
    ("sociocratic_consent", {"max_consent_rounds": "0"}, "max_consent_rounds", "at least 1"),
    ("sociocratic_election", {"term_months": "0"}, "term_months", "at least 1"),
]


@pytest.mark.parametrize(("family", "fields", "field", "message"), REFUSED,
                         ids=[f"{r[0]}-{r[2]}" for r in REFUSED])
def test_the_engine_refuses_bad_parameters_next_to_the_field_and_nothing_is_written(
        app: Flask, client: FlaskClient, auth: Auth, coop: dict[str, int], family: str,
        fields: dict[str, Any], field: str, message: str) -> None:
    auth.login(FACILITATOR)
    data = form(family=family, **({"preset": "scic_sa_ago"} | fields))
    response = client.post("/orgs/coop/proposals/new", data=data)
    assert response.status_code == 200
    shown = errors_of(response.get_data(as_text=True), field)
    assert "The decision engine refuses this" in shown
    assert message in shown
    assert count(app) == 0
    assert count(app, ProposalVersion) == 0


def test_a_fraction_with_a_number_missing_is_refused_next_to_that_number(
        app: Flask, client: FlaskClient, auth: Auth, coop: dict[str, int]) -> None:
    auth.login(FACILITATOR)
    page = client.post("/orgs/coop/proposals/new", data=form(
        family="majority", preset="scic_sa_ago", quorum_second="fraction",
        quorum_num_second="1")).get_data(as_text=True)
    assert "Give both numbers of the fraction." in errors_of(page, "quorum_den_second")
    assert count(app) == 0


def test_a_position_outside_the_family_cannot_require_a_reason(
        app: Flask, client: FlaskClient, auth: Auth, coop: dict[str, int]) -> None:
    auth.login(FACILITATOR)
    page = client.post("/orgs/coop/proposals/new", data=form(
        family="majority", preset="scic_sa_ago", reasons=["object"])).get_data(as_text=True)
    assert errors_of(page, "reasons_vote")
    assert count(app) == 0


def test_a_missing_title_or_text_is_said_next_to_the_field(
        app: Flask, client: FlaskClient, auth: Auth, coop: dict[str, int]) -> None:
    auth.login(FACILITATOR)
    page = client.post("/orgs/coop/proposals/new",
                       data=form(title="  ", body="")).get_data(as_text=True)
    assert errors_of(page, "title")
    assert errors_of(page, "body")
    assert count(app) == 0


# Who decides and the options ------------------------------------------------------------------


def test_a_circle_or_a_chosen_list_decides_and_the_page_says_who(
        app: Flask, client: FlaskClient, auth: Auth, coop: dict[str, int]) -> None:
    auth.login(FACILITATOR)
    page = client.post("/orgs/coop/proposals/new",
                       data=form(scope="circle")).get_data(as_text=True)
    assert "Choose the circle that decides." in errors_of(page, "circle")
    page = client.post("/orgs/coop/proposals/new",
                       data=form(scope="list")).get_data(as_text=True)
    assert "Choose at least one member who decides." in errors_of(page, "electors")
    assert count(app) == 0

    client.post("/orgs/coop/proposals/new", data=form(
        scope="list", electors=[str(coop["member"]), str(coop["other"])], hide_results="y",
        voters_visible="facilitators"))
    proposal = only_proposal(app)
    assert proposal.electorate_scope is ElectorateScope.LIST
    assert {e.membership_id for e in proposal.chosen_electors} == {coop["member"],
                                                                   coop["other"]}
    assert proposal.hide_results
    assert proposal.voters_visible is VotersVisibility.FACILITATORS
    page = client.get(f"/orgs/coop/proposals/{proposal.id}").get_data(as_text=True)
    assert "These members: mo, ola" in page
    assert "Hidden until the round closes." in page
    assert "Visible to: Facilitators and admins only." in page
    assert "Required for: Objection." in page

    client.post("/orgs/coop/proposals/new", data=form(scope="circle",
                                                      circle=str(coop["circle"])))
    with app.app_context():
        circled = db.session().scalars(select(Proposal).where(
            Proposal.electorate_scope == ElectorateScope.CIRCLE)).one()
        assert circled.circle_id == coop["circle"]
    assert count(app, ProposalElector) == 2


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"scope": "circle", "circle": "theirs"}, "circle", "Choose the circle that decides."),
    ({"scope": "list", "electors": ["theirs", "ours"]}, "electors",
     "Choose the members who decide among the current members of the organisation."),
], ids=["circle", "electors"])
def test_a_circle_or_electors_of_another_organisation_are_refused_by_the_page_and_the_api(
        app: Flask, client: FlaskClient, auth: Auth, coop: dict[str, int],
        make_org: Callable[..., Organisation], fields: dict[str, Any], field: str,
        message: str) -> None:
    # One rule in the service: the page and the API refuse in the same words.
    other = make_org("other")
    with unit(app) as session:
        circle = Circle(organisation_id=other.id, name="Theirs")
        session.add(circle)
        session.flush()
        theirs = {"circle": circle.id, "electors": session.scalar(select(Membership.id).where(
            Membership.organisation_id == other.id))}[field]
    chosen = {key: str(theirs) if value == "theirs" else [
        str(theirs) if v == "theirs" else str(coop["member"]) for v in value]
        if isinstance(value, list) else value for key, value in fields.items()}
    auth.login(FACILITATOR)
    page = client.post("/orgs/coop/proposals/new", data=form(**chosen)).get_data(as_text=True)
    assert errors_of(page, field).strip() == f"<li>{message}</li>"
    body = {"title": "Buy two cargo bikes", "body": "Two.", "family": "consent",
            "electorate_scope": fields["scope"]}
    if field == "circle":
        body["circle_id"] = theirs
    else:
        body["electors"] = [theirs, coop["member"]]
    answer = Api(client, token_for(app, FACILITATOR)).post("/organisations/coop/proposals",
                                                          body)
    assert answer.status_code == 422
    assert answer.get_json()["detail"] == message
    assert answer.get_json()["field"] == {"circle": "circle_id"}.get(field, field)
    assert count(app) == 0


def test_the_service_refuses_a_former_member_as_elector(
        app: Flask, coop: dict[str, int], clock: Clock) -> None:
    with unit(app) as session:
        organisation = session.get_one(Organisation, coop["organisation"])
        author = session.get_one(Membership, coop["facilitator"])
        session.get_one(Membership, coop["other"]).ended_at = clock()
        with pytest.raises(proposals.ProposalError) as refused:
            proposals.create_proposal(session, organisation, author, title="T", body="B",
                                      family="consent", params={}, now=clock(),
                                      scope=ElectorateScope.LIST,
                                      electors=[coop["member"], coop["other"]])
        assert (refused.value.code, refused.value.field) == ("proposal.electors_unknown",
                                                             "electors")


def test_an_objection_may_be_left_without_a_required_reason_and_the_engine_is_told(
        app: Flask, client: FlaskClient, auth: Auth, coop: dict[str, int]) -> None:
    auth.login(FACILITATOR)
    client.post("/orgs/coop/proposals/new", data=form(reasons=[]))
    proposal = only_proposal(app)
    assert json.loads(proposal.params) == {"objection_requires_reason": False}
    assert proposal.reasons_required_for == set()


# One proposal ----------------------------------------------------------------------------


def test_the_page_shows_the_rule_in_plain_words_and_the_rounds_in_the_organisation_time(
        app: Flask, client: FlaskClient, auth: Auth, coop: dict[str, int],
        clock: Clock) -> None:
    proposal_id = make_proposal(app, clock, coop["facilitator"], family="majority",
                                params={"preset": "scic_sa_ago"})
    with unit(app) as session:
        round_ = rounds.open_round(session, session.get_one(Proposal, proposal_id),
                                   RoundKind.VOTE, closes_at=clock() + timedelta(days=7),
                                   now=clock())
        round_id = round_.id
    auth.login(MEMBER)
    page = client.get(f"/orgs/coop/proposals/{proposal_id}").get_data(as_text=True)
    assert "Majority vote" in page
    assert "Preset: SA ordinary general assembly." in page
    assert ("Adopted with more than half of the votes expressed; quorum one fifth on first"
            " convocation, none on second.") in page
    assert "Under decision" in page
    # 9:00 UTC on 2 March is 10:00 in Paris, and 9 March at the deadline.
    assert "March 2, 2026 at 10:00\u202fAM (Europe/Paris)" in page
    assert "March 9, 2026 at 10:00\u202fAM (Europe/Paris)" in page
    assert "1. Vote" in page
    assert f'/orgs/coop/proposals/{proposal_id}/rounds/{round_id}"' in page
    assert "Publish a new version" not in page  # a member cannot amend


def test_members_see_proposals_by_status_and_drafts_only_when_theirs_or_facilitating(
        app: Flask, client: FlaskClient, auth: Auth, coop: dict[str, int],
        clock: Clock) -> None:
    draft = make_proposal(app, clock, coop["facilitator"], title="A draft idea")
    make_proposal(app, clock, coop["facilitator"], title="Open question",
                  status=ProposalStatus.OPEN)
    make_proposal(app, clock, coop["facilitator"], title="Settled matter",
                  status=ProposalStatus.DECIDED)
    make_proposal(app, clock, coop["facilitator"], title="Dropped idea",
                  status=ProposalStatus.WITHDRAWN)
    auth.login(MEMBER)
    page = client.get("/orgs/coop/proposals/").get_data(as_text=True)
    for title in ("Open question", "Settled matter", "Dropped idea"):
        assert title in page
    assert "A draft idea" not in page
    assert client.get(f"/orgs/coop/proposals/{draft}").status_code == 404
    assert client.get(f"/orgs/coop/proposals/{draft}/versions").status_code == 404
    assert page.index("Under decision") < page.index("Decided") < page.index("Withdrawn")
    auth.logout()
    auth.login(FACILITATOR)
    page = client.get("/orgs/coop/proposals/").get_data(as_text=True)
    assert "A draft idea" in page
    assert client.get(f"/orgs/coop/proposals/{draft}").status_code == 200


def test_a_proposal_of_another_organisation_is_not_found(
        app: Flask, client: FlaskClient, auth: Auth, coop: dict[str, int], clock: Clock,
        make_org: Callable[..., Organisation]) -> None:
    other = make_org("other", admin=ADMIN)
    with app.app_context():
        admin_there = db.session().scalar(select(Membership.id).where(
            Membership.organisation_id == other.id))
    assert admin_there is not None
    theirs = make_proposal(app, clock, admin_there, status=ProposalStatus.DECIDED)
    auth.login(ADMIN)
    for path in ("", "/versions", "/amend", "/outcome"):
        assert client.get(f"/orgs/coop/proposals/{theirs}{path}").status_code == 404
    for path in ("/amend", "/withdraw", "/outcome"):
        assert client.post(f"/orgs/coop/proposals/{theirs}{path}",
                           data={"summary": "x"}).status_code == 404
    assert client.get(f"/orgs/other/proposals/{theirs}").status_code == 200


# Versions, amending and the differences ------------------------------------------------------


def test_amending_publishes_a_version_and_the_differences_are_shown_escaped(
        app: Flask, client: FlaskClient, auth: Auth, coop: dict[str, int],
        clock: Clock) -> None:
    proposal_id = make_proposal(app, clock, coop["facilitator"],
                                body="We buy two bikes.\nFrom <b>Shop A</b>.\nThe end.")
    auth.login(FACILITATOR)
    page = client.get(f"/orgs/coop/proposals/{proposal_id}/amend").get_data(as_text=True)
    assert "We buy two bikes." in page  # the current text to start from
    clock.advance(hours=2)
    response = client.post(f"/orgs/coop/proposals/{proposal_id}/amend", data={
        "title": "Buy three cargo bikes", "body": "We buy three bikes.\nFrom <b>Shop A</b>.\n"
        "The end.", "summary": "Three bikes, after Mo's objection.", "submit": "1"})
    assert response.status_code == 302
    proposal = only_proposal(app)
    assert [v.number for v in proposal.versions] == [1, 2]
    assert proposal.title == "Buy three cargo bikes"
    page = client.get(f"/orgs/coop/proposals/{proposal_id}").get_data(as_text=True)
    assert "Version 2, published" in page

    page = client.get(f"/orgs/coop/proposals/{proposal_id}/versions").get_data(as_text=True)
    assert "Three bikes, after Mo&#39;s objection." in page
    assert "First version." in page
    assert ('<del><span class="visually-hidden">removed: </span>We buy two bikes.</del>'
            in page)
    assert ('<ins><span class="visually-hidden">added: </span>We buy three bikes.</ins>'
            in page)
    assert "From &lt;b&gt;Shop A&lt;/b&gt;." in page  # Markdown source, escaped
    assert "<b>Shop A</b>" not in page
    assert "<del><span class=\"visually-hidden\">removed: </span>Buy two cargo bikes</del>" in page
    same = client.get(f"/orgs/coop/proposals/{proposal_id}/versions?a=2&b=2")
    assert "Choose two different versions" in same.get_data(as_text=True)
    reverse = client.get(f"/orgs/coop/proposals/{proposal_id}/versions?a=2&b=1")
    assert ('<ins><span class="visually-hidden">added: </span>We buy two bikes.</ins>'
            in reverse.get_data(as_text=True))


def test_comparing_a_version_that_does_not_exist_is_said_next_to_the_field(
        app: Flask, client: FlaskClient, auth: Auth, coop: dict[str, int],
        clock: Clock) -> None:
    proposal_id = make_proposal(app, clock, coop["facilitator"], status=ProposalStatus.OPEN)
    auth.login(MEMBER)
    page = client.get(f"/orgs/coop/proposals/{proposal_id}/versions?a=7&b=x")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert errors_of(text, "a")
    assert errors_of(text, "b")
    assert "There is only one version so far." not in text


def test_an_amendment_needs_a_summary_and_no_open_round_and_writes_nothing_otherwise(
        app: Flask, client: FlaskClient, auth: Auth, coop: dict[str, int],
        clock: Clock) -> None:
    proposal_id = make_proposal(app, clock, coop["facilitator"])
    auth.login(ADMIN)
    data = {"title": "New title", "body": "New text", "summary": "", "submit": "1"}
    page = client.post(f"/orgs/coop/proposals/{proposal_id}/amend",
                       data=data).get_data(as_text=True)
    assert "Say what changed in this version." in errors_of(page, "summary")
    with unit(app) as session:
        rounds.open_round(session, session.get_one(Proposal, proposal_id), RoundKind.CONSENT,
                          closes_at=clock() + timedelta(days=3), now=clock())
    page = client.post(f"/orgs/coop/proposals/{proposal_id}/amend",
                       data={**data, "summary": "Clearer."}).get_data(as_text=True)
    assert "Close the open round before publishing a new version." in page
    assert count(app, ProposalVersion) == 1


def test_the_amendment_preview_renders_the_new_text_and_writes_nothing(
        app: Flask, client: FlaskClient, auth: Auth, coop: dict[str, int],
        clock: Clock) -> None:
    proposal_id = make_proposal(app, clock, coop["facilitator"])
    auth.login(FACILITATOR)
    page = client.post(f"/orgs/coop/proposals/{proposal_id}/amend", data={
        "title": "T", "body": "Now **three**", "summary": "", "preview": "1"})
    text = page.get_data(as_text=True)
    assert "<strong>three</strong>" in text
    assert 'id="summary-errors"' not in text
    assert count(app, ProposalVersion) == 1


def test_withdrawing_cancels_the_open_round_and_a_withdrawn_proposal_stays_so(
        app: Flask, client: FlaskClient, auth: Auth, coop: dict[str, int],
        clock: Clock) -> None:
    proposal_id = make_proposal(app, clock, coop["facilitator"])
    with unit(app) as session:
        rounds.open_round(session, session.get_one(Proposal, proposal_id), RoundKind.CONSENT,
                          closes_at=clock() + timedelta(days=3), now=clock())
    auth.login(FACILITATOR)
    response = client.post(f"/orgs/coop/proposals/{proposal_id}/withdraw", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "The proposal is withdrawn." in page
    assert "cancelled" in page
    proposal = only_proposal(app)
    assert proposal.status is ProposalStatus.WITHDRAWN
    page = client.post(f"/orgs/coop/proposals/{proposal_id}/withdraw",
                       follow_redirects=True).get_data(as_text=True)
    assert "Only a proposal not yet decided can be withdrawn." in page
    page = client.get(f"/orgs/coop/proposals/{proposal_id}/amend").get_data(as_text=True)
    assert "A decided or withdrawn proposal cannot be amended." in page
    assert 'name="summary"' not in page


# The outcome -----------------------------------------------------------------------------


def test_the_facilitator_writes_the_outcome_statement_and_review_date_after_the_decision(
        app: Flask, client: FlaskClient, auth: Auth, coop: dict[str, int],
        clock: Clock) -> None:
    undecided = make_proposal(app, clock, coop["facilitator"], status=ProposalStatus.OPEN)
    decided = make_proposal(app, clock, coop["facilitator"], status=ProposalStatus.DECIDED)
    auth.login(FACILITATOR)
    response = client.get(f"/orgs/coop/proposals/{undecided}/outcome", follow_redirects=True)
    assert "The outcome is recorded once the proposal is decided." in response.get_data(
        as_text=True)

    page = client.post(f"/orgs/coop/proposals/{decided}/outcome", data={
        "statement": "Adopted.", "review_date": "2026-03-01"}).get_data(as_text=True)
    assert "Choose a review date after the decision." in errors_of(page, "review_date")
    page = client.post(f"/orgs/coop/proposals/{decided}/outcome", data={
        "statement": "", "review_date": ""}).get_data(as_text=True)
    assert "Write the outcome statement." in errors_of(page, "statement")
    with app.app_context():
        assert db.session().get_one(Proposal, decided).outcome_statement == ""

    response = client.post(f"/orgs/coop/proposals/{decided}/outcome", data={
        "statement": "Adopted: **Mo** orders the bikes.", "review_date": "2027-03-01"})
    assert response.status_code == 302
    page = client.get(f"/orgs/coop/proposals/{decided}").get_data(as_text=True)
    assert "<strong>Mo</strong> orders the bikes." in page
    assert "Review date: March 1, 2027." in page
    assert "adopted" in page
    with app.app_context():
        assert db.session().get_one(Proposal, decided).review_date == date(2027, 3, 1)


def test_members_read_the_outcome_but_may_not_write_it(
        app: Flask, client: FlaskClient, auth: Auth, coop: dict[str, int],
        clock: Clock) -> None:
    decided = make_proposal(app, clock, coop["facilitator"], status=ProposalStatus.DECIDED)
    auth.login(MEMBER)
    assert client.get(f"/orgs/coop/proposals/{decided}/outcome").status_code == 403
    assert client.post(f"/orgs/coop/proposals/{decided}/outcome",
                       data={"statement": "Mine"}).status_code == 403
    page = client.get(f"/orgs/coop/proposals/{decided}").get_data(as_text=True)
    assert "The facilitator has not written the outcome statement yet." in page
    assert "Write the outcome statement" not in page.replace(
        "has not written the outcome statement", "")


# Members putting forward proposals ----------------------------------------------------------


def test_members_put_forward_proposals_only_when_the_organisation_allows_it(
        app: Flask, client: FlaskClient, auth: Auth, coop: dict[str, int],
        clock: Clock) -> None:
    auth.login(MEMBER)
    assert "New proposal" not in client.get("/orgs/coop/proposals/").get_data(as_text=True)
    assert client.get("/orgs/coop/proposals/new").status_code == 403
    assert client.post("/orgs/coop/proposals/new", data=form()).status_code == 403
    assert count(app) == 0
    auth.logout()

    auth.login(ADMIN)
    page = client.get("/orgs/coop/settings").get_data(as_text=True)
    assert "Members may put forward proposals" in page
    response = client.post("/orgs/coop/settings", data={
        "name": "Coop", "timezone": "Europe/Paris", "is_scic": "y",
        "allow_member_proposals": "y"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session().get_one(Organisation, coop["organisation"]).allow_member_proposals
    auth.logout()

    auth.login(MEMBER)
    assert "New proposal" in client.get("/orgs/coop/proposals/").get_data(as_text=True)
    response = client.post("/orgs/coop/proposals/new", data=form(title="Mo's idea"))
    assert response.status_code == 302
    mine = only_proposal(app)
    assert mine.author_id == coop["member"]
    page = client.get(f"/orgs/coop/proposals/{mine.id}").get_data(as_text=True)
    assert "Publish a new version" in page  # the author amends their own proposal
    response = client.post(f"/orgs/coop/proposals/{mine.id}/amend", data={
        "title": "Mo's idea", "body": "Better.", "summary": "Clearer.", "submit": "1"})
    assert response.status_code == 302
    auth.logout()

    auth.login(OTHER)
    assert client.get(f"/orgs/coop/proposals/{mine.id}").status_code == 404  # a draft
    facilitator_one = make_proposal(app, clock, coop["facilitator"],
                                    status=ProposalStatus.OPEN)
    assert client.get(f"/orgs/coop/proposals/{facilitator_one}/amend").status_code == 403
    assert client.post(f"/orgs/coop/proposals/{facilitator_one}/withdraw").status_code == 403


def test_a_member_who_proposed_may_no_longer_amend_once_members_may_not_propose(
        app: Flask, client: FlaskClient, auth: Auth, coop: dict[str, int],
        clock: Clock) -> None:
    mine = make_proposal(app, clock, coop["member"], status=ProposalStatus.OPEN)
    auth.login(MEMBER)
    assert client.get(f"/orgs/coop/proposals/{mine}").status_code == 200
    assert client.get(f"/orgs/coop/proposals/{mine}/amend").status_code == 403


def test_the_settings_keep_members_from_proposing_by_default(
        app: Flask, coop: dict[str, int]) -> None:
    with app.app_context():
        assert not db.session().get_one(Organisation,
                                        coop["organisation"]).allow_member_proposals


def test_times_follow_the_organisation_time_zone(
        app: Flask, client: FlaskClient, auth: Auth, coop: dict[str, int],
        clock: Clock) -> None:
    with unit(app) as session:
        session.get_one(Organisation, coop["organisation"]).timezone = "America/Montreal"
    clock.now = datetime(2026, 7, 1, 3, 30, tzinfo=UTC)
    proposal_id = make_proposal(app, clock, coop["facilitator"])
    auth.login(FACILITATOR)
    page = client.get(f"/orgs/coop/proposals/{proposal_id}").get_data(as_text=True)
    assert "June 30, 2026 at 11:30\u202fPM (America/Montreal)" in page


def test_a_french_speaking_member_reads_the_rule_and_the_times_in_french(
        app: Flask, client: FlaskClient, auth: Auth, coop: dict[str, int], clock: Clock,
        make_user: Callable[..., Any], make_member: Callable[..., Membership]) -> None:
    make_user("lea@example.org", language="fr")
    with app.app_context():
        organisation = db.session().get_one(Organisation, coop["organisation"])
    make_member(organisation, "lea@example.org")
    proposal_id = make_proposal(app, clock, coop["facilitator"], family="majority",
                                params={"preset": "scic_sa_ago"}, status=ProposalStatus.OPEN)
    auth.login("lea@example.org")
    page = client.get(f"/orgs/coop/proposals/{proposal_id}").get_data(as_text=True)
    assert ("Adoptée avec plus de la moitié des voix exprimées ; quorum un cinquième sur"
            " première convocation, aucun sur seconde.") in page
    assert "2 mars 2026 à 10:00 (Europe/Paris)" in page
    assert "En cours de décision" in page


def test_a_secret_vote_is_chosen_on_the_page_and_refused_for_consent(
        app: Flask, client: FlaskClient, auth: Auth, coop: dict[str, int]) -> None:
    auth.login(FACILITATOR)
    secret = {"secret": "y"}  # the form's checkbox
    refused = client.post("/orgs/coop/proposals/new",
                          data=form(family="consent", reasons=[], **secret))
    assert refused.status_code == 200
    assert "Only votes can be secret" in refused.get_data(as_text=True)
    assert count(app) == 0
    created = client.post("/orgs/coop/proposals/new",
                          data=form(family="majority", reasons=[], **secret,
                                    preset="association_default"))
    assert created.status_code == 302, created.get_data(as_text=True)
    proposal = only_proposal(app)
    assert proposal.secret is True
    assert proposal.hide_results is True
