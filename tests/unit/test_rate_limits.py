"""TokenBucket and Buckets: burst, refusal with the wait, refill, per-key independence, eviction."""

from __future__ import annotations

import math

import pytest

from api_shim.security.ratelimit import Buckets, TokenBucket


def test_burst_is_granted_immediately_then_refused() -> None:
    bucket = TokenBucket(rate=2.0, burst=3, now=100.0)
    assert [bucket.take(100.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = bucket.take(100.0)
    assert wait == pytest.approx(0.5)  # (1 - 0) / 2


def test_wait_accounts_for_a_partial_token() -> None:
    bucket = TokenBucket(rate=4.0, burst=1, now=0.0)
    assert bucket.take(0.0) == 0.0
    # 0.1 s at 4/s refills 0.4 tokens: 0.6 tokens still missing -> 0.15 s
    assert bucket.take(0.1) == pytest.approx(0.15)


def test_refill_over_time_grants_again() -> None:
    bucket = TokenBucket(rate=1.0, burst=2, now=0.0)
    bucket.take(0.0)
    bucket.take(0.0)
    assert bucket.take(0.5) > 0
    assert bucket.take(1.0) == 0.0
    assert bucket.take(1.0) > 0


def test_refill_is_capped_at_burst() -> None:
    bucket = TokenBucket(rate=10.0, burst=2, now=0.0)
    results = [bucket.take(1000.0) for _ in range(3)]
    assert results[:2] == [0.0, 0.0]
    assert results[2] == pytest.approx(0.1)


def test_refused_take_does_not_consume() -> None:
    bucket = TokenBucket(rate=1.0, burst=1, now=0.0)
    bucket.take(0.0)
    for _ in range(5):
        assert bucket.take(0.0) == pytest.approx(1.0)
    assert bucket.take(1.0) == 0.0


def test_zero_rate_bucket_gives_infinite_wait() -> None:
    bucket = TokenBucket(rate=0.0, burst=1, now=0.0)
    assert bucket.take(0.0) == 0.0
    assert math.isinf(bucket.take(10_000.0))


def test_buckets_keys_are_independent() -> None:
    buckets = Buckets(rate=1.0, burst=1)
    assert buckets.take("alice", now=0.0) == 0.0
    assert buckets.take("alice", now=0.0) > 0
    assert buckets.take("bob", now=0.0) == 0.0


def test_buckets_zero_rate_gives_infinite_wait() -> None:
    buckets = Buckets(rate=0.0, burst=1)
    assert buckets.take("k", now=0.0) == 0.0
    assert buckets.take("k", now=5.0) == float("inf")


def test_buckets_evict_least_recently_used_beyond_max_keys() -> None:
    buckets = Buckets(rate=0.001, burst=1, max_keys=2)
    buckets.take("a", now=0.0)
    buckets.take("b", now=0.0)
    buckets.take("a", now=0.0)  # a is now the most recently used (and empty)
    buckets.take("c", now=0.0)  # evicts b
    # b was forgotten: a fresh bucket grants again
    assert buckets.take("b", now=0.0) == 0.0  # this in turn evicts a
    assert buckets.take("a", now=0.0) == 0.0


def test_buckets_keep_recently_used_key_state() -> None:
    buckets = Buckets(rate=0.001, burst=1, max_keys=2)
    buckets.take("a", now=0.0)
    buckets.take("b", now=0.0)
    buckets.take("a", now=0.0)
    buckets.take("c", now=0.0)  # evicts b, not a
    assert buckets.take("a", now=0.0) > 0


def test_buckets_default_now_uses_monotonic(monkeypatch: pytest.MonkeyPatch) -> None:
    import api_shim.security.ratelimit as ratelimit

    clock = [50.0]
    monkeypatch.setattr(ratelimit.time, "monotonic", lambda: clock[0])
    buckets = Buckets(rate=1.0, burst=1)
    assert buckets.take("k") == 0.0
    assert buckets.take("k") == pytest.approx(1.0)
    clock[0] = 51.0
    assert buckets.take("k") == 0.0
