"""The training panel: optimizer, learning rate, batch size, epochs, loss, monitored metric, early
stopping, checkpoints, LR schedule and device; and the Train, Pause/Resume and Stop buttons.

The form is built from the engine's training `SettingSpec`s (engine/training/settings.py) with the
inspector's `ParamEditor`: each row's label, range, help and undo name ("Set batch size") come from
the setting's spec, and a value the spec refuses shows its message under the field. Every change
is written to the project's "training" section as one undoable edit of that one setting; the
document's `settings_changed("training")` (undo, redo) or opening another project refills the form.
"""

from __future__ import annotations

import copy
from typing import Any

from neurocanvas.engine.training import ConfigError, TrainConfig
from neurocanvas.engine.training.settings import spec_for
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..param_editor import ParamEditor
from .fit import compact, fitting_form
from .settings import row_label, set_section

# The form's settings, in order: (section, setting) -> the panel attribute holding its widget.
STEP = ("training", "step")
FIELDS: dict[tuple[str, str], str] = {
    STEP: "step",
    ("optimizer", "type"): "optimizer",
    ("optimizer", "lr"): "lr",
    ("training", "batch_size"): "batch_size",
    ("training", "epochs"): "epochs",
    ("training", "loss"): "loss",
    ("training", "monitor"): "monitor",
    ("early_stopping", "patience"): "patience",
    ("schedule", "type"): "schedule",
    ("training", "grad_clip"): "grad_clip",
    ("training", "grad_clip_value"): "grad_clip_value",
    ("training", "checkpoint"): "checkpoint",
    ("training", "device"): "device",
    ("training", "processes"): "processes",
}


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


def with_setting(training: dict[str, Any], section: str, name: str, value: Any) -> dict[str, Any]:
    """A copy of the project's training mapping with one setting changed (other keys kept)."""
    data = copy.deepcopy(training)
    if section == "training":
        data[name] = value
    elif section == "schedule":  # the type alone: "none" is no schedule, another type starts anew
        old = data.get("schedule")
        if value == "none":
            data.pop("schedule", None)
        elif not (isinstance(old, dict) and old.get("type") == value):
            data["schedule"] = {"type": value}
    else:
        data[section] = {**(data.get(section) or {}), name: value}
    return data


class TrainPanel(QWidget):
    train_requested = Signal()
    pause_requested = Signal()
    resume_requested = Signal()
    stop_requested = Signal()

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.document = document
        self._own_edit = False
        self.editors: dict[tuple[str, str], ParamEditor] = {}
        for key, attribute in FIELDS.items():
            options = device_choices() if key == ("training", "device") else None
            editor = ParamEditor(spec_for(*key), spec_for(*key).default, self, options=options)
            editor.committed.connect(lambda value, key=key: self._set(key, value))
            self.editors[key] = editor
            setattr(self, attribute, editor.widget)
            if isinstance(editor.widget, QComboBox):
                compact(editor.widget)
        self.patience.setSuffix(" epochs")
        self.loss_hint = QLabel()
        self.loss_hint.setObjectName("muted")
        self.loss_hint.setWordWrap(True)
        # Several processes run under torchrun from the command line, not in the window's
        # training process: the hint says so and gives the command.
        self.processes_hint = QLabel()
        self.processes_hint.setObjectName("muted")
        self.processes_hint.setWordWrap(True)
        self.processes_hint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.early_stopping = QCheckBox("Stop early")
        self.early_stopping.setToolTip(
            "Stop when the monitored metric has not improved for 'patience' epochs"
        )
        self.early_stopping.toggled.connect(self._toggle_early_stopping)
        # A choice for the next run, not a project setting (like train --init-from).
        self.start_from_latest = QCheckBox("from the latest run's weights")
        self.start_from_latest.setToolTip(
            "Layers whose names and shapes match take the weights of this project's latest run "
            "with a checkpoint; the others start fresh. E.g. train an RBM with the rbm step, "
            "then a classifier on its frozen features with the supervised step."
        )
        box = QGroupBox("Training settings")
        box.setLayout(self._form())
        self._buttons()
        layout = QVBoxLayout(self)
        layout.addWidget(box)
        layout.addLayout(self._button_row)
        layout.addWidget(self.message)
        layout.addStretch(1)
        document.settings_changed.connect(self._on_settings_changed)
        self.load_from_project()
        self.set_state("idle")

    def _form(self):
        form = fitting_form()
        for key, editor in self.editors.items():
            if key == ("training", "processes"):
                continue  # on the device's row (below): the form stays as tall as it was
            if key == ("early_stopping", "patience"):
                form.addRow("Early stopping", self.early_stopping)
            label = QLabel(row_label(editor.spec))
            label.setToolTip(editor.spec.help)
            if editor.spec.kind != "text":
                label.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
                label.customContextMenuRequested.connect(
                    lambda pos, key=key, widget=label: self._tune_menu(widget, pos, key)
                )
            if key == STEP:  # a list of valid choices: no error line to keep room for
                form.addRow(label, self._with_start_from(editor.widget))
                continue
            field = editor.widget
            if key == ("training", "device"):
                field = self._device_row(editor.widget)
            form.addRow(label, field)
            form.addRow("", editor.error)
            if key == ("training", "device"):
                form.addRow("", self.editors[("training", "processes")].error)
            if key == ("training", "loss"):
                form.addRow("", self.loss_hint)
            if key == ("training", "device"):
                form.addRow("", self.processes_hint)
        return form

    def _with_start_from(self, step: QWidget) -> QWidget:
        """The step's row also holds "Start from the latest run's weights": the two choices
        the rbm-features route makes together (one row: the form fits without scrolling)."""
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(step)
        layout.addWidget(self.start_from_latest, 1)
        return row

    def _device_row(self, device: QWidget) -> QWidget:
        """The device and, beside it, the processes that train together."""
        spec = self.editors[("training", "processes")].spec
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        label = QLabel(row_label(spec))
        label.setToolTip(spec.help)
        layout.addWidget(device, 1)
        layout.addWidget(label)
        layout.addWidget(self.processes)
        return row

    def _buttons(self) -> None:
        self.train_button = QPushButton("Train")
        self.train_button.setDefault(True)
        self.pause_button = QPushButton("Pause")
        self.stop_button = QPushButton("Stop")
        self.train_button.clicked.connect(self.train_requested)
        self.pause_button.clicked.connect(self._toggle_pause)
        self.stop_button.clicked.connect(self.stop_requested)
        self._button_row = QHBoxLayout()
        for button in (self.train_button, self.pause_button, self.stop_button):
            self._button_row.addWidget(button)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #dc2626;")
        self.message.hide()

    # project <-> form ----------------------------------------------------------------------------
    def load_from_project(self) -> None:
        if self._own_edit:
            return
        try:
            config = TrainConfig.from_dict(self.document.project.training)
            self.message.hide()
        except ConfigError as error:
            config = TrainConfig()
            self.show_message(f"The project's training settings are not valid: {error}")
        values = config.to_dict()
        for (section, name), editor in self.editors.items():
            source = values if section == "training" else values.get(section) or {}
            editor.set_value(source.get(name, editor.spec.default))
        blocked = self.early_stopping.blockSignals(True)
        self.early_stopping.setChecked(bool(config.early_stopping))
        self.early_stopping.blockSignals(blocked)
        self.patience.setEnabled(bool(config.early_stopping))
        self._show_processes_hint(config.processes)

    def _show_processes_hint(self, processes: int) -> None:
        path = getattr(self.document, "path", None)
        name = f'"{path}"' if path else "PROJECT.json (save it first)"
        self.processes_hint.setText(
            f"The window trains in one process; for {processes} processes run:\n"
            f"neurocanvas train {name}"
            if processes > 1
            else ""
        )
        self.processes_hint.setVisible(processes > 1)

    def _set(self, key: tuple[str, str], value: Any) -> None:
        """One setting changed in the form: one edit, named after the setting."""
        section, name = key
        training = self.document.settings("training")
        self._push(with_setting(training, section, name, value), self.editors[key].spec.label)
        if key == ("training", "processes"):  # the form refills only on others' edits
            self._show_processes_hint(value)

    def _tune_menu(self, widget, pos, key: tuple[str, str]) -> None:
        from ..tune_menu import tune_menu

        tune_menu(self, lambda: self.tune_this(key)).popup(widget.mapToGlobal(pos))

    def tune_this(self, key: tuple[str, str]):
        """ "Tune this..." for the training setting `key` ("optimizer", "lr"): its dialog."""
        from ..tune_menu import tune_dialog

        section, name = key
        training = self.document.settings("training")
        holder = training if section == "training" else (training.get(section) or {})
        spec = self.editors[key].spec
        current = holder.get(name, spec.default) if isinstance(holder, dict) else spec.default
        setting = name if section == "training" else f"{section}.{name}"
        return tune_dialog(self.document, spec, current, self, setting=setting)

    def _toggle_early_stopping(self, checked: bool) -> None:
        data = copy.deepcopy(self.document.settings("training"))
        if checked:
            data["early_stopping"] = {"patience": self.patience.value()}
        else:
            data.pop("early_stopping", None)
        self.patience.setEnabled(checked)
        self._push(data, "early stopping")

    def _push(self, training: dict[str, Any], name: str) -> None:
        self._own_edit = True  # our own edit: the form shows it already
        try:
            set_section(self.document, "training", training, f"Set {name}")
        finally:
            self._own_edit = False

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
