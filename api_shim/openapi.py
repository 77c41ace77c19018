"""The OpenAPI 3 document, generated from the same Endpoint declarations that validate requests."""

from __future__ import annotations

import re

from api_shim.endpoints import Endpoint
from api_shim.openapi_links import add_links
from api_shim.openapi_schemas import REF, Schemas, reachable
from api_shim.openapi_types import Header, MediaType, OpenApiDocument, Operation, Parameter, Response
from api_shim.operation_docs import apply as describe_operations
from api_shim.path_formats import (
    BACKUP_REF,
    CLUSTER_REF,
    CRD_NAME,
    OBJECT_REF,
    PATH_PARAMS,
    RESOURCE_TYPE,
    object_ref,
    path_param_schema,
)
from cloudops.kube.types import JsonObject, JsonValue

__all__ = ["BACKUP_REF", "CLUSTER_REF", "CRD_NAME", "ERROR_STATUSES", "OBJECT_REF", "PATH_PARAMS", "RESOURCE_TYPE",
           "SYSTEM_ROUTES", "build_openapi", "error_statuses", "object_ref", "path_param_schema"]

SYSTEM_ROUTES = {"/healthz": "liveness", "/readyz": "readiness: the hub answers", "/metrics": "Prometheus metrics",
                 "/api/k8s/openapi.json": "this document"}

# A non-JSON success body's schema by media type (a string unless said here). Server-Sent Events are checked
# event by event: each is its fields (`data` a string; the containers' log events carry JSON in it).
MEDIA_SCHEMAS: dict[str, JsonObject] = {
    "text/event-stream": {"type": "object", "properties": {
        "event": {"type": "string"}, "data": {"type": "string"}, "id": {"type": "string"},
        "retry": {"type": "integer", "minimum": 0}}}}

# What every error status of an /api/k8s operation means; all are answered with the error envelope.
ERROR_STATUSES: dict[int, str] = {
    400: "malformed request: a path, query or body field fails validation (`error` names it)",
    401: "no credential, or a bad one",
    403: "denied by RBAC on the hub, or over quota (code 1003)",
    404: "no such object (code 1002)",
    409: "conflict with the current state of the object",
    413: "request body too large, or refused by the member as too large",
    415: "a body sent with a Content-Type other than the one declared (application/json)",
    422: "valid but not processable: e.g. a bad kubeconfig (1005), a member that cannot be reached (1001)",
    429: "rate limited; retry after `Retry-After` seconds",
    502: "a member cluster answered badly or not at all (code 1001)",
    503: "the hub API server is unavailable",
    504: "timed out, e.g. waiting for the operator or a member (code 1004)",
}
ERROR_HEADERS: dict[int, dict[str, Header]] = {
    401: {"WWW-Authenticate": {"required": True, "schema": {"type": "string"},
                               "description": "the accepted authentication scheme"}},
    429: {"Retry-After": {"required": True, "schema": {"type": "integer", "minimum": 1},
                          "description": "seconds until a request may succeed"}},
}


def error_statuses(ep: Endpoint) -> list[int]:
    """The error statuses `ep` can answer: 413 and 415 only where a body is read."""
    return [s for s in ERROR_STATUSES if s not in (413, 415) or ep.body is not None]


def _object(value: JsonValue | None, what: str) -> JsonObject:
    if not isinstance(value, dict):
        raise TypeError(f"{what}: not a JSON object")
    return value


def _envelope(data: JsonObject) -> JsonObject:
    return {"type": "object", "required": ["code", "message", "data", "timestamp"], "properties": {
        "code": {"type": "integer", "example": 200}, "message": {"type": "string", "example": "success"},
        "data": data, "timestamp": {"type": "string", "format": "date-time"}}}


ERROR: JsonObject = {"type": "object", "required": ["code", "message", "error", "timestamp"], "properties": {
    "code": {"type": "integer", "description": "HTTP status, or a business code 1001-1010"},
    "message": {"type": "string"}, "error": {"type": "string", "description": "what is wrong, with the field path"},
    "timestamp": {"type": "string", "format": "date-time"}}}
ERROR_CONTENT: dict[str, MediaType] = {"application/json": {"schema": {"$ref": REF.format(model="ErrorEnvelope")}}}


def _error_response(status: int) -> Response:
    response: Response = {"description": ERROR_STATUSES[status], "content": ERROR_CONTENT}
    if status in ERROR_HEADERS:
        response["headers"] = ERROR_HEADERS[status]
    return response


def _query_params(schema: JsonObject) -> list[Parameter]:
    """A query model's properties, one parameter each."""
    required = schema.get("required", [])
    params: list[Parameter] = []
    for name, value in _object(schema.get("properties", {}), "properties").items():
        prop = _object(value, f"properties.{name}")
        param: Parameter = {"name": name, "in": "query", "required": isinstance(required, list) and name in required,
                            "schema": prop}
        description = prop.get("description")
        if isinstance(description, str):
            param["description"] = description
        params.append(param)
    return params


def _operation(ep: Endpoint, schemas: Schemas) -> Operation:
    params: list[Parameter] = [
        {"name": n, "in": "path", "required": True, "schema": path_param_schema(ep.path, n)}
        for n in re.findall(r"{(\w+)}", ep.path)
    ]
    if ep.query is not None:
        params += _query_params(schemas.of(ep.query))
    data = schemas.ref(ep.data) if ep.data is not None else {}
    # Every status is listed explicitly and there is no `default`, so an undocumented status is a
    # contract violation a client (or a contract test) can detect.
    responses: dict[str, Response] = {
        "200": {"description": "success", "content": {
            "application/json": {"schema": _envelope(data)},
            **{m: {"schema": MEDIA_SCHEMAS.get(m, {"type": "string"})} for m in ep.media}}},
        **{str(s): _error_response(s) for s in error_statuses(ep)},
    }
    op: Operation = {
        "operationId": f"{ep.method.lower()}_{re.sub(r'[^a-zA-Z0-9]+', '_', ep.path).strip('_')}",
        "summary": ep.summary, "tags": [ep.tag], "parameters": params,
        "x-kubernetes-authorization": {"group": "cloudops.io", "resource": ep.resource, "verb": ep.verb,
                                       "subresource": ep.subresource},
        "responses": responses,
    }
    if ep.cluster == "caller":  # about the caller itself: authenticated, nothing to authorize
        op["x-authenticated-only"] = True
        del op["x-kubernetes-authorization"]
    if ep.body is not None:
        # The shim reads an absent or blank body as `{}`, so a body is required only when `{}` is invalid.
        body = schemas.of(ep.body)
        op["requestBody"] = {"required": bool(body.get("required") or body.get("minProperties")),
                             "content": {ep.body_media: {"schema": schemas.ref(ep.body)}}}
    if ep.public:  # the sign-in flow: no credentials yet
        op["security"] = []
        op["x-sign-in"] = True
        del op["x-kubernetes-authorization"]
        for status in ("401", "403"):
            responses.pop(status, None)
    if ep.redirect:  # a browser navigation: where to go next, not JSON
        responses.pop("200", None)
        responses["302"] = {"description": "go on at Location (the identity provider, or back to the console)",
                            "headers": {"Location": {"required": True, "schema": {"type": "string"},
                                                     "description": "where the browser goes next"}}}
    if ep.ticket:  # a WebSocket upgrade, authenticated by its single-use ticket (no headers from browsers)
        op["security"] = []
        op["x-websocket"] = True
        responses["426"] = {"description": "not a WebSocket handshake: connect with a WebSocket client",
                            "content": ERROR_CONTENT, "headers": {"Upgrade": {
                                "required": True, "schema": {"type": "string", "enum": ["websocket"]},
                                "description": "the protocol to upgrade to"}}}
    return op


def _system_routes() -> dict[str, dict[str, Operation]]:
    """Served outside the /api/k8s security chain: no credentials, no rate limits."""
    def ok(schema: JsonObject, media: str = "application/json") -> Response:
        return {"description": "success", "content": {media: {"schema": schema}}}

    responses: dict[str, dict[str, Response]] = {
        "/healthz": {"200": ok(_envelope({"type": "object", "required": ["status"]}))},
        "/readyz": {"200": ok(_envelope({"type": "object", "required": ["status", "hub_version"]})),
                    "503": {"description": "the hub API server is not reachable", "content": ERROR_CONTENT}},
        "/metrics": {"200": ok({"type": "string"}, "text/plain")},
        "/api/k8s/openapi.json": {"200": ok({"type": "object", "required": ["openapi", "info", "paths"]})},
    }
    return {path: {"get": {"operationId": f"get_{path.strip('/').replace('/', '_').replace('.', '_')}",
                           "summary": summary, "tags": ["system"], "security": [], "responses": responses[path]}}
            for path, summary in SYSTEM_ROUTES.items()}


def build_openapi(endpoints: list[Endpoint]) -> OpenApiDocument:
    schemas = Schemas(endpoints)
    paths: dict[str, dict[str, Operation]] = {}
    for ep in endpoints:
        paths.setdefault(ep.path, {})[ep.http_method.lower()] = _operation(ep, schemas)
    paths.update(_system_routes())
    add_links(paths, schemas.defs)
    describe_operations(paths)  # English summaries, descriptions, recorded examples (api_shim/operation_docs)
    # Query models are inlined as parameters: only what a path refers to becomes a component.
    used = sorted(reachable(paths, schemas.defs))
    components = {"ErrorEnvelope": ERROR, **{name: schemas.defs[name] for name in used}}
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
