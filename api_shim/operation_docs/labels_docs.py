"""标签与亲和性管理 API: labels, label policies, affinity, tolerations, node taints and the affinity graph."""

from __future__ import annotations

from api_shim.operation_docs.model import Doc, Docs

__all__ = ["DOCS"]

_OBJECT = ("The object is `{resource_id}`, an object id (`<cluster>:<type>:<namespace>:<name>`) or a bare name "
           "with `cluster_id` and `namespace`.")
_WORKLOAD = ("`{resource_id}` is a workload (deployment, statefulset, daemonset, replicaset, job, cronjob) or a "
             "pod: an object id, or a bare name with `cluster_id`, `resource_type` and `namespace`.")
_TEMPLATE_WRITE = ("the workload's pod template in the member (a conditional patch after a server-side dry run; the "
                   "controller then rolls out new pods), recorded as a YamlVersion.")

_LABELS: Docs = {
    "GET /api/k8s/labels/{resource_type}/{resource_id}": Doc(
        "Get an object's labels",
        f"The labels and annotations of one object in a member. {_OBJECT}",
        "nothing."),
    "POST /api/k8s/labels/{resource_type}/{resource_id}/add": Doc(
        "Add or update labels",
        "Sets labels and annotations on the object; keys and values are checked as Kubernetes checks them (400 "
        "naming the key). With `overwrite: false`, keys that hold another value are a 409 naming them, and the "
        f"patch carries the resourceVersion read, so a concurrent change is 409/1006. {_OBJECT}",
        "the object's labels and annotations in the member (a merge patch), recorded as a YamlVersion.",
        body="`labels` and `annotations` (key → value), `overwrite`, and `cluster_id`/`namespace` for a bare "
             "name."),
    "DELETE /api/k8s/labels/{resource_type}/{resource_id}/remove": Doc(
        "Remove labels",
        "Removes label and annotation keys from the object; keys it does not have are not an error, and "
        f"`changed` lists those that were there. {_OBJECT}",
        "the object's labels and annotations in the member, recorded as a YamlVersion.",
        body="`labels` and `annotations`: the keys to remove; `cluster_id`/`namespace` for a bare name."),
    "POST /api/k8s/labels/batch": Doc(
        "Change labels of many objects",
        "Adds, removes or replaces labels on every listed object concurrently; answers one result per object, "
        "and a failed object never fails the others.",
        "the objects' labels in the member, each recorded as a YamlVersion.",
        body="`cluster_id`, `operation` (`add`, `remove` or `replace`), `resources` (type, namespace, name) "
             "and `labels` (a map; for `remove` the keys)."),
    "GET /api/k8s/labels/select": Doc(
        "Select objects by label",
        "Lists objects of `resource_type` (default pods) in one `namespace` or all that match "
        "`label_selector`, which goes to the member as is (equality- and set-based); a malformed selector is "
        "400 before any member is asked. Paged; each object with its id and labels.",
        "nothing."),
    "POST /api/k8s/labels/policies/create": Doc(
        "Create a label policy",
        "Creates a LabelPolicy: per resource type, `required_labels`, `forbidden_labels` and `label_patterns` "
        "(regular expressions; an invalid one is 400). The operator checks the target clusters on creation, on "
        "change and every `check_interval_seconds`, and records violations in the policy's status and as "
        "Events; `warn`/`enforce` with `remediation.default_labels` adds missing required labels that have a "
        "default. A taken name is 409. Answers the policy with its integer id.",
        "a LabelPolicy in the hub (the operator then writes its status, Events and, when remediating, the "
        "objects' labels).",
        authz="With `cluster_id`, also `create` on capability `labels` for that cluster.",
        body="`name`, `rules`, `enforcement`, `enabled`, `cluster_id` (absent: every cluster), `namespaces`, "
             "`excluded_namespaces`, `check_interval_seconds`, `remediation`, `description`."),
    "POST /api/k8s/labels/compliance/check": Doc(
        "Check objects against a label policy",
        "Checks the member's objects against a LabelPolicy now and answers every violating object with what "
        "is missing, forbidden or not matching its pattern, and a compliance score.",
        "nothing.",
        authz="Also `get` on the LabelPolicy (`labelpolicies`).",
        body="`policy_id` (id or name), `cluster_id`, and optionally `namespace` and `resource_types` "
             "(default: the policy's)."),
}

_SCHEDULING: Docs = {
    "GET /api/k8s/affinity/node/{resource_id}": Doc(
        "Get a workload's node affinity",
        f"The node affinity and node selector of the workload's pod template (or the pod's). {_WORKLOAD}",
        "nothing."),
    "POST /api/k8s/affinity/node/{resource_id}/set": Doc(
        "Set a workload's node affinity",
        "Replaces `nodeAffinity` in the pod template; pod affinity stays. The member validates it (422 naming "
        f"the field); a bare pod's affinity cannot change (422 naming its owner). {_WORKLOAD}",
        _TEMPLATE_WRITE,
        body="`affinity.nodeAffinity` (Kubernetes' own form; null or `{}` removes it), and `cluster_id`, "
             "`resource_type`, `namespace` for a bare name."),
    "GET /api/k8s/affinity/pod/{resource_id}": Doc(
        "Get a workload's pod affinity",
        f"The pod affinity and anti-affinity of the workload's pod template (or the pod's). {_WORKLOAD}",
        "nothing."),
    "POST /api/k8s/affinity/pod/{resource_id}/set": Doc(
        "Set a workload's pod affinity",
        "Replaces `podAffinity` and `podAntiAffinity` together (one left out is removed); node affinity stays. "
        f"Validated by the member. {_WORKLOAD}",
        _TEMPLATE_WRITE,
        body="`affinity.podAffinity` and `affinity.podAntiAffinity` (Kubernetes' form; null or `{}` removes "
             "one), and `cluster_id`, `resource_type`, `namespace` for a bare name."),
    "GET /api/k8s/taints/tolerations/{resource_id}": Doc(
        "Get a workload's tolerations",
        f"The tolerations of the workload's pod template (or the pod's). {_WORKLOAD}",
        "nothing."),
    "POST /api/k8s/taints/tolerations/{resource_id}/set": Doc(
        "Set a workload's tolerations",
        "Replaces the tolerations; on a bare pod the member allows additions only (else its 422). "
        f"{_WORKLOAD}",
        _TEMPLATE_WRITE,
        body="`tolerations`, and `cluster_id`, `resource_type`, `namespace` for a bare name."),
    "GET /api/k8s/affinity/node/suggestions": Doc(
        "Suggest node selectors",
        "Groups the member's nodes by their labels (hostname and `beta.kubernetes.io/*` ignored) and answers the "
        "groups whose nodes fit `requirements` now: Ready, schedulable, untainted for NoSchedule/NoExecute, and "
        "with free resources (allocatable minus the requests of running pods) covering them. `score` = 50 × the "
        "share of the group's nodes that fit + 50 × their mean free share of CPU and memory.",
        "nothing."),
    "GET /api/k8s/affinity/pod/topology": Doc(
        "Get topology domains",
        "The member's topology domains for `topology_key` (a node label key, or `hostname`, `zone`, `region`): "
        "each domain's nodes and the pods placed on them (optionally of one `namespace`), and the nodes without "
        "that label.",
        "nothing."),
    "GET /api/k8s/taints/nodes/{node_name}": Doc(
        "Get a node's taints",
        "The taints of one node of the member.",
        "nothing."),
    "POST /api/k8s/taints/nodes/{node_name}/add": Doc(
        "Taint a node",
        "Adds taints to the node; one with the key and effect of an existing taint replaces it (its value). "
        "`NoExecute` evicts the pods that do not tolerate it (the member's taint manager does).",
        "the node's `spec.taints` in the member (a conditional patch after a dry run), recorded as a "
        "YamlVersion.",
        body="`taints` (key, value, effect) and `cluster_id`."),
    "DELETE /api/k8s/taints/nodes/{node_name}/remove": Doc(
        "Remove taints from a node",
        "Removes taints by key, optionally narrowed by value and effect; a spec that matches no taint is 404 "
        "naming it.",
        "the node's `spec.taints` in the member, recorded as a YamlVersion.",
        body="`taints` (key, optional value and effect) and `cluster_id`."),
    "GET /api/k8s/affinity/visualization": Doc(
        "Get the affinity graph",
        "A graph of the member's workloads, pods and nodes with edges `nodeAffinity`, `nodeSelector`, "
        "`podAffinity`, `podAntiAffinity`, `owns` and `placement`, from the real rules and placement; "
        "`format=mermaid` adds the diagram text.",
        "nothing."),
}

DOCS: Docs = {**_LABELS, **_SCHEDULING}
