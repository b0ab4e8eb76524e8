"""The RBM tab: an rbm-step run as it trains. The first hidden units' filters (each one's weights
in the input's shape: what it looks for), reconstructions of the same fixed samples, the mean
free energy of training and validation samples per epoch (a gap that opens is the RBM's
overfitting signal), and samples from Gibbs chains started from the same seeded noise every
epoch, so each cell shows what the model has come to believe the data looks like.

The pictures come with each epoch from the training process (`EpochEnded.samples`, made by
engine/training/rbm_pictures.py); this view only draws them.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pyqtgraph as pg
from neurocanvas.engine.training.events import EpochEnded
from neurocanvas.engine.training.gan_samples import sample_kind, tile
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from .plots import curve, make_plot

REDRAW_MS = 500
TRAIN_COLOR, VAL_COLOR = "#2563eb", "#ea580c"


def signed_unit(weights: np.ndarray) -> np.ndarray:
    """Each filter scaled by its own largest |weight| to [0, 1], mid-grey at zero: positive
    weights light, negative dark, so a weak unit's pattern reads as well as a strong one's."""
    values = np.asarray(weights, dtype=np.float32)
    flat = values.reshape(len(values), -1)
    scale = np.abs(flat).max(axis=1, keepdims=True)
    unit = 0.5 + 0.5 * flat / np.maximum(scale, 1e-12)
    return unit.reshape(values.shape)


def grid(samples: np.ndarray) -> np.ndarray:
    """Image samples in a square grid; other samples (a table's rows) as one strip each."""
    if sample_kind(samples) == "image":
        return tile(samples)
    values = np.asarray(samples, dtype=np.float32).reshape(len(samples), 1, 1, -1)
    return tile(values, columns=1, pad=1)


def pairs(inputs: np.ndarray, outputs: np.ndarray) -> np.ndarray:
    """Images: the inputs in a row above their reconstructions; other samples: the inputs'
    strips, then the reconstructions'."""
    both = np.concatenate([np.asarray(inputs), np.asarray(outputs)])
    if sample_kind(both) == "image":
        return tile(both, columns=len(inputs))
    return grid(both)


class PicturePlot(pg.PlotWidget):
    """A picture scaled to the widget with its aspect kept, first row at the top, no axes."""

    def __init__(self, title: str):
        super().__init__(background="w")
        self.setMinimumSize(160, 120)
        self.setTitle(title, size="11pt")
        self.image = pg.ImageItem(axisOrder="row-major")
        self.addItem(self.image)
        self.getViewBox().setAspectLocked(True)
        self.getViewBox().invertY(True)
        self.getViewBox().setMouseEnabled(False, False)
        for axis in ("left", "bottom"):
            self.getPlotItem().hideAxis(axis)

    def show_picture(self, picture: np.ndarray) -> None:
        self.image.setImage(picture, levels=(0, 255), autoLevels=False)
        self.getViewBox().autoRange(padding=0.01)


class RbmView(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.status = QLabel("Train a project with the rbm step to watch its filters and samples.")
        self.status.setWordWrap(True)
        self.filters = PicturePlot("Filters")
        self.filters.setToolTip(
            "Each hidden unit's weights in the input's shape: what it responds to (each scaled "
            "by its own largest weight)"
        )
        self.chains = PicturePlot("Samples from Gibbs chains")
        self.chains.setToolTip(
            "P(v | h) after alternating Gibbs steps from the same seeded noise every epoch "
            "(each pixel on as often as in the training images): what the model generates"
        )
        self.energy_plot = make_plot("Free energy", "mean F(v)")
        self.energy_plot.setMinimumHeight(100)  # the pictures above get the room first
        self.curves = {
            "free_energy": curve(self.energy_plot, "training", TRAIN_COLOR, symbol="o"),
            "val_free_energy": curve(self.energy_plot, "validation", VAL_COLOR, symbol="o"),
        }
        self.gap = QLabel()
        self.gap.setWordWrap(True)
        self.reconstructions = PicturePlot("Fixed samples (top) and P(v | h) (bottom)")
        right = QVBoxLayout()
        right.addWidget(self.reconstructions, 1)
        right.addWidget(self.gap)
        # Pictures above (the filters are what an RBM is looked at for), figures below; every
        # part scales with the tab, so a narrow window clips nothing.
        body = QGridLayout()
        body.addWidget(self.filters, 0, 0)
        body.addWidget(self.chains, 0, 1)
        body.addWidget(self.energy_plot, 1, 0)
        body.addLayout(right, 1, 1)
        body.setRowStretch(0, 3)
        body.setRowStretch(1, 2)
        body.setColumnStretch(0, 1)
        body.setColumnStretch(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addLayout(body, 1)
        self.timer = QTimer(self)
        self.timer.setInterval(REDRAW_MS)
        self.timer.timeout.connect(self.redraw)
        self.timer.start()
        self.reset()

    # data in ---------------------------------------------------------------------------------
    def reset(self) -> None:
        self.history: list[dict[str, float]] = []
        self.latest: dict | None = None
        self.latest_epoch = 0
        for plot in (self.filters, self.chains, self.reconstructions):
            plot.image.clear()
        self.gap.clear()
        self.dirty = True

    def add_progress(self, events: Iterable) -> None:
        for event in events:
            if not isinstance(event, EpochEnded) or "free_energy" not in event.train:
                continue
            self.history.append({**event.val, **event.train})
            self.status.setText(f"Epoch {event.epoch} of {event.epochs}")
            if isinstance(event.samples, dict) and "filters" in event.samples:
                self.latest, self.latest_epoch = event.samples, event.epoch
            self.dirty = True

    def finish(self, finished: dict) -> None:
        self.status.setText(f"Finished after {len(self.history)} epochs.")
        self.redraw(force=True)

    # drawing ---------------------------------------------------------------------------------
    def redraw(self, force: bool = False) -> None:
        if not (self.dirty or force):
            return
        self.dirty = False
        epochs = np.arange(1, len(self.history) + 1, dtype=np.float64)
        for name, item in self.curves.items():
            values = np.array([h.get(name, np.nan) for h in self.history], dtype=np.float64)
            item.setData(epochs, values, connect="finite")
        self._show_gap()
        picture = self.latest
        if picture is None:
            return
        shown, hidden = len(picture["filters"]), picture["hidden"]
        self.filters.show_picture(grid(signed_unit(picture["filters"])))
        self.filters.setTitle(f"{shown} of {hidden} filters (grey 0, light +, dark -)", size="11pt")
        self.chains.show_picture(grid(picture["chains"]))
        self.chains.setTitle(
            f"{len(picture['chains'])} Gibbs chains, {picture['gibbs_steps']} steps · epoch "
            f"{self.latest_epoch}",
            size="11pt",
        )
        self.reconstructions.show_picture(pairs(picture["inputs"], picture["reconstructions"]))

    def _show_gap(self) -> None:
        last = self.history[-1] if self.history else {}
        if "val_free_energy" not in last:
            self.gap.setText("No validation split: only the training curve is drawn.")
            return
        gap = last["val_free_energy"] - last["free_energy"]
        first = self.history[0]
        start = first.get("val_free_energy", np.nan) - first.get("free_energy", np.nan)
        growing = len(self.history) > 1 and gap > start + max(abs(start), 1.0)
        self.gap.setText(
            f"Validation minus training free energy (lower: more probable): <b>{gap:+.2f}</b> "
            f"(epoch 1: {start:+.2f})"
            + (" · the gap is opening: the RBM is starting to overfit" if growing else "")
        )
