"""build_openapi: paths, parameters, bodies and components derived from Endpoint declarations."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web
from pydantic import BaseModel, Field

from api_shim.endpoints import Call, Endpoint
from api_shim.openapi import SYSTEM_ROUTES, build_openapi

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
    assert params == [
        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
        {"name": "node", "in": "path", "required": True, "schema": {"type": "string"}},
    ]
    assert [p["name"] for p in paths["/api/k8s/clusters/{id}"]["delete"]["parameters"]] == ["id"]


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
    assert body["required"] is True
    assert body["content"]["application/json"]["schema"] == {"$ref": REF + "UpdateBody"}
    assert "requestBody" not in paths["/api/k8s/clusters/{id}"]["delete"]
    assert "requestBody" not in paths["/api/k8s/clusters/list"]["get"]


def test_success_response_wraps_data_model_in_envelope() -> None:
    ok = _doc()["paths"]["/api/k8s/clusters/list"]["get"]["responses"]["200"]
    schema = ok["content"]["application/json"]["schema"]
    assert set(schema["required"]) == {"code", "message", "data", "timestamp"}
    assert schema["properties"]["data"] == {"$ref": REF + "ClusterList"}


def test_error_response_refers_to_error_envelope() -> None:
    for item in _doc()["paths"].values():
        for op in item.values():
            assert op["responses"]["default"]["content"]["application/json"]["schema"] == {
                "$ref": REF + "ErrorEnvelope"}


def test_components_hold_every_referenced_model() -> None:
    doc = _doc()
    schemas = doc["components"]["schemas"]
    assert {"ErrorEnvelope", "UpdateBody", "Label", "ClusterView", "ClusterList"} <= set(schemas)
    assert set(schemas["ErrorEnvelope"]["required"]) == {"code", "message", "error", "timestamp"}
    for ref in _refs(doc):
        assert ref.startswith(REF)
        assert ref.removeprefix(REF) in schemas, ref
    assert not any("$defs" in json.dumps(s) for s in schemas.values())


def test_nested_models_are_referenced_not_inlined() -> None:
    schemas = _doc()["components"]["schemas"]
    assert schemas["UpdateBody"]["properties"]["labels"]["items"] == {"$ref": REF + "Label"}
    assert schemas["ClusterList"]["properties"]["clusters"]["items"] == {"$ref": REF + "ClusterView"}


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
