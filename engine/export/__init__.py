"""engine/export package (in progress)."""
