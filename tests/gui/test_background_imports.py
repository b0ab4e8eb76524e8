"""Background work never imports pandas and the data modules on two threads at once: the first
task imports them on the GUI thread before its thread starts (two threads importing pandas
together hung `make screenshots` for good)."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys, threading
from PySide6.QtCore import QCoreApplication
app = QCoreApplication([])
from neurocanvas.gui.background import SHARED_MODULES, BackgroundTask, wait_for_all
assert "pandas" not in sys.modules
seen = {}
task = BackgroundTask(lambda: seen.update(loaded=[m for m in SHARED_MODULES if m in sys.modules],
                                          pandas="pandas" in sys.modules))
task.start()
wait_for_all()
print(len(seen["loaded"]) == len(SHARED_MODULES), seen["pandas"])
"""


def test_the_first_task_imports_the_shared_modules_before_its_thread_runs():
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.split() == ["True", "True"]
