"""An exception escaping a slot shows the engine's one-paragraph message over the window."""

from __future__ import annotations

import sys

from neurocanvas.gui.crash_dialog import install_excepthook, show_unexpected_error
from PySide6.QtWidgets import QMessageBox, QWidget


def test_the_message_names_the_error_and_its_log(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("NEUROCANVAS_LOG_DIR", str(tmp_path))
    parent = QWidget()
    qtbot.addWidget(parent)
    box = show_unexpected_error(parent, TypeError("'int' object is not subscriptable"))
    qtbot.addWidget(box)
    (log,) = tmp_path.iterdir()
    assert box.isVisible() and "TypeError" in box.text() and str(log) in box.text()


def test_the_hook_shows_a_box_instead_of_exiting(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("NEUROCANVAS_LOG_DIR", str(tmp_path))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    window = QWidget()
    qtbot.addWidget(window)
    install_excepthook(window)
    error = ValueError("boom")
    sys.excepthook(ValueError, error, None)
    qtbot.waitUntil(lambda: bool(window.findChildren(QMessageBox)), timeout=2000)
    (box,) = window.findChildren(QMessageBox)
    assert "boom" in box.text()
