"""Shared set-up for the GUI tests: Qt runs offscreen unless a display was asked for explicitly,
and the app's user data (autosaves, runs) goes to a fresh folder for every test."""

import gc
import os

import pytest

# Must be set before pytest-qt creates the QApplication (at the first `qtbot`/`qapp` use).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _private_user_data(tmp_path_factory, monkeypatch):
    """Never read or write the real ~/.local/share/neurocanvas (runs, recovery files)."""
    monkeypatch.setenv("NEUROCANVAS_DATA_DIR", str(tmp_path_factory.mktemp("user-data")))


@pytest.fixture(autouse=True)
def _no_thread_left(qapp):
    """Garbage is collected on this thread only, as in the app (gui_thread_gc.py); background
    work still running when a test ends would outlive its widgets: wait for it, then collect the
    test's garbage here, with nothing of ours running."""
    from neurocanvas.gui.background import wait_for_all
    from neurocanvas.gui.gui_thread_gc import GuiThreadCollector

    collector = GuiThreadCollector()
    yield
    wait_for_all()
    collector.stop()
    gc.collect()


@pytest.fixture
def open_dock(qtbot, tmp_path, monkeypatch):
    """`open_dock(document)`: a shown TrainingDock on it, its runs in tmp, shut down afterwards."""
    monkeypatch.setenv("NEUROCANVAS_DATA_DIR", str(tmp_path / "user-data"))
    from neurocanvas.gui.training.dock import TrainingDock

    docks = []

    def make(document):
        dock = TrainingDock(document)
        qtbot.addWidget(dock)
        dock.resize(1300, 800)
        dock.show()
        qtbot.waitExposed(dock)
        docks.append(dock)
        return dock

    yield make
    for dock in docks:
        dock.shutdown()


@pytest.fixture
def make_view(qtbot):
    """`make_view(graph_or_project, size=(900, 700))`: a shown CanvasView over a fresh Document."""
    from neurocanvas.engine.project import Project
    from neurocanvas.gui.canvas.view import CanvasView
    from neurocanvas.gui.document import Document

    documents = []

    def make(content=None, size=(900, 700)):
        if content is not None and not isinstance(content, Project):
            content = Project(graph=content)
        document = Document(content)
        documents.append(document)
        view = CanvasView(document)
        qtbot.addWidget(view)
        view.resize(*size)
        view.show()
        view.fit_all()
        return view

    yield make
    # Empty the undo stacks while the Documents are alive: a stack destroyed dirty emits
    # cleanChanged into its half-deleted Document (a RuntimeError printed at exit).
    for document in documents:
        document.undo_stack.clear()
