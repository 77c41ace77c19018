"""One Prometheus for the local members, on loopback, scraping what a real cluster's Prometheus scrapes.

- Each member's emulated kubelet: kwok serves `/metrics/nodes/<node>/metrics/cadvisor` (kwok-metrics.yaml) and
  lists those paths at `/discovery/prometheus`, which Prometheus reads as HTTP service discovery. Every series
  gets `cluster="<member>"` and `node`, as a multi-cluster Prometheus (Thanos, Mimir, a federating Prometheus)
  labels them.
- Workloads' own `/metrics`: files in `<state>/prometheus/targets/*.json` (file service discovery), written by
  `register()` for the demo service and for tests, labelled `cluster`, `namespace`, `service`, `pod`.

The port is chosen once and kept in `<state>/prometheus/port`; `url()` says where it is.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import yaml

from devcluster.processes import alive, terminate
from devcluster.topology import Topology, state_dir

__all__ = ["SCRAPE_SECONDS", "ensure", "exited", "launch", "register", "running", "stop", "unregister", "url"]

SCRAPE_SECONDS = 5  # short, so tests and `make run` see rates within seconds; cheap at this size


def _dir() -> Path:
    return state_dir() / "prometheus"


def _pid_file() -> Path:
    return _dir() / "prometheus.pid"


def _port() -> int:
    f = _dir() / "port"
    if f.exists():
        return int(f.read_text().strip())
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    _dir().mkdir(parents=True, exist_ok=True)
    f.write_text(f"{port}\n")
    return port


def url() -> str | None:
    """The local Prometheus's base URL, or None when devcluster has not started one."""
    f = _dir() / "port"
    return f"http://127.0.0.1:{f.read_text().strip()}" if f.exists() else None


def _discovery(cluster_dir: Path) -> str | None:
    """The kwok controller's `/discovery/prometheus` URL from kwokctl's config of that cluster."""
    conf = cluster_dir / "kwok.yaml"
    if not conf.exists():
        return None
    for doc in yaml.safe_load_all(conf.read_text()):
        for comp in (doc or {}).get("components") or []:
            found = comp.get("metricsDiscovery") if comp.get("name") == "kwok-controller" else None
            if found:
                return f"{found.get('scheme', 'http')}://{found['host']}{found['path']}"
    return None


def config(members: dict[str, str]) -> dict[str, object]:
    """The scrape configuration: `members` maps a member's name to its kwok discovery URL."""
    jobs: list[dict[str, object]] = []
    for name, discovery in sorted(members.items()):
        jobs.append({
            "job_name": f"kubelet-{name}",
            "http_sd_configs": [{"url": discovery, "refresh_interval": "10s"}],
            "relabel_configs": [
                {"source_labels": ["metrics_name"], "regex": "metrics-cadvisor", "action": "keep"},
                {"source_labels": ["__metrics_path__"], "regex": "/metrics/nodes/([^/]+)/.*", "target_label": "node"},
                {"target_label": "cluster", "replacement": name},
                {"target_label": "job", "replacement": "kubelet"},
                {"regex": "metrics_name", "action": "labeldrop"},
            ],
        })
    jobs.append({"job_name": "workloads",
                 "file_sd_configs": [{"files": [str(_dir() / "targets" / "*.json")], "refresh_interval": "5s"}]})
    return {"global": {"scrape_interval": f"{SCRAPE_SECONDS}s", "evaluation_interval": f"{SCRAPE_SECONDS}s"},
            "scrape_configs": jobs}


def _pid() -> int | None:
    try:
        pid = int(_pid_file().read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if alive(pid) else None


def running() -> bool:
    return _pid() is not None


def _get(path: str, timeout: float = 2) -> int:
    base = url()
    if base is None:
        return 0
    try:
        with urllib.request.urlopen(f"{base}{path}", timeout=timeout) as r:
            return int(r.status)
    except OSError:
        return 0


def _reload() -> None:
    base = url()
    req = urllib.request.Request(f"{base}/-/reload", method="POST")
    with urllib.request.urlopen(req, timeout=10):
        pass


def launch(binary: Path) -> int:
    """Starts Prometheus from the configuration `ensure` wrote, detached; returns its pid (does not wait)."""
    d = _dir()
    log = state_dir() / "logs"
    log.mkdir(parents=True, exist_ok=True)
    with (log / "prometheus.log").open("ab") as out:
        proc = subprocess.Popen(
            [str(binary), f"--config.file={d / 'prometheus.yml'}", f"--storage.tsdb.path={d / 'data'}",
             f"--web.listen-address=127.0.0.1:{_port()}", "--storage.tsdb.retention.time=2d",
             "--web.enable-lifecycle", "--log.level=warn"],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    _pid_file().write_text(f"{proc.pid}\n")
    return proc.pid


def exited() -> int | None:
    """The pid of a Prometheus that was started here and is gone (the supervisor restarts it), else None."""
    try:
        pid = int(_pid_file().read_text().strip())
    except (OSError, ValueError):
        return None
    return None if alive(pid) else pid


def ensure(topo: Topology, binary: Path, kwok_clusters: dict[str, Path], timeout: float = 60) -> str:
    """Writes the configuration for the topology's members and starts Prometheus, or reloads the running one
    when the configuration changed; returns its URL once it answers ready."""
    d = _dir()
    (d / "targets").mkdir(parents=True, exist_ok=True)
    members = {m.name: found for m in topo.members
               if (found := _discovery(kwok_clusters.get(m.name, Path("/nonexistent")))) is not None}
    conf = d / "prometheus.yml"
    text = yaml.safe_dump(config(members), sort_keys=False)
    changed = not conf.exists() or conf.read_text() != text
    conf.write_text(text)
    port = _port()
    if running():
        if changed:
            _reload()
    else:
        launch(binary)
    deadline = time.monotonic() + timeout
    while _get("/-/ready") != 200:
        if time.monotonic() > deadline:
            raise TimeoutError(f"Prometheus on 127.0.0.1:{port} not ready after {timeout}s; see logs/prometheus.log")
        time.sleep(0.3)  # poll
    return f"http://127.0.0.1:{port}"


def stop(timeout: float = 15) -> None:
    """Stops it for good: without its pid file the supervisor does not start it again."""
    pid = _pid()
    _pid_file().unlink(missing_ok=True)
    if pid is not None:
        terminate(pid, timeout)


def register(name: str, address: str, labels: dict[str, str]) -> Path:
    """Adds a scrape target (`host:port` on loopback serving /metrics) with its labels; Prometheus notices
    the file within seconds. Returns the file, which `unregister` removes."""
    host = address.rsplit(":", 1)[0]
    if not host.startswith("127."):
        raise ValueError(f"scrape targets must be on 127.0.0.0/8, not {address}")
    f = _dir() / "targets" / f"{name}.json"
    f.parent.mkdir(parents=True, exist_ok=True)
    tmp = f.with_suffix(".tmp")
    tmp.write_text(json.dumps([{"targets": [address], "labels": labels}]))
    tmp.rename(f)
    return f


def unregister(name: str) -> None:
    (_dir() / "targets" / f"{name}.json").unlink(missing_ok=True)
