"""Every page fits a 375 px screen without losing information (issue 9), measured in Chromium:
no horizontal scroll of the page, nothing with text cut off by the edge of the screen (a wide
table may scroll inside itself), no header hidden, the column headers of a stacked table
repeated in each of its cells, the long unbroken title wrapped, every college named."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from . import world
from .conftest import NARROW, LiveServer, screenshot

pytestmark = pytest.mark.browser

#: The pages read by an admin of the demo network, by name: their path in the organisation,
#: or the attribute of the world that holds it.
PAGES = {
    "home": "/",
    "proposals": "/proposals/",
    "proposal": "long_proposal",
    "round-secret": "secret_round",
    "round-open": "open_round",
    "results-secret": "secret_results",
    "results-colleges": "college_results",
    "audit": "/audit",
    "members": "/members",
    "colleges": "/colleges",
    "versions": "amended_versions",
}
#: The pages that show the long unbroken title.
WITH_LONG_TITLE = ["proposals", "proposal", "round-secret", "results-secret"]
COLLEGES = {"Salariés", "Usagers", "Partenaires"}

#: What the page shows beyond the screen's edges, hides or makes unreadable: elements with text
#: of their own whose box crosses an edge, unless a scrolling ancestor keeps them reachable or
#: they are hidden on purpose for screen readers (clipped); headers not displayed; stacked
#: cells without their column's name before them; words split over several lines although
#: they would fit in half the screen (a table squeezed to the screen's width, letter by
#: letter, instead of scrolling inside itself).
LOST = r"""(width) => {
  const clipped = (el) => { for (let a = el; a; a = a.parentElement) {
      if (getComputedStyle(a).clip !== 'auto' || a.classList.contains('skip')) return true; }
    return false; };
  const scrolled = (el) => { for (let a = el.parentElement; a && a !== document.body;
      a = a.parentElement) { const o = getComputedStyle(a).overflowX;
      if (o === 'auto' || o === 'scroll') return true; }
    return false; };
  const ownText = (el) => [...el.childNodes].some(
    (n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
  const name = (el) => el.tagName.toLowerCase() + ': ' + el.textContent.trim().slice(0, 40);
  const lost = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (clipped(el)) continue;
    if (el.matches('th, td') && getComputedStyle(el).display === 'none') {
      lost.push('not displayed ' + name(el)); continue; }
    const box = el.getBoundingClientRect();
    if (ownText(el) && box.width > 0 && (box.left < -0.5 || box.right > width + 0.5)
        && !scrolled(el)) lost.push(`beyond the edge (${box.left}..${box.right}) ${name(el)}`);
    if (el.matches('table.stack td[data-label]') && getComputedStyle(el).display === 'block'
        && !getComputedStyle(el, '::before').content.includes(el.dataset.label))
      lost.push('no column name ' + name(el));
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (clipped(node.parentElement)) continue;
    for (const word of node.textContent.matchAll(/[^\s\-\u2010-\u2014\/]+/g)) {
      const range = document.createRange();
      range.setStart(node, word.index);
      range.setEnd(node, word.index + word[0].length);
      const pieces = [...range.getClientRects()].filter((r) => r.width > 0);
      const lines = new Set(pieces.map((r) => Math.round(r.top)));
      const wide = pieces.reduce((sum, r) => sum + r.width, 0);
      if (lines.size > 1 && wide <= width / 2)
        lost.push(`word split over ${lines.size} lines: ${word[0]}`);
    }
  }
  return lost;
}"""
#: The boxes of the elements whose own text holds the long title.
TITLE_BOXES = """(title) => [...document.body.querySelectorAll('*')].filter(
  (el) => [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE
                                         && n.textContent.includes(title)))
  .map((el) => { const box = el.getBoundingClientRect();
    return {left: box.left, right: box.right, height: box.height,
            line: parseFloat(getComputedStyle(el).fontSize)}; })"""


@pytest.fixture(scope="module")
def demo_world(live_server: LiveServer) -> world.World:
    """The demo network with its secret vote on a long title, on this module's server."""
    return world.build(live_server)


@pytest.fixture(scope="module")
def admin(browser: Browser, live_server: LiveServer, demo_world: world.World,
          ) -> Iterator[BrowserContext]:
    """A phone screen (375 by 812 px) signed in as the network's admin (who reads French)."""
    context = browser.new_context(viewport=NARROW)
    live_server.sign_in(context, world.ADMIN, world.PASSWORD)
    yield context
    context.close()


class Tabs:
    """The pages of the list, each loaded once in a tab of its own (and its screenshot saved)
    the first time a test reads it, then kept open for the module's other tests."""

    def __init__(self, context: BrowserContext, live_server: LiveServer,
                 demo_world: world.World) -> None:
        self.context, self.live_server, self.world = context, live_server, demo_world
        self.open: dict[str, Page] = {}

    def __getitem__(self, name: str) -> Page:
        if name not in self.open:
            where = PAGES[name]
            path = self.world.page(where if where.startswith("/")
                                   else getattr(self.world, where))
            page = self.context.new_page()
            response = page.goto(self.live_server.url + path)
            assert response is not None
            assert response.status == 200, (name, response.status)
            screenshot(page, f"narrow-{name}")
            self.open[name] = page
        return self.open[name]


@pytest.fixture(scope="module")
def tabs(admin: BrowserContext, live_server: LiveServer, demo_world: world.World) -> Tabs:
    """The pages of the list on the phone screen, loaded once."""
    return Tabs(admin, live_server, demo_world)


@pytest.mark.parametrize("name", PAGES)
def test_no_page_scrolls_sideways(name: str, tabs: Tabs, record_property: Any) -> None:
    width = tabs[name].evaluate("document.documentElement.scrollWidth")
    record_property("scroll_width", width)
    assert width <= NARROW["width"], f"{name} is {width} px wide"


@pytest.mark.parametrize("name", PAGES)
def test_no_page_cuts_off_or_hides_its_text(name: str, tabs: Tabs) -> None:
    assert tabs[name].evaluate(LOST, NARROW["width"]) == [], name


@pytest.mark.parametrize("name", WITH_LONG_TITLE)
def test_the_long_title_wraps_within_the_screen(name: str, tabs: Tabs) -> None:
    boxes: list[dict[str, float]] = tabs[name].evaluate(TITLE_BOXES, world.LONG_TITLE)
    assert boxes, name
    for box in boxes:
        assert box["left"] >= 0, (name, box)
        assert box["right"] <= NARROW["width"], (name, box)
        assert box["height"] >= 2 * box["line"], (name, box)  # several lines, not one cut


@pytest.mark.parametrize("name", ["results-secret", "results-colleges"])
def test_the_results_name_every_college_on_screen(name: str, tabs: Tabs) -> None:
    rows = tabs[name].locator("section[aria-labelledby=colleges-title] tbody th[scope=row]").all()
    boxes = {row.inner_text().strip(): row.bounding_box() for row in rows}
    assert set(boxes) == COLLEGES
    for college, box in boxes.items():
        assert box is not None, college
        assert box["width"] > 0, (college, box)
        assert box["x"] >= 0, (college, box)
        assert box["x"] + box["width"] <= NARROW["width"], (college, box)
