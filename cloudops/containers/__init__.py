"""Container operations on member pods: logs, exec, terminals and files (no transport code here)."""
