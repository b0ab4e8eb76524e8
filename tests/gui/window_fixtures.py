"""Fixtures for the window tests (imported by each test module: tests/gui/conftest.py belongs to
the canvas tests and stays minimal)."""

from __future__ import annotations

import pytest
from neurocanvas.engine.templates import load_template


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """Recent files, settings and recovery files go to a temporary folder, never the user's."""
    path = tmp_path / "user-data"
    monkeypatch.setenv("NEUROCANVAS_DATA_DIR", str(path))
    return path


@pytest.fixture
def make_window(qtbot, data_dir):
    """`make_window("seed-cnn")`: a shown MainWindow on that template (or on a Project);
    closing never prompts."""
    from neurocanvas.gui.document import Document
    from neurocanvas.gui.main_window import MainWindow

    def make(template="seed-cnn"):
        project = load_template(template) if isinstance(template, str) else template
        window = MainWindow(Document(project))
        window.ask_save_changes = lambda: "discard"
        qtbot.addWidget(window)
        window.resize(1200, 800)
        window.show()
        qtbot.waitExposed(window)
        return window

    return make


@pytest.fixture
def window(make_window):
    return make_window("seed-cnn")
