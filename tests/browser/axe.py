"""axe-core (vendor/axe.min.js, 4.14.1) in every page a browser context opens, and the WCAG
2.2 A and AA violations it finds in a page.

The script is added to the context as an init script (Playwright's
``add_init_script``), which the browser runs in every document before the page's own
scripts, whatever the page's Content Security Policy says (the application's allows its own
scripts only)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Page

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
VERSION = "4.14.1"
#: The rules that run, by axe-core's tags: WCAG 2.0, 2.1 and 2.2, levels A and AA.
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]

#: Runs axe in the page and answers one line per violation and element.
RUN = """async (tags) => {
  const found = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                         resultTypes: ['violations']});
  return found.violations.flatMap((rule) => rule.nodes.map(
    (node) => `${rule.id} (${rule.impact}): ${node.target.join(' ')}: ${node.failureSummary}`));
}"""


def install(context: BrowserContext) -> None:
    """Inject axe-core into every page of ``context``."""
    context.add_init_script(path=AXE)


def violations(page: Page) -> list[str]:
    """The WCAG 2.2 A and AA violations axe-core finds in the page as it is now."""
    assert page.evaluate("typeof axe !== 'undefined' && axe.version") == VERSION, \
        "axe-core is not in the page (install it in the context first)"
    found: list[Any] = page.evaluate(RUN, WCAG_22_AA)
    return [str(line) for line in found]
