"""User-given timestamps parsed in words of our own: Python's text ("day is out of range for month",
"date value out of range") never reaches a caller."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["parse_moment"]


def parse_moment(text: str, shown: str, example: str = "2026-01-02T03:04:05Z") -> datetime:
    """`text` (ISO 8601, as `datetime.fromisoformat` reads it) as an aware datetime, naive meaning UTC.

    ValueError when no such moment exists (2026-02-30, 25:00, offset +24:00); `shown` is how the message names
    the value and `example` the form the caller should use. A moment that exists but falls outside the years
    0001-9999 in UTC (0001-01-01T00:00:00+01:00), which later arithmetic and formatting could not handle, is
    the nearest one inside: every time the product bounds a range with is inside.
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
        edge = datetime.min if moment.year == datetime.min.year else datetime.max.replace(microsecond=0)
        return edge.replace(tzinfo=UTC)  # whole seconds: a float timestamp of datetime.max rounds into year 10000
    return moment
