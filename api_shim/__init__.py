"""The REST shim: serves /api/k8s/... by reading and writing custom resources in the hub."""
