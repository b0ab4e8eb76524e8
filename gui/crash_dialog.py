"""An exception that escapes a slot is shown as one message in the window, never a silent exit.

The message comes from `engine.crash.describe`: bad input as its own paragraph, anything else as
"a bug in NeuroCanvas" with the path of the log that holds the traceback for the bug report.
"""

from __future__ import annotations

import sys

from neurocanvas.engine.crash import describe
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox, QWidget


def show_unexpected_error(parent: QWidget | None, error: BaseException) -> QMessageBox:
    """A non-modal warning with `describe(error)`; the box, for tests."""
    box = QMessageBox(
        QMessageBox.Icon.Warning, "NeuroCanvas", describe(error, "window"), parent=parent
    )
    box.setInformativeText("Your work is still open; save it under a new name if unsure.")
    box.setModal(False)
    box.show()
    return box


def install_excepthook(window: QWidget) -> None:
    """From now on, an unhandled exception is shown over `window` (after the failing slot)."""

    def hook(kind, error, trace) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, trace)
            return
        try:
            QTimer.singleShot(0, lambda: show_unexpected_error(window, error))
        except Exception:  # noqa: BLE001 - the hook itself must never fail: fall back to stderr
            sys.__excepthook__(kind, error, trace)

    sys.excepthook = hook
