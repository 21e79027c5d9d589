"""The operations of the API, declared once: each route says its method, path, scope, the
pydantic models of its query, body and answer, and the errors it may give. From that one
declaration the request is checked (token, scope, query, body) before the view runs, the
answer is shaped by its model, and ``/api/v1/openapi.json`` is written (OpenAPI 3.1, whose
schemas are JSON Schema 2020-12: pydantic's own output, put in ``components``).

Why pydantic and a small generator rather than a Flask OpenAPI framework: the application
stays a plain Flask application (flask-openapi3 and APIFlask each bring an application
class of their own, and APIFlask writes OpenAPI 3.0 from marshmallow); pydantic v2 is the
most used validation library of Python, typed, and writes the JSON Schema dialect that
OpenAPI 3.1 adopted, so that the generator is only the paths around it (see
docs/embedding.md, "The API's description").
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from flask import Blueprint, Response, g, request
from flask_babel import gettext as _
from pydantic import BaseModel, ValidationError
from pydantic.json_schema import models_json_schema

from .. import db
from ..models import Scope
from .auth import MEMBER_HEADER, Call, authenticate, in_callers_language
from .auth import refuse_tokens_in_address as refuse_tokens_in_address
from .problems import MEDIA_TYPE, TITLES, Problem
from .schemas import ID_MAX, Input, Output
from .schemas import Problem as ProblemSchema

PREFIX = "/api/v1"
JSON = "application/json"

#: Errors every operation with a token may give.
COMMON_ERRORS = (400, 401, 403, 404, 429, 503)


@dataclass(frozen=True, slots=True)
class Header:
    """A request header an operation reads."""

    name: str
    description: str
    schema: dict[str, Any]


IDEMPOTENCY_KEY = Header(
    "Idempotency-Key", "Any text of your choice (a UUID): sent again with the same request,"
    " the first answer is given again instead of a second ballot. Kept 24 hours.",
    {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x21-\\x7e]+$"})
IF_NONE_MATCH = Header("If-None-Match", "The ETag of an answer you hold: 304 if unchanged.",
                       {"type": "string"})
ACTING_MEMBER = Header(
    MEMBER_HEADER, "With an organisation's token: the id of the membership the request acts"
    " for (by default, the admin who made the token). Refused with a personal token.",
    {"type": "integer", "minimum": 1, "maximum": ID_MAX})


@dataclass(frozen=True, slots=True)
class Operation:
    """One route of the API and everything said about it."""

    name: str
    method: str
    rule: str
    summary: str
    description: str
    tag: str
    scope: Scope | None
    response: type[BaseModel] | None
    status: int = 200
    body: type[Input] | None = None
    query: type[Input] | None = None
    errors: tuple[int, ...] = ()
    headers: tuple[Header, ...] = ()
    role: str | None = None
    etag: bool = False
    created: bool = False

    @property
    def path(self) -> str:
        """The OpenAPI path: ``/api/v1/rounds/{round_id}``."""
        return PREFIX + re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", self.rule)


@dataclass(frozen=True, slots=True)
class Reply:
    """An answer other than the declared model with the declared status: headers to add,
    or another status (201 for a resource made, with its ``Location``)."""

    model: Output
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)


#: Every operation, in the order declared (the order of the documentation).
OPERATIONS: list[Operation] = []

View = Callable[..., Any]


def operation(bp: Blueprint, method: str, rule: str, *, tag: str, scope: Scope | None,
              response: type[BaseModel] | None, status: int = 200,
              body: type[Input] | None = None, query: type[Input] | None = None,
              errors: Iterable[int] = (), headers: Iterable[Header] = (),
              role: str | None = None, etag: bool = False,
              created: bool = False) -> Callable[[View], View]:
    """Declare and register an operation. The view is called as
    ``view(call, [body=...], [query=...], **path values)`` (``call`` is ``None`` for a
    public operation) and returns the response model, a :class:`Reply`, or a Flask
    response of its own."""

    def decorate(view: View) -> View:
        summary, _, description = (view.__doc__ or "").strip().partition("\n")
        op = Operation(name=view.__name__, method=method, rule=rule, summary=summary.strip(),
                       description=" ".join(description.split()), tag=tag, scope=scope,
                       response=response, status=status, body=body, query=query,
                       errors=tuple(errors), headers=tuple(headers), role=role, etag=etag,
                       created=created)
        OPERATIONS.append(op)

        @functools.wraps(view)
        def handle(**values: Any) -> Response:
            return _handle(op, view, values)

        # No automatic OPTIONS answer (an HTML page): the API answers 405 and its methods.
        bp.add_url_rule(rule, endpoint=view.__name__, view_func=handle, methods=[method],
                        provide_automatic_options=False)
        return view

    return decorate


def _handle(op: Operation, view: View, values: dict[str, Any]) -> Response:
    """Check the request as the operation says, call the view, shape its answer."""
    call: Call | None = None
    with in_callers_language():
        refuse_tokens_in_address()
        if op.scope is not None:
            call = authenticate(db.utcnow())
            g.api_call = call
    with in_callers_language(None if call is None else call.user):
        if call is not None and op.scope is not None:
            call.require(op.scope)
        if op.query is not None:
            values["query"] = _query(op.query)
        if op.body is not None:
            values["body"] = _body(op.body)
        result = view(call, **values)
    return _answer(op, result)


def _field(location: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in location) or "body"


def _query(model: type[Input]) -> Input:
    """The query parameters, validated (400 naming the parameter at fault)."""
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as error:
        first = error.errors()[0]
        name = _field(first["loc"])
        raise Problem(400, "query.invalid",
                      _("The query parameter %(name)s is not valid: %(reason)s", name=name,
                        reason=first["msg"]), field=name) from None


def _body(model: type[Input]) -> Input:
    """The JSON body, validated strictly against its model (422 naming each field at
    fault; 415 when it is not JSON, 400 when it is not well-formed)."""
    if not request.is_json:
        raise Problem(415, "request.media_type",
                      _("Send the body as JSON (Content-Type: application/json)."),
                      headers={"Accept-Post": JSON})
    raw = request.get_data(cache=True)
    try:
        json.loads(raw or b"null")
    except ValueError:
        raise Problem(400, "request.json", _("The body is not well-formed JSON.")) from None
    try:
        return model.model_validate_json(raw or b"null", strict=True)
    except ValidationError as error:
        errors = [{"field": _field(e["loc"]), "message": e["msg"]} for e in error.errors()]
        raise Problem(422, "request.invalid",
                      _("Some fields of the request are not valid: %(fields)s.",
                        fields=", ".join(e["field"] for e in errors)),
                      field=errors[0]["field"], errors=errors) from None


def _answer(op: Operation, result: Any) -> Response:
    if isinstance(result, Response):
        return result
    reply = result if isinstance(result, Reply) else Reply(result)
    if op.response is None or not isinstance(reply.model, op.response):
        raise TypeError(f"{op.name} must answer with {op.response}, not {reply.model!r}")
    answer = Response(reply.model.model_dump_json(), status=reply.status or op.status,
                      mimetype=JSON)
    for name, value in reply.headers.items():
        answer.headers[name] = value
    if op.etag:
        answer.add_etag()
        answer.make_conditional(request)
    return answer


# The OpenAPI document --------------------------------------------------------------------


def _models() -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = [ProblemSchema]
    for op in OPERATIONS:
        for model in (op.body, op.query, op.response):
            if model is not None and model not in found:
                found.append(model)
    return found


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter's schema without its ``null`` branch (an absent parameter is how
    a query says nothing)."""
    branches = schema.get("anyOf")
    if branches:
        kept = [b for b in branches if b.get("type") != "null"]
        if len(kept) == 1:
            rest = {k: v for k, v in schema.items() if k != "anyOf"}
            return {**kept[0], **rest}
    return schema


def _path_parameters(op: Operation) -> list[dict[str, Any]]:
    found = []
    for converter, name in re.findall(r"<(?:([a-z]+):)?([a-z_]+)>", op.rule):
        schema: dict[str, Any] = ({"type": "integer", "minimum": 1, "maximum": ID_MAX}
                                  if converter == "int" else
                                  {"type": "string", "minLength": 1, "maxLength": 60,
                                   "pattern": "^[a-z0-9][a-z0-9-]*$"})
        found.append({"name": name, "in": "path", "required": True, "schema": schema})
    return found


def _query_parameters(op: Operation) -> list[dict[str, Any]]:
    if op.query is None:
        return []
    schema = op.query.model_json_schema()
    required = set(schema.get("required", []))
    return [{"name": name, "in": "query", "required": name in required,
             "description": prop.get("description", ""),
             "schema": _without_null({k: v for k, v in prop.items()
                                      if k not in ("description", "title")})}
            for name, prop in schema.get("properties", {}).items()]


def _problem(status: int) -> dict[str, Any]:
    return {"description": TITLES.get(status, "Error"),
            "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}


RATE_HEADERS = {
    "RateLimit": {"$ref": "#/components/headers/RateLimit"},
    "RateLimit-Policy": {"$ref": "#/components/headers/RateLimit-Policy"},
}


def _operation_object(op: Operation, refs: Mapping[Any, Any]) -> dict[str, Any]:
    parameters = _path_parameters(op) + _query_parameters(op) + [
        {"name": h.name, "in": "header", "required": False, "description": h.description,
         "schema": h.schema} for h in op.headers]
    if op.scope is not None:
        parameters.append({"name": ACTING_MEMBER.name, "in": "header", "required": False,
                           "description": ACTING_MEMBER.description,
                           "schema": ACTING_MEMBER.schema})
    description = op.description
    if op.scope is not None:
        description += f"\n\nToken scope: `{op.scope.value}`."
    if op.role is not None:
        description += f" The member must be at least {op.role}."
    answer: dict[str, Any] = {"description": op.summary}
    if op.response is not None:
        answer["content"] = {JSON: {"schema": refs[(op.response, "serialization")]}}
    headers: dict[str, Any] = dict(RATE_HEADERS) if op.scope is not None else {}
    if op.etag:
        headers["ETag"] = {"description": "The version of this answer.",
                           "schema": {"type": "string"}}
    if op.created:
        headers["Location"] = {"description": "The address of what was made.",
                               "schema": {"type": "string"}}
    if headers:
        answer["headers"] = headers
    responses: dict[str, Any] = {str(op.status): answer}
    if op.etag:
        responses["304"] = {"description": "Not modified since the ETag of If-None-Match."}
    statuses = set(op.errors) | (set(COMMON_ERRORS) if op.scope is not None else set())
    if op.query is not None:
        statuses.add(400)
    if op.body is not None:
        statuses |= {400, 413, 415, 422}
    for status in sorted(statuses):
        responses[str(status)] = _problem(status)
    found: dict[str, Any] = {
        "operationId": op.name, "summary": op.summary, "description": description.strip(),
        "tags": [op.tag], "parameters": parameters, "responses": responses,
        "security": [{"bearer": []}] if op.scope is not None else []}
    if op.scope is not None:
        found["x-scope"] = op.scope.value
    if op.body is not None:
        found["requestBody"] = {"required": True, "content": {
            JSON: {"schema": refs[(op.body, "validation")]}}}
    return found


TAGS = [
    {"name": "organisations", "description": "Organisations and their members."},
    {"name": "proposals", "description": "Proposals, their versions and rounds."},
    {"name": "rounds", "description": "Rounds: deadlines, closing, my ballot, results."},
    {"name": "assemblies", "description": "General assemblies: agenda, attendance, minutes."},
    {"name": "audit", "description": "The organisation's hash-chained audit log."},
    {"name": "description", "description": "This description of the API."},
]


@functools.cache
def openapi() -> dict[str, Any]:
    """The OpenAPI 3.1 document of the API, from the declared operations and their
    models (built once per process)."""
    models = _models()
    keys: list[tuple[type[BaseModel], Literal["validation", "serialization"]]] = [
        (m, "validation" if issubclass(m, Input) else "serialization") for m in models]
    refs, definitions = models_json_schema(keys, ref_template="#/components/schemas/{model}")
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation_object(op, refs)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "decisions API", "version": "1",
            "description": (
                "Run proposals and rounds of the decisions application from your own"
                " software: the same rules and permissions as its pages. Authenticate with"
                " a token (`Authorization: Bearer dcs_...`) made on your profile page, or"
                " an organisation's token made by its admins. Errors are"
                " `application/problem+json` (RFC 9457). Lists are paginated with a"
                " cursor. Rate limits per token are said in the `RateLimit` and"
                " `RateLimit-Policy` headers."),
            "license": {"name": "AGPL-3.0-or-later",
                        "identifier": "AGPL-3.0-or-later"}},
        "tags": TAGS,
        "paths": paths,
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": {"bearer": {
                "type": "http", "scheme": "bearer",
                "description": "A personal or organisation token (`dcs_...`)."}},
            "headers": {
                "RateLimit": {"description": "What is left of the token's limit: remaining"
                                             " requests (r) and seconds to the reset (t).",
                              "schema": {"type": "string"}},
                "RateLimit-Policy": {"description": "The token's limit: requests (q) per"
                                                    " window of seconds (w).",
                                     "schema": {"type": "string"}}}},
    }
