"""`LayoutRows`: the Data form's "File layout" row for a delimited file (a table, series to
classify as UCR / wide / long rows, a time series to forecast, texts) and the rows of the chosen
layout's own settings (window, horizon, stride, missing values...; the text column, tokenizer,
vocabulary...), one `ParamEditor` per engine `SettingSpec` (engine/data/layout_settings.py), so
the form offers exactly what the loader takes, checked as it is typed.

A layout's `ignore` setting has no row: the column table's "ignore" role writes it, as it does
for a plain table.
"""

from __future__ import annotations

from typing import Any

from neurocanvas.engine.data.layout_settings import LAYOUT, LAYOUT_SETTINGS
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFormLayout

from ..param_editor import ParamEditor
from .fit import compact
from .settings import row_label

NO_ROW = ("ignore",)  # the column table's roles give these
_EMPTY = (None, "", [], ())


class LayoutRows(QObject):
    """The layout row and every layout's setting rows in `form`; only the chosen layout's show."""

    edited = Signal(str)  # the changed setting's label, for the undo step ("Set window")

    def __init__(self, form: QFormLayout, parent=None):
        super().__init__(parent)
        self.form = form
        self.layout = ParamEditor(LAYOUT, LAYOUT.default, self)
        compact(self.layout.widget)
        self.layout.committed.connect(self._layout_chosen)
        self._add_row(self.layout)
        self.editors: dict[str, dict[str, ParamEditor]] = {}
        for layout, specs in LAYOUT_SETTINGS.items():
            rows = {}
            for spec in specs:
                if spec.name in NO_ROW:
                    continue
                editor = ParamEditor(spec, spec.default, self)
                editor.committed.connect(lambda _v, label=spec.label: self.edited.emit(label))
                self._add_row(editor)
                rows[spec.name] = editor
            self.editors[layout] = rows
        self._shown = True
        self._show_rows()

    def _add_row(self, editor: ParamEditor) -> None:
        self.form.addRow(row_label(editor.spec), editor.widget)
        self.form.addRow("", editor.error)

    def current(self) -> str:
        return str(self.layout.widget.currentText())

    def set_shown(self, shown: bool) -> None:
        """Show the rows (a delimited file is the source) or hide them all (any other source)."""
        self._shown = shown
        self._show_rows()

    def _show_rows(self) -> None:
        chosen = self.current()
        self.form.setRowVisible(self.layout.widget, self._shown)
        for layout, rows in self.editors.items():
            for editor in rows.values():
                self.form.setRowVisible(editor.widget, self._shown and layout == chosen)
                if not (self._shown and layout == chosen):
                    self.form.setRowVisible(editor.error, False)

    def _layout_chosen(self, _value: Any) -> None:
        self._show_rows()
        self.edited.emit(LAYOUT.label)

    def fill(self, params: dict[str, Any]) -> None:
        """Show `params`' layout and its settings (defaults where a setting is not given)."""
        layout = params.get("layout") or LAYOUT.default
        self.layout.set_value(layout)
        for rows in self.editors.values():
            for name, editor in rows.items():
                value = params.get(name) if rows is self.editors.get(layout) else None
                editor.set_value(editor.spec.default if value is None else value)
        self._show_rows()

    def apply(self, params: dict[str, Any]) -> dict[str, Any]:
        """`params` with the form's layout and its settings: other layouts' settings removed,
        settings at their default left out (as a saved file has them)."""
        out = dict(params)
        for rows in self.editors.values():
            for name in rows:
                out.pop(name, None)
        layout = self.current()
        if layout == LAYOUT.default:
            out.pop("layout", None)
            return out
        out["layout"] = layout
        for name, editor in self.editors.get(layout, {}).items():  # UCR rows take no settings
            value = editor.value()
            if value not in _EMPTY and value != editor.spec.default:
                out[name] = list(value) if isinstance(value, tuple) else value
        return out
