"""The MCP tool registry and its pure parts: findings from objects, the cost forecast, the switch."""

from __future__ import annotations

from cloudops.mcp_tools import TOOLS, destructive_enabled, find, parameter_list
from cloudops.mcp_tools import findings as f
from cloudops.mcp_tools.cost import forecast


def test_registry_declares_every_tool_once_and_destructive_ones_are_off_by_default() -> None:
    assert len({t.name for t in TOOLS}) == len(TOOLS)
    destructive = {t.name for t in TOOLS if not t.read_only}
    assert destructive == {"scale_resource", "delete_resource", "exec_in_pod"}
    assert all(not destructive_enabled(t, "") for t in TOOLS if not t.read_only)
    assert all(destructive_enabled(t, "") for t in TOOLS if t.read_only)
    scale, delete = find("scale_resource"), find("delete_resource")
    assert scale is not None and delete is not None
    assert destructive_enabled(scale, "scale_resource, other") and not destructive_enabled(delete, "scale_resource")
    assert destructive_enabled(delete, "all")
    assert all(t.grants[0][1] == "mcp" and (t.grants[0][0] == "get") == t.read_only for t in TOOLS)


def test_parameter_list_from_the_schema() -> None:
    scanner = find("cluster_scanner")
    assert scanner is not None
    params = {p["name"]: p for p in parameter_list(scanner)}
    assert params["scan_type"]["required"] and params["scan_type"]["options"] == ["health", "security", "performance"]
    assert params["options"]["type"] == "object" and not params["options"]["required"]
    monitor = find("resource_monitor")
    assert monitor is not None
    rtypes = next(p for p in parameter_list(monitor) if p["name"] == "resource_types")
    assert rtypes["type"] == "array<string>" and "pods" in rtypes["options"]


def _pod(name: str, **status: object) -> dict[str, object]:
    return {"metadata": {"name": name, "namespace": "ns"}, "status": status}


def test_findings_name_their_objects() -> None:
    pods = [_pod("ok", phase="Running", containerStatuses=[{"name": "c", "state": {"running": {}}}]),
            _pod("crash", phase="Running", containerStatuses=[
                {"name": "c", "restartCount": 7, "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]),
            _pod("oom", phase="Running", containerStatuses=[
                {"name": "c", "state": {"running": {}}, "lastState": {"terminated": {"reason": "OOMKilled"}}}]),
            _pod("wait", phase="Pending", conditions=[{"type": "PodScheduled", "status": "False",
                                                       "message": "0/1 nodes: Insufficient cpu"}])]
    bad = {i["resource"]: (reason, i["severity"]) for reason, i in f.bad_pods(pods)}
    assert bad == {"pod/crash": ("CrashLoopBackOff", "high"), "pod/oom": ("OOMKilled", "high")}
    assert [(r, i["resource"], i["severity"]) for r, i in f.pending_for_resources(pods)] == [
        ("Pending", "pod/wait", "high")]
    svc = [{"metadata": {"name": "a", "namespace": "ns"}, "spec": {"selector": {"app": "a"}}},
           {"metadata": {"name": "b", "namespace": "ns"}, "spec": {"selector": {"app": "b"}}},
           {"metadata": {"name": "ext", "namespace": "ns"}, "spec": {}}]
    slices = [{"metadata": {"namespace": "ns", "labels": {"kubernetes.io/service-name": "a"}},
               "endpoints": [{"conditions": {"ready": True}}]},
              {"metadata": {"namespace": "ns", "labels": {"kubernetes.io/service-name": "b"}},
               "endpoints": [{"conditions": {"ready": False}}]}]
    assert [i["resource"] for _, i in f.services_without_endpoints(svc, slices)] == ["service/b"]
    nodes = [{"metadata": {"name": "n1"}, "status": {"conditions": [
        {"type": "Ready", "status": "True"}, {"type": "DiskPressure", "status": "True", "message": "disk"}]}}]
    assert [r for r, _ in f.node_conditions(nodes)] == ["DiskPressure"]
    hpas = [{"metadata": {"name": "h", "namespace": "ns"}, "spec": {"maxReplicas": 3},
             "status": {"currentReplicas": 3}}]
    assert [i["resource"] for _, i in f.hpas_at_max(hpas)] == ["horizontalpodautoscaler/h"]
    spec_pods = [{"metadata": {"name": "p", "namespace": "ns"},
                  "spec": {"containers": [{"name": "c", "resources": {"limits": {"cpu": "1", "memory": "100Mi"}}}]}}]
    usage = [{"metadata": {"name": "p", "namespace": "ns"},
              "containers": [{"name": "c", "usage": {"cpu": "950m", "memory": "10Mi"}}]}]
    near = f.near_limits(spec_pods, usage, 90.0)
    assert len(near) == 1 and "cpu at 95.0%" in near[0][1]["message"] and near[0][1]["severity"] == "high"
    events = [{"type": "Warning", "reason": "BackOff", "message": "restarting", "lastTimestamp": "2026-01-01T00:00:01Z",
               "involvedObject": {"kind": "Pod", "name": "crash", "namespace": "ns"}},
              {"type": "Normal", "reason": "Pulled", "involvedObject": {"kind": "Pod", "name": "ok"}}]
    assert [i["resource"] for _, i in f.warning_events(events)] == ["pod/crash"]


def test_forecast_follows_the_trend_and_states_its_coverage() -> None:
    flat = {"trend": {"daily_average": 2.0, "growth_rate": 0.0}, "currency": "USD",
            "coverage": {"range_hours": 720, "covered_hours": 240, "ratio": 0.33}}
    out = forecast(flat)
    assert out["available"] and out["projected_cost"] == 60.0 and not out["reliable"] and out["coverage"]["ratio"]
    rising = forecast({**flat, "trend": {"daily_average": 2.0, "growth_rate": 1.0}})
    assert rising["projected_cost"] > 60.0
    falling = forecast({**flat, "trend": {"daily_average": 2.0, "growth_rate": -50.0}})
    assert falling["projected_cost"] == 0.0
    none = forecast({"trend": {"daily_average": 0.0}, "coverage": {"covered_hours": 0}})
    assert none["available"] is False
