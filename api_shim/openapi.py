"""The OpenAPI 3 document, generated from the same Endpoint declarations that validate requests."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from api_shim.endpoints import Endpoint

__all__ = ["build_openapi"]

REF = "#/components/schemas/{model}"
SYSTEM_ROUTES = {"/healthz": "liveness", "/readyz": "readiness: the hub answers", "/metrics": "Prometheus metrics",
                 "/api/k8s/openapi.json": "this document"}


def _schema(model: type[BaseModel], components: dict[str, Any]) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template=REF)
    components.update(schema.pop("$defs", {}))
    components[model.__name__] = schema
    return {"$ref": REF.format(model=model.__name__)}


def _envelope(data: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": ["code", "message", "data", "timestamp"], "properties": {
        "code": {"type": "integer", "example": 200}, "message": {"type": "string", "example": "success"},
        "data": data, "timestamp": {"type": "string", "format": "date-time"}}}


ERROR = {"type": "object", "required": ["code", "message", "error", "timestamp"], "properties": {
    "code": {"type": "integer", "description": "HTTP status, or a business code 1001-1010"},
    "message": {"type": "string"}, "error": {"type": "string", "description": "what is wrong, with the field path"},
    "timestamp": {"type": "string", "format": "date-time"}}}


def _operation(ep: Endpoint, components: dict[str, Any]) -> dict[str, Any]:
    params: list[dict[str, Any]] = [
        {"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
        for n in re.findall(r"{(\w+)}", ep.path)
    ]
    if ep.query is not None:
        schema = ep.query.model_json_schema(ref_template=REF)
        components.update(schema.pop("$defs", {}))
        required = set(schema.get("required", []))
        for name, prop in schema.get("properties", {}).items():
            params.append({"name": name, "in": "query", "required": name in required, "schema": prop,
                           **({"description": prop["description"]} if "description" in prop else {})})
    data = _schema(ep.data, components) if ep.data is not None else {}
    op: dict[str, Any] = {
        "operationId": f"{ep.method.lower()}_{re.sub(r'[^a-zA-Z0-9]+', '_', ep.path).strip('_')}",
        "summary": ep.summary, "tags": [ep.tag], "parameters": params,
        "x-kubernetes-authorization": {"group": "cloudops.io", "resource": ep.resource, "verb": ep.verb,
                                       "subresource": ep.subresource},
        "responses": {
            "200": {"description": "success", "content": {"application/json": {"schema": _envelope(data)}}},
            "default": {"description": "error", "content": {"application/json": {
                "schema": {"$ref": REF.format(model="ErrorEnvelope")}}}},
        },
    }
    if ep.body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": _schema(ep.body, components)}}}
    return op


def build_openapi(endpoints: list[Endpoint]) -> dict[str, Any]:
    components: dict[str, Any] = {"ErrorEnvelope": ERROR}
    paths: dict[str, dict[str, Any]] = {}
    for ep in endpoints:
        paths.setdefault(ep.path, {})[ep.method.lower()] = _operation(ep, components)
    plain = {"200": {"description": "success"}, "503": {"description": "not ready"}}
    for path, summary in SYSTEM_ROUTES.items():
        paths[path] = {"get": {"operationId": f"get_{path.strip('/').replace('/', '_').replace('.', '_')}",
                               "summary": summary, "tags": ["system"], "security": [], "responses": plain}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "CloudOps K8s API", "version": "v1alpha1"},
        "paths": paths,
        "security": [{"apiKey": []}, {"bearer": []}],
        "components": {"schemas": components, "securitySchemes": {
            "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            "bearer": {"type": "http", "scheme": "bearer",
                       "description": "a JWT from the configured issuer, or a token the hub accepts (TokenReview)"}}},
    }
