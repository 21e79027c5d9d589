"""Every page fits a 375 px screen without losing information (issue 9): checked on the
style sheet and the templates (tests/browser/test_narrow_screens.py measures the pages in
Chromium)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

WEB = Path(__file__).parents[2] / "decisions/web"
CSS = (WEB / "static/style.css").read_text()
TABLES = re.compile(r"<table\b([^>]*)>(.*?)</table>", re.S)


def _rules(selector_part: str) -> list[str]:
    """The declarations of every rule whose selector mentions ``selector_part``."""
    return [body for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", CSS)
            if selector_part in selectors]


def test_long_unbroken_words_break_anywhere() -> None:
    assert any("overflow-wrap: anywhere" in body for body in _rules("body"))


def test_no_table_header_is_hidden() -> None:
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", CSS):
        names = [s.strip() for s in selectors.split(",")]
        assert not (any(re.search(r"(^|\s)th$", n) for n in names)
                    and "display: none" in body), selectors


def test_wide_tables_scroll_inside_themselves() -> None:
    assert any("overflow-x: auto" in body for body in _rules("table:not(.stack)"))


TEMPLATES = sorted(WEB.glob("templates/**/*.html"))
STACKED = [(path, match) for path in TEMPLATES for match in TABLES.finditer(path.read_text())
           if "stack" in match.group(1)]


@pytest.mark.parametrize(("path", "table"), STACKED,
                         ids=[f"{p.parent.name}/{p.name}:{m.start()}" for p, m in STACKED])
def test_stacked_tables_name_their_columns_in_each_cell(path: Path, table: re.Match[str]) -> None:
    body = table.group(2)
    assert "<thead" in body, path
    cells = re.findall(r"<td\b[^>]*>", body.split("</thead>")[-1])
    assert cells, path
    headers = re.findall(r"<th scope=\"col\"[^>]*>(.*?)</th>", body.split("</thead>")[0], re.S)
    hidden = sum("visually-hidden" in header for header in headers)  # an "Edit" link's column
    assert sum("data-label" not in cell for cell in cells) <= hidden, (path, cells)
