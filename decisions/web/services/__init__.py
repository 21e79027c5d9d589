"""Use cases: one function, one transaction; views, API, CLI and scheduler call them."""

from __future__ import annotations

from collections.abc import Mapping


class ServiceError(ValueError):
    """A change a service refuses: the root of every service's errors.

    ``code`` names the refusal for programs (``"round.closed"``, stable); ``field`` the
    argument (and form field) at fault, ``None`` for the request as a whole; ``message`` the
    English text, a message id the web layer translates and fills with ``params`` (the
    services import no translation machinery). ``str(error)`` is the English text, filled.
    """

    #: The field at fault when the raiser names none (a family of errors about one field).
    field: str | None = None

    def __init__(self, code: str, message: str, *, field: str | None = None,
                 params: Mapping[str, object] | None = None) -> None:
        self.code, self.message, self.params = code, message, dict(params or {})
        if field is not None:
            self.field = field
        super().__init__(message % self.params if self.params else message)
