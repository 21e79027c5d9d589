"""A round's charts as PNG images, for the outcome e-mail.

Why PNG, attached inline (``multipart/related``, referenced by ``cid:``): mail clients draw
PNG everywhere, SVG hardly anywhere (Gmail, Outlook for Windows and on the web, Yahoo show
none; Apple Mail, Thunderbird do), and several webmails drop ``data:`` images. An inline
part needs no request to our server, so the chart shows even offline, and tells nobody
when the message is read.

Drawn with Pillow, which fpdf2 (the minutes' PDF) already brings: no new dependency and no
C library beyond Pillow's wheel (CairoSVG, which would rasterise the SVG itself, needs
Cairo). The PNG is drawn from the same layout as the SVG (``charts.Drawing``: rectangles,
lines, polylines and texts), at twice its size for sharp screens, with DejaVu Sans when
Debian's ``fonts-dejavu-core`` is there (as for the PDF), else Pillow's own font. Pillow is
imported when an image is drawn (by the mail sender, or for a PDF), not by every web worker.
"""

from __future__ import annotations

import functools
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

from .charts import PALETTE, Drawing

if TYPE_CHECKING:
    from PIL import ImageFont

    Font = ImageFont.FreeTypeFont | ImageFont.ImageFont | ImageFont.TransposedFont

#: Pixels per unit of the drawing's view box.
SCALE = 2
#: The size of the drawing's texts, in its units (the SVG's font-size).
FONT_SIZE = 13
#: Where Debian's fonts-dejavu-core puts DejaVu Sans (as for the PDF of the minutes).
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
#: The SVG's text-anchor as Pillow's anchor (horizontal, then "s": on the baseline).
ANCHORS = {"start": "ls", "middle": "ms", "end": "rs"}


@functools.cache
def _font(size: int, bold: bool) -> Font:
    from PIL import ImageFont

    path = FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    if path.is_file():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


def png_bytes(drawing: Drawing, scale: int = SCALE) -> bytes:
    """The drawing as a PNG image, ``scale`` pixels per unit, on white."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (drawing.width * scale, max(drawing.view_height, 1) * scale),
                      "#ffffff")
    draw = ImageDraw.Draw(image)
    for rect in drawing.rects:
        if rect.width <= 0 or rect.height <= 0:
            continue
        box = (rect.x * scale, rect.y * scale, (rect.x + rect.width) * scale - 1,
               (rect.y + rect.height) * scale - 1)
        edge = "#d5dade" if rect.tone == "track" else None
        draw.rectangle(box, fill=rect.colour, outline=edge, width=scale if edge else 0)
    for line in drawing.lines:
        width = (3 if line.tone == "threshold" else 1) * scale
        draw.line((line.x1 * scale, line.y1 * scale, line.x2 * scale, line.y2 * scale),
                  fill=line.colour, width=width)
    for polyline in drawing.polylines:
        points = [(float(x) * scale, float(y) * scale) for x, y in
                  (pair.split(",") for pair in polyline.points.split())]
        draw.line(points, fill=polyline.colour, width=round(2.5 * scale), joint="curve")
    for text in drawing.texts:
        draw.text((text.x * scale, text.y * scale), text.text, fill=PALETTE["ink"],
                  font=_font(FONT_SIZE * scale, text.strong), anchor=ANCHORS[text.anchor])
    found = BytesIO()
    image.save(found, "PNG", optimize=True)
    return found.getvalue()
