"""A standby judges a Lease expired by its own clock, from when it first saw the holder's last renewal."""

from __future__ import annotations

from datetime import UTC, datetime

from cloudops.kube.leases import Lease
from cloudops_operator.leader import Observed

T0 = datetime(2026, 1, 1, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _lease(holder: str, renewed: datetime | None, seconds: int = 15) -> Lease:
    return Lease(holder, T0, renewed, seconds, 0, "1")


def test_expiry_counts_from_the_first_sight_of_a_renewal_not_from_its_timestamp() -> None:
    clock = Clock()
    seen = Observed(clock)
    old = _lease("a/1", datetime(2000, 1, 1, tzinfo=UTC))  # a holder's clock far behind ours: no matter
    seen.see(old)
    assert not seen.expired(old)
    clock.now += 15
    seen.see(old)
    assert not seen.expired(old)
    clock.now += 0.5
    assert seen.expired(old)


def test_a_renewal_restarts_the_count_and_a_free_lease_is_expired_at_once() -> None:
    clock = Clock()
    seen = Observed(clock)
    seen.see(_lease("a/1", T0))
    clock.now += 14
    renewed = _lease("a/1", T0.replace(second=10))
    seen.see(renewed)
    clock.now += 14
    assert not seen.expired(renewed)
    free = _lease("", T0)
    seen.see(free)
    assert seen.expired(free)
