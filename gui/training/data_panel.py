"""The data panel: choose a source (synthetic 2-D sets, CSV, MNIST/Fashion-MNIST/CIFAR-10 folders,
image folders, npz), its settings, the split, normalisation and augmentation, and see a preview
(scatter, table or image grid). Loading runs on a `BackgroundTask`; once loaded, the data's
shape and classes resolve the canvas's `auto` Input shape and output units at once.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from neurocanvas.engine.data import AUGMENTATIONS, SYNTHETIC_NAMES, DataConfig
from neurocanvas.engine.data.config import PACKAGED_NAMES, canonical_name
from neurocanvas.engine.shapes import AutoSizes
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .boundary import class_color
from .fit import compact, fitting_form
from .settings import NamedEdits, set_section
from .tasks import BackgroundTask, run_in_background

FILE_SOURCES = ("CSV / TSV file", "NumPy .npz file", "Image folder", "MNIST / CIFAR folder")
BUILTINS = ("mnist", "fashion-mnist", "cifar10")
NAMED = (*SYNTHETIC_NAMES, *BUILTINS, *PACKAGED_NAMES)  # sources chosen by name, no path
MISSING = ("drop", "mean", "median", "most_frequent")


def load_preview(config: dict[str, Any]) -> dict[str, Any]:
    """Load and describe the data (runs on the background thread; plain values out)."""
    from neurocanvas.engine.data import load_dataset, preview_images, preview_rows, scatter_points

    cfg = DataConfig.from_dict(config)
    ds = load_dataset(cfg)
    result: dict[str, Any] = {"info": ds.info.to_dict(), "report": list(ds.report)}
    result["columns"], result["rows"] = preview_rows(ds, 50)
    if ds.info.is_image:
        result["images"] = preview_images(ds, 16, augmented=bool(cfg.augment), augment=cfg.augment)
    elif ds.x.ndim == 2 and ds.x.shape[1] in (1, 2):
        result["points"], result["values"] = scatter_points(ds)
    if ds.preview_columns:  # a table: which column is the target (the form shows its name)
        result["target_column"] = target_column(list(ds.preview_columns), cfg.target)
    return result


def target_column(columns: list[str], target: str | int | None) -> str | None:
    """The column a CSV load uses as its target (as the engine picks it): None -> the last."""
    if not columns:
        return None
    if target is None or target == "":
        return columns[-1]
    if isinstance(target, int) or str(target).lstrip("-").isdigit():
        if str(target) in columns:
            return str(target)
        index = int(target)
        return columns[index] if -len(columns) <= index < len(columns) else None
    return str(target) if str(target) in columns else None


def default_source(project) -> str:
    """A data set that fits the graph's Input when the project names none: MNIST for 1x28x28
    (or 28x28 sequences), CIFAR-10 for 3-channel images, xor otherwise."""
    graph = getattr(project, "graph", None)
    for node in getattr(graph, "nodes", {}).values():
        if getattr(node, "type", None) != "Input":
            continue
        shape = list(node.params.get("shape") or [])
        if len(shape) == 3 and shape[0] == 3:
            return "cifar10"
        if (len(shape) == 3 and shape[0] == 1) or shape == [28, 28]:
            return "mnist"
    return "xor"


class DataPanel(NamedEdits, QWidget):
    loaded = Signal(object)  # the load_preview dict
    load_failed = Signal(str)

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.document = document
        self.task: BackgroundTask | None = None
        self.result: dict[str, Any] | None = None
        self._filling = False
        self._shown_target: str | None = None  # the used column's name, as the load showed it

        self.source = QComboBox()
        self.source.addItems([*NAMED, *FILE_SOURCES])
        self.path = QLineEdit()
        self.path.setPlaceholderText("a file or folder")
        self.browse = QPushButton("Browse…")
        self.browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(self.browse)
        self.samples = QSpinBox()
        self.samples.setRange(10, 100_000)
        self.samples.setValue(400)
        self.noise = QDoubleSpinBox()
        self.noise.setRange(0.0, 2.0)
        self.noise.setSingleStep(0.05)
        self.noise.setValue(0.1)
        self.target = QComboBox()
        self.target.setEditable(True)
        self.target.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.target.setToolTip("The column to predict (default: the last column)")
        self.missing = QComboBox()
        self.missing.addItems(MISSING)
        self.splits = [QSpinBox() for _ in range(3)]
        split_row = QHBoxLayout()
        for spin, name in zip(self.splits, ("train", "val", "test")):
            spin.setRange(0, 100)
            spin.setSuffix(f"% {name}")
            spin.setToolTip(f"Share of the samples in the {name} split")
            split_row.addWidget(spin)
        self.normalize = QCheckBox("Standardise features")
        self.normalize.setToolTip("Mean 0 and standard deviation 1, from training-split statistics")
        self.augment = {name: QCheckBox(name.replace("_", " ")) for name in AUGMENTATIONS}
        augment_row = QGridLayout()
        for index, box in enumerate(self.augment.values()):
            augment_row.addWidget(box, index // 2, index % 2)
        self.load_button = QPushButton("Load data")
        self.load_button.clicked.connect(self.load)

        for combo in (self.source, self.target, self.missing):
            compact(combo)
        form = fitting_form()
        form.addRow("Source", self.source)
        form.addRow("Path", path_row)
        form.addRow("Samples", self.samples)
        form.addRow("Noise", self.noise)
        form.addRow("Target column", self.target)
        form.addRow("Missing values", self.missing)
        form.addRow("Split", split_row)
        form.addRow("", self.normalize)
        form.addRow("Augment", augment_row)
        self.form = form
        box = QGroupBox("Data")
        box.setLayout(form)
        self.info = QLabel("No data loaded yet.")
        self.info.setWordWrap(True)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #dc2626;")
        self.error.hide()

        self.preview = QStackedWidget()
        self.scatter = pg.PlotWidget(background="w")
        self.scatter.setMinimumHeight(160)
        self.scatter_item = pg.ScatterPlotItem(size=5, pen=None)
        self.scatter.addItem(self.scatter_item)
        self.table = QTableWidget()
        # A plain label, not pg.ImageView: every ImageView registers the same named view box, and
        # pyqtgraph's clean-up of those on deletion crashes PySide 6.12 (none_dealloc).
        self.image = ImagePreview()
        for widget in (QLabel(""), self.scatter, self.table, self.image):
            self.preview.addWidget(widget)
        # Takes the height left over (at least 160 px) but asks for none, so a few more lines
        # of summary never make the pane scroll.
        self.preview.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)
        self.preview.setMinimumHeight(160)
        self.path.textChanged.connect(self.path.setToolTip)  # the whole path, when cut

        layout = QVBoxLayout(self)
        layout.addWidget(box)
        layout.addWidget(self.load_button)
        layout.addWidget(self.error)
        layout.addWidget(self.info)
        layout.addWidget(self.preview, 1)

        self.source.currentIndexChanged.connect(self._source_changed)
        named = [
            (self.samples.valueChanged, "number of samples"),
            (self.noise.valueChanged, "noise"),
            (self.missing.currentIndexChanged, "missing-value handling"),
            (self.target.currentTextChanged, "target column"),
            (self.path.editingFinished, "data source"),
            (self.normalize.toggled, "standardisation"),
            *((spin.valueChanged, "data split") for spin in self.splits),
            *((box.toggled, "augmentation") for box in self.augment.values()),
        ]
        self._edit_name: str | None = None
        for signal, name in named:  # each field names its own edit: "Set noise"
            signal.connect(lambda *_a, n=name: self._changed_by(n))
        document.undo_stack.indexChanged.connect(self._on_undo_index)
        self.load_from_project()

    # project <-> form ----------------------------------------------------------------------------
    def load_from_project(self) -> None:
        if self._filling:
            return
        data = dict(self.document.project.data or {})
        if not data.get("source"):  # no data chosen yet: one that fits the graph's Input
            data["source"] = default_source(self.document.project)
        try:
            cfg = DataConfig.from_dict(data)
            self.show_error("")
        except Exception as error:  # noqa: BLE001 - a bad section is shown, not raised
            cfg = DataConfig(source=data["source"] if is_named(data["source"]) else "xor")
            self.show_error(f"The project's data settings are not valid: {error}")
        self._filling = True
        try:
            if is_named(cfg.source):
                self.source.setCurrentText(canonical_name(cfg.source))
                self.path.clear()
            else:
                self.source.setCurrentText(_file_kind(cfg.source))
                self.path.setText(cfg.source)
            self.samples.setValue(int(cfg.params.get("n", 400)))
            self.noise.setValue(float(cfg.params.get("noise", 0.1)))
            used = None
            if self.result and self.result.get("target_column"):  # name the column in use
                used = target_column(self.result["columns"], cfg.target)
            self._shown_target = used
            self.target.setCurrentText(used or ("" if cfg.target is None else str(cfg.target)))
            self.missing.setCurrentText(cfg.missing)
            for spin, fraction in zip(self.splits, cfg.split):
                spin.setValue(round(fraction * 100))
            self.normalize.setChecked(cfg.normalize)
            for name, box in self.augment.items():
                box.setChecked(name in cfg.augment)
        finally:
            self._filling = False
        self._update_enabled()

    def config(self) -> dict[str, Any]:
        """The project's data mapping with this form's values (raises DataError when invalid)."""
        data = dict(self.document.project.data or {})
        kind = self.source.currentText()
        synthetic = kind in SYNTHETIC_NAMES
        data["source"] = self.path.text().strip() if kind in FILE_SOURCES else kind
        if not data["source"]:
            raise ValueError(f"Choose a {_noun(kind)} first (Browse…).")
        params = dict(data.get("params") or {})
        if synthetic:
            params.update(n=self.samples.value(), noise=round(self.noise.value(), 4))
        else:
            params.pop("n", None)
            params.pop("noise", None)
        data["params"] = params
        split = [spin.value() / 100 for spin in self.splits]
        data["split"] = split
        data["normalize"] = self.normalize.isChecked()
        target = self.target.currentText().strip()
        if not (target and target == self._shown_target):  # not just the name of the one used
            data["target"] = (int(target) if target.isdigit() else target) or None
        data["missing"] = self.missing.currentText()
        data["augment"] = [name for name, box in self.augment.items() if box.isChecked()]
        return DataConfig.from_dict(data).to_dict()

    def _changed(self, *_args) -> None:
        if self._filling:
            return
        self._update_enabled()
        if self.source.currentText() in FILE_SOURCES and not self.path.text().strip():
            self.show_error("")  # a file source without its path yet: asked for on Load
            return
        try:
            config = self.config()
        except Exception as error:  # noqa: BLE001 - e.g. splits not adding up to 100 %
            self.show_error(str(error))
            return
        self.show_error("")
        self._filling = True
        try:
            name = self._edit_name
            set_section(self.document, "data", config, name and f"Set {name}")
        finally:
            self._filling = False

    def commit(self) -> None:
        """Write the form to the project when the project names no data yet (before a run, so
        it trains on what the form shows)."""
        if (self.document.project.data or {}).get("source"):
            return
        try:
            config = self.config()
        except Exception:  # noqa: BLE001 - the run reports the problem
            return
        self._filling = True
        try:
            set_section(self.document, "data", config)
        finally:
            self._filling = False

    def _source_changed(self, *_args) -> None:
        if not self._filling and self.source.currentText() not in FILE_SOURCES:
            self.path.clear()
        self._changed_by("data source")

    def _update_enabled(self) -> None:
        kind = self.source.currentText()
        synthetic, files = kind in SYNTHETIC_NAMES, kind in FILE_SOURCES
        for widget in (self.samples, self.noise):
            widget.setEnabled(synthetic)
        for widget in (self.path, self.browse):
            widget.setEnabled(files)
        for widget in (self.target, self.missing):
            widget.setEnabled(kind == FILE_SOURCES[0] or kind in PACKAGED_NAMES)

    def _on_undo_index(self, _index: int) -> None:
        self.load_from_project()

    def set_document(self, document) -> None:
        self.document.undo_stack.indexChanged.disconnect(self._on_undo_index)
        self.document = document
        self.clear_preview()
        document.undo_stack.indexChanged.connect(self._on_undo_index)
        self.load_from_project()

    def clear_preview(self) -> None:
        """Forget the loaded data: no summary, thumbnails, scatter, table or column names."""
        self.result = None
        self.info.setText("No data loaded yet.")
        self.show_error("")
        self.image.clear_image()
        self.scatter_item.clear()
        self.table.clear()
        self.table.setRowCount(0)
        self.table.setColumnCount(0)
        self._filling = True
        self.target.clear()
        self._filling = False
        self.preview.setCurrentIndex(0)

    def set_source_path(self, path: str) -> None:
        """Choose a file or folder as the source (what Browse… does after its dialog)."""
        self._filling = True
        self.source.setCurrentText(_file_kind(path))
        self.path.setText(path)
        self.target.clear()
        self._filling = False
        self._changed()

    def _browse(self) -> None:
        kind = self.source.currentText()
        if kind in ("Image folder", "MNIST / CIFAR folder"):
            path = QFileDialog.getExistingDirectory(self, kind)
        else:
            path, _ = QFileDialog.getOpenFileName(
                self, kind, "", "Data (*.csv *.tsv *.txt *.npz *.npy);;All files (*)"
            )
        if path:
            self.set_source_path(path)

    # loading -------------------------------------------------------------------------------------
    def load(self) -> None:
        try:
            config = self.config()
        except Exception as error:  # noqa: BLE001
            self.show_error(str(error))
            return
        self._filling = True
        try:
            set_section(self.document, "data", config)
        finally:
            self._filling = False
        self.show_error("")
        self.load_button.setEnabled(False)
        self.info.setText("Loading…")
        self.task = run_in_background(lambda: load_preview(config), self._loaded, self._failed)

    def is_loading(self) -> bool:
        return self.task is not None

    def _failed(self, message: str, _details: str) -> None:
        self.load_button.setEnabled(True)
        self.task = None
        self.info.setText("No data loaded.")
        self.show_error(f"The data could not be loaded: {message}")
        self.load_failed.emit(message)

    def _loaded(self, result: dict[str, Any]) -> None:
        self.load_button.setEnabled(True)
        self.task = None
        self.result = result
        self.show_error("")
        info = result["info"]
        shape = "x".join(map(str, info["feature_shape"]))
        classes = ", ".join(info["class_names"][:10]) + (
            "…" if len(info["class_names"]) > 10 else ""
        )
        lines = [
            f"<b>{info['num_samples']:,} samples</b>, features {shape}, task {info['task']}"
            + (f" ({len(info['class_names'])} classes: {classes})" if info["class_names"] else ""),
            f"Output: {info['num_outputs']} unit(s), {info['suggested_output_activation']}; "
            f"suggested loss {info['suggested_loss']}",
            *result["report"],
        ]
        self.info.setText("<br>".join(lines))
        self._fill_target(result["columns"], result.get("target_column"))
        self._show_preview(result)
        self.document.set_auto_sizes(
            AutoSizes(tuple(info["feature_shape"]), info["num_outputs"], info["input_dtype"])
        )
        self.loaded.emit(result)

    def _fill_target(self, columns: list[str], used: str | None = None) -> None:
        """Offer the table's columns, showing the one the load used as its target."""
        if not self.target.isEnabled():
            return
        current = self.target.currentText()
        self._filling = True
        try:
            self.target.clear()
            self.target.addItems(columns)
            shown = used or target_column(columns, current or None) or current
            self._shown_target = shown
            index = self.target.findText(shown)
            if index >= 0:
                self.target.setCurrentIndex(index)
            else:
                self.target.setEditText(shown)
        finally:
            self._filling = False

    def _show_preview(self, result: dict[str, Any]) -> None:
        if result.get("points") is not None:
            points, values = result["points"], np.asarray(result["values"])
            if values.dtype.kind in "iub":
                brushes = [pg.mkBrush(*class_color(int(v))) for v in values]
            else:
                brushes = pg.mkBrush("#2563eb")
            self.scatter_item.setData(points[:, 0], points[:, 1], brush=brushes)
            self.scatter.autoRange()
            self.preview.setCurrentWidget(self.scatter)
        elif result.get("images") is not None:
            self.image.set_image(np.asarray(result["images"]))
            self.preview.setCurrentWidget(self.image)
        else:
            columns, rows = result["columns"], result["rows"]
            self.table.clear()
            self.table.setColumnCount(len(columns))
            self.table.setRowCount(len(rows))
            self.table.setHorizontalHeaderLabels(columns)
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    self.table.setItem(r, c, QTableWidgetItem(value))
            self.preview.setCurrentWidget(self.table)

    def show_summary(self, summary: dict[str, Any]) -> None:
        """What a training run loaded (the worker's data summary), when the panel has not."""
        if self.result is None:
            info = summary["info"]
            shape = "x".join(map(str, info["feature_shape"]))
            self.info.setText(
                f"<b>{info['num_samples']:,} samples</b>, features {shape}, task {info['task']}"
                + "".join(f"<br>{line}" for line in summary.get("report", []))
            )

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))


def is_named(source: str) -> bool:
    return canonical_name(source) in NAMED


def _noun(kind: str) -> str:
    return "folder" if "folder" in kind.lower() else "file"


def _file_kind(path: str) -> str:
    from pathlib import Path

    p = Path(path)
    if p.suffix.lower() in (".npz", ".npy"):
        return FILE_SOURCES[1]
    if p.is_dir():
        names = {child.name.lower() for child in p.iterdir()} if p.exists() else set()
        if any("idx" in name or "batch" in name for name in names):
            return FILE_SOURCES[3]
        return FILE_SOURCES[2]
    return FILE_SOURCES[0]


class ImagePreview(QLabel):
    """A grid of sample images (uint8, (H, W) or (H, W, 3)), scaled to fit with crisp pixels."""

    def __init__(self):
        super().__init__()
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumHeight(160)
        self._pixmap: QPixmap | None = None

    def set_image(self, grid: np.ndarray) -> None:
        grid = np.ascontiguousarray(grid, dtype=np.uint8)
        height, width = grid.shape[:2]
        if grid.ndim == 3:
            image = QImage(grid.data, width, height, 3 * width, QImage.Format.Format_RGB888)
        else:
            image = QImage(grid.data, width, height, width, QImage.Format.Format_Grayscale8)
        self._pixmap = QPixmap.fromImage(image.copy())  # copy: the numpy buffer is temporary
        self._rescale()

    def clear_image(self) -> None:
        self._pixmap = None
        self.clear()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._rescale()

    def _rescale(self) -> None:
        if self._pixmap is not None and not self._pixmap.isNull():
            self.setPixmap(
                self._pixmap.scaled(
                    self.size(),
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.FastTransformation,
                )
            )
