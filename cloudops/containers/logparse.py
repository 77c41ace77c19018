"""Log lines as the kubelet returns them with `timestamps=true`, and the level each one speaks at.

A line is `<RFC3339Nano timestamp> <message>`; a CRI file line (`<ts> stdout F <message>`) is accepted too,
so the same parser reads what kwok and a real kubelet send and what tests write. Timestamps become integer
nanoseconds since the epoch: comparisons stay exact where datetime would round to microseconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from cloudops.bounded import loads_json
from cloudops.timestamps import parse_moment

__all__ = ["LEVELS", "LogLine", "detect_level", "format_ns", "parse_line", "parse_time_ns"]

LEVELS = ("debug", "info", "warn", "error", "unknown")
_ALIASES = {"trace": "debug", "debug": "debug", "dbg": "debug", "info": "info", "information": "info",
            "notice": "info", "inf": "info", "warn": "warn", "warning": "warn", "wrn": "warn",
            "error": "error", "err": "error", "fatal": "error", "critical": "error", "crit": "error",
            "panic": "error", "emerg": "error", "alert": "error", "severe": "error", "eror": "error"}
_WORDS = "|".join(sorted(_ALIASES, key=len, reverse=True))
_TS = re.compile(r"(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:?\d{2})$")
_CRI = re.compile(r"^(stdout|stderr) [FP] ")
_LOGFMT = re.compile(rf'(?i)(?:^|[\s,{{])"?(?:level|lvl|severity|loglevel)"?\s*[=:]\s*"?({_WORDS})\b')
_BRACKET = re.compile(rf"(?i)[\[<(]({_WORDS})[\]>)]")
_UPPER = re.compile(rf"\b({_WORDS.upper()})\b")
_FIRST = re.compile(rf"(?i)^\W{{0,2}}({_WORDS})\b")
_JSON_KEYS = ("level", "severity", "lvl", "loglevel", "log.level", "levelname", "@level")


@dataclass(frozen=True)
class LogLine:
    """One line: `ts` in epoch nanoseconds (None when the line carries no timestamp), `stamp` as sent."""

    ts: int | None
    stamp: str
    message: str

    @property
    def level(self) -> str:
        return detect_level(self.message)


def parse_time_ns(text: str) -> int:
    """RFC3339 (any fraction up to nanoseconds, Z or an offset) to epoch nanoseconds; ValueError otherwise, in
    words of our own: not the form, no such date or time (2026-02-30, 25:00), or beyond years 0001-9999 in UTC
    (which format_ns could not write back)."""
    m = _TS.match(text.strip())
    if m is None:
        raise ValueError("not an RFC3339 timestamp (e.g. 2024-01-01T00:00:00Z)")
    date, clock, frac, zone = m.groups()
    zone = "+00:00" if zone in ("Z", "z") else (zone if ":" in zone else f"{zone[:3]}:{zone[3:]}")
    base = parse_moment(f"{date}T{clock}{zone}", text.strip(), "2024-01-01T00:00:00Z")
    return int(base.timestamp()) * 1_000_000_000 + int((frac or "0").ljust(9, "0"))


def format_ns(ns: int) -> str:
    """Epoch nanoseconds as RFC3339 with nanoseconds, UTC (`2024-01-01T00:00:00.000000001Z`)."""
    seconds, frac = divmod(ns, 1_000_000_000)
    base = datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None).isoformat(timespec="seconds")  # year 0001 too
    return f"{base}.{frac:09d}Z"


def parse_line(raw: str) -> LogLine:
    """A kubelet line (`<ts> <message>`) or a CRI file line (`<ts> stdout F <message>`)."""
    raw = raw.rstrip("\r\n")
    head, sep, rest = raw.partition(" ")
    if sep and head[:1].isdigit():
        try:
            ts = parse_time_ns(head)
        except ValueError:
            return LogLine(None, "", raw)
        if _CRI.match(rest):
            rest = rest[9:]
        return LogLine(ts, head, rest)
    return LogLine(None, "", raw)


def _norm(word: str) -> str:
    return _ALIASES.get(word.strip().lower(), "unknown")


def detect_level(message: str) -> str:
    """debug, info, warn, error or unknown: JSON `level`/`severity`, logfmt `level=`, `[INFO]`-style, then a
    bare level word (upper-case anywhere, any case as the first word)."""
    text = message.lstrip()
    if text.startswith("{"):
        try:
            doc = loads_json(text)  # a container's log line is untrusted text
        except ValueError:
            doc = None
        if isinstance(doc, dict):
            lowered = {str(k).lower(): v for k, v in doc.items()}
            for key in _JSON_KEYS:
                value = lowered.get(key)
                if isinstance(value, str) and _norm(value) != "unknown":
                    return _norm(value)
    for pattern in (_LOGFMT, _BRACKET, _FIRST, _UPPER):
        m = pattern.search(text)
        if m is not None:
            return _norm(m.group(1))
    return "unknown"
