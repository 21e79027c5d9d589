"""Every message of the interface is marked for translation and translated into French.

The ``.po`` catalogs are the source of the translations; the messages are extracted here
afresh from the code, as ``make translations`` does, so that a message added to the code
fails this test until the French catalog holds a finished (not fuzzy) translation of it.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = ROOT / "decisions" / "web" / "translations"
# The keywords given to `pybabel extract` by the Makefile, beside Babel's default ones
# (_, gettext, ngettext, ...): N_ marks the services' messages.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2),
            "N_": None}
FRENCH_PLURALS = "nplurals=2; plural=(n > 1);"


def _template() -> Catalog:
    """The messages of the code, extracted with babel.cfg."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as file:
        method_map, options_map = parse_mapping_cfg(file)  # type: ignore[no-untyped-call]
    template = Catalog()
    for filename, line, message, comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        template.add(message, None, [(filename, line)], auto_comments=comments,
                     context=context)
    return template


def _catalog(language: str) -> Catalog:
    with (CATALOGS / language / "LC_MESSAGES" / "messages.po").open("rb") as file:
        return read_po(file, locale=language)


def _finished(message: Message | None, plural: bool) -> bool:
    """A French translation is there, whole, not fuzzy, and of the same kind."""
    if message is None or message.fuzzy:
        return False
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return message.pluralizable == plural and all(strings)


def test_the_code_has_messages_to_translate() -> None:
    template = _template()
    assert len(template) > 500
    plural = template.get("At least one member must consent explicitly.")
    assert plural is not None
    assert plural.pluralizable


def test_every_message_of_the_code_has_a_finished_french_translation() -> None:
    french = _catalog("fr")
    missing = [message.id for message in _template() if message.id and not _finished(
        french.get(message.id, message.context), message.pluralizable)]
    assert missing == [], ("run `make translations`, then translate these messages in"
                           " decisions/web/translations/fr/LC_MESSAGES/messages.po")


def test_no_french_message_is_fuzzy() -> None:
    fuzzy = [message.id for message in _catalog("fr") if message.id and message.fuzzy]
    assert fuzzy == [], "review these translations and remove their `fuzzy` flag"


def test_the_french_catalog_has_two_plural_forms_singular_up_to_one() -> None:
    french = _catalog("fr")
    assert french.plural_forms == FRENCH_PLURALS
    plural_messages = [message for message in french if message.pluralizable]
    assert plural_messages
    assert all(isinstance(message.string, tuple | list) and len(message.string) == 2
               for message in plural_messages)


def test_the_catalogs_exist_for_english_and_french() -> None:
    for language in ("en", "fr"):
        assert (CATALOGS / language / "LC_MESSAGES" / "messages.po").exists()
