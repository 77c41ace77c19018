"""容器运维 API: logs (1.1–1.5), exec and web terminals (2.1–2.4), files (3.1–3.5) of containers in members.

`{id}` is `<cluster id>:<namespace>:<pod>[:<container>]`. Logs stream from the member's pods/log (filters run
here, one line at a time); commands, terminals and files go through pods/exec on the member's own session
(cloudops/containers). Capabilities: logs (get/list), exec (create), files (get to read, update to write).
Exports and commands are recorded in ActivityRecord streams `log-export` and `exec`; terminal tickets are
Secrets in the hub (cloudops/containers/tickets.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import shlex
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import quote

import aiohttp
from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from api_shim.endpoints import Call, Section
from api_shim.envelope import ApiError, BusinessCode, ok
from api_shim.resolver import Resolver
from api_shim.security.audit import AuditRecord
from api_shim.security.identity import User
from api_shim.security.middleware import USER, client_ip
from api_shim.state import ACCESS, AUDIT, HUB, PROXIES, REGISTRY, SETTINGS
from cloudops import activity
from cloudops.conditions import now_iso
from cloudops.containers import tickets
from cloudops.containers.execstream import STDERR, STDOUT, ExecFailure, ExecResult, ExecTarget, open_exec, run
from cloudops.containers.exports import EXTENSIONS, MEDIA, ExportWriter, human_size, safe_filename
from cloudops.containers.files import FileOpError, Files, workdir_argv
from cloudops.containers.filters import EventIds, LogFilter, Resume, Tail, compile_search, parse_levels
from cloudops.containers.ids import ContainerId, pick_container
from cloudops.containers.logparse import LogLine, format_ns, parse_line, parse_time_ns
from cloudops.containers.logsource import READ_CHUNK, LogRequest, lines, open_log
from cloudops.containers.paths import PathError, normalize
from cloudops.containers.search import ChunkSearch
from cloudops.containers.terminal import OutputDecoder, encode, parse_client_frame
from cloudops.kube.errors import NotFound
from cloudops.members.access import ClusterRef
from cloudops.members.errors import MemberError
from cloudops.members.session import MemberSession
from cloudops.paging import page
from cloudops.redact import redact
from cloudops.settings import Settings

__all__ = ["section"]

section = Section(tag="containers", resource="managedclusters")

Json = dict[str, Any]
T = TypeVar("T")
BASE = "/api/k8s/containers/{id}"
EXEC_STREAM, EXPORT_STREAM = "exec", "log-export"
TICKET_SECONDS = 60.0
CONTAINER = r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"
RFC3339 = r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:?\d{2})$"
SHA256 = r"^[0-9a-fA-F]{64}$"
LEVEL_LIST = r"^ *[A-Za-z]+ *(, *[A-Za-z]+ *)*$"
PathField = Field(max_length=4096, description="an absolute path in the container (no `..`, no NUL)")
ContainerParam = Field(None, pattern=CONTAINER, description="container name (overrides the id's 4th part)")
TimeParam = Field(None, pattern=RFC3339, description="RFC3339 time")
Arg = Annotated[str, Field(max_length=65_536, pattern=r"^[^\x00]*$", description="one argv element (no NUL)")]


# -- declarations ----------------------------------------------------------------------------------------------


class Where(BaseModel):
    container_name: str
    pod_name: str
    namespace: str


class LogEntry(BaseModel):
    timestamp: str | None = Field(description="RFC3339 with nanoseconds, as the kubelet stamped the line")
    level: str = Field(description="debug, info, warn, error or unknown")
    message: str
    container_name: str
    pod_name: str
    namespace: str


class LogsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tail: int = Field(100, ge=0, le=10_000, description="the last N matching lines")
    since: str | None = TimeParam
    until: str | None = TimeParam
    level: str | None = Field(None, max_length=100, pattern=LEVEL_LIST,
                              description="debug, info, warn, error, unknown (comma-separated for several)")
    search: str | None = Field(None, max_length=1024, description="case-insensitive substring (or regex)")
    regex: bool = Field(False, description="`search` is a regular expression")
    previous: bool = Field(False, description="the previous instance's log")
    container: str | None = ContainerParam


class LogsData(Where):
    logs: list[LogEntry]
    total: int = Field(description="lines that matched; without any filter only the last tail+1 lines are read "
                                   "(like kubectl --tail), so it is then at most tail+1")
    has_more: bool


class StreamQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    follow: bool = Field(True, description="keep streaming new lines")
    level: str | None = Field(None, max_length=100, pattern=LEVEL_LIST)
    search: str | None = Field(None, max_length=1024)
    regex: bool = False
    tail: int = Field(100, ge=0, le=10_000, description="lines of history first (ignored when resuming)")
    container: str | None = ContainerParam


class SearchQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    query: str = Field(min_length=1, max_length=1024, description="case-insensitive substring (or regex)")
    regex: bool = False
    start_time: str | None = TimeParam
    end_time: str | None = TimeParam
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=10_000_000)
    previous: bool = False
    container: str | None = ContainerParam


class SearchMatch(BaseModel):
    line_number: int = Field(description="1-based, in the log as the member returned it")
    timestamp: str | None
    level: str
    message: str


class SearchData(Where):
    query: str
    matches: list[SearchMatch]
    total: int
    limit: int
    offset: int


class ExportFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")
    level: list[str] | None = Field(None, max_length=5, description="levels, any case (INFO, ERROR, ...)")
    search: str | None = Field(None, max_length=1024)
    regex: bool = False


class ExportBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    format: Literal["json", "csv", "txt"] = "json"
    start_time: str | None = TimeParam
    end_time: str | None = TimeParam
    filters: ExportFilters | None = None
    previous: bool = False
    container: str | None = ContainerParam


class ExportRecord(BaseModel):
    id: str
    export_time: str
    format: str
    file_size: str
    file_size_bytes: int
    line_count: int
    exported_by: str
    container_name: str


class HistoryQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    limit: int = Field(50, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=1_000_000)


class ExportHistory(BaseModel):
    history: list[ExportRecord]
    total: int
    limit: int
    offset: int


class ExecBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    command: list[Arg] = Field(min_length=1, max_length=1024, description="argv; never run by a shell")
    timeout: int = Field(30, ge=1, le=86_400, description="seconds (at most CLOUDOPS_EXEC_TIMEOUT_MAX)")
    working_dir: str | None = Field(None, max_length=4096, description="absolute directory to run in (needs sh)")


class ExecData(Where):
    session_id: str
    stdout: str
    stderr: str
    exit_code: int | None
    execution_time: float
    truncated: bool


class TerminalBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tty: bool = True
    stdin: bool = True
    working_dir: str | None = Field(None, max_length=4096)
    command: list[Arg] | None = Field(None, min_length=1, max_length=64,
                                                description='argv of the shell; default ["sh"]')


class TerminalData(Where):
    session_id: str
    websocket_url: str
    expires_in: int = Field(description="seconds the session id stays redeemable")


class WsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    session: str = Field(pattern=tickets.SESSION_PATTERN, description="the session id from 2.2")
    tty: bool | None = None


class ExecHistoryQuery(HistoryQuery):
    user_id: str | None = Field(None, min_length=1, max_length=253)


class ExecRecord(BaseModel):
    id: str
    type: str = Field(description="exec or terminal")
    command: str
    executed_at: str
    executed_by: str
    exit_code: int | None
    execution_time: float
    session_id: str
    container_name: str
    timed_out: bool


class ExecHistory(BaseModel):
    history: list[ExecRecord]
    total: int
    limit: int
    offset: int


class FilesQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    path: str = Field("/", max_length=4096)
    recursive: bool = False


class FileItem(BaseModel):
    name: str
    path: str
    size: int
    type: str = Field(description="file, directory, symlink or other")
    permissions: str = Field(description="octal, e.g. 644")
    modified_time: str


class FilesData(Where):
    path: str
    files: list[FileItem]
    truncated: bool


class DownloadQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    path: str = Field(min_length=1, max_length=4096)


class UploadForm(BaseModel):
    """multipart/form-data fields."""

    model_config = ConfigDict(extra="forbid")
    file: bytes = Field(description="the file", json_schema_extra={"format": "binary"})
    path: str = Field(min_length=1, max_length=4096,
                      description="the target file; ending in / means that directory with the file's own name")
    overwrite: bool = False


class WriteData(Where):
    path: str
    size: int
    sha256: str | None = Field(description="of what was written, when the container could verify it")
    verified: str = Field(description="sha256, or size where the container has no sha256sum")
    backup_path: str | None


class EditBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    path: str = Field(min_length=1, max_length=4096)
    content: str = Field(max_length=4 * 1024 * 1024)
    backup: bool = False
    expected_sha256: str | None = Field(None, pattern=SHA256, description="409 when the file is no longer this")


class DeleteBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    path: str = Field(min_length=1, max_length=4096)
    recursive: bool = False


class DeleteData(Where):
    path: str
    type: str
    deleted: bool


# -- shared ----------------------------------------------------------------------------------------------------


@dataclass
class Scope:
    """The container a call works on, resolved once: member session, pod, container name, exec target."""

    session: MemberSession
    cid: ContainerId
    container: str
    target: ExecTarget

    def where(self) -> Json:
        return {"container_name": self.container, "pod_name": self.cid.pod, "namespace": self.cid.namespace}

    def subject(self) -> activity.Subject:
        return activity.Subject("Pod", self.cid.namespace, self.cid.pod)


def _cid(call: Call) -> ContainerId:
    try:
        return ContainerId.parse(call.path("id"))
    except ValueError as e:
        raise ApiError(400, f"id: {e}") from None


async def _scope(call: Call, container: str | None = None) -> Scope:
    cid = _cid(call)
    if container and cid.container and container != cid.container:
        raise ApiError(400, f"container: {container!r} differs from the id's container {cid.container!r}")
    session = await call.request.app[ACCESS].session(call.cluster)
    pod = await session.json("GET", f"/api/v1/namespaces/{cid.namespace}/pods/{cid.pod}",
                             what=f"pod {cid.namespace}/{cid.pod}")
    try:
        name = pick_container(pod, container or cid.container)
    except ValueError as e:
        if "has no container" in str(e):
            raise ApiError(404, f"id: {e}", BusinessCode.RESOURCE_NOT_FOUND) from None
        raise ApiError(400, f"id: {e}") from None
    return Scope(session, cid, name, ExecTarget(session.api, session.cluster, session.server, cid.namespace,
                                                 cid.pod, name))


def _settings(call: Call) -> Settings:
    return call.request.app[SETTINGS]


def _user(request: web.Request) -> str:
    user = request.get(USER)
    return user.name if user is not None else ""


def _parsed(value: str | None, field: str, parse: Callable[[str], T]) -> T | None:
    """`parse(value)` (None stays None); its ValueError becomes 400 naming `field`."""
    if value is None:
        return None
    try:
        return parse(value)
    except ValueError as e:
        raise ApiError(400, f"{field}: {e}") from None


def _time(value: str | None, field: str) -> int | None:
    return _parsed(value, field, parse_time_ns)


def _filter(since: int | None, until: int | None, levels: Sequence[str] | None, search: str | None,
            regex: bool, prefix: str = "") -> LogFilter:
    if since is not None and until is not None and since > until:
        raise ApiError(400, f"{prefix}until: earlier than since")
    try:
        parsed = parse_levels(levels or [])
    except ValueError as e:
        raise ApiError(400, f"{prefix}level: {e}") from None
    try:
        pattern = compile_search(search, regex)
    except ValueError as e:
        raise ApiError(400, f"{prefix}search: {e}") from None
    return LogFilter(since, until, parsed, search, pattern)


def _entry(line: LogLine, scope: Scope) -> Json:
    return {"timestamp": format_ns(line.ts) if line.ts is not None else None, "level": line.level,
            "message": line.message, **scope.where()}


def _since_time(since: int | None) -> str | None:
    """The API server takes whole seconds: ask from the second before, the shim cuts exactly."""
    return format_ns(since)[:19] + "Z" if since is not None else None


@asynccontextmanager
async def _log_lines(scope: Scope, req: LogRequest, settings: Settings) -> AsyncIterator[AsyncIterator[LogLine]]:
    """The member's log lines, parsed; the upstream response is closed on exit, however the caller leaves."""
    resp = await open_log(scope.session.api, scope.session.cluster, scope.session.server, req,
                          settings.member_timeout_seconds)

    async def parsed() -> AsyncIterator[LogLine]:
        async for raw in lines(resp):
            yield parse_line(raw.decode("utf-8", "replace"))

    try:
        yield parsed()
    finally:
        resp.close()


def _retention(settings: Settings, stream: str) -> activity.Retention:
    if stream == EXEC_STREAM:
        records, days = settings.exec_history_max_records, settings.exec_history_days
    else:
        records, days = settings.log_export_history_max_records, settings.log_export_history_days
    return activity.Retention(max_records=max(1, records), max_age=timedelta(days=days))


_RECORDING: set[asyncio.Task[Any]] = set()  # references only, so a shielded write is not garbage-collected


async def _record(request: web.Request, cluster: ClusterRef, stream: str, data: Json, actor: str,
                  subject: activity.Subject) -> None:
    """Appends a history entry; shielded, so a client that leaves (and the handler's cancellation) cannot
    lose it."""
    task = asyncio.ensure_future(activity.append(request.app[HUB], cluster.cr, stream, data, actor=actor,
                                                 subject=subject, retention=_retention(request.app[SETTINGS], stream)))
    _RECORDING.add(task)
    task.add_done_callback(_RECORDING.discard)
    await asyncio.shield(task)


async def _history(call: Call, stream: str, actor: str | None = None) -> list[activity.Entry]:
    """The pod's entries of `stream`, newest first; only the id's container when the id names one."""
    cid = _cid(call)
    found = await activity.entries(call.request.app[HUB], _settings(call).namespace, stream,
                                   cluster=call.cluster.name, actor=actor,
                                   subject=activity.Subject("Pod", cid.namespace, cid.pod))
    return [e for e in found if not cid.container or e.data.get("container") == cid.container]


# -- 1. logs ---------------------------------------------------------------------------------------------------


@section.route("GET", f"{BASE}/logs", "获取容器日志", verb="get", subresource="logs", query=LogsQuery,
               data=LogsData, cluster="container")
async def get_logs(call: Call) -> web.Response:
    q: LogsQuery = call.query
    since, until = _time(q.since, "since"), _time(q.until, "until")
    flt = _filter(since, until, [q.level] if q.level else None, q.search, q.regex)
    scope = await _scope(call, q.container)
    req = LogRequest(scope.cid.namespace, scope.cid.pod, scope.container, previous=q.previous,
                     since_time=_since_time(since),
                     tail_lines=None if flt.active else q.tail + 1)
    tail: Tail[LogLine] = Tail(q.tail)
    async with _log_lines(scope, req, _settings(call)) as stream:
        async for line in stream:
            if flt.past_window(line.ts):
                break
            if flt.matches(line):
                tail.offer(line)
    logs = [_entry(line, scope) for line in tail.items]
    return ok({"logs": logs, "total": tail.total, "has_more": tail.total > len(logs), **scope.where()})


async def _sse_write(resp: web.StreamResponse, text: str) -> None:
    await resp.write(text.encode("utf-8"))


def _client_gone(request: web.Request) -> bool:
    transport = request.transport
    return transport is None or transport.is_closing()


@section.route("GET", f"{BASE}/logs/stream", "实时日志流", verb="get", subresource="logs", query=StreamQuery,
               data=LogsData, cluster="container", media=("text/event-stream",))
async def stream_logs(call: Call) -> web.StreamResponse:
    """Server-Sent Events: `event: log` with id `<timestamp>#<n>` per line, `: keep-alive` comments, and
    `event: end` when the log ends (follow=false) or the stream reaches CLOUDOPS_LOG_STREAM_MAX_SECONDS."""
    q: StreamQuery = call.query
    request, settings = call.request, _settings(call)
    flt = _filter(None, None, [q.level] if q.level else None, q.search, q.regex)
    resume: Resume | None = None
    last_id = request.headers.get("Last-Event-ID", "").strip()
    if last_id:
        try:
            resume = Resume.parse(last_id)
        except ValueError as e:
            raise ApiError(400, f"Last-Event-ID: {e}") from None
    scope = await _scope(call, q.container)
    req = LogRequest(scope.cid.namespace, scope.cid.pod, scope.container, follow=q.follow,
                     since_time=_since_time(resume.ts) if resume else None,
                     tail_lines=None if resume or flt.active else q.tail)
    ids = EventIds(resume.ts, resume.seen) if resume else EventIds()
    resp = web.StreamResponse(headers={"Content-Type": "text/event-stream; charset=utf-8",
                                       "Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    await resp.prepare(request)
    await _sse_write(resp, f"retry: 2000\n: streaming {scope.cid.pod}/{scope.container}\n\n")
    queue: asyncio.Queue[LogLine | MemberError | None] = asyncio.Queue(maxsize=1000)

    async def read() -> None:
        # Opened here, after the response started: a member may send no headers before the first line (kwok
        # with tail 0), and heartbeats and the maximum duration must hold meanwhile.
        try:
            async with _log_lines(scope, req, settings) as stream:
                async for line in stream:
                    await queue.put(line)
        except MemberError as e:
            await queue.put(e)
            return
        await queue.put(None)

    reader = asyncio.create_task(read())
    deadline = time.monotonic() + settings.log_stream_max_seconds
    beat = time.monotonic() + settings.log_heartbeat_seconds
    # History shows its last `tail` matches: lines stamped before the request are history until the stream
    # goes quiet; then (or at the first newer line) they go out and live lines follow. A resumed stream
    # has no such history: everything after the resume point goes out.
    backlog: Tail[tuple[str, LogLine]] | None = None if resume else Tail(q.tail)
    started = time.time_ns()
    reason = "eof"

    async def flush() -> None:
        nonlocal backlog
        if backlog is not None:
            for event_id, old in backlog.items:
                await _sse_event(resp, event_id, old, scope)
            backlog = None

    try:
        while True:
            now = time.monotonic()
            if _client_gone(request):
                reason = "client"
                break
            if now >= deadline:
                reason = "max_duration"
                break
            if now >= beat:
                await _sse_write(resp, ": keep-alive\n\n")
                beat = now + settings.log_heartbeat_seconds
            try:
                line = await asyncio.wait_for(queue.get(), timeout=max(0.05, min(1.0, beat - now,
                                                                                  deadline - now)))
            except TimeoutError:
                await flush()  # quiet: the history is over
                continue
            if line is None:
                break
            if isinstance(line, MemberError):
                reason = "error"
                await _sse_write(resp, "event: error\ndata: " + json.dumps(
                    {"code": line.code, "message": line.detail}, ensure_ascii=False) + "\n\n")
                break
            if resume is not None and resume.skip(line.ts):
                continue
            event_id = ids.next(line)  # counted on every line, so ids stay exact whatever is filtered
            if not flt.matches(line):
                continue
            if backlog is not None and line.ts is not None and line.ts < started:
                backlog.offer((event_id, line))
                continue
            await flush()
            await _sse_event(resp, event_id, line, scope)
            beat = time.monotonic() + settings.log_heartbeat_seconds
        if reason != "client":
            await flush()
            await _sse_write(resp, f"event: end\ndata: {{\"reason\": \"{reason}\"}}\n\n")
    except (ConnectionResetError, aiohttp.ClientConnectionResetError):
        pass
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await reader
    with contextlib.suppress(ConnectionResetError, aiohttp.ClientConnectionResetError):
        await resp.write_eof()
    return resp


async def _sse_event(resp: web.StreamResponse, event_id: str, line: LogLine, scope: Scope) -> None:
    data = json.dumps(_entry(line, scope), ensure_ascii=False)
    await _sse_write(resp, (f"id: {event_id}\n" if event_id else "") + f"event: log\ndata: {data}\n\n")


@section.route("GET", f"{BASE}/logs/search", "搜索容器日志", verb="list", subresource="logs", query=SearchQuery,
               data=SearchData, cluster="container")
async def search_logs(call: Call) -> web.Response:
    q: SearchQuery = call.query
    since, until = _time(q.start_time, "start_time"), _time(q.end_time, "end_time")
    flt = _filter(since, until, None, q.query, q.regex)
    scope = await _scope(call, q.container)
    req = LogRequest(scope.cid.namespace, scope.cid.pod, scope.container, previous=q.previous,
                     since_time=_since_time(since))
    if since is None and until is None and not q.regex and q.query.isascii():
        return ok({**await _fast_search(scope, req, q, _settings(call)), **scope.where()})
    matches: list[Json] = []
    total = number = 0
    async with _log_lines(scope, req, _settings(call)) as stream:
        async for line in stream:
            number += 1
            if flt.past_window(line.ts):
                break
            if not flt.matches(line):
                continue
            if q.offset <= total < q.offset + q.limit:
                matches.append({"line_number": number, "timestamp": format_ns(line.ts) if line.ts is not None
                                else None, "level": line.level, "message": line.message})
            total += 1
    return ok({"query": q.query, "matches": matches, "total": total, "limit": q.limit, "offset": q.offset,
               **scope.where()})


async def _fast_search(scope: Scope, req: LogRequest, q: SearchQuery, settings: Settings) -> Json:
    """A plain ASCII search over the whole log, chunk by chunk (cloudops/containers/search.py)."""
    search = ChunkSearch(q.query, q.limit, q.offset)
    resp = await open_log(scope.session.api, scope.session.cluster, scope.session.server, req,
                          settings.member_timeout_seconds)
    try:
        async for chunk in resp.content.iter_chunked(READ_CHUNK):
            search.feed(chunk)
        search.finish()
    finally:
        resp.close()
    matches = []
    for number, raw in search.hits:
        line = parse_line(raw.decode("utf-8", "replace"))
        matches.append({"line_number": number, "timestamp": format_ns(line.ts) if line.ts is not None else None,
                        "level": line.level, "message": line.message})
    return {"query": q.query, "matches": matches, "total": search.total, "limit": q.limit, "offset": q.offset}


@section.route("POST", f"{BASE}/logs/export", "导出容器日志", verb="get", subresource="logs", body=ExportBody,
               data=LogsData, cluster="container", media=("application/octet-stream", "text/csv", "text/plain"))
async def export_logs(call: Call) -> web.StreamResponse:
    b: ExportBody = call.body
    f = b.filters or ExportFilters(level=None, search=None)
    since, until = _time(b.start_time, "body.start_time"), _time(b.end_time, "body.end_time")
    flt = _filter(since, until, f.level, f.search, f.regex, prefix="body.filters.")
    scope = await _scope(call, b.container)
    settings = _settings(call)
    req = LogRequest(scope.cid.namespace, scope.cid.pod, scope.container, previous=b.previous,
                     since_time=_since_time(since))
    writer = ExportWriter(b.format)
    name = safe_filename(scope.cid.pod, scope.container, now_iso().replace(":", ""), ext=EXTENSIONS[b.format])
    size = 0
    async with _log_lines(scope, req, settings) as stream:
        resp = web.StreamResponse(headers={
            "Content-Type": f"{MEDIA[b.format]}; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{name}"'})
        await resp.prepare(call.request)
        buf = bytearray(writer.head())
        try:
            async for line in stream:
                if flt.past_window(line.ts):
                    break
                if flt.matches(line):
                    buf += writer.line(_entry(line, scope))
                    if len(buf) >= 64 * 1024:
                        size += len(buf)
                        await resp.write(bytes(buf))
                        buf.clear()
            buf += writer.tail()
            size += len(buf)
            await resp.write(bytes(buf))
            await resp.write_eof()
        finally:
            await _record(call.request, call.cluster, EXPORT_STREAM,
                          {"format": b.format, "file_size_bytes": size, "line_count": writer.count,
                           "container": scope.container, "filename": name}, _user(call.request), scope.subject())
    return resp


@section.route("GET", f"{BASE}/logs/history", "获取日志历史记录", verb="list", subresource="logs",
               query=HistoryQuery, data=ExportHistory, cluster="container")
async def export_history(call: Call) -> web.Response:
    q: HistoryQuery = call.query
    rows = [{"id": e.name, "export_time": e.occurred_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
             "format": str(e.data.get("format", "")), "file_size": human_size(int(e.data.get("file_size_bytes", 0))),
             "file_size_bytes": int(e.data.get("file_size_bytes", 0)), "line_count": int(e.data.get("line_count", 0)),
             "exported_by": e.actor, "container_name": str(e.data.get("container", ""))}
            for e in await _history(call, EXPORT_STREAM)]
    listed = page(rows, q.limit, q.offset)
    return ok({"history": listed.pop("items"), **listed})


# -- 2. exec ---------------------------------------------------------------------------------------------------


def _workdir(path: str | None, field: str) -> str | None:
    return _parsed(path, field, normalize)


def _display(argv: Sequence[str]) -> str:
    """A command as history and errors show it: shell-quoted, credentials scrubbed, capped."""
    return redact(shlex.join(argv))[:2000]


async def _record_exec(call: Call, scope: Scope, data: Json) -> None:
    await _record(call.request, call.cluster, EXEC_STREAM, {**data, "container": scope.container},
                  _user(call.request), scope.subject())


def _missing(e: ExecFailure, argv: Sequence[str], why: str = "") -> ApiError:
    if e.missing:
        return ApiError(422, f"the container has no {argv[0]!r}{why}")
    return ApiError(502, f"the command could not run: {redact(e.message)[:300]}",
                    BusinessCode.CLUSTER_CONNECTION_FAILED)


@section.route("POST", f"{BASE}/exec", "执行容器命令", verb="create", subresource="exec", body=ExecBody,
               data=ExecData, cluster="container")
async def exec_command(call: Call) -> web.Response:
    b: ExecBody = call.body
    settings = _settings(call)
    if b.timeout > settings.exec_timeout_max_seconds:
        raise ApiError(400, f"body.timeout: at most {settings.exec_timeout_max_seconds} seconds")
    workdir = _workdir(b.working_dir, "body.working_dir")
    scope = await _scope(call)
    argv = workdir_argv(workdir, b.command) if workdir else list(b.command)
    session_id = f"exec-{secrets.token_hex(8)}"
    record: Json = {"type": "exec", "command": _display(b.command), "session_id": session_id,
                    "working_dir": workdir or "", "exit_code": None, "execution_time": 0.0, "timed_out": False}
    started = time.monotonic()
    result: ExecResult | None = None
    try:  # recorded however it ends: an exit, a failure to start, a timeout, or the caller leaving
        result = await run(scope.target, argv, seconds=b.timeout, cap=settings.exec_output_max_bytes)
    except ExecFailure as e:
        raise _missing(e, argv, " (working_dir needs sh)" if workdir else "") from None
    finally:
        record["execution_time"] = round(time.monotonic() - started, 3)
        if result is not None:
            record.update(exit_code=result.exit_code, timed_out=result.timed_out)
        await _record_exec(call, scope, record)
    stdout, stderr = result.stdout.decode("utf-8", "replace"), result.stderr.decode("utf-8", "replace")
    if result.timed_out:
        raise ApiError(504, f"timed out after {b.timeout}s; session {session_id}; output so far: "
                            f"stdout={stdout!r} stderr={stderr!r}", BusinessCode.TIMEOUT)
    return ok({"session_id": session_id, "stdout": stdout, "stderr": stderr, "exit_code": result.exit_code,
               "execution_time": round(result.seconds, 3), "truncated": result.truncated, **scope.where()})


def _ws_base(request: web.Request) -> str:
    """ws(s)://host as the browser reached us: forwarded host and proto only from trusted proxies."""
    secure = request.secure
    host = request.host
    if request.remote and request.app[PROXIES].trusted(request.remote):
        proto = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
        secure = proto == "https" if proto in ("http", "https") else secure
        forwarded = request.headers.get("X-Forwarded-Host", "").split(",")[0].strip()
        if forwarded and all(c.isalnum() or c in "-.:[]" for c in forwarded):
            host = forwarded
    return f"{'wss' if secure else 'ws'}://{host}"


@section.route("POST", f"{BASE}/exec/terminal", "打开终端会话", verb="create", subresource="exec",
               body=TerminalBody, data=TerminalData, cluster="container")
async def open_terminal(call: Call) -> web.Response:
    b: TerminalBody = call.body
    workdir = _workdir(b.working_dir, "body.working_dir")
    scope = await _scope(call)
    command = list(b.command or ["sh"])
    argv = workdir_argv(workdir, command) if workdir else command
    user = call.request[USER]
    ticket = await tickets.issue(call.request.app[HUB], _settings(call).namespace, user=user.name,
                                 groups=list(user.groups), cluster=call.cluster.name, container_id=call.path("id"),
                                 container=scope.container, tty=b.tty, stdin=b.stdin, command=argv,
                                 ttl=TICKET_SECONDS)
    url = (f"{_ws_base(call.request)}/api/k8s/containers/{quote(call.path('id'), safe=':')}/exec/ws"
           f"?session={ticket.session_id}&tty={'true' if b.tty else 'false'}")
    return ok({"session_id": ticket.session_id, "websocket_url": url, "expires_in": int(TICKET_SECONDS),
               **scope.where()})


async def _redeem(call: Call) -> tuple[tickets.Ticket, ClusterRef]:
    request = call.request
    if request.headers.get("Upgrade", "").lower() != "websocket":
        raise ApiError(400, "session: this is a WebSocket endpoint; connect with a WebSocket client "
                            "(Upgrade: websocket) and the session id from POST .../exec/terminal")
    _cid(call)
    ticket = await tickets.redeem(request.app[HUB], request.app[SETTINGS].namespace, call.query.session,
                                  TICKET_SECONDS)
    if ticket is None:
        raise ApiError(401, "session: unknown, already used or expired; open a new one with POST .../exec/terminal",
                       headers={"WWW-Authenticate": 'Ticket realm="cloudops"'})
    request[USER] = User(ticket.user, tuple(ticket.groups), method="terminal-ticket")
    if ticket.container_id != call.path("id"):
        raise ApiError(403, "session: issued for another container", BusinessCode.PERMISSION_DENIED)
    try:
        cluster = ClusterRef.of(await request.app[REGISTRY].find(ticket.cluster))
    except NotFound:
        raise ApiError(404, f"id: cluster {ticket.cluster!r} not found", BusinessCode.RESOURCE_NOT_FOUND) from None
    # RBAC may have changed since the ticket was issued.
    await Resolver(request.app, request[USER]).authorize("create", "exec", cluster.name)
    return ticket, cluster


@section.route("WS", f"{BASE}/exec/ws", "WebSocket 终端连接", verb="create", subresource="exec", query=WsQuery,
               data=ExecData, cluster="container", ticket=True)
async def terminal_socket(call: Call) -> web.StreamResponse:
    """The terminal bridge; frames in cloudops/containers/terminal.py. Authenticated by the single-use ticket."""
    ticket, cluster = await _redeem(call)
    request = call.request
    settings = request.app[SETTINGS]
    session = await request.app[ACCESS].session(cluster)
    cid = _cid(call)
    target = ExecTarget(session.api, session.cluster, session.server, cid.namespace, cid.pod, ticket.container)
    tty = ticket.tty if call.query.tty is None else call.query.tty and ticket.tty
    channel = await open_exec(target, ticket.command, stdin=ticket.stdin, tty=tty)
    ws = web.WebSocketResponse(heartbeat=20.0, max_msg_size=1 << 20)
    started = last = time.monotonic()
    code: int | None = None
    reason = "exited"
    tasks: dict[asyncio.Task[None], str] = {}
    try:
        await ws.prepare(request)
        decoders = {STDOUT: OutputDecoder(), STDERR: OutputDecoder()}

        async def from_pod() -> None:
            nonlocal last
            async for ch, data in channel.frames():
                last = time.monotonic()
                if ch in decoders:
                    text = decoders[ch].feed(data)
                    if text:
                        await ws.send_str(encode("stdout" if ch == STDOUT else "stderr", data=text))

        async def from_browser() -> None:
            nonlocal last
            async for msg in ws:
                last = time.monotonic()
                if msg.type == aiohttp.WSMsgType.BINARY and ticket.stdin:
                    await channel.send_stdin(msg.data)
                    continue
                if msg.type != aiohttp.WSMsgType.TEXT:
                    await ws.send_str(encode("error", message="frame: stdin needs a session opened with stdin"))
                    continue
                try:
                    frame = parse_client_frame(msg.data)
                except ValueError as e:
                    await ws.send_str(encode("error", message=str(e)))
                    continue
                if frame.type == "stdin" and ticket.stdin:
                    await channel.send_stdin(frame.data)
                elif frame.type == "resize":
                    await channel.resize(frame.cols, frame.rows)
                elif frame.type == "ping":
                    await ws.send_str(encode("pong"))
                else:
                    await ws.send_str(encode("error", message="stdin: the session was opened without stdin"))

        async def idle() -> None:
            while True:
                await asyncio.sleep(min(5.0, settings.terminal_idle_seconds / 4))
                if time.monotonic() - last >= settings.terminal_idle_seconds:
                    return

        tasks.update({asyncio.create_task(from_pod()): "exited",
                      asyncio.create_task(from_browser()): "client closed",
                      asyncio.create_task(idle()): "idle timeout"})
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        for task in (*done, *pending):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        reason = tasks[next(iter(done))]
        code = channel.exit_code()
        if not ws.closed:
            for ch, dec in decoders.items():
                if text := dec.flush():
                    await ws.send_str(encode("stdout" if ch == STDOUT else "stderr", data=text))
            await ws.send_str(encode("exit", code=code, reason=reason))
    except (ConnectionResetError, aiohttp.ClientConnectionResetError):
        reason = "client closed"
    finally:
        for task in tasks:
            task.cancel()
        await channel.close()
        # Recorded before the browser's socket closes: the server may cancel this handler once it has.
        await _record(request, cluster, EXEC_STREAM,
                      {"type": "terminal", "command": _display(ticket.command), "session_id": ticket.session_id,
                       "exit_code": code, "execution_time": round(time.monotonic() - started, 3),
                       "timed_out": reason == "idle timeout", "end_reason": reason, "container": ticket.container},
                      ticket.user, activity.Subject("Pod", cid.namespace, cid.pod))
        await ws.close()
    return ws


@section.route("GET", f"{BASE}/exec/history", "获取命令执行历史", verb="list", subresource="exec",
               query=ExecHistoryQuery, data=ExecHistory, cluster="container")
async def exec_history(call: Call) -> web.Response:
    q: ExecHistoryQuery = call.query
    rows = []
    for e in await _history(call, EXEC_STREAM, q.user_id):
        code = e.data.get("exit_code")
        rows.append({"id": e.name, "type": str(e.data.get("type", "exec")), "command": str(e.data.get("command", "")),
                     "executed_at": e.occurred_at.strftime("%Y-%m-%dT%H:%M:%SZ"), "executed_by": e.actor,
                     "exit_code": code if isinstance(code, int) else None,
                     "execution_time": float(e.data.get("execution_time") or 0.0),
                     "session_id": str(e.data.get("session_id", "")),
                     "container_name": str(e.data.get("container", "")),
                     "timed_out": bool(e.data.get("timed_out"))})
    listed = page(rows, q.limit, q.offset)
    return ok({"history": listed.pop("items"), **listed})


# -- 3. files --------------------------------------------------------------------------------------------------

_FILE_CODES = {404: BusinessCode.RESOURCE_NOT_FOUND, 409: BusinessCode.VERSION_CONFLICT,
               502: BusinessCode.CLUSTER_CONNECTION_FAILED}


def _files(call: Call, scope: Scope) -> Files:
    settings = _settings(call)

    async def runner(argv: Sequence[str], *, stdin: bytes | None = None, cap: int | None = None,
                     on_stdout: Callable[[bytes], Awaitable[None]] | None = None) -> ExecResult:
        try:
            result = await run(scope.target, argv, seconds=float(settings.exec_timeout_max_seconds),
                               cap=cap or settings.exec_output_max_bytes, stdin=stdin, on_stdout=on_stdout)
        except ExecFailure as e:
            raise _missing(e, argv, " (needed for file operations)") from None
        if result.timed_out:
            raise ApiError(504, f"{argv[0]} in the container timed out", BusinessCode.TIMEOUT)
        return result

    return Files(runner, settings.file_list_max_depth, settings.file_list_max_entries)


@asynccontextmanager
async def _file_errors(field: str = "path") -> AsyncIterator[None]:
    try:
        yield
    except PathError as e:
        raise ApiError(400, f"{field}: {e}") from None
    except FileOpError as e:
        raise ApiError(e.status, f"{field}: {e.detail}", _FILE_CODES.get(e.status)) from None


def _audit_write(call: Call, what: str, params: Json) -> None:
    """A file write in the audit log: who, where and how big; never the contents."""
    request = call.request
    user = request.get(USER)
    ep_path = request.match_info.route.resource.canonical if request.match_info.route.resource else ""
    request.app[AUDIT].write(AuditRecord(
        time=now_iso(), user=user.name if user else "", groups=list(user.groups) if user else [],
        auth_method=user.method if user else "", operation=f"{what} {call.path('id')}", route=ep_path,
        resource={"group": "cloudops.io", "resource": "managedclusters", "subresource": "files",
                  "name": call.path("id"), "namespace": _settings(call).namespace},
        client_ip=client_ip(request), status=200, code=200, latency_ms=0.0, params=params))


@section.route("GET", f"{BASE}/files", "获取文件列表", verb="get", subresource="files", query=FilesQuery,
               data=FilesData, cluster="container")
async def list_files(call: Call) -> web.Response:
    q: FilesQuery = call.query
    async with _file_errors():
        path = normalize(q.path)
        scope = await _scope(call)
        entries, truncated = await _files(call, scope).list(path, q.recursive)
    return ok({"path": path, "files": [e.as_dict() for e in entries], "truncated": truncated, **scope.where()})


@section.route("GET", f"{BASE}/files/download", "下载文件", verb="get", subresource="files", query=DownloadQuery,
               data=FilesData, cluster="container", media=("application/octet-stream",))
async def download_file(call: Call) -> web.StreamResponse:
    q: DownloadQuery = call.query
    cap = _settings(call).file_download_max_bytes
    async with _file_errors():
        path = normalize(q.path)
        scope = await _scope(call)
        files = _files(call, scope)
        size = await files.download_size(path, cap)
    name = path.rsplit("/", 1)[-1]
    ascii_name = safe_filename(name.rsplit(".", 1)[0], ext=name.rsplit(".", 1)[1] if "." in name else "bin")
    resp = web.StreamResponse(headers={
        "Content-Type": "application/octet-stream", "Content-Length": str(size),
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"})
    await resp.prepare(call.request)
    sent = 0

    async def sink(data: bytes) -> None:
        nonlocal sent
        data = data[:max(size - sent, 0)]  # never more than announced: the file may have grown
        sent += len(data)
        if data:
            await resp.write(data)

    await files.download(path, cap, sink)
    if sent == size:
        await resp.write_eof()
    else:  # shrank meanwhile: cut the connection rather than send a short body as complete
        if call.request.transport is not None:
            call.request.transport.close()
    return resp


def _flag(text: str, field: str) -> bool:
    value = text.strip().lower()
    if value in ("true", "1", "yes", "on"):
        return True
    if value in ("false", "0", "no", "off", ""):
        return False
    raise ApiError(400, f"body.{field}: not a boolean (true or false)")


async def _read_upload(request: web.Request, cap: int) -> tuple[bytes, str, str, bool]:
    """(data, file name, path, overwrite) from the multipart body; the file at most `cap` bytes (413)."""
    if not request.content_type.startswith("multipart/form-data"):
        raise ApiError(400, "body: must be multipart/form-data with the fields file, path and overwrite")
    try:
        reader = await request.multipart()
    except (ValueError, AssertionError):
        raise ApiError(400, "body: not a valid multipart/form-data body") from None
    data: bytes | None = None
    filename, path, overwrite = "", "", False
    try:
        while (part := await reader.next()) is not None:
            if not isinstance(part, aiohttp.BodyPartReader):
                raise ApiError(400, "body: nested multipart is not supported")
            if part.name == "file":
                buf = bytearray()
                while chunk := await part.read_chunk(256 * 1024):
                    buf.extend(chunk)
                    if len(buf) > cap:
                        raise ApiError(413, f"body.file: larger than {cap} bytes (CLOUDOPS_FILE_UPLOAD_MAX_BYTES)")
                data, filename = bytes(buf), part.filename or ""
            elif part.name in ("path", "overwrite"):
                raw = await part.read_chunk(8192)
                if await part.read_chunk(1):
                    raise ApiError(400, f"body.{part.name}: too long")
                text = raw.decode("utf-8", "strict")
                if part.name == "path":
                    path = text
                else:
                    overwrite = _flag(text, "overwrite")
            else:
                raise ApiError(400, f"body.{str(part.name)[:40]}: unknown field (file, path, overwrite)")
    except UnicodeDecodeError:
        raise ApiError(400, "body: path must be UTF-8 text") from None
    except (ValueError, aiohttp.ClientPayloadError):
        raise ApiError(400, "body: not a valid multipart/form-data body") from None
    if data is None:
        raise ApiError(400, "body.file: required")
    if not path:
        raise ApiError(400, "body.path: required")
    return data, filename, path, overwrite


def _target(path: str, filename: str) -> str:
    """`path`, or `path` + the uploaded file's own name when `path` ends in `/`."""
    if not path.endswith("/"):
        return path
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    if base in ("", ".", "..") or "\x00" in base:
        raise ApiError(400, "body.path: ends in / but the file part has no usable file name")
    return path + base


@section.route("POST", f"{BASE}/files/upload", "上传文件", verb="update", subresource="files", body=UploadForm,
               data=WriteData, cluster="container", body_media="multipart/form-data")
async def upload_file(call: Call) -> web.Response:
    data, filename, raw_path, overwrite = await _read_upload(call.request, _settings(call).file_upload_max_bytes)
    async with _file_errors("body.path"):
        path = normalize(_target(raw_path, filename))
        scope = await _scope(call)
        done = await _files(call, scope).write(path, data, overwrite=overwrite)
    _audit_write(call, "upload", {"path": path, "size": len(data), "overwrite": overwrite})
    return ok({**done, **scope.where()})


@section.route("PUT", f"{BASE}/files/edit", "编辑文件", verb="update", subresource="files", body=EditBody,
               data=WriteData, cluster="container")
async def edit_file(call: Call) -> web.Response:
    b: EditBody = call.body
    content = b.content.encode("utf-8", "surrogatepass")
    if len(content) > _settings(call).file_upload_max_bytes:
        raise ApiError(413, f"body.content: larger than {_settings(call).file_upload_max_bytes} bytes")
    async with _file_errors("body.path"):
        path = normalize(b.path)
        scope = await _scope(call)
        done = await _files(call, scope).write(path, content, overwrite=True, expected_sha256=b.expected_sha256,
                                               backup=b.backup, must_exist=True)
    _audit_write(call, "edit", {"path": path, "size": len(content), "backup": done["backup_path"]})
    return ok({**done, **scope.where()})


@section.route("DELETE", f"{BASE}/files/delete", "删除文件", verb="update", subresource="files", body=DeleteBody,
               data=DeleteData, cluster="container")
async def delete_file(call: Call) -> web.Response:
    b: DeleteBody = call.body
    async with _file_errors("body.path"):
        path = normalize(b.path)
        scope = await _scope(call)
        kind = await _files(call, scope).delete(path, b.recursive)
    _audit_write(call, "delete", {"path": path, "recursive": b.recursive})
    return ok({"path": path, "type": kind, "deleted": True, **scope.where()})
