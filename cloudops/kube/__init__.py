"""The only layer that talks to Kubernetes API servers."""
