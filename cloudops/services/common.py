"""Request and response pieces every section shares: paging, cluster references, per-cluster errors.

Declared once so the validation, the responses and the OpenAPI document agree across sections.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from cloudops.kube.types import JsonObject

__all__ = [
    "CLUSTER_IDS_PATTERN",
    "CLUSTER_REF_PATTERN",
    "LABEL_KEY_PATTERN",
    "NAMESPACE_PATTERN",
    "QUANTITY_PATTERN",
    "RESOURCE_TYPE_PATTERN",
    "AnnotationMap",
    "BatchSummary",
    "ClusterError",
    "ClusterRefItem",
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
CLUSTER_IDS_PATTERN = r"^([0-9]+|[a-z0-9]([-a-z0-9]*[a-z0-9])?)(,([0-9]+|[a-z0-9]([-a-z0-9]*[a-z0-9])?))*$"
LabelSelector = Annotated[str, Field(max_length=1024, description="label selector (equality- or set-based)")]
# Label (and annotation) keys and label values as Kubernetes validates them (cloudops/labels.py says why one
# is wrong); a key's prefix is a DNS subdomain, its name 1-63 characters.
LABEL_KEY_PATTERN = (r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
                     r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")
LabelKey = Annotated[str, Field(pattern=LABEL_KEY_PATTERN, max_length=317, description="label key")]
LabelValue = Annotated[str, Field(pattern=r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$", max_length=63,
                                  description="label value (may be empty)")]
# Maps keyed by label keys: the key pattern lands in patternProperties, so other keys must be shut out too.
_ONLY_LABEL_KEYS: JsonObject = {"additionalProperties": False}
LabelMap = Annotated[dict[LabelKey, LabelValue], Field(json_schema_extra=_ONLY_LABEL_KEYS)]
AnnotationMap = Annotated[dict[LabelKey, str], Field(json_schema_extra=_ONLY_LABEL_KEYS)]
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
    metadata: dict[str, object]


class BatchSummary(BaseModel):
    """Counts of a batch operation's per-item results (unified and label batches)."""

    total: int
    succeeded: int
    failed: int
