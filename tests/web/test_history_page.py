"""A proposal's whole history on one printable page: every version with its text, every round
with its results and explanation, every objection and how it was resolved, as the reader may
see them (a secret ballot names nobody)."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import select

from decisions.web import db
from decisions.web.models import Organisation, Proposal, RoundKind, VotersVisibility
from decisions.web.services import objections, proposals, rounds

from .demo_world import ADMIN, READS_ENGLISH, SLUG, signed_in
from .demo_world import app as app
from .demo_world import demo_ids as demo_ids


def _history(app: Flask, proposal: int, email: str = READS_ENGLISH) -> str:
    response = signed_in(app, email).get(f"/orgs/{SLUG}/proposals/{proposal}/history")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _consent_with_a_withdrawn_objection(
        app: Flask, visible: VotersVisibility = VotersVisibility.EVERYONE) -> int:
    """A consent proposal: Hugo objects with a reason, then withdraws; it is adopted."""
    with app.app_context(), db.transaction() as session:
        organisation = session.scalars(select(Organisation)).one()
        members = {m.user.email.split("@")[0]: m for m in organisation.memberships}
        proposal = proposals.create_proposal(
            session, organisation, members["samir"], title="Horaires d'été", body="Été.",
            family="consent", params={"preset": "consent_async"}, now=db.utcnow(),
            voters_visible=visible)
        consent = rounds.open_round(session, proposal, RoundKind.CONSENT, now=db.utcnow(),
                                    closes_at=db.utcnow() + timedelta(days=2))
        at = db.utcnow() + timedelta(hours=1)
        rounds.cast_ballot(session, consent.id, members["camille"].id, "consent", now=at)
        rounds.cast_ballot(session, consent.id, members["hugo"].id, "object", now=at,
                           reason="Les livreurs du matin ne sont pas consultés.")
        rounds.cast_ballot(session, consent.id, members["ines"].id, "consent", now=at)
        objections.withdraw_objection(session, consent.id, members["hugo"].id,
                                      note="Samir a consulté l'équipe du matin.",
                                      recorded_by=members["samir"].id,
                                      now=at + timedelta(hours=1))
        rounds.close_round(session, consent.id, now=db.utcnow() + timedelta(days=2))
        return proposal.id


def test_the_history_has_every_version_round_and_the_integrated_objection(
        app: Flask, demo_ids: dict[str, int]) -> None:
    with app.app_context():
        workshop = db.session().get_one(Proposal, demo_ids["sociocratic_consent"])
        titles = [v.title for v in workshop.versions]
        statement = workshop.outcome_statement
    page = _history(app, demo_ids["sociocratic_consent"])
    for number, title in enumerate(titles, start=1):
        assert f"Version {number}: {title}".replace("'", "&#39;") in page
    assert "Acheter engloutit toutes nos réserves" in page  # version 1's objection...
    assert "Hugo Bernard" in page
    assert "to integrate into a new version" in page  # ...integrated into version 2
    assert "L&#39;objection d&#39;Hugo est intégrée" in page  # what changed
    assert "1. Consent round" in page
    assert "2. Consent round" in page
    assert "Outcome: adopted" in page
    assert statement[:40].replace("'", "&#39;") in page


def test_a_withdrawn_objection_says_so_with_the_note(
        app: Flask, demo_ids: dict[str, int]) -> None:
    proposal = _consent_with_a_withdrawn_objection(app)
    page = _history(app, proposal)
    assert "Les livreurs du matin ne sont pas consultés." in page
    assert "withdrawn by its author" in page
    assert "Samir a consulté l&#39;équipe du matin." in page
    assert "Outcome: adopted" in page
    french = _history(app, proposal, ADMIN)
    assert "retirée par son auteur·rice" in french


def test_objectors_are_not_named_to_a_member_the_proposal_hides_them_from(
        app: Flask, demo_ids: dict[str, int]) -> None:
    proposal = _consent_with_a_withdrawn_objection(app, VotersVisibility.FACILITATORS)
    member = _history(app, proposal)  # Tom, a member
    assert "Hugo Bernard" not in member
    assert "The proposal does not show who took which position to you." in member
    facilitator = _history(app, proposal, ADMIN)
    assert "Hugo Bernard" in facilitator


def test_a_secret_vote_names_nobody_in_the_history(
        app: Flask, demo_ids: dict[str, int]) -> None:
    with app.app_context(), db.transaction() as session:
        organisation = session.scalars(select(Organisation)).one()
        members = {m.user.email.split("@")[0]: m for m in organisation.memberships}
        proposal = proposals.create_proposal(
            session, organisation, members["camille"], title="Secret", body="Secret.",
            family="majority", params={"preset": "association_default"}, now=db.utcnow(),
            secret=True)
        vote = rounds.open_round(session, proposal, RoundKind.VOTE, now=db.utcnow(),
                                 closes_at=db.utcnow() + timedelta(hours=1))
        for who in ("hugo", "ines", "yann"):
            rounds.cast_ballot(session, vote.id, members[who].id, "yes",
                               now=db.utcnow() + timedelta(minutes=5))
        rounds.close_round(session, vote.id, now=db.utcnow() + timedelta(hours=1))
        proposal_id = proposal.id
    page = _history(app, proposal_id, ADMIN)
    for name in ("Hugo Bernard", "Inès Moreau", "Yann Le Gall"):
        assert name not in page
    assert "Résultat : adoptée" in page


def test_the_proposal_page_links_its_history(app: Flask, demo_ids: dict[str, int]) -> None:
    page = signed_in(app).get(f"/orgs/{SLUG}/proposals/{demo_ids['majority']}")
    assert f"/proposals/{demo_ids['majority']}/history" in page.get_data(as_text=True)


def test_a_draft_has_no_history_page_for_members(app: Flask, demo_ids: dict[str, int]) -> None:
    with app.app_context(), db.transaction() as session:
        organisation = session.scalars(select(Organisation)).one()
        author = next(m for m in organisation.memberships if m.user.email == ADMIN)
        draft = proposals.create_proposal(
            session, organisation, author, title="Brouillon", body="Pas encore.",
            family="majority", params={"preset": "association_default"}, now=db.utcnow())
        draft_id = draft.id
    client = signed_in(app, READS_ENGLISH)
    assert client.get(f"/orgs/{SLUG}/proposals/{draft_id}/history").status_code == 404
    assert _history(app, draft_id, ADMIN)
