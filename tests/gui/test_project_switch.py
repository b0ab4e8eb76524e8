"""Every training view belongs to the open project and its runs: another project in the window
(or other data) leaves nothing of the last one on show (Try it answered with the churn model in
the XOR project; a new project showed the last results, suggested loss and boundary epoch), and
the project's own runs come back (Try it loads its newest checkpoint)."""

from __future__ import annotations

import numpy as np
import pytest
from neurocanvas.engine.templates import load_template
from PySide6.QtCore import Qt

RUN_TIMEOUT_MS = 30_000


@pytest.fixture
def dock(open_dock):
    from neurocanvas.gui.document import Document

    project = load_template("xor")
    project.training = {**project.training, "epochs": 3}
    return open_dock(Document(project))


def train(qtbot, dock) -> None:
    qtbot.mouseClick(dock.train_panel.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dock.worker is None, timeout=RUN_TIMEOUT_MS)
    assert dock.error_text() == ""


def test_another_project_shows_nothing_of_the_last_and_its_own_runs_come_back(qtbot, dock):
    from neurocanvas.gui.document import Document

    train(qtbot, dock)
    qtbot.waitUntil(lambda: dock.try_view.model is not None, timeout=10_000)
    dock.train_panel.set_suggested_loss("bce")
    assert dock.results_view.has_results and dock.boundary_view.epoch > 0
    assert "epoch" in dock.boundary_view.plot.plotItem.titleLabel.text

    dock.set_document(Document(load_template("seed-mlp")))  # no runs of its own
    assert dock.try_view.model is None and dock.try_view.bundle is None
    assert dock.try_view.caption.text().startswith("Train a model")
    assert not dock.try_view.row.isVisible() and not dock.try_view.answer.text()
    assert not dock.results_view.has_results
    assert dock.boundary_view.epoch == 0 and dock.boundary_view.last_values is None
    assert "epoch" not in dock.boundary_view.plot.plotItem.titleLabel.text
    assert dock.train_panel.loss_hint.text() == ""
    assert dock.runs_view.runs == []

    xor = load_template("xor")
    dock.set_document(Document(xor))  # the XOR project again: its run and its model
    assert len(dock.runs_view.runs) == 1
    qtbot.waitUntil(lambda: dock.try_view.model is not None, timeout=10_000)
    assert dock.try_view.source == dock.runs_view.runs[0]["checkpoint"]
    assert dock.try_view.row.isVisibleTo(dock.try_view)


def test_other_data_clears_the_boundary_of_the_last(qtbot, dock):
    train(qtbot, dock)
    assert dock.boundary_view.last_values is not None
    panel = dock.data_panel
    panel.source.setCurrentText("circles")
    with qtbot.waitSignal(panel.loaded, timeout=10_000):
        panel.load()
    assert dock.boundary_view.last_values is None
    assert not np.asarray(dock.boundary_view.scatter.getData()[0]).size
