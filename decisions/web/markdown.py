"""Markdown as safe HTML, rendered once when a text is saved and within a time budget.

Proposal texts are rendered with the ``markdown`` package (Python-Markdown), then sanitised
with ``nh3`` so that nothing a member writes can run in another member's browser. The result
is stored beside the text (``ProposalVersion.body_html``), so that reading a page never
renders anything.

Python-Markdown takes quadratic time on some inputs (25,000 ``[`` then 25,000 ``]`` took
156 s): its inline patterns rescan the rest of a paragraph at every bracket, emphasis or
backtick. Rather than guess every such input, rendering runs in a helper process with a
budget (``BUDGET``): a text that cannot be rendered in time is killed with its process and
shown as plain paragraphs (escaped, line breaks kept), and the preview tells the author. A 50,000
character proposal of ordinary Markdown renders in about 150 ms on a 2-core machine;
benchmarks/markdown_adversarial.py measures the rest.
"""

from __future__ import annotations

import multiprocessing
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING

import markdown as markdown_package  # type: ignore[import-untyped]  # ships no type information
import nh3
from markupsafe import Markup, escape

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

    from flask import Flask

#: Markdown extensions: tables, fenced code blocks, lists that start where they say.
EXTENSIONS = ("tables", "fenced_code", "sane_lists")

#: What the sanitiser keeps. No images (they would load from anywhere when a page is read),
#: no ``id`` (a text must not redefine the page's own elements), no style, no script.
TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "i", "ins", "li", "ol", "p", "pre", "s", "strong", "sub",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "ol": {"start"},
              "td": {"align"}, "th": {"align"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
#: Links open without giving the linked site a handle on our page, nor a search-engine vote.
LINK_REL = "noopener noreferrer nofollow"

#: Seconds a text may take to render before it is shown as plain text instead.
BUDGET = 0.175


@dataclass(frozen=True, slots=True)
class Rendered:
    """A text as safe HTML; ``formatted`` is false when it was too costly to render as
    Markdown and is shown as plain text."""

    html: Markup
    formatted: bool


_renderer = markdown_package.Markdown(extensions=list(EXTENSIONS), output_format="html")


def to_safe_html(text: str) -> str:
    """Render and sanitise, with no budget (in the helper process, or for trusted text)."""
    html = _renderer.reset().convert(text or "")
    return nh3.clean(html, tags=set(TAGS), attributes=ATTRIBUTES, url_schemes=set(URL_SCHEMES),
                     link_rel=LINK_REL, strip_comments=True)


def plain(text: str) -> Markup:
    """A text as escaped paragraphs, its line breaks kept: what a costly text shows."""
    paragraphs = (p for p in (text or "").replace("\r\n", "\n").split("\n\n") if p.strip())
    html = "\n".join("<p>" + str(escape(p)).replace("\n", "<br>\n") + "</p>"
                      for p in paragraphs)
    return Markup(html)  # noqa: S704 - every paragraph was escaped


#: Modules the helpers' fork server imports once, so that a new helper starts in milliseconds.
PRELOAD = ["markdown", "markdown.extensions.tables", "markdown.extensions.fenced_code",
           "markdown.extensions.sane_lists", "nh3", "decisions.web.markdown"]


def _serve(connection: Connection) -> None:
    """The helper process: render each text received, until the pipe closes."""
    to_safe_html("# a\n\n*b* [c](https://d.example)\n\n| e |\n|---|\n| f |\n\n```\ng\n```")
    connection.send("ready")
    while True:
        try:
            text = connection.recv()
        except (EOFError, OSError):
            return
        connection.send(to_safe_html(text))


class _Helper:
    """Helper processes of one application process: one renders (one text at a time), a
    spare waits ready to replace it the moment a text runs over its budget, so that giving
    up costs no start-up time.

    Helpers are forked by multiprocessing's fork server, a clean process started once with
    the renderer imported: never a fork of a threaded web worker."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active: tuple[BaseProcess, Connection] | None = None
        self._spare: tuple[BaseProcess, Connection] | None = None
        self._spare_lock = threading.Lock()
        self._replenishing = False

    @staticmethod
    def _start() -> tuple[BaseProcess, Connection]:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        ours, theirs = context.Pipe()
        process = context.Process(target=_serve, args=(theirs,), daemon=True,
                                  name="decisions-markdown")
        process.start()
        theirs.close()
        ours.recv()  # "ready": starting a helper is not counted in the budget
        return process, ours

    @staticmethod
    def _stop(helper: tuple[BaseProcess, Connection]) -> None:
        process, connection = helper
        process.kill()
        connection.close()
        threading.Thread(target=process.join, daemon=True).start()

    def _take_spare(self) -> tuple[BaseProcess, Connection] | None:
        with self._spare_lock:
            spare, self._spare = self._spare, None
        self._replenish()
        return spare

    def _replenish(self) -> None:
        """Start a new spare in the background, unless one is there or on its way."""
        with self._spare_lock:
            if self._spare is not None or self._replenishing:
                return
            self._replenishing = True

        def start() -> None:
            helper = self._start()
            with self._spare_lock:
                self._spare, self._replenishing = helper, False

        threading.Thread(target=start, daemon=True, name="decisions-markdown-spare").start()

    def _ready(self) -> Connection:
        if self._active is not None and not self._active[0].is_alive():
            self._stop(self._active)
            self._active = None
        if self._active is None:
            self._active = self._take_spare() or self._start()
        self._replenish()
        return self._active[1]

    def render(self, text: str, budget: float) -> str | None:
        """The safe HTML of ``text``, or ``None`` when it took longer than ``budget``."""
        with self._lock:
            connection = self._ready()
            connection.send(text)
            if connection.poll(budget):
                html: str = connection.recv()
                return html
            if self._active is not None:
                self._stop(self._active)
            self._active = self._take_spare()
            return None


_helper = _Helper()


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
