"""Errors of the API as ``application/problem+json`` (RFC 9457).

Every problem has a stable ``type`` (``/api/v1/problems/<code>``, a URI reference relative
to the site) and the same ``code`` without the path, for programs; a ``title`` in English;
a ``detail`` in the caller's language, which for a service's refusal is the very sentence
the page shows (``errors.error_text``); ``field``, the field at fault (a body member, a
query parameter or a header), or ``null``; and for a body that does not validate,
``errors``, one per field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from flask import Response, current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from ..errors import error_text
from ..services import ServiceError

MEDIA_TYPE = "application/problem+json"
TYPE_ROOT = "/api/v1/problems/"

#: English titles of the statuses the API answers with.
TITLES = {
    400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found",
    405: "Method not allowed", 406: "Not acceptable", 409: "Conflict",
    413: "Content too large", 415: "Unsupported media type", 422: "Unprocessable content",
    429: "Too many requests", 500: "Internal server error", 503: "Service unavailable",
}

#: The HTTP status of each refusal of the services that is not about a field's value
#: (422, the default): what does not exist, what the member may not do, and what cannot be
#: done in the present state of a round or proposal.
NOT_FOUND = frozenset({"round.unknown", "token.unknown", "invitation.unknown",
                       "membership.unknown"})
FORBIDDEN = frozenset({"round.not_elector", "nudge.not_allowed", "token.not_admin",
                       "link.not_elector", "vote.not_present", "vote.not_represented"})
CONFLICT = frozenset({
    "round.closed", "round.not_open", "round.not_open_yet", "round.cannot_open",
    "ballot.change_not_allowed", "ballot.secret_already_cast", "proposal.closed",
    "proposal.round_open", "proposal.decided", "proposal.round_just_closed",
    "proposal.not_decided", "invitation.already_member", "invitation.pending",
    "colleges.changed", "minutes.not_closed", "vote.not_open", "assembly.draft",
    "assembly.convened", "assembly.in_session", "assembly.closed", "assembly.no_quorum"})
#: Refusals about a request header rather than the body.
BAD_REQUEST = frozenset({"token.member_header", "token.member_unknown"})


class Problem(Exception):
    """A problem to answer with: raised anywhere in the API's views."""

    def __init__(self, status: int, code: str, detail: str, *, field: str | None = None,
                 errors: Sequence[Mapping[str, str]] = (),
                 headers: Mapping[str, str] | None = None,
                 extra: Mapping[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail, self.field = status, code, detail, field
        self.errors = list(errors)
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})


def status_of(error: ServiceError) -> int:
    """The HTTP status that says what kind of refusal a service's error is."""
    if error.code in NOT_FOUND:
        return 404
    if error.code in FORBIDDEN:
        return 403
    if error.code in CONFLICT:
        return 409
    if error.code in BAD_REQUEST:
        return 400
    return 422


def refused(error: ServiceError) -> Problem:
    """A service's refusal as a problem, in the same words as the page (the caller's
    language must be the current locale: ``api.auth.in_callers_language``)."""
    return Problem(status_of(error), error.code, error_text(error), field=error.field)


def body(problem: Problem) -> dict[str, Any]:
    """The JSON members of a problem."""
    content: dict[str, Any] = {
        "type": TYPE_ROOT + problem.code, "code": problem.code,
        "title": TITLES.get(problem.status, "Error"), "status": problem.status,
        "detail": problem.detail, "field": problem.field,
        "instance": request.path if request else None}
    if problem.errors:
        content["errors"] = problem.errors
    content.update(problem.extra)
    return content


def response(problem: Problem) -> Response:
    """The problem as an HTTP response."""
    answer = Response(json.dumps(body(problem), ensure_ascii=False), status=problem.status,
                      mimetype=MEDIA_TYPE)
    for name, value in problem.headers.items():
        answer.headers[name] = value
    return answer


def from_http(error: HTTPException) -> Problem:
    """Werkzeug's errors (not found, method not allowed, too large, too many requests...)
    as problems, in the caller's language where the pages have the words."""
    status = error.code or 500
    codes = {400: "request.malformed", 404: "not_found", 405: "method.not_allowed",
             413: "request.too_large", 415: "request.media_type", 429: "rate_limited",
             500: "server.error"}
    details = {
        400: _("The request could not be understood. Please check what you sent and try"
               " again."),
        404: _("There is nothing at this address."),
        405: _("This address does not take this method."),
        413: _("What you sent is too large."),
        429: _("Too many requests with this token in a short time. Wait, then try again."),
        500: _("An error happened on our side. Nothing was changed; please try again later."),
    }
    headers = {}
    if status == 405:
        allowed = getattr(error, "valid_methods", None) or []
        headers["Allow"] = ", ".join(sorted(allowed))
    if status == 429:
        retry = error.get_headers().copy() if hasattr(error, "get_headers") else []
        for name, value in retry:
            if name.lower() == "retry-after":
                headers["Retry-After"] = value
    detail = details.get(status) or str(error.description or TITLES.get(status, "Error"))
    if current_app.debug and status == 400 and error.description:
        detail = f"{detail} ({error.description})"
    return Problem(status, codes.get(status, f"http.{status}"), str(detail), headers=headers)
