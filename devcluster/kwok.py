"""Drives kwokctl's binary runtime with our locally built binaries (it must never download)."""

from __future__ import annotations

import base64
import os
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import yaml

from devcluster.processes import terminate
from devcluster.topology import REPO, state_dir

__all__ = ["Kwok", "bin_dir"]

PREFIX = "cloudops-"
NODES_PER_CLUSTER = 2
CONFIG = Path(__file__).with_name("kwokctl.yaml")
METRICS_API = "v1beta1.metrics.k8s.io"
STAGES = Path(__file__).with_name("kwok-stages.yaml")
METRICS = Path(__file__).with_name("kwok-metrics.yaml")


def bin_dir() -> Path:
    """Builds the control plane on first use (cached outside the repo), returns its bin folder."""
    out = subprocess.run(
        ["bash", str(REPO / "controlplane" / "build.sh")], check=True, stdout=subprocess.PIPE, text=True
    )
    return Path(out.stdout.strip().splitlines()[-1])


class Kwok:
    def __init__(self, bins: Path) -> None:
        self.bins = bins
        self.workdir = state_dir() / "kwok"
        self.env = {
            **os.environ,
            "KWOK_WORKDIR": str(self.workdir),
            "PATH": f"{bins}{os.pathsep}{os.environ.get('PATH', '')}",
        }
        self.env.pop("KUBECONFIG", None)

    def _run(self, *args: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.bins / "kwokctl"), *args], env=self.env, check=check, text=True,
            capture_output=True, timeout=timeout,
        )

    def existing(self) -> set[str]:
        out = self._run("get", "clusters", check=False).stdout
        return {line.strip()[len(PREFIX):] for line in out.splitlines() if line.strip().startswith(PREFIX)}

    def cluster_dir(self, name: str) -> Path:
        return self.workdir / "clusters" / f"{PREFIX}{name}"

    def create(self, name: str) -> None:
        b = self.bins
        # Members serve metrics.k8s.io: metrics-server scrapes kwok's emulated kubelet (/metrics/resource on
        # localhost), with usage set per pod by the annotations kwok.x-k8s.io/usage-cpu and usage-memory.
        # They also serve a cAdvisor-style endpoint with per-pod network counters (kwok-metrics.yaml) for Prometheus.
        metrics = ([] if name == "hub" else
                   ["--enable", "metrics-server", "--metrics-server-binary", str(b / "metrics-server"),
                    "--config", str(METRICS)])
        res = self._run(
            "create", "cluster", "--name", f"{PREFIX}{name}", "--runtime", "binary",
            "--kubeconfig", "", "--wait", "3m", "--quiet-pull", "--config", str(CONFIG), "--config", str(STAGES),
            # Without node leases kwok keeps managing its nodes across a stop/start of the cluster
            # (with them, a restarted kwok finds leases held by its former self and never takes over).
            "--node-lease-duration-seconds", "0",
            "--kube-apiserver-binary", str(b / "kube-apiserver"),
            "--kube-controller-manager-binary", str(b / "kube-controller-manager"),
            "--kube-scheduler-binary", str(b / "kube-scheduler"),
            # kwok runs pods' exec in podexec's jail (kwok-jail wraps it): inside the pod's own root, as a
            # non-root user, with nothing of the host executable (controlplane/podexec, devcluster/podroot.py).
            "--kwok-controller-binary", str(b / "kwok-jail"),
            "--etcd-binary", str(b / "etcd"),
            *metrics,
            check=False, timeout=400,
        )
        if res.returncode != 0:
            raise RuntimeError(f"kwokctl create cluster {name} failed:\n{res.stderr[-4000:]}")

    def start(self, name: str) -> None:
        self._run("start", "cluster", "--name", f"{PREFIX}{name}", "--wait", "2m")

    def stop(self, name: str) -> None:
        self._run("stop", "cluster", "--name", f"{PREFIX}{name}")

    def delete(self, name: str) -> None:
        self._run("delete", "cluster", "--name", f"{PREFIX}{name}", check=False)

    def relink_binaries(self, name: str) -> None:
        """kwokctl links each cluster's binaries into the cache; after the cache moved (a new pin, or it
        was cleared and rebuilt) point the links at the current build, keeping the cluster's data. A cluster made
        before kwok ran in podexec's jail gets the jail, and its running kwok is stopped so that `up` starts it
        again, jailed."""
        bin_dir = self.cluster_dir(name) / "bin"
        for link in bin_dir.iterdir() if bin_dir.is_dir() else []:
            if not link.is_symlink():
                continue
            binary = Path(os.readlink(link)).name
            unjailed = link.name == "kwok-controller" and binary == "kwok"
            target = self.bins / ("kwok-jail" if unjailed else binary)
            if (unjailed or not link.exists()) and target.exists():
                link.unlink()
                link.symlink_to(target)
                if unjailed:
                    self._stop_component(name, "kwok-controller")

    def _stop_component(self, name: str, component: str, timeout: float = 15) -> None:
        """Stops a component kwokctl started and waits until it is gone (`all_running` then says so)."""
        try:
            pid = int((self.cluster_dir(name) / "pids" / f"{component}.pid").read_text().strip())
        except (OSError, ValueError):
            return  # not running
        terminate(pid, timeout)

    def all_running(self, name: str) -> bool:
        """Every component kwokctl started is still alive (controller-manager and scheduler exit for good
        when they lose their leader lease, e.g. after the apiserver hung)."""
        pids = list((self.cluster_dir(name) / "pids").glob("*.pid"))
        for pid_file in pids:
            try:
                os.kill(int(pid_file.read_text().strip()), 0)
            except (OSError, ValueError):
                return False
        return bool(pids)

    def scale_nodes(self, name: str, replicas: int = NODES_PER_CLUSTER) -> None:
        self._run("scale", "node", "--replicas", str(replicas), "--name", f"{PREFIX}{name}")

    def portable_kubeconfig(self, name: str) -> str:
        """The admin kubeconfig with certificates inlined, so it can live in a Secret."""
        src = self.cluster_dir(name) / "kubeconfig.yaml"
        cfg = yaml.safe_load(src.read_text())
        base = src.parent
        for section, keys in (("clusters", ("certificate-authority",)),
                              ("users", ("client-certificate", "client-key"))):
            for item in cfg.get(section, []):
                body = item[section[:-1]]
                for key in keys:
                    if key in body:
                        path = Path(body.pop(key))
                        path = path if path.is_absolute() else base / path
                        body[f"{key}-data"] = base64.b64encode(path.read_bytes()).decode()
        # Contexts are named after the cluster, as users would name them.
        ctx = cfg["contexts"][0]
        ctx["name"] = name
        cfg["contexts"] = [ctx]
        cfg["current-context"] = name
        return yaml.safe_dump(cfg, sort_keys=False)

    def ready(self, kubeconfig: Path, timeout: float = 5) -> bool:
        try:
            res = subprocess.run(
                ["kubectl", "--kubeconfig", str(kubeconfig), "--request-timeout", f"{int(timeout)}s",
                 "get", "--raw", "/readyz"], capture_output=True, text=True, timeout=timeout + 5,
            )
        except subprocess.TimeoutExpired:
            return False
        return res.returncode == 0 and res.stdout.strip() == "ok"

    def leaders_fresh(self, kubeconfig: Path, max_age: float = 5.0) -> bool:
        """Controller-manager and scheduler hold and renew their leader leases (after a restart the
        previous holder's lease must expire first, about 15 s)."""
        for lease in ("kube-controller-manager", "kube-scheduler"):
            res = subprocess.run(["kubectl", "--kubeconfig", str(kubeconfig), "-n", "kube-system", "get", "lease",
                                  lease, "-o", "jsonpath={.spec.renewTime}"], capture_output=True, text=True)
            if res.returncode != 0 or not res.stdout:
                return False
            renewed = datetime.fromisoformat(res.stdout.replace("Z", "+00:00"))
            if (datetime.now(UTC) - renewed).total_seconds() > max_age:
                return False
        return True

    def wait_leaders(self, kubeconfig: Path, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while not self.leaders_fresh(kubeconfig):
            if time.monotonic() > deadline:
                raise TimeoutError(f"controller-manager/scheduler of {kubeconfig} not leading after {timeout}s")
            time.sleep(1)  # poll

    def metrics_available(self, kubeconfig: Path) -> bool:
        res = subprocess.run(["kubectl", "--kubeconfig", str(kubeconfig), "get", "apiservice", METRICS_API, "-o",
                              'jsonpath={.status.conditions[?(@.type=="Available")].status}'],
                             capture_output=True, text=True, timeout=30)
        return res.returncode == 0 and res.stdout.strip() == "True"

    def wait_components(self, name: str, kubeconfig: Path, timeout: float = 120) -> None:
        """Every component running and, on a member, the metrics API available. metrics-server exits for good
        when the apiserver was not ready while it started; a component that exited is started again at once
        (`up` does not wait for the supervisor's backoff, nor needs it running), under the lock the supervisor
        restarts under, so the two never start one component twice."""
        from devcluster.supervisor import exclusive  # the supervisor drives this class

        deadline = time.monotonic() + timeout
        while True:
            if not self.all_running(name):
                with exclusive(name, timeout=max(deadline - time.monotonic(), 1)):
                    if not self.all_running(name):  # the supervisor may just have done it
                        self.start(name)
            if name == "hub" or self.metrics_available(kubeconfig):
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name}: {METRICS_API} not available after {timeout}s")
            time.sleep(1)  # poll

    def wait_ready(self, kubeconfig: Path, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.ready(kubeconfig):
                return
            time.sleep(0.5)  # poll
        raise TimeoutError(f"{kubeconfig} not ready after {timeout}s")
