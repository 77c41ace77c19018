"""The tools an assistant needs on any managed cluster: list and get objects, pod logs, events; and the
destructive scale and delete (off unless the server enables them). Thin over MemberSession: Secrets come
back redacted, every failure is the member's own MemberError."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from cloudops.containers import execstream
from cloudops.containers.execstream import ExecFailure, ExecTarget
from cloudops.labels import field_selector_error
from cloudops.mcp_tools.registry import BadParameter, ToolContext, ToolFailed
from cloudops.members.objects import ObjectId, item_view
from cloudops.members.session import MemberSession

__all__ = [
    "DeleteParams",
    "EventsParams",
    "ExecParams",
    "GetParams",
    "ListParams",
    "LogsParams",
    "ScaleParams",
    "delete_resource",
    "exec_in_pod",
    "get_resource",
    "list_events",
    "list_resources",
    "pod_logs",
    "scale_resource",
]

Json = dict[str, Any]
TYPE_FIELD = Field(pattern=r"^[A-Za-z0-9]+(\.[A-Za-z0-9-]+)*$", max_length=253,
                   description="plural, singular, kind or short name, as kubectl takes it (pods, deploy, svc)")
NAME_FIELD = Field(pattern=r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", max_length=253, description="object name")
NS_PATTERN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
EXEC_OUTPUT_CAP = 256 * 1024


class ListParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    resource_type: str = TYPE_FIELD
    namespace: str | None = Field(None, pattern=NS_PATTERN, max_length=63, description="default: all namespaces")
    label_selector: str | None = Field(None, max_length=1024)
    field_selector: str | None = Field(None, max_length=1024)
    limit: int = Field(100, ge=1, le=500)


class GetParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    resource_type: str = TYPE_FIELD
    name: str = NAME_FIELD
    namespace: str | None = Field(None, pattern=NS_PATTERN, max_length=63,
                                  description="required for namespaced types")


class LogsParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = NAME_FIELD
    namespace: str = Field(pattern=NS_PATTERN, max_length=63)
    container: str | None = Field(None, pattern=NS_PATTERN, max_length=63)
    tail_lines: int = Field(100, ge=1, le=5000)
    previous: bool = False


class EventsParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    namespace: str | None = Field(None, pattern=NS_PATTERN, max_length=63, description="default: all namespaces")
    type: Literal["Warning", "Normal"] | None = None
    object_name: str | None = Field(None, pattern=r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", max_length=253,
                                    description="only events about objects of this name")
    limit: int = Field(50, ge=1, le=500)


class ScaleParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    resource_type: Literal["deployments", "statefulsets", "replicasets"]
    name: str = NAME_FIELD
    namespace: str = Field(pattern=NS_PATTERN, max_length=63)
    replicas: int = Field(ge=0, le=1000)


class DeleteParams(GetParams):
    pass


class ExecParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = NAME_FIELD
    namespace: str = Field(pattern=NS_PATTERN, max_length=63)
    container: str | None = Field(None, pattern=NS_PATTERN, max_length=63, description="default: the first")
    command: list[str] = Field(min_length=1, max_length=64, description="argv, run without a shell")
    timeout_seconds: int = Field(30, ge=1, le=300)


async def _type(session: MemberSession, name: str, namespace: str | None, needs_ns: bool) -> Any:
    rt = await session.resolve(name)
    if needs_ns and rt.namespaced and not namespace:
        raise BadParameter(f"namespace: required, {rt.plural} are namespaced")
    return rt


async def list_resources(ctx: ToolContext, p: ListParams) -> Json:
    if p.field_selector and (err := field_selector_error(p.field_selector)):
        raise BadParameter(f"field_selector: {err}")
    rt = await _type(ctx.session, p.resource_type, p.namespace, False)
    page = await ctx.session.list_page(rt, p.namespace if rt.namespaced else None, label_selector=p.label_selector,
                                       field_selector=p.field_selector, limit=p.limit)
    return {"cluster_id": ctx.cluster.id, "cluster_name": ctx.cluster.name, "type": rt.type_name,
            "items": [item_view(ctx.cluster.id, ctx.cluster.name, rt.type_name, o) for o in page.items],
            "more": page.continue_token is not None}


async def get_resource(ctx: ToolContext, p: GetParams) -> Json:
    rt = await _type(ctx.session, p.resource_type, p.namespace, True)
    ns = p.namespace if rt.namespaced else None
    obj = await ctx.session.get(rt, ns, p.name)
    return {"id": str(ObjectId(ctx.cluster.ref, rt.type_name, ns or "", p.name)), "object": obj}


async def pod_logs(ctx: ToolContext, p: LogsParams) -> Json:
    query = [("tailLines", str(p.tail_lines))]
    if p.container:
        query.append(("container", p.container))
    if p.previous:
        query.append(("previous", "true"))
    resp = await ctx.session.call("GET", f"/api/v1/namespaces/{p.namespace}/pods/{p.name}/log", query=query,
                                  accept="*/*", what=f"logs of pod {p.namespace}/{p.name}")
    return {"cluster_id": ctx.cluster.id, "pod": p.name, "namespace": p.namespace, "container": p.container,
            "lines": resp.text.splitlines()}


async def list_events(ctx: ToolContext, p: EventsParams) -> Json:
    rt = await ctx.session.resolve("events")
    selectors = [s for s in (f"type={p.type}" if p.type else "",
                             f"involvedObject.name={p.object_name}" if p.object_name else "") if s]
    items, _ = await ctx.session.list_all(rt, p.namespace, field_selector=",".join(selectors) or None,
                                          max_items=5000)

    def when(e: Json) -> str:
        return str(e.get("lastTimestamp") or e.get("eventTime") or (e.get("metadata") or {}).get("creationTimestamp")
                   or "")
    items.sort(key=when, reverse=True)
    events = [{"type": e.get("type"), "reason": e.get("reason"), "message": e.get("message"),
               "object": f"{str((e.get('involvedObject') or {}).get('kind', '')).lower()}/"
                         f"{(e.get('involvedObject') or {}).get('name', '')}",
               "namespace": (e.get("metadata") or {}).get("namespace", ""), "count": e.get("count") or 1,
               "last_seen": when(e) or None} for e in items[:p.limit]]
    return {"cluster_id": ctx.cluster.id, "cluster_name": ctx.cluster.name, "total": len(items), "events": events}


async def scale_resource(ctx: ToolContext, p: ScaleParams) -> Json:
    rt = await ctx.session.resolve(p.resource_type)
    before = await ctx.session.json("GET", rt.object_path(p.namespace, p.name, "scale"),
                                    what=f"scale of {p.resource_type} {p.namespace}/{p.name}")
    after = await ctx.session.patch(rt, p.namespace, p.name, {"spec": {"replicas": p.replicas}},
                                    subresource="scale")
    return {"id": str(ObjectId(ctx.cluster.ref, rt.type_name, p.namespace, p.name)),
            "replicas_before": (before.get("spec") or {}).get("replicas"),
            "replicas": (after.get("spec") or {}).get("replicas")}


async def exec_in_pod(ctx: ToolContext, p: ExecParams) -> Json:
    """One command in a container over the API server's exec stream (cloudops.containers.execstream)."""
    container = p.container
    if container is None:
        pods = await ctx.session.resolve("pods")
        spec = (await ctx.session.get(pods, p.namespace, p.name)).get("spec") or {}
        container = str(((spec.get("containers") or [{}])[0]).get("name") or "")
    target = ExecTarget(ctx.session.api, ctx.session.cluster, ctx.session.server, p.namespace, p.name, container)
    try:
        result = await execstream.run(target, p.command, seconds=float(p.timeout_seconds), cap=EXEC_OUTPUT_CAP)
    except ExecFailure as e:
        raise ToolFailed(e.message) from None
    return {"pod": p.name, "namespace": p.namespace, "container": container,
            "stdout": result.stdout.decode("utf-8", "replace"), "stderr": result.stderr.decode("utf-8", "replace"),
            "exit_code": result.exit_code, "timed_out": result.timed_out, "truncated": result.truncated,
            "duration": round(result.seconds, 3)}


async def delete_resource(ctx: ToolContext, p: DeleteParams) -> Json:
    rt = await _type(ctx.session, p.resource_type, p.namespace, True)
    ns = p.namespace if rt.namespaced else None
    await ctx.session.delete(rt, ns, p.name)
    return {"id": str(ObjectId(ctx.cluster.ref, rt.type_name, ns or "", p.name)), "deleted": True}
