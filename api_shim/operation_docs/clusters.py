"""多云集群 API 1 (集群接入管理) and 3 (监控和健康检查): ManagedCluster objects and their health."""

from __future__ import annotations

from api_shim.operation_docs.model import Doc, Docs

__all__ = ["DOCS"]

_EVENT = "and a Kubernetes Event on the ManagedCluster naming the caller"

DOCS: Docs = {
    "POST /api/k8s/clusters/add": Doc(
        "Register a cluster",
        "Registers a member cluster from its kubeconfig. The kubeconfig is checked first: the member must answer "
        "with its version, or the call fails (502/1001 unreachable, 422/1005 unusable kubeconfig) and nothing is "
        "stored. A taken name is 409; more than `CLOUDOPS_MAX_CLUSTERS` clusters is 403/1003. Answers the new "
        "cluster with its integer `id`, which every other route accepts as well as its name.",
        f"a ManagedCluster in the hub, its kubeconfig in a hub Secret owned by it, {_EVENT}. The operator then "
        "syncs the cluster's status.",
        body="The cluster: `name` (a DNS label), `kubeconfig` (base64-encoded; never echoed or logged), optional "
             "`context`, `display_name`, `provider`, `region`, `description`, `tags`."),
    "GET /api/k8s/clusters/list": Doc(
        "List clusters",
        "The registered clusters with their stored status (from the last sync), sorted by id, filtered by "
        "`provider`, `status` and `tag`, and paged with `limit` and `offset`; `total` counts every match. Read "
        "from the shim's watch cache: no member is contacted.",
        "nothing."),
    "GET /api/k8s/clusters/{id}": Doc(
        "Get a cluster",
        "One cluster, by integer id or name: its spec, its stored status and resource counts from the last sync. "
        "No member is contacted; `POST /clusters/{id}/test` does.",
        "nothing."),
    "PUT /api/k8s/clusters/{id}": Doc(
        "Update a cluster",
        "Changes a cluster's `display_name`, `description` and `tags`; fields left out keep their value and at "
        "least one must be given (400 naming `body`). The name, kubeconfig and provider cannot change here.",
        f"the ManagedCluster's spec (a merge patch of the given fields), {_EVENT}.",
        body="The fields to change: any of `display_name`, `description`, `tags`."),
    "DELETE /api/k8s/clusters/{id}": Doc(
        "Delete a cluster",
        "Unregisters a cluster. Nothing inside the member is touched; the operator's finalizer removes what the "
        "product created for it in the hub.",
        f"deletes the ManagedCluster (its kubeconfig Secret, owned by it, goes with it), {_EVENT}."),
    "POST /api/k8s/clusters/{id}/test": Doc(
        "Test the connection to a cluster",
        "Connects to the member now with its stored kubeconfig and answers its version, the API server, the "
        "response time and the node count. An unreachable member is data (`connected: false` with the error and "
        "its reason), never an error status.",
        "nothing."),
    "POST /api/k8s/clusters/{id}/sync": Doc(
        "Sync a cluster now",
        "Asks the operator for an immediate sync of the cluster and waits (at most `CLOUDOPS_SYNC_TIMEOUT` "
        "seconds, else 504/1004) until its status answers; then returns the fresh sync time, status, health, "
        "resource count and issues.",
        f"a sync-request annotation on the ManagedCluster (the operator then writes its status), {_EVENT}."),
    "GET /api/k8s/clusters/{id}/resources": Doc(
        "Count a cluster's resources",
        "Counts pods, deployments, services, configmaps, secrets, persistent volumes and nodes in the member now "
        "(not from the last sync), with CPU, memory and disk usage in percent and the `source` they come from "
        "(`metrics-api`, `requests` when only requests are known, or `none`: then the figures are null).",
        "nothing."),
    "GET /api/k8s/clusters/{id}/metrics": Doc(
        "Get a cluster's metrics history",
        "The cluster's current usage, counts, health score and issues from its last sync, and its history over "
        "`time_range` from the samples the operator recorded (the cluster's ClusterMetrics object in the hub): "
        "a range without samples has an empty history, never an invented one. `network_usage` is bytes per "
        "second the cluster's pods received and transmitted averaged over `time_range`, from Prometheus "
        "(`CLOUDOPS_PROMETHEUS_URL`): `sum(rate(container_network_receive_bytes_total{cluster=...,namespace!=\"\"}"
        "[range]))` plus the same of transmit; `network` gives both figures, the exact `queries`, the evaluation "
        "time and, when it is null (no Prometheus: `source: \"none\"`; no series; Prometheus failing), the "
        "`reason`.",
        "nothing."),
    "GET /api/k8s/clusters/{id}/health": Doc(
        "Get a cluster's health",
        "The stored health of the cluster from its last sync: overall status, component and node conditions, "
        "with per-node detail from the cluster's ClusterMetrics object.",
        "nothing."),
    "GET /api/k8s/clusters/metrics/summary": Doc(
        "Summarize all clusters' metrics",
        "One row per registered cluster (health, resource count, CPU and memory usage from its last sync) and "
        "the totals: clusters by health, resources, and the mean CPU and memory usage of the clusters that "
        "report them.",
        "nothing.",
        authz="The summary covers the ManagedCluster objects, so it needs `list` on `managedclusters/metrics` "
              "without a cluster name."),
    "POST /api/k8s/clusters/health/check": Doc(
        "Check clusters' health now",
        "Probes the named clusters (`cluster_ids`; absent: every cluster the caller may read) live and "
        "concurrently: API server, components, nodes and resources, as asked. A member that fails is a result "
        "with status `error`, never a failed request; a named cluster that does not exist is 404 naming it.",
        "nothing.",
        authz="Authorized for each cluster checked.",
        body="Which clusters (`cluster_ids`) and what to check (`check_components`, `check_nodes`, "
             "`check_resources`); an empty body checks every readable cluster."),
}
