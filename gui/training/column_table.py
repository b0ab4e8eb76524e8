"""The CSV step's column table: every column of the chosen file with the type the loader detects,
its missing cells and a role (feature, target, ignore, categorical) chosen before loading. The
facts come from `engine.data.column_report.describe_columns`; the Data pane turns the roles into
the data section's `target` and `params.ignore` / `params.categorical`.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QHeaderView, QTableWidget
from PySide6.QtWidgets import QTableWidgetItem as Item

from ..wheel_guard import guard_wheel

ROLES = ("feature", "target", "ignore", "categorical")
ROLE_HELP = {
    "feature": "An input of the model, encoded as its type says",
    "target": "The column the model learns to predict",
    "ignore": "Left out (an ID, a free-text note)",
    "categorical": "An input encoded as categories even though it holds numbers (a code)",
}
HEADERS = ("Column", "Type", "Missing", "Role")
VISIBLE_ROWS = 8  # taller tables scroll


class ColumnTable(QTableWidget):
    roles_changed = Signal(str, str)  # a column, the role the person chose for it

    def __init__(self, parent=None):
        super().__init__(0, len(HEADERS), parent)
        self.setHorizontalHeaderLabels(HEADERS)
        self.verticalHeader().hide()
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.setToolTip("Choose each column's role before loading; the target is what is learnt")
        self.facts: list[dict[str, Any]] = []
        self._setting = False

    # facts and roles ---------------------------------------------------------------------------
    def show_facts(self, facts: list[dict[str, Any]]) -> None:
        """One row per column: name, detected type, missing count, a role box (all features)."""
        self.facts = list(facts)
        self._setting = True
        try:
            self.setRowCount(len(facts))
            for row, fact in enumerate(facts):
                self.setItem(row, 0, Item(fact["name"]))
                kind = fact["kind"]
                text = f"category ({fact['values']} values)" if kind == "category" else kind
                item = Item(text)
                item.setToolTip(fact.get("problem") or _kind_help(kind))
                self.setItem(row, 1, item)
                self.setItem(row, 2, Item(str(fact["missing"])))
                box = QComboBox()
                box.addItems(ROLES)
                for index, role in enumerate(ROLES):
                    box.setItemData(index, ROLE_HELP[role], 3)  # Qt.ToolTipRole
                guard_wheel(box)  # the pane scrolls under the wheel
                box.currentTextChanged.connect(lambda role, r=row: self._chosen(r, role))
                self.setCellWidget(row, 3, box)
        finally:
            self._setting = False
        self._fit_height()
        self.setVisible(bool(facts))

    def clear_columns(self) -> None:
        self.show_facts([])

    def names(self) -> list[str]:
        return [fact["name"] for fact in self.facts]

    def role(self, name: str) -> str:
        return self._box(self.names().index(name)).currentText()

    def set_roles(self, target: str | None, ignore: list[str], categorical: list[str]) -> None:
        """Show the data section's choices (without `roles_changed`)."""
        self._setting = True
        try:
            for row, name in enumerate(self.names()):
                role = (
                    "target"
                    if name == target
                    else "ignore"
                    if name in ignore
                    else "categorical"
                    if name in categorical
                    else "feature"
                )
                self._box(row).setCurrentText(role)
        finally:
            self._setting = False

    def target(self) -> str | None:
        return next((n for n in self.names() if self.role(n) == "target"), None)

    def ignored(self) -> list[str]:
        return [n for n in self.names() if self.role(n) == "ignore"]

    def categorical(self) -> list[str]:
        return [n for n in self.names() if self.role(n) == "categorical"]

    # internals ---------------------------------------------------------------------------------
    def _box(self, row: int) -> QComboBox:
        return self.cellWidget(row, 3)

    def _chosen(self, row: int, role: str) -> None:
        if self._setting:
            return
        if role == "target":  # one target: the one before becomes a feature
            self._setting = True
            try:
                for other in range(self.rowCount()):
                    if other != row and self._box(other).currentText() == "target":
                        self._box(other).setCurrentText("feature")
            finally:
                self._setting = False
        self.roles_changed.emit(self.names()[row], role)

    def _fit_height(self) -> None:
        rows = min(self.rowCount(), VISIBLE_ROWS)
        height = self.horizontalHeader().sizeHint().height() + 2 * self.frameWidth()
        height += sum(self.rowHeight(r) for r in range(rows)) if rows else 0
        self.setFixedHeight(height)


def _kind_help(kind: str) -> str:
    return {
        "number": "Numbers: used as they are (standardised if chosen)",
        "category": "Text values: one-hot encoded (numbered when there are many)",
        "empty": "No value in any row: left out",
    }.get(kind, "")
