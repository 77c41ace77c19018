"""OpenAPI links, derived from the paths: what a create or a list answers feeds the operations on one item.

A stateful fuzzer (schemathesis) and generated clients follow them to chain calls with ids that exist, instead of
ids drawn at random that only ever answer 404. Two rules, both from the document alone:

- **Collection → item.** A GET or POST whose 200 `data` is an item (has `id`: a create) or a page of items (no
  `id` or `name` of its own, and one array of objects with an `id` or a `name`: a list) links to every operation
  under the same path prefix (its path without a trailing `create`, `add` or `list`, and not ending in a parameter:
  a collection, not an item) that takes exactly one path parameter more: the read, update and delete of what it
  made or listed, and their subresources. The new parameter is the item's `id` (else its field of the
  parameter's name, else its `name`); the parameters the two paths share are the request's own
  (`$request.path.<name>`). A value that is a bare name carries its cluster (`query.cluster_id`).
- **Member object → object routes.** An item that is a member object (`id`, `type`, `namespace`) also links to the
  routes addressed by an object id alone (`{resource_id}`, with `{resource_type}` its `type`): labels, versions,
  scheduling.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from api_shim.openapi_schemas import REF_PREFIX
from api_shim.openapi_types import Link, Operation
from cloudops.kube.types import JsonObject, JsonValue

__all__ = ["COLLECTION_VERBS", "add_links", "resolve_pointer"]

COLLECTION_VERBS = {"create", "add", "list"}  # a trailing segment naming an action on the collection before it
_OBJECT_FIELDS = {"id", "type", "namespace"}  # what makes an item a member object
_OBJECT_PARAMS = ({"resource_id"}, {"resource_type", "resource_id"})  # routes addressed by an object id alone


@dataclass(frozen=True)
class _Op:
    path: str
    method: str
    operation: Operation

    @property
    def params(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.path)

    def query(self) -> set[str]:
        return {p["name"] for p in self.operation.get("parameters", []) if p["in"] == "query"}


@dataclass(frozen=True)
class _Items:
    """Where a response holds its item(s): a JSON pointer to one item, the item's schema, and the response's
    `data` (for a field the page holds once, such as the `cluster_id` all its items are in)."""

    pointer: str
    schema: JsonObject
    data: JsonObject


def _deref(schema: JsonValue | None, components: dict[str, JsonObject]) -> JsonObject:
    """`schema` with its `$ref` followed and a nullable `anyOf` (`X | None`) narrowed to `X`."""
    seen = 0
    while isinstance(schema, dict) and seen < 16:
        seen += 1
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith(REF_PREFIX):
            schema = components.get(ref.removeprefix(REF_PREFIX), {})
            continue
        any_of = schema.get("anyOf")
        branches = [b for b in any_of if isinstance(b, dict) and b.get("type") != "null"] if isinstance(
            any_of, list) else []
        if len(branches) == 1 and "type" not in schema:
            schema = branches[0]
            continue
        return schema
    return {}


def resolve_pointer(schema: JsonObject, pointer: str, components: dict[str, JsonObject]) -> JsonObject | None:
    """The schema a JSON pointer into a document of `schema` lands on, or None where the schema has no such
    member (a property that is not there or not required, an index into what is not an array)."""
    current = _deref(schema, components)
    for token in pointer.strip("/").split("/") if pointer.strip("/") else []:
        if token.isdigit():
            if current.get("type") != "array":
                return None
            current = _deref(current.get("items"), components)
            continue
        properties, required = current.get("properties"), current.get("required")
        if not isinstance(properties, dict) or token not in properties:
            return None
        if not isinstance(required, list) or token not in required:
            return None
        current = _deref(properties[token], components)
    return current


def _fields(schema: JsonObject) -> set[str]:
    properties, required = schema.get("properties"), schema.get("required")
    return set(properties) & set(required) if isinstance(properties, dict) and isinstance(required, list) else set()


def _items(op: _Op, components: dict[str, JsonObject]) -> _Items | None:
    """The item a create answers, or the first item of the page a list answers (None for anything else)."""
    if op.method not in ("get", "post"):
        return None
    ok = op.operation["responses"].get("200")
    content = ok.get("content", {}).get("application/json") if ok is not None else None
    data = resolve_pointer(content["schema"], "/data", components) if content is not None else None
    if data is None:
        return None
    fields = _fields(data)
    if "id" in fields:
        return _Items("/data", data, data)
    if "name" in fields:  # an item without an id (a CRD): what it holds are not items of its collection
        return None
    pages = []
    for name in sorted(fields):
        item = resolve_pointer(data, f"/{name}/0", components)
        if item is not None and _fields(item) & {"id", "name"}:
            pages.append((name, item))
    return _Items(f"/data/{pages[0][0]}/0", pages[0][1], data) if len(pages) == 1 else None


def _base(path: str) -> str:
    head, _, last = path.rpartition("/")
    return head if last in COLLECTION_VERBS else path


def _value(items: _Items, param: str) -> tuple[str, str] | None:
    """The item field a new path parameter takes, and its runtime expression."""
    fields = _fields(items.schema)
    field = next((f for f in ("id", param, "name") if f in fields), None)
    return (field, f"$response.body#{items.pointer}/{field}") if field else None


def _collection_link(source: _Op, target: _Op, items: _Items) -> Link | None:
    new = [p for p in target.params if p not in source.params]
    base = _base(source.path)
    if len(new) != 1 or base.endswith("}") or not target.path.startswith(base + "/"):
        return None  # `/widgets/{id}` is an item, not the collection of what lies under it
    found = _value(items, new[0])
    if found is None:
        return None
    field, expression = found
    parameters = {f"path.{p}": f"$request.path.{p}" for p in target.params if p in source.params}
    parameters[f"path.{new[0]}"] = expression
    if field != "id" and "cluster_id" in target.query():  # a bare name: the cluster it is in goes with it
        for holder, pointer in ((items.schema, items.pointer), (items.data, "/data")):
            if "cluster_id" in _fields(holder):
                parameters["query.cluster_id"] = f"$response.body#{pointer}/cluster_id"
                break
    return _link(target, parameters, f"the item's `{field}`")


def _object_link(target: _Op, items: _Items) -> Link | None:
    if not _OBJECT_FIELDS <= _fields(items.schema) or set(target.params) not in _OBJECT_PARAMS:
        return None
    parameters = {"path.resource_id": f"$response.body#{items.pointer}/id"}
    if "resource_type" in target.params:
        parameters["path.resource_type"] = f"$response.body#{items.pointer}/type"
    return _link(target, parameters, "the member object's id")


def _link(target: _Op, parameters: dict[str, str], what: str) -> Link:
    return {"operationId": target.operation["operationId"], "parameters": parameters,
            "description": f"{target.method.upper()} {target.path} with {what}"}


def add_links(paths: dict[str, dict[str, Operation]], components: dict[str, JsonObject]) -> None:
    """Give each create's and list's 200 response its `links` (named by the target's operationId)."""
    ops = [_Op(path, method, op) for path, item in paths.items() for method, op in item.items()]
    for source in ops:
        items = _items(source, components)
        if items is None:
            continue
        links: dict[str, Link] = {}
        for target in ops:
            link = None if target is source else (
                _collection_link(source, target, items) or _object_link(target, items))
            if link is not None:
                links[target.operation["operationId"]] = link
        if links:
            source.operation["responses"]["200"]["links"] = links
