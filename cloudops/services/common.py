"""Request and response pieces every section shares: paging, cluster references, per-cluster errors.

Declared once so the validation, the responses and the OpenAPI document agree across sections.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter, WithJsonSchema

from cloudops.kube.types import JsonObject
from cloudops.labels.selectors import FIELD_SELECTOR_PATTERN, LABEL_KEY_BOUND, LABEL_SELECTOR_PATTERN, key_error

__all__ = [
    "CLUSTER_IDS_PATTERN",
    "CLUSTER_REF_PATTERN",
    "LABEL_KEY_PATTERN",
    "LABEL_KEY_SCHEMA_PATTERN",
    "NAMESPACE_PATTERN",
    "OBJECT_NAME_PATTERN",
    "OBJECT_REF_SCHEMA",
    "QUANTITY_PATTERN",
    "RESOURCE_TYPE_PATTERN",
    "AnnotationMap",
    "BatchSummary",
    "CheckedLabels",
    "ClusterError",
    "ClusterRefItem",
    "FieldSelector",
    "LabelKey",
    "LabelMap",
    "LabelSelector",
    "LabelValue",
    "MemberObject",
    "MemberObjectDetail",
    "ObjectManifest",
    "PageInfo",
    "PageQuery",
    "Quantity",
]

CLUSTER_REF_PATTERN = r"^([0-9]+|[a-z0-9]([-a-z0-9]*[a-z0-9])?)$"
NAMESPACE_PATTERN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"  # a DNS label
RESOURCE_TYPE_PATTERN = r"^[A-Za-z0-9]+(\.[A-Za-z0-9-]+)*$"  # plural, singular, kind, short name or plural.group
# One cluster reference inside cluster_ids: an integer id or a name.
# The integer branch is strict: from a query string "1\n" must not become 1 (pydantic would strip the
# newline); digits as text go through the pattern instead, which anchors at the very end.
ClusterRefItem = Annotated[Annotated[int, Field(ge=0, strict=True)] | Annotated[str, Field(
    pattern=CLUSTER_REF_PATTERN, max_length=63)],
                           Field(description="cluster id or name")]
# `cluster_ids` in a query string: ids or names separated by commas.
_CLUSTER_REF_63 = r"([0-9]{1,63}|[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)"  # each at most 63 characters
CLUSTER_IDS_PATTERN = rf"^{_CLUSTER_REF_63}(,{_CLUSTER_REF_63})*$"
# Selectors are checked by cloudops.labels.selectors, whose grammar the document shows as the pattern.
LabelSelector = Annotated[str, Field(max_length=1024, description="label selector (equality- or set-based)",
                                     json_schema_extra={"pattern": LABEL_SELECTOR_PATTERN})]
FieldSelector = Annotated[str, Field(max_length=1024, json_schema_extra={"pattern": FIELD_SELECTOR_PATTERN})]
# An object id `<cluster>:<type>:<namespace>:<name>` or a bare object name, as cloudops.members.objects reads them
# (api_shim.path_formats.OBJECT_REF for path parameters), for the document's body fields.
_LABEL_63 = r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?"
OBJECT_NAME_PATTERN = r"^[A-Za-z0-9]([A-Za-z0-9._:@-]{0,251}[A-Za-z0-9])?$"
OBJECT_REF_SCHEMA: JsonObject = {"anyOf": [
    {"pattern": rf"^{_LABEL_63}:[a-z0-9]+:({_LABEL_63})?:{OBJECT_NAME_PATTERN[1:-1]}$"},
    # A bare name; digits alone are the reference's integer ids, refused with the expected form (cloudops/id_forms.py)
    {"pattern": r"^(?![0-9]+$)[A-Za-z0-9]([A-Za-z0-9._@-]*(:[A-Za-z0-9._@-]*){0,2}[A-Za-z0-9])?$", "maxLength": 253}]}
# Label (and annotation) keys and label values as Kubernetes validates them (cloudops/labels.py says why one
# is wrong); a key's prefix is a DNS subdomain, its name 1-63 characters.
LABEL_KEY_PATTERN = (r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
                     r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")


def _prefix_bound(key: str) -> str:
    """The prefix's 253 characters, which LABEL_KEY_PATTERN cannot bound (the document's pattern can)."""
    if err := key_error(key):
        raise ValueError(err)
    return key


LABEL_KEY_SCHEMA_PATTERN = f"^{LABEL_KEY_BOUND}{LABEL_KEY_PATTERN[1:]}"  # the document's: the prefix bounded too
LabelKey = Annotated[str, Field(pattern=LABEL_KEY_PATTERN, max_length=317, description="label key",
                                json_schema_extra={"pattern": LABEL_KEY_SCHEMA_PATTERN}),
                     AfterValidator(_prefix_bound)]
LabelValue = Annotated[str, Field(pattern=r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$", max_length=63,
                                  description="label value (may be empty)")]
# Maps keyed by label keys: the key pattern lands in patternProperties, so other keys must be shut out too.
_ONLY_LABEL_KEYS: JsonObject = {"additionalProperties": False}
LabelMap = Annotated[dict[LabelKey, LabelValue], Field(json_schema_extra=_ONLY_LABEL_KEYS)]
AnnotationMap = Annotated[dict[LabelKey, str], Field(json_schema_extra=_ONLY_LABEL_KEYS)]
# Labels a service checks itself, entry by entry, in messages naming the entry (cloudops.labels.selectors): the
# document shows LabelMap's schema, the same rules.
CheckedLabels = Annotated[dict[str, str], WithJsonSchema(TypeAdapter(LabelMap).json_schema())]
# A resource.Quantity: `500m`, `8Gi`, `1e3`, `2`.
# cloudops.clusters.health.QUANTITY: exponents bounded (a member spends minutes parsing ".6E-57970540073").
QUANTITY_PATTERN = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]{1,2})?$"
Quantity = Annotated[str, Field(pattern=QUANTITY_PATTERN, max_length=64, description="quantity: 500m, 8Gi, 1e3")]


class PageQuery(BaseModel):
    """Offset paging, as the reference's list endpoints take it."""

    limit: int = Field(20, ge=1, le=1000, description="返回数量")
    offset: int = Field(0, ge=0, le=1_000_000, description="偏移量")


class PageInfo(BaseModel):
    total: int
    limit: int
    offset: int


class ClusterError(BaseModel):
    """A cluster that failed inside a multi-cluster answer: the rest of the answer stands."""

    cluster_id: int | None
    cluster_name: str
    status: int
    code: int
    error: str


class MemberObject(BaseModel):
    """An object inside a member, as the unified API (2.1) shows it; every section that lists objects uses it."""

    id: str = Field(description="<cluster id>:<type>:<namespace>:<name>")
    cluster_id: int | None
    cluster_name: str
    type: str
    kind: str
    api_version: str
    namespace: str
    name: str
    status: str
    creation_time: str | None
    labels: dict[str, str]
    spec: dict[str, object]
    status_info: dict[str, object]


class MemberObjectDetail(MemberObject):
    resource: dict[str, object] = Field(description="the object; Secrets without values unless asked and allowed")


class ObjectManifest(BaseModel):
    """A Kubernetes object as JSON: apiVersion, kind, metadata (name required) and the kind's own fields."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"required": ["metadata"]})
    apiVersion: str | None = Field(None, max_length=253)
    kind: str | None = Field(None, max_length=63)
    metadata: dict[str, object] = Field(json_schema_extra={  # the name checked where the object is sent
        "required": ["name"], "properties": {"name": {"type": "string", "minLength": 1}}})


class BatchSummary(BaseModel):
    """Counts of a batch operation's per-item results (unified and label batches)."""

    total: int
    succeeded: int
    failed: int
