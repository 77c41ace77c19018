"""容器运维 1.1–1.5: a container's log read, followed (Server-Sent Events), searched and exported, and the
export history. `{id}` is `<cluster id>:<namespace>:<pod>[:<container>]`; capability `logs` (get/list).
The work is cloudops/services/containers/logs.py's; the event stream and the download are written by
api_shim/streams/."""

from __future__ import annotations

from aiohttp import web

from api_shim.endpoints import Call, Section
from api_shim.envelope import ok
from api_shim.streams.sse import send_log_stream
from api_shim.streams.transfers import send_export
from cloudops.services.containers import ContainerLogs
from cloudops.services.containers.models import (
    ExportBody,
    ExportHistory,
    HistoryQuery,
    LogsData,
    LogsQuery,
    SearchData,
    SearchQuery,
    StreamQuery,
)

__all__ = ["section"]

section = Section(tag="containers", resource="managedclusters")
BASE = "/api/k8s/containers/{id}"


@section.route("GET", f"{BASE}/logs", "获取容器日志", verb="get", subresource="logs", query=LogsQuery,
               data=LogsData, cluster="container")
async def get_logs(call: Call) -> web.Response:
    return ok(await call.service(ContainerLogs).logs(call.cluster, call.container_id, call.query))


@section.route("GET", f"{BASE}/logs/stream", "实时日志流", verb="get", subresource="logs", query=StreamQuery,
               data=LogsData, cluster="container", media=("text/event-stream",))
async def stream_logs(call: Call) -> web.StreamResponse:
    """Server-Sent Events: `event: log` with id `<timestamp>#<n>` per line, `: keep-alive` comments, and
    `event: end` when the log ends (follow=false) or the stream reaches CLOUDOPS_LOG_STREAM_MAX_SECONDS."""
    follow = await call.service(ContainerLogs).follow(call.cluster, call.container_id, call.query,
                                                      call.request.headers.get("Last-Event-ID", ""))
    return await send_log_stream(call.request, follow)


@section.route("GET", f"{BASE}/logs/search", "搜索容器日志", verb="list", subresource="logs", query=SearchQuery,
               data=SearchData, cluster="container")
async def search_logs(call: Call) -> web.Response:
    return ok(await call.service(ContainerLogs).search(call.cluster, call.container_id, call.query))


@section.route("POST", f"{BASE}/logs/export", "导出容器日志", verb="get", subresource="logs", body=ExportBody,
               data=LogsData, cluster="container", media=("application/octet-stream", "text/csv", "text/plain"))
async def export_logs(call: Call) -> web.StreamResponse:
    async with call.service(ContainerLogs).export(call.cluster, call.container_id, call.body) as export:
        return await send_export(call.request, export)


@section.route("GET", f"{BASE}/logs/history", "获取日志历史记录", verb="list", subresource="logs",
               query=HistoryQuery, data=ExportHistory, cluster="container")
async def export_history(call: Call) -> web.Response:
    return ok(await call.service(ContainerLogs).export_history(call.cluster, call.container_id, call.query))
