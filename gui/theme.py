"""Colours shared by every view: one accent colour, a colour per layer category, light/dark aware."""

from __future__ import annotations

from PySide6.QtGui import QColor, QGuiApplication, QPalette

ACCENT = QColor("#3b82f6")
ERROR = QColor("#dc2626")
WARNING = QColor("#d97706")
OK = QColor("#16a34a")

CATEGORY_COLORS = {
    "Input": QColor("#64748b"),
    "Core": QColor("#3b82f6"),
    "Convolution": QColor("#8b5cf6"),
    "Pooling": QColor("#06b6d4"),
    "Normalization": QColor("#14b8a6"),
    "Recurrent": QColor("#f59e0b"),
    "TimeDistributed": QColor("#f59e0b"),  # per-step layers feeding the recurrent ones
    "Activation": QColor("#ef4444"),
    "Merge": QColor("#ec4899"),
    "Reshape": QColor("#84cc16"),
}
DEFAULT_CATEGORY_COLOR = QColor("#94a3b8")


def category_color(category: str) -> QColor:
    return CATEGORY_COLORS.get(category, DEFAULT_CATEGORY_COLOR)


def is_dark() -> bool:
    """True when the application palette (which follows the system) is dark."""
    window = QGuiApplication.palette().color(QPalette.ColorRole.Window)
    return window.lightness() < 128


def canvas_colors() -> dict[str, QColor]:
    """Background, grid, node body, text and wire colours for the current light/dark palette."""
    if is_dark():
        return {
            "background": QColor("#1e1f24"),
            "grid": QColor("#2a2c33"),
            "node": QColor("#2b2e36"),
            "node_border": QColor("#444955"),
            "text": QColor("#e5e7eb"),
            "muted": QColor("#9ca3af"),
            "wire": QColor("#7b8494"),
            "label_bg": QColor("#1e1f24"),
        }
    return {
        "background": QColor("#f7f8fa"),
        "grid": QColor("#e6e8ec"),
        "node": QColor("#ffffff"),
        "node_border": QColor("#cfd4dc"),
        "text": QColor("#1f2937"),
        "muted": QColor("#6b7280"),
        "wire": QColor("#8a93a3"),
        "label_bg": QColor("#f7f8fa"),
    }
