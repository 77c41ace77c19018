"""容器运维 3.1–3.5: files in containers, listed, downloaded, uploaded, edited and deleted through exec on the
member session (cloudops/services/containers/files.py). `{id}` is `<cluster id>:<namespace>:<pod>[:<container>]`;
capability `files` (get to read, update to write). Every write is audited with its path and size, never its
contents."""

from __future__ import annotations

from aiohttp import web

from api_shim.endpoints import Call, Section
from api_shim.envelope import ok
from api_shim.streams.transfers import audit_write, read_upload, send_file
from cloudops.services.containers import ContainerFiles
from cloudops.services.containers.models import (
    DeleteBody,
    DeleteData,
    DeleteQuery,
    DownloadQuery,
    EditBody,
    FilesData,
    FilesQuery,
    UploadForm,
    WriteData,
)

__all__ = ["section"]

section = Section(tag="containers", resource="managedclusters")
BASE = "/api/k8s/containers/{id}"


@section.route("GET", f"{BASE}/files", "获取文件列表", verb="get", subresource="files", query=FilesQuery,
               data=FilesData, cluster="container")
async def list_files(call: Call) -> web.Response:
    return ok(await call.service(ContainerFiles).list(call.cluster, call.container_id, call.query))


@section.route("GET", f"{BASE}/files/download", "下载文件", verb="get", subresource="files", query=DownloadQuery,
               data=FilesData, cluster="container", media=("application/octet-stream",))
async def download_file(call: Call) -> web.StreamResponse:
    download = await call.service(ContainerFiles).download(call.cluster, call.container_id, call.query)
    return await send_file(call.request, download)


@section.route("POST", f"{BASE}/files/upload", "上传文件", verb="update", subresource="files", body=UploadForm,
               data=WriteData, cluster="container", body_media="multipart/form-data")
async def upload_file(call: Call) -> web.Response:
    form = await read_upload(call.request, call.settings.file_upload_max_bytes)
    done = await call.service(ContainerFiles).upload(call.cluster, call.container_id, form)
    audit_write(call, "upload", {"path": done.path, "size": done.size, "overwrite": form.overwrite})
    return ok(done)


@section.route("PUT", f"{BASE}/files/edit", "编辑文件", verb="update", subresource="files", body=EditBody,
               data=WriteData, cluster="container")
async def edit_file(call: Call) -> web.Response:
    done = await call.service(ContainerFiles).edit(call.cluster, call.container_id, call.body)
    audit_write(call, "edit", {"path": done.path, "size": done.size, "backup": done.backup_path})
    return ok(done)


@section.route("DELETE", f"{BASE}/files/delete", "删除文件", verb="update", subresource="files", query=DeleteQuery,
               body=DeleteBody, data=DeleteData, cluster="container")
async def delete_file(call: Call) -> web.Response:
    """`path` and `recursive` in the JSON body (the reference's form) or in the query (many clients drop a
    DELETE's body)."""
    done = await call.service(ContainerFiles).delete(call.cluster, call.container_id, call.query, call.body)
    audit_write(call, "delete", {"path": done.path, "recursive": done.recursive})
    return ok(done)
