"""The tools an assistant needs on any managed cluster: list and get objects, pod logs, events; and the
destructive scale and delete (off unless the server enables them). Thin over MemberSession: Secrets come
back redacted, every failure is the member's own MemberError."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from cloudops.kube.narrow import dig, mappings, text
from cloudops.labels.selectors import field_selector_error
from cloudops.mcp_tools.findings import event_time
from cloudops.mcp_tools.models import (
    DeleteResult,
    EventsResult,
    EventView,
    ExecOutput,
    GetResult,
    ListResult,
    LogsResult,
    ScaleResult,
)
from cloudops.mcp_tools.registry import BadParameter, ToolContext, ToolFailed
from cloudops.members.discovery import ResourceType
from cloudops.members.exec import ExecFailure
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


async def _type(session: MemberSession, name: str, namespace: str | None, needs_ns: bool) -> ResourceType:
    rt = await session.resolve(name)
    if needs_ns and rt.namespaced and not namespace:
        raise BadParameter(f"namespace: required, {rt.plural} are namespaced")
    return rt


async def list_resources(ctx: ToolContext, p: ListParams) -> ListResult:
    if p.field_selector and (err := field_selector_error(p.field_selector)):
        raise BadParameter(f"field_selector: {err}")
    rt = await _type(ctx.session, p.resource_type, p.namespace, False)
    page = await ctx.session.list_page(rt, p.namespace if rt.namespaced else None, label_selector=p.label_selector,
                                       field_selector=p.field_selector, limit=p.limit)
    return ListResult(cluster_id=ctx.cluster.id, cluster_name=ctx.cluster.name, type=rt.type_name,
                      items=[item_view(ctx.cluster.id, ctx.cluster.name, rt.type_name, o) for o in page.items],
                      more=page.continue_token is not None)


async def get_resource(ctx: ToolContext, p: GetParams) -> GetResult:
    rt = await _type(ctx.session, p.resource_type, p.namespace, True)
    ns = p.namespace if rt.namespaced else None
    obj = await ctx.session.get(rt, ns, p.name)
    return GetResult(id=str(ObjectId(ctx.cluster.ref, rt.type_name, ns or "", p.name)), object=obj)


async def pod_logs(ctx: ToolContext, p: LogsParams) -> LogsResult:
    query = [("tailLines", str(p.tail_lines))]
    if p.container:
        query.append(("container", p.container))
    if p.previous:
        query.append(("previous", "true"))
    resp = await ctx.session.call("GET", f"/api/v1/namespaces/{p.namespace}/pods/{p.name}/log", query=query,
                                  accept="*/*", what=f"logs of pod {p.namespace}/{p.name}")
    return LogsResult(cluster_id=ctx.cluster.id, pod=p.name, namespace=p.namespace, container=p.container,
                      lines=resp.text.splitlines())


def _optional(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _event(e: Mapping[str, object]) -> EventView:
    involved, count = dig(e, "involvedObject"), e.get("count")
    return EventView(type=_optional(e.get("type")), reason=_optional(e.get("reason")),
                     message=_optional(e.get("message")),
                     object=f"{text(involved.get('kind')).lower()}/{text(involved.get('name'))}",
                     namespace=text(dig(e, "metadata").get("namespace")),
                     count=count if isinstance(count, int) and count else 1, last_seen=event_time(e) or None)


async def list_events(ctx: ToolContext, p: EventsParams) -> EventsResult:
    rt = await ctx.session.resolve("events")
    selectors = [s for s in (f"type={p.type}" if p.type else "",
                             f"involvedObject.name={p.object_name}" if p.object_name else "") if s]
    found, _ = await ctx.session.list_all(rt, p.namespace, field_selector=",".join(selectors) or None,
                                          max_items=5000)
    found.sort(key=event_time, reverse=True)
    return EventsResult(cluster_id=ctx.cluster.id, cluster_name=ctx.cluster.name, total=len(found),
                        events=[_event(e) for e in found[:p.limit]])


async def scale_resource(ctx: ToolContext, p: ScaleParams) -> ScaleResult:
    rt = await ctx.session.resolve(p.resource_type)
    before = await ctx.session.json("GET", rt.object_path(p.namespace, p.name, "scale"),
                                    what=f"scale of {p.resource_type} {p.namespace}/{p.name}")
    after = await ctx.session.patch(rt, p.namespace, p.name, {"spec": {"replicas": p.replicas}},
                                    subresource="scale")
    return ScaleResult(id=str(ObjectId(ctx.cluster.ref, rt.type_name, p.namespace, p.name)),
                       replicas_before=(before.get("spec") or {}).get("replicas"),
                       replicas=(after.get("spec") or {}).get("replicas"))


async def exec_in_pod(ctx: ToolContext, p: ExecParams) -> ExecOutput:
    """One command in a container over the API server's exec stream (MemberSession.exec)."""
    container = p.container
    if container is None:
        pods = await ctx.session.resolve("pods")
        containers = mappings(dig(await ctx.session.get(pods, p.namespace, p.name), "spec").get("containers"))
        container = text(containers[0].get("name")) if containers else ""
    try:
        result = await ctx.session.exec(p.namespace, p.name, container, p.command, seconds=float(p.timeout_seconds),
                                        cap=EXEC_OUTPUT_CAP)
    except ExecFailure as e:
        raise ToolFailed(e.message) from None
    return ExecOutput(pod=p.name, namespace=p.namespace, container=container,
                      stdout=result.stdout.decode("utf-8", "replace"), stderr=result.stderr.decode("utf-8", "replace"),
                      exit_code=result.exit_code, timed_out=result.timed_out, truncated=result.truncated,
                      duration=round(result.seconds, 3))


async def delete_resource(ctx: ToolContext, p: DeleteParams) -> DeleteResult:
    rt = await _type(ctx.session, p.resource_type, p.namespace, True)
    ns = p.namespace if rt.namespaced else None
    await ctx.session.delete(rt, ns, p.name)
    return DeleteResult(id=str(ObjectId(ctx.cluster.ref, rt.type_name, ns or "", p.name)), deleted=True)
