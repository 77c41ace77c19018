"""Descriptions of parameters whose model field has none: by name, by path prefix (where one name means
different things in different sections), and per operation. Chinese-only descriptions get an English gloss."""

from __future__ import annotations

__all__ = ["BY_NAME", "BY_OPERATION", "BY_PATH", "GLOSSES"]

_OBJECT_ID = "object id `<cluster>:<type>:<namespace>:<name>` (from a list), or a bare name"

BY_NAME: dict[str, str] = {
    "backup_id": "the backup's integer id, or its `backup_name`",
    "cluster_id": "cluster id or name; optional when exactly one cluster is registered",
    "cluster_ids": "cluster ids or names, comma-separated; absent: every cluster the caller may read",
    "enabled": "only rules that are enabled (true) or disabled (false); absent: both",
    "id": _OBJECT_ID + " with `cluster_id`, `resource_type` and `namespace`",
    "include_nodes": "add the nodes and the `placement` edges of pods to them",
    "label_selector": "label selector, equality- or set-based (`app=web,tier in (front,back)`); a malformed one is "
                      "400 before any member is asked",
    "level": "only these levels: debug, info, warn, error, unknown (comma-separated for several)",
    "limit": "page size",
    "name": "the object's name",
    "namespace": "namespace of the object (default `default` where one is needed)",
    "node_name": "the node's name in the member",
    "offset": "items to skip before the page",
    "path": "absolute path in the container",
    "previous": "read the previous (last terminated) instance of the container",
    "propagation_policy": "what happens to dependents: Background (default), Foreground or Orphan, as Kubernetes "
                          "deletes",
    "recursive": "list the whole tree under `path`, not only its entries",
    "regex": "the search text is a regular expression (an invalid one is 400)",
    "resource_id": _OBJECT_ID + " with `cluster_id`, `resource_type` and `namespace`",
    "resource_name": "the custom resource's name, or its object id",
    "resource_type": "resource type: plural, singular, kind or short name (deployment, svc, configmaps, ...)",
    "rule": "only entries of this SelfHealingRule (its name)",
    "search": "only lines containing this text (case-insensitive), or matching it with `regex=true`",
    "status": "only backups in this state",
    "time_range": "time range ending now: 1h, 24h, 7d or 30d",
    "tool_name": "a tool name from `GET /api/k8s/mcp/tools` (cluster_scanner, list_resources, ...)",
    "tty": "allocate a TTY (default: as the session was opened)",
    "user_id": "only commands and sessions of this user",
    "version2": "the second version: id, `v<N>`, tag, or `current` (the live object; default)",
}

# (path prefix, name): the longest matching prefix wins over BY_NAME.
BY_PATH: dict[tuple[str, str], str] = {
    ("/api/k8s/clusters/", "id"): "the cluster's integer id or its name",
    ("/api/k8s/containers/", "id"): "container id `<cluster id or name>:<namespace>:<pod>[:<container>]`; the "
                                    "container may be left out when the pod has one",
    ("/api/k8s/resourcequota/", "id"): "the quota's object id `<cluster>:resourcequota:<namespace>:<name>`, or a "
                                       "bare name with `namespace` (and `cluster_id`)",
    ("/api/k8s/limitrange/", "id"): "the LimitRange's object id `<cluster>:limitrange:<namespace>:<name>`, or a "
                                    "bare name with `namespace` (and `cluster_id`)",
    ("/api/k8s/resourcequota/", "namespace"): "namespace of a bare-name `{id}` (default `default`)",
    ("/api/k8s/limitrange/", "namespace"): "namespace of a bare-name `{id}` (default `default`)",
    ("/api/k8s/crds/", "name"): "the CRD's name, `<plural>.<group>`",
    ("/api/k8s/networkpolicies/", "name"): "the NetworkPolicy's name (with `namespace`) or its object id",
    ("/api/k8s/ingress/", "name"): "the Ingress's name (with `namespace`) or its object id",
    ("/api/k8s/endpoints/", "name"): "the Service's name (with `namespace`) or its object id",
    ("/api/k8s/autoscaling/hpa/", "name"): "the HPA's name (with `namespace`) or its object id",
    ("/api/k8s/labels/", "resource_type"): "the object's type (singular, plural or kind: deployment, pods, "
                                           "ConfigMap, ...)",
    ("/api/k8s/affinity/", "resource_id"): "a workload or pod: " + _OBJECT_ID + " with `cluster_id`, "
                                           "`resource_type` and `namespace`",
    ("/api/k8s/taints/tolerations/", "resource_id"): "a workload or pod: " + _OBJECT_ID + " with `cluster_id`, "
                                                     "`resource_type` and `namespace`",
    ("/api/k8s/unified/", "namespace"): "namespace of a bare-name `{id}`",
    ("/api/k8s/unified/", "resource_type"): "type of a bare-name `{id}`: plural, singular, kind or short name",
    ("/api/k8s/yaml/", "namespace"): "namespace of a bare-name `{resource_id}`",
    ("/api/k8s/containers/", "limit"): "page size",
    ("/api/k8s/containers/", "offset"): "items to skip before the page",
}

# ("METHOD /path", name): one operation's own meaning.
BY_OPERATION: dict[tuple[str, str], str] = {
    ("GET /api/k8s/compliance/report", "cluster_id"): "cluster id or name of the check's cluster; optional when "
                                                      "exactly one cluster is registered",
    ("GET /api/k8s/self-healing/history", "cluster_ids"): "only entries of these clusters (ids or names, "
                                                          "comma-separated)",
    ("GET /api/k8s/unified/compare", "name"): "compare the objects of this name; absent: every name found, or "
                                              "those matching `label_selector`",
    ("GET /api/k8s/containers/{id}/files", "path"): "absolute path of the directory (default `/`)",
    ("GET /api/k8s/containers/{id}/files/download", "path"): "absolute path of the file",
    ("GET /api/k8s/endpoints/{name}/metrics", "time_range"): "time range ending now: 1h, 24h (default), 7d or 30d",
}

# A Chinese-only term at the start of a description, and its English.
GLOSSES: dict[str, str] = {
    "返回数量": "page size",
    "偏移量": "items to skip",
    "命名空间": "namespace",
    "时间范围": "time range",
    "字段选择器": "field selector",
    "标签选择器": "label selector",
    "报告格式": "report format",
    "API 组": "API group",
    "API 版本": "API version",
    "作用域": "scope (Namespaced or Cluster)",
    "服务名称": "the Service's name",
    "分支名称": "branch name",
    "云厂商过滤": "only clusters of this provider",
    "状态过滤": "only clusters in this status",
    "标签过滤": "only clusters with this tag",
    "资源类型": "resource type",
    "集群ID列表": "cluster ids",
    "资源需求": "resource requirements",
    "拓扑键": "topology key",
    "分组方式": "group by",
    "优化类型": "optimization type",
}
