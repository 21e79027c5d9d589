"""The time left counts down in the page (static/countdown.js, under the strict CSP) and says
when the deadline has passed, in the reader's language, measured in Chromium with the page's
clock moved forward."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page

from . import world
from .conftest import LiveServer

pytestmark = pytest.mark.browser

COUNTDOWN = "main time[data-countdown]"


@pytest.fixture(scope="module")
def demo_world(live_server: LiveServer) -> world.World:
    """The demo network, with its consent round open, on this module's server."""
    return world.build(live_server)


@pytest.fixture
def page(browser: Browser, live_server: LiveServer, demo_world: world.World,
         ) -> Iterator[tuple[Page, list[str]]]:
    """The open consent round's page, as the network's admin (who reads French) sees it, with
    the page's clock under the test's control; and the errors of its console."""
    context = browser.new_context()
    live_server.sign_in(context, world.ADMIN, world.PASSWORD)
    tab = context.new_page()
    errors: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    tab.on("console", keep)
    tab.clock.install()
    response = tab.goto(live_server.url + demo_world.page(demo_world.open_round))
    assert response is not None
    assert response.status == 200
    yield tab, errors
    context.close()


def test_the_time_left_counts_down_then_says_the_deadline_has_passed(
        page: tuple[Page, list[str]]) -> None:
    tab, errors = page
    countdown = tab.locator(COUNTDOWN).first
    served = countdown.inner_text()
    assert served.startswith("Temps restant : ")
    tab.clock.fast_forward("02:00:00")
    moved = countdown.inner_text()
    assert moved.startswith("Temps restant : ")
    assert moved != served
    tab.clock.fast_forward(60 * 24 * 3600 * 1000)  # sixty days: past any deadline of the demo
    assert countdown.inner_text() == "L'échéance est passée : le tour est en cours de clôture."
    assert errors == []  # nothing refused by the Content Security Policy
