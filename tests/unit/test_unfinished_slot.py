"""Which backup slot a stopped replica left unfinished (cloudops.backups.scheduled.unfinished_slot)."""

from __future__ import annotations

from datetime import UTC, datetime

from cloudops.backups.scheduled import unfinished_slot
from cloudops.resources.yaml_backup_schedule import YamlBackupScheduleStatus as Status

AT = "2026-12-05T03:00:00Z"


def test_a_claimed_slot_without_an_outcome_is_unfinished() -> None:
    assert unfinished_slot(Status(last_backup_time=AT, last_backup_name="nightly-1")) == \
        ("nightly-1", datetime(2026, 12, 5, 3, tzinfo=UTC))
    # The outcome recorded is an earlier slot's.
    assert unfinished_slot(Status(last_backup_time=AT, last_backup_name="nightly-2", last_result="completed",
                                  last_successful_backup="nightly-1")) is not None
    assert unfinished_slot(Status(last_backup_time=AT, last_backup_name="nightly-2", last_result="failed",
                                  last_error="backup nightly-1: member unreachable")) is not None


def test_a_slot_that_ended_completed_or_failed_is_finished() -> None:
    assert unfinished_slot(Status(last_backup_time=AT, last_backup_name="nightly-1", last_result="completed",
                                  last_successful_backup="nightly-1")) is None
    assert unfinished_slot(Status(last_backup_time=AT, last_backup_name="nightly-1", last_result="failed",
                                  last_error="backup nightly-1: member unreachable")) is None


def test_nothing_claimed_is_nothing_to_finish() -> None:
    assert unfinished_slot(None) is None
    assert unfinished_slot(Status()) is None
    assert unfinished_slot(Status(last_backup_time=AT)) is None
