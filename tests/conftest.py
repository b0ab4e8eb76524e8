"""Suite-wide hooks."""

import os
import sys

import pytest


def pytest_sessionfinish(session, exitstatus):
    session.config._neurocanvas_exit_status = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """End the process right after the report when Qt was loaded.

    PySide 6.12 can abort in the interpreter's final garbage collection of Qt/pyqtgraph objects
    (`none_dealloc: deallocating None`), after every test has passed and been reported, which would
    turn a green run red. Nothing is left to do at that point, so skip the interpreter's teardown
    and exit with pytest's own status.
    """
    status = getattr(config, "_neurocanvas_exit_status", None)
    if status is None or "PySide6.QtWidgets" not in sys.modules:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
