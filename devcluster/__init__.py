"""Local Kubernetes control planes (a hub and members) for tests, `make run` and benchmarks.

Each cluster is a real kube-apiserver backed by its own etcd, with controller-manager,
scheduler and kwok fake nodes, managed by kwokctl's binary runtime with binaries built
from the official Go modules by ``controlplane/build.sh``.
"""

from devcluster.topology import Cluster, Topology, load_topology

__all__ = ["Cluster", "Topology", "load_topology"]
