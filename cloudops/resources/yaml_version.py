"""YamlVersion (crds/yamlversions.yaml): one recorded version of one member object (content gzip + base64)."""

from __future__ import annotations

from typing import ClassVar, Literal

from cloudops.constants import YAML_VERSION, Kind
from cloudops.resources.base import CustomResource, FreeForm, ObjectRef, ResourceModel

__all__ = ["YamlVersion", "YamlVersionSpec"]


class YamlVersionSpec(ResourceModel):
    """Written once; tags and tagDescriptions are the only fields that change afterwards."""

    cluster_ref: ObjectRef
    resource_id: str | None = None
    group: str
    api_version: str | None = None
    plural: str
    type: str | None = None
    namespace: str | None = None
    name: str
    number: int
    version: str | None = None
    change_log: str | None = None
    created_by: str | None = None
    branch: str | None = None
    tags: list[str] | None = None
    tag_descriptions: dict[str, str] | None = None
    sha256: str
    content: str


class YamlVersion(CustomResource):
    KIND: ClassVar[Kind] = YAML_VERSION

    kind: Literal["YamlVersion"] = "YamlVersion"
    spec: YamlVersionSpec
    status: FreeForm | None = None
    """The CRD keeps a free-form status (x-kubernetes-preserve-unknown-fields); nothing writes it today."""
