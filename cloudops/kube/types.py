"""Typed shapes of what Kubernetes API servers send and take, for code that handles objects of any kind.

A kind the product knows well has a model of its own (cloudops.resources for ours); an object of any kind
(unified resource operations, backups, versions) is a `KubeObject`: apiVersion, kind and metadata are typed,
the kind-specific parts stay free-form. `JsonValue`/`JsonObject` type JSON whose shape is not ours to know:
mypy makes the reader narrow each value before using it. The shapes of core kinds that code reads field by
field are in cloudops.kube.shapes.

These are typing_extensions TypedDicts, so pydantic can validate into them (Python 3.11); `Many` and `StrMap`
read a `null` list or map as empty, the way Kubernetes means it.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeAlias, TypeVar

from pydantic import BeforeValidator
from typing_extensions import TypedDict

__all__ = ["JsonObject", "JsonValue", "KubeObject", "Many", "ObjectMeta", "OwnerReference", "StrMap"]

JsonValue: TypeAlias = "str | int | float | bool | list[JsonValue] | dict[str, JsonValue] | None"
JsonObject: TypeAlias = "dict[str, JsonValue]"
T = TypeVar("T")


def _list(value: object) -> object:
    return [] if value is None else value


def _map(value: object) -> object:
    return {} if value is None else value


# Kubernetes sends `null` for some empty lists (an EndpointSlice's `endpoints` and `ports`): read as empty.
Many = Annotated[list[T], BeforeValidator(_list)]
StrMap = Annotated[dict[str, str], BeforeValidator(_map)]


class OwnerReference(TypedDict, total=False):
    apiVersion: str
    kind: str
    name: str
    uid: str
    controller: bool
    blockOwnerDeletion: bool


class ObjectMeta(TypedDict, total=False):
    name: str
    generateName: str
    namespace: str
    uid: str
    resourceVersion: str
    generation: int
    creationTimestamp: str | None  # null in objects never stored
    deletionTimestamp: str
    deletionGracePeriodSeconds: int
    labels: StrMap
    annotations: StrMap
    ownerReferences: Many[OwnerReference]
    finalizers: Many[str]
    managedFields: Many[Any]


class KubeObject(TypedDict, total=False):
    """An object of any kind as the API server sends it; the kind-specific top-level fields are free-form."""

    apiVersion: str
    kind: str
    metadata: ObjectMeta
    spec: Any
    status: Any
    # Kinds without spec/status keep their content at the top level.
    data: Any
    stringData: Any
    binaryData: Any
    type: str
    immutable: bool
    rules: Any
    roleRef: Any
    subjects: Any
    subsets: Any
    webhooks: Any
    items: list[Any]
