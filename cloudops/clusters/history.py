"""Bounded, downsampled metrics history: one series per time range, each a fixed number of buckets.

| range | bucket   | buckets kept |
|-------|----------|--------------|
| 1h    | 1 minute | 60           |
| 24h   | 15 min   | 96           |
| 7d    | 2 hours  | 84           |
| 30d   | 12 hours | 60           |

Every sample lands in the current bucket of every range as a running mean, so the object never
grows past ~300 points and no in-process buffer is needed: each write is the whole truth. A field
whose name ends in `_max` keeps the bucket's peak instead of its mean (a peak must survive downsampling,
e.g. memory for right-sizing).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

__all__ = ["FIELDS", "PEAK_SUFFIX", "TIERS", "Point", "record"]

TIERS: dict[str, tuple[int, int]] = {"1h": (60, 60), "24h": (900, 96), "7d": (7200, 84), "30d": (43200, 60)}
FIELDS = ("cpu", "memory", "disk", "pods", "nodes", "score")
PEAK_SUFFIX = "_max"  # fields named so fold by maximum, not mean

Point = dict[str, Any]  # {"t": bucket start, "n": samples, field: value...}


def _bucket_start(now: datetime, width: int) -> str:
    ts = int(now.timestamp()) // width * width
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def record(series: dict[str, list[Point]] | None, sample: dict[str, float], now: datetime,
           fields: tuple[str, ...] = FIELDS) -> dict[str, list[Point]]:
    """Returns new series with `sample` folded in; the input is not modified. Any family of numeric
    `fields` works: cluster metrics, quota usage, probe latencies (see cloudops.history_store)."""
    out: dict[str, list[Point]] = {}
    for name, (width, keep) in TIERS.items():
        points = [dict(p) for p in (series or {}).get(name, [])]
        start = _bucket_start(now, width)
        if points and points[-1]["t"] == start:
            last = points[-1]
            n = int(last.get("n", 1))
            for f in fields:
                value = float(sample.get(f, 0.0))
                if f.endswith(PEAK_SUFFIX):
                    last[f] = round(max(float(last.get(f, 0.0)), value), 2)
                else:
                    last[f] = round((float(last.get(f, 0.0)) * n + value) / (n + 1), 2)
            last["n"] = n + 1
        else:
            points.append({"t": start, "n": 1, **{f: round(float(sample.get(f, 0.0)), 2) for f in fields}})
        out[name] = points[-keep:]
    return out
