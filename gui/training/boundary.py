"""Playground-style decision boundary for 2-D data: the model's class probabilities on a grid as
a coloured image, with the training points on top, redrawn every time the worker sends a picture.

The grid is evaluated where the model trains (`engine/session/insight.boundary`); this view only
turns the (H, W, C) probabilities into colours.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

# TensorFlow Playground's orange (negative) and blue (positive), then more for extra classes.
CLASS_COLORS = np.array(
    [
        (245, 147, 34),
        (8, 119, 189),
        (22, 163, 74),
        (220, 38, 38),
        (147, 51, 234),
        (13, 148, 136),
        (219, 39, 119),
        (100, 116, 139),
        (202, 138, 4),
        (79, 70, 229),
    ],
    dtype=np.float32,
)
WHITE = np.array([255, 255, 255], dtype=np.float32)


def class_color(index: int) -> tuple[int, int, int]:
    return tuple(int(v) for v in CLASS_COLORS[index % len(CLASS_COLORS)])


def to_rgb(values: np.ndarray) -> np.ndarray:
    """(H, W, C) probabilities -> (H, W, 3) uint8: each class's colour, paler where unsure.
    C == 1 (regression) maps low..high values from orange through white to blue."""
    values = np.nan_to_num(values.astype(np.float32), nan=0.0, posinf=0.0, neginf=0.0)
    if values.shape[-1] == 1:
        v = values[..., 0]
        span = float(v.max() - v.min()) or 1.0
        p = ((v - v.min()) / span)[..., None]
        values = np.concatenate([1 - p, p], axis=-1)
    classes = values.shape[-1]
    colors = CLASS_COLORS[np.arange(classes) % len(CLASS_COLORS)]
    mixed = values @ colors  # the expected colour
    # Confidence 0 (uniform) -> white, 1 (certain) -> the class colour; as in Playground.
    confidence = (values.max(-1, keepdims=True) - 1.0 / classes) / (1 - 1.0 / classes)
    strength = 0.25 + 0.6 * np.clip(confidence, 0, 1)
    rgb = WHITE * (1 - strength) + mixed * strength
    return np.clip(rgb, 0, 255).astype(np.uint8)


class BoundaryView(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.caption = QLabel("The decision boundary appears here for data with 2 features.")
        self.caption.setWordWrap(True)
        self.plot = pg.PlotWidget(background="w")
        self.plot.setAspectLocked(True)  # equal scales: circles look round
        self.plot.setLabel("bottom", "x1 (standardised)")
        self.plot.setLabel("left", "x2 (standardised)")
        self.plot.setTitle("Decision boundary", size="11pt")
        for axis in ("left", "bottom"):
            self.plot.getAxis(axis).enableAutoSIPrefix(False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.scatter = pg.ScatterPlotItem(size=6, pen=pg.mkPen("#ffffff", width=0.8))
        self.plot.addItem(self.scatter)
        layout = QVBoxLayout(self)
        layout.addWidget(self.caption)
        layout.addWidget(self.plot, 1)
        self.epoch = 0
        self.updates = 0  # pictures received (tests)
        self.last_values: np.ndarray | None = None

    def set_points(
        self,
        points: np.ndarray | None,
        labels: np.ndarray | None,
        class_names: list[str] | None = None,
    ) -> None:
        """The training points (standardised, as the model sees them), coloured by class."""
        self.image.clear()
        self.last_values = None
        self.updates = 0
        self.epoch = 0
        self.plot.setTitle("Decision boundary", size="11pt")  # no epoch drawn yet
        if points is None:
            self.scatter.clear()
            self.caption.setText("The decision boundary appears here for data with 2 features.")
            return
        labels = np.asarray(labels)
        if labels.dtype.kind in "iub":
            brushes = [pg.mkBrush(*class_color(int(v))) for v in labels]
        else:  # regression targets: shade by value
            low, span = float(labels.min()), float(np.ptp(labels)) or 1.0
            brushes = [pg.mkBrush(*to_rgb(np.array([[[(v - low) / span]]]))[0, 0]) for v in labels]
        self.scatter.setData(points[:, 0], points[:, 1], brush=brushes)
        self.plot.autoRange()
        names = ", ".join(
            f"{name} ({'orange' if i == 0 else 'blue' if i == 1 else 'colour ' + str(i + 1)})"
            for i, name in enumerate(class_names or [])
        )
        self.caption.setText(
            f"{len(points)} training points{': ' + names if names else ''}. The background shows "
            "what the model predicts; it is redrawn as it trains."
        )

    def set_boundary(self, boundary: dict, epoch: int) -> None:
        values = boundary["values"]
        x0, x1, y0, y1 = boundary["extent"]
        self.image.setImage(to_rgb(values), autoLevels=False, levels=(0, 255))
        self.image.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        self.image.setZValue(-10)
        self.epoch = epoch
        self.updates += 1
        self.last_values = values
        self.plot.setTitle(f"Decision boundary after epoch {epoch}", size="11pt")
