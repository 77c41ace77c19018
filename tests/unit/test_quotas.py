"""Quota arithmetic: percentages over real quantity syntax, state, alert thresholds and least-squares trends."""

from __future__ import annotations

import pytest

from cloudops.quotas import Thresholds, alerts, quota_state, trend, trends, usage_history, usage_percentage, used_sample


def test_percentages_parse_every_quantity_form() -> None:
    hard = {"requests.cpu": "4", "requests.memory": "8Gi", "limits.cpu": "1e3", "pods": "10", "services": "0"}
    used = {"requests.cpu": "500m", "requests.memory": "4Gi", "limits.cpu": "250", "pods": "5", "services": "0"}
    assert usage_percentage(hard, used) == {"limits.cpu": 25.0, "pods": 50.0, "requests.cpu": 12.5,
                                            "requests.memory": 50.0, "services": 0.0}


def test_uncounted_resources_are_zero_and_zero_hard_is_full_once_used() -> None:
    assert usage_percentage({"pods": "10"}, {}) == {"pods": 0.0}
    assert usage_percentage({"pods": "0"}, {"pods": "1"}) == {"pods": 100.0}
    assert usage_percentage({"requests.memory": "1Mi"}, {"requests.memory": "512Ki"}) == {"requests.memory": 50.0}


def test_state_is_exceeded_when_a_used_value_reaches_hard() -> None:
    assert quota_state({"pods": "10"}, {"pods": "9"}) == "active"
    assert quota_state({"pods": "10", "requests.cpu": "1"}, {"pods": "1", "requests.cpu": "1000m"}) == "exceeded"
    assert quota_state({"pods": "0"}, {"pods": "0"}) == "active"
    assert quota_state({"pods": "0"}, {"pods": "1"}) == "exceeded"


def test_alerts_at_warning_and_critical_thresholds() -> None:
    hard = {"a": "100", "b": "100", "c": "100", "d": "100"}
    used = {"a": "79", "b": "80", "c": "95", "d": "120"}
    got = {a["resource"]: (a["type"], a["threshold"]) for a in alerts(hard, used)}
    assert got == {"b": ("warning", 80.0), "c": ("critical", 95.0), "d": ("critical", 95.0)}
    assert "reached" in next(a for a in alerts(hard, used) if a["resource"] == "d")["message"]


def test_alert_thresholds_are_configurable() -> None:
    got = alerts({"pods": "10"}, {"pods": "6"}, Thresholds(warning=50, critical=60))
    assert [(a["type"], a["usage"]) for a in got] == [("critical", 60.0)]
    assert alerts({"pods": "10"}, {"pods": "6"}, Thresholds(warning=70, critical=90)) == []


def test_samples_are_numeric_in_base_units() -> None:
    assert used_sample({"requests.cpu": "250m", "requests.memory": "1Ki", "bad": "x1"}) == {
        "requests.cpu": 0.25, "requests.memory": 1024.0}


def test_least_squares_trend() -> None:
    assert trend([(0, 10), (1, 11), (2, 12), (3, 13)]) == ("increasing", 8.7)  # slope 1 over mean 11.5
    kind, rate = trend([(0, 13), (1, 12), (2, 11), (3, 10)])
    assert kind == "decreasing" and rate == -8.7
    assert trend([(0, 5), (1, 5), (2, 5)]) == ("stable", 0.0)
    assert trend([(0, 100), (1, 100.5), (2, 100)]) == ("stable", 0.0)
    assert trend([(0, 1)]) == ("stable", 0.0)
    assert trend([(0, 0), (1, 0)]) == ("stable", 0.0)
    assert trend([(3, 1), (3, 2)]) == ("stable", 0.0)


def test_noisy_growth_is_fitted_not_read_from_the_ends() -> None:
    kind, rate = trend([(0, 10), (1, 14), (2, 11), (3, 15), (4, 12)])
    assert kind == "increasing" and rate == pytest.approx(0.5 / 12.4 * 100, abs=0.01)


def test_trends_over_history_points_count_gaps_as_time() -> None:
    points = [{"t": "2024-01-01T00:00:00Z", "n": 1, "pods": 2.0, "cpu": 1.0},
              {"t": "2024-01-01T00:01:00Z", "n": 2, "pods": 3.0, "cpu": 1.0},
              {"t": "2024-01-01T00:04:00Z", "n": 1, "pods": 6.0, "cpu": 1.0}]
    got = trends(points, 60)
    assert got["cpu"] == {"trend": "stable", "growth_rate": 0.0}
    assert got["pods"]["trend"] == "increasing" and got["pods"]["growth_rate"] == pytest.approx(100 / 3.6667, abs=0.01)
    assert usage_history(points)[1] == {"timestamp": "2024-01-01T00:01:00Z", "pods": 3, "cpu": 1,
                                        "values": {"pods": 3.0, "cpu": 1.0}}


def test_usage_history_rows_take_the_references_form() -> None:
    """`"requests.memory": "5Gi"` as the reference shows it (a Kubernetes quantity), cores and counts as numbers,
    and `values` with every figure as a number in base units."""
    point = {"t": "2024-01-01T00:00:00Z", "n": 3, "requests.cpu": 2.5, "requests.memory": 5.0 * 2**30, "pods": 6.0,
             "limits.memory": 1536.0 * 2**20, "requests.storage": 1e9, "limits.cpu": 0.1234}
    (row,) = usage_history([point])
    assert row == {"timestamp": "2024-01-01T00:00:00Z", "requests.cpu": 2.5, "requests.memory": "5Gi", "pods": 6,
                   "limits.memory": "1536Mi", "requests.storage": "1G", "limits.cpu": 0.123,
                   "values": {"requests.cpu": 2.5, "requests.memory": 5.0 * 2**30, "pods": 6.0,
                              "limits.memory": 1536.0 * 2**20, "requests.storage": 1e9, "limits.cpu": 0.1234}}
