"""The operator as users run it: a separate process watching one namespace of the real hub."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from devcluster.topology import Topology
from tests.helpers import free_port, wait_until
from tests.identities import provision
from tests.leaks import log_file


@dataclass
class OperatorProcess:
    proc: subprocess.Popen[bytes]
    log: Path
    health_port: int
    metrics_port: int

    def text(self) -> str:
        return self.log.read_text(errors="replace")


def start_operator(topology: Topology, namespace: str, log: Path, kubeconfig: Path | None = None,
                   env: dict[str, str] | None = None) -> OperatorProcess:
    """As deployed: with the cloudops-operator ServiceAccount's token (provisioned in `namespace` unless
    `kubeconfig` is given), never the hub's admin credentials."""
    if kubeconfig is None:
        kubeconfig = provision(topology.hub.kubeconfig, namespace, log.parent / "identities", ("operator",))["operator"]
    health, metrics = free_port(), free_port()
    env = {**os.environ, **(env or {}), "KUBECONFIG": str(kubeconfig), "CLOUDOPS_NAMESPACE": namespace,
           "CLOUDOPS_OPERATOR_HEALTH_PORT": str(health), "CLOUDOPS_OPERATOR_METRICS_PORT": str(metrics)}
    out = open(log_file(log), "ab")
    proc = subprocess.Popen([sys.executable, "-m", "cloudops_operator.main"], env=env, stdout=out, stderr=out)
    return OperatorProcess(proc, log, health, metrics)


@dataclass
class Replicas:
    """Operator replicas of one test, as the operator's ServiceAccount, each logging to `<dir>/<name>.log`."""

    topology: Topology
    namespace: str
    directory: Path
    env: dict[str, str]
    started: list[OperatorProcess] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.kubeconfig = provision(self.topology.hub.kubeconfig, self.namespace, self.directory / "identities",
                                    ("operator",))["operator"]

    async def start(self, name: str) -> OperatorProcess:
        op = await asyncio.to_thread(start_operator, self.topology, self.namespace, self.directory / f"{name}.log",
                                     self.kubeconfig, self.env)
        self.started.append(op)
        await asyncio.to_thread(wait_healthy, op)
        return op

    async def kill_all(self) -> None:
        for op in self.started:
            if op.proc.poll() is None:
                op.proc.kill()
                await asyncio.to_thread(op.proc.wait, 30)


def stop_operator(op: OperatorProcess) -> None:
    op.proc.terminate()
    try:
        op.proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        op.proc.kill()


def wait_healthy(op: OperatorProcess) -> None:
    def healthy() -> bool:
        assert op.proc.poll() is None, op.text()[-3000:]
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{op.health_port}/healthz", timeout=1) as r:
                return r.status == 200
        except OSError:
            return False

    wait_until(healthy, 60, "operator liveness endpoint")
