"""parse_moment: user-given times in our own words, never Python's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cloudops.timestamps import parse_moment


def test_valid_times_are_aware_naive_meaning_utc() -> None:
    assert parse_moment("2026-01-02T03:04:05", "x") == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert parse_moment("2026-01-02T03:04:05+01:00", "x").utcoffset() is not None


def test_times_past_the_representable_years_are_the_nearest_inside() -> None:
    """Valid RFC 3339 (the document's date-time) that leaves 0001-9999 in UTC bounds a range like its edge."""
    assert parse_moment("9999-12-31T23:59:59-01:00", "x") == datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert parse_moment("0001-01-01T00:00:00+01:00", "x") == datetime.min.replace(tzinfo=UTC)


@pytest.mark.parametrize(("text", "why"), [
    ("2026-02-30T00:00:00", "not a valid date and time"), ("2026-01-01T25:00:00", "not a valid date and time"),
])
def test_impossible_times_say_why_in_our_words(text: str, why: str) -> None:
    with pytest.raises(ValueError, match=why) as e:
        parse_moment(text, text)
    assert "out of range for month" not in str(e.value) and "date value" not in str(e.value)
