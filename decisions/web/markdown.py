"""Markdown as safe HTML, rendered once when a text is saved and within a time budget.

Proposal texts are rendered with the ``markdown`` package (Python-Markdown), then sanitised
with ``nh3`` so that nothing a member writes can run in another member's browser. The result
is stored beside the text (``ProposalVersion.body_html``), so that reading a page never
renders anything.

Python-Markdown takes quadratic time on some inputs (25,000 ``[`` then 25,000 ``]`` took
156 s): its inline patterns rescan the rest of a paragraph at every bracket, emphasis or
backtick. Rather than guess every such input, rendering runs in a helper process
(``markdown_helper.py``) with a budget (``BUDGET``): a text that cannot be rendered in time is
killed with its process and shown as plain paragraphs (escaped, line breaks kept), and the
preview tells the author. A 50,000-character proposal of ordinary Markdown renders in about
150 ms on a 2-core machine; benchmarks/markdown_adversarial.py measures the rest.
"""

from __future__ import annotations

import atexit
import logging
import select
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from . import markdown_helper
from .markdown_helper import TAGS as TAGS
from .markdown_helper import frame, read_exactly
from .markdown_helper import to_safe_html as to_safe_html

if TYPE_CHECKING:
    from flask import Flask

logger = logging.getLogger(__name__)

#: Seconds a text may take to render before it is shown as plain text instead.
BUDGET = 0.175
#: Helpers kept ready beside the one rendering: two, so that hostile texts sent one after
#: another each find one ready while the next starts (a start takes ~100 ms, more on a busy
#: machine).
SPARES = 2
#: Seconds the interpreter's exit waits for a spare still starting, to stop it too.
CLOSING = 5.0


@dataclass(frozen=True, slots=True)
class Rendered:
    """A text as safe HTML; ``formatted`` is false when it was too costly to render as
    Markdown and is shown as plain text."""

    html: Markup
    formatted: bool


def plain(text: str) -> Markup:
    """A text as escaped paragraphs, its line breaks kept: what a costly text shows."""
    paragraphs = (p for p in (text or "").replace("\r\n", "\n").split("\n\n") if p.strip())
    html = "\n".join("<p>" + str(escape(p)).replace("\n", "<br>\n") + "</p>"
                      for p in paragraphs)
    return Markup(html)  # noqa: S704 - every paragraph was escaped


class _Process:
    """One helper: a plain child process running this module, spoken to through pipes."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - our own module, no shell
            [sys.executable, "-P", markdown_helper.__file__], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL)
        self._in, self._out = self.process.stdin, self.process.stdout
        self.receive(None)  # "ready": starting a helper is not counted in the budget

    def alive(self) -> bool:
        return self.process.poll() is None

    def send(self, text: str) -> None:
        assert self._in is not None  # noqa: S101 - opened with a pipe above
        self._in.write(frame(text.encode()))
        self._in.flush()

    def receive(self, budget: float | None) -> str | None:
        """The next answer, or ``None`` when none came within ``budget`` seconds."""
        assert self._out is not None  # noqa: S101 - opened with a pipe above
        if budget is not None and not select.select([self._out], [], [], budget)[0]:
            return None
        size = int.from_bytes(read_exactly(self._out, 8), "big")
        return read_exactly(self._out, size).decode()

    def stop(self, *, wait: bool = False) -> None:
        """Kill the process; reap it in the background, or now with ``wait``."""
        self.process.kill()
        if wait:
            self._reap()
        else:
            threading.Thread(target=self._reap, daemon=True).start()

    def _reap(self) -> None:
        self.process.wait()
        for stream in (self._in, self._out):
            if stream is not None:
                stream.close()


class _Helper:
    """Helper processes of one application process: one renders (one text at a time),
    spares wait ready to replace it the moment a text runs over its budget, so that giving
    up costs no start-up time.

    A helper is a new interpreter running ``markdown_helper.py`` alone, never a fork of a
    threaded web worker nor a re-import of the program that started it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active: _Process | None = None
        self._spares: list[_Process] = []
        self._spare_lock = threading.Lock()
        self._starting = 0
        self._closed = False

    def _take_spare(self) -> _Process | None:
        with self._spare_lock:
            spare = self._spares.pop(0) if self._spares else None
        self._replenish()
        return spare

    def _replenish(self) -> None:
        """Start spares in the background, up to ``SPARES`` ready or on their way."""
        with self._spare_lock:
            if self._closed:
                return
            missing = SPARES - len(self._spares) - self._starting
            self._starting += max(missing, 0)
        for _ in range(missing):
            threading.Thread(target=self._start_spare, daemon=True,
                             name="decisions-markdown-spare").start()

    def _start_spare(self) -> None:
        helper: _Process | None = None
        try:
            helper = _Process()
        except (OSError, EOFError):
            logger.warning("A Markdown helper process could not start", exc_info=True)
        with self._spare_lock:
            self._starting -= 1
            if helper is not None:
                self._spares.append(helper)

    def _ready(self) -> _Process:
        if self._active is not None and not self._active.alive():
            self._active.stop()
            self._active = None
        if self._active is None:
            self._active = self._take_spare() or _Process()
        self._replenish()
        return self._active

    def close(self) -> None:
        """Stop every helper and wait for it (at exit: none left running, no pipe open),
        those still starting too (for up to ``CLOSING`` seconds)."""
        deadline = time.monotonic() + CLOSING
        with self._spare_lock:
            self._closed = True
        while time.monotonic() < deadline:
            with self._spare_lock:
                if not self._starting:
                    break
            time.sleep(0.01)
        with self._spare_lock:
            helpers = [*self._spares, *([self._active] if self._active else [])]
            self._spares, self._active = [], None
        for helper in helpers:
            helper.stop(wait=True)

    def render(self, text: str, budget: float) -> str | None:
        """The safe HTML of ``text``, or ``None`` when it took longer than ``budget`` (or
        its helper died)."""
        with self._lock:
            helper = self._ready()
            try:
                helper.send(text)
                html = helper.receive(budget)
            except (OSError, EOFError):
                html = None
            if html is not None:
                return html
            helper.stop()
            self._active = self._take_spare()
            return None


_helper = _Helper()
atexit.register(_helper.close)


def render(text: str | None, budget: float = BUDGET) -> Rendered:
    """A Markdown text as sanitised HTML, safe to put in any page, within ``budget``
    seconds of rendering (else as plain text)."""
    source = text or ""
    if not source.strip():
        return Rendered(Markup(""), True)
    html = _helper.render(source, budget)
    if html is None:
        return Rendered(plain(source), False)
    return Rendered(Markup(html), True)  # noqa: S704 - nh3 has just sanitised it


def stored(html: str | None) -> Markup:
    """HTML that was sanitised when it was stored (``body_html``): marked safe as it is."""
    return Markup(html or "")  # noqa: S704 - sanitised by ``render`` before it was stored


def init_app(app: Flask) -> None:
    """Add the ``stored_html`` filter to every template."""
    app.add_template_filter(stored, "stored_html")


