"""Confusion matrix heatmap (counts or row-normalised) and per-class precision/recall/F1 tables.

A `QTableWidget` rather than an image: every cell stays readable text at any size, the colour
is only its background, and tests can read the numbers back.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

LOW, HIGH = QColor("#f8fafc"), QColor("#1d4ed8")


def blend(fraction: float) -> QColor:
    f = min(max(fraction, 0.0), 1.0)
    return QColor(
        round(LOW.red() + (HIGH.red() - LOW.red()) * f),
        round(LOW.green() + (HIGH.green() - LOW.green()) * f),
        round(LOW.blue() + (HIGH.blue() - LOW.blue()) * f),
    )


def _table() -> QTableWidget:
    table = QTableWidget()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    return table


class ConfusionView(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.title = QLabel("Confusion matrix (rows: true class, columns: predicted)")
        self.title.setStyleSheet("font-weight: 600;")
        self.normalized = QCheckBox("Row-normalised")
        self.normalized.toggled.connect(lambda _on: self._fill())
        self.table = _table()
        self.per_class = _table()
        self.per_class.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.normalized)
        layout.addWidget(self.table, 3)
        layout.addWidget(QLabel("Per class"))
        layout.addWidget(self.per_class)
        self.matrix: list[list[int]] = []
        self.names: list[str] = []

    def set_matrix(
        self,
        matrix: list[list[int]] | None,
        names: list[str],
        per_class: dict[str, list[float]] | None = None,
        split: str = "test",
    ) -> None:
        self.matrix = [list(map(int, row)) for row in (matrix or [])]
        self.names = list(names) or [str(i) for i in range(len(self.matrix))]
        self.title.setText(
            f"Confusion matrix on the {split} split (rows: true class, columns: predicted)"
        )
        self._fill()
        self._fill_per_class(per_class or {})

    def _fill(self) -> None:
        n = len(self.matrix)
        self.table.clear()
        self.table.setRowCount(n)
        self.table.setColumnCount(n)
        self.table.setHorizontalHeaderLabels([f"pred {name}" for name in self.names[:n]])
        self.table.setVerticalHeaderLabels([f"true {name}" for name in self.names[:n]])
        peak = max((max(row) for row in self.matrix if row), default=0) or 1
        for r, row in enumerate(self.matrix):
            total = sum(row) or 1
            for c, count in enumerate(row):
                share = count / total
                text = f"{share:.0%}" if self.normalized.isChecked() else f"{count}"
                if not self.normalized.isChecked() and n <= 12:
                    text += f"\n{share:.0%}"
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                fraction = share if self.normalized.isChecked() else count / peak
                item.setBackground(QBrush(blend(fraction)))
                item.setForeground(QBrush(QColor("white" if fraction > 0.55 else "#111827")))
                self.table.setItem(r, c, item)

    def _fill_per_class(self, per_class: dict[str, list[float]]) -> None:
        keys = [k for k in ("precision", "recall", "f1", "support") if k in per_class]
        self.per_class.clear()
        self.per_class.setColumnCount(len(keys))
        self.per_class.setHorizontalHeaderLabels(keys)
        rows = len(per_class[keys[0]]) if keys else 0
        self.per_class.setRowCount(rows)
        self.per_class.setVerticalHeaderLabels(self.names[:rows])
        for c, key in enumerate(keys):
            for r, value in enumerate(per_class[key]):
                text = f"{int(value)}" if key == "support" else f"{value:.3f}"
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.per_class.setItem(r, c, item)
        # As tall as its rows, so a 3-class table does not float in white space.
        self.per_class.resizeRowsToContents()
        height = (
            self.per_class.horizontalHeader().sizeHint().height()
            + self.per_class.verticalHeader().length()
            + 2 * self.per_class.frameWidth()
        )
        self.per_class.setMaximumHeight(min(height, 320))

    def cell_text(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text() if item else ""
