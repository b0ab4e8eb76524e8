"""Training from the window: the xor template trained through the training dock with real clicks.

Runs are tiny (xor, 400 points) so the whole module stays within a few seconds per test.
"""

from __future__ import annotations

import time
from datetime import datetime

import numpy as np
import pytest
from neurocanvas.engine.templates import load_template
from neurocanvas.engine.training.events import RunFinished
from neurocanvas.gui.training.runs import EPOCHS, RESULT, STARTED
from PySide6.QtCore import Qt

RUN_TIMEOUT_MS = 30_000
STOP_BOUND_S = 10.0  # a stop must end a 100,000-epoch run; generous for a shared machine


@pytest.fixture
def make_dock(open_dock):
    """`make_dock("xor", epochs=30)`: a shown TrainingDock on that template; runs go to tmp."""
    from neurocanvas.gui.document import Document

    def make(template: str = "xor", **training):
        project = load_template(template)
        project.training = {**project.training, **training}
        return open_dock(Document(project))

    return make


def click(qtbot, button) -> None:
    assert button.isEnabled(), f"{button.text()} is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def wait_idle(qtbot, dock, timeout: int = RUN_TIMEOUT_MS) -> None:
    qtbot.waitUntil(lambda: dock.worker is None, timeout=timeout)


def epochs_seen(dock) -> int:
    return dock.live_view.point_counts()["loss"]


@pytest.mark.slow
def test_train_xor_from_the_window(qtbot, make_dock):
    dock = make_dock("xor", epochs=25)
    panel = dock.train_panel
    assert panel.epochs.value() == 25
    pictures = []
    dock.boundary_view_set = dock.boundary_view.set_boundary

    def record(boundary, epoch):
        pictures.append((epoch, boundary["values"].copy()))
        dock.boundary_view_set(boundary, epoch)

    dock.boundary_view.set_boundary = record
    previews = []
    dock.preview_changed.connect(previews.append)
    dock.preview_check.setChecked(True)  # the canvas preview: each node's output for sample 3
    dock.preview_sample.setValue(3)
    click(qtbot, panel.train_button)
    assert dock.state == "running"
    assert not panel.train_button.isEnabled() and panel.stop_button.isEnabled()
    wait_idle(qtbot, dock)
    assert dock.error_text() == ""
    assert previews and list(previews[-1]) == list(dock.document.graph.nodes)
    dock.preview_check.setChecked(False)
    assert previews[-1] is None  # switched off: the cards drop their previews
    counts = dock.live_view.point_counts()
    assert counts["loss"] == 25 and counts["val_loss"] == 25 and counts["metric"] == 25
    assert counts["batch"] > 0
    dock.live_view.redraw(force=True)
    x, y = dock.live_view.curves["loss"].getData()
    assert len(x) == 25 and np.isfinite(y).all()
    # The boundary is redrawn while training, and it changes as the model learns.
    assert len(pictures) >= 2 and pictures[0][0] < pictures[-1][0]
    assert pictures[0][1].shape == (80, 80, 2)
    assert np.abs(pictures[0][1] - pictures[-1][1]).max() > 0.05
    assert dock.boundary_view.image.image is not None
    # The confusion matrix on the test split appears in the results.
    # 2-D data: the run opens on the boundary and stays there (the results are one tab away).
    assert dock.views.currentWidget() is dock.boundary_view
    confusion = dock.results_view.confusion
    assert confusion.table.rowCount() == 2 and confusion.table.columnCount() == 2
    total = sum(sum(row) for row in confusion.matrix)
    assert total == 60  # 15 % of 400 points
    assert confusion.cell_text(0, 0).split("\n")[0].isdigit()
    assert dock.results_view.curve_plot.isVisibleTo(dock.results_view)  # ROC for binary data
    assert panel.train_button.isEnabled() and not panel.stop_button.isEnabled()
    assert len(dock.runs_view.runs) == 1 and dock.runs_view.runs[0]["checkpoint"]


def test_stop_ends_a_long_run_soon(qtbot, make_dock):
    dock = make_dock("xor", epochs=100_000)
    finished = []
    click(qtbot, dock.train_panel.train_button)
    dock.worker.event.connect(
        lambda event: finished.append(event) if isinstance(event, RunFinished) else None
    )
    qtbot.waitUntil(lambda: epochs_seen(dock) >= 2, timeout=RUN_TIMEOUT_MS)
    started = time.perf_counter()
    click(qtbot, dock.train_panel.stop_button)
    wait_idle(qtbot, dock, timeout=int(STOP_BOUND_S * 1000))
    assert time.perf_counter() - started < STOP_BOUND_S
    assert finished and finished[0].stopped == "user"
    assert dock.train_panel.train_button.isEnabled()


def test_pause_and_resume(qtbot, make_dock):
    dock = make_dock("xor", epochs=100_000)
    panel = dock.train_panel
    click(qtbot, panel.train_button)
    qtbot.waitUntil(lambda: epochs_seen(dock) >= 1, timeout=RUN_TIMEOUT_MS)
    before = dock.live_view.status.text()
    click(qtbot, panel.pause_button)
    assert dock.state == "paused" and panel.pause_button.text() == "Resume"
    assert dock.live_view.status.text().startswith("Paused")
    qtbot.wait(300)  # the batch in flight (if any) lands
    paused_at = epochs_seen(dock)
    qtbot.wait(400)
    assert epochs_seen(dock) == paused_at  # nothing trains while paused
    click(qtbot, panel.pause_button)  # now "Resume"
    assert dock.state == "running" and panel.pause_button.text() == "Pause"
    assert dock.live_view.status.text() == before  # no "Paused." left while it runs
    qtbot.waitUntil(lambda: epochs_seen(dock) > paused_at + 1, timeout=RUN_TIMEOUT_MS)
    click(qtbot, panel.stop_button)
    wait_idle(qtbot, dock)
    x, _ = dock.live_view.series["loss"].arrays()
    assert np.all(np.diff(x) > 0)  # pausing never reorders the points


def test_diverging_run_shows_a_message(qtbot, make_dock):
    dock = make_dock("xor", epochs=50, optimizer={"type": "SGD", "lr": 50.0})
    graph = dock.document.graph
    graph.nodes["output"].params["activation"] = "none"
    dock.document.project.data = {"source": "regression-plane", "params": {"n": 200}}
    dock.document.refresh_analysis()
    click(qtbot, dock.train_panel.train_button)
    wait_idle(qtbot, dock)
    assert "diverged" in dock.error_text()
    assert dock.details and dock.details_button.isVisibleTo(dock)
    assert dock.train_panel.train_button.isEnabled()  # the window goes on


def test_bad_data_shows_a_message(qtbot, make_dock, tmp_path):
    dock = make_dock("xor")
    dock.document.project.data = {"source": str(tmp_path / "missing.csv")}
    click(qtbot, dock.train_panel.train_button)
    wait_idle(qtbot, dock)
    assert "could not be loaded" in dock.error_text()


def test_close_during_training_asks_then_stops(qtbot, make_dock):
    dock = make_dock("xor", epochs=100_000)
    click(qtbot, dock.train_panel.train_button)
    qtbot.waitUntil(lambda: epochs_seen(dock) >= 1, timeout=RUN_TIMEOUT_MS)
    dock.ask_stop_training = lambda: False
    assert dock.confirm_close() is False and dock.running
    dock.ask_stop_training = lambda: True
    started = time.perf_counter()
    assert dock.confirm_close() is True
    assert not dock.running and time.perf_counter() - started < STOP_BOUND_S


def test_settings_are_saved_in_the_project_and_undoable(qtbot, make_dock):
    dock = make_dock("xor")
    panel = dock.train_panel
    panel.batch_size.setValue(16)
    panel.optimizer.setCurrentText("SGD")
    assert dock.document.project.training["batch_size"] == 16
    assert dock.document.project.training["optimizer"]["type"] == "SGD"
    assert dock.document.modified
    stack = dock.document.undo_stack
    assert stack.undoText() == "Set optimizer"  # each setting its own step, named
    stack.undo()
    assert stack.undoText() == "Set batch size"
    stack.undo()
    assert dock.document.project.training["batch_size"] == 32
    assert panel.batch_size.value() == 32 and panel.optimizer.currentText() == "Adam"


def test_runs_of_earlier_sessions_are_listed(qtbot, make_dock):
    first = make_dock("xor", epochs=3)
    click(qtbot, first.train_panel.train_button)
    wait_idle(qtbot, first)
    later = make_dock("xor", epochs=2)  # the same project opened again (same run folders)
    (past,) = later.runs_view.runs
    item = past["item"]
    assert len(past["history"]) == 3 and past["checkpoint"].endswith(".pt")
    assert item.text(EPOCHS) == "3" and item.text(RESULT).startswith("accuracy")
    folder_stamp = datetime.strptime(past["run_dir"][-19:-4], "%Y%m%d-%H%M%S")
    assert item.text(STARTED) == folder_stamp.strftime("%d %b %H:%M")
    assert item.checkState(0) == Qt.CheckState.Checked and item.toolTip(0) == past["run_dir"]
    click(qtbot, later.train_panel.train_button)
    wait_idle(qtbot, later)
    names = [run["name"] for run in later.runs_view.runs]
    assert names == ["run 1", "run 2"]
    assert all(run["item"].checkState(0) == Qt.CheckState.Checked for run in later.runs_view.runs)


def test_a_run_sizes_the_canvas_auto_layers_from_its_data(qtbot, make_dock):
    dock = make_dock("tabular-mlp", epochs=1)
    dock.document.project.data = {"source": "iris"}  # never loaded in the Data pane
    assert not dock.document.analysis.complete  # "?" shapes on the canvas
    click(qtbot, dock.train_panel.train_button)
    wait_idle(qtbot, dock)
    assert dock.document.auto.input_shape == (4,) and dock.document.auto.output_units == 3
    assert dock.document.analysis.complete
    assert dock.views.currentWidget() is dock.results_view  # 4 features: Live, then Results


def test_a_run_still_starting_when_the_dock_closes_is_left_to_end(qtbot, make_dock, monkeypatch):
    from neurocanvas.engine.session.pool import TrainerPool
    from neurocanvas.gui import background
    from neurocanvas.gui.training import dock as dock_module

    def slow_start(pool):
        time.sleep(1.0)  # a cold training process on a slow machine
        raise OSError("no process")

    monkeypatch.setattr(TrainerPool, "acquire", slow_start)
    monkeypatch.setattr(dock_module, "STOP_WAIT_MS", 50)
    dock = make_dock("xor", epochs=2)
    click(qtbot, dock.train_panel.train_button)
    worker = dock.worker
    dock.shutdown()  # gives up waiting: the thread must not be deleted while it runs
    assert dock.worker is None and dock.state == "idle"
    assert worker in background.running()
    qtbot.waitUntil(lambda: worker not in background.running(), timeout=30_000)
    assert worker.outcome == "finished"  # it trained on its thread, then let go


def test_a_bug_in_the_run_layer_is_shown_and_the_dock_becomes_idle(qtbot, make_dock, monkeypatch):
    from neurocanvas.engine.session.runner import JobRunner

    def broken(runner, emit):
        raise KeyError("a bug")

    monkeypatch.setattr(JobRunner, "run", broken)
    dock = make_dock("xor", epochs=2)
    click(qtbot, dock.train_panel.train_button)
    wait_idle(qtbot, dock)
    assert dock.error_text().startswith("Training failed: 'a bug'")
    assert "KeyError" in dock.details and dock.train_panel.train_button.isEnabled()
