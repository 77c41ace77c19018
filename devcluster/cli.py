"""`python -m devcluster up|down|status|stop NAME|start NAME|supervise|kubeconfig NAME`."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from devcluster import prometheus, supervisor
from devcluster.kwok import Kwok, bin_dir
from devcluster.topology import Cluster, Topology, load_topology, save_topology, state_dir

__all__ = ["down", "main", "up"]


def _names(members: int) -> list[str]:
    return ["hub"] + [f"member-{i}" for i in range(1, members + 1)]


def up(members: int = 1) -> Topology:
    """Starts (or reuses) the hub and N members; safe to call again while they run."""
    kwok = Kwok(bin_dir())
    root = state_dir()
    root.mkdir(parents=True, exist_ok=True)
    (root / "logs").mkdir(exist_ok=True)
    existing = kwok.existing()
    clusters: list[Cluster] = []
    for name in _names(members):
        kubeconfig = root / f"{name}.kubeconfig"
        if name in existing:
            kwok.relink_binaries(name)
        if name not in existing:
            print(f"[devcluster] creating {name}", file=sys.stderr)
            with supervisor.exclusive(name):
                kwok.create(name)
        elif not (kubeconfig.exists() and kwok.ready(kubeconfig) and kwok.all_running(name)):
            print(f"[devcluster] starting {name} (or its stopped components)", file=sys.stderr)
            with supervisor.exclusive(name):
                kwok.start(name)
        kubeconfig.write_text(kwok.portable_kubeconfig(name))
        kubeconfig.chmod(0o600)
        kwok.wait_ready(kubeconfig)
        kwok.wait_leaders(kubeconfig)
        kwok.scale_nodes(name)
        kwok.wait_components(name, kubeconfig)
        logs = root / "logs" / name
        if not logs.exists():
            logs.symlink_to(kwok.cluster_dir(name) / "logs")
        clusters.append(Cluster(name, kubeconfig, local=True))
    topo = Topology(hub=clusters[0], members=clusters[1:])
    save_topology(topo)
    supervisor.ensure(kwok.bins)  # from now on, a component that exits is restarted
    prometheus.ensure(topo, kwok.bins / "prometheus", {m.name: kwok.cluster_dir(m.name) for m in topo.members})
    return topo


def down() -> None:
    """Stops every process `up` started and removes their data."""
    supervisor.stop()  # first, or it would restart what is being deleted
    kwok = Kwok(bin_dir())
    prometheus.stop()
    for name in sorted(kwok.existing()):
        print(f"[devcluster] deleting {name}", file=sys.stderr)
        kwok.delete(name)
    root = state_dir()
    if root.exists():
        shutil.rmtree(root)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="devcluster", description=__doc__)
    sub = p.add_subparsers(dest="cmd", required=True)
    u = sub.add_parser("up", help="start or reuse the hub and members")
    u.add_argument("--members", type=int, default=1)
    sub.add_parser("down", help="stop and remove every local cluster")
    sub.add_parser("status", help="list local clusters and whether they answer")
    sv = sub.add_parser("supervise", help="restart local components that exit, until the clusters are gone")
    sv.add_argument("--detach", action="store_true", help="run in the background (as `up` starts it)")
    sv.add_argument("--bin-dir", type=Path, help="the control plane's bin folder (default: build or reuse it)")
    for verb in ("stop", "start"):
        sub.add_parser(verb, help=f"{verb} one cluster's processes").add_argument("name")
    args = p.parse_args(argv)

    if args.cmd == "up":
        topo = up(args.members)
        for c in [topo.hub, *topo.members]:
            print(f"{c.name}\t{c.kubeconfig}")
    elif args.cmd == "down":
        down()
    elif args.cmd == "status":
        current = load_topology()
        if current is None:
            print("no clusters")
            return 1
        kwok = Kwok(bin_dir())
        for c in [current.hub, *current.members]:
            print(f"{c.name}\t{'ready' if kwok.ready(c.kubeconfig) else 'down'}\t{c.kubeconfig}")
        pid = supervisor.running()
        print(f"supervisor\t{f'running (pid {pid})' if pid else 'not running'}\t{supervisor.log_file()}")
    elif args.cmd == "supervise":
        return supervisor.supervise(args.bin_dir or bin_dir(), detach=args.detach)
    elif args.cmd == "stop":
        with supervisor.exclusive(args.name):
            Kwok(bin_dir()).stop(args.name)
    elif args.cmd == "start":
        kwok = Kwok(bin_dir())
        with supervisor.exclusive(args.name):
            kwok.start(args.name)
        supervisor.ensure(kwok.bins)
    return 0


if __name__ == "__main__":
    sys.exit(main())
