"""Journeys through the application in Chromium, in English and in French, as people take
them: signing in; a facilitator puts forward a consent proposal and opens its round, three
members answer (one objects with a reason, then withdraws), the round closes at its deadline
and the outcome and its explanation appear; a vote by colleges from the proposal to its
results; the proposal, round, results and audit pages on a 375 px phone, without scrolling
sideways, the menu folded; voting with the keyboard alone.

axe-core runs in every page the journeys visit and the test fails on any WCAG 2.2 A or AA
violation (``axe.py``); each step leaves its screenshot in test-artifacts/screenshots/
(``journey-<language>-...``). One server and one organisation per language serve the whole
module; the server's clock is moved past deadlines instead of waiting."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize

from decisions.web import db, scheduler
from decisions.web.models import Organisation, RoundKind
from decisions.web.services import proposals, rounds

from ..web.conftest import PASSWORD, new_member, new_organisation
from . import axe
from .conftest import NARROW, LiveServer, screenshot

pytestmark = pytest.mark.browser

LANGUAGES = ["en", "fr"]
#: What a browser set to each language sends as Accept-Language (the accounts choose none).
LOCALES = {"en": "en-GB", "fr": "fr-FR"}
ZONE = ZoneInfo("Europe/Paris")  # the organisations' time zone
COLLEGES = {"workers": 40, "users": 40, "partners": 20}
#: The members of each organisation: (name, college), two per college.
MEMBERS = [("ana", "workers"), ("bo", "workers"), ("cy", "users"), ("di", "users"),
           ("ed", "partners"), ("flo", "partners")]
#: Words the pages say, by language.
WORDS: dict[str, dict[str, str]] = {
    "en": {"adopted": "Outcome: adopted", "withdrew": "withdrew their objection",
           "weighted": "Weighted share for", "current": "Your current position:",
           "menu": "Menu", "withdrew_history": "withdrawn by its author"},
    "fr": {"adopted": "Résultat : adoptée", "withdrew": "a retiré son objection",
           "weighted": "Part pondérée pour", "current": "Votre position actuelle :",
           "menu": "Menu", "withdrew_history": "retirée par son auteur·rice"},
}


@dataclass(frozen=True)
class Coop:
    """One organisation of the journeys, in one language: its people's e-mails, and pages
    prepared through the services (an open consent round, a vote by colleges with results)."""

    language: str
    slug: str
    facilitator: str
    members: dict[str, str]
    open_round: str
    college_proposal: str
    college_round: str

    def email(self, name: str) -> str:
        return self.members[name]

    def page(self, path: str) -> str:
        return f"/orgs/{self.slug}{path}"


def _build(live: LiveServer, language: str) -> Coop:
    slug = f"journeys-{language}"
    admin = f"admin@{slug}.example.org"
    organisation = new_organisation(live.app, slug, admin, colleges=dict(COLLEGES))
    facilitator = f"fanny@{slug}.example.org"
    new_member(live.app, organisation, facilitator, role="facilitator", college="workers")
    members = {name: f"{name}@{slug}.example.org" for name, _college in MEMBERS}
    for name, college in MEMBERS:
        new_member(live.app, organisation, members[name], college=college)
    now = live.clock()
    with live.app.app_context(), db.transaction() as session:
        org = session.get_one(Organisation, organisation.id)
        by_email = {m.user.email: m for m in org.memberships}
        author = by_email[facilitator]
        consent = proposals.create_proposal(
            session, org, author, title="Keyboard" if language == "en" else "Clavier",
            body="To answer with the keyboard.", family="consent",
            params={"preset": "consent_async"}, now=now - timedelta(hours=2))
        waiting = rounds.open_round(session, consent, RoundKind.CONSENT,
                                    now=now - timedelta(hours=1),
                                    closes_at=now + timedelta(days=30))
        vote = proposals.create_proposal(
            session, org, author, title="Accounts 2025" if language == "en" else "Comptes 2025",
            body="Approve the accounts.", family="scic_college",
            params={"preset": "scic_sa_ago"}, now=now - timedelta(days=3))
        held = rounds.open_round(session, vote, RoundKind.VOTE, now=now - timedelta(days=2),
                                 closes_at=now - timedelta(days=1))
        for step, (name, position) in enumerate(
                [("ana", "yes"), ("cy", "yes"), ("di", "no"), ("ed", "yes"),
                 ("flo", "abstain")], start=1):
            rounds.cast_ballot(session, held.id, by_email[members[name]].id, position,
                               now=now - timedelta(days=2) + timedelta(hours=step))
        rounds.close_round(session, held.id, now=now - timedelta(days=1))
        paths = (f"/proposals/{consent.id}/rounds/{waiting.id}", f"/proposals/{vote.id}",
                 f"/proposals/{vote.id}/rounds/{held.id}")
    return Coop(language, slug, facilitator, members, *paths)


@pytest.fixture(scope="module")
def coops(live_server: LiveServer) -> dict[str, Coop]:
    """One organisation per language on this module's server."""
    return {language: _build(live_server, language) for language in LANGUAGES}


class Tour:
    """One person's browser in one language: every page it visits is checked by axe-core
    and photographed (``journey-<language>-<journey>-<step>``)."""

    def __init__(self, browser: Browser, live: LiveServer, language: str, journey: str,
                 viewport: ViewportSize | None = None) -> None:
        options: dict[str, Any] = {"locale": LOCALES[language]}
        if viewport is not None:
            options["viewport"] = viewport
        self.context: BrowserContext = browser.new_context(**options)
        axe.install(self.context)
        self.live, self.language, self.journey = live, language, journey
        self.page: Page = self.context.new_page()
        self.steps = 0

    def check(self, step: str) -> Page:
        """The page as it is now passes axe-core; its screenshot is kept."""
        self.steps += 1
        self.page.wait_for_load_state()
        found = axe.violations(self.page)
        screenshot(self.page, f"journey-{self.language}-{self.journey}-{self.steps:02d}-{step}")
        assert found == [], (self.page.url, found)
        return self.page

    def visit(self, path: str, step: str) -> Page:
        response = self.page.goto(self.live.url + path)
        assert response is not None
        assert response.status == 200, (path, response.status)
        return self.check(step)

    def submit(self, form: str, step: str, button: str = "button[type=submit]") -> Page:
        """Press the submit ``button`` of the form matched by ``form`` and check the page
        the answer leads to."""
        with self.page.expect_navigation():
            self.page.click(f"{form} {button}")
        return self.check(step)

    def sign_in(self, email: str) -> None:
        """Through the sign-in page, which is checked too."""
        self.visit("/auth/login", "sign-in")
        self.page.fill("input[name=email]", email)
        self.page.fill("input[name=password]", PASSWORD)
        self.submit("main form", "signed-in")
        assert "/auth/login" not in self.page.url

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def tours(browser: Browser, live_server: LiveServer) -> Iterator[list[Tour]]:
    """The browsers a test opens, closed after it."""
    opened: list[Tour] = []
    yield opened
    for tour in opened:
        tour.close()


def _tour(tours: list[Tour], browser: Browser, live: LiveServer, language: str,
          journey: str, email: str, viewport: ViewportSize | None = None) -> Tour:
    tour = Tour(browser, live, language, journey, viewport)
    tours.append(tour)
    tour.sign_in(email)
    return tour


def _deadline(live: LiveServer, days: int) -> str:
    """A deadline ``days`` from the server's clock, as the form takes it (local time)."""
    local = (live.clock() + timedelta(days=days)).astimezone(ZONE)
    return local.strftime("%Y-%m-%dT%H:%M")


def _close_due(live: LiveServer, past: datetime) -> None:
    """Move the server's clock past ``past`` and let the scheduler's job close what is due."""
    live.clock.now = max(live.clock(), past + timedelta(minutes=1))
    scheduler.close_due_rounds(live.app)


def _propose(tour: Tour, coop: Coop, title: str, family: str,
             preset: str | None = None) -> str:
    """A facilitator drafts a proposal through its form, then opens its first round; the
    round's path."""
    tour.visit(coop.page("/proposals/new"), "new-proposal")
    page = tour.page
    page.fill("input[name=title]", title)
    page.fill("textarea[name=body]", f"## {title}\n\nWe propose **this**.")
    page.select_option("select[name=family]", family)
    if preset:
        page.select_option("select[name=preset]", preset)
    tour.submit("main form", "draft", "button[name=submit]")
    page.click("a[href$='/rounds/open']")
    tour.check("open-round")
    page.fill("input[name=closes_at]", _deadline(tour.live, 2))
    tour.submit("main form", "round-opened")
    path = page.url.removeprefix(tour.live.url)
    assert "/rounds/" in path, path
    return path


def _answer(tour: Tour, path: str, position: str, reason: str = "") -> None:
    tour.visit(path, "round")
    tour.page.check(f"input[name=position][value={position}]")
    if reason:
        tour.page.fill("textarea[name=reason]", reason)
    tour.submit("form[action$='/vote']", f"answered-{position}")
    assert WORDS[tour.language]["current"] in tour.page.inner_text("main")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_consent_round_from_the_proposal_to_its_explained_outcome(
        language: str, browser: Browser, live_server: LiveServer, coops: dict[str, Coop],
        tours: list[Tour]) -> None:
    coop, words = coops[language], WORDS[language]
    facilitator = _tour(tours, browser, live_server, language, "consent", coop.facilitator)
    path = _propose(facilitator, coop, f"Summer hours ({language})", "consent")
    answers = [("ana", "consent", ""), ("bo", "object", "The morning riders were not asked."),
               ("cy", "consent", "")]
    for name, position, reason in answers:
        member = _tour(tours, browser, live_server, language, f"consent-{name}",
                       coop.email(name))
        _answer(member, path, position, reason)
    # The objector withdraws; the facilitator records it, as the objector decided.
    facilitator.visit(path, "objection-standing")
    page = facilitator.page
    page.check("input[name=action][value=withdrawn]")
    page.check("input[name=decided_by][value=objector]")
    page.fill("textarea[name=rationale]", "Bo asked the morning riders.")
    facilitator.submit("form[action$='/qualify']", "objection-withdrawn")
    assert words["withdrew"] in page.inner_text("main")
    deadline = datetime.fromisoformat(_deadline(live_server, 2)).replace(tzinfo=ZONE)
    _close_due(live_server, deadline)
    facilitator.visit(f"{path}/results", "results")
    outcome = page.inner_text("section[aria-labelledby=outcome-title]")
    assert words["adopted"] in outcome
    assert len(outcome.splitlines()) >= 2  # the explanation under the outcome
    assert page.locator("svg.chart-positions").count() == 1
    assert page.locator("svg.chart-evolution").count() == 1
    # The whole history of the proposal, on paper: no menu, the charts kept.
    proposal = path.split("/rounds/")[0]
    facilitator.visit(f"{proposal}/history", "history")
    assert words["withdrew_history"] in page.inner_text("main")
    page.emulate_media(media="print")
    assert not page.locator("header.top").is_visible()
    assert page.locator("svg.chart-positions").first.is_visible()
    screenshot(page, f"journey-{language}-consent-history-print")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_vote_by_colleges_from_the_proposal_to_its_results(
        language: str, browser: Browser, live_server: LiveServer, coops: dict[str, Coop],
        tours: list[Tour]) -> None:
    coop, words = coops[language], WORDS[language]
    facilitator = _tour(tours, browser, live_server, language, "colleges", coop.facilitator)
    path = _propose(facilitator, coop, f"Budget 2027 ({language})", "scic_college",
                    "scic_sa_ago")
    for name, position in [("ana", "yes"), ("bo", "yes"), ("cy", "no"), ("di", "yes"),
                           ("ed", "yes")]:
        member = _tour(tours, browser, live_server, language, f"colleges-{name}",
                       coop.email(name))
        _answer(member, path, position)
    deadline = datetime.fromisoformat(_deadline(live_server, 2)).replace(tzinfo=ZONE)
    _close_due(live_server, deadline)
    page = facilitator.visit(f"{path}/results", "results")
    assert words["adopted"] in page.inner_text("section[aria-labelledby=outcome-title]")
    colleges = page.inner_text("section[aria-labelledby=colleges-title]")
    for college in COLLEGES:
        assert college in colleges
    chart = page.locator("svg.chart-colleges")
    assert chart.count() == 1
    assert words["weighted"] in (chart.text_content() or "")


#: The pages read on a phone: the vote by colleges' proposal, round and results, and the
#: audit log.
PHONE_PAGES = ["proposal", "round", "results", "audit"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_phone_reads_every_page_without_scrolling_sideways_the_menu_folded(
        language: str, browser: Browser, live_server: LiveServer, coops: dict[str, Coop],
        tours: list[Tour]) -> None:
    coop = coops[language]
    phone = _tour(tours, browser, live_server, language, "phone", coop.email("di"),
                  viewport=NARROW)
    paths = {"proposal": coop.college_proposal, "round": coop.college_round,
             "results": f"{coop.college_round}/results", "audit": "/audit"}
    for name in PHONE_PAGES:
        page = phone.visit(coop.page(paths[name]), name)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= NARROW["width"], (name, width)
        header = page.locator("header.top").bounding_box()
        assert header is not None
        assert header["height"] < NARROW["height"] / 8, (name, header)  # the menu is folded
        assert not page.locator("header.top a[href$='/audit']").is_visible()
    summary = page.locator("details.menu > summary")
    assert summary.inner_text().startswith(WORDS[language]["menu"])
    summary.click()
    assert page.locator("header.top a[href$='/audit']").is_visible()
    phone.check("menu-open")
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]


def _tab_to(page: Page, selector: str, limit: int = 60) -> None:
    """Press Tab until the element matched by ``selector`` has the focus."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_member_votes_with_the_keyboard_alone(
        language: str, browser: Browser, live_server: LiveServer, coops: dict[str, Coop],
        tours: list[Tour]) -> None:
    coop = coops[language]
    tour = Tour(browser, live_server, language, "keyboard")
    tours.append(tour)
    page = tour.visit("/auth/login", "sign-in")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip')")
    _tab_to(page, "input[name=email]")
    page.keyboard.type(coop.email("ed"))
    _tab_to(page, "input[name=password]")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tour.check("signed-in")
    tour.visit(coop.page(coop.open_round), "round")
    _tab_to(page, "input[name=position]")
    for _ in range(5):  # arrows move through the positions, choosing as they go
        if page.evaluate("document.activeElement.value") == "consent":
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    assert page.is_checked("input[name=position][value=consent]")
    _tab_to(page, "form[action$='/vote'] button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tour.check("voted")
    assert WORDS[language]["current"] in page.inner_text("main")
