"""资源配额管理 API: ResourceQuota and LimitRange objects in member clusters."""

from __future__ import annotations

from api_shim.operation_docs.model import Doc, Docs

__all__ = ["DOCS"]

_VERSIONED = "A YamlVersion in the hub records the write."
_BY_ID = ("`{id}` is the object id `<cluster>:{type}:<namespace>:<name>` from the list, or a bare name with "
          "`namespace` (and `cluster_id` when several clusters are registered).")


def _by_id(kind: str) -> str:
    return _BY_ID.replace("{type}", kind)


DOCS: Docs = {
    "POST /api/k8s/resourcequota/create": Doc(
        "Create a ResourceQuota",
        "Creates a ResourceQuota in a namespace of the member. The member validates it: conflicting scopes "
        "(BestEffort with NotBestEffort) are its 422 naming `spec.scopes`; a taken name is 409/1006. Answers the "
        "quota with its id, usage percentages, state and alerts.",
        f"the ResourceQuota in the member (`description` as an annotation). {_VERSIONED}",
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
        f"(`exceeded` once a used value reaches a non-zero hard limit) and alerts. {_by_id('resourcequota')}",
        "nothing."),
    "PUT /api/k8s/resourcequota/{id}": Doc(
        "Update a ResourceQuota",
        f"Changes the quota's spec (`hard` replaces the hard limits as a whole) or description; the member "
        f"validates the result (422 naming the field). {_by_id('resourcequota')}",
        f"the ResourceQuota in the member. {_VERSIONED}",
        body="What to change: `spec` (`hard`, `scopes`) and/or `description`."),
    "DELETE /api/k8s/resourcequota/{id}": Doc(
        "Delete a ResourceQuota",
        f"Deletes the ResourceQuota. {_by_id('resourcequota')}",
        "deletes the ResourceQuota in the member."),
    "GET /api/k8s/resourcequota/{id}/usage": Doc(
        "Get a ResourceQuota's usage history",
        "The quota's used values over `time_range`, from the samples of `status.used` the operator records "
        "every `CLOUDOPS_QUOTA_SAMPLE_SECONDS` (MetricHistory family `quota-usage` in the hub), in buckets of "
        "`period_seconds`, with a trend per resource (least-squares slope; `stable` under 1 % per period). A "
        f"quota not sampled yet has an empty history. {_by_id('resourcequota')}",
        "nothing."),
    "POST /api/k8s/limitrange/create": Doc(
        "Create a LimitRange",
        "Creates a LimitRange in a namespace of the member. The member validates it: a default outside "
        "min/max is its 422 naming `spec.limits[i].default[...]`; a taken name is 409/1006.",
        f"the LimitRange in the member (`description` as an annotation). {_VERSIONED}",
        body="`cluster_id`, `name`, `namespace` (default `default`), `spec.limits` (per type: Container, Pod "
             "or PersistentVolumeClaim, with `max`, `min`, `default`, `defaultRequest`, `maxLimitRequestRatio`) and an "
             "optional `description`."),
    "GET /api/k8s/limitrange/list": Doc(
        "List LimitRanges",
        "The member's LimitRanges in one `namespace` or all, paged, each with its object id.",
        "nothing."),
    "GET /api/k8s/limitrange/{id}": Doc(
        "Get a LimitRange",
        f"One LimitRange with its limits. {_by_id('limitrange')}",
        "nothing."),
    "PUT /api/k8s/limitrange/{id}": Doc(
        "Update a LimitRange",
        f"Replaces the LimitRange's limits and/or description; the member validates them. {_by_id('limitrange')}",
        f"the LimitRange in the member. {_VERSIONED}",
        body="What to change: `spec.limits` and/or `description`."),
    "DELETE /api/k8s/limitrange/{id}": Doc(
        "Delete a LimitRange",
        f"Deletes the LimitRange. {_by_id('limitrange')}",
        "deletes the LimitRange in the member."),
}
