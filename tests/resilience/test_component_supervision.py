"""Components supervised as a kubelet would: a member's kube-apiserver frozen past its components' leader lease
makes its controller-manager and scheduler exit; `devcluster`'s supervisor (started by `up`) restarts them, says
so in its log, and the product sees the cluster healthy again."""

from __future__ import annotations

import asyncio
import base64
import os
import re
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from devcluster.kwok import Kwok, bin_dir
from devcluster.topology import Topology, state_dir
from tests.helpers import eventually
from tests.processes import start_operator, stop_operator, wait_healthy
from tests.resilience.test_member_outage import _client, frozen_apiserver, heal

# kwokctl gives the controller-manager and scheduler no leader-election flags (see kwok.yaml of a cluster), so
# they keep the defaults: lease 15 s, renewed every 2 s, given up (and the process exits) when not renewed
# within the 10 s renew deadline. A freeze lasts until both have exited, about 10-14 s; this bounds it.
FREEZE_LIMIT = 45.0
LEADERS = ("kube-controller-manager", "kube-scheduler")


def _pids(pid_dir: Path) -> dict[str, int]:
    """Component -> pid (0 while its file is being rewritten)."""
    return {f.stem: int(f.read_text().strip() or 0) for f in pid_dir.glob("*.pid")}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def test_components_lost_to_a_frozen_apiserver_are_restarted(topology: Topology, namespace: str,
                                                                  tmp_path: Path) -> None:
    member = topology.members[1]
    if not member.local:
        pytest.skip("needs a member started by devcluster")
    kwok = Kwok(bin_dir())
    pid_dir = kwok.cluster_dir(member.name) / "pids"
    log = state_dir() / "logs" / "supervisor.log"
    client, hub = await _client(topology, namespace, tmp_path)
    op = await asyncio.to_thread(start_operator, topology, namespace, tmp_path / "operator.log")
    try:
        await asyncio.to_thread(wait_healthy, op)
        kc = base64.b64encode(member.kubeconfig.read_bytes()).decode()
        r = await client.post("/api/k8s/clusters/add", json={"name": "flaky", "kubeconfig": kc})
        assert r.status == 200, await r.text()

        async def health() -> dict[str, Any]:
            r = await client.get("/api/k8s/clusters/flaky/health")
            assert r.status == 200, await r.text()
            return dict((await r.json())["data"])

        async def steady(after: datetime) -> dict[str, Any] | None:
            """The stored health once probed after `after` with every component healthy."""
            h = await health()
            checked = h["last_check"] and datetime.fromisoformat(h["last_check"]) > after
            healthy = h["components"] and all(c["status"] == "healthy" for c in h["components"])
            return h if checked and healthy else None

        await asyncio.to_thread(kwok.wait_leaders, member.kubeconfig)
        since = datetime.now(UTC)
        before = await eventually(lambda: steady(since), 60, "health before the freeze")

        old = _pids(pid_dir)
        logged = log.read_text() if log.exists() else ""
        with frozen_apiserver(member.name):
            start = time.monotonic()
            await eventually(lambda: _true(not any(_alive(old[c]) for c in LEADERS)), FREEZE_LIMIT,
                             "controller-manager and scheduler exit while the apiserver is frozen")
            froze = time.monotonic() - start
        print(f"froze {froze:.1f}s until both leaders exited")

        def restarted() -> dict[str, int] | None:
            now = _pids(pid_dir)
            return now if all(now.get(c) not in (None, 0, old[c]) and _alive(now[c]) for c in LEADERS) else None

        # Bounded by the supervisor's longest backoff (30 s) for each of the two, should earlier restarts of this
        # cluster within a minute have raised it.
        new = await eventually(lambda: _true(restarted()), 75, "new controller-manager and scheduler processes")
        assert new["kube-apiserver"] == old["kube-apiserver"], "a frozen apiserver is alive: never restarted"
        for comp, pid in old.items():
            if comp not in LEADERS and _alive(pid):
                assert new[comp] == pid, f"{comp} kept running, so it must not have been started again"

        def lines() -> str | None:
            text = log.read_text()[len(logged):] if log.exists() else ""
            wanted = [rf"restarted {c} of {member.name}: pid {old[c]} exited \(noticed [0-9TZ:-]+\), new pid {new[c]}"
                      for c in LEADERS]
            return text if all(re.search(w, text) for w in wanted) else None

        await eventually(lambda: _true(lines()), 10, f"both restarts in {log}")
        await eventually(lambda: asyncio.to_thread(kwok.leaders_fresh, member.kubeconfig), 90, "leases renewed")
        since = datetime.now(UTC)
        after = await eventually(lambda: steady(since), 90, "health after the restarts")
        assert after["health_score"] == before["health_score"], (before, after)
        assert after["health_status"] == before["health_status"]
    finally:
        await asyncio.to_thread(stop_operator, op)
        await client.close()
        await hub.close()
        await asyncio.to_thread(heal, member.name, member.kubeconfig)


async def _true(value: Any) -> Any:
    return value
