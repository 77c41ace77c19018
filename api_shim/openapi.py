"""The OpenAPI 3 document, generated from the same Endpoint declarations that validate requests."""

from __future__ import annotations

import copy
import re
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from api_shim.endpoints import Endpoint
from cloudops.containers.ids import CONTAINER_ID_PATTERN

__all__ = ["BACKUP_REF", "CLUSTER_REF", "CRD_NAME", "ERROR_STATUSES", "OBJECT_REF", "PATH_PARAMS", "RESOURCE_TYPE",
           "SYSTEM_ROUTES", "build_openapi", "error_statuses", "object_ref", "path_param_schema"]

REF = "#/components/schemas/{model}"
SYSTEM_ROUTES = {"/healthz": "liveness", "/readyz": "readiness: the hub answers", "/metrics": "Prometheus metrics",
                 "/api/k8s/openapi.json": "this document"}

# Path parameter formats, the same the shim enforces (api_shim/context.py, cloudops/members/objects.py,
# api_shim/routes/crds.py, api_shim/network_params.py, api_shim/routes/yaml_backups.py). Patterns are
# anchored JSON Schema (ECMA-262) patterns: a Python validator must use re.fullmatch on them (Python's `$`
# also matches before a trailing newline).
DNS1123_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_LABEL_63 = r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?"  # a DNS label, or an integer id, of at most 63 characters
_OBJECT_NAME = r"[A-Za-z0-9]([A-Za-z0-9._:@-]{0,251}[A-Za-z0-9])?"  # RBAC names hold `:` and `@`
_BARE_NAME = r"[A-Za-z0-9]([A-Za-z0-9._@-]*(:[A-Za-z0-9._@-]*){0,2}[A-Za-z0-9])?"  # 3 colons make it an id


def object_ref(kind: str | None = None) -> dict[str, Any]:
    """An object id `<cluster>:<type>:<namespace>:<name>` (of type `kind` when given) or a bare object name."""
    type_part = re.escape(kind) if kind else "[a-z0-9]+"
    object_id = rf"{_LABEL_63}:{type_part}:({_LABEL_63})?:{_OBJECT_NAME}"
    what = (f"an {kind}'s" if kind[0] in "aeiou" else f"a {kind}'s") if kind else "an"
    return {"anyOf": [{"type": "string", "pattern": rf"^{object_id}$"},
                      {"type": "string", "pattern": rf"^{_BARE_NAME}$", "maxLength": 253}],
            "description": f"{what} object id `<cluster id or name>:{kind or '<type>'}:<namespace>:<name>` "
                           "(namespace empty for cluster-scoped objects; the name may hold `:`), or a bare "
                           "object name"}


CLUSTER_REF: dict[str, Any] = {
    "type": "string", "pattern": rf"^([0-9]+|{DNS1123_LABEL})$", "maxLength": 63,
    "description": "the cluster's integer id or its name (DNS-1123 label)"}
OBJECT_REF = object_ref()
CRD_NAME: dict[str, Any] = {
    "type": "string", "pattern": rf"^{DNS1123_LABEL}(\.{DNS1123_LABEL})+$", "maxLength": 253,
    "description": "a CustomResourceDefinition name, `<plural>.<group>`"}
RESOURCE_TYPE: dict[str, Any] = {
    "type": "string", "pattern": r"^[A-Za-z0-9]+(\.[A-Za-z0-9-]+)*$", "maxLength": 253,
    "description": "a resource type: plural, singular, kind or short name, optionally with its group"}
BACKUP_REF: dict[str, Any] = {
    "type": "string", "pattern": rf"^{_OBJECT_NAME}$", "maxLength": 253,
    "description": "the backup's integer id or its name"}
ANY_SEGMENT: dict[str, Any] = {"type": "string", "minLength": 1, "pattern": "^[^/]+$"}
CONTAINER_REF: dict[str, Any] = {  # cloudops/containers/ids.py
    "type": "string", "pattern": CONTAINER_ID_PATTERN, "maxLength": 400,
    "description": "a container id `<cluster id or name>:<namespace>:<pod>[:<container>]` (the container may be "
                   "left out when the pod has one)"}

# A non-JSON success body's schema by media type (a string unless said here). Server-Sent Events are checked
# event by event: each is its fields (`data` a string; the containers' log events carry JSON in it).
MEDIA_SCHEMAS: dict[str, dict[str, Any]] = {
    "text/event-stream": {"type": "object", "properties": {
        "event": {"type": "string"}, "data": {"type": "string"}, "id": {"type": "string"},
        "retry": {"type": "integer", "minimum": 0}}}}

# (path prefix, parameter name) -> schema; the longest matching prefix wins, "" matches every path.
# A section whose path parameter has another format adds its entry here.
PATH_PARAMS: dict[tuple[str, str], dict[str, Any]] = {
    ("", "id"): OBJECT_REF,  # the endpoints with cluster="object"
    ("/api/k8s/clusters/", "id"): CLUSTER_REF,
    ("/api/k8s/limitrange/", "id"): object_ref("limitrange"),
    ("/api/k8s/resourcequota/", "id"): object_ref("resourcequota"),
    ("", "name"): OBJECT_REF,
    ("/api/k8s/crds/", "name"): CRD_NAME,
    ("/api/k8s/networkpolicies/", "name"): object_ref("networkpolicy"),
    ("/api/k8s/ingress/", "name"): object_ref("ingress"),
    ("", "resource_name"): OBJECT_REF,
    ("", "resource_id"): OBJECT_REF,  # labels/{resource_type}/{resource_id}
    ("", "resource_type"): RESOURCE_TYPE,
    ("", "backup_id"): BACKUP_REF,
    ("/api/k8s/containers/", "id"): CONTAINER_REF,
    ("/api/k8s/taints/nodes/", "node_name"): {  # api_shim/routes/scheduling.py NODE_NAME
        "type": "string", "pattern": r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", "maxLength": 253,
        "description": "a node name (DNS subdomain)"},
    ("/api/k8s/mcp/tools/", "tool_name"): {  # cloudops/mcp_tools TOOLS; an unknown name is 404
        "type": "string", "pattern": r"^[a-z][a-z0-9_]*$", "maxLength": 64,
        "description": "a tool name, as GET /api/k8s/mcp/tools lists them"},
}

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
ERROR_HEADERS: dict[int, dict[str, Any]] = {
    401: {"WWW-Authenticate": {"required": True, "schema": {"type": "string"},
                               "description": "the accepted authentication scheme"}},
    429: {"Retry-After": {"required": True, "schema": {"type": "integer", "minimum": 1},
                          "description": "seconds until a request may succeed"}},
}


def path_param_schema(path: str, name: str) -> dict[str, Any]:
    """The declared format of path parameter `name` in route `path` (a fresh copy)."""
    best: tuple[int, dict[str, Any]] | None = None
    for (prefix, param), schema in PATH_PARAMS.items():
        if param == name and path.startswith(prefix) and (best is None or len(prefix) > best[0]):
            best = (len(prefix), schema)
    return copy.deepcopy(best[1] if best is not None else ANY_SEGMENT)


def error_statuses(ep: Endpoint) -> list[int]:
    """The error statuses `ep` can answer: 413 and 415 only where a body is read."""
    return [s for s in ERROR_STATUSES if s not in (413, 415) or ep.body is not None]


class _Schemas:
    """Every model's JSON Schema, generated together: two models of one name (say the `UpdateBody` of two
    sections) become two components instead of one overwriting the other."""

    def __init__(self, endpoints: list[Endpoint]) -> None:
        models = list(dict.fromkeys(m for ep in endpoints for m in (ep.query, ep.body, ep.data) if m is not None))
        keys, top = models_json_schema([(m, "validation") for m in models], ref_template=REF)
        defs: dict[str, Any] = top.get("$defs", {})
        # pydantic qualifies a clashing name with its module (api_shim__routes__clusters__UpdateBody);
        # the section and the class (clusters.UpdateBody) are enough when still unique.
        short = {name: ".".join(name.split("__")[-2:]) for name in defs if "__" in name}
        rename = {old: new for old, new in short.items() if new not in defs and list(short.values()).count(new) == 1}
        self.defs: dict[str, Any] = _renamed({rename.get(name, name): schema for name, schema in defs.items()},
                                              rename)
        self.refs: dict[type[BaseModel], str] = {
            m: _renamed(keys[(m, "validation")], rename)["$ref"] for m in models}

    def ref(self, model: type[BaseModel]) -> dict[str, Any]:
        return {"$ref": self.refs[model]}

    def of(self, model: type[BaseModel]) -> dict[str, Any]:
        return dict(self.defs[self.refs[model].removeprefix(REF.format(model=""))])


def _renamed(value: Any, rename: dict[str, str]) -> Any:
    """`value` with every `$ref` to a renamed component pointing at its new name."""
    if not rename:
        return value
    if isinstance(value, dict):
        out = {k: _renamed(v, rename) for k, v in value.items()}
        ref = out.get("$ref")
        if isinstance(ref, str) and ref.startswith(REF.format(model="")):
            name = ref.removeprefix(REF.format(model=""))
            out["$ref"] = REF.format(model=rename.get(name, name))
        return out
    if isinstance(value, list):
        return [_renamed(v, rename) for v in value]
    return value


def _reachable(roots: Any, components: dict[str, Any]) -> set[str]:
    """Names of the components `roots` refer to, directly or through other components."""
    seen: set[str] = set()
    todo = [roots]
    while todo:
        value = todo.pop()
        if isinstance(value, dict):
            ref = value.get("$ref")
            if isinstance(ref, str) and ref.startswith(REF.format(model="")):
                name = ref.removeprefix(REF.format(model=""))
                if name not in seen and name in components:
                    seen.add(name)
                    todo.append(components[name])
            todo.extend(value.values())
        elif isinstance(value, list):
            todo.extend(value)
    return seen


def _envelope(data: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": ["code", "message", "data", "timestamp"], "properties": {
        "code": {"type": "integer", "example": 200}, "message": {"type": "string", "example": "success"},
        "data": data, "timestamp": {"type": "string", "format": "date-time"}}}


ERROR = {"type": "object", "required": ["code", "message", "error", "timestamp"], "properties": {
    "code": {"type": "integer", "description": "HTTP status, or a business code 1001-1010"},
    "message": {"type": "string"}, "error": {"type": "string", "description": "what is wrong, with the field path"},
    "timestamp": {"type": "string", "format": "date-time"}}}
ERROR_CONTENT = {"application/json": {"schema": {"$ref": REF.format(model="ErrorEnvelope")}}}


def _error_response(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {"description": ERROR_STATUSES[status], "content": ERROR_CONTENT}
    if status in ERROR_HEADERS:
        response["headers"] = ERROR_HEADERS[status]
    return response


def _operation(ep: Endpoint, schemas: _Schemas) -> dict[str, Any]:
    params: list[dict[str, Any]] = [
        {"name": n, "in": "path", "required": True, "schema": path_param_schema(ep.path, n)}
        for n in re.findall(r"{(\w+)}", ep.path)
    ]
    if ep.query is not None:
        schema = schemas.of(ep.query)
        required = set(schema.get("required", []))
        for name, prop in schema.get("properties", {}).items():
            params.append({"name": name, "in": "query", "required": name in required, "schema": prop,
                           **({"description": prop["description"]} if "description" in prop else {})})
    data = schemas.ref(ep.data) if ep.data is not None else {}
    # Every status is listed explicitly and there is no `default`, so an undocumented status is a
    # contract violation a client (or a contract test) can detect.
    responses: dict[str, Any] = {
        "200": {"description": "success", "content": {
            "application/json": {"schema": _envelope(data)},
            **{m: {"schema": MEDIA_SCHEMAS.get(m, {"type": "string"})} for m in ep.media}}},
        **{str(s): _error_response(s) for s in error_statuses(ep)},
    }
    op: dict[str, Any] = {
        "operationId": f"{ep.method.lower()}_{re.sub(r'[^a-zA-Z0-9]+', '_', ep.path).strip('_')}",
        "summary": ep.summary, "tags": [ep.tag], "parameters": params,
        "x-kubernetes-authorization": {"group": "cloudops.io", "resource": ep.resource, "verb": ep.verb,
                                       "subresource": ep.subresource},
        "responses": responses,
    }
    if ep.body is not None:
        # The shim reads an absent or blank body as `{}`, so a body is required only when `{}` is invalid.
        body = schemas.of(ep.body)
        op["requestBody"] = {"required": bool(body.get("required") or body.get("minProperties")),
                             "content": {ep.body_media: {"schema": schemas.ref(ep.body)}}}
    if ep.ticket:  # a WebSocket upgrade, authenticated by its single-use ticket (no headers from browsers)
        op["security"] = []
        op["x-websocket"] = True
    return op


def _system_routes() -> dict[str, dict[str, Any]]:
    """Served outside the /api/k8s security chain: no credentials, no rate limits."""
    def ok(schema: dict[str, Any], media: str = "application/json") -> dict[str, Any]:
        return {"description": "success", "content": {media: {"schema": schema}}}

    responses: dict[str, dict[str, Any]] = {
        "/healthz": {"200": ok(_envelope({"type": "object", "required": ["status"]}))},
        "/readyz": {"200": ok(_envelope({"type": "object", "required": ["status", "hub_version"]})),
                    "503": {"description": "the hub API server is not reachable", "content": ERROR_CONTENT}},
        "/metrics": {"200": ok({"type": "string"}, "text/plain")},
        "/api/k8s/openapi.json": {"200": ok({"type": "object", "required": ["openapi", "info", "paths"]})},
    }
    return {path: {"get": {"operationId": f"get_{path.strip('/').replace('/', '_').replace('.', '_')}",
                           "summary": summary, "tags": ["system"], "security": [], "responses": responses[path]}}
            for path, summary in SYSTEM_ROUTES.items()}


def build_openapi(endpoints: list[Endpoint]) -> dict[str, Any]:
    schemas = _Schemas(endpoints)
    paths: dict[str, dict[str, Any]] = {}
    for ep in endpoints:
        paths.setdefault(ep.path, {})[ep.http_method.lower()] = _operation(ep, schemas)
    paths.update(_system_routes())
    # Query models are inlined as parameters: only what a path refers to becomes a component.
    used = sorted(_reachable(paths, schemas.defs))
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
