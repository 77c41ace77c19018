"""The network sections' request and response models, one module per route module (their names qualify the
OpenAPI components that share a class name: endpoints.PortView, networkpolicies.PortView)."""
