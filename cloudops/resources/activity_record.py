"""ActivityRecord (crds/activityrecords.yaml): one entry of a bounded history (exec, log export, self-healing...).

Immutable; the CRD declares no status."""

from __future__ import annotations

from typing import ClassVar, Literal

from cloudops.constants import ACTIVITY_RECORD, Kind
from cloudops.resources.base import CustomResource, FreeForm, ObjectRef, ResourceModel, Timestamp

__all__ = ["ActivityRecord", "ActivityRecordSpec", "ActivitySubject"]


class ActivitySubject(ResourceModel):
    """The member object the entry is about; `part` e.g. a container name."""

    kind: str | None = None
    namespace: str | None = None
    name: str | None = None
    part: str | None = None


class ActivityRecordSpec(ResourceModel):
    stream: str
    """e.g. exec, log-export, self-healing."""
    cluster_ref: ObjectRef
    subject: ActivitySubject | None = None
    actor: str | None = None
    occurred_at: Timestamp
    data: FreeForm | None = None
    """The stream's own fields (free-form)."""


class ActivityRecord(CustomResource):
    KIND: ClassVar[Kind] = ACTIVITY_RECORD

    kind: Literal["ActivityRecord"] = "ActivityRecord"
    spec: ActivityRecordSpec
