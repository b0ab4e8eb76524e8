"""The summary tab: a Keras-style table (layer, output shape, params, FLOPs) and the totals."""

from __future__ import annotations

from neurocanvas.engine.units import bytes_text, count_text, flops_text
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

COLUMNS = ("Layer", "Type", "Output shape", "Params", "Trainable", "FLOPs")
TYPE_COLUMN = 1
COLUMN_PADDING = 16  # beyond the widest cell, so `max_pool2d_1` does not touch the next column


class SummaryView(QWidget):
    """Refreshed by the window while the tab is visible (FLOP counting runs every layer once)."""

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.document = document
        self.summary = None
        self.expanded: set[str] = set()  # block rows shown open; blocks start folded
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.cellClicked.connect(self._toggle)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)  # denser rows, as in Keras
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        # Columns are sized to their contents (plus room to breathe) in `_size_columns`; the
        # caption column takes the spare width, so the numbers stay next to their labels.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(TYPE_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.totals = QLabel()
        self.totals.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.totals.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.totals)

    def set_document(self, document) -> None:
        self.document = document
        self.refresh()

    def refresh(self) -> None:
        from neurocanvas.engine.shape_format import shape_text
        from neurocanvas.engine.summary import summarize

        document = self.document
        # The active network's (a block opened inside it folds out in its rows).
        summary = summarize(
            document.network_graph, document.auto, analysis=document.network_analysis
        )
        self.summary = summary
        self.table.setRowCount(len(summary.rows))
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        blocks = {line.parent for line in summary.rows if line.parent}
        for row, line in enumerate(summary.rows):
            name = line.name
            if line.name in blocks:  # a block: click to fold or unfold its layers
                name = ("▾ " if line.name in self.expanded else "▸ ") + name
            cells = (
                "    " * line.depth + name,
                line.caption,
                shape_text(line.output_shape),
                count_text(line.params),
                count_text(line.trainable),
                flops_text(line.flops),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column >= 3:
                    item.setTextAlignment(right)
                self.table.setItem(row, column, item)
        self._show_folding()
        self._size_columns()
        activations = bytes_text(summary.activation_bytes)
        counts = [
            f"<b>Total params:</b> {count_text(summary.total_params)} "
            f"({bytes_text(summary.param_bytes)})",
            f"<b>Trainable:</b> {count_text(summary.trainable_params)}",
            f"<b>Non-trainable:</b> {count_text(summary.non_trainable_params)}",
        ]
        if not summary.sizes_known:  # partial sums would read as the model's size
            counts = ["<b>Total params:</b> unknown until data gives the 'auto' sizes"]
        parts = [
            *counts,
            f"<b>FLOPs per sample:</b> {flops_text(summary.flops)}",
            f"<b>Activations per sample:</b> {activations}",
        ]
        notes = "".join(f"<br><span style='color:gray'>{note}</span>" for note in summary.notes)
        self.totals.setText(" &nbsp;·&nbsp; ".join(parts) + notes)

    def _show_folding(self) -> None:
        """Hide the rows inside a folded block (or inside a block inside one)."""
        hidden: set[str] = set()
        for row, line in enumerate(self.summary.rows):
            inside = bool(line.parent) and (
                line.parent not in self.expanded or line.parent in hidden
            )
            if inside:
                hidden.add(line.name)
            self.table.setRowHidden(row, inside)

    def _toggle(self, row: int, column: int) -> None:
        line = self.summary.rows[row] if self.summary else None
        if line is None or not any(other.parent == line.name for other in self.summary.rows):
            return
        self.expanded ^= {line.name}
        self.refresh()

    def _size_columns(self) -> None:
        """Every column but Type as wide as its widest cell or its title; Type stretches."""
        table, header = self.table, self.table.horizontalHeader()
        for column in range(len(COLUMNS)):
            if column != TYPE_COLUMN:
                wanted = max(table.sizeHintForColumn(column), header.sectionSizeHint(column))
                header.resizeSection(column, wanted + COLUMN_PADDING)
