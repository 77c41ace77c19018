"""How much usage was really recorded, and the words that say so (pure): every figure of the optimizer names
the hours it stands on, and no suggestion is made before `CLOUDOPS_RIGHTSIZING_MIN_HOURS` exist.

A history point is a bucket of `n` samples, each standing for `seconds` (cloudops.usage_history), so a tier's
recorded time is the sum of seconds x n over its buckets; the 30 d tier holds everything of the last 30 days.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cloudops.clusters.history import TIERS, Point

__all__ = ["ALL", "hours_text", "recorded_hours", "tier_for", "withheld"]

ALL = "30d"  # the coarsest tier: all recorded usage of the last 30 days


def tier_for(hours: float) -> str:
    """The finest tier that can hold `hours` of recording: its span less one bucket, as the newest bucket is
    still filling (the 24 h tier never holds a full 24 hours)."""
    for name, (width, keep) in TIERS.items():
        if (keep - 1) * width / 3600.0 >= hours:
            return name
    return ALL


def recorded_hours(series: Mapping[str, Sequence[Point]], tier: str = ALL) -> float:
    """Hours of recorded samples in one tier of a history."""
    seconds = 0.0
    for p in series.get(tier) or []:
        value, n = p.get("seconds"), p.get("n", 1)
        if isinstance(value, int | float) and isinstance(n, int | float):
            seconds += float(value) * float(n)
    return seconds / 3600.0


def hours_text(hours: float) -> str:
    """Hours as the wording shows them: two decimals below one hour (10 minutes: "0.17"), one above."""
    return f"{hours:.2f}" if hours < 1 else f"{hours:.1f}"


def withheld(recorded: float, required: float) -> str | None:
    """Why the optimizer makes no suggestion yet (too little usage recorded), or None."""
    if recorded >= required:
        return None
    return (f"no suggestions until {required:g} hours of usage are recorded (CLOUDOPS_RIGHTSIZING_MIN_HOURS): "
            f"{hours_text(recorded)} hours recorded so far")
