"""Session fixtures: the real control plane (local hub + members, or KUBECONFIG's) with the CRDs installed."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from cloudops.logs import JsonFormatter
from devcluster.cli import up
from devcluster.run import install
from devcluster.topology import Topology, external_topology
from tests.helpers import Kubectl
from tests.identities import provision, release
from tests.leaks import kubeconfig_secrets, log_file
from tests.processes import OperatorProcess, start_operator, stop_operator, wait_healthy


@pytest.fixture(scope="session")
def topology() -> Topology:
    ext = external_topology()
    topo = ext if ext is not None else up(members=2)
    install(topo, samples=False)
    for cluster in (topo.hub, *topo.members):
        kubeconfig_secrets(cluster.kubeconfig)
    return topo


@pytest.fixture(scope="session")
def hub(topology: Topology) -> Kubectl:
    return Kubectl(topology.hub.kubeconfig)


@pytest.fixture
def namespace(hub: Kubectl) -> Iterator[str]:
    """A fresh namespace per test, so tests never see each other's objects."""
    name = f"t-{uuid.uuid4().hex[:8]}"
    hub("create", "namespace", name)
    yield name
    unbind = release(hub.kubeconfig, name, wait=False)  # the ServiceAccounts' ClusterRoleBindings, if any
    hub.run("delete", "namespace", name, "--wait=false", check=False)
    if unbind is not None:
        unbind.communicate(timeout=120)


@pytest.fixture
def identities(topology: Topology, namespace: str, tmp_path: Path) -> dict[str, Path]:
    """Kubeconfigs of the operator's and the shim's ServiceAccounts in this test's namespace, with
    the RBAC of deploy/rbac/ ("operator", "shim" -> file)."""
    made = provision(topology.hub.kubeconfig, namespace, tmp_path / "identities")
    for path in made.values():
        kubeconfig_secrets(path)
    return made


@pytest.fixture
def operator(topology: Topology, namespace: str, identities: dict[str, Path],
             tmp_path: Path) -> Iterator[OperatorProcess]:
    """The operator process watching this test's namespace, as its ServiceAccount."""
    op = start_operator(topology, namespace, tmp_path / "operator.log", identities["operator"])
    wait_healthy(op)
    yield op
    stop_operator(op)


LAST = "tests/test_no_secret_in_logs.py"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The log check reads what every other test left behind, so it runs after them all."""
    items.sort(key=lambda item: item.nodeid.startswith(LAST))


@pytest.fixture(scope="session", autouse=True)
def suite_log(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The in-process shim's log records as a deployed shim writes them (JSON, redacted), for the log check."""
    path = log_file(tmp_path_factory.mktemp("logs") / "suite.log")
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(JsonFormatter())
    handler.setLevel(logging.INFO)
    cloudops = logging.getLogger("cloudops")
    level = cloudops.level
    cloudops.setLevel(logging.INFO)  # as deployed (setup_logging): info lines are where values could slip
    logging.getLogger().addHandler(handler)
    yield path
    logging.getLogger().removeHandler(handler)
    cloudops.setLevel(level)
    handler.close()
