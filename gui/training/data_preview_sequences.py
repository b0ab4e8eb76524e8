"""The data pane's pictures of sequences and texts (engine/data/sequence_preview.py gives the
values): the whole series with the split cuts marked, a few series of each class overlaid, and
for texts the token counts' histogram with the padding length and the most frequent tokens."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from .boundary import class_color

CUT_PEN = pg.mkPen("#dc2626", width=1.5, style=Qt.PenStyle.DashLine)
TICKS = 5  # the pane is narrow: a few dates fit under the plot


def _time_ticks(plot: pg.PlotWidget, times: list[str]) -> None:
    step = max(1, len(times) // TICKS)
    plot.getAxis("bottom").setTicks([[(i, str(times[i])) for i in range(0, len(times), step)]])


def draw_series(plot: pg.PlotWidget, overview: dict) -> None:
    """Each target column over time; dashed lines where validation and test begin."""
    plot.clear()
    plot.setTitle("The series, cut into train | validation | test", size="9pt")
    for index, (name, values) in enumerate(overview["lines"].items()):
        y = np.array([np.nan if v is None else v for v in values], dtype=float)
        colour = class_color(index)
        plot.plot(
            np.arange(len(y)), y, pen=pg.mkPen(colour, width=1.5), name=name, connect="finite"
        )
    for cut, label in zip(overview.get("cuts") or [], ("validation", "test")):
        line = pg.InfiniteLine(pos=cut - 0.5, angle=90, pen=CUT_PEN, label=label)
        line.label.setPosition(0.92)
        plot.addItem(line)
    _time_ticks(plot, overview["times"])
    plot.autoRange()


def draw_examples(plot: pg.PlotWidget, shown: dict) -> None:
    """The first few series of each class overlaid, one colour per class."""
    plot.clear()
    plot.setTitle(f"A few series per class ({shown['channel']})", size="9pt")
    named: set[int] = set()
    for example in shown["examples"]:
        index = example["class"]
        name = None if index in named else shown["class_names"][index]
        named.add(index)
        values = example["values"]
        plot.plot(np.arange(len(values)), values, pen=pg.mkPen(class_color(index)), name=name)
    plot.getAxis("bottom").setTicks(None)
    plot.autoRange()


class TextOverview(QWidget):
    """Texts with their token counts, the counts' histogram and the most frequent tokens."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.table = QTableWidget()
        self.histogram = pg.PlotWidget(background="w")
        self.histogram.setMinimumHeight(130)
        self.histogram.setMouseEnabled(False, False)
        self.top = QLabel()
        self.top.setWordWrap(True)
        self.top.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.histogram)
        layout.addWidget(self.top)

    def show_overview(self, shown: dict) -> None:
        table = self.table
        table.clear()
        table.setColumnCount(len(shown["columns"]))
        table.setRowCount(len(shown["rows"]))
        table.setHorizontalHeaderLabels(shown["columns"])
        for r, row in enumerate(shown["rows"]):
            for c, value in enumerate(row):
                item = QTableWidgetItem(str(value))
                if c == 0:
                    item.setToolTip(str(value))
                table.setItem(r, c, item)
        self._draw_histogram(shown)
        words = ", ".join(f"{token} ({count})" for token, count in shown["top_tokens"][:12])
        unknown = shown["unknown"] / max(1, shown["tokens"])
        self.top.setText(
            f"<b>Vocabulary {shown['vocabulary']:,}</b> (trained on the "
            f"{shown['training_texts']:,} training texts; {unknown:.0%} of their tokens are out "
            f"of it). Most frequent: {words}"
        )

    def _draw_histogram(self, shown: dict) -> None:
        plot = self.histogram
        plot.clear()
        heights, edges = shown["histogram"]["heights"], shown["histogram"]["edges"]
        centres = (np.asarray(edges[:-1]) + np.asarray(edges[1:])) / 2
        width = float(edges[1] - edges[0]) if len(edges) > 1 else 1.0
        plot.addItem(pg.BarGraphItem(x=centres, height=heights, width=width * 0.9, brush="#93c5fd"))
        line = pg.InfiniteLine(
            pos=shown["length"], angle=90, pen=CUT_PEN, label=f"length {shown['length']}"
        )
        line.label.setPosition(0.85)
        plot.addItem(line)
        plot.setTitle(
            f"Tokens per training text; {shown['cut']} cut at {shown['length']}", size="9pt"
        )
