"""Checks a recorded example (api_shim/operation_docs/examples) against the operation's current schemas in the
OpenAPI document, with jsonschema: the recorder stores only examples that pass, and a unit test holds every
stored one to the schema as it is today, so examples cannot drift from what the API accepts and answers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from api_shim.operation_docs.examples import Recorded

__all__ = ["example_problems", "find_operation"]

BASE = "urn:cloudops:openapi"


def find_operation(document: Mapping[str, Any], operation_id: str) -> tuple[str, str, dict[str, Any]] | None:
    """(path, method, operation) of `operation_id` in `document`."""
    for path, item in document["paths"].items():
        for method, op in item.items():
            if op.get("operationId") == operation_id:
                return path, method, op
    return None


def _pointer(*parts: str) -> str:
    return "#/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def _errors(registry: Registry, pointer: str, value: object) -> list[str]:
    validator = Draft202012Validator({"$ref": BASE + pointer}, registry=registry,
                                     format_checker=Draft202012Validator.FORMAT_CHECKER)
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message[:200]}"
            for e in validator.iter_errors(value)]


def example_problems(document: Mapping[str, Any], rec: Recorded) -> list[str]:
    """What in `rec` the operation's current parameters, request body or response schema refuse; [] if none."""
    found = find_operation(document, rec.operation_id)
    if found is None:
        return [f"{rec.operation_id}: no such operation"]
    path, method, op = found
    registry: Registry = Registry().with_resource(BASE, Resource.from_contents(dict(document),
                                                                               default_specification=DRAFT202012))
    problems: list[str] = []
    params = {(p["in"], p["name"]): i for i, p in enumerate(op.get("parameters", []))}
    for where, values in (("path", rec.request.path), ("query", rec.request.query)):
        for name, value in values.items():
            if (where, name) not in params:
                problems.append(f"{where} parameter {name!r} is not declared")
                continue
            at = _pointer("paths", path, method, "parameters", str(params[(where, name)]), "schema")
            problems += [f"{where}.{name}: {e}" for e in _errors(registry, at, value)]
    body = op.get("requestBody", {}).get("content", {}).get("application/json")
    if rec.request.body is not None:
        if body is None:
            problems.append("a JSON body, where the operation takes none")
        else:
            at = _pointer("paths", path, method, "requestBody", "content", "application/json", "schema")
            problems += [f"body.{e}" for e in _errors(registry, at, rec.request.body)]
    status = str(rec.response.status)
    if "application/json" not in op["responses"].get(status, {}).get("content", {}):
        return [*problems, f"status {status} with JSON is not declared"]
    at = _pointer("paths", path, method, "responses", status, "content", "application/json", "schema")
    return problems + [f"response.{e}" for e in _errors(registry, at, rec.response.body)]
