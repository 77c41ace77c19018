"""The kopf operator: one handlers module per custom resource kind."""
