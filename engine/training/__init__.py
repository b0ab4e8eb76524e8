"""engine/training package (in progress)."""
