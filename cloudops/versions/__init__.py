"""YAML version history of member objects, kept in the hub as one YamlVersion object per version."""
