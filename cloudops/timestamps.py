"""User-given timestamps parsed in words of our own: Python's text ("day is out of range for month",
"date value out of range") never reaches a caller."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["parse_moment"]


def parse_moment(text: str, shown: str, example: str = "2026-01-02T03:04:05Z") -> datetime:
    """`text` (ISO 8601, as `datetime.fromisoformat` reads it) as an aware datetime, naive meaning UTC.

    ValueError when no such moment exists (2026-02-30, 25:00, offset +24:00) or when it falls outside the
    years 0001-9999 in UTC, which later arithmetic and formatting could not handle; `shown` is how the
    message names the value and `example` the form the caller should use.
    """
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{shown[:40]!r} is not a valid date and time (no such year, month, day, hour, minute, "
                         f"second or offset; e.g. {example})") from None
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    try:
        moment.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{shown[:40]!r} is out of range: in UTC it must fall within the years 0001 to 9999") \
            from None
    return moment
