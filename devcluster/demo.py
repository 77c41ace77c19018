"""The `make run` demo workload: a pod in member-1 (namespace `demo`) whose log grows and whose exec and
files work, through kwok's Logs and Exec objects (the log is a file here; exec runs inside the pod's own root
filesystem, devcluster/podroot.py, as its user `app`: its `/app` holds config.json)."""

from __future__ import annotations

import contextlib
import json
import subprocess
import threading
from datetime import UTC, datetime
from pathlib import Path

from devcluster.podroot import make_root, place
from devcluster.topology import state_dir

__all__ = ["CONTAINER_ID", "start_demo"]

NAMESPACE, POD, CONTAINER = "demo", "web", "app"
CONTAINER_ID = f"member-1:{NAMESPACE}:{POD}:{CONTAINER}"
MAX_LOG_BYTES = 20 * 1024 * 1024  # the demo log starts over past this
MESSAGES = [
    ('{{"level":"info","msg":"GET /api/orders 200","duration_ms":{n}}}', "stdout"),
    ("level=warn msg=\"slow query\" table=orders ms={n}", "stdout"),
    ("[INFO] cache hit ratio 0.{n}", "stdout"),
    ("ERROR payment provider timeout (attempt {n})", "stderr"),
    ("DEBUG worker heartbeat {n}", "stdout"),
]


def _line(i: int) -> str:
    message, stream = MESSAGES[i % len(MESSAGES)]
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return f"{stamp} {stream} F {message.format(n=i % 97)}\n"


def _grow(log: Path, stop: threading.Event, every: float) -> None:
    i = 0
    while not stop.wait(every):
        if log.stat().st_size > MAX_LOG_BYTES:
            log.write_text("")
        with log.open("a", encoding="utf-8") as f:
            f.write(_line(i))
        i += 1


def start_demo(kubeconfig: Path, every: float = 2.0) -> threading.Event:
    """Creates (idempotently) the demo pod and its kwok Logs/Exec, and a thread appending a log line every
    `every` seconds; set the returned event to stop it."""
    root = state_dir() / "demo"
    rootfs, log = make_root(root / "rootfs"), root / "web.log"
    # Seeded once: what the pod changed since stays (place never follows a link the pod left).
    with contextlib.suppress(FileExistsError):
        place(rootfs, "/app/config.json", b'{"feature_flags": {"new_checkout": true}}\n')
    with contextlib.suppress(FileExistsError):
        place(rootfs, "/README.txt", b"The demo container's own filesystem: its exec runs here, as the user app.\n",
              owner=0)
    if not log.exists():
        log.write_text("".join(_line(i) for i in range(20)))
    objs = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}},
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": POD, "namespace": NAMESPACE,
                                                             "labels": {"app": POD}},
             "spec": {"containers": [{"name": CONTAINER, "image": "demo/web:1.0"}]}},
            {"apiVersion": "kwok.x-k8s.io/v1alpha1", "kind": "Logs", "metadata": {"name": POD, "namespace": NAMESPACE},
             "spec": {"logs": [{"containers": [CONTAINER], "logsFile": str(log), "follow": True}]}},
            {"apiVersion": "kwok.x-k8s.io/v1alpha1", "kind": "Exec", "metadata": {"name": POD, "namespace": NAMESPACE},
             "spec": {"execs": [{"containers": [CONTAINER], "local": {"workDir": str(rootfs)}}]}}]
    subprocess.run(["kubectl", "--kubeconfig", str(kubeconfig), "apply", "-f", "-"], check=True, text=True,
                   capture_output=True, input=json.dumps({"apiVersion": "v1", "kind": "List", "items": objs}))
    stop = threading.Event()
    threading.Thread(target=_grow, args=(log, stop, every), name="demo-log", daemon=True).start()
    return stop
