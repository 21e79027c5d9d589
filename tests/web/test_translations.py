"""Every message of the interface is marked for translation and translated into French."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "decisions" / "web"
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "_l": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None}


def _messages_in_code() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(WEB), METHODS, keywords=KEYWORDS):
        found.add(message if isinstance(message, str) else message[0])
    return found


def _french() -> dict[str, str]:
    with (WEB / "translations" / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as file:
        catalog = read_po(file, locale="fr")
    found: dict[str, str] = {}
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        text = message.string if isinstance(message.string, str) else (message.string or [""])[0]
        found[key] = text
    return found


def test_every_message_of_the_code_is_in_the_french_catalog_with_a_translation() -> None:
    french = _french()
    untranslated = sorted(m for m in _messages_in_code() if not french.get(m))
    assert untranslated == [], "run `make translations` and fill tools/french.py"


def test_the_catalogs_exist_for_english_and_french() -> None:
    for language in ("en", "fr"):
        assert (WEB / "translations" / language / "LC_MESSAGES" / "messages.po").exists()
