"""The privacy page, in English and French, written from the configuration and each
organisation's settings: what is stored, why, for how long, who sees it, how to exercise each
right, and whom to write to."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from decisions.web import db
from decisions.web.models import AuditEntry, Membership, Organisation

from .conftest import Auth


def text_of(client: FlaskClient, path: str, language: str = "en") -> str:
    response = client.get(path, headers={"Accept-Language": language})
    assert response.status_code == 200, response.status_code
    page = response.get_data(as_text=True)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def test_the_privacy_page_says_what_is_kept_how_long_and_each_right_in_english(
        client: FlaskClient) -> None:
    page = text_of(client, "/privacy")
    for said in ("What is stored, why, for how long, and who sees it",
                 "90 days after they were delivered.",
                 "The invitation is deleted 30 days after it was used or expired.",
                 "A link works 14 days.", "A link works 2 hours, once.",
                 "30 days after they were answered or given up.",
                 "1 day, then deleted.",
                 "No record of sign-ins is stored",
                 "Entries name people by number, never by name or e-mail.",
                 "Access and portability.", "Rectification.", "Erasure.",
                 "Objection and restriction.", "Complaint.", "www.cnil.fr",
                 "They name no member unless the organisation chooses to."):
        assert said in page, said


def test_the_privacy_page_is_in_french_too(client: FlaskClient) -> None:
    page = text_of(client, "/privacy", "fr")
    for said in ("Confidentialité", "Ce qui est enregistré, pourquoi",
                 "90 jours après leur remise.", "Un lien fonctionne 2 heures, une fois.",
                 "1 jour, puis supprimées.",
                 "Un jeton révoqué ou expiré est supprimé 30 jours plus tard.",
                 "Accès et portabilité.", "Effacement.", "la CNIL"):
        assert said in page, said


def test_the_page_follows_the_configuration(app: Flask, client: FlaskClient) -> None:
    app.config.update(RETAIN_NOTICES_DAYS=45, RETAIN_INVITATIONS_DAYS=1,
                      RETAIN_WEBHOOK_DELIVERIES_DAYS=7, RETAIN_IDEMPOTENCY_KEYS_DAYS=3,
                      RETAIN_API_TOKENS_DAYS=12,
                      PASSWORD_RESET_SECONDS=1800,
                      PRIVACY_CONTACT="dpo@site.example.org")
    page = text_of(client, "/privacy")
    assert "45 days after they were delivered." in page
    assert "The invitation is deleted 1 day after it was used or expired." in page
    assert "7 days after they were answered or given up." in page
    assert "3 days, then deleted." in page
    assert "A token revoked or expired is deleted 12 days later." in page
    assert "A link works 30 minutes, once." in page
    assert "For your account on this site: dpo@site.example.org" in page


def test_an_organisations_page_is_public_and_says_its_own_periods_and_contact(
        app: Flask, client: FlaskClient, auth: Auth,
        make_org: Callable[..., Organisation]) -> None:
    make_org("coop", admin="ana@example.org")
    page = text_of(client, "/orgs/coop/privacy")
    assert "Privacy at Coop" in page
    assert "Coop has not named a contact for data requests yet" in page
    assert "Coop replaces them at once." in page  # names
    assert "Coop keeps them 10 years." in page  # reasons and comments
    assert "Coop names no member on its public pages." in page
    assert client.get("/orgs/nowhere/privacy").status_code == 404
    auth.login("ana@example.org")
    saved = client.post("/orgs/coop/privacy/settings", data={
        "contact": "dpo@coop.example.org", "former_member_days": "30", "record_years": "5",
        "public_names": "y"})
    assert saved.status_code == 302
    page = text_of(client, "/orgs/coop/privacy", "fr")
    assert "Pour Coop : dpo@coop.example.org" in page
    assert "Coop les garde 30 jours." in page
    assert "Coop les garde 5 ans." in page
    assert "Coop a choisi de nommer ses membres sur ses pages publiques." in page
    with app.app_context():
        session = db.session()
        organisation = session.scalars(select(Organisation)).one()
        assert (organisation.privacy_contact, organisation.former_member_days,
                organisation.record_years, organisation.public_names) == (
            "dpo@coop.example.org", 30, 5, True)
        [data] = session.scalars(select(AuditEntry.data).where(
            AuditEntry.kind == "privacy_settings_changed")).all()
    assert json.loads(data) == {"former_member_days": 30, "record_years": 5,
                                "public_names": True}  # the contact is no audit matter


def test_the_settings_refuse_periods_out_of_bounds(
        client: FlaskClient, auth: Auth, make_org: Callable[..., Organisation]) -> None:
    make_org("coop", admin="ana@example.org")
    auth.login("ana@example.org")
    page = text_of(client, "/orgs/coop/privacy/settings")
    assert "Days a former member's name and e-mail are kept" in page
    refused = client.post("/orgs/coop/privacy/settings", data={
        "contact": "", "former_member_days": "-1", "record_years": "101"})
    assert refused.status_code == 200
    said = refused.get_data(as_text=True)
    assert "Choose a number of days from 0 to 3650." in said
    assert "Choose a number of years from 0 to 100." in said


def test_a_member_finds_the_pages_of_their_organisations_and_every_page_links_privacy(
        client: FlaskClient, auth: Auth, make_org: Callable[..., Organisation],
        make_member: Callable[..., Membership]) -> None:
    coop = make_org("coop", admin="ana@example.org")
    make_member(coop, "bo@example.org")
    auth.login("bo@example.org")
    page = client.get("/privacy").get_data(as_text=True)
    assert 'href="/orgs/coop/privacy"' in page
    assert 'href="/privacy"' in client.get("/orgs/coop/").get_data(as_text=True)
    profile = client.get("/account/profile").get_data(as_text=True)
    assert 'href="/account/data"' in profile
    assert 'href="/account/close"' in profile
    admin_menu = Auth(client)
    admin_menu.logout()
    admin_menu.login("ana@example.org")
    assert 'href="/orgs/coop/privacy/settings"' in client.get("/orgs/coop/").get_data(
        as_text=True)
