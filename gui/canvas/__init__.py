"""gui/canvas package."""
