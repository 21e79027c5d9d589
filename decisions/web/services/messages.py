"""The marker of the English messages services give, for the web layer to translate."""

from __future__ import annotations


def N_(message: str) -> str:
    """``message`` itself: marks it for extraction into the catalogs; translating it is the
    web layer's business (:func:`decisions.web.errors.error_text`)."""
    return message
