"""`ParamEditor`: the one editor of a parameter or setting, for the inspector (a layer's
`ParamSpec`s) and the training dock (the engine's settings, `SettingSpec`s, which are
`ParamSpec`s): a widget chosen by the spec's kind, checked with `spec.coerce` as it is typed, and
an inline error for a refused value, which is never applied.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from neurocanvas.engine.registry import ParamError, ParamSpec
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from . import theme
from .wheel_guard import guard_wheel

INT_LIMIT = 2**31 - 1


def error_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {theme.ERROR.name()}; font-size: 11px;")
    label.setObjectName("inlineError")
    label.hide()
    return label


_REFUSED = object()  # typed text the spec refused (None is a value: an optional setting off)


def value_text(value: Any) -> str:
    if isinstance(value, (tuple, list)):
        return ", ".join(str(v) for v in value)
    return str(value)


def _empty_means(help_text: str) -> str:
    """What an empty text field means, as the help says it: "... (empty: the first column)"."""
    found = re.search(r"\(empty: ([^)]*)\)", help_text)
    return f"empty: {found.group(1)}" if found else "text"


class _FloatSpin(QDoubleSpinBox):
    def textFromValue(self, value: float) -> str:  # noqa: N802 - Qt override
        # "0.5" rather than "0.500000": trailing zeros only add noise.
        text = f"{value:.{self.decimals()}f}".rstrip("0").rstrip(".")
        return text or "0"


class ParamEditor(QObject):
    """One parameter's widget and inline error. `committed(value)` carries a coerced value.

    `options`, for a choice: (value, label) pairs to offer instead of the spec's bare choices
    (a device list that names the GPU, say)."""

    committed = Signal(object)

    def __init__(
        self,
        spec: ParamSpec,
        value: Any,
        parent=None,
        options: Sequence[tuple[Any, str]] | None = None,
    ):
        super().__init__(parent)
        self.spec = spec
        self.options = options
        self.error = error_label()
        self.widget = self._make_widget()
        if isinstance(self.widget, (QComboBox, QAbstractSpinBox)):
            guard_wheel(
                self.widget
            )  # forms scroll under the wheel; fields change only when focused
        self.widget.setToolTip(f"{spec.help}\nAllowed: {spec.describe_range()}")
        self.set_value(value)

    def _make_widget(self) -> QWidget:
        spec = self.spec
        if spec.kind == "bool":
            widget = QCheckBox()
            widget.toggled.connect(lambda checked: self._commit(checked))
        elif spec.kind == "choice" and self.options is not None:
            widget = QComboBox()
            for value, label in self.options:
                widget.addItem(label, value)
            widget.currentIndexChanged.connect(lambda _i: self._commit(widget.currentData()))
        elif spec.kind == "choice":
            widget = QComboBox()
            widget.addItems(list(spec.choices))
            widget.currentTextChanged.connect(self._commit_text)
        elif self._optional_number:  # empty means off (or chosen automatically): a line edit
            widget = QLineEdit()
            widget.setPlaceholderText("empty: off")
            widget.textEdited.connect(self._check_text)
            widget.editingFinished.connect(lambda: self._commit_text(widget.text()))
        elif spec.kind == "int" and not spec.auto:
            widget = QSpinBox()
            widget.setRange(
                int(spec.min if spec.min is not None else -INT_LIMIT),
                int(spec.max if spec.max is not None else INT_LIMIT),
            )
            widget.valueChanged.connect(self._commit)
            widget.lineEdit().textEdited.connect(self._check_text)
            widget.editingFinished.connect(self._clear_error)  # Qt reverts invalid text there
        elif spec.kind == "float" and not spec.auto:
            widget = self._float_spin()
            widget.valueChanged.connect(self._commit)
            widget.lineEdit().textEdited.connect(self._check_text)
            widget.editingFinished.connect(self._clear_error)
        else:  # shapes, and any parameter that also accepts "auto"
            widget = QLineEdit()
            hint = "auto or " if spec.auto else ""
            example = {"shape": "1, 28, 28", "text": _empty_means(spec.help)}
            widget.setPlaceholderText(hint + example.get(spec.kind, spec.kind))
            widget.textEdited.connect(self._check_text)
            widget.editingFinished.connect(lambda: self._commit_text(widget.text()))
        return widget

    @property
    def _optional_number(self) -> bool:
        spec = self.spec
        return spec.kind in ("int", "float") and not spec.auto and getattr(spec, "optional", False)

    def _float_spin(self) -> QDoubleSpinBox:
        spec = self.spec
        widget = _FloatSpin()
        small = isinstance(spec.default, float) and 0 < abs(spec.default) <= 1e-3
        widget.setDecimals(7 if small else 4)  # before the range, which it would round
        widget.setRange(
            spec.min if spec.min is not None else -1e12,
            spec.max if spec.max is not None else 1e12,
        )
        if small:  # a learning rate: the arrows step by a tenth of the leading digit
            widget.setStepType(QAbstractSpinBox.StepType.AdaptiveDecimalStepType)
        else:
            widget.setSingleStep(0.05 if (spec.max or 10) <= 1 else 0.1)
        return widget

    # ---- values -------------------------------------------------------------------------------
    def set_value(self, value: Any) -> None:
        """Show `value` without emitting `committed` (undo, another node, ...)."""
        widget = self.widget
        blocked = widget.blockSignals(True)
        try:
            if isinstance(widget, QCheckBox):
                widget.setChecked(bool(value))
            elif isinstance(widget, QComboBox) and self.options is not None:
                widget.setCurrentIndex(max(widget.findData(value), 0))
            elif isinstance(widget, QComboBox):
                widget.setCurrentText(str(value))
            elif isinstance(widget, (QSpinBox, QDoubleSpinBox)):
                widget.setValue(value)
            elif widget.text() != ("" if value is None else value_text(value)):
                widget.setText("" if value is None else value_text(value))
        finally:
            widget.blockSignals(blocked)
        self._current = value
        self._clear_error()

    def value(self) -> Any:
        """The value last shown or committed (never a refused one)."""
        return self._current

    def _check_text(self, text: str) -> Any:
        """Validate typed text; returns the coerced value, or _REFUSED (and shows why)."""
        try:
            value = self.spec.coerce(self._typed(text.strip()))
        except ParamError as error:
            self.error.setText(str(error))
            self.error.show()
            return _REFUSED
        self._clear_error()
        return value

    def _typed(self, text: str) -> Any:
        """A spin box's text as the number it spells (specs that take numbers only, such as a
        batch size, refuse the text "16"); other text as it is, for the spec to read."""
        if isinstance(self.widget, (QSpinBox, QDoubleSpinBox)):
            try:
                return int(text) if isinstance(self.widget, QSpinBox) else float(text)
            except ValueError:
                pass  # the spec's own message says what is wrong with it
        if self._optional_number:
            if not text:
                return None
            try:
                return int(text) if self.spec.kind == "int" else float(text)
            except ValueError:
                pass
        return text

    def _clear_error(self) -> None:
        self.error.hide()
        self.error.clear()

    def _commit_text(self, text: str) -> None:
        value = self._check_text(text)
        if value is not _REFUSED:
            self._commit(value)

    def _commit(self, value: Any) -> None:
        try:
            value = self.spec.coerce(value)
        except ParamError as error:
            self.error.setText(str(error))
            self.error.show()
            return
        self._clear_error()
        if value != self._current:
            self._current = value
            self.committed.emit(value)
