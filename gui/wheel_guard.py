"""`guard_wheel(widget, ...)`: spin boxes and combo boxes take the mouse wheel only when focused.

Qt lets a wheel turn over any spin box change its value, so scrolling a long form (the Data
pane) changed whatever field passed under the pointer ("15% val" became 20%). A guarded field
takes no focus from the wheel, and a wheel turn over it while unfocused scrolls the nearest
scroll area instead; once clicked or tabbed into, the wheel edits it as usual.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QWidget


class _WheelGuard(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() != QEvent.Type.Wheel or not isinstance(watched, QWidget):
            return False
        if watched.hasFocus():
            return False
        area = _scroll_area(watched)
        if area is not None:
            # Forwarded explicitly: Qt does not pass a synthetic (non-spontaneous) wheel event
            # on to the parent, and the parent of a field is rarely the scroll area itself.
            viewport = area.viewport()
            forwarded = QWheelEvent(
                viewport.mapFromGlobal(event.globalPosition()),
                event.globalPosition(),
                event.pixelDelta(),
                event.angleDelta(),
                event.buttons(),
                event.modifiers(),
                event.phase(),
                event.inverted(),
            )
            QApplication.sendEvent(viewport, forwarded)
        event.ignore()
        return True  # the field itself never sees it


def _scroll_area(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return parent
        parent = parent.parentWidget()
    return None


_guard: _WheelGuard | None = None


def guard_wheel(*widgets: QWidget) -> None:
    """Make each widget ignore the wheel until it has focus (see the module docstring)."""
    global _guard
    if _guard is None:
        _guard = _WheelGuard(QApplication.instance())
    for widget in widgets:
        widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # a wheel turn gives no focus
        widget.installEventFilter(_guard)
