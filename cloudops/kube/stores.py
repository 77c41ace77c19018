"""Typed access to one kind of custom resource in the hub: the models of cloudops.resources in and out of
cloudops.kube.custom_objects.CustomObjects (which stays reachable as `raw`).

Reads are validated into the kind's model (`model_validate`); writes go out as wire JSON: `create` sends
`dump(obj)` (aliases, no nulls), the patches send JSON merge patches built with `dump_patch` (only the fields
that were set; a field set to None is sent as null and removed). Failures are cloudops.kube.errors.KubeError,
as with CustomObjects; a body the API server returns that does not fit the model raises pydantic's
ValidationError.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from typing import Any, Generic, TypeVar

from kubernetes_asyncio.client import ApiClient
from pydantic import BaseModel

from cloudops.kube.custom_objects import CustomObjects
from cloudops.resources.base import CustomResource, dump, dump_patch, spec_model, status_model

__all__ = ["HubStore"]

M = TypeVar("M", bound=CustomResource)
Changes = BaseModel | Mapping[str, Any]


def _wire_names(model: type[BaseModel]) -> set[str]:
    return {info.alias or name for name, info in model.model_fields.items()}


def _patch_body(changes: Changes, expected: type[BaseModel] | type[dict[str, object]], what: str) -> dict[str, Any]:
    """A merge patch from a model (must be the expected class) or a mapping in wire (camelCase) names."""
    if isinstance(changes, BaseModel):
        if not (isinstance(expected, type) and issubclass(expected, BaseModel) and isinstance(changes, expected)):
            raise TypeError(f"{what}: expected {expected.__name__}, got {type(changes).__name__}")
        return dump_patch(changes)
    body = dict(changes)
    if issubclass(expected, BaseModel):
        unknown = set(body) - _wire_names(expected)
        if unknown:
            raise ValueError(f"{what}: not a field of {expected.__name__} (wire names are camelCase): "
                             f"{', '.join(sorted(unknown))}")
    return body


class HubStore(Generic[M]):
    """One kind (`model`, a cloudops.resources top-level class) in one namespace of the hub."""

    def __init__(self, api: ApiClient, model: type[M], namespace: str) -> None:
        self.model = model
        self.raw = CustomObjects(api, model.KIND, namespace)

    @classmethod
    def over(cls, raw: CustomObjects, model: type[M]) -> HubStore[M]:
        """A store around an existing CustomObjects (of the model's kind)."""
        if raw.kind != model.KIND:
            raise TypeError(f"{model.__name__} objects are {model.KIND.plural}, not {raw.kind.plural}")
        store = cls.__new__(cls)
        store.model, store.raw = model, raw
        return store

    @property
    def namespace(self) -> str:
        return self.raw.namespace

    def _read(self, body: Mapping[str, Any]) -> M:
        return self.model.model_validate(body)

    async def get(self, name: str) -> M:
        return self._read(await self.raw.get(name))

    async def list(self, label_selector: str | None = None) -> builtins.list[M]:
        return [self._read(item) for item in await self.raw.list(label_selector)]

    async def create(self, obj: M) -> M:
        """Creates `obj` as it dumps (metadata.name or generateName must be set); returns the stored object."""
        if not isinstance(obj, self.model):
            raise TypeError(f"expected {self.model.__name__}, got {type(obj).__name__}")
        return self._read(await self.raw.create(dump(obj)))

    async def patch(self, name: str, patch: Mapping[str, Any]) -> M:
        """A raw JSON merge patch of the object (wire names), e.g. {"metadata": {"annotations": {...}}}."""
        return self._read(await self.raw.patch(name, dict(patch)))

    async def patch_spec(self, name: str, spec_changes: Changes) -> M:
        """Merge-patches the spec with a `<Kind>Spec` (its set fields) or a mapping of wire names."""
        spec = spec_model(self.model)
        return self._read(await self.raw.patch(name, {"spec": _patch_body(spec_changes, spec, "spec")}))

    async def patch_status(self, name: str, status: Changes) -> M:
        """Merge-patches the status subresource with a `<Kind>Status` (its set fields) or a mapping of wire names."""
        model = status_model(self.model)
        if model is None:
            raise TypeError(f"{self.model.__name__} has no status")
        return self._read(await self.raw.patch_status(name, _patch_body(status, model, "status")))

    async def delete(self, name: str) -> None:
        await self.raw.delete(name)
