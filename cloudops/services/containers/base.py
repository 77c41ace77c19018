"""What every container service shares: the container a call works on, resolved once, and the histories.

A container id (`cloudops.containers.ids`) names the cluster, namespace, pod and maybe the container; the
scope reads the pod through the member session and settles which container is meant. Commands, terminal
sessions and log exports are remembered in ActivityRecord streams (`cloudops.activity`), each with its own
retention from the settings; an entry is written shielded, so a caller who leaves cannot lose it.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import shlex
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from cloudops import activity
from cloudops.containers.files import FileOpError
from cloudops.containers.ids import AmbiguousContainer, ContainerId, NoSuchContainer, pick_container
from cloudops.containers.paths import PathError, normalize
from cloudops.errors import CloudOpsError, Unprocessable, UpstreamFailed
from cloudops.kube.types import JsonObject
from cloudops.members.access import ClusterRef
from cloudops.members.exec import ExecFailure
from cloudops.members.session import MemberSession
from cloudops.redact import redact
from cloudops.services.base import Service
from cloudops.services.containers.parts import WhereFields

__all__ = ["EXEC_STREAM", "EXPORT_STREAM", "ContainerScope", "ContainerService", "display", "exec_refused",
           "history_id", "located", "working_dir"]

EXEC_STREAM, EXPORT_STREAM = "exec", "log-export"
_GENERATED = re.compile(r"^[a-z0-9]{5}$")  # the apiserver's generateName suffix
_HASHED_FROM = 36 ** 5  # above every base-36 number of five characters

_RECORDING: set[asyncio.Task[activity.Entry]] = set()  # references only: a shielded write is never collected


@contextmanager
def located(field: str, *kinds: type[CloudOpsError]) -> Iterator[None]:
    """Errors of `kinds` (paths and file operations by default) raised inside name `field` as the input at
    fault, unless they already name one."""
    caught = kinds or (PathError, FileOpError)
    try:
        yield
    except caught as e:
        if e.field is None:
            e.field = field
            e.args = (e.detail,)
        raise


def working_dir(path: str | None) -> str | None:
    """The directory a command should run in, normalized; 400 naming body.working_dir when refused."""
    if path is None:
        return None
    with located("body.working_dir"):
        return normalize(path)


def display(argv: Sequence[str]) -> str:
    """A command as history and errors show it: shell-quoted, credentials scrubbed, capped."""
    return redact(shlex.join(argv))[:2000]


def history_id(name: str, stream: str) -> int:
    """A history entry's id, an integer as the reference shows it: the five characters the apiserver appended
    to its ActivityRecord's name (`exec-x7k2p`), read as a base-36 number. Names are unique and never change,
    so the id is unique in its history and the same on every read; `<stream>-` and the id in base 36 (five
    digits) name the record. A name of another form (activity.append generates them all) gets a stable number
    above that range."""
    suffix = name.removeprefix(f"{stream}-")
    if suffix != name and _GENERATED.fullmatch(suffix):
        return int(suffix, 36)
    return _HASHED_FROM + int.from_bytes(hashlib.sha256(name.encode()).digest()[:6], "big")


def exec_refused(e: ExecFailure, argv: Sequence[str], why: str = "") -> CloudOpsError:
    """What the caller is told when a command did not run: 422 when its executable is missing or may not be
    executed, else 502."""
    if e.missing:
        return Unprocessable(f"the container has no {argv[0]!r}{why}")
    if e.unrunnable:
        return Unprocessable(f"the container may not execute {argv[0]!r}{why}: permission denied or not a file")
    return UpstreamFailed(f"the command could not run: {redact(e.message)[:300]}")


@dataclass(frozen=True)
class ContainerScope:
    """The container a call works on: the member session, the id, and the container the pod settled on."""

    session: MemberSession
    cid: ContainerId
    container: str

    def where(self) -> WhereFields:
        return WhereFields(container_name=self.container, pod_name=self.cid.pod, namespace=self.cid.namespace)

    def subject(self) -> activity.Subject:
        return activity.Subject("Pod", self.cid.namespace, self.cid.pod)


class ContainerService(Service):
    """Base of the container services: scopes and histories."""

    async def scope(self, cluster: ClusterRef, cid: ContainerId, container: str | None = None) -> ContainerScope:
        """The pod read through the member session, and the container meant: `container` (which overrides the
        id's, as documented), the id's, or the pod's only one."""
        session = await self.deps.member(cluster)
        pod = await session.pod(cid.namespace, cid.pod)
        with located("id", NoSuchContainer, AmbiguousContainer):
            name = pick_container(pod, container or cid.container)
        return ContainerScope(session, cid, name)

    def retention(self, stream: str) -> activity.Retention:
        s = self.deps.settings
        if stream == EXEC_STREAM:
            records, days = s.exec_history_max_records, s.exec_history_days
        else:
            records, days = s.log_export_history_max_records, s.log_export_history_days
        return activity.Retention(max_records=max(1, records), max_age=timedelta(days=days))

    async def record(self, cluster: ClusterRef, stream: str, data: JsonObject, subject: activity.Subject,
                     actor: str | None = None) -> None:
        """Appends a history entry (by `actor`, the caller by default); shielded, so a client that leaves (and
        the handler's cancellation) cannot lose it."""
        task = asyncio.ensure_future(activity.append(
            self.deps.hub, cluster.cr, stream, data, actor=self.deps.actor if actor is None else actor,
            subject=subject, retention=self.retention(stream)))
        _RECORDING.add(task)
        task.add_done_callback(_RECORDING.discard)
        await asyncio.shield(task)

    async def entries(self, cluster: ClusterRef, cid: ContainerId, stream: str,
                      actor: str | None = None) -> list[activity.Entry]:
        """The pod's entries of `stream`, newest first; only the id's container when the id names one."""
        found = await activity.entries(self.deps.hub, self.deps.namespace, stream, cluster=cluster.name,
                                       actor=actor, subject=activity.Subject("Pod", cid.namespace, cid.pod))
        return [e for e in found if not cid.container or e.data.get("container") == cid.container]
