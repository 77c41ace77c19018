"""Shard assignment and the share each replica takes (cloudops.sharding): pure functions."""

from __future__ import annotations

from collections import Counter

from cloudops.sharding import PIN_LABEL, fair_share, plan, shard_for, shard_of


def test_a_cluster_keeps_its_shard_across_processes_and_the_hash_spreads_clusters() -> None:
    assert shard_of("prod-eu-1", 64) == shard_of("prod-eu-1", 64)
    assert shard_of("prod-eu-1", 64) == 11  # sha256: the same in every release, whatever PYTHONHASHSEED is
    counts = Counter(shard_of(f"cluster-{i}", 16) for i in range(3200))
    assert len(counts) == 16
    assert max(counts.values()) / min(counts.values()) < 1.35


def test_a_pin_label_names_the_shard_and_a_bad_one_is_ignored() -> None:
    assert shard_for("a", {PIN_LABEL: "3"}, 8) == 3
    assert shard_for("a", {PIN_LABEL: "8"}, 8) == shard_of("a", 8)  # out of range
    assert shard_for("a", {PIN_LABEL: "-1"}, 8) == shard_of("a", 8)
    assert shard_for("a", {PIN_LABEL: "x"}, 8) == shard_of("a", 8)
    assert shard_for("a", None, 8) == shard_of("a", 8)


def test_fair_share_rounds_up() -> None:
    assert fair_share(64, 3) == 22
    assert fair_share(64, 1) == 64
    assert fair_share(8, 0) == 8


def _converge(shards: int, replicas: list[str], holders: dict[int, str]) -> tuple[dict[int, str], int]:
    """Rounds of every replica until nothing changes; (holders, shards that changed hands)."""
    moved = 0
    for _ in range(20):
        changed = False
        for me in replicas:
            free = {n for n in range(shards) if not holders.get(n) or holders[n] not in replicas}
            todo = plan(shards, me, holders, free, replicas)
            for n in todo.release:
                holders[n] = ""
                changed = True
            for n in todo.take:
                holders[n] = me
                moved += 1
                changed = True
        if not changed:
            return holders, moved
    raise AssertionError("no convergence")


def test_replicas_converge_on_fair_shares_and_a_join_moves_only_the_surplus() -> None:
    holders, _ = _converge(64, ["a"], {})
    assert Counter(holders.values()) == {"a": 64}
    holders, moved = _converge(64, ["a", "b", "c"], holders)
    assert sorted(Counter(holders.values()).values()) == [21, 21, 22]
    assert moved == 43  # a keeps 21 of its 64: only what b and c need moves
    held_by_b = Counter(holders.values())["b"]
    holders, moved = _converge(64, ["a", "c"], dict(holders))  # b died
    assert sorted(Counter(holders.values()).values()) == [32, 32]
    assert moved == held_by_b  # b's shards, and nothing else


def test_a_replica_over_its_share_hands_back_the_highest_and_takes_nothing() -> None:
    holders = {n: "a" for n in range(8)}
    todo = plan(8, "a", holders, set(), ["a", "b"])
    assert todo.release == (7, 6, 5, 4)
    assert todo.take == ()


def test_one_at_the_ceiling_hands_one_back_to_a_replica_under_the_floor() -> None:
    holders = {n: ("a" if n < 22 else "b" if n < 44 else "c") for n in range(64)}  # 22, 22, 20
    assert plan(64, "a", holders, set(), ["a", "b", "c"]).release == (21,)
    holders = {n: ("a" if n < 22 else "b" if n < 43 else "c") for n in range(64)}  # 22, 21, 21: fair
    assert plan(64, "a", holders, set(), ["a", "b", "c"]) == plan(64, "a", holders, set(), ["a", "b", "c"])
    assert plan(64, "a", holders, set(), ["a", "b", "c"]).release == ()


def test_two_replicas_starting_together_try_mostly_different_shards() -> None:
    live = ["replica-a/1", "replica-b/1"]
    first = plan(64, "replica-a/1", {}, set(range(64)), live).take
    second = plan(64, "replica-b/1", {}, set(range(64)), live).take
    assert len(first) == len(second) == 32
    assert first[0] != second[0]
