"""网络管理 API (Endpoints, Ingress, NetworkPolicy) and 智能运维 network 2.1–2.2 (analysis, generated policies)."""

from __future__ import annotations

from api_shim.operation_docs.model import VERSIONED, Doc, Docs, object_id_text

__all__ = ["DOCS"]

_NAMED = ("`{name}` is the object's name (with `namespace`, default `default`, and `cluster_id`) or its object id "
          "`<cluster>:{type}:<namespace>:<name>`.")
_SLICES = ("EndpointSlices named `<service>-cloudops-<n>` (managed-by `cloudops.io`) of a Service without a "
           "selector")



_POLICIES: Docs = {
    "GET /api/k8s/networkpolicies": Doc(
        "List NetworkPolicies",
        "The member's NetworkPolicies in one `namespace` or all, filtered by `label_selector`, paged, in the "
        "reference's snake_case (`pod_selector`, `policy_types`, `ingress`/`egress` with `from`/`to` peers), "
        "each with its object id.",
        "nothing."),
    "POST /api/k8s/networkpolicies/create": Doc(
        "Create a NetworkPolicy",
        "Creates a `networking.k8s.io/v1` NetworkPolicy from the snake_case body. The member validates it "
        "strictly: a bad CIDR or port is 422 naming the field; a taken name is 409/1006.",
        f"the NetworkPolicy in the member. {VERSIONED}",
        body="`cluster_id`, `namespace`, `name`, `pod_selector`, `policy_types`, `ingress`/`egress` rules "
             "(`from`/`to` peers with `pod_selector`, `namespace_selector`, `ip_block`; `ports` with `end_port`), "
             "`labels`, `annotations`."),
    "PUT /api/k8s/networkpolicies/{name}": Doc(
        "Update a NetworkPolicy",
        f"Changes the fields given and keeps the others; `ingress: []` means no ingress rule (deny all "
        f"ingress). The write carries the resourceVersion read, so a concurrent change is 409/1006. "
        f"{object_id_text(_NAMED, 'networkpolicy')}",
        f"the NetworkPolicy in the member. {VERSIONED}",
        body="The fields to change, as in the create body (without `name`)."),
    "DELETE /api/k8s/networkpolicies/{name}": Doc(
        "Delete a NetworkPolicy",
        f"Deletes the NetworkPolicy. {object_id_text(_NAMED, 'networkpolicy')}",
        "deletes the NetworkPolicy in the member."),
    "GET /api/k8s/networkpolicies/{name}/status": Doc(
        "Get a NetworkPolicy's effect",
        "Kubernetes keeps no status for a NetworkPolicy: this one is computed now from the pods that exist — the "
        "pods it selects, each rule's resolved peers, the directions it isolates, and the namespace's pods that "
        f"no policy isolates. {object_id_text(_NAMED, 'networkpolicy')}",
        "nothing."),
}

_INGRESS: Docs = {
    "GET /api/k8s/ingress": Doc(
        "List Ingresses",
        "The member's Ingresses in one `namespace` or all, filtered by `label_selector`, paged, in snake_case "
        "(`class`, `rules` with `path_type` and backends, `tls` with `secret_name`), each with its object id and "
        "load balancer addresses.",
        "nothing."),
    "POST /api/k8s/ingress/create": Doc(
        "Create an Ingress",
        "Creates a `networking.k8s.io/v1` Ingress from the snake_case body; the member validates it (422 "
        "naming the field); a taken name is 409/1006.",
        f"the Ingress in the member. {VERSIONED}",
        body="`cluster_id`, `namespace`, `name`, `class`, `rules` (host, paths with `path_type` and a backend "
             "Service and port), `tls` (hosts, `secret_name`), `default_backend`, `labels`, `annotations`."),
    "PUT /api/k8s/ingress/{name}": Doc(
        "Update an Ingress",
        f"Changes the fields given and keeps the others, conditional on the resourceVersion read (409/1006 on "
        f"a concurrent change). {object_id_text(_NAMED, 'ingress')}",
        f"the Ingress in the member. {VERSIONED}",
        body="The fields to change, as in the create body (without `name`)."),
    "DELETE /api/k8s/ingress/{name}": Doc(
        "Delete an Ingress",
        f"Deletes the Ingress. Its TLS Secrets stay (other Ingresses may use them); the SSL route's `delete` "
        f"removes one. {object_id_text(_NAMED, 'ingress')}",
        "deletes the Ingress in the member."),
    "GET /api/k8s/ingress/{name}/status": Doc(
        "Get an Ingress's health",
        "Checks the Ingress now: per backend, whether its Service and port exist and have ready endpoints; per "
        "TLS entry, whether the Secret exists, which hosts its certificate covers and when it expires (from "
        f"`tls.crt` only, never the key); the load balancer addresses. {object_id_text(_NAMED, 'ingress')}",
        "nothing."),
    "POST /api/k8s/ingress/{name}/ssl": Doc(
        "Manage an Ingress's TLS certificate",
        "`create`/`update`: checks the certificate and key with `cryptography` (the PEM parses, the key matches, "
        "the certificate is valid now, a warning under 30 days, its SANs cover every host; else 422 naming the "
        "problem), stores them and references the Secret from the Ingress's `tls`. `delete`: drops the "
        f"reference and the Secret. The private key is never echoed, logged or audited. "
        f"{object_id_text(_NAMED, 'ingress')}",
        "a `kubernetes.io/tls` Secret in the member and the Ingress's `tls` (or, for `delete`, removes both).",
        authz="`create` and `delete` are authorized again with their own verb on `network`.",
        body="`action` (`create`, `update` or `delete`) and `tls_config` (`secret_name`, `certificate` and "
             "`private_key` in PEM, `hosts`)."),
}

_ENDPOINTS: Docs = {
    "GET /api/k8s/endpoints": Doc(
        "List Endpoints",
        "The member's Service endpoints in one `namespace` or all (optionally one `service_name`), read from "
        "their EndpointSlices and shown in the reference's shape: addresses grouped into subsets by port set, "
        "not-ready ones under `not_ready_addresses`; paged.",
        "nothing."),
    "GET /api/k8s/endpoints/{name}": Doc(
        "Get a Service's endpoints",
        "One Service's endpoints from its EndpointSlices, each address with `target_ref`, `node_name`, `ready`, "
        f"`serving` and `terminating`. {object_id_text(_NAMED, 'endpoints')}",
        "nothing."),
    "PUT /api/k8s/endpoints/{name}": Doc(
        "Update a Service's endpoints",
        "Replaces the addresses (`subsets`), labels or annotations given. Only Services without a selector can "
        f"be written: a selector-managed or ExternalName Service is 409/1006. {object_id_text(_NAMED, 'endpoints')}",
        f"the {_SLICES}.",
        body="Any of `subsets` (replace every address), `labels`, `annotations`."),
    "DELETE /api/k8s/endpoints/{name}": Doc(
        "Delete a Service's endpoints",
        "Removes the endpoints this product manages for the Service; a Service the create made for them goes "
        f"too. Endpoints of selector-managed Services are the member's and answer 409/1006. "
        f"{object_id_text(_NAMED, 'endpoints')}",
        f"deletes the {_SLICES} (and the Service, when the create made it)."),
    "POST /api/k8s/endpoints/create": Doc(
        "Create endpoints for a Service",
        "Creates endpoints for a Service without a selector, creating that Service (selector-less) when it does "
        "not exist. The member refuses loopback and link-local addresses (422).",
        f"the {_SLICES}, and that Service when it was missing. {VERSIONED}",
        body="`cluster_id`, `namespace`, `name` (the Service's), `subsets` (addresses and ports), `labels`, "
             "`annotations`."),
    "GET /api/k8s/endpoints/{name}/status": Doc(
        "Get a Service's endpoint status",
        "Ready, not-ready and terminating counts from the EndpointSlices, and the latest probe per address from "
        "the operator's monitor (Services labelled `cloudops.io/monitor=true`); no probes when the Service is "
        f"not monitored. {object_id_text(_NAMED, 'endpoints')}",
        "nothing."),
    "POST /api/k8s/endpoints/{name}/health-check": Doc(
        "Probe a Service's endpoints now",
        "Probes every address and port from the shim, concurrently: TCP, `GET /` on ports named `http`/`http-*`, "
        "plus `custom_checks`; the whole check takes at most (retries + 1) × timeout. Addresses outside "
        "`CLOUDOPS_PROBE_CIDRS` are never contacted: they are reported `unreachable_from_shim` with zero "
        f"attempts. {object_id_text(_NAMED, 'endpoints')}",
        "nothing (it probes; the read capability suffices).",
        body="`timeout` (seconds per attempt), `retries`, `check_ports`, `custom_checks`, `include_not_ready`."),
    "GET /api/k8s/endpoints/{name}/service": Doc(
        "Get the Service behind endpoints",
        "The Service the endpoints belong to (type, cluster IP, external IPs, ports, selector), whether its "
        "selector manages them, and whether Service and EndpointSlices agree (`endpoint_sync_status`: synced, "
        f"out_of_sync, no_endpoints or orphaned, with the problems found). {object_id_text(_NAMED, 'endpoints')}",
        "nothing."),
    "POST /api/k8s/endpoints/batch": Doc(
        "Create, update or delete endpoints in a batch",
        "Runs one `operation` on every listed Service's endpoints, a few at a time; answers one result per item "
        "in the order given, and a failing item never stops the others.",
        f"the {_SLICES} of each item (and selector-less Services, as create and delete do). {VERSIONED}",
        authz="`create` and `delete` are authorized again with their own verb on `network`.",
        body="`cluster_id`, `operation` (`create`, `update` or `delete`) and `endpoints` (name, namespace, "
             "subsets, labels, annotations per item)."),
    "GET /api/k8s/endpoints/{name}/metrics": Doc(
        "Get a Service's endpoint metrics",
        "Latency (average, p95, p99), errors by type and availability over `time_range`, from the operator's "
        "probe history (MetricHistory families `probe`, `probe-address`); traffic only from Prometheus "
        "(`CLOUDOPS_PROMETHEUS_URL`): `increase()` of `http_requests_total` and `http_response_size_bytes_sum` "
        "and `rate()` of the former over the range, of the Service's series (`namespace`, `service`) in this "
        "cluster (`CLOUDOPS_PROMETHEUS_CLUSTER_LABEL`), each figure's PromQL in `traffic.queries`; "
        "`endpoint_performance[].requests_per_second` is `rate()` over each bucket (`traffic.step_seconds`). "
        "A Service the operator does not probe gets the buckets Prometheus has requests for, latency and "
        "errors null. Without Prometheus traffic is null with `source: \"none\"`. Nothing is estimated. "
        f"{object_id_text(_NAMED, 'endpoints')}",
        "nothing."),
}

_SECURITY: Docs = {
    "POST /api/k8s/security/network/analyze": Doc(
        "Analyze a namespace's traffic",
        "Reports the namespace's declared and inferred connectivity: Services and the pods they select, "
        "references through env values, ConfigMap values and `*_SERVICE_HOST` variables (each edge with its "
        "evidence, never a value), and the pods no policy isolates, with recommendations. With a flow source "
        "(`CLOUDOPS_NETWORK_FLOWS`) it adds `observed_edges` over `time_range` (default 1h), with the range "
        "read (`time_range.since`/`until`) and, from Prometheus, the PromQL asked (`flow_source.queries`: Hubble's "
        "`hubble_flows_processed_total` of this cluster only); without one `time_range` is reported as not "
        "applicable.",
        "nothing.",
        body="`cluster_id`, `namespace` (default `default`), `time_range` (e.g. `24h`), "
             "`include_recommendations`."),
    "POST /api/k8s/security/network/generate-policy": Doc(
        "Generate NetworkPolicies for pods",
        "Generates `deny-all`, `allow-same-namespace` or `allow-list` NetworkPolicies for the named pods from "
        "their labels, DNS egress kept open unless `allow_dns: false`, and returns them as YAML and JSON. With "
        "`apply: true` every policy is dry-run first, then applied.",
        "nothing, unless `apply: true`: then the NetworkPolicies in the member (server-side apply), each "
        "recorded as a YamlVersion.",
        authz="`apply: true` is authorized again as `create` on `network`: a viewer may generate, never apply.",
        body="`cluster_id`, `namespace`, `pods`, `policy_type`, `exceptions`, `allow_dns`, `apply`."),
}

DOCS: Docs = {**_POLICIES, **_INGRESS, **_ENDPOINTS, **_SECURITY}
