"""File > Export > Model…: format, output path, options and weights; the export and its verification
run on a pool thread, and the dialog shows the result (parity figure, file size, time, warnings)
or the error naming the layer at fault. After an ONNX export, "Inspect in Netron" opens the file.

Only plain data crosses the thread boundary: the request is the project as its JSON dict (so an
edit on the canvas during the export cannot race the compiler), the reply is a dict of strings and
numbers built from the `ExportResult` or `ExportError`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from neurocanvas.engine.units import bytes_text
from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from . import files, theme
from .background import BackgroundTask, run_in_background
from .export_job import find_latest_checkpoint, run_export, slug
from .serve_panel import ServePanel

# (engine format, label, how the default output name ends; "/" marks a folder)
FORMATS = (
    ("onnx", "ONNX (.onnx)", ".onnx"),
    ("torchscript", "TorchScript (.pt)", "-torchscript.pt"),
    ("pt2", "torch.export program (.pt2)", ".pt2"),
    ("pytorch", "PyTorch code: model.py + train.py (folder)", "-pytorch/"),
    ("keras", "Keras 3 code: model_keras.py + weights (folder)", "-keras/"),
    ("checkpoint", "NeuroCanvas checkpoint bundle (.pt)", "-checkpoint.pt"),
    ("service", "Prediction service: model.onnx + serve.py + Dockerfile (folder)", "-service/"),
)
SERVABLE = ("onnx", "service", "checkpoint")  # exports "Serve locally" can serve
FILTERS = {"onnx": "ONNX model (*.onnx)", "pt2": "torch.export program (*.pt2)"}
SELECTABLE = Qt.TextInteractionFlag.TextSelectableByMouse
UNTRAINED_TEXT = (
    "⚠ No checkpoint: the export holds the initial (random) weights of an untrained model."
)


# ---- the dialog ---------------------------------------------------------------------------------
def size_text(size: int) -> str:
    """'907.57 KB (929,153 bytes)', or '512 bytes'."""
    return f"{size:,} bytes" if size < 1024 else f"{bytes_text(size)} ({size:,} bytes)"


class ExportDialog(QDialog):
    """Modeless: the window stays usable while a (possibly slow) export is verified."""

    inspect_requested = Signal(str)  # an ONNX file to show in the Netron window
    layer_named = Signal(str)  # the layer an ExportError blames, to select it on the canvas
    finished_export = Signal(dict)  # the reply, for tests and the status bar

    def __init__(self, document, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export model")
        self.setMinimumWidth(620)
        self.document = document
        self.reply: dict[str, Any] | None = None
        self._job: BackgroundTask | None = None
        self.checkpoint = find_latest_checkpoint(document)

        self.format_combo = QComboBox()
        for key, label, _ending in FORMATS:
            self.format_combo.addItem(label, key)
        self.path_edit = QLineEdit()
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(browse)
        self.opset_combo = QComboBox()
        self._fill_opsets()
        self.weights_combo = QComboBox()
        if self.checkpoint is not None:
            self.weights_combo.addItem(
                f"Latest checkpoint: {self.checkpoint}", str(self.checkpoint)
            )
        self.weights_combo.addItem("Initial weights (untrained)", None)
        self.weights_combo.addItem("Checkpoint file…", "choose")
        self._select_remembered_weights()
        self.untrained_label = QLabel(UNTRAINED_TEXT)
        self.untrained_label.setWordWrap(True)
        self.untrained_label.setStyleSheet(f"color: {theme.WARNING.name()};")

        form = QFormLayout()
        form.addRow("Format:", self.format_combo)
        form.addRow("Save to:", path_row)
        form.addRow("ONNX opset:", self.opset_combo)
        self._opset_label = form.labelForField(self.opset_combo)
        form.addRow("Weights:", self.weights_combo)
        form.addRow("", self.untrained_label)

        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy: the exporters report no steps
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        self.status_label = QLabel()
        self.status_label.setObjectName("muted")

        self.result_box = QGroupBox("Result")
        # A grid, not a QFormLayout: the form layout gives a word-wrapped field one line's height
        # when the dialog is narrow, which cut the Warnings line off.
        result_form = QGridLayout(self.result_box)
        result_form.setColumnStretch(1, 1)
        self.file_label, self.parity_label = QLabel(), QLabel()
        self.size_label, self.time_label, self.warnings_label = QLabel(), QLabel(), QLabel()
        for label in (self.file_label, self.parity_label, self.warnings_label):
            label.setWordWrap(True)
        for label in (
            self.file_label,
            self.parity_label,
            self.size_label,
            self.time_label,
            self.warnings_label,
        ):
            label.setTextInteractionFlags(SELECTABLE)
        rows = (
            ("File:", self.file_label),
            ("Parity:", self.parity_label),
            ("Size:", self.size_label),
            ("Time:", self.time_label),
            ("Warnings:", self.warnings_label),
        )
        for row, (text, label) in enumerate(rows):
            name = QLabel(text)
            name.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            result_form.addWidget(name, row, 0, Qt.AlignmentFlag.AlignTop)
            result_form.addWidget(label, row, 1)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(SELECTABLE)
        self.error_label.setStyleSheet(f"color: {theme.ERROR.name()};")

        buttons = QDialogButtonBox()
        self.netron_button = buttons.addButton(
            "Inspect in Netron", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.folder_button = buttons.addButton(
            "Open folder", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.folder_button.setToolTip("Show the exported file in the file manager")
        self.folder_button.clicked.connect(self.open_folder)
        self.export_button = buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.close_button = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.export_button.setDefault(True)
        # The AcceptRole/RejectRole signals would close the dialog: wire the buttons directly.
        self.export_button.clicked.connect(self.start_export)
        self.close_button.clicked.connect(self.close)
        self.netron_button.clicked.connect(self._inspect)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status_label)
        layout.addWidget(self.result_box)
        layout.addWidget(self.error_label)
        self.serve_panel = ServePanel()  # the checkpoint chosen, or the export just written
        self.serve_panel.started.connect(lambda _url: QTimer.singleShot(0, self, self._fit_height))
        layout.addWidget(self.serve_panel)
        layout.addStretch(1)
        layout.addWidget(buttons)

        self.format_combo.currentIndexChanged.connect(self._on_format)
        self.weights_combo.currentIndexChanged.connect(self._on_weights)
        self._on_format()
        self._on_weights()
        self._show_idle()

    # ---- state --------------------------------------------------------------------------------
    @property
    def format(self) -> str:
        return self.format_combo.currentData()

    def set_format(self, fmt: str) -> None:
        self.format_combo.setCurrentIndex(self.format_combo.findData(fmt))

    @property
    def running(self) -> bool:
        return self._job is not None

    def _fill_opsets(self) -> None:
        try:
            from torch.onnx import _constants as onnx_constants

            newest, default = onnx_constants.ONNX_MAX_OPSET, onnx_constants.ONNX_DEFAULT_OPSET
        except (ImportError, AttributeError):  # a private module: keep working if it moves
            newest, default = 20, None
        default_text = f" (opset {default})" if default else ""
        self.opset_combo.addItem(f"Exporter default{default_text}", None)
        for opset in range(newest, 12, -1):
            self.opset_combo.addItem(str(opset), opset)

    def _default_path(self, fmt: str) -> Path:
        ending = next(e for key, _label, e in FORMATS if key == fmt)
        current = self.path_edit.text().strip()
        if current:
            folder = Path(current).parent
        elif getattr(self.document, "path", None):
            folder = Path(self.document.path).parent
        else:
            folder = Path.home()
        return folder / (slug(self.document.project.name) + ending.rstrip("/"))

    def _on_format(self, *_args) -> None:
        self.path_edit.setText(str(self._default_path(self.format)))
        onnx = self.format == "onnx"
        self.opset_combo.setVisible(onnx)
        if self._opset_label is not None:
            self._opset_label.setVisible(onnx)

    def _weights_key(self) -> str:
        path = getattr(self.document, "path", None)
        return str(Path(path).resolve()) if path else f"unsaved:{self.document.project.name}"

    def _select_remembered_weights(self) -> None:
        """The weights chosen at this project's last export: the latest checkpoint (whichever it
        is now), the initial weights, or that checkpoint file if it is still there."""
        combo, remembered = self.weights_combo, files.export_weights(self._weights_key())
        if remembered == "initial":
            combo.setCurrentIndex(combo.findData(None))
        elif remembered not in (None, "latest") and Path(remembered).is_file():
            if combo.findData(remembered) < 0:
                combo.insertItem(0, f"Checkpoint: {remembered}", remembered)
            combo.setCurrentIndex(combo.findData(remembered))

    def _remember_weights(self) -> None:
        data = self.weights_combo.currentData()
        latest = self.checkpoint is not None and data == str(self.checkpoint)
        weights = "latest" if latest else "initial" if data is None else str(data)
        files.remember_export_weights(self._weights_key(), weights)

    def _on_weights(self, *_args) -> None:
        if self.weights_combo.currentData() == "choose":
            path, _ = QFileDialog.getOpenFileName(
                self,
                "Choose a checkpoint",
                files.last_folder("checkpoint") or str(Path.home()),
                "Checkpoints (*.pt)",
            )
            if path:
                files.remember_folder("checkpoint", path)
            # Quietly: inserting above the current entry moves the index, and the signal it
            # sends, still on "Checkpoint file…", asked for a checkpoint a second time.
            blocked = self.weights_combo.blockSignals(True)
            if path:
                self.weights_combo.insertItem(0, f"Checkpoint: {path}", path)
                self.weights_combo.setCurrentIndex(0)
            else:
                self.weights_combo.setCurrentIndex(self.weights_combo.findData(None))
            self.weights_combo.blockSignals(blocked)
            self._on_weights()
            return
        self.untrained_label.setVisible(self.weights_combo.currentData() is None)
        self.serve_panel.set_model(self.weights_combo.currentData())

    def _browse(self) -> None:
        current = self.path_edit.text()
        if self.format in ("pytorch", "keras", "service"):
            what = {"pytorch": "model.py and train.py", "keras": "model_keras.py and its weights"}
            path = QFileDialog.getExistingDirectory(
                self, f"Folder for {what.get(self.format, 'the service')}", current
            )
        else:
            path, _ = QFileDialog.getSaveFileName(
                self, "Export model", current, FILTERS.get(self.format, "PyTorch file (*.pt)")
            )
        if path:
            self.path_edit.setText(path)

    # ---- running ------------------------------------------------------------------------------
    def request(self) -> dict[str, Any]:
        """The job's input: plain data only, copied now on the GUI thread."""
        from neurocanvas.engine.training.checkpoint import auto_to_dict

        options = {}
        if self.format == "onnx" and self.opset_combo.currentData() is not None:
            options["opset"] = int(self.opset_combo.currentData())
        return {
            "project": self.document.project.to_dict(),
            "name": self.document.title,
            "auto": auto_to_dict(self.document.auto),
            "weights": self.weights_combo.currentData(),
            "format": self.format,
            "out": self.path_edit.text().strip(),
            "options": options,
        }

    def start_export(self) -> None:
        if self.running:
            return
        if not self.path_edit.text().strip():
            self._show_error({"error": "Choose where to save the export.", "node": None})
            return
        self._remember_weights()
        request = self.request()
        self._show_running()
        self._job = run_in_background(lambda: run_export(request), self._on_done, self._on_crash)

    def _on_crash(self, message: str, details: str) -> None:
        # run_export turns every error into a reply; this is one it could not (a bug).
        self._on_done({"ok": False, "error": message, "node": None})

    def _on_done(self, reply: dict) -> None:
        self._job = None
        self.reply = reply
        self.export_button.setEnabled(True)
        self.progress.hide()
        if reply.get("ok"):
            self._show_result(reply)
        else:
            self._show_error(reply)
        self.finished_export.emit(reply)

    # ---- showing ------------------------------------------------------------------------------
    def _show_idle(self) -> None:
        self.progress.hide()
        self.status_label.hide()
        self.result_box.hide()
        self.error_label.hide()
        self.netron_button.hide()
        self.folder_button.hide()

    def _show_running(self) -> None:
        self._show_idle()
        self.export_button.setEnabled(False)
        label = self.format_combo.currentText().split(" (")[0]
        self.status_label.setText(f"Exporting to {label} and checking it against PyTorch…")
        self.status_label.show()
        self.progress.show()

    def _show_result(self, reply: dict) -> None:
        from neurocanvas.engine.export.parity import TOLERANCE

        diff = reply["max_abs_diff"]
        batches = " and ".join(str(b) for b in reply["batch_sizes"])
        verdict = "✓ within" if diff < TOLERANCE else "✗ over"
        tolerance = f"{TOLERANCE:.0e}".replace("e-0", "e-")  # 1e-4, as the issue states it
        self.status_label.setText("✓ Exported, reloaded and compared with the PyTorch model.")
        self.file_label.setText(
            reply["path"] + (f"  (opset {reply['opset']})" if reply.get("opset") else "")
        )
        self.parity_label.setText(
            f"<b>{diff:.2e}</b> max abs difference from PyTorch at batch {batches} "
            f"<span style='color:{theme.OK.name()}'>{verdict} {tolerance}</span>"
        )
        self.size_label.setText(size_text(reply["size_bytes"]))
        verify = reply.get("verify_seconds") or 0.0
        timing = f"{reply['seconds']:.2f} s to export"
        if verify:
            timing += f", {verify:.2f} s to verify"
        self.time_label.setText(timing + f" ({reply['total_seconds']:.2f} s in all)")
        warnings = reply.get("warnings") or []
        self.warnings_label.setText("<br>".join(f"⚠ {w}" for w in warnings) or "none")
        self.warnings_label.setStyleSheet(f"color: {theme.WARNING.name()};" if warnings else "")
        self.result_box.show()
        # Word-wrapped labels only get their full height once the layout has re-run.
        QTimer.singleShot(0, self, self._fit_height)
        self.netron_button.setVisible(reply["format"] == "onnx")
        self.folder_button.show()
        if reply["format"] in SERVABLE:
            self.serve_panel.set_model(reply["path"])

    def open_folder(self) -> None:
        """The export's folder (a code export is a folder itself) in the system's file manager."""
        if self.reply and self.reply.get("ok"):
            path = Path(self.reply["path"])
            QDesktopServices.openUrl(
                QUrl.fromLocalFile(str(path if path.is_dir() else path.parent))
            )

    def _fit_height(self) -> None:
        """Grow (never shrink) to show every wrapped line: `sizeHint()` alone counts a wrapped
        label as one line, `heightForWidth` counts its lines at the dialog's width."""
        self.layout().activate()
        needed = max(self.sizeHint().height(), self.heightForWidth(self.width()))
        if needed > self.height():
            self.resize(self.width(), needed)

    def _show_error(self, reply: dict) -> None:
        self.status_label.setText("✗ The export failed; nothing was written over the output file.")
        self.status_label.show()
        node = reply.get("node")
        on_canvas = bool(node) and node in self.document.graph.nodes
        where = f"\n\nLayer: {node}" + (" (selected on the canvas)" if on_canvas else "")
        self.error_label.setText(reply["error"] + (where if node else ""))
        self.error_label.show()
        QTimer.singleShot(0, self, self._fit_height)
        if node:
            self.layer_named.emit(node)

    def closeEvent(self, event) -> None:
        self.serve_panel.stop()  # a service started here ends with the dialog
        super().closeEvent(event)

    def done(self, result: int) -> None:  # Esc
        self.serve_panel.stop()
        super().done(result)

    def _inspect(self) -> None:
        if self.reply and self.reply.get("ok") and self.reply["format"] == "onnx":
            self.inspect_requested.emit(self.reply["path"])
