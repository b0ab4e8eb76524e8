"""Gradients: each layer's gradient norm over the epochs (the trainer's per-layer series,
engine/training/grad_norms.py), on a log scale, so vanishing gradients (the first layers far below
the last) and exploding ones (a line shooting up) can be seen; the hint engine says so in words."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pyqtgraph as pg
from neurocanvas.engine.session.hints import gradient_hint
from neurocanvas.engine.training.events import EpochEnded
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

COLOURS = ("#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#4b5563", "#db2777")
IDLE = "Each layer's gradient norm per epoch appears here while a model trains."


class GradNormView(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.caption = QLabel(IDLE)
        self.caption.setWordWrap(True)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #b45309; font-weight: 600;")
        self.plot = pg.PlotWidget(background="w")
        self.plot.setLogMode(y=True)
        self.plot.getAxis("left").enableAutoSIPrefix(False)  # log ticks, not "(x0.001)"
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.plot.setLabel("bottom", "epoch")
        self.plot.setLabel("left", "gradient norm (log scale)")
        self.plot.addLegend(offset=(10, 10))
        layout = QVBoxLayout(self)
        layout.addWidget(self.caption)
        layout.addWidget(self.hint)
        layout.addWidget(self.plot, 1)
        self.clear()

    def clear(self) -> None:
        self.history: list[dict[str, float]] = []
        self.epochs: list[int] = []
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.plot.clear()
        self.caption.setText(IDLE)
        self.hint.hide()

    def add_progress(self, events: Iterable) -> None:
        """The epochs among a Progress message's events."""
        for event in events:
            if isinstance(event, EpochEnded) and event.grad_norms:
                self.add(event.epoch, event.grad_norms)

    def add(self, epoch: int, norms: dict[str, float]) -> None:
        self.epochs.append(epoch)
        self.history.append(dict(norms))
        for node in norms:
            if node not in self.curves:
                colour = COLOURS[len(self.curves) % len(COLOURS)]
                self.curves[node] = self.plot.plot(pen=pg.mkPen(colour, width=2), name=node)
        for node, curve in self.curves.items():
            values = [h.get(node, np.nan) for h in self.history]
            y = np.asarray([v if v and v > 0 else np.nan for v in values], dtype=float)
            curve.setData(np.asarray(self.epochs, dtype=float), y, connect="finite")
        self.caption.setText(
            f"Mean gradient norm of each layer's parameters per epoch, before clipping "
            f"({len(self.curves)} layers, epoch {epoch})."
        )
        hint = gradient_hint(self.history)
        self.hint.setText(hint)
        self.hint.setVisible(bool(hint))
