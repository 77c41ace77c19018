"""Member clusters: reading their kubeconfigs, probing them, scoring their health."""
