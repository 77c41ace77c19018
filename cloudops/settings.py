"""One typed settings object, read once from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

__all__ = ["ENV", "RATE_ENV", "RateLimits", "Settings"]

T = TypeVar("T", bound="DataclassInstance")


# Fields whose variable set to the empty string is a value, not "unset".
EMPTY_IS_A_VALUE = frozenset({"prometheus_cluster_label"})


def _from_env(defaults: T, names: dict[str, str]) -> T:
    """`defaults` with each field whose variable is set replaced, converted to the default's type."""
    changes: dict[str, object] = {}
    for f in fields(defaults):
        var = names.get(f.name)
        if var and (os.environ.get(var) or (f.name in EMPTY_IS_A_VALUE and var in os.environ)):
            current = getattr(defaults, f.name)
            changes[f.name] = os.environ[var] if current is None else type(current)(os.environ[var])
    return replace(defaults, **changes)


@dataclass(frozen=True)
class RateLimits:
    """Token buckets: sustained requests per second and burst size, per user, per client IP, per route."""

    user_rate: float = 20.0
    user_burst: int = 40
    ip_rate: float = 50.0
    ip_burst: int = 100
    route_rate: float = 500.0
    route_burst: int = 1000


# The environment variable of every field: each field has exactly one (a test checks), named in the README.
ENV: dict[str, str] = {
    "namespace": "CLOUDOPS_NAMESPACE", "kubeconfig": "KUBECONFIG", "listen_host": "CLOUDOPS_LISTEN_HOST",
    "shim_port": "CLOUDOPS_SHIM_PORT", "operator_health_port": "CLOUDOPS_OPERATOR_HEALTH_PORT",
    "operator_metrics_port": "CLOUDOPS_OPERATOR_METRICS_PORT",
    "member_timeout_seconds": "CLOUDOPS_MEMBER_TIMEOUT", "sync_timeout_seconds": "CLOUDOPS_SYNC_TIMEOUT",
    "max_clusters": "CLOUDOPS_MAX_CLUSTERS", "jwt_secret": "CLOUDOPS_JWT_SECRET",
    "jwt_group_prefixes": "CLOUDOPS_JWT_GROUP_PREFIXES", "jwt_groups_allowed": "CLOUDOPS_JWT_GROUPS_ALLOWED",
    "audit_sink": "CLOUDOPS_AUDIT_SINK", "authz_cache_seconds": "CLOUDOPS_AUTHZ_CACHE_SECONDS",
    "fanout_concurrency": "CLOUDOPS_FANOUT_CONCURRENCY", "version_limit": "CLOUDOPS_VERSION_LIMIT",
    "version_poll_seconds": "CLOUDOPS_VERSION_POLL_SECONDS",
    "quota_warning_percent": "CLOUDOPS_QUOTA_WARNING_PERCENT",
    "quota_critical_percent": "CLOUDOPS_QUOTA_CRITICAL_PERCENT",
    "quota_sample_seconds": "CLOUDOPS_QUOTA_SAMPLE_SECONDS",
    "endpoint_probe_cidrs": "CLOUDOPS_PROBE_CIDRS", "endpoint_probe_map": "CLOUDOPS_PROBE_ADDRESS_MAP",
    "endpoint_probe_concurrency": "CLOUDOPS_PROBE_CONCURRENCY",
    "endpoint_monitor_seconds": "CLOUDOPS_PROBE_INTERVAL", "prometheus_url": "CLOUDOPS_PROMETHEUS_URL",
    "prometheus_cluster_label": "CLOUDOPS_PROMETHEUS_CLUSTER_LABEL",
    "probe_concurrency": "CLOUDOPS_SYNC_CONCURRENCY", "history_batch": "CLOUDOPS_HISTORY_BATCH",
    "trusted_proxies": "CLOUDOPS_TRUSTED_PROXIES",
    "usage_sample_seconds": "CLOUDOPS_USAGE_SAMPLE_SECONDS", "usage_max_pods": "CLOUDOPS_USAGE_MAX_PODS",
    "usage_max_nodes": "CLOUDOPS_USAGE_MAX_NODES", "usage_retention_days": "CLOUDOPS_USAGE_RETENTION_DAYS",
    "rightsizing_min_hours": "CLOUDOPS_RIGHTSIZING_MIN_HOURS",
    "underused_node_percent": "CLOUDOPS_UNDERUSED_NODE_PERCENT",
    "selfheal_history_records": "CLOUDOPS_SELFHEAL_HISTORY_RECORDS",
    "selfheal_history_days": "CLOUDOPS_SELFHEAL_HISTORY_DAYS",
    "cli_kubectl": "CLOUDOPS_CLI_KUBECTL", "cli_max_output_bytes": "CLOUDOPS_CLI_MAX_OUTPUT",
    "mcp_destructive_tools": "CLOUDOPS_MCP_DESTRUCTIVE_TOOLS", "mcp_allowed_hosts": "CLOUDOPS_MCP_ALLOWED_HOSTS",
    "console_dir": "CLOUDOPS_CONSOLE_DIR", "oidc_issuers": "CLOUDOPS_OIDC_ISSUERS",
    "session_hours": "CLOUDOPS_SESSION_HOURS", "public_url": "CLOUDOPS_PUBLIC_URL",
    "leader_lease": "CLOUDOPS_LEADER_LEASE", "leader_lease_seconds": "CLOUDOPS_LEADER_LEASE_SECONDS",
    "shards": "CLOUDOPS_SHARDS", "shard_lease_seconds": "CLOUDOPS_SHARD_LEASE_SECONDS",
    "tracemalloc_file": "CLOUDOPS_TRACEMALLOC",
    "bootstrap_secret": "CLOUDOPS_BOOTSTRAP_SECRET", "bootstrap_poll_seconds": "CLOUDOPS_BOOTSTRAP_POLL_SECONDS",
    "compliance_report_retention": "CLOUDOPS_COMPLIANCE_REPORT_RETENTION",
    "compliance_policy_reports": "CLOUDOPS_COMPLIANCE_POLICY_REPORTS", "network_flows": "CLOUDOPS_NETWORK_FLOWS",
    "log_stream_max_seconds": "CLOUDOPS_LOG_STREAM_MAX_SECONDS",
    "log_heartbeat_seconds": "CLOUDOPS_LOG_HEARTBEAT_SECONDS",
    "exec_timeout_max_seconds": "CLOUDOPS_EXEC_TIMEOUT_MAX", "exec_output_max_bytes": "CLOUDOPS_EXEC_OUTPUT_MAX_BYTES",
    "exec_history_max_records": "CLOUDOPS_EXEC_HISTORY_MAX", "exec_history_days": "CLOUDOPS_EXEC_HISTORY_DAYS",
    "log_export_history_max_records": "CLOUDOPS_LOG_EXPORT_HISTORY_MAX",
    "log_export_history_days": "CLOUDOPS_LOG_EXPORT_HISTORY_DAYS",
    "terminal_idle_seconds": "CLOUDOPS_TERMINAL_IDLE_SECONDS",
    "file_download_max_bytes": "CLOUDOPS_FILE_DOWNLOAD_MAX_BYTES",
    "file_upload_max_bytes": "CLOUDOPS_FILE_UPLOAD_MAX_BYTES", "file_list_max_entries": "CLOUDOPS_FILE_LIST_MAX",
    "file_list_max_depth": "CLOUDOPS_FILE_LIST_DEPTH"}
RATE_ENV: dict[str, str] = {
    "user_rate": "CLOUDOPS_RATE_USER", "user_burst": "CLOUDOPS_BURST_USER",
    "ip_rate": "CLOUDOPS_RATE_IP", "ip_burst": "CLOUDOPS_BURST_IP",
    "route_rate": "CLOUDOPS_RATE_ROUTE", "route_burst": "CLOUDOPS_BURST_ROUTE"}


@dataclass(frozen=True)
class Settings:
    namespace: str = "cloudops-system"
    kubeconfig: str | None = None  # None: in-cluster service account
    listen_host: str = "127.0.0.1"
    shim_port: int = 8080
    operator_health_port: int = 8081
    operator_metrics_port: int = 9090
    member_timeout_seconds: float = 5.0
    sync_timeout_seconds: float = 30.0
    max_clusters: int = 100
    jwt_secret: str = "cloudops-jwt"  # hub Secret with issuer, audience and the verification key
    # JWT `groups` that reach authorization (comma-separated): those starting with a prefix, or named exactly;
    # never `system:*`, whatever is listed. Others are dropped, so a token cannot claim e.g. system:masters.
    # Operator replicas: the one holding this hub Lease runs, the others stand by (cloudops_operator/leader.py);
    # empty: no election (one replica, as `make run` and most tests start it).
    leader_lease: str = ""
    leader_lease_seconds: int = 15
    # Per-cluster work split over replicas (cloudops_operator/shards.py): this many shards, each a hub Lease
    # `cloudops-shard-<n>` of shard_lease_seconds; 0: one replica owns every cluster and writes no Lease.
    shards: int = 0
    shard_lease_seconds: int = 15
    tracemalloc_file: str = ""  # operator: trace allocations; each SIGUSR2 appends the largest sites to this file
    # The first API key in a cluster (README "First admin"): a Secret of this name, adopted as a key and
    # deleted by the shim, looked for every bootstrap_poll_seconds; empty: not looked for.
    bootstrap_secret: str = "cloudops-bootstrap-apikey"
    bootstrap_poll_seconds: float = 30.0
    jwt_group_prefixes: str = "cloudops:"
    jwt_groups_allowed: str = ""
    audit_sink: str = "stdout"  # stdout | none | file:/path
    authz_cache_seconds: float = 10.0
    fanout_concurrency: int = 32  # members called at once by one unified query or batch
    version_limit: int = 50  # YAML versions kept per object (tagged versions are kept beyond it)
    version_poll_seconds: float = 30.0  # how often the operator looks for changes to versioned objects
    probe_concurrency: int = 16  # member probes (cluster syncs) the operator runs at once
    history_batch: int = 5  # cluster history samples folded into one hub write
    trusted_proxies: str = ""  # comma-separated addresses/CIDRs whose X-Forwarded-For is believed
    quota_warning_percent: float = 80.0  # quota alerts: warning at this share of hard, critical at the next
    quota_critical_percent: float = 95.0
    quota_sample_seconds: float = 60.0  # how often the operator samples quota usage into its history
    # Endpoint probes (network section): only addresses inside these CIDRs are ever contacted, after the
    # optional map `from-cidr=to-cidr,...` (host bits kept); others are reported unreachable_from_shim.
    endpoint_probe_cidrs: str = ""
    endpoint_probe_map: str = ""
    endpoint_probe_concurrency: int = 32  # addresses one health check probes at once
    endpoint_monitor_seconds: float = 60.0  # how often the operator probes Services labelled for monitoring
    prometheus_url: str = ""  # network usage, endpoint traffic; empty: none (never invented)
    prometheus_cluster_label: str = "cluster"  # tells clusters apart in that Prometheus; empty: it serves one
    cli_kubectl: str = "kubectl"  # the kubectl the CLI API runs (a name on PATH or a path)
    cli_max_output_bytes: int = 1048576  # stdout and stderr of one CLI command are each cut here
    # MCP: destructive tools (exec, scale, delete) are off unless named here (comma-separated, or "all");
    # Host headers the MCP endpoint accepts (DNS-rebinding protection), besides localhost; "*" turns it off.
    mcp_destructive_tools: str = ""
    mcp_allowed_hosts: str = ""
    console_dir: str = ""  # the built web console (ui/dist); empty: the one beside this source tree
    # Single sign-on (README "Single sign-on"): trusted OIDC issuers, a JSON list or @file; empty: none.
    oidc_issuers: str = ""
    session_hours: float = 12.0  # a console session ends this long after sign-in, however often it is renewed
    public_url: str = ""  # the shim's URL as browsers reach it (sign-in redirects); empty: from each request
    compliance_report_retention: int = 10  # ComplianceReports kept per ComplianceCheck (newest; at least 1)
    compliance_policy_reports: str = "install"  # PolicyReports in members: install (CRD if missing) | require | off
    network_flows: str = ""  # network analysis flow source: hubble:/path/flows.json | prometheus:http://127.0.0.1:9090
    # Containers (logs, exec, terminals, files): see the README's Containers section.
    log_stream_max_seconds: float = 3600.0  # an SSE log stream ends cleanly after this; clients resume by id
    log_heartbeat_seconds: float = 15.0  # SSE comment sent when no line came for this long
    exec_timeout_max_seconds: int = 300  # the largest `timeout` an exec may ask for
    exec_output_max_bytes: int = 1024 * 1024  # stdout and stderr kept per exec, each
    exec_history_max_records: int = 1000  # exec/terminal history kept per cluster (newest)
    exec_history_days: float = 30.0  # ... and no entry older than this
    log_export_history_max_records: int = 200
    log_export_history_days: float = 30.0
    terminal_idle_seconds: float = 900.0  # a terminal with no input or output this long is closed
    file_download_max_bytes: int = 100 * 1024 * 1024
    file_upload_max_bytes: int = 16 * 1024 * 1024  # uploads and edits (held in memory while written)
    file_list_max_entries: int = 1000
    file_list_max_depth: int = 5  # `recursive` listing depth
    # Usage history (cost, right-sizing): sampled by the operator; 0 turns sampling off.
    usage_sample_seconds: float = 300.0
    usage_max_pods: int = 100  # pods per cluster with a history of their own (largest allocation first)
    usage_max_nodes: int = 100  # nodes per cluster with a history of their own
    usage_retention_days: float = 30.0  # pod/namespace/node histories not written for this long are deleted
    rightsizing_min_hours: float = 24.0  # recorded hours a workload needs before a right-sizing suggestion
    underused_node_percent: float = 30.0  # instance advice: nodes whose requested share stays below this
    # Self-healing history (ActivityRecords, stream self-healing): newest N per cluster, none older than D days.
    selfheal_history_records: int = 1000
    selfheal_history_days: float = 30.0
    rate_limits: RateLimits = field(default_factory=RateLimits)

    @classmethod
    def from_env(cls) -> Settings:
        limits = _from_env(RateLimits(), RATE_ENV)
        settings = _from_env(cls(), ENV)
        return replace(settings, rate_limits=limits)
