"""Markdown as safe HTML: proposal texts are rendered with the ``markdown`` package, then
sanitised with ``nh3`` so that nothing a member writes can run in another member's browser.

Templates use the ``markdown`` filter: ``{{ version.body|markdown }}``.
"""

from __future__ import annotations

import markdown as markdown_package  # type: ignore[import-untyped]  # ships no type information
import nh3
from flask import Flask
from markupsafe import Markup

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


def render(text: str | None) -> Markup:
    """A Markdown text as sanitised HTML, safe to put in any page."""
    html = markdown_package.markdown(text or "", extensions=list(EXTENSIONS),
                                     output_format="html")
    safe = nh3.clean(html, tags=set(TAGS), attributes=ATTRIBUTES, url_schemes=set(URL_SCHEMES),
                     link_rel=LINK_REL, strip_comments=True)
    return Markup(safe)  # noqa: S704 - nh3 has just sanitised it


def init_app(app: Flask) -> None:
    """Add the ``markdown`` filter to every template."""
    app.add_template_filter(render, "markdown")
