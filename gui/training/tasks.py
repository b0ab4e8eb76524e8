"""`run_in_background(fn, on_success, on_failure)`: run one function on a `QThread` and get its
result (or error) back on the GUI thread. Used for data and checkpoint loading, so a big CSV or
image folder never freezes the window.

The thread object has no parent and is kept in a module-level set until it has finished: a
widget closed while its load is still running must not destroy a running `QThread` (Qt aborts).
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QThread, Signal

_RUNNING: set[BackgroundTask] = set()


class BackgroundTask(QThread):
    succeeded = Signal(object)
    failed = Signal(str, str)  # message, details

    def __init__(self, fn: Callable[[], Any]):
        super().__init__()
        self.fn = fn

    def run(self) -> None:  # noqa: D401 - QThread override (worker thread)
        try:
            result = self.fn()
        except Exception as error:  # noqa: BLE001 - reported in the window, never raised
            self.failed.emit(str(error) or type(error).__name__, traceback.format_exc())
            return
        self.succeeded.emit(result)


def run_in_background(
    fn: Callable[[], Any],
    on_success: Callable[[Any], None],
    on_failure: Callable[[str, str], None],
) -> BackgroundTask:
    task = BackgroundTask(fn)
    task.succeeded.connect(on_success)
    task.failed.connect(on_failure)
    _RUNNING.add(task)
    task.finished.connect(lambda: _finished(task))
    task.start()
    return task


def _finished(task: BackgroundTask) -> None:
    _RUNNING.discard(task)
    task.deleteLater()


def wait_for_all(timeout_ms: int = 10_000) -> None:
    """Block until every background task has ended (at exit, and in tests)."""
    for task in list(_RUNNING):
        task.wait(timeout_ms)
