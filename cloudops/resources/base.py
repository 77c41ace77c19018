"""Shared pieces of the typed custom-resource models (one module per kind, written from crds/*.yaml).

Conventions, held against the CRDs by tests/unit/test_resource_models.py:
- Python names are snake_case, the camelCase wire name is the alias (`populate_by_name`: both are accepted);
- unknown fields are ignored (`extra="ignore"`), except where the schema preserves them: an object without
  properties is a `FreeForm` dict, one with properties is a model with `extra="allow"` (see `OpenModel`);
- a required property is a required field, an optional one is `X | None = None`, or carries the CRD's
  `default:` (the API server fills it in, so objects read back always have it);
- an enum is a Literal; date-time strings stay `str` (`Timestamp`), exactly as the API server returns them.

Writing: `dump(model)` for whole objects (create), `dump_patch(model)` for JSON merge patches.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal, TypeAlias, get_args

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from cloudops.constants import Kind

__all__ = [
    "API_VERSION_LITERAL",
    "Condition",
    "ConditionStatus",
    "CustomResource",
    "FreeForm",
    "ObjectMeta",
    "ObjectRef",
    "OpenModel",
    "OwnerReference",
    "ResourceModel",
    "Timestamp",
    "dump",
    "dump_patch",
    "spec_model",
    "status_model",
]

FreeForm: TypeAlias = dict[str, object]
"""An object with x-kubernetes-preserve-unknown-fields and no declared properties: any JSON object."""

Timestamp: TypeAlias = str
"""A `format: date-time` string as stored, e.g. 2026-01-01T00:00:00Z (RFC 3339)."""

ConditionStatus: TypeAlias = Literal["True", "False", "Unknown"]

API_VERSION_LITERAL: TypeAlias = Literal["cloudops.io/v1alpha1"]


class ResourceModel(BaseModel):
    """Base of every model: camelCase aliases, snake_case names, unknown fields ignored."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class OpenModel(ResourceModel):
    """An object whose schema declares properties and also preserves unknown fields: the undeclared ones are
    kept (`model_extra`) and written back."""

    model_config = ConfigDict(extra="allow")


class ObjectRef(ResourceModel):
    """A reference by name to an object in the same namespace (clusterRef, checkRef)."""

    name: str


class Condition(ResourceModel):
    """metav1.Condition, as every kind with conditions declares it."""

    type: str
    status: ConditionStatus
    observed_generation: int | None = None
    last_transition_time: Timestamp
    reason: str | None = None
    message: str | None = None


class OwnerReference(ResourceModel):
    api_version: str
    kind: str
    name: str
    uid: str
    controller: bool | None = None
    block_owner_deletion: bool | None = None


class ObjectMeta(ResourceModel):
    """The part of metav1.ObjectMeta this project reads or writes (managedFields and the like are dropped)."""

    name: str | None = None
    generate_name: str | None = None
    namespace: str | None = None
    labels: dict[str, str] | None = None
    annotations: dict[str, str] | None = None
    resource_version: str | None = None
    uid: str | None = None
    creation_timestamp: Timestamp | None = None
    generation: int | None = None
    deletion_timestamp: Timestamp | None = None
    owner_references: list[OwnerReference] | None = None
    finalizers: list[str] | None = None


class CustomResource(ResourceModel):
    """Base of the top-level models; each kind adds `kind`, `spec` and (where the CRD has one) `status`."""

    KIND: ClassVar[Kind]

    api_version: API_VERSION_LITERAL = "cloudops.io/v1alpha1"
    kind: str
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)


def _model_of(resource: type[CustomResource], field: str) -> type[BaseModel] | type[dict[str, object]] | None:
    info = resource.model_fields.get(field)
    if info is None:
        return None
    for candidate in (info.annotation, *get_args(info.annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
        if candidate is not type(None) and getattr(candidate, "__origin__", None) is dict:
            return dict
    return None


def spec_model(resource: type[CustomResource]) -> type[BaseModel]:
    """The kind's `<Kind>Spec` class."""
    found = _model_of(resource, "spec")
    if not (isinstance(found, type) and issubclass(found, BaseModel)):
        raise TypeError(f"{resource.__name__} has no spec model")
    return found


def status_model(resource: type[CustomResource]) -> type[BaseModel] | type[dict[str, object]] | None:
    """The kind's `<Kind>Status` class, `dict` for a free-form status, None when the CRD has no status."""
    return _model_of(resource, "status")


def dump(model: BaseModel) -> dict[str, Any]:
    """The model as the API server wants it on create/replace: wire names, no nulls, JSON types."""
    return model.model_dump(by_alias=True, exclude_none=True, mode="json")


def dump_patch(model: BaseModel) -> dict[str, Any]:
    """The model as a JSON merge patch: only the fields that were set (read from the server, passed to the
    constructor or assigned), so defaults never overwrite stored values; a field explicitly set to None is
    sent as null, which removes it."""
    return model.model_dump(by_alias=True, exclude_unset=True, mode="json")
