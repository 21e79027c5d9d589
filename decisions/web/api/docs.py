"""The API's documentation page, read from the OpenAPI document itself (so the page and
``openapi.json`` cannot differ): each operation with its parameters, body and answer as
tables of fields, rendered on the server in the site's style (no script, no resource from
elsewhere: the site's Content-Security-Policy holds)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class FieldLine:
    """One member of a schema, in words."""

    name: str
    type: str
    required: bool
    description: str


@dataclass(frozen=True, slots=True)
class OperationDoc:
    """One operation as the page shows it."""

    anchor: str
    method: str
    path: str
    summary: str
    description: str
    scope: str | None
    parameters: list[FieldLine]
    body: str | None
    answer: str | None
    statuses: list[tuple[str, str]]


def _name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def type_text(schema: dict[str, Any]) -> str:
    """A schema's type in a few words: ``integer``, ``list of Round``, ``Role``..."""
    if "$ref" in schema:
        return _name(schema["$ref"])
    if "anyOf" in schema:
        kinds = [type_text(s) for s in schema["anyOf"]]
        return " or ".join(k for k in kinds if k != "null") + (
            " or null" if "null" in kinds else "")
    if "enum" in schema:
        return " | ".join(str(v) for v in schema["enum"])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"list of {type_text(schema.get('items', {}))}"
    if kind == "object" and "additionalProperties" in schema and isinstance(
            schema["additionalProperties"], dict):
        return f"object of {type_text(schema['additionalProperties'])}"
    if schema.get("format"):
        return f"{kind} ({schema['format']})"
    return str(kind)


def fields(schema: dict[str, Any]) -> list[FieldLine]:
    """The members of an object schema."""
    required = set(schema.get("required", []))
    return [FieldLine(name, type_text(prop), name in required,
                      str(prop.get("description") or ""))
            for name, prop in schema.get("properties", {}).items()]


def _schema_of(described: dict[str, Any]) -> dict[str, Any] | None:
    """The schema of the first media type of a request body or response, if any."""
    content: dict[str, dict[str, Any]] = described.get("content") or {}
    for media in content.values():
        schema: dict[str, Any] | None = media.get("schema")
        return schema
    return None


def operations(spec: dict[str, Any]) -> list[OperationDoc]:
    """Every operation of the document, in its order."""
    found = []
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            success = next((code for code in op["responses"] if code.startswith("2")), None)
            answer = None
            if success is not None:
                schema = _schema_of(op["responses"][success])
                answer = None if schema is None else type_text(schema)
            body_schema = _schema_of(op.get("requestBody", {}))
            found.append(OperationDoc(
                anchor=op["operationId"], method=method.upper(), path=path,
                summary=op.get("summary", ""), description=op.get("description", ""),
                scope=op.get("x-scope"),
                parameters=[FieldLine(f"{p['name']} ({p['in']})", type_text(p["schema"]),
                                      bool(p.get("required")), str(p.get("description", "")))
                            for p in op.get("parameters", [])],
                body=None if body_schema is None else type_text(body_schema),
                answer=answer,
                statuses=[(code, str(response.get("description", "")))
                          for code, response in op["responses"].items()]))
    return found


def schemas(spec: dict[str, Any]) -> list[tuple[str, str, list[FieldLine]]]:
    """The object schemas of the document: (name, description, members), by name."""
    found = []
    for name, schema in sorted(spec["components"]["schemas"].items()):
        if schema.get("type") == "object" and "properties" in schema:
            found.append((name, str(schema.get("description") or ""), fields(schema)))
        elif "enum" in schema:
            found.append((name, str(schema.get("description") or ""),
                          [FieldLine(str(v), "", False, "") for v in schema["enum"]]))
    return found
