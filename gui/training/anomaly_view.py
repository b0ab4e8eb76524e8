"""The Anomalies tab: an autoencoder's reconstruction error for each test row as a histogram
(rows of the data's normal class and the others in their own colours when the labels are
known), a threshold line (a percentile of the training rows' errors, or dragged by hand) and
how many rows it flags. A row the autoencoder reconstructs badly is unlike the rows it learnt.

The errors come after the run from the training process (`Results.anomaly`, made by
engine/training/anomaly.py's `anomaly_report`); this view only counts and draws.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from neurocanvas.engine.training.anomaly import (
    DEFAULT_PERCENTILE,
    flag_counts,
    percentile_threshold,
)
from PySide6.QtWidgets import QDoubleSpinBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from .plots import make_plot

BINS = 40
NORMAL_COLOR, OTHER_COLOR, ALL_COLOR = (37, 99, 235), (234, 88, 12), (71, 85, 105)
LINE_COLOR = "#dc2626"


def histogram(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    return np.histogram(np.asarray(values, dtype=np.float64), bins=edges)[0].astype(np.float64)


class AnomalyView(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.status = QLabel(
            "Train an autoencoder to see which rows it reconstructs badly (the data's "
            "normal_class: train on the normal rows only)."
        )
        self.status.setWordWrap(True)
        self.plot = make_plot("Reconstruction error of each test row", "rows", "error (MSE)")
        self.curves = {
            "normal": self._bars("rows of the normal class", NORMAL_COLOR),
            "other": self._bars("rows of other classes", OTHER_COLOR),
            "all": self._bars("test rows", ALL_COLOR),
        }
        self.line = pg.InfiniteLine(angle=90, movable=True, pen=pg.mkPen(LINE_COLOR, width=2))
        self.line.sigPositionChanged.connect(self._line_moved)
        self.plot.addItem(self.line)
        self.percentile = QDoubleSpinBox()
        self.percentile.setRange(50.0, 100.0)
        self.percentile.setDecimals(1)
        self.percentile.setSingleStep(1.0)
        self.percentile.setValue(DEFAULT_PERCENTILE)
        self.percentile.setToolTip(
            "The threshold: this share of the training rows' errors lies below it (drag the "
            "red line to set one by hand)"
        )
        self.percentile.valueChanged.connect(self._percentile_changed)
        self.counts = QLabel()
        self.counts.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(QLabel("Threshold at the"))
        row.addWidget(self.percentile)
        row.addWidget(QLabel("percentile of the training rows' errors"))
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addLayout(row)
        layout.addWidget(self.counts)
        layout.addWidget(self.plot, 1)
        self._moving = False
        self.reset()

    def _bars(self, name: str, color: tuple[int, int, int]):
        return self.plot.plot(
            [0, 1],
            [0],
            stepMode="center",
            fillLevel=0,
            brush=pg.mkBrush(*color, 110),
            pen=pg.mkPen(color, width=1.5),
            name=name,
        )

    # data in ---------------------------------------------------------------------------------
    def reset(self) -> None:
        self.report: dict | None = None
        for item in self.curves.values():
            item.setData([0, 1], [0])
            item.hide()
        self.line.hide()
        self.counts.clear()
        self.plot.getPlotItem().legend.clear()

    def show_results(self, results) -> None:
        report = getattr(results, "anomaly", None)
        if report is None or not len(report["errors"]):
            return
        self.report = report
        errors, labels = np.asarray(report["errors"]), report.get("labels")
        names = report.get("class_names") or []
        normal = report.get("normal_class")
        self.normal = names.index(normal) if normal in names and labels is not None else None
        top = float(max(errors.max(), np.asarray(report["train_errors"]).max()))
        edges = np.linspace(0.0, top * 1.02 or 1.0, BINS + 1)
        groups = {"all": errors} if self.normal is None else {
            "normal": errors[np.asarray(labels) == self.normal],
            "other": errors[np.asarray(labels) != self.normal],
        }  # fmt: skip
        legend = self.plot.getPlotItem().legend
        legend.clear()  # only the groups drawn (none for one histogram of every row)
        for name, item in self.curves.items():
            item.setVisible(name in groups)
            if name in groups:
                item.setData(edges, histogram(groups[name], edges))
                if name != "all":
                    legend.addItem(item, item.name())
        self.status.setText(
            f"{len(errors)} {report['split']} rows after the run"
            + (f"; the autoencoder learnt rows of class {normal} only" if normal else "")
        )
        self.line.show()
        self._percentile_changed(self.percentile.value())

    # the threshold -----------------------------------------------------------------------------
    def threshold(self) -> float:
        return float(self.line.value())

    def _percentile_changed(self, value: float) -> None:
        if self.report is None:
            return
        self._moving = True
        try:
            self.line.setValue(percentile_threshold(self.report["train_errors"], value))
        finally:
            self._moving = False
        self._show_counts(f"the {value:g}th percentile of the training rows' errors")

    def _line_moved(self) -> None:
        if self.report is None or self._moving:
            return
        train = np.asarray(self.report["train_errors"])
        below = float((train <= self.threshold()).mean() * 100)
        self._show_counts(f"set by hand; {below:.0f}% of the training rows' errors lie below")

    def _show_counts(self, how: str) -> None:
        report = self.report
        self.flags = flag_counts(report["errors"], self.threshold(), report["labels"], self.normal)
        flags = self.flags
        text = (
            f"Threshold <b>{self.threshold():.4g}</b> ({how}): <b>{flags['flagged']}</b> of "
            f"{flags['rows']} {report['split']} rows flagged"
        )
        if "anomalies" in flags:
            normal = report["class_names"][self.normal]
            text += (
                f" · of the {flags['anomalies']} rows not of class {normal}, "
                f"<b>{flags['anomalies_flagged']}</b> flagged; of the "
                f"{flags['rows'] - flags['anomalies']} {normal} rows, "
                f"<b>{flags['normal_flagged']}</b> flagged"
            )
        self.counts.setText(text)
