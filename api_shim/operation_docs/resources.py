"""多云集群 API 2 (统一资源管理) and the CRD 资源 API: objects of any type inside member clusters."""

from __future__ import annotations

from api_shim.operation_docs.model import Doc, Docs

__all__ = ["DOCS"]

_VERSIONED = ("A YamlVersion in the hub records the write (the object is labelled `cloudops.io/versioned` so "
              "later changes are followed too).")
_DRY_RUN = ("The member's server-side dry run comes first: an invalid object is 422 naming the field and nothing "
            "is written.")

DOCS: Docs = {
    "GET /api/k8s/unified/resources": Doc(
        "Query resources across clusters",
        "Lists objects of one `resource_type` (plural, singular, kind or short name, resolved by each member's "
        "discovery) in the clusters of `cluster_ids` (absent: every cluster the caller may list), filtered by "
        "`namespace`, `label_selector` and `field_selector` (both checked before any member is asked: 400 when "
        "malformed). Every item carries its object `id` (`<cluster>:<type>:<namespace>:<name>`). A member that "
        "fails becomes an entry of `errors`, never a failed request. Paged with `limit`/`offset`, or for one "
        "cluster with the member's `continue` token.",
        "nothing.",
        authz="Authorized for each cluster listed."),
    "POST /api/k8s/unified/resources": Doc(
        "Create a resource in a cluster",
        f"Creates `resource` (a Kubernetes object as JSON) in the cluster of `cluster_id`. {_DRY_RUN} An object "
        "that exists is 409/1006. Answers the created object with its id.",
        f"the object in the member. {_VERSIONED}",
        body="`cluster_id`, the object as `resource` (apiVersion, kind, metadata.name and its fields), and "
             "optionally `resource_type` (default: the kind) and `namespace` (default: the object's, else "
             "`default`)."),
    "GET /api/k8s/unified/resources/{id}": Doc(
        "Get a resource",
        "One object by its id (or by name with `cluster_id`, `resource_type` and `namespace`), as the member "
        "serves it. A Secret shows its type, key names and sizes, never its values, unless "
        "`show_secret_values=true`.",
        "nothing.",
        authz="`show_secret_values=true` also needs `get` on capability `secrets`."),
    "PUT /api/k8s/unified/resources/{id}": Doc(
        "Replace a resource",
        f"Replaces the object named by `{{id}}` with the body's `resource`. {_DRY_RUN} With "
        "`metadata.resourceVersion` the write is conditional: a stale one is 409/1006 and changes nothing. "
        "Writing back a redacted Secret keeps its values.",
        f"the object in the member. {_VERSIONED}",
        body="The whole object as `resource`; it must be the object `{id}` names."),
    "DELETE /api/k8s/unified/resources/{id}": Doc(
        "Delete a resource",
        "Deletes the object named by `{id}` in its member, with `propagation_policy` for its dependents "
        "(default Background).",
        "deletes the object in the member."),
    "POST /api/k8s/unified/batch": Doc(
        "Run a batch operation across clusters",
        "Runs one `operation` (`scale`, `restart`, `delete`, `label` or `set_image`) on every listed resource in "
        "every cluster of `cluster_ids`, concurrently. Answers one result per cluster and resource (success, or "
        "the error with its status and business code) and `status` `success`, `partial` or `failed`: a failing "
        "item never fails the request.",
        "the listed objects in the members: replicas (scale subresource), a restart annotation on the pod "
        "template, labels, container images, or deletion. A YamlVersion records each write.",
        authz="Authorized for each cluster; `delete` needs verb `delete` on `resources` as well.",
        body="`cluster_ids`, the `operation`, and `resources` (type, namespace, name and the operation's "
             "`parameters`: `replicas`, `labels`, `image`/`container` or `images`, `propagation_policy`)."),
    "GET /api/k8s/unified/compare": Doc(
        "Compare a resource across clusters",
        "Fetches same-named objects of `resource_type` (one `name`, or those matching `label_selector`) from "
        "every cluster of `cluster_ids`, normalizes them (managedFields, resourceVersion, uid, timestamps, "
        "status) and reports each field that differs by path (`spec.template.spec.containers[0].image`), list "
        "items matched by their merge key.",
        "nothing.",
        authz="Authorized for each cluster compared."),
    "GET /api/k8s/crds": Doc(
        "List CRDs",
        "The CustomResourceDefinitions of one member, filtered by `group`, `version` and `scope`, paged.",
        "nothing."),
    "GET /api/k8s/crds/{name}": Doc(
        "Get a CRD",
        "One CustomResourceDefinition of the member by its name (`<plural>.<group>`): names, scope, versions "
        "(served, storage), conditions and the number of its custom resources.",
        "nothing."),
    "GET /api/k8s/crds/{name}/schema": Doc(
        "Get a CRD's schema",
        "The OpenAPI v3 schema of one version of the CRD (`version`; default: the storage version), as the "
        "member validates custom resources with it.",
        "nothing."),
    "GET /api/k8s/crds/{name}/resources": Doc(
        "List a CRD's custom resources",
        "The custom resources of the CRD in the member, in one `namespace` or all, filtered by `label_selector` "
        "and `field_selector` (400 when malformed), paged; each with its object id.",
        "nothing."),
    "POST /api/k8s/crds/{name}/resources": Doc(
        "Create a custom resource",
        "Creates a custom resource of the CRD in `namespace` (or the object's own). The member validates it "
        "strictly against the CRD's live schema: an unknown or bad field is 422 naming it, and nothing is "
        "written. An object that exists is 409/1006.",
        f"the custom resource in the member. {_VERSIONED}",
        body="The custom resource as JSON: apiVersion and kind (filled in when absent, checked when given), "
             "metadata.name and its own fields."),
    "PUT /api/k8s/crds/{name}/resources/{resource_name}": Doc(
        "Replace a custom resource",
        f"Replaces the named custom resource. {_DRY_RUN} With `metadata.resourceVersion` the write is "
        "conditional (409/1006 when stale).",
        f"the custom resource in the member. {_VERSIONED}",
        body="The whole custom resource as JSON; its metadata.name must be the one `{resource_name}` names."),
    "DELETE /api/k8s/crds/{name}/resources/{resource_name}": Doc(
        "Delete a custom resource",
        "Deletes the named custom resource, with `propagation_policy` for its dependents.",
        "deletes the custom resource in the member."),
}
