"""The training panel: optimizer, learning rate, batch size, epochs, loss, monitored metric, early
stopping, checkpoints, LR schedule and device; and the Train, Pause/Resume and Stop buttons.

Every change is written to the project's "training" section as an undoable edit; the document's
`settings_changed("training")` (undo, redo) or opening another project refills the form.
"""

from __future__ import annotations

from typing import Any

from neurocanvas.engine.training import ConfigError, TrainConfig
from neurocanvas.engine.training.config import LOSSES, OPTIMIZERS, SCHEDULES
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from .fit import compact, fitting_form
from .settings import NamedEdits, set_section

MONITORS = ("val_loss", "val_accuracy", "val_f1", "val_auc", "val_mae", "val_r2")


def device_choices() -> list[tuple[str, str]]:
    """(value, label) pairs: auto, the CPU with its thread count, each CUDA GPU with its memory."""
    import torch

    choices = [
        ("auto", "Automatic (best available)"),
        ("cpu", f"CPU ({torch.get_num_threads()} threads)"),
    ]
    for index in range(torch.cuda.device_count() if torch.cuda.is_available() else 0):
        props = torch.cuda.get_device_properties(index)
        label = f"CUDA {index}: {props.name} ({props.total_memory / 2**30:.0f} GiB)"
        choices.append(("cuda" if index == 0 else f"cuda:{index}", label))
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        choices.append(("mps", "Apple MPS"))
    return choices


class TrainPanel(NamedEdits, QWidget):
    train_requested = Signal()
    pause_requested = Signal()
    resume_requested = Signal()
    stop_requested = Signal()

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.document = document
        self._filling = False
        self.optimizer = QComboBox()
        self.optimizer.addItems(OPTIMIZERS)
        self.lr = QDoubleSpinBox()
        self.lr.setDecimals(6)
        self.lr.setRange(1e-6, 100.0)
        self.lr.setStepType(QAbstractSpinBox.StepType.AdaptiveDecimalStepType)
        self.batch_size = QSpinBox()
        self.batch_size.setRange(1, 1 << 16)
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 1_000_000)
        self.loss = QComboBox()
        self.loss.addItems(LOSSES)
        self.loss_hint = QLabel()
        self.loss_hint.setObjectName("muted")
        self.monitor = QComboBox()
        self.monitor.addItems(MONITORS)
        self.early_stopping = QCheckBox("Stop early")
        self.early_stopping.setToolTip(
            "Stop when the monitored metric has not improved for 'patience' epochs"
        )
        self.patience = QSpinBox()
        self.patience.setRange(0, 10_000)
        self.patience.setPrefix("patience ")
        self.patience.setSuffix(" epochs")
        self.checkpoint = QCheckBox("Save best and last")
        self.checkpoint.setToolTip("Save the best and the last checkpoint of each run")
        self.schedule = QComboBox()
        self.schedule.addItems(SCHEDULES)
        self.device = QComboBox()
        for value, label in device_choices():
            self.device.addItem(label, value)

        for combo in (self.optimizer, self.loss, self.monitor, self.schedule, self.device):
            compact(combo)
        self.loss_hint.setWordWrap(True)
        form = fitting_form()
        form.addRow("Optimizer", self.optimizer)
        form.addRow("Learning rate", self.lr)
        form.addRow("Batch size", self.batch_size)
        form.addRow("Epochs", self.epochs)
        form.addRow("Loss", self.loss)
        form.addRow("", self.loss_hint)
        form.addRow("Monitor", self.monitor)
        form.addRow("Early stopping", self.early_stopping)
        form.addRow("", self.patience)
        form.addRow("LR schedule", self.schedule)
        form.addRow("Checkpoints", self.checkpoint)
        form.addRow("Device", self.device)
        box = QGroupBox("Training settings")
        box.setLayout(form)

        self.train_button = QPushButton("Train")
        self.train_button.setDefault(True)
        self.pause_button = QPushButton("Pause")
        self.stop_button = QPushButton("Stop")
        self.train_button.clicked.connect(self.train_requested)
        self.pause_button.clicked.connect(self._toggle_pause)
        self.stop_button.clicked.connect(self.stop_requested)
        buttons = QHBoxLayout()
        for button in (self.train_button, self.pause_button, self.stop_button):
            buttons.addWidget(button)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #dc2626;")
        self.message.hide()

        layout = QVBoxLayout(self)
        layout.addWidget(box)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addStretch(1)

        self._names = {
            self.optimizer: "optimizer",
            self.lr: "learning rate",
            self.batch_size: "batch size",
            self.epochs: "epochs",
            self.loss: "loss",
            self.monitor: "monitored metric",
            self.early_stopping: "early stopping",
            self.patience: "patience",
            self.schedule: "LR schedule",
            self.checkpoint: "checkpoints",
            self.device: "device",
        }
        self._edit_name: str | None = None
        for widget, name in self._names.items():
            signal = {QComboBox: "currentIndexChanged", QCheckBox: "toggled"}.get(
                type(widget), "valueChanged"
            )
            # Each field names its own edit ("Set batch size"); no sender(), whose None
            # return trips a PySide reference-count bug.
            getattr(widget, signal).connect(lambda *_a, n=name: self._changed_by(n))
        document.settings_changed.connect(self._on_settings_changed)
        self.load_from_project()
        self.set_state("idle")

    # project <-> form ----------------------------------------------------------------------------
    def load_from_project(self) -> None:
        if self._filling:
            return
        try:
            config = TrainConfig.from_dict(self.document.project.training)
            self.message.hide()
        except ConfigError as error:
            config = TrainConfig()
            self.show_message(f"The project's training settings are not valid: {error}")
        self._filling = True
        try:
            self.optimizer.setCurrentText(config.optimizer.type)
            self.lr.setValue(config.optimizer.lr)
            self.batch_size.setValue(config.batch_size)
            self.epochs.setValue(config.epochs)
            self.loss.setCurrentText(config.loss)
            self.monitor.setCurrentText(config.monitor)
            self.early_stopping.setChecked(bool(config.early_stopping))
            self.patience.setValue((config.early_stopping or {}).get("patience", 5))
            self.patience.setEnabled(bool(config.early_stopping))
            self.checkpoint.setChecked(config.checkpoint)
            self.schedule.setCurrentText((config.schedule or {}).get("type", "none"))
            index = self.device.findData(config.device)
            self.device.setCurrentIndex(max(index, 0))
        finally:
            self._filling = False

    def settings(self) -> dict[str, Any]:
        """The project's training mapping with this form's values (other keys kept)."""
        data = dict(self.document.project.training or {})
        optimizer = dict(data.get("optimizer") or {})
        optimizer.update(type=self.optimizer.currentText(), lr=float(self.lr.value()))
        data.update(
            optimizer=optimizer,
            batch_size=self.batch_size.value(),
            epochs=self.epochs.value(),
            loss=self.loss.currentText(),
            monitor=self.monitor.currentText(),
            checkpoint=self.checkpoint.isChecked(),
            device=self.device.currentData(),
        )
        if self.early_stopping.isChecked():
            data["early_stopping"] = {"patience": self.patience.value()}
        else:
            data.pop("early_stopping", None)
        schedule = self.schedule.currentText()
        old = data.get("schedule")
        if schedule == "none":
            data.pop("schedule", None)
        elif not (isinstance(old, dict) and old.get("type") == schedule):
            data["schedule"] = {"type": schedule}
        return data

    def _changed(self, *_args) -> None:
        if self._filling:
            return
        self.patience.setEnabled(self.early_stopping.isChecked())
        self._filling = True  # our own edit: no need to refill the form from it
        try:
            # Named after the field that changed, not every default the first edit writes.
            name = self._edit_name
            set_section(self.document, "training", self.settings(), name and f"Set {name}")
        finally:
            self._filling = False

    def set_suggested_loss(self, loss: str | None) -> None:
        self.loss_hint.setText(f"suggested for this data: {loss}" if loss else "")

    def set_document(self, document) -> None:
        self.document.settings_changed.disconnect(self._on_settings_changed)
        self.document = document
        document.settings_changed.connect(self._on_settings_changed)
        self.load_from_project()

    def _on_settings_changed(self, section: str) -> None:
        if section == "training":
            self.load_from_project()

    # run state -----------------------------------------------------------------------------------
    def set_state(self, state: str) -> None:
        """ "idle", "running" or "paused": which buttons make sense now."""
        self.state = state
        self.train_button.setEnabled(state == "idle")
        self.pause_button.setEnabled(state in ("running", "paused"))
        self.pause_button.setText("Resume" if state == "paused" else "Pause")
        self.stop_button.setEnabled(state in ("running", "paused"))

    def _toggle_pause(self) -> None:
        (self.resume_requested if self.state == "paused" else self.pause_requested).emit()

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
