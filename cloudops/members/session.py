"""One session with one member cluster: typed verbs on any resource, one timeout, one error mapping.

Every later section reaches members through this class, so paging, selectors, patch types, dry runs
and the error table (cloudops.members.errors) are written once. Secrets come back redacted unless the
caller explicitly asks for values (and was authorized for them).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Literal

from kubernetes_asyncio.client import ApiClient

from cloudops.constants import FIELD_MANAGER
from cloudops.containers.logsource import LogRequest, LogStream
from cloudops.kube.raw import METADATA_ONLY, RawResponse, request
from cloudops.kube.types import JsonObject, KubeObject
from cloudops.members.discovery import AGGREGATED, Discovery, ResourceType, parse_aggregated, parse_legacy
from cloudops.members.errors import MemberError, from_status, from_transport
from cloudops.members.exec import ExecChannel, ExecResult, ExecTarget, open_exec, run
from cloudops.members.objects import SECRET_SUMMARY, huge_exponent, is_secret, redact_secret, strip_managed_fields
from cloudops.members.streams import log_response
from cloudops.members.writes import current as write_observer

__all__ = ["DiscoveryCache", "ListPage", "MemberSession", "PatchType"]

Json = dict[str, Any]
PatchType = Literal["merge", "json", "strategic", "apply"]
PATCH_CONTENT = {"merge": "application/merge-patch+json", "json": "application/json-patch+json",
                 "strategic": "application/strategic-merge-patch+json", "apply": "application/apply-patch+yaml"}
PAGE_CHUNK = 500


@dataclass
class ListPage:
    items: list[Json]
    continue_token: str | None
    remaining: int | None
    resource_version: str


class DiscoveryCache:
    """Discovery per member API server, kept a short while: it changes only when CRDs or aggregated APIs do.

    A cache of what the member says, never state: losing it costs two requests.
    """

    def __init__(self, ttl_seconds: float = 30.0) -> None:
        self.ttl = ttl_seconds
        self._entries: dict[str, tuple[float, Discovery]] = {}

    def get(self, key: str) -> Discovery | None:
        hit = self._entries.get(key)
        return hit[1] if hit and time.monotonic() - hit[0] < self.ttl else None

    def put(self, key: str, value: Discovery) -> None:
        if len(self._entries) > 4096:
            self._entries.clear()
        self._entries[key] = (time.monotonic(), value)

    def forget(self, key: str) -> None:
        self._entries.pop(key, None)


class MemberSession:
    def __init__(self, api: ApiClient, cluster: str, server: str, timeout: float,
                 discovery_cache: DiscoveryCache | None = None) -> None:
        self.api, self.cluster, self.server, self.timeout = api, cluster, server, timeout
        self._discovery_cache = discovery_cache or DiscoveryCache()

    # -- transport -------------------------------------------------------------------------------

    async def call(self, method: str, path: str, *, query: list[tuple[str, str]] | None = None, body: Any = None,
                   content_type: str = "application/json", accept: str = "application/json",
                   what: str = "", seconds: float | None = None) -> RawResponse:
        """One call; any HTTP error or transport failure becomes a MemberError."""
        limit = seconds if seconds is not None else self.timeout
        try:
            resp = await asyncio.wait_for(request(self.api, method, path, query=query, body=body,
                                                  content_type=content_type, accept=accept, seconds=limit),
                                          timeout=limit + 1)
        except asyncio.CancelledError:
            raise
        except Exception as e:
            raise from_transport(self.cluster, e, self.server) from None
        if not 200 <= resp.status <= 299:
            raise from_status(self.cluster, resp.status, resp.text, what or f"{method} {path}",
                              resp.headers.get("Retry-After"))
        return resp

    async def json(self, method: str, path: str, **kw: Any) -> Json:
        resp = await self.call(method, path, **kw)
        try:
            body = resp.json()
        except ValueError:
            raise MemberError(502, 1001, self.cluster, f"{method} {path}: the member answered with invalid JSON") \
                from None
        return body if isinstance(body, dict) else {"value": body}

    # -- discovery -------------------------------------------------------------------------------

    async def discovery(self, refresh: bool = False) -> Discovery:
        key = self.server or self.cluster
        cached = None if refresh else self._discovery_cache.get(key)
        if cached is not None:
            return cached
        core, groups = await asyncio.gather(self.call("GET", "/api", accept=AGGREGATED),
                                            self.call("GET", "/apis", accept=AGGREGATED))
        core_doc, groups_doc = core.json(), groups.json()
        if core_doc.get("kind") == "APIGroupDiscoveryList" and groups_doc.get("kind") == "APIGroupDiscoveryList":
            found = parse_aggregated(core_doc, groups_doc)
        else:
            found = await self._legacy_discovery(groups_doc)
        self._discovery_cache.put(key, found)
        return found

    async def _legacy_discovery(self, groups_doc: Json) -> Discovery:
        core = await self.json("GET", "/api/v1")
        preferred = [(g["name"], g["preferredVersion"]["version"]) for g in groups_doc.get("groups") or []
                     if g.get("preferredVersion")]
        docs = await asyncio.gather(*(self.json("GET", f"/apis/{g}/{v}") for g, v in preferred),
                                    return_exceptions=True)
        ok = [(g, v, d) for (g, v), d in zip(preferred, docs, strict=True) if isinstance(d, dict)]
        return parse_legacy(core, ok)

    async def resolve(self, type_name: str) -> ResourceType:
        """A resource type by plural, singular, kind or short name; 404/1002 naming it when not served."""
        rt = (await self.discovery()).resolve(type_name)
        if rt is None:
            rt = (await self.discovery(refresh=True)).resolve(type_name)
        if rt is None:
            raise MemberError(404, 1002, self.cluster, f"resource_type {type_name!r}: not served by this cluster")
        return rt

    # -- verbs -------------------------------------------------------------------------------------

    @staticmethod
    def _shape(obj: Json, reveal: bool) -> Json:
        strip_managed_fields(obj)
        return obj if reveal or not is_secret(obj) else redact_secret(obj)

    @staticmethod
    def _what(rt: ResourceType, namespace: str | None, name: str = "") -> str:
        where = f"{namespace}/" if rt.namespaced and namespace else ""
        return f"{rt.type_name} {where}{name}".strip()

    async def get(self, rt: ResourceType, namespace: str | None, name: str, *, reveal: bool = False) -> Json:
        obj = await self.json("GET", rt.object_path(namespace, name), what=self._what(rt, namespace, name))
        return self._shape(obj, reveal)

    async def list_page(self, rt: ResourceType, namespace: str | None = None, *, label_selector: str | None = None,
                        field_selector: str | None = None, limit: int | None = None,
                        continue_token: str | None = None, metadata_only: bool = False,
                        reveal: bool = False) -> ListPage:
        query: list[tuple[str, str]] = []
        for key, value in (("labelSelector", label_selector), ("fieldSelector", field_selector),
                           ("limit", str(limit) if limit else None), ("continue", continue_token)):
            if value:
                query.append((key, value))
        doc = await self.json("GET", rt.collection_path(namespace), query=query,
                              accept=METADATA_ONLY if metadata_only else "application/json",
                              what=f"list {rt.plural}" + (f" in {namespace}" if namespace else ""))
        kind = rt.kind
        items = []
        for item in doc.get("items") or []:
            item.setdefault("kind", kind)
            item.setdefault("apiVersion", rt.api_version)
            items.append(item if metadata_only else self._shape(item, reveal))
        meta = doc.get("metadata") or {}
        remaining = meta.get("remainingItemCount")
        return ListPage(items, meta.get("continue") or None, int(remaining) if remaining is not None else None,
                        str(meta.get("resourceVersion") or ""))

    async def list_all(self, rt: ResourceType, namespace: str | None = None, *, label_selector: str | None = None,
                       field_selector: str | None = None, metadata_only: bool = False,
                       max_items: int = 5000) -> tuple[list[Json], bool]:
        """Every item, fetched in pages of 500; stops at `max_items` and says so (True: truncated)."""
        items: list[Json] = []
        token: str | None = None
        while True:
            page = await self.list_page(rt, namespace, label_selector=label_selector, field_selector=field_selector,
                                        limit=PAGE_CHUNK, continue_token=token, metadata_only=metadata_only)
            items.extend(page.items)
            token = page.continue_token
            if not token:
                return items, False
            if len(items) >= max_items:
                return items[:max_items], True

    def _refuse_huge_exponents(self, body: Any) -> None:
        where = huge_exponent(body)
        if where:
            raise MemberError(422, 422, self.cluster, f"{where}: a number with an exponent of 3 or more digits is "
                                                      "refused (a Kubernetes apiserver spends minutes parsing it)")

    async def create(self, rt: ResourceType, namespace: str | None, body: Json, *, dry_run: bool = False) -> Json:
        query = [("fieldManager", FIELD_MANAGER), ("fieldValidation", "Strict")]
        if dry_run:
            query.append(("dryRun", "All"))
        self._refuse_huge_exponents(body)
        observer = write_observer()
        if observer is not None:
            body = observer.prepare(rt, body)
        name = (body.get("metadata") or {}).get("name", "")
        obj = await self.json("POST", rt.collection_path(namespace), query=query, body=body,
                              what=f"create {self._what(rt, namespace, name)}")
        if observer is not None and not dry_run:
            await observer.written(self.cluster, rt, obj)
        return self._shape(obj, False)

    async def replace(self, rt: ResourceType, namespace: str | None, name: str, body: Json, *,
                      dry_run: bool = False) -> Json:
        """PUT: a stale metadata.resourceVersion in `body` is 409/1006, as Kubernetes decides it."""
        body = dict(body)
        body.pop(SECRET_SUMMARY, None)
        query = [("fieldManager", FIELD_MANAGER), ("fieldValidation", "Strict")]
        if dry_run:
            query.append(("dryRun", "All"))
        self._refuse_huge_exponents(body)
        observer = write_observer()
        if observer is not None:
            body = observer.prepare(rt, body)
        obj = await self.json("PUT", rt.object_path(namespace, name), query=query, body=body,
                              what=f"update {self._what(rt, namespace, name)}")
        if observer is not None and not dry_run:
            await observer.written(self.cluster, rt, obj)
        return self._shape(obj, False)

    async def patch(self, rt: ResourceType, namespace: str | None, name: str, patch: Any, *,
                    patch_type: PatchType = "merge", subresource: str = "", dry_run: bool = False,
                    force: bool = False) -> Json:
        query = [("fieldManager", FIELD_MANAGER), ("fieldValidation", "Strict")]
        if patch_type == "apply" and force:
            query.append(("force", "true"))
        if dry_run:
            query.append(("dryRun", "All"))
        self._refuse_huge_exponents(patch)
        obj = await self.json("PATCH", rt.object_path(namespace, name, subresource), query=query, body=patch,
                              content_type=PATCH_CONTENT[patch_type],
                              what=f"patch {self._what(rt, namespace, name)}")
        observer = write_observer()
        if observer is not None and not dry_run and not subresource:
            await observer.written(self.cluster, rt, obj)
        return self._shape(obj, False)

    async def delete(self, rt: ResourceType, namespace: str | None, name: str, *,
                     propagation: Literal["Background", "Foreground", "Orphan"] = "Background",
                     dry_run: bool = False) -> Json:
        body: JsonObject = {"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": propagation}
        if dry_run:
            body["dryRun"] = ["All"]
        doc = await self.json("DELETE", rt.object_path(namespace, name), body=body,
                              what=f"delete {self._what(rt, namespace, name)}")
        return self._shape(doc, False) if doc.get("kind") == rt.kind else doc

    # -- pods: reading one, exec and logs (cloudops.containers reads the streams) ----------------------

    async def pod(self, namespace: str, name: str) -> KubeObject:
        """One pod as the member sends it; 404/1002 naming it when there is none."""
        path = f"/api/v1/namespaces/{namespace}/pods/{name}"
        resp = await self.call("GET", path, what=f"pod {namespace}/{name}")
        try:
            pod: KubeObject = resp.json()
        except ValueError:
            raise MemberError(502, 1001, self.cluster, f"GET {path}: the member answered with invalid JSON") \
                from None
        return pod if isinstance(pod, dict) else {}

    def _exec_target(self, namespace: str, pod: str, container: str) -> ExecTarget:
        return ExecTarget(self.api, self.cluster, self.server, namespace, pod, container)

    async def exec(self, namespace: str, pod: str, container: str, argv: Sequence[str], *, seconds: float,
                   cap: int, stdin: bytes | None = None,
                   on_stdout: Callable[[bytes], Awaitable[None]] | None = None) -> ExecResult:
        """Runs `argv` (never a shell string) in a container to its exit or for `seconds`
        (cloudops.members.exec.run: output caps, timeouts, ExecFailure when it could not start)."""
        return await run(self._exec_target(namespace, pod, container), argv, seconds=seconds, cap=cap, stdin=stdin,
                         on_stdout=on_stdout)

    async def open_exec(self, namespace: str, pod: str, container: str, argv: Sequence[str], *,
                        stdin: bool = False, tty: bool = False) -> ExecChannel:
        """An interactive exec stream in a container (web terminals); the caller closes it."""
        return await open_exec(self._exec_target(namespace, pod, container), argv, stdin=stdin, tty=tty)

    @asynccontextmanager
    async def logs(self, req: LogRequest) -> AsyncIterator[LogStream]:
        """A container's log as it streams; closed on leaving, however the caller leaves."""
        resp = await log_response(self.api, self.cluster, self.server, req.path, req.query(), follow=req.follow,
                                  what=req.what, connect_seconds=self.timeout)
        stream = LogStream(resp)
        try:
            yield stream
        finally:
            stream.close()
