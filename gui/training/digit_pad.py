"""A 28x28 draw-a-digit pad: paint with the mouse on a large canvas, read it back as a (28, 28)
float image in [0, 1] (white ink on black, as in MNIST), centred by its centre of mass."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

SIDE = 28
PAD_PIXELS = 280  # the drawing surface; shrunk to 28x28 for the model
PEN_WIDTH = 22


class DigitPad(QWidget):
    changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.canvas = QImage(PAD_PIXELS, PAD_PIXELS, QImage.Format.Format_Grayscale8)
        self.canvas.fill(0)
        self.last: QPointF | None = None
        self.setFixedSize(PAD_PIXELS, PAD_PIXELS)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setToolTip("Draw a digit with the mouse; right-click clears")

    def clear(self) -> None:
        self.canvas.fill(0)
        self.update()
        self.changed.emit()

    def draw_stroke(self, points: list[tuple[float, float]]) -> None:
        """Draw a polyline in pad pixels (for tests and the screenshot)."""
        painter = self._painter()
        for a, b in zip(points, points[1:]):
            painter.drawLine(QPointF(*a), QPointF(*b))
        painter.end()
        self.update()
        self.changed.emit()

    def _painter(self) -> QPainter:
        painter = QPainter(self.canvas)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(
            QColor("white"),
            PEN_WIDTH,
            Qt.PenStyle.SolidLine,
            Qt.PenCapStyle.RoundCap,
            Qt.PenJoinStyle.RoundJoin,
        )
        painter.setPen(pen)
        return painter

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.RightButton:
            self.clear()
            return
        self.last = event.position()
        self.draw_stroke([(self.last.x(), self.last.y()), (self.last.x() + 0.1, self.last.y())])

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self.last is None:
            return
        point = event.position()
        self.draw_stroke([(self.last.x(), self.last.y()), (point.x(), point.y())])
        self.last = point

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.last = None

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.drawImage(0, 0, self.canvas)
        painter.setPen(QPen(QColor("#64748b"), 1))
        painter.drawRect(0, 0, self.width() - 1, self.height() - 1)
        painter.end()

    def image(self) -> np.ndarray:
        """(28, 28) float32 in [0, 1]: the drawing fitted into 20x20 and centred, as MNIST is."""
        width, height = self.canvas.width(), self.canvas.height()
        bits = np.frombuffer(self.canvas.constBits(), dtype=np.uint8)
        pixels = bits.reshape(height, self.canvas.bytesPerLine())[:, :width].astype(np.float32)
        ys, xs = np.nonzero(pixels > 10)
        if len(xs) == 0:
            return np.zeros((SIDE, SIDE), dtype=np.float32)
        crop = pixels[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
        scale = 20.0 / max(crop.shape)
        small = _resize(
            crop, max(1, round(crop.shape[0] * scale)), max(1, round(crop.shape[1] * scale))
        )
        out = np.zeros((SIDE, SIDE), dtype=np.float32)
        top, left = (SIDE - small.shape[0]) // 2, (SIDE - small.shape[1]) // 2
        out[top : top + small.shape[0], left : left + small.shape[1]] = small
        total = out.sum()
        if total > 0:  # shift the centre of mass to the middle
            cy = int(round((out.sum(1) * np.arange(SIDE)).sum() / total))
            cx = int(round((out.sum(0) * np.arange(SIDE)).sum() / total))
            out = np.roll(out, (SIDE // 2 - cy, SIDE // 2 - cx), axis=(0, 1))
        return np.clip(out / 255.0, 0, 1)


def _resize(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Area-average resize (good for shrinking) without extra dependencies."""
    import torch
    import torch.nn.functional as F

    tensor = torch.from_numpy(np.ascontiguousarray(image))[None, None]
    return F.interpolate(tensor, size=(height, width), mode="area")[0, 0].numpy()
