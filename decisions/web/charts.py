"""Charts of a round drawn as SVG on the server, readable without JavaScript: the positions
taken (bars), each college's part in a vote by colleges and how the parts add up to the
weighted share against the threshold line, participation against the quorum, and how the
positions evolved while the round was open.

The figures come from ``services.charts`` (the engine's); this module lays them out
(:class:`Drawing`: rectangles, lines and texts in the units of a 360-wide view box, small
enough to stay legible on a phone) and words them in the reader's language; one template
draws every drawing (``templates/charts/chart.html``, macro ``chart``), inline in a page or as
an SVG file (:func:`svg_bytes`). Each drawing has a text alternative (its ``<title>`` and
``<desc>``, named by ``aria-labelledby``) that says every figure it shows.

Clean templates rather than a charting library: four simple shapes need no dependency, the
markup stays under the strict Content Security Policy (no inline style: colours are
presentation attributes that the page's stylesheet overrides by class, for the screen's
palette and for print), and every text goes through the catalogs like the rest of the page.
Mail clients seldom draw SVG: the outcome e-mail sends the same drawings as PNG images
(``chart_images``, with Pillow: no well-kept pure-Python library rasterises SVG, CairoSVG
needs the Cairo C library).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime
from flask import Flask, render_template
from flask_babel import LazyString, force_locale, get_locale

from . import db
from .models import Membership, Role, Round, RoundStatus
from .orgs.views import percent
from .proposals.rule_words import POSITION_LABELS, _, ngettext
from .rounds.forms import COUNT_LABELS
from .services import charts as chart_service
from .services import results
from .services.charts import (
    CollegesFigures,
    EvolutionFigures,
    ParticipationFigures,
    PositionsFigures,
    RoundFigures,
)
from .services.results import RoundResults

#: The width of every drawing's view box; heights follow the content.
WIDTH = 360
#: One line of text, and the height of a bar.
LINE, BAR = 18, 14

#: The colour of each position or part, as a presentation attribute (the stylesheet's class
#: ``tone-<name>`` may override it): the page's palette, each at least 3:1 on white.
PALETTE: Mapping[str, str] = {
    "yes": "#1f6f3c", "consent": "#1f6f3c", "no": "#a4262c", "object": "#a4262c",
    "abstain": "#56606a", "concern": "#8a5a00", "blank": "#6f7b87", "invalid": "#5b4a8a",
    "nominate": "#1f6f5c", "part": "#1f6f5c", "track": "#f3f5f7", "edge": "#56606a",
    "threshold": "#1d2327", "ink": "#1d2327",
}
#: Shades of the "for" colour for the colleges' parts of the weighted share, in turn.
PART_SHADES = ("#1f6f3c", "#4a9a67", "#2e5d8a", "#7a5c1f", "#6a3d7a")


@dataclass(frozen=True, slots=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    tone: str
    fill: str = ""

    @property
    def colour(self) -> str:
        return self.fill or PALETTE.get(self.tone, PALETTE["edge"])


@dataclass(frozen=True, slots=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    tone: str

    @property
    def colour(self) -> str:
        return PALETTE.get(self.tone, PALETTE["ink"])


@dataclass(frozen=True, slots=True)
class Polyline:
    points: str
    tone: str

    @property
    def colour(self) -> str:
        return PALETTE.get(self.tone, PALETTE["ink"])


@dataclass(frozen=True, slots=True)
class Text:
    x: float
    y: float
    text: str
    anchor: str = "start"
    strong: bool = False


@dataclass(slots=True)
class Drawing:
    """One chart laid out: what the template draws, and its text alternative."""

    kind: str
    id: str
    title: str
    description: str
    height: float = 0
    width: int = WIDTH
    rects: list[Rect] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    polylines: list[Polyline] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)

    @property
    def view_height(self) -> int:
        return int(self.height + 0.999)


# Words ----------------------------------------------------------------------------------


def position_word(position: str) -> str:
    """A position in words (a vote's spoiled ballots included)."""
    labels: Mapping[str, LazyString] = {**COUNT_LABELS, **POSITION_LABELS}
    return str(labels[position]) if position in labels else position


def _counts_words(counts: Iterable[tuple[str, int]]) -> str:
    return ", ".join(f"{position_word(p)} {n}" for p, n in counts)


def _share(part: int, whole: int) -> Fraction:
    return Fraction(part, whole) if whole else Fraction(0)


# Layouts --------------------------------------------------------------------------------


def positions_drawing(figures: PositionsFigures, prefix: str) -> Drawing:
    """Horizontal bars, one per position, each as long as its share of the answers."""
    total = figures.total
    drawing = Drawing(
        "positions", f"{prefix}-positions",
        _("Votes by position") if figures.weighted else _("Positions taken"),
        _("%(counts)s (out of %(total)d).", counts=_counts_words(figures.counts), total=total))
    y = 0.0
    for position, count in figures.counts:
        drawing.texts.append(Text(0, y + 13, _("%(position)s: %(count)d (%(share)s)",
                                               position=position_word(position), count=count,
                                               share=percent(_share(count, total)))))
        drawing.rects.append(Rect(0, y + LINE, WIDTH, BAR, "track"))
        width = float(WIDTH * _share(count, total))
        if width:
            drawing.rects.append(Rect(0, y + LINE, width, BAR, position))
        y += LINE + BAR + 10
    drawing.height = y
    return drawing


def colleges_drawing(figures: CollegesFigures, prefix: str) -> Drawing:
    """Each college's positions within it (a stacked bar) with its share of the votes, then
    the weighted share for, made of each college's part, against the threshold line."""
    drawing = Drawing("colleges", f"{prefix}-colleges", _("Vote by college"), "")
    sentences = []
    y = 0.0
    for college in figures.colleges:
        given = [(p, n) for p, n in college.counts.items() if n]
        total = sum(n for _p, n in given)
        within = (percent(college.yes_share) if college.yes_share is not None
                  else _("no vote counted"))
        heading = _("%(college)s: %(weight)s of the votes, %(share)s for",
                    college=college.name, weight=percent(college.weight_effective),
                    share=within)
        shown = [(p, n) for p, n in college.counts.items()
                 if n or p in ("yes", "no", "abstain")]
        detail = _counts_words(shown)
        sentences.append(f"{heading} ({detail}).")
        drawing.texts.append(Text(0, y + 13, heading, strong=True))
        drawing.rects.append(Rect(0, y + LINE, WIDTH, BAR, "track"))
        x = 0.0
        for position, count in given:
            width = float(WIDTH * _share(count, total))
            drawing.rects.append(Rect(x, y + LINE, width, BAR, position))
            x += width
        drawing.texts.append(Text(0, y + LINE + BAR + 14, detail))
        y += 2 * LINE + BAR + 12
    y = _weighted_share(drawing, figures, y, sentences)
    drawing.height = y
    drawing.description = " ".join(sentences)
    return drawing


def _threshold_words(figures: CollegesFigures) -> str:
    if figures.threshold is None:
        return _("more for than against")
    if figures.inclusive:
        return _("at least %(share)s", share=percent(figures.threshold))
    return _("more than %(share)s", share=percent(figures.threshold))


def _weighted_share(drawing: Drawing, figures: CollegesFigures, y: float,
                    sentences: list[str]) -> float:
    """The bar of the weighted share: each college's part in turn, the threshold line."""
    y += 6
    top = y + 2 * LINE + 4
    threshold = _threshold_words(figures)
    if figures.weighted_share is None:
        total = _("Weighted share for: none (no college expressed itself)")
    else:
        total = _("Weighted share for: %(share)s", share=percent(figures.weighted_share))
    needs = _("Needed: %(threshold)s", threshold=threshold)
    drawing.texts.append(Text(0, y + 13, total, strong=True))
    drawing.texts.append(Text(0, y + LINE + 13, needs))
    drawing.rects.append(Rect(0, top, WIDTH, BAR + 4, "track"))
    x = 0.0
    parts = []
    for number, college in enumerate(figures.colleges):
        width = float(WIDTH * college.contribution)
        if width:
            drawing.rects.append(Rect(x, top, width, BAR + 4, "part",
                                      PART_SHADES[number % len(PART_SHADES)]))
            x += width
        parts.append(_("%(college)s %(part)s", college=college.name,
                       part=percent(college.contribution)))
        line = top + BAR + 4 + (number + 1) * LINE
        drawing.rects.append(Rect(0, line - 10, 12, 10, "part",
                                  PART_SHADES[number % len(PART_SHADES)]))
        drawing.texts.append(Text(18, line, parts[-1]))
    if figures.threshold is not None:
        at = float(WIDTH * figures.threshold)
        drawing.lines.append(Line(at, top - 6, at, top + BAR + 10, "threshold"))
    way = (_("each college's share of the votes when its majority is for")
           if figures.bloc else _("each college's share of the votes times its share for"))
    sentences.append(_("%(total)s, the sum of %(way)s: %(parts)s. %(needs)s.", total=total,
                       way=way, parts=", ".join(parts), needs=needs))
    return top + BAR + 4 + len(figures.colleges) * LINE + 8


def participation_drawing(figures: ParticipationFigures, prefix: str) -> Drawing:
    """One bar: who took part out of the electorate, and the quorum's line."""
    took = ngettext("%(count)d of %(total)d took part (%(share)s).",
                    "%(count)d of %(total)d took part (%(share)s).", figures.responded,
                    count=figures.responded, total=figures.eligible,
                    share=percent(_share(figures.responded, figures.eligible)))
    drawing = Drawing("participation", f"{prefix}-participation", _("Participation"), took)
    drawing.texts.append(Text(0, 13, took))
    drawing.rects.append(Rect(0, LINE, WIDTH, BAR + 4, "track"))
    width = float(WIDTH * _share(min(figures.responded, figures.eligible), figures.eligible))
    if width:
        drawing.rects.append(Rect(0, LINE, width, BAR + 4, "part"))
    y = LINE + BAR + 4
    if figures.quorum is not None and figures.needed is not None:
        at = float(WIDTH * _share(min(figures.needed, figures.eligible), figures.eligible))
        drawing.lines.append(Line(at, LINE - 4, at, y + 4, "threshold"))
        needed = {"count": figures.needed, "share": percent(figures.quorum)}
        if figures.met is None:
            quorum = _("Quorum: %(count)d (%(share)s)", **needed)
        elif figures.met:
            quorum = _("Quorum: %(count)d (%(share)s), reached", **needed)
        else:
            quorum = _("Quorum: %(count)d (%(share)s), not reached", **needed)
        drawing.texts.append(Text(min(max(at, 0), WIDTH), y + 16,
                                  quorum, anchor=_anchor(at)))
        drawing.description = f"{took} {quorum}."
        y += LINE + 2
    drawing.height = y + 4
    return drawing


def _anchor(x: float) -> str:
    """Where a label at ``x`` is anchored so that it stays in the view box."""
    return "start" if x < WIDTH / 3 else "end" if x > 2 * WIDTH / 3 else "middle"


def evolution_drawing(figures: EvolutionFigures, prefix: str, zone: str) -> Drawing:
    """One line per position, a step at each ballot, from the opening to the last ballot
    (or the close); the time runs left to right."""
    plot_top, plot_height = 4.0, 120.0
    start, end = figures.opens_at, figures.ends_at
    span = max((end - start).total_seconds(), 1.0)
    peak = max(figures.peak, 1)
    last = figures.points[-1].counts

    def x_of(moment: datetime) -> float:
        return round(WIDTH * (moment - start).total_seconds() / span, 1)

    def y_of(count: int) -> float:
        return round(plot_top + plot_height * (1 - count / peak), 1)

    when = {moment: _short_time(moment, zone) for moment in (start, end)}
    ending = _counts_words((p, last.get(p, 0)) for p in figures.positions)
    description = ngettext(
        "From %(start)s to %(end)s, %(num)d ballot; at the end: %(counts)s.",
        "From %(start)s to %(end)s, %(num)d ballots; at the end: %(counts)s.",
        figures.ballots, start=when[start], end=when[end], counts=ending)
    if figures.weighted:
        description += " " + _("Online ballots only, by vote weight.")
    drawing = Drawing("evolution", f"{prefix}-evolution", _("How the positions evolved"),
                      description)
    bottom = plot_top + plot_height
    drawing.lines.append(Line(0, bottom, WIDTH, bottom, "edge"))
    drawing.lines.append(Line(0, plot_top, 0, bottom, "edge"))
    for position in figures.positions:
        points, level = [f"0,{y_of(0)}"], 0
        for point in figures.points:
            count = point.counts.get(position, 0)
            if count != level:
                x = x_of(point.at)
                points += [f"{x},{y_of(level)}", f"{x},{y_of(count)}"]
                level = count
        points.append(f"{WIDTH},{y_of(level)}")
        drawing.polylines.append(Polyline(" ".join(points), position))
    drawing.texts.append(Text(4, plot_top + 10, str(peak)))
    drawing.texts.append(Text(0, bottom + 16, when[start]))
    drawing.texts.append(Text(WIDTH, bottom + 16, when[end], anchor="end"))
    y = bottom + 16
    for position in figures.positions:
        y += LINE
        drawing.rects.append(Rect(0, y - 10, 12, 10, position))
        drawing.texts.append(Text(18, y, _("%(position)s: %(count)d",
                                           position=position_word(position),
                                           count=last.get(position, 0))))
    drawing.height = y + 6
    return drawing


def _short_time(moment: datetime, zone: str) -> str:
    return str(format_datetime(moment, "short", tzinfo=_zone(zone), locale=get_locale()))


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


# What pages and e-mails call ------------------------------------------------------------


def drawings(figures: RoundFigures, *, zone: str = "UTC") -> list[Drawing]:
    """Every chart of a round's figures, in the reader's language (the request's, or the one
    forced around the call), dates in ``zone``: participation, positions, colleges,
    evolution, as far as the figures have them."""
    prefix = f"chart-{figures.round_id}"
    found = []
    if figures.participation is not None:
        found.append(participation_drawing(figures.participation, prefix))
    if figures.positions is not None:
        found.append(positions_drawing(figures.positions, prefix))
    if figures.colleges is not None:
        found.append(colleges_drawing(figures.colleges, prefix))
    if figures.evolution is not None:
        found.append(evolution_drawing(figures.evolution, prefix, zone))
    return found


def svg_bytes(drawing: Drawing, language: str | None = None) -> bytes:
    """A drawing as an SVG file (UTF-8), for an e-mail or a download; ``language`` names
    the language its words were laid out in (the caller lays it out under
    ``flask_babel.force_locale``) and is written as the file's ``xml:lang``. Needs an
    application context."""
    text = render_template("charts/standalone.html", drawing=drawing,
                           language=language or str(get_locale() or "en"))
    return text.encode("utf-8")


def svg_in(figures: RoundFigures, language: str, *, zone: str = "UTC",
           kind: str | None = None) -> list[bytes]:
    """The charts of a round's figures as SVG files in ``language`` (the organisation's or
    the recipient's), optionally only the one of ``kind`` ("positions", "colleges",
    "participation", "evolution"). Needs an application context."""
    with force_locale(language):
        laid_out = [d for d in drawings(figures, zone=zone) if kind in (None, d.kind)]
        return [svg_bytes(d, language) for d in laid_out]


def round_charts(round_: Round, results: RoundResults) -> dict[str, Drawing]:
    """Every chart of a round as its page's reader may see it (``results``: what
    ``services.results.round_results`` gave that reader), in the page's language, by kind
    ("participation", "positions", "colleges", "evolution"): the template global of the
    results page and the minutes."""
    figures = chart_service.round_figures(db.session(), round_, results, db.utcnow())
    return {d.kind: d for d in drawings(figures, zone=round_.proposal.organisation.timezone)}


def record_chart(round_: Round) -> Drawing | None:
    """The chart a record of decisions (the minutes of a general assembly) keeps of a
    counted vote, the same for every reader: how its colleges' parts add up to the weighted
    share against the threshold, else its votes by position; in the current language.
    ``None`` for a round not counted."""
    if round_.status is not RoundStatus.CLOSED or not round_.result_json:
        return None
    session, now = db.session(), db.utcnow()
    # Counts only, as any member reads them: no name, whatever the reader's role.
    found = results.round_results(session, round_, Membership(role=Role.MEMBER), now,
                                  someone="-")
    figures = chart_service.round_figures(session, round_, found, now)
    if figures.colleges is not None:
        return colleges_drawing(figures.colleges, f"chart-{round_.id}")
    if figures.positions is not None:
        return positions_drawing(figures.positions, f"chart-{round_.id}")
    return None


def init_app(app: Flask) -> None:
    """Make ``round_charts`` available to every template (the ``chart`` macro draws them:
    ``templates/charts/chart.html``)."""
    app.jinja_env.globals["round_charts"] = round_charts
