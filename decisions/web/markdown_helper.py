"""The Markdown renderer of the helper processes: Python-Markdown, then the nh3 sanitiser.

Run as a script (``python -P markdown_helper.py``, see ``markdown.py``): it imports nothing
of the application, so that a helper starts in a few tens of milliseconds, and reads texts
framed on its standard input (an 8-byte length, then UTF-8), answering each with its safe
HTML on its standard output. The application imports it too, for the allowlists.
"""

from __future__ import annotations

import sys
from typing import IO

import markdown as markdown_package  # type: ignore[import-untyped]  # ships no type information
import nh3

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

_renderer = markdown_package.Markdown(extensions=list(EXTENSIONS), output_format="html")


def to_safe_html(text: str) -> str:
    """Render and sanitise, with no budget (in the helper process, or for trusted text)."""
    html = _renderer.reset().convert(text or "")
    return nh3.clean(html, tags=set(TAGS), attributes=ATTRIBUTES, url_schemes=set(URL_SCHEMES),
                     link_rel=LINK_REL, strip_comments=True)


WARM_UP = "# a\n\n*b* [c](https://d.example)\n\n| e |\n|---|\n| f |\n\n```\ng\n```"


def frame(data: bytes) -> bytes:
    return len(data).to_bytes(8, "big") + data


def read_exactly(stream: IO[bytes], size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = stream.read(size - len(data))
        if not chunk:
            raise EOFError("the helper process ended")
        data += chunk
    return data


def serve(source: IO[bytes], sink: IO[bytes]) -> None:
    """The helper process (``python -m decisions.web.markdown``): render each text framed
    on ``source`` (an 8-byte length, then UTF-8) to ``sink``, until ``source`` ends."""
    to_safe_html(WARM_UP)
    sink.write(frame(b"ready"))
    sink.flush()
    while True:
        try:
            size = int.from_bytes(read_exactly(source, 8), "big")
            text = read_exactly(source, size).decode()
        except EOFError:
            return
        sink.write(frame(to_safe_html(text).encode()))
        sink.flush()



if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
