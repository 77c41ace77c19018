"""Secrets in the hub: the only place credentials are stored."""

from __future__ import annotations

import base64

from kubernetes_asyncio.client import ApiClient, CoreV1Api, V1ObjectMeta, V1OwnerReference, V1Secret
from kubernetes_asyncio.client.exceptions import ApiException

from cloudops.kube.errors import NotFound, translate

__all__ = ["Secrets"]


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

    async def delete(self, name: str) -> bool:
        """Deletes the Secret; False if it was already gone."""
        try:
            await self._core.delete_namespaced_secret(name, self.namespace)
        except ApiException as e:
            err = translate(e)
            if isinstance(err, NotFound):
                return False
            raise err from None
        return True
