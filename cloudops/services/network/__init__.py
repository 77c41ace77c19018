"""The network sections' services (网络管理 API: Endpoints, Ingress, NetworkPolicy; 智能运维 network analysis).

Models live in `models/` (one module per route module), the Kubernetes shapes read and written in
cloudops.network.kinds, the pure network logic (slices, probes, TLS, the NetworkPolicy evaluator, analysis)
in cloudops.network.
"""

from cloudops.services.network.endpoint_health import EndpointHealth
from cloudops.services.network.endpoints import Endpoints
from cloudops.services.network.ingress import Ingresses
from cloudops.services.network.policies import NetworkPolicies
from cloudops.services.network.security import NetworkSecurity

__all__ = ["EndpointHealth", "Endpoints", "Ingresses", "NetworkPolicies", "NetworkSecurity"]
