"""build_openapi: paths, parameters, bodies and components derived from Endpoint declarations."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from api_shim.endpoints import Call, Endpoint
from api_shim.openapi import (
    CLUSTER_REF,
    ERROR_STATUSES,
    OBJECT_REF,
    PATH_PARAMS,
    SYSTEM_ROUTES,
    build_openapi,
    object_ref,
    path_param_schema,
)

REF = "#/components/schemas/"


class ListQuery(BaseModel):
    region: str = Field(description="region filter")
    limit: int = Field(20, ge=1, description="page size")


class Label(BaseModel):
    key: str
    value: str


class UpdateBody(BaseModel):
    display_name: str
    labels: list[Label] = []


class ClusterView(BaseModel):
    id: str
    name: str


class ClusterList(BaseModel):
    clusters: list[ClusterView]
    total: int


class OptionalQuery(BaseModel):
    tag: str | None = None


async def _handler(call: Call) -> web.StreamResponse:
    return web.Response()


LIST = Endpoint("GET", "/api/k8s/clusters/list", "List clusters", "clusters", _handler, "managedclusters", "list",
                query=ListQuery, data=ClusterList)
UPDATE = Endpoint("PUT", "/api/k8s/clusters/{id}", "Update a cluster", "clusters", _handler, "managedclusters",
                  "update", body=UpdateBody, data=ClusterView)
DELETE = Endpoint("DELETE", "/api/k8s/clusters/{id}", "Delete a cluster", "clusters", _handler, "managedclusters",
                  "delete")
NODE = Endpoint("GET", "/api/k8s/clusters/{id}/nodes/{node}", "Get a node", "nodes", _handler, "managedclusters",
                "get", subresource="nodes")


def _doc() -> dict[str, Any]:
    """The document minus the fixed system routes, which test_system_routes_are_documented covers."""
    doc = build_openapi([LIST, UPDATE, DELETE, NODE])
    for path in SYSTEM_ROUTES:
        doc["paths"].pop(path)
    return doc


def test_system_routes_are_documented_without_credentials() -> None:
    doc = build_openapi([LIST])
    for path in SYSTEM_ROUTES:
        op = doc["paths"][path]["get"]
        assert op["security"] == [] and "200" in op["responses"]
        assert op["responses"]["200"]["content"]
    assert "text/plain" in doc["paths"]["/metrics"]["get"]["responses"]["200"]["content"]
    assert doc["paths"]["/readyz"]["get"]["responses"]["503"]["content"]["application/json"]["schema"] == {
        "$ref": REF + "ErrorEnvelope"}
    assert {"apiKey", "bearer"} <= set(doc["components"]["securitySchemes"])


def _refs(value: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "$ref" and isinstance(item, str):
                found.add(item)
            else:
                found |= _refs(item)
    elif isinstance(value, list):
        for item in value:
            found |= _refs(item)
    return found


def test_document_header() -> None:
    doc = _doc()
    assert doc["openapi"].startswith("3.")
    assert doc["info"]["title"]
    assert json.loads(json.dumps(doc)) == doc  # plain JSON, servable as-is


def test_paths_and_methods() -> None:
    paths = _doc()["paths"]
    assert set(paths) == {"/api/k8s/clusters/list", "/api/k8s/clusters/{id}", "/api/k8s/clusters/{id}/nodes/{node}"}
    assert set(paths["/api/k8s/clusters/{id}"]) == {"put", "delete"}
    assert set(paths["/api/k8s/clusters/list"]) == {"get"}


def test_operation_metadata() -> None:
    op = _doc()["paths"]["/api/k8s/clusters/{id}/nodes/{node}"]["get"]
    assert op["summary"] == "Get a node"
    assert op["tags"] == ["nodes"]
    assert op["operationId"] == "get_api_k8s_clusters_id_nodes_node"
    assert op["x-kubernetes-authorization"] == {"group": "cloudops.io", "resource": "managedclusters",
                                                "verb": "get", "subresource": "nodes"}


def test_operation_ids_are_unique() -> None:
    ops = [op for item in _doc()["paths"].values() for op in item.values()]
    ids = [op["operationId"] for op in ops]
    assert len(ids) == len(set(ids)) == 4


def test_path_parameters_for_templates() -> None:
    paths = _doc()["paths"]
    params = paths["/api/k8s/clusters/{id}/nodes/{node}"]["get"]["parameters"]
    assert [(p["name"], p["in"], p["required"]) for p in params] == [("id", "path", True), ("node", "path", True)]
    assert params[0]["schema"] == path_param_schema("/api/k8s/clusters/{id}/nodes/{node}", "id")
    assert params[0]["schema"]["type"] == "string" and params[0]["schema"]["maxLength"] == 63
    # A parameter without a declared format is any non-empty path segment.
    assert params[1]["schema"] == {"type": "string", "minLength": 1, "pattern": "^[^/]+$"}
    assert [p["name"] for p in paths["/api/k8s/clusters/{id}"]["delete"]["parameters"]] == ["id"]


def _accepts(schema: dict[str, Any], value: str) -> bool:
    """ECMA-262 semantics: `$` is the end of the input, so validate with fullmatch on the anchored body."""
    if "anyOf" in schema:
        return any(_accepts(branch, value) for branch in schema["anyOf"])
    assert schema["type"] == "string" and schema["pattern"].startswith("^") and schema["pattern"].endswith("$")
    return len(value) <= schema.get("maxLength", 1 << 30) and re.fullmatch(schema["pattern"][1:-1], value) is not None


OBJECT_GOOD = ["1:pod:default:web-0", "member-1:node::node-a", "prod:deployment:kube-system:coredns",
               "1:clusterrole::system:auth-delegator", "web-0", "a.b", "Web-0", "a:b", "a::b",
               "x" * 253, "1:pod:default:" + "n" * 253, "1:pod:default"]
OBJECT_BAD = ["", "1:Pod:default:web", "1:pod:Default:web", ":pod:default:web", "1:pod:default:",
              "a b", "a:b:c:", "1:pod::-web", "x" * 254, "1:pod:default:" + "n" * 254, "c" * 64 + ":pod::web",
              "a/b", "web\n"]


@pytest.mark.parametrize(("path", "name", "good", "bad"), [
    ("/api/k8s/clusters/{id}", "id", ["1", "42", "member-1", "a", "0" * 63],
     ["", "Member", "-a", "a-", "a.b", "²0", "a%b", "x" * 64, "a_b", "a\n"]),
    ("/api/k8s/clusters/{id}/test", "id", ["7", "prod-eu"], ["a b", "a/b"]),
    ("/api/k8s/crds/{name}", "name", ["backups.cloudops.io", "a.b"], ["", "a", "A.b", ".a", "a.", "a..b", "a_b.c"]),
    ("/api/k8s/x/{name}", "name", OBJECT_GOOD, OBJECT_BAD),
    ("/api/k8s/yaml/backup/delete/{backup_id}", "backup_id", ["7", "nightly-1", "Backup.2"], ["", "a b", "-a", "a/b"]),
    ("/api/k8s/crds/{name}/resources/{resource_name}", "resource_name", OBJECT_GOOD, OBJECT_BAD),
    ("/api/k8s/unified/resources/{id}", "id", OBJECT_GOOD, OBJECT_BAD),
])
def test_path_parameter_formats(path: str, name: str, good: list[str], bad: list[str]) -> None:
    schema = path_param_schema(path, name)
    for value in good:
        assert _accepts(schema, value), value
    for value in bad:
        assert not _accepts(schema, value), value


def test_object_ref_matches_the_shims_own_parser() -> None:
    from cloudops.members.objects import ObjectId, valid_name

    def shim_accepts(raw: str) -> bool:
        if ObjectId.looks_like(raw):
            try:
                oid = ObjectId.parse(raw)
            except ValueError:
                return False
            return len(oid.cluster) <= 63
        return valid_name(raw)

    schema = path_param_schema("/api/k8s/unified/resources/{id}", "id")
    for value in OBJECT_GOOD + OBJECT_BAD:
        assert _accepts(schema, value) == shim_accepts(value), value


def test_path_parameter_table_longest_prefix_wins() -> None:
    assert path_param_schema("/api/k8s/clusters/{id}/test", "id") == PATH_PARAMS[("/api/k8s/clusters/", "id")]
    assert path_param_schema("/api/k8s/unified/resources/{id}", "id") == PATH_PARAMS[("", "id")]
    assert path_param_schema("/api/k8s/crds/{name}", "name") == PATH_PARAMS[("/api/k8s/crds/", "name")]
    assert path_param_schema("/api/k8s/x/{name}", "name") == PATH_PARAMS[("", "name")]
    assert path_param_schema("/api/k8s/x/{other}", "other") == {"type": "string", "minLength": 1, "pattern": "^[^/]+$"}
    schema = path_param_schema("/api/k8s/unified/resources/{id}", "id")
    schema["anyOf"][0]["pattern"] = "changed"  # a deep copy: the table is not shared with callers
    assert path_param_schema("/api/k8s/unified/resources/{id}", "id")["anyOf"][0]["pattern"] != "changed"


def test_served_id_parameters_match_how_their_endpoint_resolves_them() -> None:
    """`{id}` names a cluster where the endpoint resolves the cluster from the path, an object where it
    resolves an object: a new section gets the right format or this fails."""
    from api_shim.routes import SECTIONS

    checked = 0
    for ep in (ep for section in SECTIONS for ep in section.endpoints):
        schema = path_param_schema(ep.path, "id")
        if "{id}" in ep.path and ep.cluster == "path":
            assert schema == CLUSTER_REF, (ep.method, ep.path)
            checked += 1
        elif "{id}" in ep.path and ep.cluster == "object":
            assert schema["anyOf"][1] == OBJECT_REF["anyOf"][1], (ep.method, ep.path)  # an object_ref(...)
            checked += 1
    assert checked


def test_every_served_path_parameter_has_a_declared_format() -> None:
    """A new section's path parameter needs its entry in PATH_PARAMS (any non-empty segment is not a format)."""
    from api_shim.routes import SECTIONS

    fallback = path_param_schema("/no/such/{parameter}", "parameter")
    for ep in (ep for section in SECTIONS for ep in section.endpoints):
        for name in re.findall(r"{(\w+)}", ep.path):
            assert path_param_schema(ep.path, name) != fallback, f"{ep.method} {ep.path}: {{{name}}} has no format"


def test_typed_object_refs_take_only_their_type() -> None:
    schema = path_param_schema("/api/k8s/resourcequota/{id}", "id")
    assert schema == object_ref("resourcequota")
    assert _accepts(schema, "1:resourcequota:team-a:compute") and _accepts(schema, "compute")
    assert not _accepts(schema, "1:limitrange:team-a:compute") and not _accepts(schema, "1:c::kr")
    assert path_param_schema("/api/k8s/limitrange/{id}", "id") == object_ref("limitrange")
    assert path_param_schema("/api/k8s/networkpolicies/{name}/status", "name") == object_ref("networkpolicy")


def test_literal_path_has_no_path_parameters() -> None:
    params = _doc()["paths"]["/api/k8s/clusters/list"]["get"]["parameters"]
    assert all(p["in"] == "query" for p in params)


def test_query_parameters_with_required_flags() -> None:
    params = {p["name"]: p for p in _doc()["paths"]["/api/k8s/clusters/list"]["get"]["parameters"]}
    assert set(params) == {"region", "limit"}
    assert params["region"]["required"] is True
    assert params["limit"]["required"] is False
    assert params["limit"]["schema"]["type"] == "integer"
    assert params["limit"]["schema"]["default"] == 20
    assert params["limit"]["description"] == "page size"
    assert all(p["in"] == "query" for p in params.values())


def test_request_body_only_for_body_models() -> None:
    paths = _doc()["paths"]
    body = paths["/api/k8s/clusters/{id}"]["put"]["requestBody"]
    assert body["required"] is True  # UpdateBody has a required field
    assert body["content"]["application/json"]["schema"] == {"$ref": REF + "UpdateBody"}
    assert "requestBody" not in paths["/api/k8s/clusters/{id}"]["delete"]
    assert "requestBody" not in paths["/api/k8s/clusters/list"]["get"]


def test_success_response_wraps_data_model_in_envelope() -> None:
    ok = _doc()["paths"]["/api/k8s/clusters/list"]["get"]["responses"]["200"]
    schema = ok["content"]["application/json"]["schema"]
    assert set(schema["required"]) == {"code", "message", "data", "timestamp"}
    assert schema["properties"]["data"] == {"$ref": REF + "ClusterList"}


def test_error_responses_are_explicit_and_refer_to_error_envelope() -> None:
    for item in _doc()["paths"].values():
        for op in item.values():
            responses = op["responses"]
            # No `default`: it would document every status and make status-code conformance meaningless.
            assert "default" not in responses
            errors = {int(s) for s in responses if s != "200"}
            assert errors == (set(ERROR_STATUSES) - ({413, 415} if "requestBody" not in op else set())
                              | ({426} if op.get("x-websocket") else set()))
            assert {400, 401, 403, 404, 409, 422, 429, 502, 503, 504} <= errors
            for status in errors:
                assert responses[str(status)]["description"]
                assert responses[str(status)]["content"]["application/json"]["schema"] == {
                    "$ref": REF + "ErrorEnvelope"}
            assert responses["401"]["headers"]["WWW-Authenticate"]["required"] is True
            assert responses["429"]["headers"]["Retry-After"] == {
                "required": True, "schema": {"type": "integer", "minimum": 1},
                "description": "seconds until a request may succeed"}


def test_request_body_too_large_only_where_a_body_is_read() -> None:
    paths = _doc()["paths"]
    assert "413" in paths["/api/k8s/clusters/{id}"]["put"]["responses"]
    assert "413" not in paths["/api/k8s/clusters/{id}"]["delete"]["responses"]
    assert "413" not in paths["/api/k8s/clusters/list"]["get"]["responses"]


def test_components_hold_every_referenced_model() -> None:
    doc = _doc()
    schemas = doc["components"]["schemas"]
    assert {"ErrorEnvelope", "UpdateBody", "Label", "ClusterView", "ClusterList"} <= set(schemas)
    assert set(schemas["ErrorEnvelope"]["required"]) == {"code", "message", "error", "timestamp"}
    for ref in _refs(doc):
        assert ref.startswith(REF)
        assert ref.removeprefix(REF) in schemas, ref
    assert not any("$defs" in json.dumps(s) for s in schemas.values())


def test_models_of_one_name_in_two_sections_stay_two_components() -> None:
    other = type("UpdateBody", (BaseModel,), {"__annotations__": {"resource": dict[str, Any]},
                                              "__module__": "api_shim.routes.unified"})
    put = Endpoint("PUT", "/api/k8s/unified/resources/{id}", "u", "unified", _handler, "r", "update", body=other)
    doc = build_openapi([UPDATE, put])
    schemas = doc["components"]["schemas"]
    refs = {path: item["put"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            for path, item in doc["paths"].items() if "put" in item}
    assert refs["/api/k8s/clusters/{id}"] != refs["/api/k8s/unified/resources/{id}"]
    assert "display_name" in schemas[refs["/api/k8s/clusters/{id}"].removeprefix(REF)]["properties"]
    assert set(schemas[refs["/api/k8s/unified/resources/{id}"].removeprefix(REF)]["properties"]) == {"resource"}
    assert "unified.UpdateBody" in schemas
    for ref in _refs(doc):
        assert ref.removeprefix(REF) in schemas, ref


def test_query_models_are_parameters_not_components() -> None:
    assert "ListQuery" not in _doc()["components"]["schemas"]


def test_nested_models_are_referenced_not_inlined() -> None:
    schemas = _doc()["components"]["schemas"]
    assert schemas["UpdateBody"]["properties"]["labels"]["items"] == {"$ref": REF + "Label"}
    assert schemas["ClusterList"]["properties"]["clusters"]["items"] == {"$ref": REF + "ClusterView"}


class Options(BaseModel):
    verbose: bool = False


class AtLeastOne(BaseModel):
    model_config = ConfigDict(json_schema_extra={"minProperties": 1})
    a: str | None = None


@pytest.mark.parametrize(("model", "required"), [(Options, False), (AtLeastOne, True), (UpdateBody, True)])
def test_body_is_required_only_when_an_empty_object_is_invalid(model: type[BaseModel], required: bool) -> None:
    # The shim reads an absent body as {}: a body whose fields are all optional may be left out.
    doc = build_openapi([Endpoint("POST", "/x", "x", "t", _handler, "r", "create", body=model)])
    assert doc["paths"]["/x"]["post"]["requestBody"]["required"] is required


def test_endpoint_without_models_has_empty_data_schema() -> None:
    ok = _doc()["paths"]["/api/k8s/clusters/{id}"]["delete"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"]["properties"]["data"] == {}


def _types(value: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(value, dict):
        if isinstance(value.get("type"), str):
            found.add(value["type"])
        for item in value.values():
            found |= _types(item)
    elif isinstance(value, list):
        for item in value:
            found |= _types(item)
    return found


def test_optional_fields_are_valid_for_the_declared_openapi_version() -> None:
    # OpenAPI 3.0.x has no "null" type (it uses nullable: true); JSON-Schema-2020-12 output such as
    # anyOf[{type: string}, {type: null}] is only valid when the document declares 3.1.x.
    doc = build_openapi([Endpoint("GET", "/x", "x", "t", _handler, "r", "list", query=OptionalQuery)])
    if doc["openapi"].startswith("3.0"):
        assert "null" not in _types(doc)
