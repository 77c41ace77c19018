"""record(): tiered, bounded, running-mean metrics history."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

from cloudops.clusters.history import FIELDS, TIERS, record

NOW = datetime(2024, 5, 17, 13, 47, 38, tzinfo=UTC)
SAMPLE = {"cpu": 40.0, "memory": 50.0, "disk": 60.0, "pods": 12.0, "nodes": 3.0, "score": 90.0}


def test_first_sample_creates_one_point_per_tier_with_n_1() -> None:
    out = record(None, SAMPLE, NOW)
    assert set(out) == set(TIERS) == {"1h", "24h", "7d", "30d"}
    for points in out.values():
        assert len(points) == 1
        assert points[0]["n"] == 1
        assert {f: points[0][f] for f in FIELDS} == SAMPLE


def test_bucket_starts_are_aligned_to_tier_width() -> None:
    out = record({}, SAMPLE, NOW)
    assert out["1h"][0]["t"] == "2024-05-17T13:47:00Z"
    assert out["24h"][0]["t"] == "2024-05-17T13:45:00Z"
    assert out["7d"][0]["t"] == "2024-05-17T12:00:00Z"
    assert out["30d"][0]["t"] == "2024-05-17T12:00:00Z"


def test_30d_bucket_before_noon_starts_at_midnight() -> None:
    out = record(None, SAMPLE, datetime(2024, 5, 17, 11, 59, 59, tzinfo=UTC))
    assert out["30d"][0]["t"] == "2024-05-17T00:00:00Z"
    assert out["7d"][0]["t"] == "2024-05-17T10:00:00Z"


def test_second_sample_in_same_bucket_is_averaged() -> None:
    first = record(None, {"cpu": 10.0, "memory": 20.0}, NOW)
    second = record(first, {"cpu": 30.0, "memory": 25.0}, NOW + timedelta(seconds=10))
    for points in second.values():
        assert len(points) == 1
        assert points[0]["n"] == 2
        assert points[0]["cpu"] == 20.0
        assert points[0]["memory"] == 22.5


def test_running_mean_over_three_samples() -> None:
    series = None
    for i, cpu in enumerate((10.0, 20.0, 60.0)):
        series = record(series, {"cpu": cpu}, NOW + timedelta(seconds=i))
    assert series is not None
    assert series["1h"][-1]["n"] == 3
    assert series["1h"][-1]["cpu"] == 30.0


def test_sample_in_next_bucket_appends_only_where_the_bucket_changed() -> None:
    first = record(None, {"cpu": 10.0}, NOW)
    second = record(first, {"cpu": 50.0}, NOW + timedelta(minutes=1))
    assert [p["t"] for p in second["1h"]] == ["2024-05-17T13:47:00Z", "2024-05-17T13:48:00Z"]
    assert [p["cpu"] for p in second["1h"]] == [10.0, 50.0]
    assert second["1h"][-1]["n"] == 1
    # 13:48 is still in the 13:45 quarter hour: averaged there, not appended
    assert len(second["24h"]) == 1
    assert second["24h"][0]["n"] == 2
    assert second["24h"][0]["cpu"] == 30.0


def test_tiers_are_trimmed_to_their_size_keeping_the_newest() -> None:
    series = None
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for minute in range(200):
        series = record(series, {"cpu": float(minute)}, start + timedelta(minutes=minute))
    assert series is not None
    hour = series["1h"]
    assert len(hour) == 60
    assert hour[-1]["t"] == "2024-01-01T03:19:00Z"
    assert hour[-1]["cpu"] == 199.0
    assert hour[0]["t"] == "2024-01-01T02:20:00Z"
    assert [p["t"] for p in hour] == sorted(p["t"] for p in hour)
    assert len(series["24h"]) == 14  # 200 minutes span 14 quarter hours


def test_every_tier_is_bounded_by_its_keep_count() -> None:
    series = None
    start = datetime(2024, 1, 1, tzinfo=UTC)
    # one sample every 12 hours for 100 days: every tier overflows
    for i in range(200):
        series = record(series, {"cpu": 1.0}, start + timedelta(hours=12 * i))
    assert series is not None
    assert {name: len(points) for name, points in series.items()} == {"1h": 60, "24h": 96, "7d": 84, "30d": 60}


def test_input_series_is_not_mutated() -> None:
    original = record(None, {"cpu": 10.0}, NOW)
    snapshot = copy.deepcopy(original)
    record(original, {"cpu": 90.0}, NOW)  # same bucket: would average in place if mutated
    record(original, {"cpu": 90.0}, NOW + timedelta(days=1))  # next bucket: would append if mutated
    assert original == snapshot


def test_missing_fields_default_to_zero() -> None:
    out = record(None, {"cpu": 12.3456}, NOW)
    point = out["1h"][0]
    assert point["cpu"] == 12.35  # rounded to two places
    for f in FIELDS:
        if f != "cpu":
            assert point[f] == 0.0


def test_point_without_n_counts_as_one_sample() -> None:
    legacy = {"1h": [{"t": "2024-05-17T13:47:00Z", "cpu": 10.0}]}
    out = record(legacy, {"cpu": 30.0}, NOW)
    assert out["1h"][0]["n"] == 2
    assert out["1h"][0]["cpu"] == 20.0
