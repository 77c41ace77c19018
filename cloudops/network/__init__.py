"""Network logic of members (网络管理, 智能运维 network), without a transport and mostly pure.

`kinds` the Kubernetes shapes read and written; `slices` a Service's endpoints from its EndpointSlices;
`probes`, `monitor`, `traffic` endpoint health and figures; `tls` checks of TLS material; `policy_eval` the
NetworkPolicy evaluator; `analyze`, `flows`, `generate` connectivity analysis and generated policies.
The services of the network sections (cloudops.services.network) build the API's answers from these.
"""
