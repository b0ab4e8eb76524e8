""" "Tune this..." on an inspector parameter and a training setting, a small search started from
the Tune tab filling its table and plots, and "Apply best" as one undoable edit."""

from __future__ import annotations

import pytest
from neurocanvas.engine.templates import load_project_or_template
from neurocanvas.gui.document import Document
from neurocanvas.gui.inspector import Inspector
from neurocanvas.gui.training.train_panel import TrainPanel
from neurocanvas.gui.tune_view import TuneView
from PySide6.QtCore import Qt


def xor_document(tmp_path) -> Document:
    project = load_project_or_template("xor")
    project.data = {"source": "xor", "params": {"n": 60}, "split": [0.6, 0.2, 0.2]}
    project.training = project.training | {"epochs": 1}
    document = Document(project)
    document.save(tmp_path / "xor.json")
    return document


def test_tune_this_adds_a_prefilled_dimension_as_one_undoable_edit(qtbot, tmp_path):
    document = xor_document(tmp_path)
    inspector = Inspector(document)
    qtbot.addWidget(inspector)
    inspector.show_node("hidden")
    dialog = inspector.tune_this("units")
    assert (dialog.low.value(), dialog.high.value(), dialog.log.isChecked()) == (1.0, 16.0, True)
    dialog.low.setValue(2)
    dialog.high.setValue(6)
    dialog.log.setChecked(False)
    dialog.accept()
    assert document.project.tuning["dimensions"] == [
        {"node": "hidden", "param": "units", "low": 2.0, "high": 6.0}
    ]
    assert document.undo_stack.undoText() == "Tune hidden.units"
    # A bad range keeps the dialog open with the parameter named.
    bad = inspector.tune_this("units")
    bad.low.setValue(9)
    bad.high.setValue(3)
    bad.accept()
    assert bad.isVisible() and "hidden.units: low 9 is above high 3" in bad.message.text()
    bad.reject()
    activation = inspector.tune_this("activation")
    assert "relu" in activation.choices.text()
    activation.reject()
    document.undo_stack.undo()
    assert document.project.tuning.get("dimensions", []) == []


def test_tune_this_on_a_training_setting(qtbot, tmp_path):
    document = xor_document(tmp_path)
    panel = TrainPanel(document)
    qtbot.addWidget(panel)
    dialog = panel.tune_this(("optimizer", "lr"))
    assert dialog.log.isChecked() and dialog.low.value() == pytest.approx(0.0125)
    dialog.accept()
    assert document.project.tuning["dimensions"][0]["setting"] == "optimizer.lr"


@pytest.mark.slow
def test_a_search_fills_the_table_and_plots_and_the_best_applies_as_one_edit(qtbot, tmp_path):
    document = xor_document(tmp_path)
    document.set_settings(
        "tuning",
        {
            "dimensions": [
                {"node": "hidden", "param": "units", "low": 2, "high": 8},
                {"setting": "optimizer.lr", "low": 0.001, "high": 0.1, "log": True},
            ],
            "objective": "val_accuracy",
            "pruner": "none",
        },
    )
    view = TuneView(document)
    qtbot.addWidget(view)
    view.trials.setValue(3)
    assert view.start()
    qtbot.waitUntil(lambda: not view.running(), timeout=120_000)
    assert view.table.rowCount() == 3
    assert view.table.horizontalHeaderItem(3).text() == "hidden.units"
    numbers, values, best = view.report.history()
    assert numbers == [0, 1, 2] and len(view.history_plot.listDataItems()) == 2
    assert len(view.parallel_plot.listDataItems()) == 3
    assert "3 complete" in view.status.text()
    opened = []
    view.run_opened.connect(opened.append)
    view.table.cellDoubleClicked.emit(0, 0)
    assert opened and opened[0].endswith(tuple(f"trial-000{i}" for i in range(3)))
    chosen = view.report.best()
    before_units = document.graph.nodes["hidden"].params["units"]
    assert view.apply_best()
    assert document.graph.nodes["hidden"].params["units"] == chosen.params["hidden.units"]
    assert document.project.training["optimizer"]["lr"] == chosen.params["optimizer.lr"]
    document.undo_stack.undo()  # one step undoes both
    assert document.graph.nodes["hidden"].params["units"] == before_units
    assert document.project.training["optimizer"]["lr"] == 0.05


def test_runs_of_one_configuration_with_other_seeds_draw_a_band(qtbot):
    import numpy as np
    from neurocanvas.gui.training.runs import RunsView

    def past(lr: float, seed: int, losses: list[float]) -> dict:
        project = {"graph": {"nodes": [], "edges": []}, "data": {"source": "xor"}}
        project["training"] = {"optimizer": {"type": "Adam", "lr": lr}, "seed": seed}
        history = [{"loss": v, "val_loss": v} for v in losses]
        result = {"event": "RunFinished", "test": {"loss": losses[-1]}, "epochs_run": 3}
        return {
            "project": project,
            "run_dir": f"/runs/r{lr}-{seed}",
            "history": history,
            "checkpoint": None,
            "result": result,
        }

    a = [past(0.01, s, [1.0 + s / 100, 0.8 + s / 100, 0.6 + s / 100]) for s in range(3)]
    b = [past(0.1, s, [1.0 + s / 100, 0.5 + s / 100, 0.3 + s / 100]) for s in range(3)]
    view = RunsView()
    qtbot.addWidget(view)
    view.show_past(a + b)
    for run in view.runs:
        view._set_checked(run, True)
    view.metric_choice.setCurrentIndex(view.metric_choice.findData("val_loss"))
    view.seed_bands.setChecked(True)
    bands = {k: v for k, v in view.curves.items() if k.startswith("3 seeds")}
    assert len(bands) == 2 and len(view.curves) == 2  # one mean curve per configuration
    means = sorted(bands.values())
    np.testing.assert_allclose(means[0], [1.01, 0.51, 0.31])
    np.testing.assert_allclose(means[1], [1.01, 0.81, 0.61])
    assert "larger than the seed noise" in view.seed_summary.text()
    view.seed_bands.setChecked(False)
    assert len(view.curves) == 6 and view.seed_summary.text() == ""


def test_cross_validation_from_the_tune_tab(qtbot, tmp_path, capsys):
    import json

    from neurocanvas.engine.cli import main

    document = xor_document(tmp_path)
    view = TuneView(document)
    qtbot.addWidget(view)
    view.folds.setValue(3)
    view.cross_validate()
    args = view.process.arguments()
    assert args[2:5] == ["cv", str(view.runs_root() / "xor-tuning-project.json"), "--folds"]
    assert args[5] == "3" and "--json" in args
    view.process.kill()
    view.process.waitForFinished(10_000)
    assert main(["cv", str(tmp_path / "xor.json"), "--folds", "3", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    view.show_cv(report)
    assert view.table.rowCount() == 4 and view.table.item(3, 0).text() == "mean +- std"
    accuracy = [f["accuracy"] for f in report["seeds"][0]["folds"]]
    column = [view.table.horizontalHeaderItem(j).text() for j in range(view.table.columnCount())]
    j = column.index("accuracy")
    assert [view.table.item(i, j).data(0) for i in range(3)] == [round(a, 6) for a in accuracy]
    assert f"{report['mean']['accuracy']:.4f} +- " in view.table.item(3, j).text()
    assert "3-fold cross-validation (stratified folds)" in view.status.text()


def test_the_training_dock_builds_its_tune_tab_when_shown_and_opens_a_trial_run(
    open_dock, tmp_path
):
    from neurocanvas.engine.cli import main

    document = xor_document(tmp_path)
    dock = open_dock(document)
    assert dock.tune_view is None  # not built until its tab is shown
    dock.views.setCurrentWidget(dock.tune_holder)
    assert isinstance(dock.tune_view, TuneView) and dock.tune_view.document is document
    run = tmp_path / "runs" / "xor-trial-0000"
    assert main(["train", str(tmp_path / "xor.json"), "--epochs", "1", "--out", str(run)]) == 0
    dock.tune_view.run_opened.emit(str(run))
    assert dock.views.currentWidget() is dock.runs_view
    assert dock.runs_view.runs[-1]["run_dir"] == str(run)


@pytest.mark.slow
def test_repeat_with_seeds_shows_each_seed_and_the_runs_tab_lists_them(qtbot, tmp_path, open_dock):
    from neurocanvas.engine.training.run_index import read_run

    document = xor_document(tmp_path)
    view = TuneView(document)
    qtbot.addWidget(view)
    view.seeds.setValue(2)
    with qtbot.waitSignal(view.seeds_written, timeout=120_000):
        view.repeat_seeds()
    assert view.table.rowCount() == 3 and view.table.item(2, 0).text() == "mean +- std"
    seeds = [view.table.item(row, 0).text() for row in range(2)]
    folders = [view.table.item(row, 0).data(Qt.ItemDataRole.UserRole) for row in range(2)]
    assert seeds == ["0", "1"] and all(read_run(folder) for folder in folders)
    accuracy = [float(view.table.item(row, 1).text()) for row in range(2)]
    mean = float(view.table.item(2, 1).text().split()[0])
    assert mean == pytest.approx(sum(accuracy) / 2, abs=1e-4)
    assert "2 seeds" in view.status.text()
    dock = open_dock(document)  # shut down after the test, its process and threads with it
    dock.show_past_runs()
    listed = {str(run["run_dir"]) for run in dock.runs_view.runs}
    assert set(folders) <= listed


def test_the_tab_says_what_the_search_covers_as_tune_this_edits_it(qtbot, tmp_path):
    """Found in a real-window trial: after "Tune this..." the tab still said "No search yet"."""
    document = xor_document(tmp_path)
    view = TuneView(document)
    qtbot.addWidget(view)
    assert view.status.text().startswith("No search yet")
    dimension = {"setting": "optimizer.lr", "low": 0.001, "high": 0.1, "log": True}
    document.set_settings("tuning", {"dimensions": [dimension], "objective": "val_accuracy"})
    assert view.status.text() == (
        "Search space: optimizer.lr 0.001-0.1 (log); objective val_accuracy (maximize). "
        "Press Start search."
    )
    document.undo_stack.undo()
    assert view.status.text().startswith("No search yet")
