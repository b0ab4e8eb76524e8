"""Garbage collection on the GUI thread only.

Python's collector runs in whichever thread happens to allocate when a threshold is passed. When
that is a background worker (gui/background.py), the cycles it frees can hold widgets: Qt objects
then die in the wrong thread, and a worker deleting a widget while the GUI thread waits for the
GIL deadlocks the window (seen in a CI run: a GAN tab's checkpoint load froze the suite).

`GuiThreadCollector` turns the automatic collector off and runs the same generational
collections itself from a timer on the GUI thread, with the interpreter's own thresholds.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

CHECK_INTERVAL_MS = 500


class GuiThreadCollector(QObject):
    """While started, every collection happens here, on the thread that owns the widgets."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = CHECK_INTERVAL_MS):
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        self.thresholds = gc.get_threshold()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)
        gc.disable()
        self._timer.start()

    def check(self) -> int | None:
        """Collect the oldest generation whose count passed its threshold; returns it (or None)."""
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self.thresholds[generation]:
                gc.collect(generation)
                return generation
        return None

    def stop(self) -> None:
        """Hand collection back to the interpreter as it was."""
        self._timer.stop()
        if self._was_enabled:
            gc.enable()
