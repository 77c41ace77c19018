"""Requests and answers of 多云集群 API 2. 统一资源管理: objects of any type across member clusters (2.1–2.7)."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from cloudops.resources.base import FreeForm
from cloudops.services.aliases import Aliased, invalid
from cloudops.services.common import (
    CLUSTER_IDS_PATTERN,
    BatchSummary,
    ClusterError,
    ClusterRefItem,
    FieldSelector,
    LabelSelector,
    MemberObject,
    ObjectManifest,
    PageQuery,
)
from cloudops.services.common import NAMESPACE_PATTERN as NAMESPACE
from cloudops.services.common import RESOURCE_TYPE_PATTERN as RESOURCE_TYPE

__all__ = ["BatchBody", "BatchResource", "BatchResult", "BatchRow", "CompareQuery", "CompareResult",
           "CompareSummary", "ComparedCluster", "ComparisonRow", "CreateBody", "DeleteQuery", "Deleted", "DetailQuery",
           "Difference", "ListQuery", "ObjectQuery", "Propagation", "UnifiedList", "UpdateBody"]

Namespace = Field(None, pattern=NAMESPACE, max_length=63, description="命名空间")
ResourceType = Field(pattern=RESOURCE_TYPE, max_length=253,
                     description="资源类型: plural, singular, kind or short name (pods, deployment, svc, ...)")
ClusterIds = Field(None, max_length=2000, pattern=CLUSTER_IDS_PATTERN,
                   description="集群ID列表，逗号分隔 (ids or names); absent: every readable")
ClusterIdParam = Field(None, description="cluster id or name; optional when exactly one cluster is registered")
Propagation = Literal["Background", "Foreground", "Orphan"]


# -- requests ------------------------------------------------------------------------------------------------------


class ListQuery(PageQuery, Aliased):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    cluster_ids: str | None = Field(None, max_length=2000, pattern=CLUSTER_IDS_PATTERN,
                                    validation_alias=AliasChoices("cluster_ids", "cluster_id"),
                                    description="集群ID列表，逗号分隔 (ids or names); absent: every readable; "
                                                "`cluster_id` (one cluster) is accepted too")
    resource_type: str = ResourceType
    namespace: str | None = Namespace
    label_selector: LabelSelector | None = None
    field_selector: FieldSelector | None = Field(None, description="字段选择器 (passed to the members)")
    continue_: str | None = Field(None, alias="continue", max_length=4096,
                                  description="the member's paging token (one cluster only; empty: first page)")

    @model_validator(mode="wrap")
    @classmethod
    def _one_cluster_id(cls, data: object, handler: ModelWrapValidatorHandler[Self]) -> Self:
        """`cluster_id`, the name the other sections use, names one cluster; several go in `cluster_ids`."""
        one = data.get("cluster_id") if isinstance(data, dict) else None
        if isinstance(one, str) and "," in one:
            raise invalid(cls, "cluster_id", "one cluster id or name; several go in cluster_ids", one)
        return handler(data)


class ObjectQuery(BaseModel):
    """For a bare-name `{id}`: where the object is. An id of the full form needs none of these."""

    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = ClusterIdParam
    resource_type: str | None = Field(None, pattern=RESOURCE_TYPE, max_length=253)
    namespace: str | None = Namespace


class DetailQuery(ObjectQuery):
    show_secret_values: bool = Field(False, description="Secret values too; needs the `secrets` capability")


class DeleteQuery(ObjectQuery):
    propagation_policy: Propagation = "Background"


class CreateBody(BaseModel):
    # The type, or the kind to find it; under allOf, which generated clients read as a constraint, not a union.
    model_config = ConfigDict(extra="forbid", json_schema_extra={"allOf": [{"anyOf": [
        {"required": ["resource_type"], "properties": {"resource_type": {"type": "string"}}},
        {"properties": {"resource": {"required": ["kind"],
                                     "properties": {"kind": {"type": "string", "minLength": 1}}}}}]}]})
    cluster_id: ClusterRefItem | None = ClusterIdParam
    resource_type: str | None = Field(None, pattern=RESOURCE_TYPE, max_length=253,
                                      description="defaults to resource.kind")
    namespace: str | None = Namespace
    resource: ObjectManifest


class UpdateBody(BaseModel):
    """The create call's body works here too: cluster_id, resource_type and namespace, when given, must agree
    with the object `{id}` names (400 naming the one that does not); for a bare-name `{id}` they say where it is."""

    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = Field(None, description="the id's cluster (id or name), if given")
    resource_type: str | None = Field(None, pattern=RESOURCE_TYPE, max_length=253,
                                      description="the id's type (plural, singular, kind or short name), if given")
    namespace: str | None = Field(None, pattern=NAMESPACE, max_length=63, description="the id's namespace, if given")
    resource: ObjectManifest = Field(description="the whole object; metadata.resourceVersion makes it conditional")


class BatchResource(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: str = ResourceType
    namespace: str = Field("", pattern=r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?)?$", max_length=63)
    name: str = Field(pattern=r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", max_length=253)
    parameters: FreeForm = Field(default_factory=dict, description="replicas (scale), labels (label), "
                                 "image/container or images (set_image), propagation_policy (delete)")


class BatchBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_ids: list[ClusterRefItem] = Field(min_length=1, max_length=200)
    operation: Literal["scale", "restart", "delete", "label", "set_image"]
    resources: list[BatchResource] = Field(min_length=1, max_length=100)


class CompareQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_ids: str | None = ClusterIds
    resource_type: str = ResourceType
    namespace: str | None = Namespace
    name: str | None = Field(None, pattern=r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", max_length=253)
    label_selector: LabelSelector | None = None
    include_metadata: bool = Field(True, description="labels and annotations count as differences")


# -- answers -------------------------------------------------------------------------------------------------------


class UnifiedList(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)
    resources: list[MemberObject]
    total: int | None = Field(description="null only when a member pages and does not say how many remain")
    limit: int
    offset: int
    continue_: str | None = Field(default=None, alias="continue")
    errors: list[ClusterError]
    notes: list[str]


class Deleted(BaseModel):
    id: str
    deleted: bool
    propagation_policy: str


class BatchRow(BaseModel):
    id: str
    cluster_id: int | None
    cluster_name: str
    type: str
    namespace: str
    name: str
    success: bool
    status: int
    code: int
    error: str | None = None
    result: FreeForm | None = None

    @model_serializer(mode="wrap")
    def _set_fields_only(self, handler: SerializerFunctionWrapHandler) -> object:
        """A success row carries `result`, a failure `error`: the other is left out, not sent as null."""
        out = handler(self)
        if isinstance(out, dict):
            for name in ("error", "result"):
                if name not in self.model_fields_set:
                    out.pop(name, None)
        return out


class BatchResult(BaseModel):
    operation: str
    status: Literal["success", "partial", "failed"]
    summary: BatchSummary
    results: list[BatchRow]


class Difference(BaseModel):
    model_config = ConfigDict(extra="allow")
    field: str = Field(description="path such as spec.template.spec.containers[0].image; cluster_N_value follow")


class ComparisonRow(BaseModel):
    model_config = ConfigDict(extra="allow")
    resource_name: str
    missing_in: list[int | str]
    differences: list[Difference]
    identical: bool


class ComparedCluster(BaseModel):
    key: str
    cluster_id: int | None
    cluster_name: str


class CompareSummary(BaseModel):
    resources: int
    identical: int
    different: int


class CompareResult(BaseModel):
    comparison: list[ComparisonRow]
    clusters: list[ComparedCluster]
    summary: CompareSummary
    errors: list[ClusterError]
