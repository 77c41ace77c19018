"""The one tool registry behind the MCP REST routes and the MCP server: what each tool is and who may run it.

A tool is a thin entry over domain code: a name, a description, a version, a pydantic model of its
parameters (its JSON Schema is generated from it), whether it only reads, and the (verb, capability)
pairs the caller must hold on the cluster (SubjectAccessReview, as for REST). Nothing here knows HTTP.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from typing_extensions import TypedDict

from cloudops.errors import BusinessCode, Unprocessable
from cloudops.kube.client import ApiClient
from cloudops.kube.narrow import dig, items, mapping
from cloudops.kube.types import JsonObject
from cloudops.members.access import ClusterRef
from cloudops.members.session import MemberSession
from cloudops.services.base import Deps

__all__ = ["BadParameter", "ParameterInfo", "Tool", "ToolContext", "ToolFailed", "destructive_enabled",
           "parameter_list"]


class ToolFailed(Unprocessable):
    """A tool could not produce its answer; the text is its reason (safe to show)."""

    code: int | None = BusinessCode.TOOL_FAILED


class BadParameter(ToolFailed):
    """A parameter the schema allows but the cluster does not (`namespace: required, pods are namespaced`)."""

    status, code = 400, None


@dataclass(frozen=True)
class ToolContext:
    """What a tool may use: the caller's Deps (the hub: recorded history, compliance, cost), the cluster and one
    session with it."""

    deps: Deps
    cluster: ClusterRef
    session: MemberSession

    @property
    def hub(self) -> ApiClient:
        return self.deps.hub

    @property
    def namespace(self) -> str:
        """The hub namespace holding CloudOps objects."""
        return self.deps.namespace


Runner = Callable[[ToolContext, Any], Awaitable[BaseModel]]  # (context, the tool's params) -> its result model


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    params: type[BaseModel]
    run: Runner
    grants: tuple[tuple[str, str], ...] = (("get", "mcp"),)  # (verb, capability) the caller must hold
    read_only: bool = True
    version: str = "1.0.0"

    def schema(self) -> JsonObject:
        return self.params.model_json_schema()


def destructive_enabled(tool: Tool, setting: str) -> bool:
    """Read tools always; destructive ones only when named in the setting (comma-separated, or `all`)."""
    if tool.read_only:
        return True
    names = {n.strip() for n in setting.split(",") if n.strip()}
    return "all" in names or tool.name in names


class ParameterInfo(TypedDict):
    """One parameter of a tool, as the reference lists them."""

    name: str
    type: str
    required: bool
    options: list[object] | None
    description: str | None
    default: object


def _type_of(prop: Mapping[str, object], defs: Mapping[str, object]) -> tuple[str, list[object] | None]:
    ref = prop.get("$ref")
    if isinstance(ref, str):
        prop = mapping(defs.get(ref.rsplit("/", 1)[-1]))
    if "anyOf" in prop:
        kinds = [p for p in items(prop["anyOf"]) if isinstance(p, Mapping) and p.get("type") != "null"]
        prop = kinds[0] if len(kinds) == 1 else {"type": "/".join(str(p.get("type", "any")) for p in kinds)}
    if "enum" in prop:
        return str(prop.get("type", "string")), items(prop["enum"])
    if prop.get("type") == "array":
        item_type, options = _type_of(dig(prop, "items"), defs)
        return f"array<{item_type}>", options
    return str(prop.get("type", "any")), None


def parameter_list(tool: Tool) -> list[ParameterInfo]:
    """The reference's flat parameter list (name, type, required, options) from the tool's JSON Schema."""
    schema = tool.schema()
    required = set(items(schema.get("required")))
    defs = dig(schema, "$defs")
    out = []
    for name, value in dig(schema, "properties").items():
        prop = mapping(value)
        kind, options = _type_of(prop, defs)
        description = prop.get("description")
        out.append(ParameterInfo(name=name, type=kind, required=name in required, options=options,
                                 description=description if isinstance(description, str) else None,
                                 default=prop.get("default")))
    return out
