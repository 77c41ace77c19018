"""A watch-backed cache of one resource in one namespace: list once, then follow the watch.

Reads come from memory, so a request costs no LIST of the hub; the cache is a copy of the API server's
truth (never state of its own): a restarted process lists again and converges on the same view.
- resumes the watch from the last resourceVersion (bookmarks keep it fresh), relists on 410 Gone;
- `synced` is set once the first list is in: readiness waits for it;
- `upsert` lets a writer see its own write at once (read-your-writes), kept only if not older than
  what the watch already delivered;
- indexes are plain functions of an object, recomputed on every change;
- `key` names items (default metadata.name; "namespace/name" for a watch across namespaces), and
  `on_event(type, obj)` is told of every change (and of every listed object, type LISTED) so a consumer can
  react to the object that changed instead of rescanning the cache.

`Informer[Obj]` holds objects of type `Obj` (say `Informer[KubeObject]`; plain `Informer` keeps them as decoded
dicts): the JSON the API server lists at `path` is taken for that type as it comes, like any decoded response.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable, Mapping
from typing import Any, Generic

from kubernetes_asyncio.client import ApiClient
from typing_extensions import TypeVar

from cloudops.kube.raw import request

__all__ = ["Informer", "namespaced_key"]

log = logging.getLogger("cloudops.informer")
Obj = TypeVar("Obj", bound=Mapping[str, object], default=dict[str, Any])
WATCH_SECONDS = 290


def _meta(obj: Mapping[str, object]) -> Mapping[str, object]:
    meta = obj.get("metadata")
    return meta if isinstance(meta, Mapping) else {}


def _name(obj: Mapping[str, object]) -> str:
    return str(_meta(obj).get("name") or "")


def namespaced_key(obj: Mapping[str, object]) -> str:
    """`namespace/name`: the key for a watch across namespaces (names repeat between namespaces)."""
    meta = _meta(obj)
    return f"{meta.get('namespace') or ''}/{meta.get('name') or ''}"


def _rv(obj: Mapping[str, object]) -> int:
    raw = str(_meta(obj).get("resourceVersion") or "0")
    return int(raw) if raw.isascii() and raw.isdigit() else 0


class Informer(Generic[Obj]):
    def __init__(self, api: ApiClient, path: str, *, accept: str = "application/json",
                 indexes: dict[str, Callable[[Obj], str | None]] | None = None, page_size: int = 500,
                 key: Callable[[Obj], str] = _name, on_event: Callable[[str, Obj], None] | None = None,
                 selector: str = "") -> None:
        self.api, self.path, self.accept, self.page_size = api, path, accept, page_size
        self.selector = [("labelSelector", selector)] if selector else []
        self.key, self.on_event = key, on_event
        self.items: dict[str, Obj] = {}
        self.resource_version = ""
        self.synced = asyncio.Event()
        self.lists = 0  # full LISTs made: 1 at start, then only after 410 Gone or a broken watch
        self.events = 0
        self._index_fns = indexes or {}
        self._indexes: dict[str, dict[str, str]] = {n: {} for n in self._index_fns}
        self._task: asyncio.Task[None] | None = None
        self._changed = asyncio.Condition()

    # -- reads ---------------------------------------------------------------------------------------------

    def get(self, name: str) -> Obj | None:
        return self.items.get(name)

    def by(self, index: str, key: str) -> Obj | None:
        name = self._indexes[index].get(key)
        return self.items.get(name) if name is not None else None

    def values(self) -> list[Obj]:
        return list(self.items.values())

    async def wait_for(self, predicate: Callable[[], bool], seconds: float) -> bool:
        """Until `predicate()` holds after some change (or now), at most `seconds`."""
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(predicate), seconds)
            except TimeoutError:
                return False
        return True

    # -- writes from this process (read-your-writes) ---------------------------------------------------

    def upsert(self, obj: Obj) -> None:
        name = self.key(obj) if _meta(obj).get("name") else ""
        if not name:
            return
        current = self.items.get(name)
        if current is None or _rv(obj) >= _rv(current):
            self._put(name, obj)

    def _put(self, name: str, obj: Obj) -> None:
        self._unindex(name)
        self.items[name] = obj
        for index, fn in self._index_fns.items():
            key = fn(obj)
            if key is not None:
                self._indexes[index][key] = name

    def _unindex(self, name: str) -> None:
        old = self.items.get(name)
        if old is None:
            return
        for index, fn in self._index_fns.items():
            key = fn(old)
            if key is not None and self._indexes[index].get(key) == name:
                del self._indexes[index][key]

    def _drop(self, name: str) -> None:
        self._unindex(name)
        self.items.pop(name, None)

    # -- the loop ----------------------------------------------------------------------------------------------

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"informer {self.path}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _list(self) -> None:
        items: dict[str, Obj] = {}
        token = ""
        while True:
            query = [("limit", str(self.page_size)), *self.selector] + ([("continue", token)] if token else [])
            resp = await request(self.api, "GET", self.path, query=query, accept=self.accept.replace(
                "as=PartialObjectMetadata;", "as=PartialObjectMetadataList;"), seconds=60)
            if resp.status != 200:
                raise RuntimeError(f"list {self.path}: HTTP {resp.status}")
            doc = resp.json()
            for obj in doc.get("items") or []:
                items[self.key(obj)] = obj
            meta = doc.get("metadata") or {}
            token = meta.get("continue") or ""
            if not token:
                self.resource_version = str(meta.get("resourceVersion") or "")
                break
        self.lists += 1
        for name in list(self.items):
            if name not in items:
                gone = self.items[name]
                self._drop(name)
                if self.on_event is not None:
                    self.on_event("DELETED", gone)
        for name, obj in items.items():
            self._put(name, obj)
            if self.on_event is not None:
                self.on_event("LISTED", obj)
        self.synced.set()
        await self._notify()

    async def _watch(self) -> None:
        """Follows the watch until it ends; raises _Gone when the resourceVersion is too old."""
        query = [("watch", "1"), ("allowWatchBookmarks", "true"), ("timeoutSeconds", str(WATCH_SECONDS)),
                 ("resourceVersion", self.resource_version), *self.selector]
        resp = await self.api.call_api(self.path, "GET", query_params=query, header_params={"Accept": self.accept},
                                       auth_settings=["BearerToken"], _preload_content=False,
                                       _return_http_data_only=True, _request_timeout=WATCH_SECONDS + 30)
        try:
            if resp.status == 410:
                raise _Gone()
            if resp.status != 200:
                raise RuntimeError(f"watch {self.path}: HTTP {resp.status}")
            async for line in resp.content:
                if not line.strip():
                    continue
                event = json.loads(line)
                kind, obj = event.get("type", ""), event.get("object")
                if kind == "ERROR":  # `obj` is a metav1.Status
                    raise _Gone() if (obj or {}).get("code") == 410 else RuntimeError(
                        f"watch {self.path}: {(obj or {}).get('reason')}")
                if obj:
                    await self._apply(kind, obj)
        finally:
            resp.release()

    async def _apply(self, kind: str, obj: Obj) -> None:
        rv = _meta(obj).get("resourceVersion")
        if rv:
            self.resource_version = str(rv)
        if kind == "BOOKMARK":
            return
        self.events += 1
        name = self.key(obj)
        if kind == "DELETED":
            self._drop(name)
        else:
            self.upsert(obj)
        if self.on_event is not None:
            self.on_event(kind, obj)
        await self._notify()

    async def _run(self) -> None:
        backoff = 0.5
        need_list = True
        while True:
            try:
                if need_list:
                    await self._list()
                    need_list = False
                await self._watch()
                backoff = 0.5
            except asyncio.CancelledError:
                raise
            except _Gone:
                need_list = True
            except Exception as e:
                log.warning("informer %s: %s; retrying in %.1fs", self.path, e.__class__.__name__, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10.0)
                need_list = not self.resource_version


class _Gone(Exception):
    """410: the resourceVersion we watch from has been compacted away; list again."""
