"""Error pages in the application's style (a 500 rolls the session back, and a write the
database cannot take now, a lock held too long or a read-only database, gets a 503), and the
services' refusals in the reader's language."""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InternalError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.wrappers import Response

from . import db
from .services import ServiceError

#: Title and explanation of each error page people may meet.
PAGES: dict[int, tuple[LazyString, LazyString]] = {
    400: (_l("Bad request"),
          _l("The request could not be understood. Please check what you sent and try again.")),
    403: (_l("Not allowed"),
          _l("You do not have the right to see this page. If you think you should, ask an"
             " admin of the organisation.")),
    404: (_l("Page not found"), _l("There is no page at this address.")),
    405: (_l("Method not allowed"), _l("This page cannot be used this way.")),
    413: (_l("Too large"), _l("What you sent is too large.")),
    429: (_l("Too many attempts"),
          _l("Too many requests came from you in a short time. Please wait a few minutes,"
             " then try again.")),
    500: (_l("Something went wrong"),
          _l("An error happened on our side. Nothing was changed; please try again later.")),
}
GENERIC = (_l("Error"), _l("The request could not be completed."))
#: A write the database cannot take now: title, explanation, and seconds before trying again.
UNAVAILABLE: dict[str, tuple[LazyString, LazyString, int]] = {
    "locked": (_l("Busy"),
               _l("The site is busy saving other changes. Nothing was changed; please try"
                  " again in a few seconds."), 10),
    "read-only": (_l("Read only for now"),
                  _l("The site is in read-only mode, for maintenance: pages can be read, but"
                     " nothing can be changed. Nothing was changed; please try again in a few"
                     " minutes."), 300),
}


def error_text(error: ServiceError) -> str:
    """A service's refusal in the reader's language, its values filled in."""
    return str(_(error.message, **error.params))


def _page(error: HTTPException) -> tuple[str, int]:
    code = error.code or 500
    title, message = PAGES.get(code, GENERIC)
    # Werkzeug's own descriptions are English only: show a description a view gave itself.
    detail = error.description if error.description != type(error).description else None
    if isinstance(error, CSRFError):  # Flask-WTF's reasons are English only
        detail = _("The form had expired or did not come from this site. Go back, reload the"
                   " page and try again.")
    return render_template("errors/page.html", title=title, message=message,
                           detail=detail), code


def _internal(error: Exception) -> tuple[str, int]:
    db.session().rollback()
    return _page(InternalServerError())


def _unavailable(error: DBAPIError) -> Response:
    """503 with ``Retry-After`` when the database cannot take a write now, after rolling the
    whole transaction back; any other database error stays a 500."""
    reason = db.unavailable(error)
    if reason is None:
        raise error
    db.session().rollback()
    current_app.logger.warning("503 on %s %s: database %s (%s)", request.method, request.path,
                               reason, str(error.orig).strip().splitlines()[0])
    title, message, seconds = UNAVAILABLE[reason]
    response = Response(render_template("errors/page.html", title=title, message=message),
                        status=503, mimetype="text/html")
    response.headers["Retry-After"] = str(seconds)
    return response


def init_app(app: Flask) -> None:
    """Register the error handlers."""
    app.register_error_handler(HTTPException, _page)
    app.register_error_handler(InternalServerError, _internal)
    app.register_error_handler(OperationalError, _unavailable)
    app.register_error_handler(InternalError, _unavailable)  # PostgreSQL's read-only
