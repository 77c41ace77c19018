"""MetricHistory (crds/metrichistories.yaml): a downsampled history of one family of samples about one object.

A point declares only `t` and `n` and preserves the rest (the family's numeric fields, listed in
status.fields): `HistoryPoint` keeps them as float extras (`point.model_extra`, e.g. {"cpu": 12.5}).
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from cloudops.constants import METRIC_HISTORY, Kind
from cloudops.resources.base import CustomResource, FreeForm, ObjectRef, OpenModel, ResourceModel, Timestamp

__all__ = ["HistoryPoint", "HistorySeries", "HistorySubject", "MetricHistory", "MetricHistorySpec",
           "MetricHistoryStatus"]


class HistoryPoint(OpenModel):
    t: Timestamp
    n: int | None = None

    __pydantic_extra__: dict[str, float] = Field(init=False)  # the sampled fields, as floats


class HistorySeries(ResourceModel):
    range_1h: list[HistoryPoint] | None = Field(default=None, alias="1h")
    range_24h: list[HistoryPoint] | None = Field(default=None, alias="24h")
    range_7d: list[HistoryPoint] | None = Field(default=None, alias="7d")
    range_30d: list[HistoryPoint] | None = Field(default=None, alias="30d")


class HistorySubject(ResourceModel):
    kind: str
    namespace: str | None = None
    name: str


class MetricHistorySpec(ResourceModel):
    family: str
    """What is sampled, e.g. quota-usage, probe, pod-usage (immutable)."""
    cluster_ref: ObjectRef
    subject: HistorySubject


class MetricHistoryStatus(ResourceModel):
    updated_time: Timestamp | None = None
    attributes: FreeForm | None = None
    """The subject's last known attributes (a pod's node, owner, labels), free-form."""
    fields: list[str] | None = None
    series: HistorySeries | None = None


class MetricHistory(CustomResource):
    KIND: ClassVar[Kind] = METRIC_HISTORY

    kind: Literal["MetricHistory"] = "MetricHistory"
    spec: MetricHistorySpec
    status: MetricHistoryStatus | None = None
