"""The formats of the API's path parameters, as the OpenAPI document declares them (api_shim.openapi).

They are the same the shim enforces (api_shim/context.py, cloudops/members/objects.py, api_shim/routes/crds.py,
api_shim/network_params.py, api_shim/routes/yaml_backups.py). Patterns are anchored JSON Schema (ECMA-262)
patterns: a Python validator must use re.fullmatch on them (Python's `$` also matches before a trailing newline).
"""

from __future__ import annotations

import copy
import re

from cloudops.containers.ids import CONTAINER_ID_PATTERN
from cloudops.kube.types import JsonObject

__all__ = ["ANY_SEGMENT", "BACKUP_REF", "CLUSTER_REF", "CONTAINER_REF", "CRD_NAME", "DNS1123_LABEL", "OBJECT_REF",
           "PATH_PARAMS", "RESOURCE_TYPE", "object_ref", "path_param_schema"]

DNS1123_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_LABEL_63 = r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?"  # a DNS label, or an integer id, of at most 63 characters
_OBJECT_NAME = r"[A-Za-z0-9]([A-Za-z0-9._:@-]{0,251}[A-Za-z0-9])?"  # RBAC names hold `:` and `@`
# 3 colons make it an id; digits alone are the reference's integer ids, refused (cloudops/id_forms.py)
_BARE_NAME = r"(?![0-9]+$)[A-Za-z0-9]([A-Za-z0-9._@-]*(:[A-Za-z0-9._@-]*){0,2}[A-Za-z0-9])?"


def object_ref(kind: str | None = None) -> JsonObject:
    """An object id `<cluster>:<type>:<namespace>:<name>` (of type `kind` when given) or a bare object name."""
    type_part = re.escape(kind) if kind else "[a-z0-9]+"
    object_id = rf"{_LABEL_63}:{type_part}:({_LABEL_63})?:{_OBJECT_NAME}"
    what = (f"an {kind}'s" if kind[0] in "aeiou" else f"a {kind}'s") if kind else "an"
    return {"anyOf": [{"type": "string", "pattern": rf"^{object_id}$"},
                      {"type": "string", "pattern": rf"^{_BARE_NAME}$", "maxLength": 253}],
            "description": f"{what} object id `<cluster id or name>:{kind or '<type>'}:<namespace>:<name>` "
                           "(namespace empty for cluster-scoped objects; the name may hold `:`), or a bare "
                           "object name"}


CLUSTER_REF: JsonObject = {
    "type": "string", "pattern": rf"^([0-9]+|{DNS1123_LABEL})$", "maxLength": 63,
    "description": "the cluster's integer id or its name (DNS-1123 label)"}
OBJECT_REF = object_ref()
CRD_NAME: JsonObject = {
    "type": "string", "pattern": rf"^{DNS1123_LABEL}(\.{DNS1123_LABEL})+$", "maxLength": 253,
    "description": "a CustomResourceDefinition name, `<plural>.<group>`"}
RESOURCE_TYPE: JsonObject = {
    "type": "string", "pattern": r"^[A-Za-z0-9]+(\.[A-Za-z0-9-]+)*$", "maxLength": 253,
    "description": "a resource type: plural, singular, kind or short name, optionally with its group"}
BACKUP_REF: JsonObject = {
    "type": "string", "pattern": rf"^{_OBJECT_NAME}$", "maxLength": 253,
    "description": "the backup's integer id or its name"}
ANY_SEGMENT: JsonObject = {"type": "string", "minLength": 1, "pattern": "^[^/]+$"}
CONTAINER_REF: JsonObject = {  # cloudops/containers/ids.py
    "type": "string", "pattern": CONTAINER_ID_PATTERN, "maxLength": 400,
    "description": "a container id `<cluster id or name>:<namespace>:<pod>[:<container>]` (the container may be "
                   "left out when the pod has one)"}

# (path prefix, parameter name) -> schema; the longest matching prefix wins, "" matches every path.
# A section whose path parameter has another format adds its entry here.
PATH_PARAMS: dict[tuple[str, str], JsonObject] = {
    ("", "id"): OBJECT_REF,  # the endpoints with cluster="object"
    ("/api/k8s/clusters/", "id"): CLUSTER_REF,
    ("/api/k8s/limitrange/", "id"): object_ref("limitrange"),
    ("/api/k8s/resourcequota/", "id"): object_ref("resourcequota"),
    ("", "name"): OBJECT_REF,
    ("/api/k8s/crds/", "name"): CRD_NAME,
    ("/api/k8s/networkpolicies/", "name"): object_ref("networkpolicy"),
    ("/api/k8s/endpoints/", "name"): object_ref("endpoints"),  # cloudops/services/network/names.py
    ("/api/k8s/autoscaling/hpa/", "name"): object_ref("horizontalpodautoscaler"),
    ("/api/k8s/ingress/", "name"): object_ref("ingress"),
    ("", "resource_name"): OBJECT_REF,
    ("", "resource_id"): OBJECT_REF,  # labels/{resource_type}/{resource_id}
    ("", "resource_type"): RESOURCE_TYPE,
    ("", "backup_id"): BACKUP_REF,
    ("/api/k8s/containers/", "id"): CONTAINER_REF,
    ("/api/k8s/taints/nodes/", "node_name"): {  # api_shim/routes/scheduling.py NODE_NAME
        "type": "string", "pattern": r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", "maxLength": 253,
        "description": "a node name (DNS subdomain)"},
    ("/api/k8s/mcp/tools/", "tool_name"): {  # cloudops/mcp_tools TOOLS; an unknown name is 404
        "type": "string", "pattern": r"^[a-z][a-z0-9_]*$", "maxLength": 64,
        "description": "a tool name, as GET /api/k8s/mcp/tools lists them"},
}


def path_param_schema(path: str, name: str) -> JsonObject:
    """The declared format of path parameter `name` in route `path` (a fresh copy)."""
    best: tuple[int, JsonObject] | None = None
    for (prefix, param), schema in PATH_PARAMS.items():
        if param == name and path.startswith(prefix) and (best is None or len(prefix) > best[0]):
            best = (len(prefix), schema)
    return copy.deepcopy(best[1] if best is not None else ANY_SEGMENT)
