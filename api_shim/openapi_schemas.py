"""The components of the OpenAPI document: every model's JSON Schema, under a unique name and a unique title.

Client generators name their types after a schema's `title` (openapi-python-client does), so two schemas
titled `Deleted` become one type and every operation using the other is dropped: each component's title is
its name, made an identifier (`unified.Deleted` -> `UnifiedDeleted`; `ingress.RuleView` is
`NetworkIngressRuleView`, its module path, as the network policies' `IngressRuleView` holds the shorter one).
"""

from __future__ import annotations

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from api_shim.endpoints import Endpoint
from cloudops.kube.types import JsonObject, JsonValue

__all__ = ["REF", "REF_PREFIX", "Schemas", "reachable", "section_name", "title_of"]

REF = "#/components/schemas/{model}"
REF_PREFIX = REF.format(model="")

# Component names are public (clients generate types from them): a package whose name differs from the section
# that published its models keeps the published prefix.
_PUBLISHED = {"backups": "yaml_backups", "mcp_tools": "mcp", "common": "models"}
_MODULE_PARTS = {"models", "views"}  # where in a section a model lives says nothing of which section it is
_BOILERPLATE = {"cloudops", "services", "api_shim", "routes", *_MODULE_PARTS}  # in every module path


def section_name(qualified: str) -> str:
    """`cloudops__services__cost__views__Trend` → `cost.Trend`."""
    parts = [p for p in qualified.split("__") if p not in _MODULE_PARTS]
    return f"{_PUBLISHED.get(parts[-2], parts[-2])}.{parts[-1]}" if len(parts) > 1 else parts[-1]


def title_of(name: str) -> str:
    """A component's title: its name as one identifier (`network_params.Deleted` → `NetworkParamsDeleted`)."""
    words = name.replace("__", ".").replace(".", "_").split("_")
    return "".join(w[:1].upper() + w[1:] for w in words if w)


class Schemas:
    """Every model's JSON Schema, generated together: two models of one name (say the `UpdateBody` of two
    sections) become two components instead of one overwriting the other."""

    def __init__(self, endpoints: list[Endpoint]) -> None:
        models = list(dict.fromkeys(m for ep in endpoints for m in (ep.query, ep.body, ep.data) if m is not None))
        keys, top = models_json_schema([(m, "validation") for m in models], ref_template=REF)
        defs: dict[str, JsonObject] = top.get("$defs", {})
        # pydantic qualifies a clashing name with its module (cloudops__services__clusters__models__UpdateBody);
        # the section and the class (clusters.UpdateBody) are enough when still unique.
        short = {name: section_name(name) for name in defs if "__" in name}
        rename = {old: new for old, new in short.items() if new not in defs and list(short.values()).count(new) == 1}
        self.defs = _titled({rename.get(name, name): (name, _renamed(schema, rename)) for name, schema in defs.items()})
        self.refs: dict[type[BaseModel], str] = {
            m: _renamed_ref(keys[(m, "validation")]["$ref"], rename) for m in models}

    def ref(self, model: type[BaseModel]) -> JsonObject:
        return {"$ref": self.refs[model]}

    def name(self, model: type[BaseModel]) -> str:
        return self.refs[model].removeprefix(REF_PREFIX)

    def of(self, model: type[BaseModel]) -> JsonObject:
        return dict(self.defs[self.name(model)])


def _titled(named: dict[str, tuple[str, JsonObject]]) -> dict[str, JsonObject]:
    """Each schema (by component name: pydantic's name and schema) titled with the first of its candidate titles
    that no other component holds: its component name as an identifier, else its whole module path."""
    taken = {title_of(name) for name in named if "." not in name and "__" not in name}
    out: dict[str, JsonObject] = {}
    for name, (qualified, schema) in named.items():
        if "." not in name and "__" not in name:
            out[name] = {**schema, "title": title_of(name)}
            continue
        path = ".".join(p for p in qualified.split("__") if p not in _BOILERPLATE)
        title = next((t for t in (title_of(name), title_of(path)) if t not in taken), None)
        if title is None:  # two names one identifier apart (`a_b.C`, `a.b_C`): rename a model
            raise ValueError(f"OpenAPI component {name}: no unique title")
        taken.add(title)
        out[name] = {**schema, "title": title}
    return out


def _renamed_ref(ref: str, rename: dict[str, str]) -> str:
    if not ref.startswith(REF_PREFIX):
        return ref
    name = ref.removeprefix(REF_PREFIX)
    return REF.format(model=rename.get(name, name))


def _renamed(schema: JsonObject, rename: dict[str, str]) -> JsonObject:
    """`schema` with every `$ref` to a renamed component pointing at its new name."""
    if not rename:
        return schema
    out = {k: _renamed_value(v, rename) for k, v in schema.items()}
    ref = out.get("$ref")
    if isinstance(ref, str):
        out["$ref"] = _renamed_ref(ref, rename)
    return out


def _renamed_value(value: JsonValue, rename: dict[str, str]) -> JsonValue:
    if isinstance(value, dict):
        return _renamed(value, rename)
    if isinstance(value, list):
        return [_renamed_value(v, rename) for v in value]
    return value


def reachable(roots: object, components: dict[str, JsonObject]) -> set[str]:
    """Names of the components `roots` (any part of the document) refer to, directly or through others."""
    seen: set[str] = set()
    todo = [roots]
    while todo:
        value = todo.pop()
        if isinstance(value, dict):
            ref = value.get("$ref")
            if isinstance(ref, str) and ref.startswith(REF_PREFIX):
                name = ref.removeprefix(REF_PREFIX)
                if name not in seen and name in components:
                    seen.add(name)
                    todo.append(components[name])
            todo.extend(value.values())
        elif isinstance(value, list):
            todo.extend(value)
    return seen
