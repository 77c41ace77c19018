"""Which clusters tests and tools talk to: the locally started ones or those named by KUBECONFIG."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["REPO", "Cluster", "Topology", "load_topology", "state_dir"]

REPO = Path(__file__).resolve().parent.parent
TOPOLOGY_FILE = "clusters.json"


def state_dir() -> Path:
    """The documented folder holding kubeconfigs, logs and kwokctl's work tree."""
    return Path(os.environ.get("CLOUDOPS_CLUSTERS_DIR", REPO / ".clusters")).resolve()


@dataclass(frozen=True)
class Cluster:
    name: str
    kubeconfig: Path
    local: bool  # started by devcluster, so tests may stop and start it


@dataclass(frozen=True)
class Topology:
    hub: Cluster
    members: list[Cluster] = field(default_factory=list)

    def member(self, name: str) -> Cluster:
        for m in self.members:
            if m.name == name:
                return m
        raise KeyError(name)


def external_topology() -> Topology | None:
    """KUBECONFIG names the hub; CLOUDOPS_MEMBER_KUBECONFIGS (os.pathsep-separated) the members."""
    hub = os.environ.get("KUBECONFIG")
    if not hub:
        return None
    members = [p for p in os.environ.get("CLOUDOPS_MEMBER_KUBECONFIGS", "").split(os.pathsep) if p]
    return Topology(
        hub=Cluster("hub", Path(hub), local=False),
        members=[Cluster(f"member-{i + 1}", Path(p), local=False) for i, p in enumerate(members)],
    )


def load_topology() -> Topology | None:
    """The external topology if configured, else the one `devcluster up` last wrote."""
    ext = external_topology()
    if ext is not None:
        return ext
    f = state_dir() / TOPOLOGY_FILE
    if not f.exists():
        return None
    data = json.loads(f.read_text())

    def mk(d: dict[str, str]) -> Cluster:
        return Cluster(d["name"], Path(d["kubeconfig"]), local=True)

    return Topology(hub=mk(data["hub"]), members=[mk(m) for m in data["members"]])


def save_topology(topo: Topology) -> None:
    def d(c: Cluster) -> dict[str, str]:
        return {"name": c.name, "kubeconfig": str(c.kubeconfig)}

    payload = {"hub": d(topo.hub), "members": [d(m) for m in topo.members]}
    (state_dir() / TOPOLOGY_FILE).write_text(json.dumps(payload, indent=2) + "\n")
