"""Taking part in rounds through the web pages, as each member would: one signed-in browser
per person, proposals drafted through the service (their pages belong to the proposals)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from decisions.web import db
from decisions.web.models import Membership, Organisation, Round, User
from decisions.web.services import proposals

from .conftest import PASSWORD, Clock


@dataclass
class Browsers:
    """A signed-in browser for each member of one organisation, by e-mail."""

    app: Flask
    slug: str
    clients: dict[str, FlaskClient] = field(default_factory=dict)

    def of(self, email: str) -> FlaskClient:
        """The browser of ``email``, signed in on first use."""
        if email not in self.clients:
            client = self.app.test_client()
            response = client.post("/auth/login", data={"email": email, "password": PASSWORD})
            assert response.status_code == 302, response.get_data(as_text=True)
            self.clients[email] = client
        return self.clients[email]

    def base(self, proposal: int) -> str:
        return f"/orgs/{self.slug}/proposals/{proposal}/rounds"

    def open(self, email: str, proposal: int, kind: str, deadline: str = "2026-03-09T10:00",
             **extra: Any) -> int:
        """Open a round through the page and return its id."""
        response = self.of(email).post(f"{self.base(proposal)}/open",
                                       data={"kind": kind, "closes_at": deadline, **extra})
        assert response.status_code == 302, page_errors(response)
        found = re.search(r"/rounds/(\d+)$", response.headers["Location"])
        assert found is not None, response.headers["Location"]
        return int(found.group(1))

    def vote(self, email: str, proposal: int, round_id: int, position: str,
             **extra: Any) -> TestResponse:
        """Take a position through the round page's form."""
        return self.of(email).post(f"{self.base(proposal)}/{round_id}/vote",
                                   data={"position": position, **extra})

    def page(self, email: str, proposal: int, round_id: int, what: str = "") -> str:
        """A page of a round (``""``, ``/results``), as ``email`` sees it."""
        response = self.of(email).get(f"{self.base(proposal)}/{round_id}{what}")
        assert response.status_code == 200, response.status_code
        return response.get_data(as_text=True)

    def post(self, email: str, proposal: int, round_id: int, to: str,
             **data: Any) -> TestResponse:
        """Send a form of the round page to ``to`` (``close``, ``extend``, ``qualify``...)."""
        return self.of(email).post(f"{self.base(proposal)}/{round_id}/{to}", data=data)


def page_errors(response: TestResponse) -> str:
    """The error messages shown on a page, to explain a failed step."""
    text = response.get_data(as_text=True)
    return " | ".join(re.findall(r'<ul class="errors"[^>]*>(.*?)</ul>', text, re.S)) or text[:2000]


def draft(app: Flask, organisation: Organisation, author_email: str, family: str,
          params: dict[str, Any], clock: Clock, **options: Any) -> int:
    """A draft proposal through the service; its id."""
    with app.app_context(), db.transaction() as session:
        author = session.scalar(select(Membership).join(User).where(
            User.email == author_email, Membership.organisation_id == organisation.id))
        assert author is not None
        org = session.get_one(Organisation, organisation.id)
        proposal = proposals.create_proposal(
            session, org, author, title="Buy cargo bikes", body="We buy **two** cargo bikes.",
            family=family, params=params, now=clock(), **options)
        return proposal.id


def stored_round(app: Flask, round_id: int) -> Round:
    """A round as stored now."""
    with app.app_context():
        round_ = db.session().get_one(Round, round_id)
        db.session().expunge(round_)
        return round_


def member_id(app: Flask, email: str, slug: str = "coop") -> int:
    """The membership id of ``email`` in the organisation ``slug``."""
    with app.app_context():
        found = db.session().scalar(select(Membership.id).join(User).join(Organisation).where(
            User.email == email, Organisation.slug == slug))
        assert found is not None
        return found


MakeMember = Callable[..., Membership]
MakeOrg = Callable[..., Organisation]


# The small association of the tests of pages ------------------------------------------

#: The facilitator of :func:`coop`; its admin is ``admin@example.org``, its members
#: ``ana@``, ``bo@`` and ``cy@example.org`` (each named as the part before the ``@``).
FACILITATOR = "fa@example.org"
MEMBERS = ("ana@example.org", "bo@example.org", "cy@example.org")


@pytest.fixture
def coop(make_org: MakeOrg, make_member: MakeMember) -> Organisation:
    """An association ("coop", in Europe/Paris, not a SCIC) with its admin, a facilitator
    and three members, built for each test on a clean database. A module uses it, and
    :func:`browsers`, by importing them: ``from .round_pages import coop as coop``."""
    organisation = make_org("coop", admin="admin@example.org", is_scic=False)
    make_member(organisation, FACILITATOR, role="facilitator")
    for email in MEMBERS:
        make_member(organisation, email)
    return organisation


@pytest.fixture
def browsers(app: Flask) -> Browsers:
    """A signed-in browser for each person of :func:`coop`, on first use."""
    return Browsers(app, "coop")
