"""Weight and gradient histograms per layer per epoch, as TensorBoard shows them: the chosen
parameter's distribution over recent epochs, older epochs paler, newest in full colour.

Parameters are listed by the canvas's node id and a readable kind ("conv2d_1 weight"), not by
PyTorch's module path ("conv2d_1.0.weight").
"""

from __future__ import annotations

import re

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QBoxLayout, QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

KEEP_EPOCHS = 8  # curves drawn per plot; older snapshots are dropped
PLOT_MIN_HEIGHT = 120
SIDE_BY_SIDE_WIDTH = 640  # px: narrower, the two plots go one above the other
RECURRENT = re.compile(r"^(weight|bias)_(ih|hh)_l(\d+)(_reverse)?$")


def readable_name(name: str) -> str:
    """ "conv2d_1.0.weight" -> "conv2d_1 weight"; "lstm_1.0.weight_ih_l0" -> "lstm_1 input
    weight (layer 1)": the node id, then what the parameter is (module indices dropped)."""
    parts = name.split(".")
    if len(parts) == 1:
        return name
    node, kind = parts[0], parts[-1]
    middle = [part for part in parts[1:-1] if not part.isdigit()]
    match = RECURRENT.match(kind)
    if match:
        what, gate, layer, reverse = match.groups()
        kind = f"{'input' if gate == 'ih' else 'hidden'} {what} (layer {int(layer) + 1}"
        kind += ", reverse)" if reverse else ")"
    return " ".join([node, *middle, kind.replace("_", " ")])


class HistogramView(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.layer = QComboBox()
        self.layer.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.layer.currentIndexChanged.connect(lambda _i: self.redraw())
        self.weights_plot = pg.PlotWidget(background="w")
        self.grads_plot = pg.PlotWidget(background="w")
        for plot, title in ((self.weights_plot, "Weights"), (self.grads_plot, "Gradients")):
            plot.setTitle(title, size="11pt")
            plot.setLabel("left", "count")
            plot.showGrid(x=True, y=True, alpha=0.2)
            # Room for the title, the bars and the x-axis with its numbers: a squeezed plot cut
            # the axis off (the Training dock is scrolled rather than squeeze it further).
            plot.setMinimumHeight(PLOT_MIN_HEIGHT)
        top = QHBoxLayout()
        top.addWidget(QLabel("Parameter"))
        top.addWidget(self.layer, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        # Side by side where there is room, else one above the other: squeezed side by side
        # (the results pane at 1280x800 is ~380 px wide) the right plot and its axis were cut.
        self.plots = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.plots.addWidget(self.weights_plot)
        self.plots.addWidget(self.grads_plot)
        layout.addLayout(self.plots, 1)
        self.clear()

    def clear(self) -> None:
        self.snapshots: list[tuple[int, dict]] = []
        self.names: list[str] = []  # the parameters' own names, in the combo box's order
        self.layer.clear()
        self.weights_plot.clear()
        self.grads_plot.clear()

    def add(self, epoch: int, histograms: dict) -> None:
        self.snapshots = (self.snapshots + [(epoch, histograms)])[-KEEP_EPOCHS:]
        if self.layer.count() == 0:
            self.names = list(histograms)
            for name in histograms:
                self.layer.addItem(readable_name(name))
                self.layer.setItemData(self.layer.count() - 1, name, Qt.ItemDataRole.ToolTipRole)
        if self.isVisible():
            self.redraw()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        wide = self.width() >= SIDE_BY_SIDE_WIDTH
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self.plots.direction() != direction:
            self.plots.setDirection(direction)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self.redraw()  # drawn only when seen: nobody needs hidden histograms

    def redraw(self) -> None:
        index = self.layer.currentIndex()
        name = self.names[index] if 0 <= index < len(self.names) else None
        self.weights_plot.clear()
        self.grads_plot.clear()
        count = len(self.snapshots)
        for index, (epoch, histograms) in enumerate(self.snapshots):
            entry = histograms.get(name)
            if entry is None:
                continue
            alpha = int(60 + 195 * (index + 1) / count)
            newest = index == count - 1
            for plot, key, rgb in (
                (self.weights_plot, "weights", (37, 99, 235)),
                (self.grads_plot, "grads", (234, 88, 12)),
            ):
                if entry.get(key) is None:
                    continue
                counts, edges = entry[key]
                plot.plot(
                    np.asarray(edges),
                    np.asarray(counts),
                    stepMode="center",
                    pen=pg.mkPen((*rgb, alpha), width=2.5 if newest else 1.2),
                    name=f"epoch {epoch}" if newest else None,
                )
        if self.snapshots:  # short titles: the combo box names the parameter
            last = self.snapshots[-1][0]
            self.weights_plot.setTitle(f"Weights, epoch {last}", size="11pt")
            self.grads_plot.setTitle(f"Gradients, epoch {last}", size="11pt")
