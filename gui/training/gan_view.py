"""The GAN tab: a GAN-step run as it trains. The discriminator's and generator's losses and the
mean D(real), D(fake) per epoch, the generator's samples for fixed noise (the same codes every
epoch, so each cell evolves: `EpochEnded.samples`), the mode-collapse hint, and after the run the
digit score (mean_confidence, classes_present) and "Draw new samples" from the checkpoint.

Digits and other images are tiled into one picture; 2-D samples (the gan-ring toy) are drawn as
points over the real data, Playground style.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pyqtgraph as pg
from neurocanvas.engine.session.hints import gan_hint
from neurocanvas.engine.training.events import EpochEnded
from neurocanvas.engine.training.gan_samples import sample_kind, tile
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from .plots import curve, make_plot

REDRAW_MS = 500  # epochs of a toy GAN come many a second: the plots follow twice a second
REAL_BRUSH, FAKE_BRUSH = pg.mkBrush(148, 163, 184, 110), pg.mkBrush(234, 88, 12, 200)
D_COLOR, G_COLOR = "#2563eb", "#ea580c"
DRAWN = 64  # samples per "Draw new samples"


class SamplesPlot(pg.PlotWidget):
    """The samples: an image grid (aspect kept, no axes) or generated points over real ones."""

    def __init__(self):
        super().__init__(background="w")
        self.setMinimumSize(260, 260)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.real = pg.ScatterPlotItem(size=4, pen=None, brush=REAL_BRUSH, name="real")
        self.fake = pg.ScatterPlotItem(size=6, pen=None, brush=FAKE_BRUSH, name="generated")
        for item in (self.image, self.real, self.fake):
            self.addItem(item)
        self.legend = self.addLegend(offset=(-8, 8))
        self.legend.addItem(self.real, "real")
        self.legend.addItem(self.fake, "generated")
        self.kind = ""
        self.set_kind("image")

    def set_kind(self, kind: str) -> None:
        if kind == self.kind:
            return
        self.kind = kind
        points = kind == "points"
        for item in (self.real, self.fake, self.legend):
            item.setVisible(points)
        self.image.setVisible(not points)
        for axis in ("left", "bottom"):
            self.getPlotItem().showAxis(axis, points)
        self.showGrid(x=points, y=points, alpha=0.25)
        self.getViewBox().setAspectLocked(True)
        self.getViewBox().invertY(not points)  # an image's first row at the top

    def show_samples(self, samples: np.ndarray) -> None:
        kind = sample_kind(samples)
        self.set_kind(kind)
        if kind == "points":
            self.fake.setData(pos=np.asarray(samples, dtype=np.float64))
        elif kind == "image":
            picture = tile(samples)
            self.image.setImage(picture, levels=(0, 255), autoLevels=False)
            self.getViewBox().autoRange(padding=0.01)

    def set_real(self, points: np.ndarray | None) -> None:
        self.real.setData(pos=np.zeros((0, 2)) if points is None else points[:2000])


class GanView(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.status = QLabel("Train a project with the gan step to watch its samples evolve.")
        self.status.setWordWrap(True)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #b45309; font-weight: 600;")
        self.score = QLabel()
        self.score.setWordWrap(True)
        self.loss_plot = make_plot("Losses", "loss")
        self.prob_plot = make_plot("Discriminator's view", "mean D(x)")
        self.prob_plot.setXLink(self.loss_plot)
        self.curves = {
            "d_loss": curve(self.loss_plot, "discriminator", D_COLOR),
            "g_loss": curve(self.loss_plot, "generator", G_COLOR),
            "d_real": curve(self.prob_plot, "D(real)", D_COLOR),
            "d_fake": curve(self.prob_plot, "D(fake)", G_COLOR),
        }
        self.samples_title = QLabel("<b>Samples from fixed noise</b>")
        self.samples = SamplesPlot()
        self.draw_button = QPushButton("Draw new samples")
        self.draw_button.setToolTip("New random codes through the trained generator")
        self.draw_button.setEnabled(False)
        self.draw_button.clicked.connect(self.draw_new)
        # A conditional GAN's class picker: new samples of the chosen class (or of each in turn)
        self.class_label = QLabel("of class")
        self.class_picker = QComboBox()
        self.class_picker.setToolTip("The class a conditional generator draws")
        self.set_classes(None)

        plots = QVBoxLayout()
        plots.addWidget(self.loss_plot, 1)
        plots.addWidget(self.prob_plot, 1)
        right = QVBoxLayout()
        right.addWidget(self.samples_title)
        right.addWidget(self.samples, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.draw_button)
        buttons.addWidget(self.class_label)
        buttons.addWidget(self.class_picker)
        buttons.addStretch(1)
        right.addLayout(buttons)
        body = QHBoxLayout()
        body.addLayout(plots, 1)
        body.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.hint)
        layout.addWidget(self.score)
        layout.addLayout(body, 1)
        self.timer = QTimer(self)
        self.timer.setInterval(REDRAW_MS)
        self.timer.timeout.connect(self.redraw)
        self.timer.start()
        self.checkpoint: str | None = None
        self._draws = 0
        self.reset()

    # data in ---------------------------------------------------------------------------------
    def reset(self) -> None:
        self.history: list[dict[str, float]] = []
        self.critic = False
        self.prob_plot.setTitle("Discriminator's view", size="11pt")
        self.prob_plot.setYRange(0, 1, padding=0.02)
        self.latest: np.ndarray | None = None
        self.latest_epoch = 0
        self.checkpoint = None
        self.draw_button.setEnabled(False)
        self.set_classes(None)
        self.hint.hide()
        self.score.hide()
        self.samples_title.setText("<b>Samples from fixed noise</b>")
        self.dirty = True

    def set_real_points(self, points: np.ndarray | None) -> None:
        """The real data, drawn under 2-D generated points (None for other data)."""
        self.samples.set_real(points)

    def set_classes(self, names: list[str] | None) -> None:
        """A conditional GAN's class names (the picker shows), or None (hidden)."""
        self.class_picker.clear()
        if names:
            self.class_picker.addItem("each in turn", None)
            for index, name in enumerate(names):
                self.class_picker.addItem(str(name), index)
        for widget in (self.class_label, self.class_picker):
            widget.setVisible(bool(names))

    def add_progress(self, events: Iterable) -> None:
        for event in events:
            if isinstance(event, EpochEnded) and "d_real" in event.train:
                self.history.append(dict(event.train))
                self.status.setText(f"Epoch {event.epoch} of {event.epochs}")
                if event.samples is not None:
                    self.latest = np.asarray(event.samples)
                    self.latest_epoch = event.epoch
                self.dirty = True

    def finish(self, finished: dict) -> None:
        """The run's end: its digit score (digit GANs) and the checkpoint to draw from."""
        metrics = finished.get("test") or {}
        if "mean_confidence" in metrics:
            self.score.setText(
                f"<b>Digit score</b> (1,000 samples, read by the seed CNN): mean top-class "
                f"confidence <b>{metrics['mean_confidence']:.3f}</b>, "
                f"<b>{int(metrics['classes_present'])}</b> of 10 digits present"
            )
            self.score.show()
        self.status.setText(f"Finished after {len(self.history)} epochs.")
        self.checkpoint = finished.get("checkpoint")
        self.draw_button.setEnabled(bool(self.checkpoint))
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
        if self.latest is not None:
            self.samples.show_samples(self.latest)
            self.samples_title.setText(
                f"<b>Samples from fixed noise</b> · epoch {self.latest_epoch}"
            )
        if self.history and "wasserstein" in self.history[-1] and not self.critic:
            self.critic = True  # WGAN-GP: the critic's scores are not probabilities
            self.prob_plot.setTitle("Critic's mean scores", size="11pt")
            self.prob_plot.setLabel("left", "mean D(x)")
            self.prob_plot.enableAutoRange(axis="y")
        hint = gan_hint(self.history) if self.history else ""
        self.hint.setText(hint)
        self.hint.setVisible(bool(hint))

    # Try it: new codes ------------------------------------------------------------------------
    def draw_new(self) -> None:
        """New samples from the run's generator (loaded and run off the GUI thread)."""
        from ..background import run_in_background

        if not self.checkpoint:
            return
        path, seed = self.checkpoint, 1000 + self._draws
        label = self.class_picker.currentData() if self.class_picker.isVisibleTo(self) else None
        self._draws += 1
        count = DRAWN if self.samples.kind == "image" else 1000
        self.draw_button.setEnabled(False)

        def work():
            from neurocanvas.engine.training.gan_samples import load_generator

            return load_generator(path).draw(count, seed=seed, label=label)

        run_in_background(work, self._drawn, self._draw_failed)

    def _drawn(self, samples: np.ndarray) -> None:
        self.draw_button.setEnabled(True)
        self.latest = samples
        self.samples.show_samples(samples)
        label = self.class_picker.currentText() if self.class_picker.isVisibleTo(self) else ""
        of = f" of class {label}" if label and self.class_picker.currentData() is not None else ""
        self.samples_title.setText(f"<b>New samples</b>{of} · {len(samples)} fresh random codes")

    def _draw_failed(self, message: str, _details: str) -> None:
        self.draw_button.setEnabled(True)
        self.status.setText(f"Could not draw samples: {message}")
