"""Runs trained before a project's first save move with it: after Save, its Runs tab still lists
them, Try it and Export still find their checkpoints (beside the file, named after it), and so
does the project opened again later. A run still going when the project is saved follows once
it has ended."""

from __future__ import annotations

from pathlib import Path

import pytest
from neurocanvas.engine.templates import load_template
from PySide6.QtCore import Qt

RUN_TIMEOUT_MS = 30_000


@pytest.fixture
def make_dock(open_dock):
    from neurocanvas.gui.document import DEFAULT_NAME, Document

    def make(document=None, epochs=3):
        if document is None:
            project = load_template("xor")
            project.name = DEFAULT_NAME  # a new, unsaved project
            project.training = {**project.training, "epochs": epochs}
            document = Document(project)
        return open_dock(document)

    return make


def train(qtbot, dock) -> None:
    qtbot.mouseClick(dock.train_panel.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dock.worker is None, timeout=RUN_TIMEOUT_MS)


def test_runs_of_an_unsaved_project_move_beside_the_file_on_first_save(qtbot, make_dock, tmp_path):
    from neurocanvas.gui.document import Document
    from neurocanvas.gui.export_job import find_latest_checkpoint

    dock = make_dock()
    train(qtbot, dock)
    (old_folder,) = [Path(run["run_dir"]) for run in dock.runs_view.runs]
    assert old_folder.parent == tmp_path / "user-data" / "runs"
    assert old_folder.name.startswith("untitled-")

    project_dir = tmp_path / "projects"
    project_dir.mkdir()
    dock.document.save(project_dir / "churn.json")
    (run,) = dock.runs_view.runs  # still listed, from its new place
    new_folder = Path(run["run_dir"])
    assert new_folder == project_dir / "runs" / ("churn" + old_folder.name[len("untitled") :])
    assert not old_folder.exists() and Path(run["checkpoint"]).is_file()
    assert len(run["history"]) == 3
    qtbot.waitUntil(lambda: dock.try_view.model is not None, timeout=10_000)
    assert Path(dock.try_view.source).parent == new_folder
    assert find_latest_checkpoint(dock.document).parent == new_folder  # Export offers it

    reopened = make_dock(Document.open(project_dir / "churn.json"))  # a later session
    assert [Path(r["run_dir"]) for r in reopened.runs_view.runs] == [new_folder]


def test_a_run_going_while_the_project_is_saved_follows_when_it_ends(qtbot, make_dock, tmp_path):
    dock = make_dock(epochs=100_000)
    qtbot.mouseClick(dock.train_panel.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dock.live_view.point_counts()["loss"] >= 1, timeout=RUN_TIMEOUT_MS)
    dock.document.save(tmp_path / "long.json")
    dock.stop()
    qtbot.waitUntil(lambda: dock.worker is None, timeout=RUN_TIMEOUT_MS)
    (run,) = dock.runs_view.runs
    assert Path(run["run_dir"]).parent == tmp_path / "runs"
    assert Path(run["run_dir"]).name.startswith("long-")
    assert not list((tmp_path / "user-data" / "runs").iterdir())
