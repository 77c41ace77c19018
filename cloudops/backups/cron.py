"""Five-field cron expressions (minute hour day-of-month month day-of-week), evaluated in a time zone.

Pure. Follows cron(8) and Kubernetes CronJob: `*`, lists, ranges, steps, month and day names, 0 or 7
for Sunday, `?` as `*`, the @hourly/@daily/... macros, and day-of-month OR day-of-week when both are
restricted; a range that runs backwards wraps around (hours 22-2: 22, 23, 0, 1, 2). Fields are separated by
spaces or tabs. CRON_PATTERN is the same grammar as a JSON Schema pattern. Times are computed on the zone's wall
clock; a slot that falls in a DST gap is skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cloudops.errors import BadRequest

__all__ = ["CRON_PATTERN", "CronError", "CronSpec", "next_after", "parse_cron", "zone"]

_MACROS = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
           "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *"}
_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
_DAYS = {d: i for i, d in enumerate("sun mon tue wed thu fri sat".split())}
_FIELDS: tuple[tuple[str, int, int, dict[str, int]], ...] = (
    ("minute", 0, 59, {}), ("hour", 0, 23, {}), ("day-of-month", 1, 31, {}), ("month", 1, 12, _MONTHS),
    ("day-of-week", 0, 7, _DAYS))
_HORIZON_DAYS = 366 * 5  # far enough for any expression that can fire at all (29 Feb on a given weekday)


def _ci(word: str) -> str:
    """`word` in any case, as a pattern (JSON Schema patterns have no flags)."""
    return "".join(f"[{c.upper()}{c}]" if c.isalpha() else c for c in word)


def _values(lo: int, hi: int, names: dict[str, int]) -> str:
    """lo..hi (any leading zeros) and the field's names, as alternatives."""
    digits = []
    for t in range(lo // 10, hi // 10 + 1):  # per tens digit: its units
        first, last = lo % 10 if t == lo // 10 else 0, hi % 10 if t == hi // 10 else 9
        digits.append(f"{t if t else ''}[{first}-{last}]")
    return "|".join([f"0*({'|'.join(digits)})", *map(_ci, names)])


def _item(lo: int, hi: int, names: dict[str, int]) -> str:
    value = f"({_values(lo, hi, names)})"
    return rf"(\*|\?|{value}(-{value})?)(/0*[1-9][0-9]*)?"


CRON_PATTERN = (r"^[ \t]*(" + "|".join(map(_ci, _MACROS)) + "|" + "[ \t]+".join(
    f"{_item(lo, hi, names)}(,{_item(lo, hi, names)})*" for _, lo, hi, names in _FIELDS) + r")[ \t]*$")
_CRON = re.compile(CRON_PATTERN)


class CronError(BadRequest, ValueError):
    """Why an expression or time zone is not valid (400): `field` is schedule or time_zone, and a message about
    one of the expression's fields starts with its name (`schedule: hour: 25 is outside 0-23`)."""

    def __init__(self, message: str, *, field: str = "schedule") -> None:
        super().__init__(message, field=field)


@dataclass(frozen=True)
class CronSpec:
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday
    days_restricted: bool
    weekdays_restricted: bool

    def day_matches(self, d: datetime) -> bool:
        dom = d.day in self.days
        dow = (d.isoweekday() % 7) in self.weekdays
        if self.days_restricted and self.weekdays_restricted:
            return dom or dow
        return dom and dow


def _value(text: str, name: str, lo: int, hi: int, names: dict[str, int]) -> int:
    low = text.lower()
    if low in names:
        return names[low]
    if not (text.isascii() and text.isdigit()):
        raise CronError(f"{name}: {text!r} is not a number" + (" or a name" if names else ""))
    value = int(text)
    if not lo <= value <= hi:
        raise CronError(f"{name}: {value} is outside {lo}-{hi}")
    return value


def _field(text: str, name: str, lo: int, hi: int, names: dict[str, int]) -> frozenset[int]:
    out: set[int] = set()
    for part in text.split(","):
        base, _, step_text = part.partition("/")
        step = 1
        if step_text:
            if not (step_text.isascii() and step_text.isdigit()) or int(step_text) == 0:
                raise CronError(f"{name}: step {step_text!r} must be a positive number")
            step = int(step_text)
        if base in ("*", "?"):
            start, end = lo, hi
        elif "-" in base:
            a, _, b = base.partition("-")
            start, end = _value(a, name, lo, hi, names), _value(b, name, lo, hi, names)
        else:
            start = _value(base, name, lo, hi, names)
            end = hi if step_text else start
        span = hi - lo + 1  # a backwards range goes on past hi from lo
        out.update(lo + (v - lo) % span for v in range(start, end + 1 if start <= end else end + span + 1, step))
    return frozenset(out)


def parse_cron(expr: str) -> CronSpec:
    text = _MACROS.get(expr.strip().lower(), expr.strip())
    parts = text.split()
    if len(parts) != 5:
        raise CronError(f"expected 5 fields (minute hour day-of-month month day-of-week), got {len(parts)}")
    sets = [_field(p, n, lo, hi, names) for p, (n, lo, hi, names) in zip(parts, _FIELDS, strict=True)]
    if not _CRON.fullmatch(expr):
        raise CronError(f"{expr[:80]!r}: fields are separated by spaces or tabs, and hold only numbers, names, "
                        "*, ?, ranges, steps and commas")
    weekdays = frozenset(d % 7 for d in sets[4])
    return CronSpec(sets[0], sets[1], sets[2], sets[3], weekdays,
                    days_restricted=parts[2] not in ("*", "?"), weekdays_restricted=parts[4] not in ("*", "?"))


def zone(name: str | None) -> ZoneInfo:
    """The IANA zone (UTC when unset); CronError naming time_zone when unknown."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise CronError(f"{name!r} is not a known IANA time zone", field="time_zone") from None


def _exists(local: datetime, tz: ZoneInfo) -> bool:
    """False for wall-clock times a DST jump skips."""
    round_trip = local.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    return round_trip == local


def next_after(spec: CronSpec, after: datetime, tz: ZoneInfo) -> datetime | None:
    """The first slot strictly after `after` (aware), as an aware UTC datetime; None if it never fires."""
    start = after.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0) + timedelta(minutes=1)
    day = start.replace(hour=0, minute=0)
    for _ in range(_HORIZON_DAYS):
        if day.month in spec.months and spec.day_matches(day):
            for hour in sorted(spec.hours):
                for minute in sorted(spec.minutes):
                    local = day.replace(hour=hour, minute=minute)
                    if local < start or not _exists(local, tz):
                        continue
                    slot = local.replace(tzinfo=tz).astimezone(UTC)
                    if slot > after:
                        return slot
        day += timedelta(days=1)
    return None
