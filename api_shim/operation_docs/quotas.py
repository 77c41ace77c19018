"""资源配额管理 API: ResourceQuota and LimitRange objects in member clusters."""

from __future__ import annotations

from api_shim.operation_docs.model import VERSIONED, Doc, Docs, object_id_text

__all__ = ["DOCS"]

_BY_ID = ("`{id}` is the object id `<cluster>:{type}:<namespace>:<name>` from the list, or a bare name with "
          "`namespace` (and `cluster_id` when several clusters are registered).")



DOCS: Docs = {
    "POST /api/k8s/resourcequota/create": Doc(
        "Create a ResourceQuota",
        "Creates a ResourceQuota in a namespace of the member. The member validates it: conflicting scopes "
        "(BestEffort with NotBestEffort) are its 422 naming `spec.scopes`; a taken name is 409/1006. Answers the "
        "quota with its id, usage percentages, state and alerts.",
        f"the ResourceQuota in the member (`description` as an annotation). {VERSIONED}",
        body="`cluster_id`, `name`, `namespace` (default `default`), `spec` (`hard` quantities, optional "
             "`scopes`, `scopeSelector`) and an optional `description`."),
    "GET /api/k8s/resourcequota/list": Doc(
        "List ResourceQuotas",
        "The member's ResourceQuotas in one `namespace` or all, paged; each with its object id, hard limits, "
        "usage in percent per resource (quantities such as `500m` and `8Gi` parsed), state and alerts (at "
        "`CLOUDOPS_QUOTA_WARNING_PERCENT` and `CLOUDOPS_QUOTA_CRITICAL_PERCENT`).",
        "nothing."),
    "GET /api/k8s/resourcequota/{id}": Doc(
        "Get a ResourceQuota",
        f"One ResourceQuota with the member's `status.hard` and `status.used`, usage percentages, `state` "
        f"(`exceeded` once a used value reaches a non-zero hard limit) and alerts. "
        f"{object_id_text(_BY_ID, 'resourcequota')}",
        "nothing."),
    "PUT /api/k8s/resourcequota/{id}": Doc(
        "Update a ResourceQuota",
        f"Changes the quota's spec (`hard` replaces the hard limits as a whole) or description; the member "
        f"validates the result (422 naming the field). {object_id_text(_BY_ID, 'resourcequota')}",
        f"the ResourceQuota in the member. {VERSIONED}",
        body="What to change: `spec` (`hard`, `scopes`) and/or `description`."),
    "DELETE /api/k8s/resourcequota/{id}": Doc(
        "Delete a ResourceQuota",
        f"Deletes the ResourceQuota. {object_id_text(_BY_ID, 'resourcequota')}",
        "deletes the ResourceQuota in the member."),
    "GET /api/k8s/resourcequota/{id}/usage": Doc(
        "Get a ResourceQuota's usage history",
        "The quota's used values over `time_range`, from the samples of `status.used` the operator records "
        "every `CLOUDOPS_QUOTA_SAMPLE_SECONDS` (MetricHistory family `quota-usage` in the hub), in buckets of "
        "`period_seconds`, with a trend per resource (least-squares slope; `stable` under 1 % per period). A "
        f"quota not sampled yet has an empty history. {object_id_text(_BY_ID, 'resourcequota')}",
        "nothing."),
    "POST /api/k8s/limitrange/create": Doc(
        "Create a LimitRange",
        "Creates a LimitRange in a namespace of the member. The member validates it: a default outside "
        "min/max is its 422 naming `spec.limits[i].default[...]`; a taken name is 409/1006.",
        f"the LimitRange in the member (`description` as an annotation). {VERSIONED}",
        body="`cluster_id`, `name`, `namespace` (default `default`), `spec.limits` (per type: Container, Pod "
             "or PersistentVolumeClaim, with `max`, `min`, `default`, `defaultRequest`, `maxLimitRequestRatio`) and an "
             "optional `description`."),
    "GET /api/k8s/limitrange/list": Doc(
        "List LimitRanges",
        "The member's LimitRanges in one `namespace` or all, paged, each with its object id.",
        "nothing."),
    "GET /api/k8s/limitrange/{id}": Doc(
        "Get a LimitRange",
        f"One LimitRange with its limits. {object_id_text(_BY_ID, 'limitrange')}",
        "nothing."),
    "PUT /api/k8s/limitrange/{id}": Doc(
        "Update a LimitRange",
        f"Replaces the LimitRange's limits and/or description; the member validates them. "
        f"{object_id_text(_BY_ID, 'limitrange')}",
        f"the LimitRange in the member. {VERSIONED}",
        body="What to change: `spec.limits` and/or `description`."),
    "DELETE /api/k8s/limitrange/{id}": Doc(
        "Delete a LimitRange",
        f"Deletes the LimitRange. {object_id_text(_BY_ID, 'limitrange')}",
        "deletes the LimitRange in the member."),
}
