"""`neurocanvas --startup-probe [window|gallery]`: print when the start-up reaches a milestone.

`window`: "first-paint" when the main window first paints, then quit. `gallery`: a plain start
(the gallery first, the panels importing on a thread), printing "gallery-painted torch=BOOL" when
the gallery first paints and "gallery-clicked" once a real mouse click on its Blank button has
gone through the event loop, then quitting: bench_startup times both against `import torch`.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QEvent, QObject, QPointF, Qt, QTimer
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QWidget


class FirstPaint(QObject):
    """Prints "first-paint" at the watched widget's first paint and quits."""

    def eventFilter(self, _obj, event):  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Paint:
            print("first-paint", flush=True)
            QTimer.singleShot(0, QApplication.instance().quit)
        return False


class GalleryProbe(QObject):
    """Watches every widget for the gallery's first paint, then clicks its Blank button."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.painted = False

    def eventFilter(self, obj, event):  # noqa: N802 - Qt override
        from .gallery import GalleryDialog

        if self.painted or event.type() != QEvent.Type.Paint or not isinstance(obj, QWidget):
            return False
        dialog = obj.window()
        if isinstance(dialog, GalleryDialog):
            self.painted = True
            print(f"gallery-painted torch={'torch' in sys.modules}", flush=True)
            dialog.blank_button.clicked.connect(_clicked)
            QTimer.singleShot(0, lambda: click(dialog.blank_button))
        return False


def _clicked() -> None:
    print("gallery-clicked", flush=True)
    QTimer.singleShot(0, QApplication.instance().quit)  # once the start-up has finished


def click(button: QWidget) -> None:
    """A real press and release posted to the event queue, as the window system would send."""
    centre = QPointF(button.rect().center())
    for kind in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease):
        buttons = Qt.MouseButton.LeftButton if kind == QEvent.Type.MouseButtonPress else Qt.NoButton
        event = QMouseEvent(
            kind, centre, button.mapToGlobal(centre), Qt.MouseButton.LeftButton, buttons,
            Qt.KeyboardModifier.NoModifier,
        )  # fmt: skip
        QApplication.postEvent(button, event)
