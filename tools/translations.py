"""Keep the catalogs in step with the code: extract, update, fill French, compile, check.

    python tools/translations.py update   # extract messages and merge them into en and fr
    python tools/translations.py check    # fail when a message has no French translation
    python tools/translations.py compile  # build the .mo files the application reads

French translations live in ``tools/french.py`` (a plain mapping, easy to review) and are
written into ``fr/LC_MESSAGES/messages.po`` by ``update``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
CATALOGS = ROOT / "decisions" / "web" / "translations"
POT = CATALOGS / "messages.pot"


def _babel(*args: str) -> None:
    command = [sys.executable, "-m", "babel.messages.frontend", *args]
    subprocess.run(command, check=True, cwd=ROOT,  # noqa: S603 - our interpreter, our args
                   stdout=subprocess.DEVNULL)


def _french() -> dict[str, str]:
    sys.path.insert(0, str(ROOT / "tools"))
    from french import FRENCH

    return FRENCH


def update() -> None:
    """Extract, merge into every catalog, and write the French mapping into fr."""
    _babel("extract", "-F", "babel.cfg", "-k", "_l", "--no-location", "--omit-header",
           "--sort-output", "-o", str(POT), ".")
    _babel("update", "-i", str(POT), "-d", str(CATALOGS), "--no-fuzzy-matching",
           "--ignore-obsolete")
    path = CATALOGS / "fr" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as file:
        catalog = read_po(file, locale="fr")
    french = _french()
    for message in catalog:
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key and key in french:
            message.string = french[key]
    with path.open("wb") as file:
        write_po(file, catalog, omit_header=False, no_location=True, sort_output=True)


def missing() -> list[str]:
    """Messages of the code without a French translation."""
    with POT.open("rb") as file:
        template = read_po(file)
    french = _french()
    ids = [m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id]
    return [i for i in ids if not french.get(i)]


def compile_catalogs() -> None:
    """Write the .mo files."""
    _babel("compile", "-d", str(CATALOGS), "--statistics")


def main() -> int:
    """Run the command named on the command line."""
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "update":
        update()
    elif command == "compile":
        compile_catalogs()
    elif command == "check":
        gaps = missing()
        for message in gaps:
            print(f"no French translation: {message!r}")
        return 1 if gaps else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
