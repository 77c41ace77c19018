"""OpenAPI links (api_shim/openapi_links.py): a create's answer leads to the read, update and delete of what it
made, a list's to its items' details, each with a runtime expression that points at a field the response has."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import pytest
from aiohttp import web
from pydantic import BaseModel

from api_shim.app import _ordered
from api_shim.endpoints import Call, Endpoint
from api_shim.openapi import build_openapi
from api_shim.routes import SECTIONS

Json = dict[str, Any]
REF = "#/components/schemas/"


@cache
def _document() -> Json:
    return json.loads(json.dumps(build_openapi(_ordered([ep for s in SECTIONS for ep in s.endpoints]))))


def _operations(doc: Json) -> dict[str, tuple[str, str, Json]]:
    """operationId -> (METHOD, path, operation)."""
    return {op["operationId"]: (method.upper(), path, op) for path, item in doc["paths"].items()
            for method, op in item.items()}


def _schema_at(doc: Json, schema: Json, pointer: str) -> Json | None:
    """What a JSON pointer into a response of `schema` lands on: every property on the way must be required
    (always present); `$ref`s and nullable anyOf are followed. Written apart from the module under test."""
    def follow(s: Json) -> Json:
        while True:
            if "$ref" in s:
                s = doc["components"]["schemas"][s["$ref"].removeprefix(REF)]
            elif "anyOf" in s and "type" not in s:
                branches = [b for b in s["anyOf"] if b.get("type") != "null"]
                if len(branches) != 1:
                    return s
                s = branches[0]
            else:
                return s

    current = follow(schema)
    for token in [t for t in pointer.split("/") if t]:
        if re.fullmatch(r"\d+", token):
            if current.get("type") != "array":
                return None
            current = follow(current["items"])
        elif token in current.get("properties", {}) and token in current.get("required", []):
            current = follow(current["properties"][token])
        else:
            return None
    return current


def _links(doc: Json) -> list[tuple[str, str, Json, str, Json]]:
    """(METHOD, path, operation, link name, link) for every link in the document."""
    return [(method.upper(), path, op, name, link) for path, item in doc["paths"].items()
            for method, op in item.items()
            for status, response in op["responses"].items() for name, link in response.get("links", {}).items()
            if status == "200" or pytest.fail(f"{method} {path}: a link on {status}")]


def test_every_link_expression_points_at_a_field_the_response_has() -> None:
    doc = _document()
    ops = _operations(doc)
    links = _links(doc)
    assert len(links) >= 100
    for method, path, op, name, link in links:
        where = f"{method} {path} -> {name}"
        assert link["operationId"] in ops, where
        _, target_path, target = ops[link["operationId"]]
        target_params = {f"{p['in']}.{p['name']}" for p in target.get("parameters", [])}
        required = {f"path.{p}" for p in re.findall(r"{(\w+)}", target_path)}
        # Every path parameter of the target comes from the link: none is left to chance (a 404).
        assert required <= set(link["parameters"]) <= target_params, where
        response = op["responses"]["200"]["content"]["application/json"]["schema"]
        for param, expression in link["parameters"].items():
            if expression.startswith("$request.path."):
                assert f"{{{expression.removeprefix('$request.path.')}}}" in path, (where, param)
                continue
            assert expression.startswith("$response.body#/"), (where, param)
            field = _schema_at(doc, response, expression.removeprefix("$response.body#"))
            assert field is not None, (where, param, expression)
            types = {field.get("type")} if "type" in field else {b.get("type") for b in field.get("anyOf", [])}
            assert types & {"string", "integer"} and not types & {"object", "array"}, (where, param, field)


def _targets(source: str) -> dict[str, Json]:
    """`METHOD path` of each operation the 200 answer of `source` ("METHOD path") links to -> its parameters."""
    method, path = source.split(" ", 1)
    ops = _operations(_document())
    links = _document()["paths"][path][method.lower()]["responses"]["200"].get("links", {})
    return {f"{ops[link['operationId']][0]} {ops[link['operationId']][1]}": link["parameters"]
            for link in links.values()}


CREATES = {
    "POST /api/k8s/clusters/add": ("/api/k8s/clusters/{id}", ["GET", "PUT", "DELETE"], "path.id"),
    "POST /api/k8s/unified/resources": ("/api/k8s/unified/resources/{id}", ["GET", "PUT", "DELETE"], "path.id"),
    "POST /api/k8s/resourcequota/create": ("/api/k8s/resourcequota/{id}", ["GET", "PUT", "DELETE"], "path.id"),
    "POST /api/k8s/limitrange/create": ("/api/k8s/limitrange/{id}", ["GET", "PUT", "DELETE"], "path.id"),
    "POST /api/k8s/endpoints/create": ("/api/k8s/endpoints/{name}", ["GET", "PUT", "DELETE"], "path.name"),
    "POST /api/k8s/networkpolicies/create": ("/api/k8s/networkpolicies/{name}", ["PUT", "DELETE"], "path.name"),
    "POST /api/k8s/ingress/create": ("/api/k8s/ingress/{name}", ["PUT", "DELETE"], "path.name"),
    "POST /api/k8s/autoscaling/hpa/create": ("/api/k8s/autoscaling/hpa/{name}", ["PUT"], "path.name"),
    "POST /api/k8s/yaml/backup/create": ("/api/k8s/yaml/backup/delete/{backup_id}", ["DELETE"], "path.backup_id"),
    "POST /api/k8s/crds/{name}/resources": ("/api/k8s/crds/{name}/resources/{resource_name}", ["PUT", "DELETE"],
                                            "path.resource_name"),
}


@pytest.mark.parametrize("source", sorted(CREATES))
def test_a_create_links_to_the_read_update_and_delete_of_what_it_made(source: str) -> None:
    path, methods, param = CREATES[source]
    targets = _targets(source)
    for method in methods:
        assert targets.get(f"{method} {path}", {}).get(param) == "$response.body#/data/id", (source, method)


LISTS = {
    "GET /api/k8s/clusters/list": ("GET /api/k8s/clusters/{id}", "path.id", "/data/clusters/0/id"),
    "GET /api/k8s/unified/resources": ("GET /api/k8s/unified/resources/{id}", "path.id", "/data/resources/0/id"),
    "GET /api/k8s/resourcequota/list": ("GET /api/k8s/resourcequota/{id}", "path.id", "/data/resourcequotas/0/id"),
    "GET /api/k8s/limitrange/list": ("GET /api/k8s/limitrange/{id}", "path.id", "/data/limitranges/0/id"),
    "GET /api/k8s/endpoints": ("GET /api/k8s/endpoints/{name}", "path.name", "/data/endpoints/0/id"),
    "GET /api/k8s/networkpolicies": ("GET /api/k8s/networkpolicies/{name}/status", "path.name",
                                     "/data/networkpolicies/0/id"),
    "GET /api/k8s/ingress": ("GET /api/k8s/ingress/{name}/status", "path.name", "/data/ingresses/0/id"),
    "GET /api/k8s/autoscaling/hpa": ("PUT /api/k8s/autoscaling/hpa/{name}", "path.name", "/data/hpas/0/id"),
    "GET /api/k8s/crds": ("GET /api/k8s/crds/{name}", "path.name", "/data/crds/0/name"),
    "GET /api/k8s/crds/{name}/resources": ("PUT /api/k8s/crds/{name}/resources/{resource_name}",
                                           "path.resource_name", "/data/resources/0/id"),
    "GET /api/k8s/yaml/backup/list": ("DELETE /api/k8s/yaml/backup/delete/{backup_id}", "path.backup_id",
                                      "/data/backups/0/id"),
    "GET /api/k8s/mcp/tools": ("POST /api/k8s/mcp/tools/{tool_name}/execute", "path.tool_name", "/data/tools/0/name"),
}


@pytest.mark.parametrize("source", sorted(LISTS))
def test_a_list_links_to_its_items_details(source: str) -> None:
    target, param, pointer = LISTS[source]
    assert _targets(source).get(target, {}).get(param) == f"$response.body#{pointer}", source


def test_shared_path_parameters_and_the_cluster_of_a_bare_name_go_along() -> None:
    put = _targets("GET /api/k8s/crds/{name}/resources")["PUT /api/k8s/crds/{name}/resources/{resource_name}"]
    assert put["path.name"] == "$request.path.name"
    # A CRD is named, not id'd: the cluster it was listed from goes with its name.
    assert _targets("GET /api/k8s/crds")["GET /api/k8s/crds/{name}"]["query.cluster_id"] == (
        "$response.body#/data/cluster_id")


def test_a_member_object_links_to_the_routes_addressed_by_its_id() -> None:
    targets = _targets("POST /api/k8s/unified/resources")
    labels = targets["GET /api/k8s/labels/{resource_type}/{resource_id}"]
    assert labels == {"path.resource_id": "$response.body#/data/id", "path.resource_type": "$response.body#/data/type"}
    for route in ("GET /api/k8s/yaml/versions/{resource_id}", "GET /api/k8s/affinity/pod/{resource_id}",
                  "GET /api/k8s/taints/tolerations/{resource_id}"):
        assert targets[route] == {"path.resource_id": "$response.body#/data/id"}, route


# Ids no response carries: containers (`<cluster>:<namespace>:<pod>[:<container>]`) and node names are found
# outside the API's own answers, so no link leads to these operations.
UNLINKED = re.compile(r"^\w+ /api/k8s/(containers/\{id\}|taints/nodes/\{node_name\})")


def test_every_operation_on_an_item_is_reached_by_a_link() -> None:
    ops = _operations(_document())
    reached = {f"{ops[link['operationId']][0]} {ops[link['operationId']][1]}" for *_, link in _links(_document())}
    unreached = sorted(f"{m} {p}" for m, p, _ in ops.values() if "{" in p and f"{m} {p}" not in reached)
    assert [op for op in unreached if not UNLINKED.match(op)] == []


class Widget(BaseModel):
    id: str
    size: int


class WidgetPage(BaseModel):
    total: int
    widgets: list[Widget]


class Part(BaseModel):
    name: str


async def _handler(call: Call) -> web.StreamResponse:
    return web.Response()


def _endpoint(method: str, path: str, data: type[BaseModel] | None = None) -> Endpoint:
    return Endpoint(method, path, "s", "widgets", _handler, "widgets", "get", data=data)


def test_links_are_derived_from_paths_and_models_alone() -> None:
    doc = json.loads(json.dumps(build_openapi([
        _endpoint("POST", "/api/k8s/widgets/create", Widget), _endpoint("GET", "/api/k8s/widgets/list", WidgetPage),
        _endpoint("GET", "/api/k8s/widgets/{id}", Widget), _endpoint("DELETE", "/api/k8s/widgets/{id}", Widget),
        _endpoint("GET", "/api/k8s/widgets/{id}/parts/{part}", Part),
        _endpoint("GET", "/api/k8s/gadgets/{id}", Widget)])))
    links = {path: {m: op["responses"]["200"].get("links", {}) for m, op in item.items()}
             for path, item in doc["paths"].items()}
    created = links["/api/k8s/widgets/create"]["post"]
    assert {link["operationId"]: link["parameters"] for link in created.values()} == {
        "get_api_k8s_widgets_id": {"path.id": "$response.body#/data/id"},
        "delete_api_k8s_widgets_id": {"path.id": "$response.body#/data/id"}}  # not parts/{part}, not gadgets
    listed = links["/api/k8s/widgets/list"]["get"]
    assert listed["get_api_k8s_widgets_id"]["parameters"] == {"path.id": "$response.body#/data/widgets/0/id"}
    assert links["/api/k8s/widgets/{id}"]["get"] == {}  # an item is not a collection of its parts
