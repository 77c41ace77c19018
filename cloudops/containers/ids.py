"""Container ids: `<cluster id>:<namespace>:<pod>[:<container>]`, the member-object scheme without the type.

The container part may be left out when the pod has one container; the pod then decides which one is used
(`pick_container`), and every answer names it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cloudops.errors import BadRequest, Missing
from cloudops.kube.types import KubeObject
from cloudops.members.objects import CLUSTER_REF

__all__ = ["CONTAINER_ID_PATTERN", "AmbiguousContainer", "ContainerId", "NoSuchContainer", "pick_container"]

_LABEL = r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?"
_POD = r"[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?"
# The JSON Schema (ECMA-262) form the OpenAPI document declares; Python callers use ContainerId.parse.
CONTAINER_ID_PATTERN = rf"^{_LABEL}:{_LABEL}:{_POD}(:{_LABEL})?$"
_NAMESPACE = re.compile(_LABEL)
_POD_NAME = re.compile(_POD)


@dataclass(frozen=True)
class ContainerId:
    cluster: str
    namespace: str
    pod: str
    container: str = ""

    def __str__(self) -> str:
        return f"{self.cluster}:{self.namespace}:{self.pod}" + (f":{self.container}" if self.container else "")

    @classmethod
    def parse(cls, text: str) -> ContainerId:
        """Raises ValueError saying which part is wrong (never echoing more than 80 characters)."""
        parts = text.split(":")
        if len(parts) not in (3, 4):
            raise ValueError("expected <cluster id>:<namespace>:<pod>[:<container>]")
        cluster, namespace, pod = parts[:3]
        container = parts[3] if len(parts) == 4 else ""
        if len(cluster) > 63 or not CLUSTER_REF.fullmatch(cluster):
            raise ValueError(f"cluster part {cluster[:80]!r} is not a cluster id or name")
        if len(namespace) > 63 or not _NAMESPACE.fullmatch(namespace):
            raise ValueError(f"namespace part {namespace[:80]!r} is not a namespace name")
        if len(pod) > 253 or not _POD_NAME.fullmatch(pod):
            raise ValueError(f"pod part {pod[:80]!r} is not a pod name")
        if len(parts) == 4 and (len(container) > 63 or not _NAMESPACE.fullmatch(container)):
            raise ValueError(f"container part {container[:80]!r} is not a container name")
        return cls(cluster, namespace, pod, container)


class NoSuchContainer(Missing, ValueError):
    """The pod has no container of the name asked for (404)."""


class AmbiguousContainer(BadRequest, ValueError):
    """No container named, and the pod has more than one (400)."""


def _names(containers: object) -> list[str]:
    if not isinstance(containers, list):
        return []
    return [str(c.get("name", "")) for c in containers if isinstance(c, dict)]


def pick_container(pod: KubeObject, wanted: str) -> str:
    """The container to use: `wanted` if the pod has it, the only one when none is named; NoSuchContainer or
    AmbiguousContainer (both ValueErrors) otherwise."""
    spec = pod.get("spec")
    if not isinstance(spec, dict):
        spec = {}
    names = _names(spec.get("containers"))
    extra = _names(spec.get("initContainers")) + _names(spec.get("ephemeralContainers"))
    if wanted:
        if wanted in names or wanted in extra:
            return wanted
        raise NoSuchContainer(f"pod has no container {wanted!r} (it has {', '.join(names) or 'none'})")
    if len(names) == 1:
        return names[0]
    raise AmbiguousContainer(f"the pod has {len(names)} containers ({', '.join(names)}); name one as the 4th id part")
