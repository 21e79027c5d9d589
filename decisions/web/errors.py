"""Error pages in the application's style; a 500 rolls the session back."""

from __future__ import annotations

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException, InternalServerError

from . import db

PAGES = (400, 403, 404, 405, 413, 500)


def _page(error: HTTPException) -> tuple[str, int]:
    code = error.code or 500
    template = f"errors/{code}.html" if code in PAGES else "errors/generic.html"
    return render_template(template, error=error), code


def _internal(error: Exception) -> tuple[str, int]:
    db.session().rollback()
    return _page(InternalServerError())


def init_app(app: Flask) -> None:
    """Register the error handlers."""
    app.register_error_handler(HTTPException, _page)
    app.register_error_handler(InternalServerError, _internal)
