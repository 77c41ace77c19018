"""Cron parsing, the due-time decision and retention: pure, over fixed clock values."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from cloudops.backups.cron import CRON_PATTERN, CronError, next_after, parse_cron, zone
from cloudops.backups.schedule import Kept, due, expired
from cloudops.backups.scheduled import backup_name

UTC_ZONE = zone(None)


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(("expr", "after", "expected"), [
    ("0 2 * * *", "2024-01-01T00:00:00", "2024-01-01T02:00:00"),
    ("0 2 * * *", "2024-01-01T02:00:00", "2024-01-02T02:00:00"),  # strictly after
    ("*/15 * * * *", "2024-01-01T00:07:30", "2024-01-01T00:15:00"),
    ("* * * * *", "2024-01-01T00:00:59", "2024-01-01T00:01:00"),
    ("30 9 * * mon-fri", "2024-01-05T10:00:00", "2024-01-08T09:30:00"),  # Friday -> Monday
    ("0 0 * * 7", "2024-01-01T00:00:00", "2024-01-07T00:00:00"),  # 7 is Sunday
    ("0 0 13 * 5", "2024-01-01T00:00:00", "2024-01-05T00:00:00"),  # dom OR dow when both restricted
    ("0 0 29 feb *", "2024-03-01T00:00:00", "2028-02-29T00:00:00"),
    ("@hourly", "2024-01-01T05:10:00", "2024-01-01T06:00:00"),
    ("0 12 1,15 jan,jul ?", "2024-01-02T00:00:00", "2024-01-15T12:00:00"),
    ("5-10/5 1 * * *", "2024-01-01T01:06:00", "2024-01-01T01:10:00"),
])
def test_next_after(expr: str, after: str, expected: str) -> None:
    assert next_after(parse_cron(expr), t(after), UTC_ZONE) == t(expected)


def test_time_zone_and_dst() -> None:
    shanghai = zone("Asia/Shanghai")
    assert next_after(parse_cron("0 2 * * *"), t("2024-01-01T00:00:00"), shanghai) == t("2024-01-01T18:00:00")
    berlin = zone("Europe/Berlin")
    # 31 Mar 2024 02:30 does not exist in Berlin: that day is skipped, the next day fires at 02:30 CEST.
    assert next_after(parse_cron("30 2 * * *"), t("2024-03-30T12:00:00"), berlin) == t("2024-04-01T00:30:00")
    with pytest.raises(CronError, match="time_zone"):
        zone("Mars/Olympus")


@pytest.mark.parametrize(("expr", "field"), [
    ("0 2 * *", "5 fields"), ("60 * * * *", "minute"), ("* 24 * * *", "hour"), ("* * 0 * *", "day-of-month"),
    ("* * * 13 *", "month"), ("* * * * 8", "day-of-week"), ("*/0 * * * *", "step"),
    ("x * * * *", "minute"), ("* * * foo *", "month"), ("0\n2 * * *", "spaces or tabs"),
])
def test_invalid_expressions_name_the_field(expr: str, field: str) -> None:
    with pytest.raises(CronError, match=field):
        parse_cron(expr)


def test_a_backwards_range_wraps_around() -> None:
    spec = parse_cron("0 22-2/2 * * fri-mon")
    assert sorted(spec.hours) == [0, 2, 22] and sorted(spec.weekdays) == [0, 1, 5, 6]


def test_the_documented_pattern_is_what_the_parser_accepts() -> None:
    """CRON_PATTERN (the OpenAPI document's) admits only what parse_cron accepts, and refuses what it refuses."""
    for expr in ("*/15 * * * *", "0 22-2 * * MON-fri", "@Daily", " 5,10-20/3 0 1 jan-dec ? ", "0 2 * * 7"):
        assert re.fullmatch(CRON_PATTERN, expr)
        parse_cron(expr)
    for expr in ("0 2 * *", "60 * * * *", "0\n2 * * * *", "0 2 * * 1-", "0 2 ** * *"):
        assert not re.fullmatch(CRON_PATTERN, expr)
        with pytest.raises(CronError):
            parse_cron(expr)


def test_never_firing_expression() -> None:
    assert next_after(parse_cron("0 0 31 feb *"), t("2024-01-01T00:00:00"), UTC_ZONE) is None
    assert due(parse_cron("0 0 31 feb *"), UTC_ZONE, t("2024-01-02T00:00:00"), None, t("2024-01-01T00:00:00")) \
        .next_run is None


def test_due_first_slot_after_creation_then_after_last_run() -> None:
    daily = parse_cron("0 2 * * *")
    created = t("2024-01-01T10:00:00")
    d = due(daily, UTC_ZONE, t("2024-01-02T01:59:00"), None, created)
    assert not d.run and d.next_run == t("2024-01-02T02:00:00")
    d = due(daily, UTC_ZONE, t("2024-01-02T02:00:00"), None, created)
    assert d.run and d.slot == t("2024-01-02T02:00:00") and d.next_run == t("2024-01-03T02:00:00")
    d = due(daily, UTC_ZONE, t("2024-01-02T02:00:30"), t("2024-01-02T02:00:01"), created)
    assert not d.run and d.next_run == t("2024-01-03T02:00:00")


def test_after_downtime_one_run_not_one_per_missed_slot() -> None:
    hourly = parse_cron("0 * * * *")
    last = t("2024-01-01T00:00:05")
    now = t("2024-01-03T07:31:00")  # 55 slots missed
    d = due(hourly, UTC_ZONE, now, last, t("2023-12-01T00:00:00"))
    assert d.run and d.slot == t("2024-01-01T01:00:00") and d.next_run == t("2024-01-03T08:00:00")
    after = due(hourly, UTC_ZONE, now + timedelta(seconds=5), now, t("2023-12-01T00:00:00"))
    assert not after.run  # the run just taken counts for all missed slots


def test_paused_runs_nothing() -> None:
    d = due(parse_cron("* * * * *"), UTC_ZONE, t("2024-01-02T00:00:00"), None, t("2024-01-01T00:00:00"),
            enabled=False)
    assert d == type(d)(False, None, None)


def test_retention_keeps_the_last_good_backup() -> None:
    now = t("2024-02-01T00:00:00")
    backups = [Kept("old-good", t("2024-01-01T00:00:00"), True), Kept("old-bad", t("2024-01-02T00:00:00"), False),
               Kept("new-bad", t("2024-01-31T00:00:00"), False), Kept("new-good", t("2024-01-30T00:00:00"), True)]
    assert sorted(expired(backups, now, 7)) == ["old-bad", "old-good"]
    # Every good one expired: the newest good one stays anyway.
    assert expired(backups[:3], now, 7) == ["old-bad"]
    assert expired([Kept("only", t("2020-01-01T00:00:00"), True)], now, 1) == []
    # A count limit on top of the age limit.
    assert expired(backups, now, 365, retention_count=2) == ["old-bad", "old-good"]
    assert expired(backups, now, 365, retention_count=1) == ["old-bad", "old-good"]  # new-good: the last good


def test_scheduled_backup_names_fit_a_label_value() -> None:
    """The name labels the backup's parts, so it is a valid label value (63 characters) however long the prefix."""
    at = datetime(2026, 12, 4, 17, 30, 5, tzinfo=UTC)
    long = {"metadata": {"name": "s"}, "spec": {"backupNamePrefix": "a" * 47 + "." + "b" * 100}}
    name = backup_name(long, at)
    assert len(name) <= 63 and name == "a" * 47 + "-20261204173005"
    assert backup_name({"metadata": {"name": "nightly"}, "spec": {}}, at) == "nightly-20261204173005"
