"""The one tool registry behind the MCP REST routes and the MCP server: what each tool is and who may run it.

A tool is a thin entry over domain code: a name, a description, a version, a pydantic model of its
parameters (its JSON Schema is generated from it), whether it only reads, and the (verb, capability)
pairs the caller must hold on the cluster (SubjectAccessReview, as for REST). Nothing here knows HTTP.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from kubernetes_asyncio.client import ApiClient
from pydantic import BaseModel

from cloudops.members.access import ClusterRef
from cloudops.members.session import MemberSession

__all__ = ["BadParameter", "Tool", "ToolContext", "ToolFailed", "destructive_enabled", "parameter_list"]

Json = dict[str, Any]


class ToolFailed(Exception):
    """A tool could not produce its answer; the text is its reason (safe to show)."""


class BadParameter(ToolFailed):
    """A parameter the schema allows but the cluster does not (`namespace: required, pods are namespaced`)."""


@dataclass(frozen=True)
class ToolContext:
    """What a tool may use: the member (one session) and the hub (recorded history, compliance, cost)."""

    cluster: ClusterRef
    session: MemberSession
    hub: ApiClient
    namespace: str  # the hub namespace holding CloudOps objects


Runner = Callable[[ToolContext, Any], Awaitable[Json]]


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    params: type[BaseModel]
    run: Runner
    grants: tuple[tuple[str, str], ...] = (("get", "mcp"),)  # (verb, capability) the caller must hold
    read_only: bool = True
    version: str = "1.0.0"

    def schema(self) -> Json:
        return self.params.model_json_schema()


def destructive_enabled(tool: Tool, setting: str) -> bool:
    """Read tools always; destructive ones only when named in the setting (comma-separated, or `all`)."""
    if tool.read_only:
        return True
    names = {n.strip() for n in setting.split(",") if n.strip()}
    return "all" in names or tool.name in names


def _type_of(prop: Json, defs: Json) -> tuple[str, list[Any] | None]:
    if "$ref" in prop:
        prop = defs.get(prop["$ref"].rsplit("/", 1)[-1], {})
    if "anyOf" in prop:
        kinds = [p for p in prop["anyOf"] if p.get("type") != "null"]
        prop = kinds[0] if len(kinds) == 1 else {"type": "/".join(str(p.get("type", "any")) for p in kinds)}
    if "enum" in prop:
        return str(prop.get("type", "string")), list(prop["enum"])
    if prop.get("type") == "array":
        item_type, options = _type_of(prop.get("items") or {}, defs)
        return f"array<{item_type}>", options
    return str(prop.get("type", "any")), None


def parameter_list(tool: Tool) -> list[Json]:
    """The reference's flat parameter list (name, type, required, options) from the tool's JSON Schema."""
    schema = tool.schema()
    required = set(schema.get("required") or [])
    defs = schema.get("$defs") or {}
    out = []
    for name, prop in (schema.get("properties") or {}).items():
        kind, options = _type_of(prop, defs)
        out.append({"name": name, "type": kind, "required": name in required, "options": options,
                    "description": prop.get("description"), "default": prop.get("default")})
    return out
