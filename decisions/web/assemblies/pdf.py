"""The minutes (and the letters of a convocation by post) as a PDF file, made with fpdf2
from a plain HTML rendering of them.

Why fpdf2: it is pure Python (no system library: WeasyPrint needs Pango and its fonts,
which a server may lack), maintained (releases every few months), and renders the simple
HTML of the minutes (headings, paragraphs, tables, lists) by itself. French text needs a
Unicode font: DejaVu Sans, from Debian's ``fonts-dejavu-core`` (``make pdf-deps`` installs
it when missing); without it the PDF falls back to a core font, with the few characters
outside Latin-1 replaced (curly quotes by straight ones, the oe ligature by oe, the euro
sign by EUR...).

fpdf2 is imported when a PDF is made, not with the application: it and the font tools it
loads take some 45 MiB, which every gunicorn worker would otherwise hold for a page that is
rarely asked for (issue 11 keeps a worker under 120 MiB).
"""

from __future__ import annotations

import base64
import unicodedata
from pathlib import Path

from ..chart_images import png_bytes
from ..charts import Drawing

#: Where Debian's fonts-dejavu-core puts DejaVu Sans.
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf",
              "BI": "DejaVuSans-BoldOblique.ttf"}
#: Headings in black, sized for a page of minutes (fpdf2's default is a large dark red).
HEADING_SIZES = {"h1": 15, "h2": 12.5, "h3": 11}
#: Characters outside Latin-1 that French text uses, for the core font.
LATIN1 = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "œ": "oe", "Œ": "OE",
                        "€": "EUR", "…": "...", "–": "-", "—": "-", "\u202f": " ",
                        "\u00a0": " ", "·": "."})


def minutes_pdf(html: str, *, title: str) -> bytes:
    """A PDF (A4) of the minutes' HTML."""
    return pages_pdf([html], title=title)


def pages_pdf(pages: list[str], *, title: str) -> bytes:
    """A PDF (A4) of plain HTML documents, each starting on a new page (the letters of a
    convocation by post, one per member)."""
    from fpdf import FPDF
    from fpdf.fonts import TextStyle

    headings = {tag: TextStyle(font_style="B", font_size_pt=size, color="#000000",
                               t_margin=4, b_margin=2) for tag, size in HEADING_SIZES.items()}
    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_creator("decisions")
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(auto=True, margin=18)
    family = "helvetica"
    if all((FONT_DIR / name).is_file() for name in FONT_FILES.values()):
        for style, name in FONT_FILES.items():
            pdf.add_font("dejavu", style, str(FONT_DIR / name))
        family = "dejavu"
    for html in pages:
        pdf.set_font(family, size=10)
        pdf.add_page()
        pdf.write_html(html if family == "dejavu" else _latin1(html), font_family=family,
                       table_line_separators=True, tag_styles=headings)
    return bytes(pdf.output())


def chart_uri(drawing: Drawing) -> str:
    """A chart as the ``src`` of an image of the minutes' HTML: a PNG (``chart_images``,
    three pixels per unit: about 200 dpi on the page), which fpdf2 embeds as it is."""
    data = base64.b64encode(png_bytes(drawing, scale=3)).decode("ascii")
    return f"data:image/png;base64,{data}"


def _latin1(text: str) -> str:
    """Text the core fonts can write: the usual replacements, then anything else outside
    Latin-1 by its decomposition, else ``?``."""
    text = text.translate(LATIN1)
    out = []
    for char in text:
        if ord(char) < 256:
            out.append(char)
            continue
        plain = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode()
        out.append(plain or "?")
    return "".join(out)
