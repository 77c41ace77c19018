"""Health scoring rules: component penalties, node readiness, usage thresholds, status mapping, quantities."""

from __future__ import annotations

import pytest

from cloudops.clusters.health import HealthInput, Issue, health_status, parse_quantity, score_health

ALL_HEALTHY = {"api-server": True, "etcd": True, "controller-manager": True, "scheduler": True}


def _input(**overrides: object) -> HealthInput:
    fields: dict[str, object] = {"components": dict(ALL_HEALTHY), "nodes_total": 3, "nodes_ready": 3}
    fields.update(overrides)
    return HealthInput(**fields)  # type: ignore[arg-type]


def test_fully_healthy_cluster_scores_100_without_issues() -> None:
    score, issues = score_health(_input(cpu_percent=10.0, memory_percent=20.0, disk_percent=30.0))
    assert score == 100.0
    assert issues == []
    assert health_status(score, issues) == "healthy"


@pytest.mark.parametrize("component", ["api-server", "etcd"])
def test_core_component_down_is_critical_error(component: str) -> None:
    score, issues = score_health(_input(components={**ALL_HEALTHY, component: False}))
    assert score == 60.0
    assert issues == [Issue("error", f"{component} is unhealthy", "critical")]
    assert health_status(score, issues) == "error"


@pytest.mark.parametrize("component", ["controller-manager", "scheduler"])
def test_control_loop_component_down_is_high_and_warns(component: str) -> None:
    score, issues = score_health(_input(components={**ALL_HEALTHY, component: False}))
    assert score == 85.0
    assert issues == [Issue("error", f"{component} is unhealthy", "high")]
    # Score alone would say healthy; the error-typed issue downgrades it.
    assert health_status(score, issues) == "warning"


def test_unknown_component_down_costs_ten_points() -> None:
    score, issues = score_health(_input(components={**ALL_HEALTHY, "coredns": False}))
    assert score == 90.0
    assert issues == [Issue("error", "coredns is unhealthy", "high")]


def test_all_components_down_floors_score_at_zero() -> None:
    score, issues = score_health(_input(components={name: False for name in ALL_HEALTHY},
                                        nodes_ready=0, cpu_percent=99.0, memory_percent=99.0, disk_percent=99.0))
    assert score == 0.0
    assert health_status(score, issues) == "error"


def test_some_nodes_not_ready_penalises_proportionally() -> None:
    score, issues = score_health(_input(nodes_total=4, nodes_ready=3))
    assert score == 92.5
    assert issues == [Issue("warning", "1 of 4 nodes not ready", "medium")]
    assert health_status(score, issues) == "healthy"


def test_not_ready_penalty_is_rounded_to_one_decimal() -> None:
    score, _ = score_health(_input(nodes_total=7, nodes_ready=6))
    assert score == 95.7


def test_no_ready_nodes_is_high_severity() -> None:
    score, issues = score_health(_input(nodes_total=3, nodes_ready=0))
    assert score == 70.0
    assert issues == [Issue("warning", "3 of 3 nodes not ready", "high")]
    assert health_status(score, issues) == "warning"


def test_cluster_without_nodes_is_flagged() -> None:
    score, issues = score_health(_input(nodes_total=0, nodes_ready=0))
    assert score == 70.0
    assert issues == [Issue("warning", "cluster has no nodes", "high")]


@pytest.mark.parametrize(("field", "label"), [("cpu_percent", "CPU"), ("memory_percent", "memory"),
                                              ("disk_percent", "disk")])
def test_usage_at_warning_threshold_costs_five(field: str, label: str) -> None:
    score, issues = score_health(_input(**{field: 80.0}))
    assert score == 95.0
    assert issues == [Issue("warning", f"High {label} usage detected (80.0%)", "medium")]


@pytest.mark.parametrize(("field", "label"), [("cpu_percent", "CPU"), ("memory_percent", "memory"),
                                              ("disk_percent", "disk")])
def test_usage_at_critical_threshold_costs_fifteen(field: str, label: str) -> None:
    score, issues = score_health(_input(**{field: 95.0}))
    assert score == 85.0
    assert issues == [Issue("warning", f"{label} usage at 95.0%", "high")]


def test_usage_just_below_warning_threshold_is_free() -> None:
    score, issues = score_health(_input(cpu_percent=79.9, memory_percent=79.99, disk_percent=0.0))
    assert (score, issues) == (100.0, [])


def test_usage_penalties_accumulate() -> None:
    score, issues = score_health(_input(cpu_percent=96.0, memory_percent=85.5))
    assert score == 80.0
    assert [i.message for i in issues] == ["CPU usage at 96.0%", "High memory usage detected (85.5%)"]


def test_extra_issues_come_first_and_are_kept() -> None:
    extra = Issue("warning", "metrics-server not installed", "low")
    score, issues = score_health(_input(extra_issues=[extra], nodes_total=2, nodes_ready=1))
    assert issues[0] == extra
    assert len(issues) == 2
    assert score == 85.0


def test_issue_as_dict() -> None:
    assert Issue("error", "etcd is unhealthy", "critical").as_dict() == {
        "type": "error", "message": "etcd is unhealthy", "severity": "critical"}


@pytest.mark.parametrize(("score", "issues", "expected"), [
    (80.0, [], "healthy"),
    (79.9, [], "warning"),
    (50.0, [], "warning"),
    (49.9, [], "error"),
    (100.0, [Issue("warning", "x", "critical")], "error"),
    (100.0, [Issue("warning", "x", "high")], "healthy"),
    (100.0, [Issue("error", "x", "medium")], "warning"),
])
def test_health_status_thresholds(score: float, issues: list[Issue], expected: str) -> None:
    assert health_status(score, issues) == expected


@pytest.mark.parametrize(("quantity", "expected"), [
    ("250m", 0.25),
    ("1Gi", 1073741824),
    ("512Mi", 512 * 2**20),
    ("4Ki", 4096),
    ("2", 2),
    (2, 2),
    ("1.5k", 1500),
    ("3M", 3e6),
    ("1Ei", 2**60),
    ("1E", 1e18),
    ("100n", 1e-7),
    (" 10Gi ", 10 * 2**30),
    ("", 0),
    ("   ", 0),
])
def test_parse_quantity(quantity: object, expected: float) -> None:
    assert parse_quantity(quantity) == pytest.approx(expected)


@pytest.mark.parametrize("quantity", ["1e400", ".34506E7863569750", "inf", "nan", "1e308Ki"])
def test_parse_quantity_refuses_what_json_cannot_carry(quantity: str) -> None:
    with pytest.raises(ValueError):
        parse_quantity(quantity)


def test_parse_quantity_bounds_the_exponent_a_member_would_choke_on() -> None:
    assert parse_quantity("1e3") == 1000 and parse_quantity("2E-2") == pytest.approx(0.02)
    with pytest.raises(ValueError, match="exponents up to 2 digits"):
        parse_quantity(".6E-57970540073")
