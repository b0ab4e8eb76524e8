"""Shared set-up for the GUI tests: Qt runs offscreen unless a display was asked for explicitly."""

import os

# Must be set before pytest-qt creates the QApplication (at the first `qtbot`/`qapp` use).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
