"""Member clusters: the one place a ManagedCluster becomes a session, and what sessions do."""
