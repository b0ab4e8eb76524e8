"""The Tune tab: start a search on the project's "tuning" space, watch it, apply the best trial.

"Start search" saves a snapshot of the project beside its runs and runs `neurocanvas tune` on it
in a child process (the study's journal file is in the runs folder, so a search survives the
window and resumes). A timer reads the study back from that file once a second (`report.py`):
a sortable trial table (double-click a row: its run folder, for the Runs view) and the plots of
tune_plots.py. "Apply best" writes the best trial's values into the project as one undoable
edit. Cross-validate and Repeat with seeds run `neurocanvas cv` / `train --seeds` the same way.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QProcess, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from .tune_menu import space_text
from .tune_plots import STATE_COLOURS as _STATE_COLOURS
from .tune_plots import draw_study

REFRESH_MS = 1000


class TuneView(QWidget):
    run_opened = Signal(str)  # a trial's run folder, double-clicked in the table
    status_message = Signal(str)
    seeds_written = Signal()  # seeded runs were written: the Runs tab lists them again

    def __init__(self, document=None, parent=None):
        super().__init__(parent)
        self.document = document
        self.process: QProcess | None = None
        self._watching = False
        self.report = None
        self.study = None
        self.trials = QSpinBox()
        self.trials.setRange(1, 10_000)
        self.trials.setValue(20)
        self.trials.setPrefix("trials: ")
        self.folds = QSpinBox()
        self.folds.setRange(1, 20)
        self.folds.setValue(1)
        self.folds.setPrefix("folds: ")
        self.folds.setSpecialValueText("no k-fold")
        self.folds.setToolTip(
            "Score each trial by k-fold cross-validation (the folds' mean); Cross-validate runs "
            "the project as it is on these folds (5 when none)"
        )
        self.cv_button = QPushButton("Cross-validate")
        self.cv_button.clicked.connect(self.cross_validate)
        self.seeds = QSpinBox()
        self.seeds.setRange(2, 100)
        self.seeds.setValue(3)
        self.seeds.setPrefix("seeds: ")
        self.seeds_button = QPushButton("Repeat with seeds")
        self.seeds_button.setToolTip(
            "Train the project as it is once per seed: every run's test figures and their mean "
            "+- std here; in Runs, tick them with Seed bands for the mean curve and its band"
        )
        self.seeds_button.clicked.connect(self.repeat_seeds)
        self.start_button = QPushButton("Start search")
        self.start_button.clicked.connect(self.start)
        self.stop_button = QPushButton("Stop")
        self.stop_button.clicked.connect(self.stop)
        self.stop_button.setEnabled(False)
        self.apply_button = QPushButton("Apply best")
        self.apply_button.setToolTip("Write the best trial's values into the project (undoable)")
        self.apply_button.clicked.connect(self.apply_best)
        self.apply_button.setEnabled(False)
        self.status = QLabel('No search yet: right-click a parameter, "Tune this..."')
        self.status.setWordWrap(True)
        controls = QHBoxLayout()
        for widget in (
            self.trials,
            self.folds,
            self.start_button,
            self.stop_button,
            self.apply_button,
            self.cv_button,
            self.seeds,
            self.seeds_button,
        ):
            controls.addWidget(widget)
        controls.addWidget(self.status, 1)

        self.table = QTableWidget(0, 0)
        self.table.setSortingEnabled(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.cellDoubleClicked.connect(self._open_row)
        self.plots = QTabWidget()
        self.history_plot = self._plot("History", "trial", "objective")
        self.parallel_plot = self._plot("Parallel coordinates", "", "scaled value")
        self.importance_plot = self._plot("Importance", "importance", "")
        self.intermediate_plot = self._plot("Intermediate values", "step", "objective")
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(self.plots)
        splitter.setSizes([520, 880])
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(splitter, 1)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        if document is not None:
            self.set_document(document)

    def _plot(self, title: str, x: str, y: str) -> pg.PlotWidget:
        plot = pg.PlotWidget(background="w")
        plot.addLegend(offset=(-10, 10))
        plot.setLabel("bottom", x)
        plot.setLabel("left", y)
        plot.showGrid(x=True, y=True, alpha=0.2)
        for side in ("left", "bottom"):
            plot.getAxis(side).enableAutoSIPrefix(False)  # accuracies, not "x0.001"
        self.plots.addTab(plot, title)
        return plot

    def set_document(self, document) -> None:
        if self._watching:  # the last project's edits no longer concern this tab
            self.document.settings_changed.disconnect(self._settings_changed)
        self.document = document
        document.settings_changed.connect(self._settings_changed)
        self._watching = True
        self.study = None
        self._say(space_text(document.project.tuning or {}))
        trials = (document.project.tuning or {}).get("trials") if document else None
        if isinstance(trials, int):
            self.trials.setValue(trials)
        self.refresh()

    # where the study lives -----------------------------------------------------------------
    def runs_root(self) -> Path:
        from .files import data_dir

        path = getattr(self.document, "path", None)
        return Path(path).parent / "runs" if path else data_dir() / "runs"

    def storage_path(self) -> Path:
        from neurocanvas.engine.tune.study import default_storage_path

        return default_storage_path(self.document.project, self.runs_root())

    def study_name(self) -> str:
        from neurocanvas.engine.tune.study import slug

        return slug(self.document.project.name)

    # the search ------------------------------------------------------------------------------
    def start(self) -> bool:
        """Run `neurocanvas tune` on a snapshot of the project; False (and a message) when the
        search space is not usable."""
        from neurocanvas.engine.tune.space import TuningError, check_tuning, tuning_from_dict

        project = self.document.project
        try:
            config = tuning_from_dict(project.tuning or {})
            if not config.dimensions:
                raise TuningError('nothing to search yet: right-click a parameter, "Tune this..."')
            check_tuning(config, project.graph, project.training)
        except TuningError as error:
            self._say(f"Cannot search: {error}")
            return False
        root = self.runs_root()
        snapshot = self._snapshot()
        args = ["tune", str(snapshot), "--runs", str(root), "--study", self.study_name()]
        args += ["--storage", str(self.storage_path()), "--trials", str(self.trials.value())]
        if self.folds.value() > 1:
            args += ["--folds", str(self.folds.value())]
        self._run(args)
        self._say(f"Searching ({self.trials.value()} trials)...")
        self.timer.start()
        return True

    def _snapshot(self) -> Path:
        from neurocanvas.engine import project as project_io

        root = self.runs_root()
        root.mkdir(parents=True, exist_ok=True)
        snapshot = root / f"{self.study_name()}-tuning-project.json"
        project_io.save(self.document.project, snapshot)
        return snapshot

    def _run(self, args: list[str], on_done=None) -> None:
        from neurocanvas.engine.tune.cli_commands import CLI

        self.process = QProcess(self)
        self.process.setProcessChannelMode(QProcess.ProcessChannelMode.SeparateChannels)
        self.process.finished.connect(on_done or self._finished)
        self.process.start(sys.executable, ["-c", CLI, *args])
        for button in (self.start_button, self.cv_button, self.seeds_button):
            button.setEnabled(False)
        self.stop_button.setEnabled(True)

    def cross_validate(self) -> None:
        """`neurocanvas cv` on the project as it is; every fold and the mean +- std in the table."""
        folds = self.folds.value() if self.folds.value() > 1 else 5
        snapshot = self._snapshot()
        args = ["cv", str(snapshot), "--folds", str(folds), "--runs", str(self.runs_root())]
        self._run([*args, "--json"], on_done=self._reported("Cross-validation", self.show_cv))
        self._say(f"Cross-validating ({folds} folds)...")

    def repeat_seeds(self) -> None:
        """`neurocanvas train --seeds N` on the project as it is, into a seeds folder of the
        project's runs (the Runs tab lists its runs)."""
        from datetime import datetime

        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        out = self.runs_root() / f"{self.study_name()}-seeds-{stamp}"
        count = self.seeds.value()
        args = ["train", str(self._snapshot()), "--seeds", str(count), "--out", str(out)]
        self._run([*args, "--json"], on_done=self._reported("The seeded runs", self._seeded))
        self._say(f"Training with {count} seeds...")

    def _reported(self, what: str, show):
        """A process's `finished` slot: its last JSON line to `show`, or why it stopped."""

        def finished(code: int, _status) -> None:
            import json

            out = bytes(self.process.readAllStandardOutput()).decode(errors="replace").strip()
            err = bytes(self.process.readAllStandardError()).decode(errors="replace").strip()
            self._idle()
            if code != 0 or not out:
                self._say(f"{what} stopped: {(err or out).splitlines()[-1:] or code}")
                return
            show(json.loads(out.splitlines()[-1]))

        return finished

    def show_cv(self, report: dict) -> None:
        """Each fold's held-out metrics and a last row of mean +- std (cv --json's report)."""
        folds = report["seeds"][0]["folds"]
        rows = [(fold["fold"], fold, fold.get("run_dir")) for fold in folds]
        key = self._fill_summary("Fold", rows, report)
        self._say(
            f"{len(folds)}-fold cross-validation ({report['kind']} folds): {key} "
            f"{report['mean'][key]:.4f} +- {report['std'][key]:.4f}"
        )

    def _seeded(self, report: dict) -> None:
        self.show_seeds(report)
        self.seeds_written.emit()

    def show_seeds(self, report: dict) -> None:
        """Each seed's test figures and a last row of mean +- std (train --seeds --json)."""
        runs = report["seeds"]
        rows = [(run["seed"], run["test"], run.get("run_dir")) for run in runs]
        key = self._fill_summary("Seed", rows, report)
        self._say(
            f"{len(runs)} seeds: test {key} {report['mean'][key]:.4f} +- "
            f"{report['std'][key]:.4f} (Runs lists them: tick them and Seed bands)"
        )

    def _fill_summary(self, first: str, rows: list, report: dict) -> str:
        """The table: one row per (label, metrics, run folder), then mean +- std; returns the
        metric to quote (accuracy when there is one)."""
        names = [k for k in report["mean"] if k in rows[0][1]]
        self.table.setSortingEnabled(False)
        self.table.setColumnCount(len(names) + 1)
        self.table.setHorizontalHeaderLabels([first, *names])
        self.table.setRowCount(len(rows) + 1)
        for i, (label, metrics, run_dir) in enumerate(rows):
            for j, value in enumerate([label, *[metrics[n] for n in names]]):
                item = QTableWidgetItem()
                item.setData(Qt.ItemDataRole.DisplayRole, _shown(value))
                item.setData(Qt.ItemDataRole.UserRole, run_dir)
                self.table.setItem(i, j, item)
        summary = ["mean +- std"] + [
            f"{report['mean'][n]:.4f} +- {report['std'][n]:.4f}" for n in names
        ]
        for j, text in enumerate(summary):
            self.table.setItem(len(rows), j, QTableWidgetItem(text))
        return "accuracy" if "accuracy" in names else names[0]

    def _idle(self) -> None:
        self.timer.stop()
        self.start_button.setEnabled(True)
        self.seeds_button.setEnabled(True)
        self.cv_button.setEnabled(True)
        self.stop_button.setEnabled(False)

    def stop(self) -> None:
        if self.process is not None and self.process.state() != QProcess.ProcessState.NotRunning:
            self.process.terminate()  # the unclaimed trials stay queued: Start resumes them

    def _finished(self, code: int, _status) -> None:
        output = bytes(self.process.readAllStandardError()).decode(errors="replace").strip()
        self._idle()
        self.refresh()
        if code != 0:
            last = output.splitlines()[-1] if output else f"exit status {code}"
            self._say(f"The search stopped: {last}")

    def running(self) -> bool:
        return self.process is not None and self.process.state() != QProcess.ProcessState.NotRunning

    # reading it back -------------------------------------------------------------------------
    def refresh(self) -> None:
        if self.document is None or not self.storage_path().is_file():
            return
        from neurocanvas.engine.tune.report import importances, study_report

        try:
            study = self._load_study()
        except KeyError:  # the study is not created yet
            return
        self.report = study_report(study)
        self._fill_table()
        self._draw(importances(study))
        best = self.report.best()
        self.apply_button.setEnabled(best is not None)
        counts = {s: sum(r.state == s for r in self.report.rows) for s in _STATE_COLOURS}
        text = ", ".join(f"{n} {s}" for s, n in counts.items())
        if best is not None:
            text += f"; best: trial {best.number}, {best.value:.4f}"
        self._say(text)

    def _load_study(self):
        import optuna
        from neurocanvas.engine.tune.study import make_storage

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        storage = make_storage(self.storage_path())
        return optuna.load_study(study_name=self.study_name(), storage=storage)

    def _fill_table(self) -> None:
        names = self.report.param_names
        headers = ["Trial", "State", "Value", *names, "Seconds"]
        self.table.setSortingEnabled(False)
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        rows = [r for r in self.report.rows if r.state in _STATE_COLOURS or r.state == "running"]
        self.table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            cells = [row.number, row.state, row.value, *[row.params.get(n) for n in names]]
            for j, value in enumerate([*cells, row.seconds]):
                item = QTableWidgetItem()
                item.setData(Qt.ItemDataRole.DisplayRole, _shown(value))
                item.setData(Qt.ItemDataRole.UserRole, row.run_dir)
                self.table.setItem(i, j, item)
        self.table.setSortingEnabled(True)

    def _draw(self, importance: dict[str, float]) -> None:
        draw_study(self, self.report, importance)

    def _open_row(self, row: int, _column: int) -> None:
        item = self.table.item(row, 0)
        run_dir = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if run_dir:
            self.run_opened.emit(str(run_dir))

    # the best trial into the project ---------------------------------------------------------
    def apply_best(self) -> bool:
        from neurocanvas.engine.tune.space import tuning_from_dict

        best = self.report.best() if self.report is not None else None
        if best is None:
            return False
        config = tuning_from_dict(self.document.project.tuning or {})
        return apply_values_as_one_edit(self.document, config, best.params, best.number)

    def _settings_changed(self, section: str) -> None:
        """A "Tune this..." edit (or its undo): say what the search now covers."""
        if section == "tuning" and not self.running():
            self._say(space_text(self.document.project.tuning or {}))

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self.status_message.emit(text)


def apply_values_as_one_edit(document, config, values: dict, number: int | None = None) -> bool:
    """Set each tuned value in the document (node parameters and training settings) inside one
    undo macro: one Undo reverts them all."""
    from neurocanvas.engine.tune.values import set_setting

    known = {d.key: d for d in config.dimensions}
    chosen = {k: v for k, v in values.items() if k in known}
    if not chosen:
        return False
    stack = document.undo_stack
    stack.beginMacro("Apply best trial" + (f" {number}" if number is not None else ""))
    try:
        training = dict(document.settings("training"))
        for key, value in chosen.items():
            dimension = known[key]
            if dimension.setting is not None:
                training = set_setting(training, dimension.setting, value)
            elif dimension.node in document.project.graph.nodes:  # the main network's
                document.set_param(
                    dimension.node, dimension.param, value, graph=document.main_graph
                )
        document.set_settings("training", training, "Apply best trial")
    finally:
        stack.endMacro()
    return True


def _shown(value):
    if isinstance(value, float):
        return round(value, 6)
    return value if value is not None else ""
