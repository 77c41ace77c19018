"""The operator's member clients come from kubeconfig Secret versions it watches (metadata only): syncs reuse a
client without a Secret GET, and a changed Secret gets a new client at once."""

from __future__ import annotations

import asyncio
from pathlib import Path

from cloudops.settings import Settings
from cloudops_operator.handlers.startup import build_memo, close_memo
from devcluster.topology import Topology
from tests.helpers import Kubectl, eventually
from tests.operator.test_status import _member_secret


async def test_syncs_reuse_the_member_client_until_its_secret_changes(
        topology: Topology, hub: Kubectl, namespace: str, identities: dict[str, Path]) -> None:
    member = str(topology.members[0].kubeconfig)
    await asyncio.to_thread(_member_secret, hub, namespace, "m1", member)
    memo = await build_memo(Settings(namespace=namespace, kubeconfig=str(identities["operator"])))
    try:
        spec = {"kubeconfigSecretRef": {"name": "m1"}}
        def version() -> str | None:
            return ((memo.secrets.get("m1") or {}).get("metadata") or {}).get("resourceVersion")

        async def watched() -> bool:
            return version() is not None

        await eventually(watched, 10, "the Secret watched")
        first, _ = await memo.members.get(memo.hub, namespace, spec)
        reads = memo.members.secret_reads
        for _ in range(5):
            again, _ = await memo.members.get(memo.hub, namespace, spec)
            assert again is first
        assert memo.members.secret_reads == reads  # no Secret GET while it is unchanged
        assert "data" not in (memo.secrets.get("m1") or {})  # its values never enter the watch

        before = version()
        await asyncio.to_thread(hub, "-n", namespace, "label", "secret", "m1", "rotated=yes")

        async def changed() -> bool:
            return version() != before

        await eventually(changed, 10, "the change watched")
        rotated, _ = await memo.members.get(memo.hub, namespace, spec)
        assert rotated is not first and memo.members.secret_reads == reads + 1
    finally:
        await close_memo(memo)
