"""autoscaling/v2 HorizontalPodAutoscalers in member clusters (智能运维 1.1–1.3).

The member is the truth: its API server validates what we send (a bad metric or min above max is its
422 naming the field) and its controller-manager scales; the list shows what that controller reports
(current and desired replicas, current metric values, AbleToScale / ScalingActive / ScalingLimited).
Requests use the reference's snake_case; they are sent as autoscaling/v2 camelCase and shown back in
snake_case.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from pydantic import BaseModel

from cloudops.clusters.health import parse_quantity
from cloudops.errors import BadRequest, Unprocessable
from cloudops.kube.types import KubeObject, ObjectMeta
from cloudops.members.access import ClusterRef
from cloudops.members.discovery import ResourceType
from cloudops.members.objects import ObjectId, as_object, locate
from cloudops.members.session import MemberSession
from cloudops.resources.base import FreeForm
from cloudops.services.autoscaling.models import (
    Behavior,
    Condition,
    CreateHpa,
    CurrentMetric,
    HpaList,
    HpaRef,
    HpaView,
    ListQuery,
    MetricSpec,
    TargetRef,
    UpdateHpa,
)
from cloudops.services.base import Service

__all__ = ["AutoscalingService", "from_member", "hpa_view", "to_member"]

HPA = "horizontalpodautoscaler"
# Maps whose keys are data (label keys), never renamed.
_OPAQUE = {"match_labels", "matchLabels"}
_SOURCES = ("resource", "pods", "object", "external", "container_resource")


# -- conversion --------------------------------------------------------------------------------------------------


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _snake(key: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", lambda m: "_" + m.group(1).lower(), key)


def _renamed(value: object, rename: Callable[[str], str]) -> object:
    if isinstance(value, dict):
        return _renamed_object(value, rename)
    if isinstance(value, list):
        return [_renamed(v, rename) for v in value]
    return value


def _renamed_object(value: Mapping[str, object], rename: Callable[[str], str]) -> FreeForm:
    return {rename(k): (v if k in _OPAQUE else _renamed(v, rename)) for k, v in value.items() if v is not None}


def to_member(model: BaseModel) -> FreeForm:
    """A request part as autoscaling/v2 sends it: camelCase keys (label keys untouched), nulls left out."""
    return _renamed_object(model.model_dump(exclude_none=True), _camel)


def from_member(value: object) -> object:
    """A part of the member's HPA in the reference's snake_case (label keys untouched)."""
    return _renamed(value, _snake)


def _check_quantities(metrics: list[MetricSpec]) -> None:
    """The schema's pattern holds; a quantity too large for a float is still 400 naming the field."""
    for i, m in enumerate(metrics):
        for source_name in _SOURCES:
            source = getattr(m, source_name)
            for key in ("average_value", "value") if source is not None else ():
                text = getattr(source.target, key)
                try:
                    if text is not None:
                        parse_quantity(text)
                except ValueError:
                    raise BadRequest("not a finite quantity", field=f"metrics[{i}].{source_name}.target.{key}") \
                        from None


def _current(m: Mapping[str, object]) -> CurrentMetric:
    kind = str(m.get("type", ""))
    source = m.get(kind[:1].lower() + kind[1:])
    source = source if isinstance(source, dict) else {}
    name = source.get("name") or (source.get("metric") or {}).get("name")
    return CurrentMetric(type=kind, name=name, current=_renamed_object(source.get("current") or {}, _snake))


def hpa_view(cluster: ClusterRef, obj: KubeObject) -> HpaView:
    meta, spec, status = obj.get("metadata") or {}, obj.get("spec") or {}, obj.get("status") or {}
    conditions = [Condition(type=str(c.get("type", "")), status=str(c.get("status", "")), reason=c.get("reason"),
                            message=c.get("message"), last_transition_time=c.get("lastTransitionTime"))
                  for c in status.get("conditions") or []]

    def flag(kind: str) -> bool | None:
        found = next((c for c in conditions if c.type == kind), None)
        return None if found is None else found.status == "True"

    return HpaView(
        id=str(ObjectId(cluster.ref, HPA, meta.get("namespace", ""), meta.get("name", ""))),
        name=meta.get("name", ""), namespace=meta.get("namespace", ""), cluster_id=cluster.id,
        cluster_name=cluster.name, target=_renamed_object(spec.get("scaleTargetRef") or {}, _snake),
        min_replicas=spec.get("minReplicas"), max_replicas=int(spec.get("maxReplicas") or 0),
        metrics=[_renamed_object(m, _snake) for m in spec.get("metrics") or []],
        behavior=_renamed_object(spec["behavior"], _snake) if spec.get("behavior") else None,
        current_replicas=status.get("currentReplicas"), desired_replicas=status.get("desiredReplicas"),
        current_metrics=[_current(m) for m in status.get("currentMetrics") or []],
        conditions=conditions, able_to_scale=flag("AbleToScale"), scaling_active=flag("ScalingActive"),
        scaling_limited=flag("ScalingLimited"), last_scale_time=status.get("lastScaleTime"),
        created_at=meta.get("creationTimestamp"))


def _spec(target: TargetRef | None, metrics: list[MetricSpec] | None, min_replicas: int | None,
          max_replicas: int | None, behavior: Behavior | None) -> FreeForm:
    """The spec fields given, as autoscaling/v2 names them."""
    spec: FreeForm = {}
    if target is not None:
        spec["scaleTargetRef"] = to_member(target)
    if metrics is not None:
        _check_quantities(metrics)
        spec["metrics"] = [to_member(m) for m in metrics]
    if min_replicas is not None:
        spec["minReplicas"] = min_replicas
    if max_replicas is not None:
        spec["maxReplicas"] = max_replicas
    if behavior is not None:
        spec["behavior"] = to_member(behavior)
    return spec


# -- the service -------------------------------------------------------------------------------------------------


class AutoscalingService(Service):
    async def _hpas(self, cluster: ClusterRef) -> tuple[MemberSession, ResourceType]:
        session = await self.deps.member(cluster)
        return session, await session.resolve("horizontalpodautoscalers.autoscaling")

    async def create(self, cluster: ClusterRef, b: CreateHpa) -> HpaView:
        session, rt = await self._hpas(cluster)
        if rt.api_version != "autoscaling/v2":
            raise Unprocessable(f"cluster {cluster.name!r}: serves {rt.api_version}, not autoscaling/v2")
        meta: ObjectMeta = {"name": b.name, "namespace": b.namespace}
        if b.labels:
            meta["labels"] = dict(b.labels)
        body: KubeObject = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": meta,
                            "spec": _spec(b.target, b.metrics, b.min_replicas, b.max_replicas, b.behavior)}
        return hpa_view(cluster, as_object(await session.create(rt, b.namespace, dict(body))))

    async def list(self, cluster: ClusterRef, q: ListQuery) -> HpaList:
        session, rt = await self._hpas(cluster)
        items, _ = await session.list_all(rt, q.namespace)
        hpas = sorted(map(as_object, items), key=lambda o: ((o.get("metadata") or {}).get("namespace", ""),
                                                            (o.get("metadata") or {}).get("name", "")))
        return HpaList(hpas=[hpa_view(cluster, o) for o in hpas[q.offset:q.offset + q.limit]], total=len(hpas),
                       limit=q.limit, offset=q.offset)

    async def update(self, cluster: ClusterRef, name: str, q: HpaRef, b: UpdateHpa) -> HpaView:
        """`name`: the HPA's name (namespace from query or body, else default) or its object id. Read, change,
        replace with the read resourceVersion: a concurrent change is 409/1006, never lost."""
        # The query's namespace wins over the body's, as the query's cluster_id does (api_shim.resolver).
        namespace, name = locate(name, "name", q.namespace or b.namespace, cluster=cluster, type_name=HPA)
        session, rt = await self._hpas(cluster)
        current = as_object(await session.get(rt, namespace or "default", name))
        current["spec"] = {**(current.get("spec") or {}),
                           **_spec(b.target, b.metrics, b.min_replicas, b.max_replicas, b.behavior)}
        current.pop("status", None)
        return hpa_view(cluster, as_object(await session.replace(rt, namespace or "default", name, dict(current))))
