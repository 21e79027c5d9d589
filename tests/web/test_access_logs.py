"""No log line of a server holds a token: the real application under gunicorn with the
project's configuration (its access log on, as docs/deployment.md runs it) and under
``decisions run`` (``make run``: Werkzeug's request log), asked for every kind of link that
carries a secret (an invitation, a password reset, answer and unsubscribe links from
e-mails, a calendar feed, an API token put in the address) and for a page whose referrer is
such a link; then the access log is read. Flask's own log of a failed request is redacted
the same way."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from decisions.web.log_privacy import REDACTED, TOKEN_PATHS, redact
from decisions.web.models import Membership, Organisation, Role, RoundKind, User
from decisions.web.services import api_tokens, calendar_feed, invitations

from .conftest import Clock, unit
from .live import Browser, Live, development_server, gunicorn
from .outbox import last_link, sent
from .round_steps import open_round, proposal_of

SERVERS: dict[str, Callable[..., AbstractContextManager[Live]]] = {
    "gunicorn": gunicorn, "decisions run": development_server}


def _secrets(app: Flask, clock: Clock, make_org: Callable[..., Organisation],
             make_member: Callable[..., Membership]) -> dict[str, str]:
    """A link of each kind that carries a secret, by kind: the paths with their tokens."""
    clock.now = datetime.now(UTC)  # the server's clock is the real one
    organisation = make_org("coop", admin="ana@example.org")
    make_member(organisation, "bo@example.org")
    with unit(app) as session:
        admin = session.scalars(select(Membership).where(
            Membership.organisation_id == organisation.id, Membership.role == Role.ADMIN)).one()
        invited = invitations.invite(session, session.get_one(Organisation, organisation.id),
                                     admin.user, email="new@example.org", role=Role.MEMBER,
                                     days=14, now=clock()).token
        bo = session.scalars(select(User).where(User.email == "bo@example.org")).one()
        calendar = calendar_feed.new_token(session, bo)
        api = api_tokens.create_personal(session, bo, name="script", scopes=["read"],
                                         now=clock()).text
        admin_id = admin.id
    proposal = proposal_of(app, organisation, admin_id, "majority",
                           {"preset": "association_default"}, clock)
    open_round(app, proposal, RoundKind.VOTE, clock)
    mails = sent(app)
    answer = re.search(r"/answer/[\w.-]+\?position=\w+",
                       "\n".join(mail.get_content() for mail in mails))
    unsubscribe = re.search(r"/unsubscribe/[\w.-]+",
                            "\n".join(str(mail["List-Unsubscribe"]) for mail in mails))
    assert answer is not None, mails
    assert unsubscribe is not None, mails
    app.test_client().post("/auth/reset", data={"email": "bo@example.org"})
    return {"invitation": f"/auth/invitation/{invited}",
            "reset": last_link(app, "/auth/reset/"),
            "answer": answer.group(0), "unsubscribe": unsubscribe.group(0),
            "calendar": f"/calendar/{calendar}.ics",
            "API token in the address": f"/api/v1/organisations/coop?access_token={api}"}


def _token(path: str) -> str:
    """The secret of a link: its last segment, or the value of its query."""
    if "access_token=" in path:
        return path.split("access_token=", 1)[1]
    return path.split("?", 1)[0].rstrip("/").rsplit("/", 1)[1].removesuffix(".ics")


@pytest.mark.parametrize("server", list(SERVERS))
def test_no_access_log_line_holds_the_token_of_a_link(
        app: Flask, clock: Clock, make_org: Callable[..., Organisation],
        make_member: Callable[..., Membership], tmp_path: Path, server: str) -> None:
    links = _secrets(app, clock, make_org, make_member)
    with SERVERS[server](app.config["DATABASE_URL"], app.config["SECRET_KEY"],
                         tmp_path / "server") as live:
        browser = Browser(live.base)
        statuses = {kind: browser.get(path)[0] for kind, path in links.items()}
        assert browser.get("/static/style.css",
                           Referer=live.base + links["answer"])[0] == 200
    assert statuses["invitation"] == 200, statuses  # real links, used as people would
    assert statuses["answer"] == 200, statuses
    assert statuses["calendar"] == 200, statuses
    assert statuses["API token in the address"] == 400, statuses
    logged = live.logs()
    requests = [line for line in logged.splitlines() if '"GET ' in line]
    assert len(requests) >= len(links) + 1, logged  # every request has its line
    for kind, path in links.items():
        token = _token(path)
        assert token not in logged, (kind, logged)
        assert redact(path) in logged, (kind, logged)  # the line is there, redacted
    assert f"/answer/{REDACTED}" in logged


def test_flask_s_log_of_a_failed_request_names_no_token(
        app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="decisions.web")
    with app.test_request_context("/answer/12.34.the-secret-of-a-link", method="POST"):
        try:
            raise RuntimeError("a failure")
        except RuntimeError:
            app.log_exception(sys.exc_info())  # what Flask does on a 500
    assert "the-secret-of-a-link" not in caplog.text
    assert f"Exception on /answer/{REDACTED} [POST]" in caplog.text


@pytest.mark.parametrize(("line", "kept"), [
    ('"GET /calendar/AbC-12_x.ics HTTP/1.1" 200', f'"GET /calendar/{REDACTED} HTTP/1.1" 200'),
    ("GET /auth/reset/eyJ1.Zz.Q-w HTTP/1.1", f"GET /auth/reset/{REDACTED} HTTP/1.1"),
    ("GET /auth/reset HTTP/1.1", "GET /auth/reset HTTP/1.1"),
    ("/auth/login?next=%2Fanswer%2F1.2.secret%3Fposition%3Dyes",
     f"/auth/login?next=%2Fanswer%2F{REDACTED}%3Fposition%3Dyes"),
    ("/orgs/coop/proposals/1/rounds/2/results?page=2&search=Quatremare",
     f"/orgs/coop/proposals/1/rounds/2/results?page=2&search={REDACTED}"),
    ("Authorization: Bearer dcs_Zm9vYmFy-_x", f"Authorization: Bearer dcs_{REDACTED}"),
    ("/orgs/coop/proposals/1/rounds/2", "/orgs/coop/proposals/1/rounds/2"),
])
def test_a_line_loses_its_secrets_and_keeps_the_rest(line: str, kept: str) -> None:
    assert redact(line) == kept


def test_every_route_that_takes_a_token_is_redacted(app: Flask) -> None:
    with_tokens = [rule.rule for rule in app.url_map.iter_rules() if "token" in rule.arguments]
    assert with_tokens, "the answer, unsubscribe, calendar, invitation and reset links"
    assert [rule for rule in with_tokens if not rule.startswith(TOKEN_PATHS)] == []
