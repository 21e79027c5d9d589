"""The differences between two versions of a proposal's text, line by line (difflib), as
hunks of changed lines with a few unchanged ones around them."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

Kind = Literal["same", "added", "removed"]


@dataclass(frozen=True, slots=True)
class DiffLine:
    """One line of a difference: unchanged, added or removed, with its line numbers in the
    old and the new text (``None`` where it is absent)."""

    kind: Kind
    text: str
    old_number: int | None
    new_number: int | None


def line_diff(old: str, new: str, context: int = 3) -> list[list[DiffLine]]:
    """The hunks of changes from ``old`` to ``new``, each with ``context`` unchanged lines
    around it; no hunk at all when the texts have the same lines."""
    before, after = old.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    hunks = []
    for group in matcher.get_grouped_opcodes(context):
        hunk: list[DiffLine] = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                hunk += [DiffLine("same", before[i], i + 1, j + 1)
                         for i, j in zip(range(i1, i2), range(j1, j2), strict=True)]
                continue
            hunk += [DiffLine("removed", before[i], i + 1, None) for i in range(i1, i2)]
            hunk += [DiffLine("added", after[j], None, j + 1) for j in range(j1, j2)]
        hunks.append(hunk)
    return hunks
