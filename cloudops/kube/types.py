"""Typed shapes of what Kubernetes API servers send and take, for code that handles objects of any kind.

A kind the product knows well has a model of its own (cloudops.resources for ours); an object of any kind
(unified resource operations, backups, versions) is a `KubeObject`: apiVersion, kind and metadata are typed,
the kind-specific parts stay free-form. `JsonValue`/`JsonObject` type JSON whose shape is not ours to know:
mypy makes the reader narrow each value before using it.
"""

from __future__ import annotations

from typing import Any, TypeAlias, TypedDict

__all__ = ["JsonObject", "JsonValue", "KubeObject", "ObjectMeta", "OwnerReference"]

JsonValue: TypeAlias = "str | int | float | bool | list[JsonValue] | dict[str, JsonValue] | None"
JsonObject: TypeAlias = "dict[str, JsonValue]"


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
    creationTimestamp: str
    deletionTimestamp: str
    deletionGracePeriodSeconds: int
    labels: dict[str, str]
    annotations: dict[str, str]
    ownerReferences: list[OwnerReference]
    finalizers: list[str]
    managedFields: list[Any]


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
