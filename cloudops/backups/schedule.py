"""When a schedule runs and which of its backups expire: pure functions over clock values.

Velero's semantics: a schedule is due when the first slot after its last run (or, never run, after its
creation) has passed; however many slots were missed while nothing ran, one backup is taken and the
next slot is counted from now. Retention never deletes the newest completed backup.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from cloudops.backups.cron import CronSpec, next_after

__all__ = ["Due", "Kept", "due", "expired"]


@dataclass(frozen=True)
class Due:
    run: bool  # take a backup now
    slot: datetime | None  # the first passed slot this run stands for
    next_run: datetime | None  # the slot after this decision (None: never fires, or paused)


def due(spec: CronSpec, tz: ZoneInfo, now: datetime, last_run: datetime | None, created: datetime,
        enabled: bool = True) -> Due:
    if not enabled:
        return Due(False, None, None)
    slot = next_after(spec, last_run or created, tz)
    if slot is None:
        return Due(False, None, None)
    if slot > now:
        return Due(False, None, slot)
    # Missed slots collapse into one run; the next slot is counted from now.
    return Due(True, slot, next_after(spec, now, tz))


@dataclass(frozen=True)
class Kept:
    name: str
    created: datetime
    completed: bool


def expired(backups: list[Kept], now: datetime, retention_days: int, retention_count: int | None = None) -> list[str]:
    """Names to delete: older than retention_days, or beyond the newest retention_count; never the newest
    completed backup (a schedule that keeps failing still has its last good one)."""
    newest_first = sorted(backups, key=lambda b: b.created, reverse=True)
    last_good = next((b.name for b in newest_first if b.completed), None)
    cutoff = now - timedelta(days=retention_days)
    out = []
    for i, b in enumerate(newest_first):
        if b.name == last_good:
            continue
        if b.created < cutoff or (retention_count is not None and i >= retention_count):
            out.append(b.name)
    return out
