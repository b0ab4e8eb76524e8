"""Confusion matrix heatmap (counts or row-normalised) and per-class precision/recall/F1 tables.

The heatmap is painted: square cells scaled to fit the space it has (all rows of a 10-class
matrix visible at once), the numbers' font scaled with the cells and never elided; below a
readable size the numbers are left out and the cell's tooltip gives them. It scrolls only when
even its smallest cells do not fit. Tests read the numbers back with `cell_text`.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

LOW, HIGH = QColor("#f8fafc"), QColor("#1d4ed8")
MIN_CELL = 14  # px: below this the heatmap scrolls
MAX_CELL = 90  # px: small matrices do not blow up to the whole view
READABLE_CELL = 34  # px: a cell this size shows "1450" and its row share
MIN_FONT, MAX_FONT = 7.0, 15.0  # px of the numbers in the cells
TWO_LINE_MIN_FONT = 10.0  # count and row share in one cell only when both stay this large
TEXT = QColor("#111827")


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


def _font(pixels: float, bold: bool = False) -> QFont:
    font = QFont()
    font.setPixelSize(max(int(pixels), 1))
    font.setBold(bold)
    return font


class Heatmap(QWidget):
    """The matrix as square coloured cells with their numbers; rows true, columns predicted."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.matrix: list[list[int]] = []
        self.names: list[str] = []
        self.normalized = False
        self.setMouseTracking(True)

    # data ------------------------------------------------------------------------------------
    def set_data(self, matrix: list[list[int]], names: list[str], normalized: bool) -> None:
        self.matrix, self.names, self.normalized = matrix, names, normalized
        self.updateGeometry()
        self.update()

    def rowCount(self) -> int:  # noqa: N802 - the QTableWidget spelling tests use
        return len(self.matrix)

    def columnCount(self) -> int:  # noqa: N802
        return len(self.matrix[0]) if self.matrix else 0

    def share(self, row: int, column: int) -> float:
        values = self.matrix[row]
        return values[column] / (sum(values) or 1)

    def cell_text(self, row: int, column: int) -> str:
        """What the cell says: "count\\nrow %" (or just "row %" when row-normalised)."""
        if not (0 <= row < self.rowCount() and 0 <= column < self.columnCount()):
            return ""
        share = f"{self.share(row, column):.0%}"
        return share if self.normalized else f"{self.matrix[row][column]}\n{share}"

    def fraction(self, row: int, column: int) -> float:
        if self.normalized:
            return self.share(row, column)
        peak = max((max(r) for r in self.matrix if r), default=0) or 1
        return self.matrix[row][column] / peak

    # geometry --------------------------------------------------------------------------------
    def _name(self, index: int) -> str:
        return self.names[index] if index < len(self.names) else str(index)

    def _header_sizes(self, cell: float) -> tuple[float, float, QFont]:
        """(left width, top height, font) of the row and column names for this cell size."""
        font = _font(min(max(cell * 0.32, 10.0), 13.0))
        metrics = QFontMetricsF(font)
        n = self.rowCount()
        widest = max((metrics.horizontalAdvance(self._name(i)) for i in range(n)), default=0)
        line = metrics.height()
        left = line + 6 + min(widest, 140) + 6  # "true" title, names
        top = line + 4 + line + 4  # "predicted" title, names
        return left, top, font

    def layout_cells(self) -> tuple[float, float, float]:
        """(x, y, cell size) of the grid's top-left corner and its square cells."""
        n = max(self.rowCount(), 1)
        cell = MAX_CELL
        for _ in range(2):  # header sizes depend a little on the cell size
            left, top, _font_ = self._header_sizes(cell)
            cell = min((self.width() - left - 4) / n, (self.height() - top - 4) / n, MAX_CELL)
            cell = max(cell, MIN_CELL)
        left, top, _font_ = self._header_sizes(cell)
        return left, top, cell

    def title_width(self, cell: float) -> float:
        """Width of the "predicted" title: never less, or it is cut to "redicte" (2 classes)."""
        _, _, font = self._header_sizes(cell)
        return QFontMetricsF(_font(font.pixelSize(), bold=True)).horizontalAdvance("predicted") + 8

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        left, top, _ = self._header_sizes(MIN_CELL)
        n = self.rowCount()
        width = left + max(n * MIN_CELL, self.title_width(MIN_CELL)) + 4
        return QSize(int(width), int(top + n * MIN_CELL + 4))

    def readable_width(self) -> float:
        """Width at which the cells are large enough for their numbers (READABLE_CELL)."""
        left, _, _ = self._header_sizes(READABLE_CELL)
        grid = self.columnCount() * READABLE_CELL
        return left + max(grid, self.title_width(READABLE_CELL)) + 4

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        left, top, _ = self._header_sizes(44)
        n = self.rowCount()
        return QSize(int(left + n * 44 + 4), int(top + n * 44 + 4))

    def cell_font(self, cell: float) -> tuple[QFont | None, bool]:
        """The numbers' font for this cell size and whether both lines fit (None: no text)."""
        texts = [
            self.cell_text(r, c) for r in range(self.rowCount()) for c in range(self.columnCount())
        ]
        lines = [line for text in texts for line in text.split("\n")] or ["0"]
        for two in (not self.normalized, False):
            count = 2 if two else 1
            size = min(MAX_FONT, cell * 0.8 / (1.25 * count))
            smallest = TWO_LINE_MIN_FONT if two else MIN_FONT  # else one larger line
            while size >= smallest:
                metrics = QFontMetricsF(_font(size))
                shown = lines if two else [t.split("\n")[0] for t in texts]
                widest = max(metrics.horizontalAdvance(line) for line in shown or ["0"])
                if widest <= cell * 0.88 and metrics.height() * count <= cell * 0.9:
                    return _font(size), two
                size -= 0.5
        return None, False

    def cell_at(self, x: float, y: float) -> tuple[int, int] | None:
        left, top, cell = self.layout_cells()
        column, row = int((x - left) // cell), int((y - top) // cell)
        if x >= left and y >= top and row < self.rowCount() and column < self.columnCount():
            return row, column
        return None

    # painting --------------------------------------------------------------------------------
    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt override
        n = self.rowCount()
        if not n:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        left, top, cell = self.layout_cells()
        font, two = self.cell_font(cell)
        grid = QPen(QColor("#e2e8f0"))
        for r in range(n):
            for c in range(self.columnCount()):
                rect = QRectF(left + c * cell, top + r * cell, cell, cell)
                fraction = self.fraction(r, c)
                painter.fillRect(rect, QBrush(blend(fraction)))
                painter.setPen(grid)
                painter.drawRect(rect)
                if font is not None:
                    painter.setFont(font)
                    painter.setPen(QColor("white") if fraction > 0.55 else TEXT)
                    text = self.cell_text(r, c)
                    painter.drawText(
                        rect, Qt.AlignmentFlag.AlignCenter, text if two else text.split("\n")[0]
                    )
        _, _, header_font = self._header_sizes(cell)
        metrics = QFontMetricsF(header_font)
        line = metrics.height()
        painter.setPen(TEXT)
        painter.setFont(header_font)
        for i in range(n):
            name = metrics.elidedText(self._name(i), Qt.TextElideMode.ElideRight, left - line - 12)
            painter.drawText(
                QRectF(line + 6, top + i * cell, left - line - 12, cell),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                name,
            )
            column_name = metrics.elidedText(self._name(i), Qt.TextElideMode.ElideRight, cell)
            painter.drawText(
                QRectF(left + i * cell, line + 4, cell, line),
                Qt.AlignmentFlag.AlignCenter,
                column_name,
            )
        bold = _font(header_font.pixelSize(), bold=True)
        painter.setFont(bold)
        title = max(n * cell, self.title_width(cell))  # centred over the grid, never clipped
        title_left = min(max(left + (n * cell - title) / 2, 0), max(self.width() - title, 0))
        painter.drawText(
            QRectF(title_left, 0, title, line), Qt.AlignmentFlag.AlignCenter, "predicted"
        )
        painter.save()  # "true" along the rows, read bottom to top
        painter.translate(0, top + n * cell / 2)
        painter.rotate(-90)
        painter.drawText(
            QRectF(-n * cell / 2, 0, n * cell, line), Qt.AlignmentFlag.AlignCenter, "true"
        )
        painter.restore()
        painter.end()

    def event(self, event) -> bool:
        if event.type() == event.Type.ToolTip:
            # A QHelpEvent has pos()/globalPos(), not the position() of mouse events.
            hit = self.cell_at(event.pos().x(), event.pos().y())
            if hit is not None:
                r, c = hit
                QToolTip.showText(
                    event.globalPos(),
                    f"true {self._name(r)}, predicted {self._name(c)}: "
                    f"{self.matrix[r][c]} ({self.share(r, c):.1%} of the row)",
                    self,
                )
            else:
                QToolTip.hideText()
            return True
        return super().event(event)


class ConfusionView(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.title = QLabel("Confusion matrix (rows: true class, columns: predicted)")
        self.title.setStyleSheet("font-weight: 600;")
        self.title.setWordWrap(True)
        self.normalized = QCheckBox("Row-normalised")
        self.normalized.toggled.connect(lambda _on: self._fill())
        self.table = Heatmap()
        self.scroll = QScrollArea()  # scrolls only when even the smallest cells do not fit
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll.setWidget(self.table)
        self.per_class = _table()
        self.per_class.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.per_class.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.per_class.horizontalHeader().setStretchLastSection(True)
        per_class_box = QWidget()
        per_class_layout = QVBoxLayout(per_class_box)
        per_class_layout.setContentsMargins(0, 0, 0, 0)
        per_class_layout.addWidget(QLabel("Per class"))
        per_class_layout.addWidget(self.per_class, 1)
        self.per_class_box = per_class_box
        # Side by side, so the heatmap gets the height (all ten rows of MNIST at once) and all
        # the width the per-class table, as wide as its numbers, leaves.
        # ... unless that leaves the cells too small for their numbers: then the table goes
        # below the heatmap (see resizeEvent).
        row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.scroll, 2)
        row.addWidget(per_class_box, 1)
        self.row = row
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        # A 10-class matrix needs more room than the results pane has at 1280x800 (~380 px):
        # "Enlarge…" shows it in a window of its own, sized to the screen.
        self.enlarge_button = QPushButton("Enlarge…")
        self.enlarge_button.setToolTip("Show the matrix in a window of its own, with its numbers")
        self.enlarge_button.clicked.connect(self.enlarge)
        options = QHBoxLayout()
        options.addWidget(self.normalized)
        options.addStretch(1)
        options.addWidget(self.enlarge_button)
        layout.addLayout(options)
        layout.addLayout(row, 1)
        self.matrix: list[list[int]] = []
        self.names: list[str] = []
        self.per_class_values: dict[str, list[float]] = {}
        self.split = "test"
        self.enlarged: QDialog | None = None

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
        self.per_class_values, self.split = dict(per_class or {}), split
        self._fill()
        self._fill_per_class(per_class or {})
        self.enlarge_button.setEnabled(bool(self.matrix))

    def enlarge(self) -> QDialog:
        """The same matrix in a window of its own (up to 90% of the screen), non-modal."""
        dialog = QDialog(self.window())
        dialog.setWindowTitle("Confusion matrix")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        view = ConfusionView(dialog)
        view.enlarge_button.hide()
        view.normalized.setChecked(self.normalized.isChecked())
        view.set_matrix(self.matrix, self.names, self.per_class_values, self.split)
        QVBoxLayout(dialog).addWidget(view)
        screen = (self.screen() or dialog.screen()).availableGeometry()
        side = max(READABLE_CELL * len(self.matrix), 420)
        dialog.resize(
            min(side + self.per_class_box.width() + 220, screen.width() * 9 // 10),
            min(side + 160, screen.height() * 9 // 10),
        )
        dialog.view = view
        dialog.show()
        self.enlarged = dialog
        return dialog

    def _fill(self) -> None:
        self.table.set_data(self.matrix, self.names, self.normalized.isChecked())

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
        self.per_class.resizeRowsToContents()
        self.per_class.resizeColumnsToContents()
        table = self.per_class
        width = (
            table.verticalHeader().sizeHint().width()
            + table.horizontalHeader().length()
            + table.verticalScrollBar().sizeHint().width()
            + 2 * table.frameWidth()
            + 4
        )
        self.per_class_box.setFixedWidth(max(width, 120))
        self.per_class_box.setVisible(bool(keys))
        self._arrange(self.width(), self.height())

    def cell_text(self, row: int, column: int) -> str:
        return self.table.cell_text(row, column)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        self._arrange(event.size().width(), event.size().height())
        super().resizeEvent(event)

    def _arrange(self, width: int, height: int) -> None:
        """The per-class table beside the heatmap or below it: whichever leaves larger cells
        (a narrow results pane squeezed a 2-class matrix to 70 px beside the table)."""
        n = self.table.rowCount()
        if self.per_class_box.isHidden() or not n:
            side = True
        else:
            left, top, _ = self.table._header_sizes(READABLE_CELL)
            head = self.title.sizeHint().height() + self.normalized.sizeHint().height() + 8
            table_w = self.per_class_box.width() + 8
            table_h = min(self.per_class.sizeHint().height() + 30, height * 0.45)
            beside = min((width - table_w - left) / n, (height - head - top) / n)
            below = min((width - left) / n, (height - head - top - table_h) / n)
            side = beside >= below
        direction = QBoxLayout.Direction.LeftToRight if side else QBoxLayout.Direction.TopToBottom
        if self.row.direction() != direction:
            self.row.setDirection(direction)
