"""Fixtures of the browser tests: Debian's Chromium driven by Playwright, one browser per
session, and the real application served over HTTP by a live server, one per module, on a
SQLite database of its own and with a clock the tests move.

Without Chromium the tests are skipped, saying how to install it; under CI (``CI=true``) they
fail instead, so that a missing browser can never pass unseen."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    ViewportSize,
    sync_playwright,
)
from werkzeug.serving import BaseWSGIServer, make_server

from decisions.web import create_app, db, migrate

from ..clock import Clock

ROOT = Path(__file__).resolve().parents[2]
#: Where the tests leave their screenshots (ignored by git).
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
#: The Chromium to drive: ``DECISIONS_TEST_CHROMIUM``, else ``chromium`` on the PATH.
CHROMIUM_VARIABLE = "DECISIONS_TEST_CHROMIUM"
FAST_HASH = "pbkdf2:sha256:1000"  # tests only
NARROW: ViewportSize = {"width": 375, "height": 812}  # a common phone


def chromium_executable() -> str | None:
    """The Chromium binary to drive, if one is installed."""
    chosen = os.environ.get(CHROMIUM_VARIABLE)
    if chosen:
        return chosen if Path(chosen).is_file() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """Playwright's driver, started once."""
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """One headless Chromium for the whole session."""
    executable = chromium_executable()
    if executable is None:
        message = (f"no Chromium found (install it with `make browser-deps`, i.e. "
                   f"`apt-get install chromium`, or set {CHROMIUM_VARIABLE})")
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    chromium = playwright.chromium.launch(executable_path=executable)
    yield chromium
    chromium.close()



@dataclass
class LiveServer:
    """The application served on 127.0.0.1 by a thread of the test process: tests prepare
    its database through the services (``app``) and read its pages in the browser (``url``)."""

    app: Flask
    clock: Clock
    server: BaseWSGIServer

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def sign_in(self, context: BrowserContext, email: str, password: str) -> None:
        """Sign ``context`` in through the real sign-in page."""
        page = context.new_page()
        page.goto(f"{self.url}/auth/login")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", password)
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        assert "/auth/login" not in page.url, "sign-in refused"
        page.close()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The application, CSRF on, served over HTTP on a free port of its own."""
    folder = tmp_path_factory.mktemp("live")
    url = f"sqlite:///{folder / 'live.sqlite'}"
    migrate.upgrade(url)
    clock = Clock()
    app = create_app({
        "TESTING": True,
        "INSTANCE_PATH": str(folder / "instance"),
        "DATABASE_URL": url,
        "SECRET_KEY": "browser tests",
        "CLOCK": clock,
        "MAIL_BACKEND": "outbox",
        "PASSWORD_HASH_METHOD": FAST_HASH,
    })
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield LiveServer(app, clock, server)
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    db.engine_of(app).dispose()


def screenshot(page: Page, name: str) -> Path:
    """Save the whole page as ``test-artifacts/screenshots/<name>.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    return path
