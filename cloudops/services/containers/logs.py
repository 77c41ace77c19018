"""Container logs (1.1–1.5): read, follow, search and export a container's log, and the export history.

Logs stream from the member's pods/log through the member session; filters run here, one line at a time,
so memory stays bounded whatever the log's size. Exports are recorded in the `log-export` history.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import TypeVar

from cloudops.conditions import now_iso
from cloudops.containers.exports import EXTENSIONS, MEDIA, ExportWriter, human_size, safe_filename
from cloudops.containers.filters import LogFilter, Resume, Tail, compile_search, parse_levels
from cloudops.containers.ids import ContainerId
from cloudops.containers.logparse import LogLine, format_ns, parse_line, parse_time_ns
from cloudops.containers.logsource import LogRequest, LogStream
from cloudops.containers.search import ChunkSearch
from cloudops.errors import BadRequest, Unprocessable
from cloudops.members.access import ClusterRef
from cloudops.paging import page
from cloudops.services.containers.base import EXPORT_STREAM, ContainerScope, ContainerService, history_id
from cloudops.services.containers.follow import LogFollow, log_entry, parsed_lines, shown_level
from cloudops.services.containers.models import (
    ExportBody,
    ExportFilters,
    ExportHistory,
    ExportRecord,
    HistoryQuery,
    LogsData,
    LogsQuery,
    SearchData,
    SearchMatch,
    SearchQuery,
    StreamQuery,
)

__all__ = ["ContainerLogs", "LogExport"]

T = TypeVar("T")
FLUSH_BYTES = 64 * 1024


def _parsed(value: str | None, field: str, parse: Callable[[str], T]) -> T | None:
    """`parse(value)` (None stays None); its ValueError is a 400 naming `field`."""
    if value is None:
        return None
    try:
        return parse(value)
    except ValueError as e:
        raise BadRequest(str(e), field=field) from None


def _time(value: str | None, field: str) -> int | None:
    return _parsed(value, field, parse_time_ns)


def _filter(since: int | None, until: int | None, levels: Sequence[str] | str | None, search: str | None,
            regex: bool, prefix: str = "", search_name: str = "search") -> LogFilter:
    """The filter; a refusal names the input as the caller sent it (`search_name`: search or query). An `until`
    before `since` is an empty range: nothing matches, as with any other filter."""
    try:
        parsed = parse_levels([levels] if isinstance(levels, str) else levels or [])
    except ValueError as e:
        raise BadRequest(str(e), field=f"{prefix}level") from None
    try:
        pattern = compile_search(search, regex)
    except ValueError as e:  # well-formed, but no regular expression the engine can use: 422, as a kubeconfig
        raise Unprocessable(str(e), field=f"{prefix}{search_name}") from None
    return LogFilter(since, until, parsed, search, pattern)


def _since_time(since: int | None) -> str | None:
    """The API server takes whole seconds: ask from the second before, the shim cuts exactly."""
    return format_ns(since)[:19] + "Z" if since is not None else None


def _match(number: int, line: LogLine) -> SearchMatch:
    return SearchMatch(line_number=number, timestamp=format_ns(line.ts) if line.ts is not None else None,
                       level=shown_level(line), message=line.message)


class LogExport:
    """One export on its way out: the file's name and media type, then its bytes piece by piece."""

    def __init__(self, scope: ContainerScope, log: LogStream, flt: LogFilter, fmt: str) -> None:
        self.scope, self.log, self.flt, self.format = scope, log, flt, fmt
        self.writer = ExportWriter(fmt)
        self.filename = safe_filename(scope.cid.pod, scope.container, now_iso().replace(":", ""),
                                      ext=EXTENSIONS[fmt])
        self.media_type = MEDIA[fmt]
        self.size = 0  # bytes handed out so far

    async def chunks(self) -> AsyncIterator[bytes]:
        buf = bytearray(self.writer.head())
        async for line in parsed_lines(self.log):
            if self.flt.past_window(line.ts):
                break
            if self.flt.matches(line):
                buf += self.writer.line(log_entry(line, self.scope).model_dump())
                if len(buf) >= FLUSH_BYTES:
                    self.size += len(buf)
                    yield bytes(buf)
                    buf.clear()
        buf += self.writer.tail()
        self.size += len(buf)
        yield bytes(buf)


class ContainerLogs(ContainerService):
    async def logs(self, cluster: ClusterRef, cid: ContainerId, q: LogsQuery) -> LogsData:
        since, until = _time(q.since, "since"), _time(q.until, "until")
        flt = _filter(since, until, q.level, q.search, q.regex, search_name=q.sent("search"))
        scope = await self.scope(cluster, cid, q.container)
        req = LogRequest(cid.namespace, cid.pod, scope.container, previous=q.previous, since_time=_since_time(since),
                         tail_lines=None if flt.active else q.tail + 1)
        tail: Tail[LogLine] = Tail(q.tail)
        async with scope.session.logs(req) as log:
            async for line in parsed_lines(log):
                if flt.past_window(line.ts):
                    break
                if flt.matches(line):
                    tail.offer(line)
        logs = [log_entry(line, scope) for line in tail.items]
        return LogsData(logs=logs, total=tail.total, has_more=tail.total > len(logs), **scope.where())

    async def follow(self, cluster: ClusterRef, cid: ContainerId, q: StreamQuery, last_event_id: str) -> LogFollow:
        """A follow to stream (api_shim/streams/sse.py); `last_event_id` resumes after that event."""
        flt = _filter(None, None, q.level, q.search, q.regex, search_name=q.sent("search"))
        resume = _parsed(last_event_id.strip() or None, "Last-Event-ID", Resume.parse)
        scope = await self.scope(cluster, cid, q.container)
        req = LogRequest(cid.namespace, cid.pod, scope.container, follow=q.follow,
                         since_time=_since_time(resume.ts) if resume else None,
                         tail_lines=None if resume or flt.active else q.tail)
        return LogFollow(scope, req, flt, resume, q.tail, self.deps.settings)

    async def search(self, cluster: ClusterRef, cid: ContainerId, q: SearchQuery) -> SearchData:
        since, until = _time(q.start_time, "start_time"), _time(q.end_time, "end_time")
        flt = _filter(since, until, None, q.query, q.regex, search_name=q.sent("query"))
        scope = await self.scope(cluster, cid, q.container)
        req = LogRequest(cid.namespace, cid.pod, scope.container, previous=q.previous, since_time=_since_time(since))
        async with scope.session.logs(req) as log:
            if since is None and until is None and not q.regex and q.query.isascii():
                matches, total = await self._fast_search(log, q)
            else:
                matches, total = await self._line_search(log, q, flt)
        return SearchData(query=q.query, matches=matches, total=total, limit=q.limit, offset=q.offset,
                          **scope.where())

    @staticmethod
    async def _line_search(log: LogStream, q: SearchQuery, flt: LogFilter) -> tuple[list[SearchMatch], int]:
        matches: list[SearchMatch] = []
        total = number = 0
        async for line in parsed_lines(log):
            number += 1
            if flt.past_window(line.ts):
                break
            if not flt.matches(line):
                continue
            if q.offset <= total < q.offset + q.limit:
                matches.append(_match(number, line))
            total += 1
        return matches, total

    @staticmethod
    async def _fast_search(log: LogStream, q: SearchQuery) -> tuple[list[SearchMatch], int]:
        """A plain ASCII search over the whole log, chunk by chunk (cloudops/containers/search.py)."""
        search = ChunkSearch(q.query, q.limit, q.offset)
        async for chunk in log.chunks():
            search.feed(chunk)
        search.finish()
        return [_match(n, parse_line(raw.decode("utf-8", "replace"))) for n, raw in search.hits], search.total

    @asynccontextmanager
    async def export(self, cluster: ClusterRef, cid: ContainerId, b: ExportBody) -> AsyncIterator[LogExport]:
        """The export, its log open (a refusal comes before anything is sent); recorded in the export
        history when the caller is done with it, however that ends."""
        f = b.filters or ExportFilters(level=None, search=None)
        since, until = _time(b.start_time, "body.start_time"), _time(b.end_time, "body.end_time")
        flt = _filter(since, until, f.level, f.search, f.regex, prefix="body.filters.")
        scope = await self.scope(cluster, cid, b.container)
        req = LogRequest(cid.namespace, cid.pod, scope.container, previous=b.previous, since_time=_since_time(since))
        async with scope.session.logs(req) as log:
            export = LogExport(scope, log, flt, b.format)
            try:
                yield export
            finally:
                await self.record(cluster, EXPORT_STREAM, {
                    "format": b.format, "file_size_bytes": export.size, "line_count": export.writer.count,
                    "container": scope.container, "filename": export.filename}, scope.subject())

    async def export_history(self, cluster: ClusterRef, cid: ContainerId, q: HistoryQuery) -> ExportHistory:
        rows = [ExportRecord(id=history_id(e.name, EXPORT_STREAM),
                             export_time=e.occurred_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                             format=str(e.data.get("format", "")),
                             file_size=human_size(int(e.data.get("file_size_bytes", 0))),
                             file_size_bytes=int(e.data.get("file_size_bytes", 0)),
                             line_count=int(e.data.get("line_count", 0)), exported_by=e.actor,
                             container_name=str(e.data.get("container", "")))
                for e in await self.entries(cluster, cid, EXPORT_STREAM)]
        listed = page(rows, q.limit, q.offset)
        return ExportHistory(history=listed["items"], total=listed["total"], limit=q.limit, offset=q.offset)
