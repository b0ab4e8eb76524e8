"""Runs: every run of the project, from earlier sessions too (read from its run folders), with its
settings, curves and result. Tick runs to overlay a curve of theirs (any metric they recorded:
validation loss by default, accuracy, MAE, learning rate...), smoothed and on a log scale if
wished; open a run's best checkpoint in "Try it"."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

COLUMNS = ["Run", "Started", "Settings", "Epochs", "Result", "Checkpoint"]
STARTED, SETTINGS, EPOCHS, RESULT, CHECKPOINT = 1, 2, 3, 4, 5
COLORS = ("#2563eb", "#ea580c", "#16a34a", "#9333ea", "#dc2626", "#0891b2", "#ca8a04")


class RunsView(QWidget):
    open_checkpoint = Signal(str)
    open_tensorboard = Signal(str)  # a run's tensorboard/ folder

    def __init__(self, parent=None):
        super().__init__(parent)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.setRootIsDecorated(False)
        header = self.tree.header()
        header.setStretchLastSection(True)  # the checkpoint path takes what is left
        for column in range(len(COLUMNS) - 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.itemChanged.connect(lambda _item, _col: self.redraw())
        self.tree.itemSelectionChanged.connect(self._update_open_button)
        self.open_button = QPushButton("Open best checkpoint in Try it")
        self.open_button.clicked.connect(self._open)
        self.tensorboard_button = QPushButton("Open in TensorBoard")
        self.tensorboard_button.clicked.connect(self._open_tensorboard)
        self.plot = pg.PlotWidget(background="w")
        self.plot.setLabel("bottom", "epoch")
        self.plot.addLegend(offset=(-10, 10))
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.plot.getAxis("left").setStyle(maxTickLevel=0)  # log axes: no crowded minor labels
        # What the plot compares: a metric of the runs, its smoothing, a log scale.
        self.metric_choice = QComboBox()
        self.metric_choice.setToolTip("The curve of each ticked run to compare")
        self.metric_choice.currentIndexChanged.connect(lambda _i: self.redraw())
        self.smoothing = QDoubleSpinBox()
        self.smoothing.setRange(0.0, 0.95)
        self.smoothing.setSingleStep(0.1)
        self.smoothing.setDecimals(2)
        self.smoothing.setToolTip(
            "Exponential smoothing of the curves: 0 shows them as recorded, 0.9 very smooth"
        )
        self.smoothing.valueChanged.connect(lambda _v: self.redraw())
        self.log_scale = QCheckBox("Log scale")
        self.log_scale.setToolTip("A logarithmic y-axis: small differences between low losses show")
        self.log_scale.toggled.connect(lambda _on: self.redraw())
        self.seed_bands = QCheckBox("Seed bands")
        self.seed_bands.setToolTip(
            "Ticked runs of the same settings but other seeds: their mean curve and a +-1 std band"
        )
        self.seed_bands.toggled.connect(lambda _on: self.redraw())
        self.seed_summary = QLabel()
        self.seed_summary.setWordWrap(True)
        from ..wheel_guard import guard_wheel

        guard_wheel(self.metric_choice, self.smoothing)
        buttons = QHBoxLayout()
        buttons.addWidget(QLabel("Compare"))
        buttons.addWidget(self.metric_choice)
        buttons.addWidget(QLabel("smoothing"))
        buttons.addWidget(self.smoothing)
        buttons.addWidget(self.log_scale)
        buttons.addWidget(self.seed_bands)
        buttons.addStretch(1)
        buttons.addWidget(self.tensorboard_button)
        buttons.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.plot, 2)
        layout.addWidget(self.seed_summary)
        self.runs: list[dict] = []
        self._update_open_button()

    def show_past(self, runs: list[dict]) -> None:
        """Replace the list with runs read from disk (`run_index.list_runs`), oldest first; the
        newest run with curves is ticked."""
        self.tree.clear()
        self.runs = []
        for past in runs:
            self._add_past(past)
        with_curves = [run for run in self.runs if run["history"]]
        if with_curves:
            self._set_checked(with_curves[-1], True)
        self.redraw()
        self._update_open_button()

    def add_past(self, past: dict) -> None:
        """Add one run read from disk (a tuning trial's, say) and tick it."""
        run = self._add_past(past)
        self._set_checked(run, True)
        self.redraw()
        self._update_open_button()

    def _add_past(self, past: dict) -> dict:
        run = self._add(past["project"], "", past["run_dir"])
        result = past.get("result")
        if result is None:
            text, epochs = "interrupted", len(past["history"])
        elif result.get("event") == "RunFailed":
            text, epochs = failed_text(result), len(past["history"])
        else:
            text = finished_text(result, planned_epochs(past["project"]))
            epochs = result.get("epochs_run", 0)
        self._fill(run, past["history"], past["checkpoint"], text, epochs)
        return run

    def begin_run(self, project: dict) -> None:
        checked = sum(run["item"].checkState(0) == Qt.CheckState.Checked for run in self.runs)
        run = self._add(project, "running…")
        # The new run is compared with the one ticked before it; more would crowd the plot.
        self._set_checked(run, checked < 2)
        self._update_open_button()

    def run_started(self, started: dict) -> None:
        if self.runs:
            self.runs[-1]["run_dir"] = started.get("run_dir")
            self.runs[-1]["item"].setToolTip(0, started.get("run_dir") or "")

    def run_finished(self, finished: dict, history: list[dict]) -> None:
        epochs = finished.get("epochs_run", len(history))
        planned = planned_epochs(self.runs[-1]["project"]) if self.runs else None
        self._end(history, finished.get("checkpoint"), finished_text(finished, planned), epochs)

    def run_failed(self, failed: dict, history: list[dict]) -> None:
        self._end(history, failed.get("checkpoint"), failed_text(failed), len(history))

    def _add(self, project: dict, result: str, run_dir: str | None = None) -> dict:
        run = {
            "name": f"run {len(self.runs) + 1}",
            "settings": settings_text(project),
            "history": [],
            "checkpoint": None,
            "project": project,
            "run_dir": run_dir,
        }
        self.runs.append(run)
        item = QTreeWidgetItem(
            [run["name"], started_text(run_dir), run["settings"], "", result, ""]
        )
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(0, Qt.CheckState.Unchecked)
        item.setToolTip(0, run_dir or "")
        self.tree.blockSignals(True)
        self.tree.addTopLevelItem(item)
        self.tree.blockSignals(False)
        run["item"] = item
        return run

    def _set_checked(self, run: dict, checked: bool) -> None:
        self.tree.blockSignals(True)
        run["item"].setCheckState(0, Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.tree.blockSignals(False)

    def _end(self, history, checkpoint, result: str, epochs: int) -> None:
        if self.runs:
            run = self.runs[-1]
            self._fill(run, history, checkpoint, result, epochs)
            if not history:  # nothing to draw (failed before its first epoch)
                self._set_checked(run, False)
            self.redraw()
            self._update_open_button()

    def _fill(self, run: dict, history, checkpoint, result: str, epochs: int) -> None:
        run["history"], run["checkpoint"] = list(history), checkpoint
        item = run["item"]
        self.tree.blockSignals(True)
        item.setText(EPOCHS, str(epochs))
        item.setText(RESULT, result)
        item.setText(CHECKPOINT, checkpoint or "")
        self.tree.blockSignals(False)

    def ticked(self) -> list[dict]:
        return [
            run
            for run in self.runs
            if run["item"].checkState(0) == Qt.CheckState.Checked and run["history"]
        ]

    def _fill_metrics(self, runs: list[dict]) -> str | None:
        """Offer every metric the ticked runs recorded; keep the choice while it is there."""
        keys: list[str] = []
        for run in runs:
            for entry in run["history"]:
                keys += [k for k in entry if k not in keys]
        keys.sort(key=lambda k: (k not in ("val_loss", "loss"), not k.startswith("val_"), k))
        current = self.metric_choice.currentData()
        if [self.metric_choice.itemData(i) for i in range(self.metric_choice.count())] != keys:
            self.metric_choice.blockSignals(True)
            self.metric_choice.clear()
            for key in keys:
                self.metric_choice.addItem(metric_label(key), key)
            index = keys.index(current) if current in keys else 0
            self.metric_choice.setCurrentIndex(index if keys else -1)
            self.metric_choice.blockSignals(False)
        return self.metric_choice.currentData()

    def redraw(self) -> None:
        self.plot.clear()
        runs = self.ticked()
        key = self._fill_metrics(runs)
        log = self.log_scale.isChecked()
        self.plot.setLogMode(y=log)
        self.plot.setLabel("left", metric_label(key) if key else "")
        self.plot.setTitle(
            f"{metric_label(key).capitalize() if key else 'Curves'} of the ticked runs"
            + (f", smoothed {self.smoothing.value():g}" if self.smoothing.value() else ""),
            size="11pt",
        )
        self.curves: dict[str, list[float]] = {}  # drawn y values per run name (for tests)
        self.seed_summary.clear()
        banded = self._draw_seed_bands(runs, key) if self.seed_bands.isChecked() else set()
        for index, run in enumerate(self.runs):
            if run not in runs or key is None or run["name"] in banded:
                continue
            xs = list(range(1, len(run["history"]) + 1))
            ys = smooth([h.get(key, float("nan")) for h in run["history"]], self.smoothing.value())
            if log:  # a log axis has no place for zero or below
                ys = [y if y > 0 else float("nan") for y in ys]
            self.curves[run["name"]] = ys
            self.plot.plot(
                xs,
                ys,
                name=f"{run['name']}: {run['settings']}",
                connect="finite",
                pen=pg.mkPen(COLORS[index % len(COLORS)], width=2),
            )

    def _draw_seed_bands(self, runs: list[dict], key: str | None) -> set[str]:
        """Groups of ticked runs that differ only in their seed: a mean curve and a +-1 std band
        each; the summary says whether two groups' last values differ beyond the seed noise.
        Returns the names of the runs drawn so."""
        from neurocanvas.engine.training.seeds import compare, seed_curves

        groups: dict[str, list[dict]] = {}
        for run in runs:
            groups.setdefault(seedless_key(run["project"]), []).append(run)
        groups = {k: g for k, g in groups.items() if len(g) > 1}
        if key is None or not groups:
            return set()
        finals = []
        for index, group in enumerate(groups.values()):
            epochs, mean, std = seed_curves([run["history"] for run in group], key)
            colour = pg.mkColor(COLORS[index % len(COLORS)])
            label = f"{len(group)} seeds: {group[0]['settings']}"
            self.plot.plot(epochs, mean, name=label, pen=pg.mkPen(colour, width=2))
            self.curves[label] = list(mean)
            edge = pg.mkColor(colour)
            edge.setAlpha(90)
            upper = pg.PlotCurveItem(epochs, mean + std, pen=pg.mkPen(edge))
            lower = pg.PlotCurveItem(epochs, mean - std, pen=pg.mkPen(edge))
            colour.setAlpha(50)
            for item in (upper, lower, pg.FillBetweenItem(upper, lower, brush=colour)):
                self.plot.addItem(item)
            finals.append([run["history"][-1].get(key) for run in group if run["history"]])
        if len(finals) >= 2:
            verdict = compare(finals[0], finals[1], metric=f"last {metric_label(key)}")
            self.seed_summary.setText(verdict.text)
        return {run["name"] for group in groups.values() for run in group}

    def _chosen(self) -> dict | None:
        """The selected run, or the newest when none is selected."""
        items = self.tree.selectedItems()
        if not items:
            return self.runs[-1] if self.runs else None
        return next((run for run in self.runs if run["item"] is items[0]), None)

    def _update_open_button(self) -> None:
        run = self._chosen()
        logs = self.tensorboard_folder()
        self.tensorboard_button.setEnabled(logs is not None)
        self.tensorboard_button.setToolTip(
            f"Start TensorBoard on this computer only (loopback) for {logs}"
            if logs
            else "This run has no TensorBoard logs: tick 'TensorBoard logs' in Training"
        )
        has = bool(run and run["checkpoint"])
        self.open_button.setEnabled(has)
        self.open_button.setToolTip(
            ""
            if has or run is None
            else f"{run['name']} has no checkpoint (checkpoints were off, "
            "or it failed before its first epoch)"
        )

    def tensorboard_folder(self) -> Path | None:
        """The chosen run's tensorboard/ folder, when it wrote TensorBoard logs."""
        run = self._chosen()
        folder = Path(run["run_dir"]) / "tensorboard" if run and run.get("run_dir") else None
        return folder if folder is not None and folder.is_dir() else None

    def _open_tensorboard(self) -> None:
        folder = self.tensorboard_folder()
        if folder is not None:
            self.open_tensorboard.emit(str(folder))

    def _open(self) -> None:
        run = self._chosen()
        if run and run["checkpoint"]:
            self.open_checkpoint.emit(run["checkpoint"])


def metric_label(key: str) -> str:
    """ "val_loss" -> "validation loss", "mae" -> "training mae", "lr" -> "learning rate"."""
    if key == "lr":
        return "learning rate"
    if key.startswith("val_"):
        return f"validation {key[4:].replace('_', ' ')}"
    return f"training {key.replace('_', ' ')}"


def smooth(values: list[float], weight: float) -> list[float]:
    """Exponential moving average (TensorBoard's smoothing); missing values stay missing."""
    out, last = [], None
    for value in values:
        if value is None or value != value:  # NaN
            out.append(float("nan"))
            continue
        last = value if last is None else weight * last + (1 - weight) * value
        out.append(last)
    return out


def settings_text(project: dict) -> str:
    training = project.get("training") or {}
    optimizer = training.get("optimizer") or {}
    return (
        f"{optimizer.get('type', 'Adam')} lr {optimizer.get('lr', 0.001):g}, "
        f"batch {training.get('batch_size', 32)}"
    )


def seedless_key(project: dict) -> str:
    """What two runs of the same configuration share: their project without the seed."""
    import json

    training = dict(project.get("training") or {})
    training.pop("seed", None)
    data = {k: v for k, v in project.items() if k not in ("training", "name", "description")}
    return json.dumps({"training": training, **data}, sort_keys=True, default=str)


# How a run ended (RunFinished.stopped), in words.
ENDINGS = {
    "completed": "all epochs",
    "user": "stopped by you",
    "terminated": "terminated",
    "early_stopping": "early stopping",
}
FAILED = {"nan": "failed: loss became NaN", "oom": "failed: out of memory"}


def finished_text(finished: dict, planned_epochs: int | None = None) -> str:
    """The test score, and how the run ended when it did not run all its epochs."""
    metrics = finished.get("test") or {}
    key = "accuracy" if "accuracy" in metrics else "loss"
    value = metrics.get(key)
    parts = [f"{key} {value:.4g}"] if isinstance(value, float) else []
    stopped = finished.get("stopped", "completed")
    if stopped != "completed" and stopped in ENDINGS:
        at = finished.get("epochs_run", 0)
        ending = ENDINGS[stopped]
        parts.append(f"{ending} at {at}/{planned_epochs}" if planned_epochs else ending)
    return " · ".join(parts) or stopped


def failed_text(failed: dict) -> str:
    return FAILED.get(failed.get("kind", ""), "failed")


def planned_epochs(project: dict) -> int | None:
    epochs = (project.get("training") or {}).get("epochs")
    return epochs if isinstance(epochs, int) else None


def started_text(run_dir: str | None) -> str:
    """When a run started, from its folder's name (…-20261125-093105-123); now for a new run."""
    match = re.search(r"(\d{8}-\d{6})-\d{3}$", Path(run_dir).name) if run_dir else None
    when = datetime.strptime(match.group(1), "%Y%m%d-%H%M%S") if match else datetime.now()
    return when.strftime("%d %b %H:%M")
