"""YAML backups of member objects, kept in the hub: packing, keys, storage, restore and schedules."""
