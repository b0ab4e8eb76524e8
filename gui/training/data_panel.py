"""The data panel: choose a source (synthetic 2-D sets, CSV, MNIST/Fashion-MNIST/CIFAR-10 folders,
image folders, npz), its settings, the split, normalisation and augmentation, and see a preview
(scatter, table or image grid). Loading runs on a `BackgroundTask`; once loaded, the data's
shape and classes resolve the canvas's `auto` Input shape and output units at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from neurocanvas.engine.data import AUGMENTATIONS, SYNTHETIC_NAMES, DataConfig
from neurocanvas.engine.data.config import PACKAGED_NAMES, canonical_name, source_kind
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from .. import files
from ..background import BackgroundTask
from ..param_editor import ParamEditor
from ..wheel_guard import guard_wheel
from .column_table import ColumnTable
from .data_columns import ColumnStep
from .data_download import DownloadOffer
from .data_layout import LayoutRows
from .data_loading import DataLoading
from .data_preview import DataPreview
from .data_sources import (
    FILE_SOURCES,
    NAMED,
    default_source,
    file_kind,
    is_named,
    noun,
    target_column,
)
from .fit import compact, fitting_form
from .settings import NamedEdits, data_label, data_spec, row_label, set_section


class DataPanel(ColumnStep, DataLoading, NamedEdits, QWidget):
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
        self.test_path = QLineEdit()  # a separate test file (UCR's _TEST file), or empty
        self.test_path.setPlaceholderText("optional: a file that is the test split as it is")
        self.test_path.setToolTip(data_spec("test_source").help)
        self.test_browse = QPushButton("Browse…")
        self.test_browse.clicked.connect(self._browse_test)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_path, 1)
        test_row.addWidget(self.test_browse)
        # The settings with a spec of their own get the inspector's editor for it.
        self.editors = {name: self._editor(name) for name in ("n", "noise", "missing", "normalize")}
        self.samples, self.noise, self.missing, self.normalize = (
            editor.widget for editor in self.editors.values()
        )
        self.target = QComboBox()
        self.target.setEditable(True)
        self.target.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.target.setToolTip("The column to predict (default: the last column)")
        self.splits = [QSpinBox() for _ in range(3)]
        split_row = QHBoxLayout()
        for spin, name in zip(self.splits, ("train", "val", "test")):
            spin.setRange(0, 100)
            spin.setSuffix(f"% {name}")
            spin.setToolTip(f"Share of the samples in the {name} split")
            split_row.addWidget(spin)
        self.normalize.setText("Standardise features")
        self.augment = {name: QCheckBox(name.replace("_", " ")) for name in AUGMENTATIONS}
        augment_row = QGridLayout()
        for index, box in enumerate(self.augment.values()):
            augment_row.addWidget(box, index // 2, index % 2)
        guard_wheel(self.source, self.target, *self.splits)  # the pane scrolls under the wheel
        self.load_button = QPushButton("Load data")
        self.load_button.clicked.connect(self.load)

        for combo in (self.source, self.target, self.missing):
            compact(combo)
        form = fitting_form()
        form.addRow("Source", self.source)
        form.addRow("Path", path_row)
        form.addRow(row_label(data_spec("test_source")), test_row)
        self.layout_rows = LayoutRows(form, self)  # a delimited file's layout and its settings
        self.layout_rows.edited.connect(self._changed_by)
        self._spec_row(form, "n")
        self._spec_row(form, "noise")
        form.addRow("Target column", self.target)
        self._spec_row(form, "missing")
        form.addRow("Split", split_row)
        self._spec_row(form, "normalize", "")
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

        self.preview = DataPreview()
        self.path.textChanged.connect(self.path.setToolTip)  # the whole path, when cut

        # The CSV step: the file's columns, typed, with a role each, before anything is loaded.
        self.columns = ColumnTable()
        self.columns.hide()
        self.columns.roles_changed.connect(self._roles_changed)
        self.target.currentTextChanged.connect(self._target_typed)

        layout = QVBoxLayout(self)
        layout.addWidget(box)
        layout.addWidget(self.columns)
        layout.addWidget(self.load_button)
        layout.addWidget(self.error)
        self.download = DownloadOffer()  # "Download MNIST…" when a built-in set is missing
        self.download.downloaded.connect(lambda _name: self.load())
        self.download.failed.connect(lambda text: self.show_error(f"The download failed: {text}"))
        layout.addWidget(self.download)
        layout.addWidget(self.info)
        layout.addWidget(self.preview, 1)

        self.source.currentIndexChanged.connect(self._source_changed)
        named = [
            (self.target.currentTextChanged, data_label("target")),
            (self.path.editingFinished, data_label("source")),
            (self.test_path.editingFinished, data_label("test_source")),
            *((spin.valueChanged, data_label("split")) for spin in self.splits),
            *((box.toggled, data_label("augment")) for box in self.augment.values()),
        ]
        self._edit_name: str | None = None
        for signal, name in named:  # each field names its own edit (its spec's label): "Set noise"
            signal.connect(lambda *_a, n=name: self._changed_by(n))
        document.settings_changed.connect(self._refill)
        document.analysis_changed.connect(self._refill)
        self.load_from_project()
        self.reload_saved()

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
                self.source.setCurrentText(file_kind(cfg.source))
                self.path.setText(cfg.source)
            self.test_path.setText(cfg.test_source or "")
            self.layout_rows.fill(cfg.params)
            self.editors["n"].set_value(int(cfg.params.get("n", 400)))
            self.editors["noise"].set_value(float(cfg.params.get("noise", 0.1)))
            used = None
            if self.result and self.result.get("target_column"):  # name the column in use
                used = target_column(self.result["columns"], cfg.target)
            self._shown_target = used
            self.target.setCurrentText(used or ("" if cfg.target is None else str(cfg.target)))
            self.editors["missing"].set_value(cfg.missing)
            for spin, fraction in zip(self.splits, cfg.split):
                spin.setValue(round(fraction * 100))
            self.editors["normalize"].set_value(cfg.normalize)
            for name, box in self.augment.items():
                box.setChecked(name in cfg.augment)
        finally:
            self._filling = False
        self._update_enabled()
        self.describe_file()

    def config(self) -> dict[str, Any]:
        """The project's data mapping with this form's values (raises DataError when invalid)."""
        data = dict(self.document.project.data or {})
        kind = self.source.currentText()
        synthetic = kind in SYNTHETIC_NAMES
        data["source"] = self.path.text().strip() if kind in FILE_SOURCES else kind
        if not data["source"]:
            raise ValueError(f"Choose a {noun(kind)} first (Browse…).")
        params = dict(data.get("params") or {})
        if synthetic:
            params.update(n=self.samples.value(), noise=round(self.noise.value(), 4))
        else:
            params.pop("n", None)
            params.pop("noise", None)
        if self._delimited():
            params = self.layout_rows.apply(params)
        if kind == FILE_SOURCES[0]:
            params = self.column_params(params)
        data["params"] = params
        split = [spin.value() / 100 for spin in self.splits]
        data["split"] = split
        data["normalize"] = self.normalize.isChecked()
        target = self.target.currentText().strip()
        names = [self.target.itemText(i) for i in range(self.target.count())]
        in_use = target_column(names, data.get("target"))
        if not (target and target == self._shown_target == in_use):  # not the name of the one used
            data["target"] = (int(target) if target.isdigit() else target) or None
        data["missing"] = self.missing.currentText()
        data["augment"] = [name for name, box in self.augment.items() if box.isChecked()]
        data["test_source"] = self.test_path.text().strip() or None
        return DataConfig.from_dict(data).to_dict()

    def _changed(self, *_args) -> None:
        if self._filling:
            return
        self.drop_load(automatic_only=True)  # the saved data is no longer what the form says
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
        self._forget_other_source(config)
        self._filling = True
        try:
            name = self._edit_name
            set_section(self.document, "data", config, name and f"Set {name}")
        finally:
            self._filling = False
        self.describe_file()  # a new file: its columns, before it is loaded

    def _forget_other_source(self, config: dict[str, Any]) -> None:
        """Another file or set chosen: the last load's summary and preview no longer describe
        it (a new CSV went on showing "150 samples ... iris" until Load data)."""
        shown = (self.result or {}).get("source")
        if shown is not None and Path(str(shown)) != Path(str(config.get("source"))):
            self.result = None
            self.info.setText("No data loaded yet.")
            self.preview.clear_preview()

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
        self._changed_by(data_label("source"))

    def _update_enabled(self) -> None:
        kind = self.source.currentText()
        synthetic, from_file = kind in SYNTHETIC_NAMES, kind in FILE_SOURCES
        for widget in (self.samples, self.noise):
            widget.setEnabled(synthetic)
        for widget in (self.path, self.browse):
            widget.setEnabled(from_file)
        self.layout_rows.set_shown(self._delimited())
        # A packaged table or text file has a target column; GunPoint's .ts file has none.
        table = kind == FILE_SOURCES[0] or (kind in PACKAGED_NAMES and source_kind(kind) == "csv")
        layout = self.layout_rows.current() if self._delimited() else None
        for widget in (self.target, self.missing):
            widget.setEnabled(table)
        # A series names its targets among its own settings, a UCR file has its class first;
        # only a plain table has the table's missing-value policy (a series fills by time).
        self.form.setRowVisible(self.target, layout not in ("series", "ucr"))
        self.form.setRowVisible(self.missing, layout in (None, "table"))
        # Crops, flips and colour jitter change images: for a table or 2-D points, say so.
        why = "a table" if table else "2-D points" if synthetic else ""
        for box in self.augment.values():
            box.setEnabled(not why)
            box.setToolTip(f"Augmentation changes images; this source is {why}" if why else "")

    def _delimited(self) -> bool:
        """Whether the source is a delimited text file (a CSV/TSV or a packaged one), which
        the layout rows describe; a .ts file has a layout of its own."""
        kind = self.source.currentText()
        if kind in PACKAGED_NAMES:
            return source_kind(kind) == "csv"
        return kind == FILE_SOURCES[0] and not self.path.text().strip().lower().endswith(".ts")

    def _editor(self, name: str) -> ParamEditor:
        spec = data_spec(name)
        editor = ParamEditor(spec, spec.default, self)
        editor.committed.connect(lambda _value, n=spec.label: self._changed_by(n))
        return editor

    def _spec_row(self, form, name: str, label: str | None = None) -> None:
        editor = self.editors[name]
        form.addRow(row_label(editor.spec) if label is None else label, editor.widget)
        form.addRow("", editor.error)

    def _refill(self, section: str = "data") -> None:
        # Data edits refill the form; so does a graph edit while no source is chosen (the form
        # then shows one that fits the graph's Input).
        if section == "data" or not self.document.settings("data").get("source"):
            self.load_from_project()

    def set_document(self, document) -> None:
        self.document.settings_changed.disconnect(self._refill)
        self.document.analysis_changed.disconnect(self._refill)
        self.document = document
        self.clear_preview()
        document.settings_changed.connect(self._refill)
        document.analysis_changed.connect(self._refill)
        self.load_from_project()
        self.reload_saved()

    def clear_preview(self) -> None:
        """Forget the loaded data: no summary, thumbnails, scatter, table or column names."""
        self.drop_load()  # a load for the last project
        self.result = None
        self.download.reset()
        self.info.setText("No data loaded yet.")
        self.show_error("")
        self.preview.clear_preview()
        self.forget_columns()
        self._filling = True
        self.target.clear()
        self._filling = False

    def set_source_path(self, path: str) -> None:
        """Choose a file or folder as the source (what Browse… does after its dialog)."""
        self._filling = True
        self.source.setCurrentText(file_kind(path))
        self.path.setText(path)
        self.target.clear()
        self._filling = False
        self._changed()

    def _browse(self) -> None:
        kind = self.source.currentText()
        start = files.last_folder("data")  # not the home folder every time
        if kind in ("Image folder", "MNIST / CIFAR folder"):
            path = QFileDialog.getExistingDirectory(self, kind, start)
        else:
            path, _ = QFileDialog.getOpenFileName(
                self, kind, start, "Data (*.csv *.tsv *.txt *.npz *.npy);;All files (*)"
            )
        if path:
            files.remember_folder("data", path)
            self.set_source_path(path)

    def _browse_test(self) -> None:
        start = files.last_folder("data")
        path, _ = QFileDialog.getOpenFileName(
            self, "Test file", start, "Data (*.csv *.tsv *.ts *.txt *.npz);;All files (*)"
        )
        if path:
            files.remember_folder("data", path)
            self.test_path.setText(path)
            self._changed_by(data_label("test_source"))

    # loading -------------------------------------------------------------------------------------
    def load(self) -> None:
        try:
            config = self.config()
        except Exception as error:  # noqa: BLE001
            self.show_error(str(error))
            return
        if not self._saved_as(config):  # an unchanged project stays unmodified
            self._filling = True
            try:
                set_section(self.document, "data", config)
            finally:
                self._filling = False
        self._start_load(config)

    def _saved_as(self, config: dict[str, Any]) -> bool:
        """Whether the project's data section means `config` (written shorter, with defaults
        left out, as a saved file has it)."""
        try:
            return DataConfig.from_dict(self.document.project.data or {}).to_dict() == config
        except Exception:  # noqa: BLE001 - a bad saved section is replaced by the form's
            return False

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))
        if text:  # below the form, maybe below the fold: scroll it into view once laid out
            QTimer.singleShot(0, self, self._reveal_error)  # dropped if the panel goes first

    def _reveal_error(self) -> None:
        area = self.parentWidget()
        while area is not None and not isinstance(area, QScrollArea):
            area = area.parentWidget()
        if area is not None and self.error.isVisible():
            area.ensureWidgetVisible(self.error)
