"""Self-healing: rules, a pure matcher and guards, the actions, claims and the history."""
