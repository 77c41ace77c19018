"""The self-healing engine: one operator-level task that follows the members through watches and runs rules.

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
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from kubernetes_asyncio.client import ApiClient

from cloudops.activity import Retention
from cloudops.clusters.connect import explain
from cloudops.conditions import now_iso, ready_condition, set_condition
from cloudops.constants import FIELD_MANAGER, GROUP, MANAGED_CLUSTER, SELF_HEALING_RULE, VERSION
from cloudops.kube.custom_objects import CustomObjects
from cloudops.kube.errors import Conflict, KubeError, NotFound, Unavailable
from cloudops.kube.informer import Informer, namespaced_key
from cloudops.kube.raw import request
from cloudops.members.errors import MemberError
from cloudops.members.session import MemberSession
from cloudops.selfheal import claims, history
from cloudops.selfheal.actions import ActionError, run_action
from cloudops.selfheal.guards import decide
from cloudops.selfheal.matcher import Match, evaluate
from cloudops.selfheal.rules import Rule, rule_from_object, spec_errors
from cloudops_operator.memo import Memo

__all__ = ["ENGINE_KEY", "SelfHealing"]

log = logging.getLogger("cloudops.selfheal")
ENGINE_KEY = "_self_healing"
PATHS = {"pods": "/api/v1/pods", "nodes": "/api/v1/nodes", "deployments": "/apis/apps/v1/deployments"}
TICK_SECONDS = 30.0
STUCK_SECONDS = 20.0
Json = dict[str, Any]
ObjKey = tuple[str, str, str]  # cluster, kind, "namespace/name"
ResKey = tuple[str, str, str]  # rule key, cluster, resource


@dataclass
class _Watch:
    cluster: Json  # the ManagedCluster object (history records are owned by it)
    api: ApiClient
    server: str
    informer: Informer
    started: float = field(default_factory=time.monotonic)

    def stuck(self) -> bool:
        """Not listed yet long after it started: the member refuses or cannot be reached (the log says why)."""
        return not self.informer.synced.is_set() and time.monotonic() - self.started > STUCK_SECONDS


@dataclass
class _RuleState:
    rule: Rule
    obj: Json  # the rule's object as last seen (its status is what this replica last wrote or read)

    @property
    def status(self) -> Json:
        return dict(self.obj.get("status") or {})


class SelfHealing:
    def __init__(self, memo: Memo) -> None:
        self.memo = memo
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

    # -- rules come and go (kopf event handler) ---------------------------------------------------------

    @property
    def namespace(self) -> str:
        return self.memo.settings.namespace

    def _retention(self) -> Retention:
        s = self.memo.settings
        return Retention(max_records=max(1, s.selfheal_history_records),
                         max_age=timedelta(days=s.selfheal_history_days))

    async def put(self, obj: Json) -> None:
        """A rule was listed, added or changed: (re)register it and write its Ready condition."""
        self.start()
        meta = obj["metadata"]
        key = f"{meta['namespace']}/{meta['name']}"
        errors = spec_errors(obj.get("spec") or {})
        async with self._lock:
            if errors:
                self.rules.pop(key, None)
                self.invalid[key] = errors
            else:
                self.invalid.pop(key, None)
                rule = rule_from_object(obj)
                state = self.rules.get(key)
                changed = state is None or state.rule != rule
                if state is None:
                    state = self.rules[key] = _RuleState(rule, obj)
                state.rule, state.obj = rule, obj
                if changed:
                    await self._sync_watches()
                    self._requeue(rule)
        await self._write_ready(obj)

    async def remove(self, obj: Json) -> None:
        meta = obj["metadata"]
        key = f"{meta['namespace']}/{meta['name']}"
        async with self._lock:
            self.invalid.pop(key, None)
            if self.rules.pop(key, None) is not None:
                await self._sync_watches()

    # -- watches ---------------------------------------------------------------------------------------------

    def _needed(self) -> set[tuple[str, str]]:
        return {(c, s.rule.kind) for s in self.rules.values() if s.rule.enabled for c in s.rule.clusters}

    async def _sync_watches(self) -> None:
        needed = self._needed()
        for key in [k for k in self.watches if k not in needed]:
            await self.watches.pop(key).informer.stop()
            log.info("self-healing: stopped watching %s of %s", key[1], key[0])
        for cluster, kind in sorted(needed - set(self.watches)):
            await self._start_watch(cluster, kind)

    async def _start_watch(self, cluster: str, kind: str) -> None:
        memo = self.memo
        try:
            cr = await CustomObjects(memo.hub, MANAGED_CLUSTER, self.namespace).get(cluster)
            api, server = await asyncio.wait_for(memo.members.get(memo.hub, self.namespace, dict(cr.get("spec") or {})),
                                                 timeout=memo.settings.member_timeout_seconds)
        except NotFound:
            self.watch_errors[cluster] = f"cluster {cluster!r} is not registered"
            return
        except asyncio.CancelledError:
            raise
        except Exception as e:
            self.watch_errors[cluster] = explain(e, "the member API server").message
            return
        self.watch_errors.pop(cluster, None)

        def on_event(_type: str, obj: Json, cluster: str = cluster, kind: str = kind) -> None:
            self.pending.add((cluster, kind, namespaced_key(obj)))
            self._wake.set()

        informer = Informer(api, PATHS[kind], key=namespaced_key, on_event=on_event)
        self.watches[(cluster, kind)] = _Watch(cr, api, server, informer)
        informer.start()
        log.info("self-healing: watching %s of %s", kind, cluster)

    async def _refresh_watches(self) -> None:
        """Retries watches that could not start; restarts those whose cluster was removed or re-registered or
        whose member client changed (a new kubeconfig)."""
        clusters = CustomObjects(self.memo.hub, MANAGED_CLUSTER, self.namespace)
        for (cluster, kind), w in list(self.watches.items()):
            try:
                cr = await clusters.get(cluster)
                api, _ = await asyncio.wait_for(
                    self.memo.members.get(self.memo.hub, self.namespace, dict(cr.get("spec") or {})),
                    timeout=self.memo.settings.member_timeout_seconds)
            except asyncio.CancelledError:
                raise
            except NotFound:
                api, cr = None, {}
            except Exception:
                continue  # the hub or the Secret is unreadable for now: keep following what we follow
            if api is not w.api or cr["metadata"]["uid"] != w.cluster["metadata"]["uid"]:
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
            self._task = asyncio.create_task(self._run(), name="self-healing")

    async def stop(self) -> None:
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
            if not self.pending:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), max(0.05, (wake_at - now).total_seconds()))
            self._wake.clear()
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
        if fresh is None:
            return
        decision = decide(rule, fresh, now, first, len(recent))
        if decision.verdict == "skip":
            oldest = min((e.occurred_at for e in recent), default=now)
            self._quiet(res, max(now + timedelta(seconds=5), oldest + timedelta(hours=1)), key)
            await self._write_status(rule, None, len(recent), capped=True)
            return
        if decision.verdict not in ("act", "dry_run"):
            return
        if not await claims.claim(hub, rule, cluster, fresh.resource, self.holder, now, held):
            self._quiet(res, now + timedelta(seconds=rule.cooldown), key)
            return
        self._quiet(res, now + timedelta(seconds=rule.cooldown), key)
        session = MemberSession(w.api, cluster, w.server, self.memo.settings.member_timeout_seconds,
                                self.memo.discovery)
        done = 0
        for action in rule.actions:
            started = datetime.now(UTC)
            result, message, error = "dry_run", f"dry run: would {action.type}", ""
            if decision.verdict == "act":
                try:
                    message, result = await run_action(session, action, fresh, obj or {}, rule.name,
                                                       fresh.matched), "succeeded"
                except (ActionError, MemberError) as e:
                    result, message, error = "failed", f"{action.type} failed", str(e)
            outcome = history.Outcome(rule.name, cluster, fresh.kind[:-1], fresh.namespace, fresh.name,
                                      fresh.resource, fresh.matched, action.type, result, started,
                                      datetime.now(UTC), message, error)
            await history.record(hub, w.cluster, outcome, self._retention())
            done += 1
            log.info("self-healing rule %s on %s %s/%s/%s: %s %s%s", rule.key, cluster, fresh.kind[:-1],
                     fresh.namespace, fresh.name, action.type, result, f" ({error})" if error else "")
        await self._write_status(rule, now, len(recent) + done)

    # -- status ---------------------------------------------------------------------------------------------

    def _ready(self, rule: Rule) -> tuple[bool, str, str]:
        if not rule.enabled:
            return False, "Disabled", "the rule is disabled"
        broken = [f"{c}: {self.watch_errors[c]}" for c in rule.clusters if c in self.watch_errors]
        broken += [f"{c}: the watch of {rule.kind} is not established (the operator log says why)"
                   for c in rule.clusters if (w := self.watches.get((c, rule.kind))) is not None and w.stuck()]
        if broken:
            return False, "ClusterUnavailable", "; ".join(broken)[:2000]
        mode = " (dry run: decisions are recorded, nothing is done)" if rule.dry_run else ""
        return True, "Watching", f"watching {rule.kind} on {', '.join(rule.clusters)}{mode}"[:2000]

    async def _patch_status(self, namespace: str, name: str, status: Json, resource_version: str | None) -> Json:
        body: Json = {"status": status}
        if resource_version:
            body["metadata"] = {"resourceVersion": resource_version}
        path = f"/apis/{GROUP}/{VERSION}/namespaces/{namespace}/{SELF_HEALING_RULE.plural}/{name}/status"
        resp = await request(self.memo.hub, "PATCH", path, body=body, content_type="application/merge-patch+json",
                             query=[("fieldManager", FIELD_MANAGER)], seconds=30)
        if resp.status == 404:
            raise NotFound(f"selfhealingrule {name} not found")
        if resp.status == 409:
            raise Conflict(f"selfhealingrule {name} changed meanwhile")
        if not 200 <= resp.status <= 299:
            raise Unavailable(f"status of selfhealingrule {name}: HTTP {resp.status}")
        res: Json = resp.json()
        return res

    async def _write_ready(self, obj: Json) -> None:
        """observedGeneration and Ready, written only when they change (our own write comes back as an event)."""
        meta = obj["metadata"]
        key = f"{meta['namespace']}/{meta['name']}"
        current = dict(obj.get("status") or {})
        if key in self.invalid:
            ok, reason, message = False, "InvalidSpec", "; ".join(self.invalid[key])[:2000]
        elif key in self.rules:
            ok, reason, message = self._ready(self.rules[key].rule)
        else:
            return
        cond = ready_condition(ok, reason, message, meta.get("generation"))
        old: Json = next((c for c in current.get("conditions") or [] if c.get("type") == "Ready"), {})
        if current.get("observedGeneration") == meta.get("generation") and all(
                old.get(k) == cond[k] for k in ("status", "reason", "message", "observedGeneration")):
            return
        status = {"observedGeneration": meta.get("generation"),
                  "conditions": set_condition(current.get("conditions"), cond)}
        try:
            await self._patch_status(meta["namespace"], meta["name"], status, None)
        except NotFound:
            pass

    async def _write_status(self, rule: Rule, triggered: datetime | None, last_hour: int, capped: bool = False) -> None:
        """Counters after a trigger (or the hourly count alone), under the object's resourceVersion so two
        replicas never lose each other's increments."""
        store = CustomObjects(self.memo.hub, SELF_HEALING_RULE, rule.namespace)
        for _ in range(3):
            try:
                obj = await store.get(rule.name)
            except NotFound:
                return
            if obj["metadata"].get("uid") != rule.uid:
                return
            current = dict(obj.get("status") or {})
            status: Json = {"actionsLastHour": last_hour}
            if triggered is not None:
                status["triggerCount"] = int(current.get("triggerCount") or 0) + 1
                status["lastTriggeredTime"] = triggered.strftime("%Y-%m-%dT%H:%M:%SZ")
            throttled = {"type": "Throttled", "status": "True" if capped else "False",
                         "reason": "HourlyCapReached" if capped else "BelowCap",
                         "message": f"{last_hour} of {rule.max_per_hour} actions in the last hour",
                         "observedGeneration": obj["metadata"].get("generation")}
            status["conditions"] = set_condition(current.get("conditions"), throttled, now_iso())
            try:
                written = await self._patch_status(rule.namespace, rule.name, status,
                                                   obj["metadata"].get("resourceVersion"))
            except KubeError as e:
                if e.status == 409:
                    continue
                raise
            state = self.rules.get(rule.key)
            if state is not None and state.rule.uid == rule.uid:
                state.obj = written
            return

    async def _tick(self, now: datetime) -> None:
        """Every TICK_SECONDS: watches retried, hourly counts of recently triggered rules brought down to date,
        and memory of objects that no longer match let go."""
        async with self._lock:
            await self._refresh_watches()
        for state in list(self.rules.values()):
            await self._write_ready(state.obj)
            rule = state.rule
            last = str(state.status.get("lastTriggeredTime") or "")
            count = int(state.status.get("actionsLastHour") or 0)
            if count and last:
                recent = await history.actions_since(self.memo.hub, rule.namespace, rule.name, now)
                if len(recent) != count:
                    await self._write_status(rule, None, len(recent), capped=len(recent) >= rule.max_per_hour)
        self.quiet_until = {k: v for k, v in self.quiet_until.items() if v > now}
        if len(self.first_seen) > 100_000:
            self.first_seen.clear()
