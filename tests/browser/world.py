"""A world for the browser tests, told through the services: the French demo network (a college
vote with results, an open consent round, an election…), plus a secret college vote, closed
with its results, on a proposal whose title is one long unbroken word."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from decisions.web import db, demo
from decisions.web.models import Organisation, Proposal, RoundKind
from decisions.web.services import proposals, rounds

from .conftest import LiveServer

ADMIN = "camille@demo.coop"
PASSWORD = demo.DEMO_PASSWORD
#: 200 characters without a space or a hyphen: the longest title a proposal may have.
LONG_TITLE = "Anticonstitutionnellement" * 8
#: Who votes in the secret vote, and how (the others stay silent).
SECRET_BALLOTS = {"camille": "yes", "hugo": "no", "ines": "yes", "tom": "abstain",
                  "yann": "yes", "malik": "yes"}


@dataclass(frozen=True)
class World:
    """The organisation and the pages the tests read, as paths of the live server."""

    slug: str
    long_proposal: str  # the proposal with the long title
    secret_round: str  # its secret college vote, closed
    secret_results: str  # the results of that vote
    open_round: str  # the demo's consent round, open for answers
    college_results: str  # the demo's general assembly, voted by colleges
    amended_versions: str  # the versions of the demo's amended proposal, and their diff

    def page(self, path: str) -> str:
        return f"/orgs/{self.slug}{path}"


def build(live: LiveServer) -> World:
    """Seed the demo at the live clock's instant, then hold the secret vote within the next
    hour (the demo's consent round stays open)."""
    with live.app.app_context():
        demo.seed()
        with db.transaction() as session:
            network = session.scalars(select(Organisation)).one()
            members = {m.user.email.split("@")[0]: m for m in network.memberships}
            proposal = proposals.create_proposal(
                session, network, members["camille"], title=LONG_TITLE,
                body="Un vote **secret**, collège par collège.", family="scic_college",
                params={"preset": "scic_sa_ago"}, now=live.clock(), secret=True)
            vote = rounds.open_round(session, proposal, RoundKind.VOTE, now=live.clock(),
                                     closes_at=live.clock() + timedelta(hours=1))
            for step, (who, position) in enumerate(SECRET_BALLOTS.items(), start=1):
                rounds.cast_ballot(session, vote.id, members[who].id, position,
                                   now=live.clock() + timedelta(minutes=step))
            slug, ids = network.slug, (proposal.id, vote.id)
        live.clock.advance(hours=1)
        with db.transaction() as session:
            rounds.close_round(session, ids[1], now=live.clock())
            charter = _last_round(session, "Adopter la charte")
            assembly = _last_round(session, "AGO 2026")
            workshop = _proposal(session, "Ouvrir un atelier").id
    secret = f"/proposals/{ids[0]}/rounds/{ids[1]}"
    return World(slug=slug, long_proposal=f"/proposals/{ids[0]}", secret_round=secret,
                 secret_results=f"{secret}/results", open_round=charter,
                 college_results=f"{assembly}/results",
                 amended_versions=f"/proposals/{workshop}/versions")


def _proposal(session: Session, title_start: str) -> Proposal:
    """The demo's proposal whose title starts so."""
    return session.scalars(select(Proposal).where(Proposal.title.startswith(title_start))).one()


def _last_round(session: Session, title_start: str) -> str:
    """The path of the latest round of the demo's proposal whose title starts so."""
    proposal = _proposal(session, title_start)
    return f"/proposals/{proposal.id}/rounds/{proposal.rounds[-1].id}"
