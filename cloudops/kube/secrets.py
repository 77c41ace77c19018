"""Secrets in the hub: the only place credentials are stored."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from kubernetes_asyncio.client import (
    ApiClient,
    CoreV1Api,
    V1DeleteOptions,
    V1ObjectMeta,
    V1OwnerReference,
    V1Preconditions,
    V1Secret,
)
from kubernetes_asyncio.client.exceptions import ApiException

from cloudops.kube.errors import NotFound, translate
from cloudops.kube.types import OwnerReference

__all__ = ["Secrets", "StoredSecret"]


@dataclass(frozen=True)
class StoredSecret:
    """A Secret as read back: its data decoded to text (credentials; never logged, never returned)."""

    name: str
    labels: dict[str, str] = field(default_factory=dict)
    data: dict[str, str] = field(repr=False, default_factory=dict)
    created: str = ""
    resource_version: str = ""
    uid: str = ""

    @classmethod
    def of(cls, secret: Any) -> StoredSecret:
        meta = secret.metadata
        created = meta.creation_timestamp
        return cls(meta.name or "", dict(meta.labels or {}),
                   {k: base64.b64decode(v).decode() for k, v in (secret.data or {}).items()},
                   created.isoformat() if hasattr(created, "isoformat") else str(created or ""),
                   meta.resource_version or "", meta.uid or "")


class Secrets:
    def __init__(self, api: ApiClient, namespace: str) -> None:
        self._core = CoreV1Api(api)
        self.namespace = namespace

    async def create(self, name: str, data: dict[str, str], labels: dict[str, str] | None = None,
                     owner: V1OwnerReference | None = None) -> None:
        body = V1Secret(
            metadata=V1ObjectMeta(name=name, namespace=self.namespace, labels=labels or {},
                                  owner_references=[owner] if owner else None),
            type="Opaque",
            data={k: base64.b64encode(v.encode()).decode() for k, v in data.items()},
        )
        try:
            await self._core.create_namespaced_secret(self.namespace, body)
        except ApiException as e:
            raise translate(e) from None

    async def delete(self, name: str, uid: str = "") -> bool:
        """Deletes the Secret (only the one of `uid` when given: a Conflict if it was replaced); False if it was
        already gone."""
        options = V1DeleteOptions(preconditions=V1Preconditions(uid=uid) if uid else None)
        try:
            await self._core.delete_namespaced_secret(name, self.namespace, body=options)
        except ApiException as e:
            err = translate(e)
            if isinstance(err, NotFound):
                return False
            raise err from None
        return True

    async def replace(self, stored: StoredSecret, data: dict[str, str]) -> None:
        """New data for a Secret as read: a Conflict when it changed since (the read's resourceVersion)."""
        body = V1Secret(metadata=V1ObjectMeta(name=stored.name, namespace=self.namespace, labels=stored.labels,
                                              resource_version=stored.resource_version or None),
                        type="Opaque", data={k: base64.b64encode(v.encode()).decode() for k, v in data.items()})
        try:
            await self._core.replace_namespaced_secret(stored.name, self.namespace, body)
        except ApiException as e:
            raise translate(e) from None

    async def read(self, name: str) -> StoredSecret | None:
        """The Secret, decoded; None when it does not exist."""
        try:
            return StoredSecret.of(await self._core.read_namespaced_secret(name, self.namespace))
        except ApiException as e:
            err = translate(e)
            if isinstance(err, NotFound):
                return None
            raise err from None

    async def list(self, label_selector: str) -> list[StoredSecret]:
        try:
            found = await self._core.list_namespaced_secret(self.namespace, label_selector=label_selector)
        except ApiException as e:
            raise translate(e) from None
        return [StoredSecret.of(s) for s in found.items]

    async def create_bytes(self, name: str, data: dict[str, bytes], labels: dict[str, str] | None = None,
                           owner: OwnerReference | None = None) -> None:
        """A Secret holding binary values (backup content, key material), optionally owned by `owner`."""
        ref = None if owner is None else V1OwnerReference(api_version=owner["apiVersion"], kind=owner["kind"],
                                                          name=owner["name"], uid=owner["uid"])
        body = V1Secret(metadata=V1ObjectMeta(name=name, namespace=self.namespace, labels=labels or {},
                                              owner_references=[ref] if ref else None),
                        type="Opaque", data={k: base64.b64encode(v).decode() for k, v in data.items()})
        try:
            await self._core.create_namespaced_secret(self.namespace, body)
        except ApiException as e:
            raise translate(e) from None

    async def read_bytes(self, name: str) -> dict[str, bytes] | None:
        """The Secret's values as bytes; None when it does not exist."""
        try:
            secret = await self._core.read_namespaced_secret(name, self.namespace)
        except ApiException as e:
            err = translate(e)
            if isinstance(err, NotFound):
                return None
            raise err from None
        return {k: base64.b64decode(v) for k, v in (secret.data or {}).items()}
