"""智能运维 API (autoscaling, cost, self-healing), 合规性管理 API, MCP 集成 API and 开发工具 API."""

from __future__ import annotations

from api_shim.operation_docs.model import Doc, Docs

__all__ = ["DOCS"]

_MCP = ("Runs the MCP tool `{tool}` through the same registry, authorization and audit as the MCP server at "
        "`/mcp`, so the REST and MCP answers are one. A failed {what} is 1009/1010; bad parameters are 400 "
        "naming the field.")


def _mcp(tool: str, what: str = "scan") -> str:
    return _MCP.replace("{tool}", tool).replace("{what}", what)


_SMART: Docs = {
    "POST /api/k8s/autoscaling/hpa/create": Doc(
        "Create an HPA",
        "Creates an `autoscaling/v2` HorizontalPodAutoscaler from the snake_case body (`metrics` of type "
        "Resource, ContainerResource, Pods, Object or External). The member validates it: a bad metric or "
        "`min_replicas` above `max_replicas` is its 422 naming the field.",
        "the HorizontalPodAutoscaler in the member, recorded as a YamlVersion.",
        body="`cluster_id`, `name`, `namespace`, `target` (kind, name), `metrics`, `min_replicas`, "
             "`max_replicas`, `behavior`, `labels`."),
    "GET /api/k8s/autoscaling/hpa": Doc(
        "List HPAs",
        "The member's HPAs in one `namespace` or all, paged, as its controller reports them: current and "
        "desired replicas, current metric values, the conditions, and `able_to_scale`, `scaling_active`, "
        "`scaling_limited`.",
        "nothing."),
    "PUT /api/k8s/autoscaling/hpa/{name}": Doc(
        "Update an HPA",
        "Replaces the fields given and keeps the others: read, change, replace with the resourceVersion read, "
        "so a concurrent change is 409/1006, never lost. `{name}` is the HPA's name (with `namespace`) or its "
        "object id.",
        "the HorizontalPodAutoscaler in the member, recorded as a YamlVersion.",
        body="Any of `target`, `metrics`, `min_replicas`, `max_replicas`, `behavior`; `cluster_id` and "
             "`namespace` locate it."),
    "GET /api/k8s/cost/report": Doc(
        "Get a cost report",
        "Cost over `time_range` by OpenCost's allocation model over the usage the operator recorded: per "
        "container max(request, usage) × hours × unit price, plus storage and GPUs, grouped by `group_by`; "
        "unallocated capacity is the `__idle__` line. Only recorded hours count (`coverage` says how many; "
        "nothing is extrapolated); `pricing_source` says which prices were used (CostPricing objects, else "
        "OpenCost's defaults).",
        "nothing."),
    "GET /api/k8s/cost/optimization": Doc(
        "Get cost optimization suggestions",
        "Suggestions of `optimization_type` (absent: all three): `resource` right-sizing of requests from "
        "recorded usage, `instance` under-used nodes whose pods fit on the remaining nodes, `storage` unbound "
        "claims and released volumes; each with its evidence, a patch where one applies, and an estimated "
        "monthly saving at the same prices, and what was skipped and why. None at all (with the reason, the "
        "recorded and the required hours) until `CLOUDOPS_RIGHTSIZING_MIN_HOURS` of the cluster's usage are "
        "recorded.",
        "nothing."),
    "POST /api/k8s/self-healing/rules/create": Doc(
        "Create a self-healing rule",
        "Creates a SelfHealingRule: when all its `conditions` hold for one object in its clusters (and "
        "`namespaces`, `label_selector`), the operator runs its `actions` in order, guarded by `delay`, "
        "`cooldown`, `max_actions_per_hour` and `dry_run`. An unknown condition or action, a wrong operator, "
        "value or parameter is 400 naming the field; a taken name is 409.",
        "a SelfHealingRule in the hub (the operator then acts on member objects and records ActivityRecords "
        "of stream `self-healing`).",
        authz="Authorized for each cluster of `cluster_ids` (absent: the clusters the caller may create "
              "policies on now).",
        body="`name`, `conditions`, `actions`, and optionally `cluster_ids`, `namespaces`, `label_selector`, "
             "`enabled`, `dry_run`, `delay`, `cooldown`, `max_actions_per_hour`, `description`."),
    "GET /api/k8s/self-healing/rules": Doc(
        "List self-healing rules",
        "The SelfHealingRules watching the caller's clusters (optionally of `cluster_ids`, `enabled`), paged, "
        "with their status: trigger count, last trigger, actions in the last hour, readiness.",
        "nothing.",
        authz="Authorized for each cluster."),
    "GET /api/k8s/self-healing/history": Doc(
        "Get self-healing history",
        "What the rules did, newest first: one entry per action or dry-run decision (rule, cluster, resource, "
        "matched condition, action, result, start and end, error), filtered by `cluster_ids`, `rule`, "
        "`namespace`, `start_time`, `end_time`, paged.",
        "nothing.",
        authz="Authorized for each cluster."),
    "POST /api/k8s/compliance/check": Doc(
        "Run a compliance check",
        "Runs the compliance library (security context, resource limits, network policy, image, probes, "
        "reliability; Polaris-style checks with stable ids) against the member's workloads and answers every "
        "result with a score. With `auto_fix`, mechanical fixes are applied one patch per workload after a "
        "server-side dry run and listed in `fixes`.",
        "a run of the ad-hoc ComplianceCheck of the caller and these parameters (created on first use, re-run "
        "after; expired ones are removed with their reports) with its ComplianceReport in the hub, and "
        "`wgpolicyk8s.io` PolicyReports in the member; with `auto_fix`, the patched workloads (each change "
        "audited and recorded).",
        authz="`auto_fix: true` is authorized again as `update` on `policies`: a viewer may check, never fix.",
        body="`cluster_id`, and optionally `policies`, `resources`, `namespaces`, `excluded_namespaces`, "
             "`network_directions`, `auto_fix`."),
    "GET /api/k8s/compliance/report": Doc(
        "Get a compliance report",
        "The last run's results in `time_range` of one check (`check_name`; default: the newest run of the "
        "caller's own checks, never another caller's), with the "
        "score of every run of that check in the range: as JSON, or as a download in `format` csv (one row per "
        "result) or pdf (summary, score chart, failing results by policy).",
        "nothing."),
}

_TOOLS: Docs = {
    "POST /api/k8s/mcp/cluster/scan": Doc(
        "Scan a cluster's health",
        f"{_mcp('cluster_scanner')} Scans nodes, pods, workloads and events of the member for issues and "
        "answers them with a status and a score, or a null score with the reason when nothing was checked.",
        "nothing.",
        body="`scan_type`, `options`, `namespace`, `cluster_id`."),
    "POST /api/k8s/mcp/resources/monitor": Doc(
        "Monitor resource usage",
        f"{_mcp('resource_monitor', 'call')} Usage of nodes and pods (the top consumers) from the member's "
        "metrics and the recorded history over `time_range`.",
        "nothing.",
        body="`resource_types`, `time_range`, `metrics`, `namespace`, `top`, `cluster_id`."),
    "POST /api/k8s/mcp/config/validate": Doc(
        "Validate configuration",
        f"{_mcp('config_validator', 'call')} Checks the member's workloads with the compliance engine against "
        "the chosen `policies`, writing nothing.",
        "nothing.",
        body="`policies`, `resources`, `namespace`, `cluster_id`."),
    "POST /api/k8s/mcp/performance/analyze": Doc(
        "Analyze performance",
        f"{_mcp('performance_analyzer', 'call')} Finds workloads and nodes over `threshold_percent` of their "
        "requests or capacity, restarts and throttling, with recommendations.",
        "nothing.",
        body="`analysis_type`, `time_range`, `include_recommendations`, `threshold_percent`, `namespace`, "
             "`cluster_id`."),
    "POST /api/k8s/mcp/cost/analyze": Doc(
        "Analyze cost",
        f"{_mcp('cost_analyzer', 'call')} The cost engine's report over `time_range`, with optimization "
        "suggestions and, with `include_forecast`, the least-squares trend and its coverage (`available: "
        "false` without recorded usage).",
        "nothing.",
        authz="Also `get` on capability `cost`.",
        body="`time_range`, `include_optimization`, `include_forecast`, `namespace`, `cluster_id`."),
    "GET /api/k8s/mcp/tools": Doc(
        "List MCP tools",
        "The tool registry: each tool's name, description, version, parameter JSON Schema, whether it is "
        "destructive and enabled (`CLOUDOPS_MCP_DESTRUCTIVE_TOOLS`), and the capability it needs.",
        "nothing."),
    "POST /api/k8s/mcp/tools/{tool_name}/execute": Doc(
        "Execute an MCP tool",
        "Runs any registry tool by name with its `parameters` (checked against its schema: 400 naming the "
        "field; an unknown tool is 404; a disabled destructive tool is 403). Read tools answer data; the "
        "destructive ones (`scale_resource`, `delete_resource`, `exec_in_pod`) act on the member.",
        "nothing for read tools; the destructive tools scale or delete a member object or run a command in a "
        "container.",
        authz="Plus the tool's own: `pod_logs` `get` on `logs`, `cost_analyzer` `get` on `cost`, "
              "`scale_resource` `update` on `mcp` and `resources`, `delete_resource` `delete`, `exec_in_pod` "
              "`create` on `exec`.",
        body="`parameters` (the tool's, as its `input_schema` in `GET /mcp/tools` says) and `cluster_id` (also "
             "accepted as `cluster`, the MCP server's name)."),
    "GET /api/k8s/cli/config": Doc(
        "Get the CLI configuration",
        "The clusters the caller may see (id, name, context, endpoint), a default context and the server's "
        "tools (kubectl with its real version); never a credential.",
        "nothing.",
        authz="Lists only clusters on which the caller holds `get` on `cli`."),
    "POST /api/k8s/cli/execute": Doc(
        "Run a kubectl command",
        "Runs the real kubectl against one member, split with shell rules and no shell, with a private "
        "kubeconfig holding only that cluster, killed at `timeout` (1–300 s) and its output capped. Shell "
        "characters, other programs, identity, target and local-file flags, streaming and the subcommands "
        "exec, attach, port-forward, proxy, cp, edit, debug, config, run and others are refused with 400 naming "
        "the part. Without kubectl on the server it is 503.",
        "whatever the command writes in the member (apply, create, delete, scale, label, ...); reads write "
        "nothing.",
        authz="Write commands need `update` on `cli` too; naming Secrets or `create token` needs `get` on "
              "`secrets`.",
        body="`command` (a kubectl command line), `cluster_id`, `namespace`, `timeout` (seconds)."),
}

_ACCESS: Docs = {
    "GET /api/k8s/auth/providers": Doc(
        "Single sign-on providers",
        "Outside the API reference (the console's sign-in page uses it). The OIDC issuers configured for the "
        "console's sign-in (CLOUDOPS_OIDC_ISSUERS), each with the URL a browser opens to sign in; empty when none "
        "is. Signing in with an API key is always possible.", "nothing."),
    "GET /api/k8s/auth/oidc/login": Doc(
        "Sign in through an identity provider",
        "Outside the API reference: a browser navigation, not a JSON call. Starts the authorization code flow "
        "with PKCE (S256), a random state and nonce, kept in a hub Secret for ten minutes, and answers 302 to the "
        "provider's authorization endpoint, setting an HttpOnly cookie that binds the sign-in to this browser. "
        "`next` (a console path under /ui/, anything else is ignored) is where the browser lands afterwards.",
        "a Secret holding the sign-in under way (deleted by the callback, or swept once expired)."),
    "GET /api/k8s/auth/oidc/callback": Doc(
        "Identity provider callback",
        "Outside the API reference: where the identity provider sends the browser back. The state must match "
        "the browser's sign-in cookie and a sign-in under way (used once); the code is exchanged with the PKCE "
        "verifier, the ID token verified (signature, issuer, audience, expiry, nonce) and a console session "
        "opened: 302 to `next` with an HttpOnly, SameSite=Lax session cookie (Secure over TLS). Any failure "
        "answers 302 to /ui/login with `sso_error` saying why.",
        "a Secret holding the session's tokens (the browser holds only a random id)."),
    "POST /api/k8s/auth/logout": Doc(
        "Sign out",
        "Outside the API reference. Ends the caller's console session (its Secret is deleted: this replica refuses "
        "the cookie at once, the others within 5 s) and clears the cookie; `ended` is false for a caller without "
        "a session (an API key or a bearer token, which this cannot revoke).",
        "deletes the session's Secret."),
    "GET /api/k8s/auth/whoami": Doc(
        "Who am I and what may I do",
        "Outside the API reference (the web console uses it). The caller's user name, groups and how it "
        "authenticated, and for each capability the verbs the hub's RBAC allows, asked by SubjectAccessReviews "
        "exactly as a call would be authorized: for every cluster (grants without a resource name), or for "
        "the cluster `cluster_id` names (grants by resourceNames count too). A console hides what a call "
        "would refuse; the API still checks every call.",
        "nothing.", authz="With `cluster_id`, the caller must be allowed `get` on that cluster."),
    "GET /api/k8s/yaml/backup/schedule/list": Doc(
        "List backup schedules",
        "Outside the API reference (the web console uses it). The YamlBackupSchedules of the clusters the caller "
        "may list backups of (or of `cluster_id`), by name, paged: cron, time zone, retention, whether paused, and "
        "what the operator last recorded (next run, last backup, its result and error, how many backups exist). "
        "Schedules applied with kubectl are listed too; `resource_id` is empty for one that selects more than one "
        "object.",
        "nothing.", authz="Schedules of clusters the caller may not list backups of are left out."),
    "GET /api/k8s/labels/policies/list": Doc(
        "List label policies",
        "Outside the API reference (the web console uses it). Every LabelPolicy in the hub, made through "
        "`labels/policies/create` or applied with kubectl, by name, paged, with its rules, enforcement, scope and "
        "what the operator last found (checked objects, violations, conditions).",
        "nothing."),
}

DOCS: Docs = {**_SMART, **_TOOLS, **_ACCESS}
