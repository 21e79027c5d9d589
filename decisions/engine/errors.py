"""The engine's exceptions: one root, and a case error that names the JSON path at fault.

Rejection, blocking or a missing quorum are results, never exceptions: an exception means
the input itself cannot be read as a case.
"""

from __future__ import annotations

__all__ = ["CaseError", "EngineError"]


class EngineError(Exception):
    """Root of every exception raised by ``decisions.engine``."""


class CaseError(EngineError):
    """A case that cannot be evaluated as given: malformed, mistyped or contradictory.

    ``path`` is the JSON path of the fault (``$.ballots[3].cast_at``) so that a platform in
    any language can show its user where the input is wrong.
    """

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message
