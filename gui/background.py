"""The window's one way to work off the GUI thread: a `BackgroundTask` runs `work()` on a thread of
its own and reports `succeeded(result)` or `failed(message, details)` back on the GUI thread.
Data and checkpoint loads, exports (`run_in_background`) and training runs (the run layer's
bridge, `training/worker.py`, a subclass) all use it, so a big CSV, a slow export or a run never
freezes the window.

A task has no parent and is kept here from `start()` until its thread has ended: a widget closed
while its work still runs must not destroy a running `QThread` (Qt aborts), and nobody has to
park it. `wait_for_all` waits for every task (at exit, and in tests).
"""

from __future__ import annotations

import traceback
import weakref
from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import QThread, Signal

_RUNNING: set[BackgroundTask] = set()

# What background work imports on first use. Two threads importing pandas (or a module that
# imports it) at the same moment can both hang for good (a data preview and a column report did),
# and the engine's packages import their modules lazily (engine/lazy.py). So the first task to
# start imports them here, on the GUI thread, before its thread exists.
SHARED_MODULES = (
    "neurocanvas.engine.data.loader",
    "neurocanvas.engine.data.prepare",
    "neurocanvas.engine.data.column_report",
    "neurocanvas.engine.data.preview",
    "neurocanvas.engine.training.checkpoint",
)
_shared_loaded = False


def _import_shared_modules() -> None:
    global _shared_loaded
    if _shared_loaded:
        return
    import importlib

    for name in SHARED_MODULES:
        importlib.import_module(name)
    _shared_loaded = True


class BackgroundTask(QThread):
    """`BackgroundTask(fn)` runs `fn()`; subclasses override `work` instead."""

    succeeded = Signal(object)
    failed = Signal(str, str)  # message, details

    def __init__(self, fn: Callable[[], Any] | None = None):
        super().__init__()
        self.fn = fn
        # A weak reference: a connection holding the task itself would keep it forever.
        self.finished.connect(partial(_release, weakref.ref(self)))

    def work(self) -> Any:
        return self.fn()

    def start(self, *args) -> None:
        _import_shared_modules()
        _RUNNING.add(self)
        super().start(*args)

    def run(self) -> None:  # noqa: D401 - QThread override (its own thread)
        try:
            result = self.work()
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
    task.start()
    return task


def running() -> list[BackgroundTask]:
    """The tasks whose threads have not ended yet."""
    return list(_RUNNING)


def wait_for_all(timeout_ms: int = 10_000) -> None:
    """Block until every background task has ended (each given up to `timeout_ms`)."""
    for task in list(_RUNNING):
        task.wait(timeout_ms)


def _release(task_ref: weakref.ref) -> None:
    task = task_ref()
    if task is not None:
        # `finished` is queued from the ending thread, which may not have quite returned yet.
        task.wait()
        _RUNNING.discard(task)
