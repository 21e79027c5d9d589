"""The world of the authorization matrix and of the tests that go through every page: an
organisation with one visitor of each kind and one thing of each kind in it, rounds in each
state included.

It is built once per module (and backend) and committed; each test runs on it with what it
writes rolled back after it (``conftest.rolled_back``). A module uses it by importing both
fixtures: ``from .world import app as app`` and ``from .world import world as world``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from decisions.web.models import (
    AssemblyKind,
    Circle,
    College,
    Invitation,
    Membership,
    Organisation,
    Proposal,
    ProposalStatus,
    Role,
    RoundKind,
)
from decisions.web.services import assemblies, proposals, rounds

from .conftest import built_once, new_member, new_organisation, unit

#: Who signs in as each kind of visitor (``"anonymous"`` does not sign in).
VISITOR_EMAIL = {"outsider": "outsider@other.example.org", "member": "member@coop.example.org",
                 "facilitator": "facilitator@coop.example.org", "admin": "admin@coop.example.org"}


def _rounds_world(session: Session, organisation: Organisation, author: Membership,
                  now: datetime) -> dict[str, int]:
    """Proposals with rounds in each state the round pages need, by the app's clock."""
    week = timedelta(days=7)

    def draft(family: str, preset: str) -> Proposal:
        return proposals.create_proposal(
            session, organisation, author, title=f"A {family} proposal", body="Text.",
            family=family, params={"preset": preset}, now=now - 2 * week)

    vote = draft("majority", "scic_sa_ago")
    closed = rounds.open_round(session, vote, RoundKind.VOTE, closes_at=now - week,
                               now=now - 2 * week)
    rounds.close_round(session, closed.id, now=now - week)  # no quorum: a second convocation
    vote_round = rounds.open_round(session, vote, RoundKind.VOTE, closes_at=now + week,
                                   now=now - week)
    socio = draft("sociocratic_consent", "sociocratic_consent")
    consent_round = rounds.open_round(session, socio, RoundKind.CONSENT, closes_at=now + week,
                                      now=now)
    talk = draft("sociocratic_consent", "sociocratic_consent")
    comment_round = rounds.open_round(session, talk, RoundKind.CLARIFYING,
                                      closes_at=now + week, now=now)
    return {"vote": vote.id, "closed": closed.id, "vote_round": vote_round.id,
            "socio": socio.id, "consent_round": consent_round.id, "talk": talk.id,
            "comment_round": comment_round.id}


def build_world(app: Flask) -> dict[str, object]:
    """An organisation with one visitor of each kind, and one thing of each kind in it: the
    values of the placeholders of the matrix's paths."""
    coop = new_organisation(app, "coop", admin="admin@coop.example.org",
                            colleges={"workers": 50, "users": 30, "partners": 20})
    new_organisation(app, "other", admin="outsider@other.example.org")
    new_member(app, coop, "member@coop.example.org")
    new_member(app, coop, "facilitator@coop.example.org", role="facilitator")
    target = new_member(app, coop, "target@coop.example.org")
    with unit(app) as session:
        organisation = session.get_one(Organisation, coop.id)
        circle = Circle(organisation=organisation, name="Delivery", description="")
        session.add(circle)
        now = datetime.now(UTC)
        invitation = Invitation(organisation=organisation, email="new@coop.example.org",
                                role="member", token_hash="0" * 64, created_at=now,
                                expires_at=now.replace(year=now.year + 1))
        session.add(invitation)
        session.flush()
        college = session.scalar(select(College).where(College.organisation_id == coop.id))
        assert college is not None
        author = session.scalar(select(Membership).where(
            Membership.organisation_id == coop.id, Membership.role == Role.ADMIN))
        assert author is not None
        proposal = proposals.create_proposal(
            session, organisation, author, title="Buy cargo bikes", body="Two bikes.",
            family="consent", params={}, now=now)
        proposal.status = ProposalStatus.OPEN  # members read it; nobody has voted yet
        assembly = assemblies.create_assembly(
            session, organisation, author, assemblies.Settings(
                title="AGO 2026", kind=AssemblyKind.ORDINARY, place="Lyon",
                meets_at=app.config["CLOCK"]() + timedelta(days=30)),
            now=app.config["CLOCK"]())
        item = assemblies.add_resolution(session, assembly, author, title="Accounts",
                                         body="Approve them.", now=app.config["CLOCK"]())
        return {"slug": "coop", "circle": circle.id, "college": college.id,
                "assembly": assembly.id, "item": item.id,
                "member": target.id, "invitation": invitation.id, "proposal": proposal.id,
                **_rounds_world(session, organisation, author, app.config["CLOCK"]())}


@pytest.fixture(scope="module")
def world(shared_app: Flask, tmp_path_factory: pytest.TempPathFactory,
          ) -> Iterator[dict[str, object]]:
    """The world of :func:`build_world`, built once for the module (on each backend)."""
    with built_once(shared_app, tmp_path_factory.mktemp("world")) as application:
        yield build_world(application)


@pytest.fixture
def app(rolled_back_app: Flask, world: dict[str, object]) -> Flask:
    """The application on the module's world, as new; what the test writes (a member
    removed, a round closed, a session signed in) is rolled back after it."""
    return rolled_back_app
