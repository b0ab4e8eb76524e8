"""Runs: every run of this session with its settings, curves and result. Tick runs to overlay
their validation (or training) loss curves; open a run's best checkpoint in "Try it"."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

COLORS = ("#2563eb", "#ea580c", "#16a34a", "#9333ea", "#dc2626", "#0891b2", "#ca8a04")


class RunsView(QWidget):
    open_checkpoint = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Run", "Settings", "Epochs", "Result", "Checkpoint"])
        self.tree.setRootIsDecorated(False)
        self.tree.itemChanged.connect(lambda _item, _col: self.redraw())
        self.open_button = QPushButton("Open best checkpoint in Try it")
        self.open_button.clicked.connect(self._open)
        self.plot = pg.PlotWidget(background="w")
        self.plot.setTitle("Validation loss of the ticked runs", size="11pt")
        self.plot.setLabel("bottom", "epoch")
        self.plot.addLegend(offset=(-10, 10))
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.plot, 2)
        self.runs: list[dict] = []

    def begin_run(self, project: dict) -> None:
        training = project.get("training") or {}
        optimizer = training.get("optimizer") or {}
        settings = (
            f"{optimizer.get('type', 'Adam')} lr {optimizer.get('lr', 0.001):g}, "
            f"batch {training.get('batch_size', 32)}"
        )
        run = {
            "name": f"run {len(self.runs) + 1}",
            "settings": settings,
            "history": [],
            "checkpoint": None,
            "project": project,
        }
        self.runs.append(run)
        item = QTreeWidgetItem([run["name"], settings, "", "running…", ""])
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(
            0, Qt.CheckState.Checked if len(self.runs) <= 2 else Qt.CheckState.Unchecked
        )
        self.tree.blockSignals(True)
        self.tree.addTopLevelItem(item)
        self.tree.blockSignals(False)
        run["item"] = item

    def run_started(self, started: dict) -> None:
        if self.runs:
            self.runs[-1]["run_dir"] = started.get("run_dir")

    def run_finished(self, finished: dict, history: list[dict]) -> None:
        metrics = finished.get("test") or {}
        key = "accuracy" if "accuracy" in metrics else "loss"
        value = metrics.get(key)
        self._end(
            history,
            finished.get("checkpoint"),
            f"{key} {value:.4g}" if isinstance(value, float) else finished.get("stopped", ""),
            finished.get("epochs_run", len(history)),
        )

    def run_failed(self, failed: dict, history: list[dict]) -> None:
        self._end(
            history, failed.get("checkpoint"), f"failed: {failed.get('kind', '')}", len(history)
        )

    def _end(self, history, checkpoint, result: str, epochs: int) -> None:
        if not self.runs:
            return
        run = self.runs[-1]
        run["history"], run["checkpoint"] = list(history), checkpoint
        item = run["item"]
        self.tree.blockSignals(True)
        item.setText(2, str(epochs))
        item.setText(3, result)
        item.setText(4, checkpoint or "")
        self.tree.blockSignals(False)
        self.redraw()

    def redraw(self) -> None:
        self.plot.clear()
        for index, run in enumerate(self.runs):
            if run["item"].checkState(0) != Qt.CheckState.Checked or not run["history"]:
                continue
            key = "val_loss" if "val_loss" in run["history"][0] else "loss"
            xs = list(range(1, len(run["history"]) + 1))
            ys = [h.get(key, float("nan")) for h in run["history"]]
            self.plot.plot(
                xs,
                ys,
                name=f"{run['name']} ({key})",
                connect="finite",
                pen=pg.mkPen(COLORS[index % len(COLORS)], width=2),
            )

    def _open(self) -> None:
        items = self.tree.selectedItems() or [r["item"] for r in self.runs[-1:]]
        for run in self.runs:
            if run["item"] in items and run["checkpoint"]:
                self.open_checkpoint.emit(run["checkpoint"])
                return
