"""Network objects of members (网络管理): Endpoints from EndpointSlices, Ingress with TLS, NetworkPolicy status."""
