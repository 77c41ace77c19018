"""The self-healing engine: one task per operator replica that follows the members through watches and runs rules.

- Every replica runs it, fed by its own watch of the SelfHealingRules, and watches only the clusters in the
  shards it owns (cloudops_operator/shards.py): a shard gained starts their watches, a shard lost stops them.
  Before a claim the replica confirms it still holds the cluster's shard (the fence), so a replica that lost it
  never acts. One replica writes each rule's Ready condition and hourly recount: the owner of its first cluster.
- Watches are shared: one Informer per (member cluster, kind) for all rules that need it, started when the
  first enabled rule needs it and stopped when the last one goes (no per-cluster or per-rule daemon).
- A watch event queues the object; the rules of that cluster and kind are evaluated against the cached object
  by the pure matcher and guards (cloudops.selfheal). Durations and delays set a timer for the object.
- Before acting, a replica claims (rule, cluster, resource) in the hub (cloudops.selfheal.claims): the claim
  is the cooldown, and only its holder acts, so two replicas never both act on one event.
- Every action or dry-run decision is recorded (cloudops.selfheal.history); the hourly cap counts those records.
What is in memory here (caches, timers, when a match was first seen) is rebuilt from the hub and the members
after a restart; losing it at worst re-arms a delay.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError

from cloudops.activity import Retention
from cloudops.constants import GROUP, MANAGED_CLUSTER, SELF_HEALING_RULE, VERSION
from cloudops.kube.client import ApiClient
from cloudops.kube.custom_objects import CustomObjects
from cloudops.kube.errors import KubeError, NotFound
from cloudops.kube.informer import Informer, namespaced_key
from cloudops.kube.types import KubeObject
from cloudops.members.access import ClusterRef
from cloudops.members.errors import MemberError
from cloudops.members.session import MemberSession
from cloudops.resources import SelfHealingRule
from cloudops.resources.base import ObjectMeta
from cloudops.resources.self_healing_rule import SelfHealingRuleStatus
from cloudops.selfheal import claims, history
from cloudops.selfheal.actions import ActionError, run_action
from cloudops.selfheal.guards import Decision, decide
from cloudops.selfheal.matcher import Match, evaluate
from cloudops.selfheal.rules import Rule, rule_from_object, spec_errors
from cloudops_operator.memo import Memo
from cloudops_operator.self_healing_status import Ready, write_counters, write_ready
from cloudops_operator.shards import Fenced, Shards

__all__ = ["SelfHealing"]

log = logging.getLogger("cloudops.selfheal")
PATHS = {"pods": "/api/v1/pods", "nodes": "/api/v1/nodes", "deployments": "/apis/apps/v1/deployments"}
TICK_SECONDS = 30.0
STUCK_SECONDS = 20.0
ObjKey = tuple[str, str, str]  # cluster, kind, "namespace/name"
ResKey = tuple[str, str, str]  # rule key, cluster, resource


@dataclass
class _Watch:
    cluster: ClusterRef  # its ManagedCluster owns the history records
    session: MemberSession  # from the member access layer: the watch and the actions go through its client
    informer: Informer[KubeObject]
    started: float = field(default_factory=time.monotonic)

    @property
    def api(self) -> ApiClient:
        return self.session.api

    def stuck(self) -> bool:
        """Not listed yet long after it started: the member refuses or cannot be reached (the log says why)."""
        return not self.informer.synced.is_set() and time.monotonic() - self.started > STUCK_SECONDS


@dataclass
class _RuleState:
    rule: Rule
    obj: SelfHealingRule  # as last seen (its status is what this replica last wrote or read)

    @property
    def status(self) -> SelfHealingRuleStatus:
        return self.obj.status or SelfHealingRuleStatus()


def _key(meta: ObjectMeta) -> str:
    return f"{meta.namespace}/{meta.name}"


ClusterOf = Callable[[str], Mapping[str, Any] | None]


class SelfHealing:
    def __init__(self, memo: Memo, shards: Shards, cluster_of: ClusterOf = lambda _: None) -> None:
        self.memo = memo
        self.shards = shards
        self.cluster_of = cluster_of  # a ManagedCluster as watched (how others' clusters are reported)
        self._rule_updates: dict[str, Mapping[str, Any] | None] = {}  # latest body per rule (None: deleted)
        self._resync = False  # shards were gained: start their clusters' watches
        self._rules_informer: Informer[KubeObject] | None = None
        self.rules: dict[str, _RuleState] = {}
        self.invalid: dict[str, list[str]] = {}
        self.watches: dict[tuple[str, str], _Watch] = {}
        self.watch_errors: dict[str, str] = {}  # cluster -> why its watches are not running
        self.pending: set[ObjKey] = set()
        self.timers: list[tuple[datetime, ObjKey]] = []
        self._due: dict[ObjKey, datetime] = {}  # the earliest timer per object: one event stream, one timer
        self.first_seen: dict[tuple[str, str, str, str], datetime] = {}
        self.quiet_until: dict[ResKey, datetime] = {}
        self.inflight: set[ResKey] = set()
        self.holder = claims.holder_identity()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._jobs: set[asyncio.Task[None]] = set()
        self._lock = asyncio.Lock()
        self._next_tick = datetime.now(UTC)

    # -- rules come and go (a watch of its own in every replica) ------------------------------------------

    @property
    def namespace(self) -> str:
        return self.memo.settings.namespace

    def _retention(self) -> Retention:
        s = self.memo.settings
        return Retention(max_records=max(1, s.selfheal_history_records),
                         max_age=timedelta(days=s.selfheal_history_days))

    def _rule_event(self, event: str, body: KubeObject) -> None:
        meta = body.get("metadata") or {}
        key = f"{meta.get('namespace') or self.namespace}/{meta.get('name')}"
        self._rule_updates[key] = None if event == "DELETED" or meta.get("deletionTimestamp") else body
        self._wake.set()

    async def _apply_rule_updates(self) -> None:
        updates, self._rule_updates = self._rule_updates, {}
        for key, body in updates.items():
            try:
                if body is None:
                    await self.remove(key)
                else:
                    await self.put(body)
            except asyncio.CancelledError:
                raise
            except Exception as e:  # the hub unreachable for the Ready write: the next tick writes it
                log.warning("self-healing rule %s: %s", key, e.__class__.__name__)

    async def put(self, body: Mapping[str, Any]) -> None:
        """A rule was listed, added or changed: (re)register it and write its Ready condition."""
        try:
            obj = SelfHealingRule.model_validate(body)
        except ValidationError as e:  # the CRD's schema is the model's: only a newer CRD could get here
            log.warning("self-healing rule ignored, it does not fit the model: %s", e.errors()[:3])
            return
        key = _key(obj.metadata)
        errors = spec_errors(obj.spec)
        async with self._lock:
            if errors:
                self.rules.pop(key, None)
                self.invalid[key] = errors
            else:
                self.invalid.pop(key, None)
                await self._register(key, obj)
        await self._write_ready(obj)

    async def _register(self, key: str, obj: SelfHealingRule) -> None:
        rule = rule_from_object(obj)
        state = self.rules.get(key)
        changed = state is None or state.rule != rule
        if state is None:
            state = self.rules[key] = _RuleState(rule, obj)
        state.rule, state.obj = rule, obj
        if changed:
            await self._sync_watches()
            self._requeue(rule)

    async def remove(self, key: str) -> None:
        async with self._lock:
            self.invalid.pop(key, None)
            if self.rules.pop(key, None) is not None:
                await self._sync_watches()

    # -- watches ---------------------------------------------------------------------------------------------

    def _needed(self) -> set[tuple[str, str]]:
        """The (cluster, kind) watches the enabled rules need on the clusters this replica owns."""
        return {(c, s.rule.kind) for s in self.rules.values() if s.rule.enabled for c in s.rule.clusters
                if self.shards.owns(c)}

    def _gained(self, _: set[int]) -> None:
        self._resync = True
        self._next_tick = datetime.now(UTC)  # Ready of the rules this replica now writes
        self._wake.set()

    async def _lost(self, _: set[int]) -> None:
        """Stops the watches of the clusters no longer owned (awaited before the shards are handed back)."""
        async with self._lock:
            for key in [k for k in self.watches if not self.shards.owns(k[0])]:
                await self.watches.pop(key).informer.stop()
                log.info("self-healing: stopped watching %s of %s (its shard moved)", key[1], key[0])

    async def _sync_watches(self) -> None:
        needed = self._needed()
        for key in [k for k in self.watches if k not in needed]:
            await self.watches.pop(key).informer.stop()
            log.info("self-healing: stopped watching %s of %s", key[1], key[0])
        for cluster, kind in sorted(needed - set(self.watches)):
            await self._start_watch(cluster, kind)

    async def _session(self, cluster: str) -> tuple[ClusterRef, MemberSession]:
        """The cluster and a session with it, through the member access layer."""
        ref = ClusterRef.of(await CustomObjects(self.memo.hub, MANAGED_CLUSTER, self.namespace).get(cluster))
        return ref, await self.memo.access.session(ref)

    async def _start_watch(self, cluster: str, kind: str) -> None:
        try:
            ref, session = await self._session(cluster)
        except NotFound:
            self.watch_errors[cluster] = f"cluster {cluster!r} is not registered"
            return
        except asyncio.CancelledError:
            raise
        except MemberError as e:
            self.watch_errors[cluster] = e.detail
            return
        except Exception as e:
            self.watch_errors[cluster] = f"cluster {cluster!r}: {e.__class__.__name__}"
            return
        self.watch_errors.pop(cluster, None)

        def on_event(_type: str, obj: KubeObject, cluster: str = cluster, kind: str = kind) -> None:
            self.pending.add((cluster, kind, namespaced_key(obj)))
            self._wake.set()

        informer: Informer[KubeObject] = Informer(session.api, PATHS[kind], key=namespaced_key, on_event=on_event)
        self.watches[(cluster, kind)] = _Watch(ref, session, informer)
        informer.start()
        log.info("self-healing: watching %s of %s", kind, cluster)

    async def _refresh_watches(self) -> None:
        """Retries watches that could not start; restarts those whose cluster was removed or re-registered or
        whose member client changed (a new kubeconfig)."""
        for (cluster, kind), w in list(self.watches.items()):
            try:
                ref, session = await self._session(cluster)
            except asyncio.CancelledError:
                raise
            except NotFound:
                ref, session = None, None
            except Exception:
                continue  # the hub or the Secret is unreadable for now: keep following what we follow
            if session is None or ref is None or session.api is not w.api or \
                    ref.cr["metadata"]["uid"] != w.cluster.cr["metadata"]["uid"]:
                await self.watches.pop((cluster, kind)).informer.stop()
        await self._sync_watches()

    def _requeue(self, rule: Rule) -> None:
        for cluster in rule.clusters:
            w = self.watches.get((cluster, rule.kind))
            if w is not None:
                self.pending.update((cluster, rule.kind, k) for k in list(w.informer.items))
        self._wake.set()

    # -- the loop ---------------------------------------------------------------------------------------------

    def start(self) -> None:
        if self._task is None:
            path = f"/apis/{GROUP}/{VERSION}/namespaces/{self.namespace}/{SELF_HEALING_RULE.plural}"
            self._rules_informer = Informer(self.memo.hub, path, on_event=self._rule_event)
            self.shards.listen(self._gained, self._lost)
            self._rules_informer.start()
            self._task = asyncio.create_task(self._run(), name="self-healing")

    async def stop(self) -> None:
        if self._rules_informer is not None:
            await self._rules_informer.stop()
        tasks = [t for t in (self._task, *self._jobs) if t is not None]
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        self._task = None
        for w in self.watches.values():
            await w.informer.stop()
        self.watches.clear()

    async def _run(self) -> None:
        while True:
            now = datetime.now(UTC)
            wake_at = min([self._next_tick, *(t for t, _ in self.timers[:1])])
            if not self.pending and not self._rule_updates and not self._resync:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), max(0.05, (wake_at - now).total_seconds()))
            self._wake.clear()
            await self._apply_rule_updates()
            if self._resync:
                self._resync = False
                async with self._lock:
                    await self._sync_watches()
            now = datetime.now(UTC)
            batch, self.pending = self.pending, set()
            while self.timers and self.timers[0][0] <= now:
                at, key = heapq.heappop(self.timers)
                if self._due.get(key) == at:
                    del self._due[key]
                batch.add(key)
            for key in batch:
                self._evaluate(key, now)
            if now >= self._next_tick:
                self._next_tick = now + timedelta(seconds=TICK_SECONDS)
                try:
                    await self._tick(now)
                except asyncio.CancelledError:
                    raise
                except Exception as e:  # the loop must outlive one failed refresh
                    log.warning("self-healing refresh failed: %s", e.__class__.__name__)

    def _later(self, at: datetime, key: ObjKey) -> None:
        known = self._due.get(key)
        if (known is not None and known <= at) or len(self.timers) >= 100_000:
            return
        self._due[key] = at
        heapq.heappush(self.timers, (at, key))

    def _evaluate(self, key: ObjKey, now: datetime) -> None:
        cluster, kind, name = key
        w = self.watches.get((cluster, kind))
        obj = w.informer.get(name) if w is not None else None
        for state in list(self.rules.values()):
            rule = state.rule
            if not rule.enabled or rule.kind != kind or cluster not in rule.clusters:
                continue
            seen_key = (rule.key, cluster, kind, name)
            match = evaluate(rule, obj, now, self.namespace) if obj is not None else None
            if match is None:
                self.first_seen.pop(seen_key, None)
                continue
            first = self.first_seen.setdefault(seen_key, now)
            decision = decide(rule, match, now, first, None)
            if decision.verdict == "wait" and decision.at is not None:
                self._later(decision.at, key)
                continue
            if decision.verdict == "skip":
                continue
            res: ResKey = (rule.key, cluster, match.resource)
            quiet = self.quiet_until.get(res)
            if quiet is not None and quiet > now:
                self._later(quiet, key)  # look again when the cooldown (or the cap) may be over
                continue
            if res in self.inflight or w is None:
                continue
            self.inflight.add(res)
            job = asyncio.create_task(self._handle(rule, w, key, match, first, res), name=f"self-healing {res}")
            self._jobs.add(job)
            job.add_done_callback(self._jobs.discard)

    # -- one trigger --------------------------------------------------------------------------------------

    async def _handle(self, rule: Rule, w: _Watch, key: ObjKey, match: Match, first: datetime, res: ResKey) -> None:
        try:
            await self._trigger(rule, w, key, match, first, res)
        except asyncio.CancelledError:
            raise
        except Fenced as e:  # the cluster's shard moved: its new owner handles the event
            log.info("self-healing rule %s on %s: not handled here: %s", rule.key, res[2], e)
        except (KubeError, MemberError, TimeoutError, OSError) as e:
            log.info("self-healing rule %s on %s: not handled: %s", rule.key, res[2], e.__class__.__name__)
            self.quiet_until[res] = datetime.now(UTC) + timedelta(seconds=10)
            self._later(self.quiet_until[res], key)
        except Exception as e:
            log.warning("self-healing rule %s failed: %s", rule.key, e.__class__.__name__, exc_info=True)
            self.quiet_until[res] = datetime.now(UTC) + timedelta(seconds=30)
        finally:
            self.inflight.discard(res)

    def _quiet(self, res: ResKey, until: datetime, key: ObjKey) -> None:
        self.quiet_until[res] = until
        self._later(until, key)

    async def _trigger(self, rule: Rule, w: _Watch, key: ObjKey, match: Match, first: datetime, res: ResKey) -> None:
        hub, cluster = self.memo.hub, key[0]
        now = datetime.now(UTC)
        held = await claims.read(hub, rule.namespace, claims.claim_name(rule.uid, cluster, match.resource))
        if held is not None and not held.expired(now):
            self._quiet(res, (held.acquired or now) + timedelta(seconds=held.seconds), key)
            return
        recent = await history.actions_since(hub, rule.namespace, rule.name, now)
        obj = w.informer.get(key[2])  # the object may have healed while we read the hub
        fresh = evaluate(rule, obj, now, self.namespace) if obj is not None else None
        if obj is None or fresh is None:
            return
        decision = decide(rule, fresh, now, first, len(recent))
        if decision.verdict == "skip":
            oldest = min((e.occurred_at for e in recent), default=now)
            self._quiet(res, max(now + timedelta(seconds=5), oldest + timedelta(hours=1)), key)
            await self._write_status(rule, None, len(recent), capped=True)
            return
        if decision.verdict not in ("act", "dry_run"):
            return
        await self.shards.fence(cluster)  # a replica that lost the cluster's shard never claims, so never acts
        claimed = await claims.claim(hub, rule, cluster, fresh.resource, self.holder, now, held)
        self._quiet(res, now + timedelta(seconds=rule.cooldown), key)
        if not claimed:
            return
        done = await self._act(rule, w, decision, fresh, obj)
        await self._write_status(rule, now, len(recent) + done)

    async def _act(self, rule: Rule, w: _Watch, decision: Decision, match: Match, obj: KubeObject) -> int:
        """Runs (or, in a dry run, records) the rule's actions in order; returns how many were recorded."""
        cluster = w.cluster.name
        for action in rule.actions:
            started = datetime.now(UTC)
            result, message, error = "dry_run", f"dry run: would {action.type}", ""
            if decision.verdict == "act":
                try:
                    message, result = await run_action(w.session, action, match, obj, rule.name,
                                                       match.matched), "succeeded"
                except (ActionError, MemberError) as e:
                    result, message, error = "failed", f"{action.type} failed", str(e)
            outcome = history.Outcome(rule.name, cluster, match.kind[:-1], match.namespace, match.name,
                                      match.resource, match.matched, action.type, result, started,
                                      datetime.now(UTC), message, error)
            await history.record(self.memo.hub, w.cluster.cr, outcome, self._retention())
            log.info("self-healing rule %s on %s %s/%s/%s: %s %s%s", rule.key, cluster, match.kind[:-1],
                     match.namespace, match.name, action.type, result, f" ({error})" if error else "")
        return len(rule.actions)

    # -- status ---------------------------------------------------------------------------------------------

    def _writes_status(self, obj: SelfHealingRule) -> bool:
        """Whether this replica writes the rule's Ready and hourly recount: the owner of its first cluster (of
        the rule's own name when it names none), so there is one writer however many replicas run."""
        clusters = sorted(obj.spec.clusters or [])
        return self.shards.owns(clusters[0] if clusters else obj.metadata.name or "")

    def _elsewhere(self, cluster: str) -> str | None:
        """Why a cluster watched by another replica cannot be watched, from its ManagedCluster; None: it can."""
        mc = self.cluster_of(cluster)
        if mc is None:
            return f"cluster {cluster!r} is not registered"
        status = mc.get("status") or {}
        if status.get("phase") in ("disconnected", "error"):
            return f"cluster {cluster!r} is {status['phase']}"
        return None

    def _ready(self, rule: Rule) -> Ready:
        if not rule.enabled:
            return False, "Disabled", "the rule is disabled"
        broken = [self.watch_errors[c] for c in rule.clusters if c in self.watch_errors and self.shards.owns(c)]
        broken += [why for c in rule.clusters if not self.shards.owns(c) and (why := self._elsewhere(c))]
        broken += [f"{c}: the watch of {rule.kind} is not established (the operator log says why)"
                   for c in rule.clusters if (w := self.watches.get((c, rule.kind))) is not None and w.stuck()]
        if broken:
            return False, "ClusterUnavailable", "; ".join(broken)[:2000]
        mode = " (dry run: decisions are recorded, nothing is done)" if rule.dry_run else ""
        return True, "Watching", f"watching {rule.kind} on {', '.join(rule.clusters)}{mode}"[:2000]

    async def _write_ready(self, obj: SelfHealingRule) -> None:
        key = _key(obj.metadata)
        if not self._writes_status(obj):
            return
        if key in self.invalid:
            await write_ready(self.memo.hub, obj, (False, "InvalidSpec", "; ".join(self.invalid[key])[:2000]))
        elif key in self.rules:
            await write_ready(self.memo.hub, obj, self._ready(self.rules[key].rule))

    async def _write_status(self, rule: Rule, triggered: datetime | None, last_hour: int, capped: bool = False) -> None:
        written = await write_counters(self.memo.hub, rule, triggered, last_hour, capped)
        state = self.rules.get(rule.key)
        if written is not None and state is not None and state.rule.uid == rule.uid:
            state.obj = written

    async def _tick(self, now: datetime) -> None:
        """Every TICK_SECONDS: watches retried, hourly counts of recently triggered rules brought down to date,
        and memory of objects that no longer match let go."""
        async with self._lock:
            await self._refresh_watches()
        for state in list(self.rules.values()):
            await self._write_ready(state.obj)
            rule = state.rule
            last = state.status.last_triggered_time or ""
            count = state.status.actions_last_hour or 0
            if count and last and self._writes_status(state.obj):
                recent = await history.actions_since(self.memo.hub, rule.namespace, rule.name, now)
                if len(recent) != count:
                    await self._write_status(rule, None, len(recent), capped=len(recent) >= rule.max_per_hour)
        self.quiet_until = {k: v for k, v in self.quiet_until.items() if v > now}
        if len(self.first_seen) > 100_000:
            self.first_seen.clear()
