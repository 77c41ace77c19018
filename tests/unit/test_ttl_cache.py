"""TTLCache: get/put, expiry on a patched clock, bounded size, clear."""

from __future__ import annotations

import pytest

import api_shim.security.ttlcache as ttlcache
from api_shim.security.ttlcache import TTLCache


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    now = [1000.0]
    monkeypatch.setattr(ttlcache.time, "monotonic", lambda: now[0])
    return now


def test_put_then_get_returns_value(clock: list[float]) -> None:
    cache: TTLCache[str, int] = TTLCache(ttl=10.0)
    cache.put("a", 1)
    assert cache.get("a") == 1


def test_missing_key_returns_none(clock: list[float]) -> None:
    cache: TTLCache[str, int] = TTLCache(ttl=10.0)
    assert cache.get("nope") is None


def test_put_overwrites_value(clock: list[float]) -> None:
    cache: TTLCache[str, int] = TTLCache(ttl=10.0)
    cache.put("a", 1)
    cache.put("a", 2)
    assert cache.get("a") == 2


def test_entry_expires_after_ttl(clock: list[float]) -> None:
    cache: TTLCache[str, int] = TTLCache(ttl=10.0)
    cache.put("a", 1)
    clock[0] += 9.9
    assert cache.get("a") == 1
    clock[0] += 0.2
    assert cache.get("a") is None
    clock[0] -= 5.0  # once expired the entry is gone, not just hidden
    assert cache.get("a") is None


def test_put_refreshes_expiry(clock: list[float]) -> None:
    cache: TTLCache[str, int] = TTLCache(ttl=10.0)
    cache.put("a", 1)
    clock[0] += 8.0
    cache.put("a", 1)
    clock[0] += 8.0
    assert cache.get("a") == 1


def test_max_entries_evicts_oldest(clock: list[float]) -> None:
    cache: TTLCache[str, int] = TTLCache(ttl=10.0, max_entries=2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("c", 3)
    assert cache.get("a") is None
    assert cache.get("b") == 2
    assert cache.get("c") == 3


def test_rewriting_a_key_makes_it_newest(clock: list[float]) -> None:
    cache: TTLCache[str, int] = TTLCache(ttl=10.0, max_entries=2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("a", 10)
    cache.put("c", 3)  # evicts b, the oldest write
    assert cache.get("b") is None
    assert cache.get("a") == 10
    assert cache.get("c") == 3


def test_clear_removes_everything(clock: list[float]) -> None:
    cache: TTLCache[str, int] = TTLCache(ttl=10.0)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.clear()
    assert cache.get("a") is None
    assert cache.get("b") is None
