"""Bodies that are files: log exports and file downloads sent as attachments, multipart uploads read, and the
audit record of each file written (who, where and how big; never the contents)."""

from __future__ import annotations

from urllib.parse import quote

import aiohttp
from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from api_shim.context import Call
from api_shim.envelope import ApiError
from api_shim.security.audit import AuditRecord, caller
from api_shim.security.middleware import USER, client_ip
from api_shim.state import AUDIT
from cloudops.conditions import now_iso
from cloudops.services.containers import FileDownload, LogExport
from cloudops.services.containers.parts import Upload

__all__ = ["audit_write", "read_upload", "send_export", "send_file"]

PART_CHUNK = 256 * 1024


async def send_export(request: web.Request, export: LogExport) -> web.StreamResponse:
    resp = web.StreamResponse(headers={"Content-Type": f"{export.media_type}; charset=utf-8",
                                       "Content-Disposition": f'attachment; filename="{export.filename}"'})
    await resp.prepare(request)
    async for chunk in export.chunks():
        await resp.write(chunk)
    await resp.write_eof()
    return resp


async def send_file(request: web.Request, download: FileDownload) -> web.StreamResponse:
    """The file, never more than the size announced; a file that shrank meanwhile cuts the connection rather
    than pass a short body as complete."""
    resp = web.StreamResponse(headers={
        "Content-Type": "application/octet-stream", "Content-Length": str(download.size),
        "Content-Disposition": f"attachment; filename=\"{download.ascii_name}\"; "
                               f"filename*=UTF-8''{quote(download.name, safe='')}"})
    await resp.prepare(request)
    sent = 0

    async def sink(data: bytes) -> None:
        nonlocal sent
        data = data[:max(download.size - sent, 0)]  # the file may have grown
        sent += len(data)
        if data:
            await resp.write(data)

    await download.send(sink)
    if sent == download.size:
        await resp.write_eof()
    elif request.transport is not None:
        request.transport.close()
    return resp


def _flag(text: str, field: str) -> bool:
    value = text.strip().lower()
    if value in ("true", "1", "yes", "on"):
        return True
    if value in ("false", "0", "no", "off", ""):
        return False
    raise ApiError(400, f"body.{field}: not a boolean (true or false)")


async def _file_part(part: aiohttp.BodyPartReader, cap: int) -> bytes:
    buf = bytearray()
    while chunk := await part.read_chunk(PART_CHUNK):
        buf.extend(chunk)
        if len(buf) > cap:
            raise ApiError(413, f"body.file: larger than {cap} bytes (CLOUDOPS_FILE_UPLOAD_MAX_BYTES)")
    return bytes(buf)


async def _text_part(part: aiohttp.BodyPartReader) -> str:
    raw = await part.read_chunk(8192)
    if await part.read_chunk(1):
        raise ApiError(400, f"body.{part.name}: too long")
    return raw.decode("utf-8", "strict")


async def read_upload(request: web.Request, cap: int) -> Upload:
    """The multipart body's file (at most `cap` bytes: 413), its own name, and the path and overwrite fields."""
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
                data, filename = await _file_part(part, cap), part.filename or ""
            elif part.name == "path":
                path = await _text_part(part)
            elif part.name == "overwrite":
                overwrite = _flag(await _text_part(part), "overwrite")
            else:
                raise ApiError(400, f"body.{str(part.name)[:40]}: unknown field (file, path, overwrite)")
    except UnicodeDecodeError:
        raise ApiError(400, "body: path must be UTF-8 text") from None
    except (ValueError, aiohttp.ClientPayloadError, HttpProcessingError):  # the last: a part's malformed headers
        raise ApiError(400, "body: not a valid multipart/form-data body") from None
    if data is None:
        raise ApiError(400, "body.file: required")
    if not path:
        raise ApiError(400, "body.path: required")
    return Upload(data, filename, path, overwrite)


def audit_write(call: Call, what: str, params: dict[str, str | int | bool | None]) -> None:
    """A file write in the audit log, next to the call's own record: who, where and how big."""
    request = call.request
    user = request.get(USER)
    route = request.match_info.route.resource.canonical if request.match_info.route.resource else ""
    request.app[AUDIT].write(AuditRecord(
        time=now_iso(), **caller(user), operation=f"{what} {call.path('id')}", route=route,
        resource={"group": "cloudops.io", "resource": "managedclusters", "subresource": "files",
                  "name": call.path("id"), "namespace": call.settings.namespace},
        client_ip=client_ip(request), status=200, code=200, latency_ms=0.0, params=params))
