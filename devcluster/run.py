"""`make run`: control plane, CRDs, samples, operator and shim in one foreground command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from devcluster import prometheus
from devcluster.cli import up
from devcluster.demo import CONTAINER_ID, start_demo
from devcluster.demo_traffic import SERVICE, start_traffic
from devcluster.kwok import Kwok, bin_dir
from devcluster.topology import REPO, Topology, external_topology, state_dir

__all__ = ["install", "main"]

NAMESPACE = os.environ.get("CLOUDOPS_NAMESPACE", "cloudops-system")


def kubectl(kubeconfig: Path, *args: str, stdin: str | None = None) -> str:
    res = subprocess.run(["kubectl", "--kubeconfig", str(kubeconfig), *args], input=stdin, text=True,
                         capture_output=True)
    if res.returncode != 0:
        raise RuntimeError(f"kubectl {' '.join(args[:3])} failed: {res.stderr.strip()}")
    return res.stdout


def install(topo: Topology, namespace: str = NAMESPACE, samples: bool = True) -> None:
    """CRDs, the namespace, one kubeconfig Secret per member and the samples; idempotent."""
    hub = topo.hub.kubeconfig
    kubectl(hub, "apply", "--server-side", "--force-conflicts", "-k", str(REPO / "crds"))
    kubectl(hub, "wait", "--for=condition=Established", "crd", "-l", "app.kubernetes.io/part-of=cloudops-k8s",
            "--timeout=60s")
    kubectl(hub, "apply", "-f", str(REPO / "deploy" / "rbac" / "user-roles.yaml"))
    ns = kubectl(hub, "create", "namespace", namespace, "--dry-run=client", "-o", "yaml")
    kubectl(hub, "apply", "-f", "-", stdin=ns)
    for m in topo.members:
        secret = kubectl(hub, "-n", namespace, "create", "secret", "generic", f"{m.name}-kubeconfig",
                         f"--from-file=kubeconfig={m.kubeconfig}", "--dry-run=client", "-o", "yaml")
        kubectl(hub, "apply", "-f", "-", stdin=secret)
    if samples:
        rendered = kubectl(hub, "kustomize", str(REPO / "deploy" / "samples"))
        if namespace != "cloudops-system":
            rendered = rendered.replace("namespace: cloudops-system", f"namespace: {namespace}")
        kubectl(hub, "apply", "--server-side", "--force-conflicts", "-f", "-", stdin=rendered)


def _wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)  # poll
    raise TimeoutError(f"{url} did not become ready in {timeout}s")


def main() -> int:
    external = external_topology()
    topo = external if external is not None else up(members=1)
    install(topo)
    demo = start_demo(topo.members[0].kubeconfig)
    env = {**os.environ, "KUBECONFIG": str(topo.hub.kubeconfig), "CLOUDOPS_NAMESPACE": NAMESPACE}
    prom = prometheus.url() if external is None else None
    if prom is not None:
        # The local Prometheus behind network usage, endpoint traffic and observed flows (unless set otherwise).
        start_traffic(topo.members[0].kubeconfig, topo.members[0].name, demo)
        env.setdefault("CLOUDOPS_PROMETHEUS_URL", prom)
        env.setdefault("CLOUDOPS_NETWORK_FLOWS", f"prometheus:{prom}")
    logs = state_dir() / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    key_file = state_dir() / "dev-admin.apikey"
    key = subprocess.run([sys.executable, "-m", "api_shim.security.apikey_cli", "create", "--user", "dev-admin",
                          "--group", "cloudops:admins"], env=env, check=True, capture_output=True, text=True)
    key_file.write_text(key.stdout.strip())
    key_file.chmod(0o600)
    procs = []
    for name, cmd in (("operator", "cloudops_operator.main"), ("shim", "api_shim.main")):
        log = open(logs / f"{name}.log", "ab")
        procs.append(subprocess.Popen([sys.executable, "-m", cmd], env=env, stdout=log, stderr=log))
    host, port = env.get("CLOUDOPS_LISTEN_HOST", "127.0.0.1"), env.get("CLOUDOPS_SHIM_PORT", "8080")
    url = f"http://{host}:{port}"
    try:
        _wait_http(f"{url}/readyz")
        print(f"\nCloudOps K8s is running: {url}  (logs: {logs})\n"
              f"  hub kubeconfig: {topo.hub.kubeconfig}\n"
              f"  an admin API key (group cloudops:admins) is in {key_file}\n"
              f"  web console: {url}/ui/  (sign in with that API key: cat {key_file})\n"
              f"  try: curl -s -H \"X-API-Key: $(cat {key_file})\" {url}/api/k8s/clusters/list\n"
              f"  demo pod logs: curl -s -H \"X-API-Key: $(cat {key_file})\" "
              f"'{url}/api/k8s/containers/{CONTAINER_ID}/logs?tail=5&level=error'\n"
              f"  demo pod exec: curl -s -H \"X-API-Key: $(cat {key_file})\" -H 'Content-Type: application/json' "
              f"-d '{{\"command\": [\"ls\", \"-la\", \"app\"]}}' {url}/api/k8s/containers/{CONTAINER_ID}/exec\n"
              + (f"  demo traffic (Prometheus {prom}): curl -s -H \"X-API-Key: $(cat {key_file})\" "
                 f"'{url}/api/k8s/endpoints/{SERVICE}/metrics?namespace=demo&cluster_id=1&time_range=1h'\n"
                 if prom else "") +
              "  Ctrl-C stops the operator, the shim and the local clusters.", flush=True)
        while all(p.poll() is None for p in procs):
            time.sleep(1)
        print("a component exited; see its log", file=sys.stderr)
    except KeyboardInterrupt:
        pass
    finally:
        demo.set()
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
        if external is None:
            kwok = Kwok(bin_dir())
            prometheus.stop()
            for c in [topo.hub, *topo.members]:
                kwok.stop(c.name)
        print("stopped", flush=True)
    return 0


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _interrupt)
    sys.exit(main())
