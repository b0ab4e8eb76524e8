"""The data panel's preview: a scatter of 2-D points coloured by class, a grid of sample images
(augmented when augmentation is on), the first rows of a table, a series with its split cuts, a
few sequences per class, or texts with their token counts (data_preview_sequences.py); empty
until data is loaded."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel, QSizePolicy, QStackedWidget, QTableWidget, QTableWidgetItem

from .boundary import class_color
from .data_preview_sequences import TextOverview, draw_examples, draw_series

PREVIEW_HEIGHT = 160  # px the preview asks for; it grows into any height left over


class DataPreview(QStackedWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.scatter = pg.PlotWidget(background="w")
        self.scatter.setMinimumHeight(160)
        self.scatter_item = pg.ScatterPlotItem(size=5, pen=None)
        self.scatter.addItem(self.scatter_item)
        self.table = QTableWidget()
        # A plain label, not pg.ImageView: every ImageView registers the same named view box, and
        # pyqtgraph's clean-up of those on deletion crashes PySide 6.12 (none_dealloc).
        self.image = ImagePreview()
        self.lines = pg.PlotWidget(background="w")  # a series, or sequences per class
        self.lines.setMinimumHeight(160)
        # The pane scrolls under the wheel: a plot that zoomed instead lost the series (it is
        # drawn whole; there is nothing to zoom into in this small preview).
        self.lines.setMouseEnabled(False, False)
        self.lines.addLegend(offset=(6, 6))
        self.texts = TextOverview()
        for widget in (QLabel(""), self.scatter, self.table, self.image, self.lines, self.texts):
            self.addWidget(widget)
        # Asks for its 160 px and takes any height left over. (Asking for none, it was left out
        # of the pane's height-for-width sum: a long error then squeezed the form's rows.)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.MinimumExpanding)
        self.setMinimumHeight(PREVIEW_HEIGHT)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(super().sizeHint().width(), PREVIEW_HEIGHT)  # more only when there is room

    def show_result(self, result: dict[str, Any]) -> None:
        """Show a `load_preview` result: a scatter, an image grid or the table's first rows."""
        if result.get("points") is not None:
            points, values = result["points"], np.asarray(result["values"])
            if values.dtype.kind in "iub":
                brushes = [pg.mkBrush(*class_color(int(v))) for v in values]
            else:
                brushes = pg.mkBrush("#2563eb")
            self.scatter_item.setData(points[:, 0], points[:, 1], brush=brushes)
            self.scatter.autoRange()
            self.setCurrentWidget(self.scatter)
        elif result.get("series") is not None:
            draw_series(self.lines, result["series"])
            self.setCurrentWidget(self.lines)
        elif result.get("examples") is not None:
            draw_examples(self.lines, result["examples"])
            self.setCurrentWidget(self.lines)
        elif result.get("text_overview") is not None:
            self.texts.show_overview(result["text_overview"])
            self.setCurrentWidget(self.texts)
        elif result.get("images") is not None:
            self.image.set_image(np.asarray(result["images"]))
            self.setCurrentWidget(self.image)
        else:
            columns, rows = result["columns"], result["rows"]
            self.table.clear()
            self.table.setColumnCount(len(columns))
            self.table.setRowCount(len(rows))
            self.table.setHorizontalHeaderLabels(columns)
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    self.table.setItem(r, c, QTableWidgetItem(value))
            self.setCurrentWidget(self.table)

    def clear_preview(self) -> None:
        self.image.clear_image()
        self.scatter_item.clear()
        self.lines.clear()
        self.table.clear()
        self.table.setRowCount(0)
        self.table.setColumnCount(0)
        self.setCurrentIndex(0)


class ImagePreview(QLabel):
    """A grid of sample images (uint8, (H, W) or (H, W, 3)), scaled to fit with crisp pixels."""

    def __init__(self):
        super().__init__()
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumHeight(160)
        self._pixmap: QPixmap | None = None

    def set_image(self, grid: np.ndarray) -> None:
        grid = np.ascontiguousarray(grid, dtype=np.uint8)
        height, width = grid.shape[:2]
        if grid.ndim == 3:
            image = QImage(grid.data, width, height, 3 * width, QImage.Format.Format_RGB888)
        else:
            image = QImage(grid.data, width, height, width, QImage.Format.Format_Grayscale8)
        self._pixmap = QPixmap.fromImage(image.copy())  # copy: the numpy buffer is temporary
        self._rescale()

    def clear_image(self) -> None:
        self._pixmap = None
        self.clear()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._rescale()

    def _rescale(self) -> None:
        if self._pixmap is not None and not self._pixmap.isNull():
            self.setPixmap(
                self._pixmap.scaled(
                    self.size(),
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.FastTransformation,
                )
            )
