"""Objects of any type as the unified API (2.1) shows them; the CRD section shows custom resources alike."""

from __future__ import annotations

from cloudops.kube.types import KubeObject
from cloudops.members.access import ClusterRef
from cloudops.members.objects import item_view
from cloudops.services.common import MemberObject, MemberObjectDetail

__all__ = ["member_object", "member_object_detail"]


def member_object(cluster: ClusterRef, type_name: str, obj: KubeObject) -> MemberObject:
    return MemberObject.model_validate(item_view(cluster.id, cluster.name, type_name, obj))


def member_object_detail(cluster: ClusterRef, type_name: str, obj: KubeObject) -> MemberObjectDetail:
    """The item view with the object itself (a Secret as the session returned it: without values unless asked)."""
    return MemberObjectDetail.model_validate({**item_view(cluster.id, cluster.name, type_name, obj), "resource": obj})
