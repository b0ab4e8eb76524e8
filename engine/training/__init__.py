"""engine/training package."""
