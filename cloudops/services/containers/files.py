"""Files in containers (3.1–3.5): list, download, upload, edit and delete, through exec on the member session
(cloudops.containers.files holds the scripts and the path rules). Refusals name the input at fault: `path`
for reads, `body.path` for writes (a delete's `path` may come in the query instead: then `path`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from cloudops.containers.exports import safe_filename
from cloudops.containers.files import Files, Written
from cloudops.containers.ids import ContainerId
from cloudops.containers.paths import normalize
from cloudops.errors import BadRequest, TimedOut, TooLarge
from cloudops.members.access import ClusterRef
from cloudops.members.exec import ExecFailure, ExecResult
from cloudops.services.containers.base import ContainerScope, ContainerService, exec_refused, located
from cloudops.services.containers.models import (
    DeleteBody,
    DeleteData,
    DeleteQuery,
    DownloadQuery,
    EditBody,
    FileItem,
    FilesData,
    FilesQuery,
    WriteData,
)
from cloudops.services.containers.parts import Upload

__all__ = ["ContainerFiles", "FileDownload"]

Sink = Callable[[bytes], Awaitable[None]]


@dataclass(frozen=True)
class FileDownload:
    """A file about to be sent: its own name, an ASCII-safe one, its size; `send` streams its bytes."""

    name: str
    ascii_name: str
    size: int
    files: Files
    path: str
    cap: int

    async def send(self, sink: Sink) -> None:
        await self.files.download(self.path, self.cap, sink)


def _target(path: str, filename: str) -> str:
    """`path`, or `path` + the uploaded file's own name when `path` ends in `/`."""
    if not path.endswith("/"):
        return path
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    if base in ("", ".", "..") or "\x00" in base:
        raise BadRequest("ends in / but the file part has no usable file name", field="body.path")
    return path + base


def delete_target(q: DeleteQuery, b: DeleteBody) -> tuple[str, str, bool]:
    """What to delete, from the body or the query (many clients drop a DELETE's body): the path, the name of
    the input it came in (for errors) and whether recursively. Both may be sent when they agree."""
    if q.path is not None and b.path is not None and q.path != b.path:
        raise BadRequest("differs from body.path: send the path once, in the query or the body", field="path")
    if q.recursive is not None and b.recursive is not None and q.recursive != b.recursive:
        raise BadRequest("differs from body.recursive", field="recursive")
    recursive = b.recursive if b.recursive is not None else bool(q.recursive)
    if b.path is not None:
        return b.path, "body.path", recursive
    if q.path is not None:
        return q.path, "path", recursive
    raise BadRequest("required, in the query (?path=) or the JSON body", field="path")


def _written(done: Written, scope: ContainerScope) -> WriteData:
    return WriteData(**done, **scope.where())


class ContainerFiles(ContainerService):
    def _files(self, scope: ContainerScope) -> Files:
        """File operations on the scope's container, each command run through its member session."""
        settings = self.deps.settings

        async def runner(argv: Sequence[str], *, stdin: bytes | None = None, cap: int | None = None,
                         on_stdout: Sink | None = None) -> ExecResult:
            try:
                result = await scope.session.exec(
                    scope.cid.namespace, scope.cid.pod, scope.container, argv,
                    seconds=float(settings.exec_timeout_max_seconds), cap=cap or settings.exec_output_max_bytes,
                    stdin=stdin, on_stdout=on_stdout)
            except ExecFailure as e:
                raise exec_refused(e, argv, " (needed for file operations)") from None
            if result.timed_out:
                raise TimedOut(f"{argv[0]} in the container timed out")
            return result

        return Files(runner, settings.file_list_max_depth, settings.file_list_max_entries)

    async def list(self, cluster: ClusterRef, cid: ContainerId, q: FilesQuery) -> FilesData:
        with located("path"):
            path = normalize(q.path)
            scope = await self.scope(cluster, cid)
            entries, truncated = await self._files(scope).list(path, q.recursive)
        return FilesData(path=path, files=[FileItem.model_validate(e, from_attributes=True) for e in entries],
                         truncated=truncated, **scope.where())

    async def download(self, cluster: ClusterRef, cid: ContainerId, q: DownloadQuery) -> FileDownload:
        """The file checked (readable, as given and as resolved; not above the download cap) and sized."""
        cap = self.deps.settings.file_download_max_bytes
        with located("path"):
            path = normalize(q.path)
            scope = await self.scope(cluster, cid)
            files = self._files(scope)
            size = await files.download_size(path, cap)
        name = path.rsplit("/", 1)[-1]
        ascii_name = safe_filename(name.rsplit(".", 1)[0], ext=name.rsplit(".", 1)[1] if "." in name else "bin")
        return FileDownload(name, ascii_name, size, files, path, cap)

    async def upload(self, cluster: ClusterRef, cid: ContainerId, form: Upload) -> WriteData:
        with located("body.path"):
            path = normalize(_target(form.path, form.filename))
            scope = await self.scope(cluster, cid)
            done = await self._files(scope).write(path, form.data, overwrite=form.overwrite)
        return _written(done, scope)

    async def edit(self, cluster: ClusterRef, cid: ContainerId, b: EditBody) -> WriteData:
        content = b.content.encode("utf-8", "surrogatepass")
        cap = self.deps.settings.file_upload_max_bytes
        if len(content) > cap:
            raise TooLarge(f"larger than {cap} bytes", field="body.content")
        with located("body.path"):
            path = normalize(b.path)
            scope = await self.scope(cluster, cid)
            done = await self._files(scope).write(path, content, overwrite=True, expected_sha256=b.expected_sha256,
                                                  backup=b.backup, must_exist=True)
        return _written(done, scope)

    async def delete(self, cluster: ClusterRef, cid: ContainerId, q: DeleteQuery, b: DeleteBody) -> DeleteData:
        raw, field, recursive = delete_target(q, b)
        with located(field):
            path = normalize(raw)
            scope = await self.scope(cluster, cid)
            kind = await self._files(scope).delete(path, recursive)
        return DeleteData(path=path, type=kind, deleted=True, recursive=recursive, **scope.where())
