"""The register of decisions: the demo's decisions with their date, rule, outcome, figures,
statement and review date; filters by circle, year and outcome; a CSV that round-trips and an
Atom feed that parses; review dates that have passed flagged; and a public register only for
an organisation whose admins make it so on its settings page, naming no member unless it
chose to (page, CSV and Atom feed, read by a visitor who never signed in)."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any
from xml.etree import ElementTree as ET

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from decisions.web import db
from decisions.web.models import AuditEntry, Organisation, Proposal
from decisions.web.register.views import COLUMNS
from decisions.web.services import register

from .conftest import Clock
from .demo_world import READS_ENGLISH, SLUG, signed_in
from .demo_world import app as app
from .demo_world import demo_ids as demo_ids
from .statements import recorded

ATOM = "{http://www.w3.org/2005/Atom}"
#: The demo's decisions told in demo.py (the demo may tell more: every decided proposal of it
#: is in the register, see ``_decided``).
TOLD = ["sociocratic_election", "sociocratic_consent", "scic_college", "majority"]


def _entries(app: Flask, **filters: Any) -> list[register.Entry]:
    with app.app_context():
        organisation = db.session().scalars(select(Organisation)).one()
        return register.entries(db.session(), organisation, register.Filters(**filters),
                                db.utcnow())


def _decided(app: Flask) -> list[Proposal]:
    """The demo's decided proposals, latest decision first (as the register lists them)."""
    with app.app_context():
        found = list(db.session().scalars(
            select(Proposal).where(Proposal.status == "decided")
            .order_by(Proposal.decided_at.desc(), Proposal.id.desc())))
        for proposal in found:
            _ = proposal.title
        return found


def _csv_rows(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_the_register_lists_every_decision_of_the_demo_latest_first(
        app: Flask, demo_ids: dict[str, int]) -> None:
    entries = _entries(app)
    assert [e.proposal_id for e in entries] == [p.id for p in _decided(app)]
    assert {demo_ids[f] for f in TOLD} <= {e.proposal_id for e in entries}
    assert demo_ids["consent"] not in [e.proposal_id for e in entries]  # still open
    assert all(e.outcome == "adopted" for e in entries)
    assembly = next(e for e in entries if e.proposal_id == demo_ids["scic_college"])
    assert assembly.figures is not None
    with app.app_context():
        vote = db.session().get_one(Proposal, demo_ids["scic_college"]).rounds[-1]
        result = json.loads(vote.result_json or "{}")
    assert (assembly.figures.responded, assembly.figures.eligible) == (result["present"],
                                                                       result["eligible"])
    assert dict(assembly.figures.counts) == result["counts"]
    assert str(assembly.figures.weighted_share) == result["weighted_yes_share"]
    workshop = next(e for e in entries if e.family == "sociocratic_consent")
    assert workshop.circle == "Cercle livraison à vélo"
    assert workshop.figures is not None
    assert dict(workshop.figures.counts) == {"consent": 4}
    assert workshop.statement.startswith("Le cercle livraison à vélo loue")
    assert workshop.review_date is not None
    assert not workshop.review_due


def test_the_register_page_shows_each_decision_in_the_readers_language(
        app: Flask, demo_ids: dict[str, int]) -> None:
    page = signed_in(app, READS_ENGLISH).get(f"/orgs/{SLUG}/register/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    with app.app_context():
        titles = [db.session().get_one(Proposal, demo_ids[f]).title for f in TOLD]
    for title in titles:
        assert title.replace("'", "&#39;") in text
    assert "Register of decisions" in text
    assert f"{len(_decided(app))} decisions." in text
    assert "Weighted share for: 80%." in text
    assert "Review date passed" not in text


def test_the_filters_keep_a_circle_a_year_or_an_outcome(
        app: Flask, demo_ids: dict[str, int]) -> None:
    with app.app_context():
        workshop = db.session().get_one(Proposal, demo_ids["sociocratic_consent"])
        circle, year = workshop.circle_id, workshop.decided_at.year  # type: ignore[union-attr]
    assert [e.proposal_id for e in _entries(app, circle_id=circle)] == [workshop.id]
    assert len(_entries(app, year=year)) == len(_decided(app))
    assert _entries(app, year=year - 1) == []
    assert _entries(app, outcome="rejected") == []
    client = signed_in(app)
    page = client.get(f"/orgs/{SLUG}/register/?circle={circle}").get_data(as_text=True)
    assert "1 décision." in page
    assert client.get(f"/orgs/{SLUG}/register/?year=abc&outcome=nonsense").status_code == 200


def test_the_csv_round_trips(app: Flask, demo_ids: dict[str, int]) -> None:
    response = signed_in(app).get(f"/orgs/{SLUG}/register.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = _csv_rows(response.get_data(as_text=True))
    assert list(rows[0]) == list(COLUMNS)
    entries = _entries(app)
    assert len(rows) == len(entries) == len(_decided(app))
    for row, entry in zip(rows, entries, strict=True):
        assert int(row["proposal_id"]) == entry.proposal_id
        assert row["title"] == entry.title
        assert row["circle"] == (entry.circle or "")
        assert row["decided_on"] == entry.decided_on.isoformat()
        assert (row["rule"], row["outcome"]) == (entry.family, entry.outcome)
        assert row["outcome_statement"] == entry.statement
        assert row["review_date"] == (entry.review_date.isoformat() if entry.review_date
                                      else "")
        assert row["review_due"] == "no"
        assert entry.figures is not None
        assert dict(pair.split("=") for pair in row["counts"].split(";")) == {
            p: str(n) for p, n in entry.figures.counts.items()}
        assert row["url"].endswith(f"/proposals/{entry.proposal_id}/history")


def test_the_atom_feed_parses_with_one_entry_per_decision(
        app: Flask, demo_ids: dict[str, int]) -> None:
    response = signed_in(app).get(f"/orgs/{SLUG}/register.atom")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)  # noqa: S314 - our own output
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{required}") is not None
    entries = feed.findall(f"{ATOM}entry")
    decided = _decided(app)
    assert len(entries) == len(decided)
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == len(decided)
    assert [e.findtext(f"{ATOM}title") for e in entries] == [p.title for p in decided]
    for entry in entries:
        assert entry.findtext(f"{ATOM}updated")
        link = entry.find(f"{ATOM}link")
        assert link is not None
        assert link.get("href", "").startswith("http")


def test_a_passed_review_date_is_flagged_and_its_proposer_found(
        app: Flask, demo_ids: dict[str, int], clock: Clock) -> None:
    with app.app_context():
        workshop = db.session().get_one(Proposal, demo_ids["sociocratic_consent"])
        review = workshop.review_date
    assert review is not None
    assert not any(e.review_due for e in _entries(app))
    clock.advance(days=(review - clock().date()).days + 1)
    due = [(p.id, p.author_id, p.review_date) for p in reversed(_decided(app))
           if p.review_date is not None and p.review_date <= review]
    assert (demo_ids["sociocratic_consent"], workshop.author_id, review) in due
    assert {e.proposal_id for e in _entries(app) if e.review_due} == {d[0] for d in due}
    with app.app_context():
        organisation = db.session().scalars(select(Organisation)).one()
        found = register.reviews_due(db.session(), organisation, clock())
    assert sorted(found, key=lambda d: (d[2], d[0])) == sorted(due, key=lambda d: (d[2], d[0]))
    page = signed_in(app, READS_ENGLISH).get(f"/orgs/{SLUG}/register/").get_data(as_text=True)
    assert page.count("Review date passed") == len(due)
    rows = _csv_rows(signed_in(app).get(f"/orgs/{SLUG}/register.csv").get_data(as_text=True))
    assert [r["review_due"] for r in rows].count("yes") == len(due)


def _choose(client: FlaskClient, app: Flask, *, public: bool,
            names: bool | None = None) -> None:
    """An admin makes the register public or private on the organisation's settings page,
    the other settings as they are, and (unless ``None``) says whether public pages name
    members on the personal data settings page."""
    with app.app_context():
        organisation = db.session().scalars(select(Organisation)).one()
        settings = {"name": organisation.name, "timezone": organisation.timezone,
                    "language": organisation.language}
        settings.update({flag: "y" for flag in ("is_scic", "allow_member_proposals",
                                                "answer_links")
                         if getattr(organisation, flag)})
        privacy = {"contact": organisation.privacy_contact,
                   "former_member_days": str(organisation.former_member_days),
                   "record_years": str(organisation.record_years)}
    if public:
        settings["public_register"] = "y"
    saved = client.post(f"/orgs/{SLUG}/settings", data=settings)
    assert saved.status_code == 302, saved.get_data(as_text=True)
    if names is not None:
        if names:
            privacy["public_names"] = "y"
        saved = client.post(f"/orgs/{SLUG}/privacy/settings", data=privacy)
        assert saved.status_code == 302, saved.get_data(as_text=True)


def _public_texts(app: Flask) -> tuple[str, list[dict[str, str]], ET.Element]:
    """The public register as a visitor who never signed in reads it: the page, the CSV's
    rows, the Atom feed."""
    visitor = app.test_client()
    page = visitor.get(f"/public/{SLUG}/register/")
    assert page.status_code == 200
    rows = _csv_rows(visitor.get(f"/public/{SLUG}/register.csv").get_data(as_text=True))
    feed = ET.fromstring(visitor.get(f"/public/{SLUG}/register.atom").data)  # noqa: S314
    return page.get_data(as_text=True), rows, feed


def _proposers(app: Flask) -> set[str]:
    """The names of the demo's decided proposals' proposers."""
    with app.app_context():
        return {p.author.user.name for p in db.session().scalars(
            select(Proposal).where(Proposal.status == "decided")) if p.author is not None}


PUBLIC_PATHS = ("/", ".csv", ".atom")


def test_the_register_is_private_until_an_admin_makes_it_public_then_private_again(
        app: Flask, demo_ids: dict[str, int]) -> None:
    visitor = app.test_client()
    for path in PUBLIC_PATHS:
        assert visitor.get(f"/public/{SLUG}/register{path}").status_code == 404
    admin = signed_in(app)
    assert 'name="public_register"' in admin.get(f"/orgs/{SLUG}/settings").get_data(
        as_text=True)
    members_page = admin.get(f"/orgs/{SLUG}/register/").get_data(as_text=True)
    assert f"/public/{SLUG}/register/" not in members_page
    _choose(admin, app, public=True)
    for path in PUBLIC_PATHS:
        assert visitor.get(f"/public/{SLUG}/register{path}").status_code == 200
    members_page = admin.get(f"/orgs/{SLUG}/register/").get_data(as_text=True)
    assert f"/public/{SLUG}/register/" in members_page
    with app.app_context():
        entries = db.session().scalars(select(AuditEntry).where(
            AuditEntry.kind == "public_register_changed")).all()
        assert [json.loads(e.data) for e in entries] == [{"public_register": True}]
        assert entries[0].actor_id is not None
    _choose(admin, app, public=True)  # saved again as it is: nothing more to record
    _choose(admin, app, public=False)
    for path in PUBLIC_PATHS:
        assert visitor.get(f"/public/{SLUG}/register{path}").status_code == 404
    with app.app_context():
        told = db.session().scalars(select(AuditEntry.data).where(
            AuditEntry.kind == "public_register_changed").order_by(AuditEntry.seq)).all()
    assert [json.loads(d) for d in told] == [{"public_register": True},
                                             {"public_register": False}]
    audit_page = signed_in(app, READS_ENGLISH).get(f"/orgs/{SLUG}/audit").get_data(
        as_text=True)
    assert "Register of decisions made public or private" in audit_page


def test_a_member_who_is_not_an_admin_cannot_make_the_register_public(
        app: Flask, demo_ids: dict[str, int]) -> None:
    member = signed_in(app, READS_ENGLISH)
    assert member.post(f"/orgs/{SLUG}/settings",
                       data={"public_register": "y"}).status_code == 403
    assert app.test_client().get(f"/public/{SLUG}/register/").status_code == 404


def test_a_public_register_shows_every_decision_read_only_naming_no_member(
        app: Flask, demo_ids: dict[str, int]) -> None:
    _choose(signed_in(app), app, public=True)
    text, rows, feed = _public_texts(app)
    assert "Adhérer à la fédération européenne" in text
    proposers = _proposers(app)
    assert proposers >= {"Camille Martin", "Samir Haddad"}
    # Outcome statements are shown as written (the election's names whom it elected).
    unwritten = re.sub(r'<div class="markdown">.*?</div>', "", text, flags=re.S)
    for name in proposers:
        assert name not in unwritten
    assert 'method="post"' not in text  # read-only: nothing to send from it
    assert [int(r["proposal_id"]) for r in rows] == [p.id for p in _decided(app)]
    assert {r["proposer"] for r in rows} == {""}
    assert all("/public/" in r["url"] for r in rows)
    assert len(feed.findall(f"{ATOM}entry")) == len(_decided(app))
    assert feed.find(f"{ATOM}entry/{ATOM}author") is None


def test_a_public_register_names_proposers_when_the_organisation_chose_to(
        app: Flask, demo_ids: dict[str, int]) -> None:
    _choose(signed_in(app), app, public=True, names=True)
    text, rows, feed = _public_texts(app)
    assert "Samir Haddad" in text
    with app.app_context():
        expected = {p.id: p.author.user.name for p in db.session().scalars(
            select(Proposal).where(Proposal.status == "decided")) if p.author is not None}
    assert {int(r["proposal_id"]): r["proposer"] for r in rows if r["proposer"]} == expected
    authors = {e.findtext(f"{ATOM}author/{ATOM}name") for e in feed.findall(f"{ATOM}entry")}
    assert authors == set(expected.values())
    _choose(signed_in(app), app, public=True, names=False)
    text, rows, feed = _public_texts(app)
    assert "Samir Haddad" not in text
    assert {r["proposer"] for r in rows} == {""}


def test_the_register_reads_in_a_few_queries_whatever_its_length(
        app: Flask, demo_ids: dict[str, int]) -> None:
    with recorded(app) as statements:
        _entries(app)
    assert len(statements) <= 8, statements


def test_the_register_is_in_the_menu(app: Flask, demo_ids: dict[str, int]) -> None:
    page = signed_in(app).get(f"/orgs/{SLUG}/").get_data(as_text=True)
    assert f'href="/orgs/{SLUG}/register/"' in page
    assert "Registre des décisions" in page


def test_a_deadline_far_in_the_future_does_not_break_the_year_filter(
        app: Flask, demo_ids: dict[str, int]) -> None:
    assert _entries(app, year=9999) == []
    assert _entries(app, year=0) == []
