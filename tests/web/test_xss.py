"""Cross-site scripting: hostile text in every field people type stays inert on every page
that shows it, checked on the parsed HTML (tags and attributes), not only as substrings."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from decisions.web import db
from decisions.web.models import (
    Circle,
    College,
    Membership,
    Organisation,
    Proposal,
    Role,
    User,
)
from decisions.web.models.proposal import Ballot, Comment, ProposalVersion

from .conftest import Auth
from .world import VISITOR_EMAIL
from .world import app as app
from .world import world as world

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "<img src=x onerror=alert(1)//",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "</title><script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    '" onmouseover="alert(1)" x="',
    "' onfocus='alert(1)' autofocus='",
    "<a href=\"javascript:alert(1)\">click</a>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](java&#x09;script:alert(1)) [x](&#106;avascript:alert(1))",
    "<a href=\"java\nscript:alert(1)\">x</a>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "{{7*7}}",
    "{{ config }}{% raw %}",
    "${7*7} #{7*7}",
    "\u202e<script>alert(1)</script>\u202d",
    "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e",
    "<scr\u200bipt>alert(1)</scr\u200bipt>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<!--<script>alert(1)//-->",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "<object data=javascript:alert(1)>",
]
DANGEROUS_TAGS = {"script", "svg", "math", "iframe", "object", "embed", "base", "style",
                  "frame", "frameset", "applet", "body"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "srcdoc"}
#: The application's own scripts, static files of this server (the one script element a page
#: may hold, empty, loaded with ``defer``).
OWN_SCRIPT = re.compile(r'<script src="/static/[\w-]+\.js" defer></script>')
#: The attributes of the application's own charts (templates/charts/chart.html): an <svg>
#: of class "chart chart-<kind>" with these and no other may stand in a page.
OWN_SVG = {"class", "viewbox", "width", "height", "role", "aria-labelledby", "font-family",
           "font-size", "fill"}


class Inspector(HTMLParser):
    """Collects every tag and attribute, and the text, of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _unsafe_url(value: str) -> bool:
    """As a browser reads a URL: without tabs and newlines, nor controls around it."""
    controls = "".join(map(chr, range(33)))
    squashed = re.sub(r"[\t\n\r]", "", value).strip(controls).lower()
    return squashed.startswith(("javascript:", "vbscript:", "data:"))


def assert_inert(page: str, where: str) -> str:
    """Fails on an executable tag, an event handler or a script URL; gives the page's text."""
    inspector = Inspector()
    inspector.feed(page)
    inspector.close()
    body_tags = [tag for tag, _ in inspector.tags]
    assert body_tags.count("body") == 1, where
    for tag, attrs in inspector.tags:
        if tag == "script" and OWN_SCRIPT.fullmatch(
                f'<script src="{dict(attrs).get("src")}" defer></script>') and len(attrs) == 2:
            continue
        if (tag == "svg" and (dict(attrs).get("class") or "").startswith("chart chart-")
                and {name for name, _ in attrs} <= OWN_SVG):
            continue
        assert tag not in DANGEROUS_TAGS - {"body"}, (where, tag)
        for name, value in attrs:
            assert not name.startswith("on"), (where, tag, name)
            assert name not in ("autofocus", "srcdoc"), (where, tag, name)
            if name in URL_ATTRIBUTES and value:
                assert not _unsafe_url(value), (where, tag, name, value)
        if tag == "meta":
            assert "http-equiv" not in dict(attrs), where
    assert "<script" not in OWN_SCRIPT.sub("", page).lower(), where
    text = "".join(inspector.text)
    # {{7*7}} not computed (hashes, long numbers and dates may hold "49" by chance)
    assert "49" not in re.sub(r"[0-9a-f]{12,}|\d{3,}|\d+[-:/.]\d+", "", text), where
    return text


def _fill(app: Flask, world: dict[str, object], payload: str) -> None:
    """The payload in every field people type (beyond each column's length: cut)."""
    with app.app_context(), db.transaction() as session:
        organisation = session.scalar(select(Organisation).where(Organisation.slug == "coop"))
        assert organisation is not None
        organisation.name = payload[:120]
        for circle in session.scalars(select(Circle)):
            circle.name, circle.description = payload[:120], payload
        for college in session.scalars(select(College)):
            college.name = f"{payload[:70]} {college.id}"
        for user in session.scalars(select(User)):
            user.name = payload[:120]
        for proposal in session.scalars(select(Proposal)):
            proposal.title = payload[:200]
        for version in session.scalars(select(ProposalVersion)):
            version.title, version.body, version.summary = payload[:200], payload, payload
        admin = session.scalar(select(Membership).where(
            Membership.organisation_id == organisation.id, Membership.role == Role.ADMIN))
        assert admin is not None
        cast_at = app.config["CLOCK"]()
        for round_id, position in ((world["closed"], "no"), (world["vote_round"], "no"),
                                   (world["consent_round"], "object")):
            session.add(Ballot(round_id=round_id, membership_id=admin.id, position=position,
                               reason=payload, concern=payload, cast_at=cast_at))
        session.add(Comment(round_id=world["comment_round"], membership_id=admin.id,
                            body=payload, created_at=cast_at))


PAGES = [
    "/", "/orgs/", "/orgs/{slug}/", "/orgs/{slug}/settings", "/orgs/{slug}/members",
    "/orgs/{slug}/members/{member}/edit", "/orgs/{slug}/colleges",
    "/orgs/{slug}/colleges/{college}/edit", "/orgs/{slug}/circles",
    "/orgs/{slug}/circles/{circle}", "/orgs/{slug}/circles/{circle}/edit",
    "/orgs/{slug}/invitations/", "/orgs/{slug}/proposals/", "/orgs/{slug}/proposals/new",
    "/orgs/{slug}/proposals/{proposal}", "/orgs/{slug}/proposals/{proposal}/versions",
    "/orgs/{slug}/proposals/{proposal}/amend",
    "/orgs/{slug}/proposals/{vote}", "/orgs/{slug}/proposals/{vote}/rounds/{closed}",
    "/orgs/{slug}/proposals/{vote}/rounds/{closed}/results",
    "/orgs/{slug}/proposals/{vote}/rounds/{vote_round}",
    "/orgs/{slug}/proposals/{socio}/rounds/{consent_round}",
    "/orgs/{slug}/proposals/{talk}/rounds/{comment_round}",
    "/account/profile",
]
#: Pages that show the organisation's name as plain text: the payload must be there, intact.
SHOWN_AS_TEXT = ["/orgs/{slug}/", "/orgs/{slug}/circles/{circle}",
                 "/orgs/{slug}/proposals/{proposal}"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_text_is_inert_on_every_page(
        app: Flask, client: FlaskClient, auth: Auth, world: dict[str, object],
        payload: str) -> None:
    _fill(app, world, payload)
    assert auth.login(VISITOR_EMAIL["admin"]).status_code == 302
    for path in PAGES:
        url = path.format(**world)
        response = client.get(url)
        assert response.status_code == 200, url
        text = assert_inert(response.get_data(as_text=True), url)
        if path in SHOWN_AS_TEXT:
            assert payload.strip()[:120] in text, url


def test_there_are_enough_payloads() -> None:
    assert len(PAYLOADS) >= 20
    assert any("{{7*7}}" in p for p in PAYLOADS)
