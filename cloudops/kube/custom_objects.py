"""Typed access to this project's custom resources in the hub."""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from typing import Any

from kubernetes_asyncio.client import ApiClient, CustomObjectsApi
from kubernetes_asyncio.client.exceptions import ApiException

from cloudops.constants import FIELD_MANAGER, GROUP, VERSION, Kind
from cloudops.kube.errors import translate

__all__ = ["CustomObjects"]

Body = dict[str, Any]  # an object as the API server returns it (cloudops.kube.stores.HubStore gives models)
# Custom resources take JSON merge patches (no strategic merge); the generated client would pick the latter.
# (`_content_type` is missing from the client's stubs, hence Any.)
MERGE: dict[str, Any] = {"_content_type": "application/merge-patch+json"}


class CustomObjects:
    """One kind in one namespace; every failure surfaces as a cloudops.kube.errors.KubeError."""

    def __init__(self, api: ApiClient, kind: Kind, namespace: str) -> None:
        self._api = CustomObjectsApi(api)
        self.kind = kind
        self.namespace = namespace

    def _args(self) -> tuple[str, str, str, str]:
        return GROUP, VERSION, self.namespace, self.kind.plural

    @staticmethod
    async def _call(request: Awaitable[Any]) -> Any:
        try:
            return await request
        except ApiException as e:
            raise translate(e) from None

    async def list(self, label_selector: str | None = None) -> list[Body]:
        res = await self._call(self._api.list_namespaced_custom_object(
            *self._args(), label_selector=label_selector or ""))
        return list(res.get("items", []))

    async def get(self, name: str) -> Body:
        res: Body = await self._call(self._api.get_namespaced_custom_object(*self._args(), name))
        return res

    async def create(self, body: Mapping[str, object]) -> Body:
        res: Body = await self._call(self._api.create_namespaced_custom_object(
            *self._args(), dict(body), field_manager=FIELD_MANAGER))
        return res

    async def patch(self, name: str, patch: Mapping[str, object]) -> Body:
        res: Body = await self._call(self._api.patch_namespaced_custom_object(
            *self._args(), name, dict(patch), field_manager=FIELD_MANAGER, **MERGE))
        return res

    async def patch_status(self, name: str, status: Mapping[str, object]) -> Body:
        res: Body = await self._call(self._api.patch_namespaced_custom_object_status(
            *self._args(), name, {"status": status}, field_manager=FIELD_MANAGER, **MERGE))
        return res

    async def delete(self, name: str) -> None:
        await self._call(self._api.delete_namespaced_custom_object(*self._args(), name))
