"""engine/data package (in progress)."""
