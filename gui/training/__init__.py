"""gui/training package."""
