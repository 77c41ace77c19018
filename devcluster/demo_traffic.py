"""The `make run` demo's traffic: the demo pod `demo/web` is backed by a real HTTP service on loopback, a client
in `demo/shop` calls it at a rate that changes every few minutes, and Prometheus scrapes the service.

kwok emulates the pod's kubelet; here the kubelet's network counters follow what the service really received
and sent: every 15 s the bytes of the last interval become the pod's emulated rates
(`cloudops.io/emulate-network-receive|transmit`, devcluster/kwok-metrics.yaml), so the cluster's network usage
moves with the demo traffic.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import threading
import time
from pathlib import Path

from devcluster import prometheus
from devcluster.workload import HttpWorkload, Traffic

__all__ = ["SERVICE", "start_traffic"]

NAMESPACE, POD, SERVICE, CLIENT = "demo", "web", "web", "shop"
RATES = (2.0, 6.0, 3.0, 8.0)  # requests per second, each for PHASE_SECONDS
PHASE_SECONDS = 180.0
ANNOTATE_SECONDS = 15.0


def _kubectl(kubeconfig: Path, *args: str, stdin: str | None = None) -> None:
    subprocess.run(["kubectl", "--kubeconfig", str(kubeconfig), *args], input=stdin, text=True,
                   capture_output=True, check=False, timeout=30)


def _service(kubeconfig: Path) -> None:
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": SERVICE, "namespace": NAMESPACE},
           "spec": {"selector": {"app": POD}, "ports": [{"name": "http", "port": 80, "targetPort": 8080}]}}
    _kubectl(kubeconfig, "apply", "-f", "-", stdin=json.dumps(svc))


def _run(kubeconfig: Path, cluster: str, stop: threading.Event) -> None:
    service = HttpWorkload(NAMESPACE, POD)
    prometheus.register("demo-web", service.address,
                        {"cluster": cluster, "namespace": NAMESPACE, "service": SERVICE, "pod": POD})
    traffic = Traffic(service.address, f"{NAMESPACE}/{CLIENT}", RATES[0])
    rates = itertools.cycle(RATES)
    phase_end = time.monotonic()
    last, last_t = service.totals(), time.monotonic()
    try:
        while not stop.wait(ANNOTATE_SECONDS):
            if time.monotonic() >= phase_end:
                traffic.rate, phase_end = next(rates), time.monotonic() + PHASE_SECONDS
            now, now_t = service.totals(), time.monotonic()
            elapsed = max(now_t - last_t, 1e-3)
            rx, tx = (now[1] - last[1]) / elapsed, (now[2] - last[2]) / elapsed
            _kubectl(kubeconfig, "-n", NAMESPACE, "annotate", "--overwrite", "pod", POD,
                     f"cloudops.io/emulate-network-receive={int(rx)}",
                     f"cloudops.io/emulate-network-transmit={int(tx)}")
            last, last_t = now, now_t
    finally:
        traffic.stop()
        prometheus.unregister("demo-web")
        service.close()


def start_traffic(kubeconfig: Path, cluster: str, stop: threading.Event) -> None:
    """Creates the demo Service and starts the service, its client and the annotator until `stop` is set."""
    _service(kubeconfig)
    threading.Thread(target=_run, args=(kubeconfig, cluster, stop), name="demo-traffic", daemon=True).start()
