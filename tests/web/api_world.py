"""What the tests of the API and the webhooks share: tokens made through the services, a
client that sends one, the application served over real HTTP on 127.0.0.1, and a real
HTTP server that receives webhooks and answers as a test tells it."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.serving import make_server
from werkzeug.test import TestResponse

from decisions.web import db
from decisions.web.models import Membership, Organisation, User
from decisions.web.services import accounts, api_tokens

from .conftest import unit

EVERY_SCOPE = ("read", "vote", "facilitate", "administer")


def token_for(app: Flask, email: str, scopes: Iterable[str] = EVERY_SCOPE, *,
              organisation: str | None = None, days: int = 30) -> str:
    """A token of the account ``email``: personal, or with ``organisation`` (a slug) that
    organisation's, made by that account (one of its admins)."""
    with unit(app) as session:
        user = accounts.find_by_email(session, email)
        assert user is not None, email
        if organisation is None:
            return api_tokens.create_personal(session, user, name="tests", scopes=list(scopes),
                                               days=days, now=db.utcnow()).text
        found = session.scalar(select(Organisation).where(Organisation.slug == organisation))
        assert found is not None
        member = session.scalar(select(Membership).where(
            Membership.organisation_id == found.id, Membership.user_id == user.id))
        assert member is not None
        return api_tokens.create_for_organisation(session, found, member, name="platform",
                                                  scopes=list(scopes), days=days,
                                                  now=db.utcnow()).text


def member_id(app: Flask, slug: str, email: str) -> int:
    """The membership id of ``email`` in the organisation ``slug``."""
    with app.app_context():
        found = db.session().scalar(
            select(Membership.id).join(Organisation).join(User)
            .where(Organisation.slug == slug, User.email == email))
        assert found is not None
        return int(found)


class Api:
    """The test client, sending a token with every request."""

    def __init__(self, client: FlaskClient, token: str | None,
                 headers: dict[str, str] | None = None) -> None:
        self.client, self.token, self.headers = client, token, dict(headers or {})

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        found = dict(self.headers)
        if self.token is not None:
            found["Authorization"] = f"Bearer {self.token}"
        found.update(extra or {})
        return found

    def get(self, path: str, headers: dict[str, str] | None = None) -> TestResponse:
        return self.client.get(f"/api/v1{path}", headers=self._headers(headers))

    def post(self, path: str, body: Any = None,
             headers: dict[str, str] | None = None) -> TestResponse:
        return self.client.post(f"/api/v1{path}", json={} if body is None else body,
                                headers=self._headers(headers))

    def put(self, path: str, body: Any, headers: dict[str, str] | None = None) -> TestResponse:
        return self.client.put(f"/api/v1{path}", json=body, headers=self._headers(headers))


@contextmanager
def served(app: Flask) -> Iterator[str]:
    """The application served over HTTP on a free port of 127.0.0.1: its address."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="api-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@dataclass
class Received:
    """One request a receiver got."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A real HTTP server on 127.0.0.1 that records what it receives and answers with the
    statuses of ``answers`` in turn (then 200)."""

    answers: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"


@contextmanager
def receiver(answers: Iterable[int] = ()) -> Iterator[Receiver]:
    """A webhook receiver running for the ``with`` block."""
    found = Receiver(answers=list(answers))
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            with lock:
                found.received.append(Received(self.command, self.path,
                                               {k.lower(): v for k, v in self.headers.items()},
                                               body))
                status = found.answers.pop(0) if found.answers else 200
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")

        do_POST = do_PUT = _answer

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    found.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, name="receiver", daemon=True)
    thread.start()
    try:
        yield found
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
