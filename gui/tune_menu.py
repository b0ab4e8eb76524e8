""" "Tune this...": a parameter's (or a training setting's) search dimension, prefilled from its
spec (`engine.tune.space.dimension_for`: a number's range around its value, a choice's choices),
edited in a small dialog and added to the project's "tuning" section as one undoable edit; and
the space said in a line for the Tune tab (`space_text`)."""

from __future__ import annotations

from neurocanvas.engine.tune.space import (
    Dimension,
    TuningError,
    check_tuning,
    dimension_for,
    tuning_from_dict,
)
from neurocanvas.engine.tune.spec_text import _value
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QWidget,
)


class TuneDialog(QDialog):
    """A range (low, high, log scale) or a list of choices for one dimension."""

    def __init__(self, document, dimension: Dimension, parent=None):
        super().__init__(parent)
        self.document, self.base = document, dimension
        self.setWindowTitle(f"Tune {dimension.key}")
        form = QFormLayout(self)
        self.low = self.high = self.log = self.choices = None
        if dimension.choices is None:
            self.low, self.high = _number(dimension.low), _number(dimension.high)
            self.log = QCheckBox("log scale")
            self.log.setChecked(dimension.log)
            form.addRow("Low", self.low)
            form.addRow("High", self.high)
            form.addRow("", self.log)
        else:
            self.choices = QLineEdit(", ".join(str(c) for c in dimension.choices))
            self.choices.setToolTip("The values to try, separated by commas")
            form.addRow("Choices", self.choices)
        self.message = QLabel()
        self.message.setStyleSheet("color: #b91c1c")
        self.message.setWordWrap(True)
        form.addRow(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def dimension(self) -> Dimension:
        base = {"node": self.base.node, "param": self.base.param, "setting": self.base.setting}
        if self.choices is not None:
            values = [_value(v) for v in self.choices.text().split(",") if v.strip()]
            return Dimension(**base, choices=tuple(values))
        return Dimension(
            **base, low=self.low.value(), high=self.high.value(), log=self.log.isChecked()
        )

    def accept(self) -> None:
        """Add the dimension; a bad one keeps the dialog open with the message."""
        error = add_dimension(self.document, self.dimension())
        if error:
            self.message.setText(error)
            return
        super().accept()


def _number(value: float) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setDecimals(6)
    box.setRange(-1e9, 1e9)
    box.setValue(value)
    return box


def add_dimension(document, dimension: Dimension) -> str | None:
    """Add (or replace) `dimension` in the project's search space as one undoable edit named
    after it; returns the reason when the space would not be valid."""
    project = document.project
    try:
        config = tuning_from_dict(project.tuning or {}).with_dimension(dimension)
        check_tuning(config, project.graph, project.training)
    except TuningError as error:
        return str(error)
    document.set_settings("tuning", config.to_dict(), f"Tune {dimension.key}")
    return None


def tune_dialog(document, spec, current, parent: QWidget | None = None, **where) -> TuneDialog:
    """The dialog for the parameter `spec` (value `current`), prefilled; shown, not blocking."""
    dialog = TuneDialog(document, dimension_for(spec, current, **where), parent)
    dialog.open()
    return dialog


def tune_menu(parent: QWidget, open_dialog) -> QMenu:
    """A context menu with one action, "Tune this...", calling `open_dialog()`."""
    menu = QMenu(parent)
    menu.addAction("Tune this...", open_dialog)
    return menu


def space_text(tuning: dict) -> str:
    """The search space in a line: "Search space: dense1.units 8-128 (log), optimizer.lr ...;
    objective val_accuracy (maximize)"."""
    try:
        config = tuning_from_dict(tuning)
    except TuningError as error:
        return f"The search space is not valid: {error}"
    if not config.dimensions:
        return 'No search yet: right-click a parameter, "Tune this..."'
    parts = []
    for dim in config.dimensions:
        if dim.choices is not None:
            parts.append(f"{dim.key} in {{{', '.join(map(str, dim.choices))}}}")
        else:
            parts.append(f"{dim.key} {dim.low:g}-{dim.high:g}" + (" (log)" if dim.log else ""))
    objective = f"{config.objective} ({config.resolved_direction})"
    return f"Search space: {', '.join(parts)}; objective {objective}. Press Start search."
