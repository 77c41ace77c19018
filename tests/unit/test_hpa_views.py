"""HPA requests in the reference's snake_case become autoscaling/v2 camelCase (label keys untouched), and the
member's HPA is shown back with its controller's figures and conditions."""

from __future__ import annotations

from cloudops.members.access import ClusterRef
from cloudops.services.autoscaling.models import CreateHpa, MetricSpec
from cloudops.services.autoscaling.service import from_member, hpa_view, to_member


def test_metrics_and_behavior_go_to_the_member_in_camel_case() -> None:
    metric = MetricSpec.model_validate({"type": "Pods", "pods": {
        "metric": {"name": "rps", "selector": {"match_labels": {"app_tier": "web", "x.io/some_key": "v"}}},
        "target": {"type": "AverageValue", "average_value": "100"}}})
    assert to_member(metric) == {"type": "Pods", "pods": {
        "metric": {"name": "rps", "selector": {"matchLabels": {"app_tier": "web", "x.io/some_key": "v"}}},
        "target": {"type": "AverageValue", "averageValue": "100"}}}
    body = CreateHpa.model_validate({"name": "a", "target": {"kind": "Deployment", "name": "w"}, "max_replicas": 3,
                                     "behavior": {"scale_up": {"select_policy": "Max", "policies": [
                                         {"type": "Percent", "value": 100, "period_seconds": 15}]}}})
    assert body.behavior is not None
    assert to_member(body.behavior) == {"scaleUp": {"selectPolicy": "Max", "policies": [
        {"type": "Percent", "value": 100, "periodSeconds": 15}]}}
    assert from_member({"scaleDown": {"stabilizationWindowSeconds": 5}}) == {
        "scale_down": {"stabilization_window_seconds": 5}}


def test_the_view_reports_the_controllers_figures_and_conditions() -> None:
    cluster = ClusterRef(3, "m1", {})
    obj = {"metadata": {"name": "web", "namespace": "shop"},
           "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                    "minReplicas": 1, "maxReplicas": 3},
           "status": {"currentReplicas": 3, "desiredReplicas": 3,
                      "currentMetrics": [{"type": "ContainerResource", "containerResource": {
                          "name": "cpu", "container": "app", "current": {"averageUtilization": 250}}}],
                      "conditions": [{"type": "AbleToScale", "status": "True", "reason": "ReadyForNewScale"},
                                     {"type": "ScalingLimited", "status": "True", "reason": "TooManyReplicas"}]}}
    view = hpa_view(cluster, obj).model_dump()
    assert view["id"] == "3:horizontalpodautoscaler:shop:web" and view["target"]["api_version"] == "apps/v1"
    assert view["current_metrics"] == [{"type": "ContainerResource", "name": "cpu",
                                        "current": {"average_utilization": 250}}]
    assert (view["able_to_scale"], view["scaling_active"], view["scaling_limited"]) == (True, None, True)
