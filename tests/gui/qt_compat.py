"""Small differences between the PySide6 versions the project supports."""

from PySide6 import __version_info__ as PYSIDE_VERSION
from PySide6.QtCore import QPoint, QPointF


def drag_point(point) -> QPoint | QPointF:
    """Drag-and-drop events take a QPointF from PySide 6.12 on (QPoint before)."""
    point = QPointF(point)
    return point if PYSIDE_VERSION >= (6, 12) else point.toPoint()
