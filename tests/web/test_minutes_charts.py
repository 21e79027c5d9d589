"""The minutes of a general assembly draw a chart for each resolution voted: how its
colleges' parts add up to the weighted share against the threshold, with the engine's
figures (the test reads the SVG's text, in French and in English), and the PDF draws them
too. The demo's annual general assembly: three resolutions voted by colleges, one of them
by secret ballot."""

from __future__ import annotations

import json
import re
from fractions import Fraction
from typing import Any
from xml.etree import ElementTree as ET

from flask import Flask
from flask_babel import force_locale
from sqlalchemy import select

from decisions.web import db
from decisions.web.models import Assembly, AssemblyStatus
from decisions.web.orgs.views import percent

from .demo_world import SLUG, signed_in
from .demo_world import app as app
from .demo_world import demo_ids as demo_ids

SVG = "{http://www.w3.org/2000/svg}"


def _sitting(app: Flask) -> tuple[int, list[tuple[int, int, dict[str, Any]]]]:
    """The demo's closed sitting, and its resolutions voted: (number, round id, result)."""
    with app.app_context():
        assembly = db.session().scalars(select(Assembly).where(
            Assembly.status == AssemblyStatus.CLOSED)).one()
        voted = [(item.number, item.round.id, json.loads(item.round.result_json))
                 for item in assembly.items if item.round and item.round.result_json]
        return assembly.id, voted


def _charts(page: str) -> dict[str, str]:
    """The SVG charts of a page by id, as the text they say."""
    found = {}
    for svg in re.findall(r"<svg[^>]*>.*?</svg>", page, re.S):
        tree = ET.fromstring(svg.replace("<svg ", f'<svg xmlns="{SVG[1:-1]}" ', 1))  # noqa: S314
        found[tree.get("aria-labelledby", "").split()[0].removesuffix("-title")] = " | ".join(
            [t.text or "" for t in tree.iter(f"{SVG}title")]
            + [t.text or "" for t in tree.iter(f"{SVG}text")])
    return found


def test_each_resolution_of_the_minutes_has_a_chart_with_the_engines_figures(
        app: Flask, demo_ids: dict[str, int]) -> None:
    assembly_id, voted = _sitting(app)
    assert len(voted) == 3
    client = signed_in(app)
    base = f"/orgs/{SLUG}/assemblies/{assembly_id}/minutes"
    for language, share_words, heading in (
            ("en", "Weighted share for: {share}", "{name}: {weight} of the votes, {yes} for"),
            ("fr", "Part pondérée pour : {share}", "{name} : {weight} des voix, {yes} pour")):
        page = client.get(f"{base}?lang={language}" if language == "en" else base)
        assert page.status_code == 200
        charts = _charts(page.get_data(as_text=True))
        assert sorted(charts) == sorted(f"chart-{round_id}-colleges"
                                        for _n, round_id, _r in voted)
        with app.test_request_context(), force_locale(language):
            for _number, round_id, result in voted:
                said = charts[f"chart-{round_id}-colleges"]
                share = percent(Fraction(result["weighted_yes_share"]))
                assert share_words.format(share=share) in said
                for name, college in result["colleges"].items():
                    if college.get("yes_share") is None:
                        continue
                    assert heading.format(
                        name=name, weight=percent(Fraction(college["weight_effective"])),
                        yes=percent(Fraction(college["yes_share"]))) in said, (name, said)


def test_the_minutes_pdf_draws_the_charts(app: Flask, demo_ids: dict[str, int]) -> None:
    assembly_id, voted = _sitting(app)
    pdf = signed_in(app).get(f"/orgs/{SLUG}/assemblies/{assembly_id}/minutes.pdf")
    assert pdf.mimetype == "application/pdf"
    assert pdf.data.count(b"/Subtype /Image") >= len(voted)
