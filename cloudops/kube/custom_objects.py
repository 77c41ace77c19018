"""Typed access to this project's custom resources in the hub."""

from __future__ import annotations

from typing import Any

from kubernetes_asyncio.client import ApiClient, CustomObjectsApi
from kubernetes_asyncio.client.exceptions import ApiException

from cloudops.constants import GROUP, VERSION, Kind
from cloudops.kube.errors import translate

__all__ = ["CustomObjects"]

Body = dict[str, Any]


class CustomObjects:
    """One kind in one namespace; every failure surfaces as a cloudops.kube.errors.KubeError."""

    def __init__(self, api: ApiClient, kind: Kind, namespace: str) -> None:
        self._api = CustomObjectsApi(api)
        self.kind = kind
        self.namespace = namespace

    async def list(self, label_selector: str | None = None) -> list[Body]:
        try:
            res = await self._api.list_namespaced_custom_object(
                GROUP, VERSION, self.namespace, self.kind.plural, label_selector=label_selector or ""
            )
        except ApiException as e:
            raise translate(e) from None
        return list(res.get("items", []))

    async def get(self, name: str) -> Body:
        try:
            res: Body = await self._api.get_namespaced_custom_object(
                GROUP, VERSION, self.namespace, self.kind.plural, name
            )
        except ApiException as e:
            raise translate(e) from None
        return res
