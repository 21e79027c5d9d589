"""Markdown rendered, then sanitised: what members write shows as text and formatting, and
nothing in it can run in another member's browser."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import Markup
from sqlalchemy import select

from decisions.web import db, markdown
from decisions.web.markdown import TAGS
from decisions.web.models import Membership, Organisation, Proposal, ProposalStatus
from decisions.web.services import proposals

from .conftest import Auth, Clock


def render(text: str | None) -> Markup:
    """The safe HTML of a text, as stored when it is saved."""
    return markdown.render(text).html


#: Ways people have made HTML run script; each must come out inert.
XSS_PAYLOADS = [
    "<script>alert('xss')</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert('xss')>",
    "<svg onload=alert('xss')>",
    "<body onload=alert('xss')>",
    "<iframe src=\"javascript:alert('xss')\"></iframe>",
    "[click](javascript:alert('xss'))",
    "[click](JaVaScRiPt:alert('xss'))",
    "[click](&#106;avascript:alert('xss'))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<a href=\"javascript:alert('xss')\">click</a>",
    "<a href=\"https://example.org\" onclick=\"alert('xss')\">click</a>",
    "<details open ontoggle=alert('xss')>",
    "<math><mi xlink:href=\"javascript:alert('xss')\">click</mi></math>",
    "<style>body { background: url(javascript:alert('xss')) }</style>",
    "<object data=\"javascript:alert('xss')\"></object>",
    "<embed src=\"javascript:alert('xss')\">",
    "<form action=\"javascript:alert('xss')\"><button>go</button></form>",
    "<p style=\"background:url(javascript:alert('xss'))\" id=\"main\">styled</p>",
    "![x](javascript:alert('xss'))",
    "<input autofocus onfocus=alert('xss')>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert('xss')\">",
    "`<script>alert('xss')</script>` and ```\n<script>alert('xss')</script>\n```",
]

#: Elements that load or run something; none may come out of a member's text.
_ACTIVE = {"script", "iframe", "frame", "svg", "math", "style", "object", "embed", "img",
           "meta", "link", "base", "body", "details", "video", "audio", "source"}
_UNSAFE_URL = re.compile(r"^\s*(javascript|data|vbscript):", re.IGNORECASE)
_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "poster"}


class _Elements(HTMLParser):
    """The start tags of an HTML text, with their attributes (text stays text)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def elements(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """The elements of an HTML text."""
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.found


def problems(html: str) -> list[str]:
    """What in HTML could run script: active elements, event handlers, styles, script
    addresses (escaped text such as ``&lt;script&gt;`` is text, and fine)."""
    found = []
    for tag, attrs in elements(html):
        if tag in _ACTIVE:
            found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in ("style", "srcdoc"):
                found.append(f"<{tag} {name}>")
            if name in _URL_ATTRIBUTES and value and _UNSAFE_URL.match(value):
                found.append(f"<{tag} {name}={value}>")
    return found


def main_of(page: str) -> str:
    """The main part of a page, where texts are shown (the layout has its own elements)."""
    return page.split('<main id="main">', 1)[1].split("</main>", 1)[0]


#: What the sanitiser lets through of a member's text, and nothing else.
ALLOWED = {"a": {"href", "title", "rel"}, "abbr": {"title"}, "ol": {"start"},
           "td": {"align"}, "th": {"align"}}


def only_allowed(html: str) -> list[str]:
    """Elements or attributes of a rendered text outside what the sanitiser allows."""
    extra = []
    for tag, attrs in elements(html):
        if tag not in TAGS:
            extra.append(tag)
        extra += [f"{tag} {name}" for name, _ in attrs if name not in ALLOWED.get(tag, set())]
    return extra


def test_markdown_becomes_formatted_html() -> None:
    html = render("# Bikes\n\nWe buy **two** *cargo* bikes:\n\n- one\n- two\n\n"
                  "| a | b |\n|---|---|\n| 1 | 2 |\n\n```\ncode\n```")
    assert isinstance(html, Markup)
    assert "<h1>Bikes</h1>" in html
    assert "<strong>two</strong>" in html
    assert "<em>cargo</em>" in html
    assert "<li>one</li>" in html
    assert "<td>1</td>" in html
    assert "<pre><code>code\n</code></pre>" in html


def test_links_open_without_a_handle_on_the_page_nor_a_search_engine_vote() -> None:
    html = render("[shop](https://shop.example.org) and <https://example.org>")
    assert ('<a href="https://shop.example.org" rel="noopener noreferrer nofollow">shop</a>'
            in html)
    assert 'rel="noopener noreferrer nofollow">https://example.org</a>' in html
    assert 'href="mailto:' in render("[write](mailto:ana@example.org)")


def test_an_empty_text_is_an_empty_fragment() -> None:
    assert render("") == ""
    assert render(None) == ""


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_a_script_payload_in_markdown_is_rendered_inert(payload: str) -> None:
    html = str(render(f"Before\n\n{payload}\n\nAfter"))
    assert problems(html) == [], html
    assert only_allowed(html) == [], html
    assert "Before" in html
    assert "After" in html


def test_there_are_at_least_ten_payloads() -> None:
    assert len(XSS_PAYLOADS) >= 10


def test_pages_show_the_html_stored_when_the_text_was_saved(app: Flask) -> None:
    with app.app_context():
        template = app.jinja_env.from_string("{{ html|stored_html }}")
        assert template.render(html=render("**a** <script>x</script>")) == (
            "<p><strong>a</strong> </p>")


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_a_payload_in_the_title_and_text_of_a_proposal_is_inert_on_every_page(
        app: Flask, client: FlaskClient, auth: Auth, clock: Clock, payload: str,
        make_org: Callable[..., Organisation], make_member: Callable[..., Membership]) -> None:
    organisation = make_org("coop", admin="ana@example.org")
    make_member(organisation, "mo@example.org")
    with app.app_context(), db.transaction() as session:
        author = session.query(Membership).filter_by(organisation_id=organisation.id,
                                                     role="admin").one()
        proposal = proposals.create_proposal(
            session, session.get_one(Organisation, organisation.id), author,
            title=payload[:200], body=f"Intro\n\n{payload}", family="consent", params={},
            now=clock())
        proposals.amend(session, proposal, author, title=payload[:200],
                        body=f"Intro, again\n\n{payload}", summary=payload, now=clock())
        proposal.status = ProposalStatus.DECIDED
        proposal.outcome, proposal.decided_at = "adopted", clock()
        proposal.outcome_statement = payload
        proposal_id = proposal.id
    auth.login("mo@example.org")
    base = f"/orgs/coop/proposals/{proposal_id}"
    for path in (base, f"{base}/versions?a=1&b=2", "/orgs/coop/proposals/"):
        page = client.get(path).get_data(as_text=True)
        assert problems(main_of(page)) == [], path
        assert page.count('id="main"') == 1, path
    auth.logout()
    auth.login("ana@example.org")
    page = client.post("/orgs/coop/proposals/new", data={
        "title": payload[:200], "body": payload, "preview": "1"}).get_data(as_text=True)
    assert problems(main_of(page)) == []
    assert page.count('id="main"') == 1
    with app.app_context():
        assert db.session().get_one(Proposal, proposal_id).title == payload[:200]


#: Texts on which Python-Markdown alone takes seconds to minutes (quadratic inline scans).
HOSTILE = {
    "nested brackets": "[" * 25_000 + "]" * 25_000,
    "open brackets": "[" * 50_000,
    "html openers": "<a" * 25_000,
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_text_is_shown_as_plain_text_within_the_budget(name: str) -> None:
    rendered = markdown.render(HOSTILE[name], budget=0.2)
    assert not rendered.formatted
    assert str(rendered.html).startswith("<p>")
    assert "<a" not in str(rendered.html)  # escaped: &lt;a


def test_an_ordinary_long_text_is_formatted() -> None:
    """Its time is measured in benchmarks/markdown_adversarial.py, not here."""
    text = "\n\n".join(f"## Part {i}\n\nWe **share** [hosting](https://example.org/{i})."
                       for i in range(600))
    rendered = markdown.render(text, budget=10)
    assert rendered.formatted
    assert "<h2>Part 599</h2>" in rendered.html


def test_a_hostile_proposal_is_rendered_once_when_saved_never_when_read(
        app: Flask, client: FlaskClient, auth: Auth, clock: Clock,
        monkeypatch: pytest.MonkeyPatch, make_org: Callable[..., Organisation]) -> None:
    organisation = make_org("coop", admin="ana@example.org")
    with app.app_context(), db.transaction() as session:
        author = session.scalars(select(Membership)).one()
        proposal = proposals.create_proposal(
            session, session.get_one(Organisation, organisation.id), author,
            title="Brackets", body=HOSTILE["nested brackets"], family="majority",
            params={"preset": "association_default"}, now=clock.now)
        version = proposal.current_version
        assert version.body_html.startswith("<p>[[[")
    auth.login("ana@example.org")
    calls: list[object] = []
    monkeypatch.setattr(markdown, "render", lambda *a, **k: calls.append(a))
    page = client.get(f"/orgs/coop/proposals/{proposal.id}")
    assert page.status_code == 200
    assert calls == []
    assert "[[[[" in page.get_data(as_text=True)


def test_a_process_that_rendered_leaves_no_helper_running_nor_pipe_open_at_exit() -> None:
    """The helper processes are stopped and waited for when the interpreter exits (else
    Python warns of each one still running, and of its pipes, at every exit)."""
    script = "from decisions.web import markdown; print(markdown.render('*a*').html)"
    done = subprocess.run([sys.executable, "-W", "always::ResourceWarning", "-c", script],
                          capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "<p><em>a</em></p>"
    assert "ResourceWarning" not in done.stderr, done.stderr
