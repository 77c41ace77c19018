"""The guards between a match and an action, as pure decisions the reconciler carries out.

Order: a disabled rule does nothing; a match waits out the rule's delay (counted from when this process first
saw it) and its conditions' durations; a rule at its hourly cap skips; a resource in cooldown skips (the claim,
cloudops.selfheal.claims, decides that across replicas); a dry run records what it would do instead of doing it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from cloudops.selfheal.matcher import Match
from cloudops.selfheal.rules import Rule

__all__ = ["Decision", "decide", "lease_expired"]

Verdict = Literal["act", "dry_run", "wait", "skip"]


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    reason: str
    at: datetime | None = None  # for wait: when to look again


def decide(rule: Rule, match: Match, now: datetime, first_seen: datetime, actions_last_hour: int | None) -> Decision:
    """What to do about `match` now. `actions_last_hour` None: not counted yet (the caller counts only when
    everything else says act, since counting reads the history)."""
    if not rule.enabled:
        return Decision("skip", "the rule is disabled")
    due = max(match.due, first_seen + timedelta(seconds=rule.effective_delay))
    if now < due:
        return Decision("wait", f"conditions must hold until {due.isoformat()}", due)
    if actions_last_hour is not None and actions_last_hour >= rule.max_per_hour:
        return Decision("skip", f"the rule reached its cap of {rule.max_per_hour} actions per hour")
    if rule.dry_run:
        return Decision("dry_run", "dry run: recorded, not done")
    return Decision("act", "conditions matched")


def lease_expired(acquired: datetime | None, duration_seconds: int, now: datetime) -> bool:
    """A claim past its cooldown may be taken over (acquired None: unreadable, treat as expired)."""
    return acquired is None or now >= acquired + timedelta(seconds=duration_seconds)
