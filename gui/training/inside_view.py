"""Inside: look into a finished run's model (engine/inspect/render.py draws each view) -
feature maps, filters, saliency / Integrated Gradients / Grad-CAM over the input, activation
statistics and the projector (a pyqtgraph scatter; hovering a point shows the sample and its
prediction). Each view exports its picture (PNG) and numbers (CSV). Reached from the tab, and
from a layer's context menu on the canvas (`show_view`)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from neurocanvas.engine.inspect.render import VIEWS, default_node, layers, render
from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..background import BackgroundTask, run_in_background
from .results import pixmap_from_array

IDLE = "Views inside the trained model (feature maps, filters, Grad-CAM, projector) appear here once a run has a checkpoint."
PALETTE = [pg.intColor(k, hues=10) for k in range(10)]


def _load(path: str):
    from neurocanvas.engine.inspect.source import load_run_checkpoint

    return load_run_checkpoint(path)


class InsideView(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.inspected = None
        self.source: str | None = None  # the checkpoint loaded or loading
        self.wanted: str | None = None  # the checkpoint to show
        self.task: BackgroundTask | None = None
        self.rendered = None
        self.pending: tuple | None = None  # (view, node, sample) asked for while loading
        self.caption = QLabel(IDLE)
        self.caption.setWordWrap(True)
        self.view_box = QComboBox()
        for key, title in VIEWS.items():
            self.view_box.addItem(title, key)
        self.layer_box = QComboBox()
        self.sample_box = QSpinBox()
        self.sample_box.setPrefix("sample ")
        self.export_png = QPushButton("Export PNG…")
        self.export_csv = QPushButton("Export CSV…")
        row = QHBoxLayout()
        for widget in (self.view_box, self.layer_box, self.sample_box):
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(self.export_png)
        row.addWidget(self.export_csv)
        self.picture = QLabel()
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        scroll = QScrollArea()
        scroll.setWidget(self.picture)
        scroll.setWidgetResizable(True)
        self.table = QTableWidget()
        self.scatter_plot = pg.PlotWidget(background="w")
        self.scatter = pg.ScatterPlotItem(size=7, hoverable=True, tip=self._tip)
        self.scatter_plot.addItem(self.scatter)
        self.legend = self.scatter_plot.addLegend(offset=(10, 10))
        self.pages = QStackedWidget()
        for page in (scroll, self.table, self.scatter_plot):
            self.pages.addWidget(page)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.caption)
        layout.addWidget(self.pages, 1)
        self.view_box.currentIndexChanged.connect(self._view_changed)
        self.layer_box.currentIndexChanged.connect(self.refresh)
        self.sample_box.valueChanged.connect(self.refresh)
        self.export_png.clicked.connect(
            lambda: self.save_png(self._ask("PNG image (*.png)", "png"))
        )
        self.export_csv.clicked.connect(
            lambda: self.save_csv(self._ask("CSV table (*.csv)", "csv"))
        )
        self._set_enabled(False)

    # loading -----------------------------------------------------------------------------
    def clear(self) -> None:
        """No model: another project is open (its own runs' checkpoints load afresh)."""
        self.inspected = self.rendered = self.pending = None
        self.source = self.wanted = None
        self.task = None  # a load still running for the last project is ignored when it ends
        self.picture.clear()
        self.table.clear()
        self.table.setRowCount(0)
        self.scatter.clear()
        self.caption.setText(IDLE)
        self._set_enabled(False)

    def set_checkpoint(self, path: str) -> None:
        """The checkpoint to look into; loaded (with its data) once the tab is shown or a view
        is asked for, so finishing a run costs nothing until then."""
        if path == self.wanted:
            return
        self.wanted = path
        self.inspected = self.rendered = None
        self._set_enabled(False)
        self.caption.setText(f"The views of {path} load when this tab is shown.")
        if self.isVisible():
            self._ensure_loaded()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self._ensure_loaded()

    def _ensure_loaded(self) -> None:
        if self.wanted and self.wanted != self.source:
            self.load_checkpoint(self.wanted)

    def load_checkpoint(self, path: str) -> None:
        self.wanted = self.source = path
        self.caption.setText(f"Loading {path} and its data…")
        self.task = run_in_background(lambda: _load(path), self._task_loaded, self._load_failed)

    def _task_loaded(self, inspected) -> None:
        if self.sender() is not self.task:
            return
        self.task = None
        self.set_inspected(inspected)

    def _load_failed(self, message: str, _details: str) -> None:
        if self.sender() is self.task:
            self.task = None
            self.caption.setText(f"Could not open the checkpoint for its views: {message}")

    def set_inspected(self, inspected) -> None:
        self.inspected = inspected
        with QSignalBlocker(self.layer_box), QSignalBlocker(self.sample_box):
            self.layer_box.clear()
            self.layer_box.addItems(layers(inspected))
            self.sample_box.setRange(0, max(len(inspected.split) - 1, 0))
        self._set_enabled(True)
        view, node, sample = self.pending or (self.view_box.currentData(), None, None)
        self.pending = None
        self.show_view(view, node, sample)

    # views -------------------------------------------------------------------------------
    def show_view(self, view: str, node: str | None = None, sample: int | None = None) -> None:
        """Show `view` ("feature_maps", "gradcam", ...) for `node` (the view's usual layer when
        None) and test sample `sample` (the one shown when None)."""
        if self.inspected is None:
            self.pending = (view, node, sample)
            self._ensure_loaded()
            return
        node = node or default_node(self.inspected, view)
        with (
            QSignalBlocker(self.view_box),
            QSignalBlocker(self.layer_box),
            QSignalBlocker(self.sample_box),
        ):
            if sample is not None:
                self.sample_box.setValue(sample)
            self.view_box.setCurrentIndex(self.view_box.findData(view))
            if node is not None:
                self.layer_box.setCurrentText(node)
        self.refresh()

    def _view_changed(self) -> None:
        if self.inspected is not None:
            self.show_view(self.view_box.currentData())

    def refresh(self) -> None:
        from neurocanvas.engine.inspect.capture import InspectError

        if self.inspected is None:
            return
        view = self.view_box.currentData()
        self.layer_box.setEnabled(view != "statistics")
        try:
            self.rendered = render(
                self.inspected, view, self.layer_box.currentText() or None, self.sample_box.value()
            )
        except InspectError as error:
            self.rendered = None
            self.caption.setText(str(error))
            self.picture.clear()
            self.pages.setCurrentIndex(0)
            return
        self.caption.setText(self.rendered.caption)
        if view == "statistics":
            self._fill_table(self.rendered.rows)
            self.pages.setCurrentIndex(1)
        elif view == "projector":
            self._fill_scatter()
            self.pages.setCurrentIndex(2)
        else:
            self.picture.setPixmap(pixmap_from_array(np.asarray(self.rendered.image), scale=2))
            self.pages.setCurrentIndex(0)

    def _fill_table(self, rows: list[dict]) -> None:
        columns = list(rows[0])
        self.table.clear()
        self.table.setColumnCount(len(columns))
        self.table.setRowCount(len(rows))
        self.table.setHorizontalHeaderLabels(columns)
        for r, row in enumerate(rows):
            for c, key in enumerate(columns):
                value = row[key]
                text = (
                    f"{value:.4g}"
                    if isinstance(value, float)
                    else "-"
                    if value is None
                    else str(value)
                )
                self.table.setItem(r, c, QTableWidgetItem(text))

    def _fill_scatter(self) -> None:
        rendered = self.rendered
        brushes = [pg.mkBrush(PALETTE[int(k) % len(PALETTE)]) for k in rendered.labels]
        self.scatter.setData(
            x=rendered.coords[:, 0],
            y=rendered.coords[:, 1],
            brush=brushes,
            pen=None,
            data=np.arange(len(rendered.coords)),
        )
        self.legend.clear()
        for k in np.unique(rendered.labels)[: len(PALETTE)]:
            sample = pg.ScatterPlotItem(brush=pg.mkBrush(PALETTE[int(k)]), pen=None, size=8)
            self.legend.addItem(sample, self.inspected.label(k))
        self.scatter_plot.autoRange()

    def _tip(self, x, y, data) -> str:
        return self.point_text(int(data))

    def point_text(self, index: int) -> str:
        """The hover text of projector point `index`: the sample, its label and prediction."""
        r, inspected = self.rendered, self.inspected
        return (
            f"sample {index}: label {inspected.label(r.labels[index])}, "
            f"predicted {inspected.label(r.predicted[index])}"
        )

    # export ------------------------------------------------------------------------------
    def _ask(self, kind: str, suffix: str) -> str:
        name = f"{self.view_box.currentData()}.{suffix}"
        path, _ = QFileDialog.getSaveFileName(self, "Export", name, kind)
        return path

    def save_png(self, path: str) -> None:
        if not path or self.rendered is None:
            return
        if self.rendered.image is not None:
            self.rendered.image.save(path, format="PNG")
        else:
            self.pages.currentWidget().grab().save(path, "PNG")

    def save_csv(self, path: str) -> None:
        if not path or self.rendered is None or not self.rendered.rows:
            return
        with Path(path).open("w", encoding="utf-8", newline="") as stream:
            writer = csv.DictWriter(stream, list(self.rendered.rows[0]))
            writer.writeheader()
            writer.writerows(self.rendered.rows)

    def _set_enabled(self, on: bool) -> None:
        for widget in (
            self.view_box,
            self.layer_box,
            self.sample_box,
            self.export_png,
            self.export_csv,
        ):
            widget.setEnabled(on)
