"""The canvas preview: under each card, a small picture of the node's output for the chosen
sample (engine/inspect/preview.py entries, sent by the training process while it trains): a strip
of channel images for 2-D maps, a heat strip per channel for 1-D maps and sequences, bars for a
vector. `set_previews(view, previews)` places, updates or removes them."""

from __future__ import annotations

import numpy as np
from neurocanvas.engine.layout import CARD_HEIGHT
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QGraphicsPixmapItem

HEIGHT = 34  # px under the card (the rows are 110 px apart, the cards 66 px tall)
LEFT = 36  # px right of the card's centre: clear of the wire and its shape label
WIDTH = 150  # px: it may reach past the card, into the gap between rows (never over a card)
BAR_COLOUR = np.array([37, 99, 235], dtype=np.uint8)
BAR_NEGATIVE = np.array([220, 38, 38], dtype=np.uint8)


def _scaled(values: np.ndarray, low: float, high: float) -> np.ndarray:
    if not np.isfinite([low, high]).all() or high <= low:
        return np.zeros(values.shape, dtype=np.uint8)
    unit = np.clip((np.nan_to_num(values) - low) / (high - low), 0, 1)
    return (unit * 255).round().astype(np.uint8)


def picture(entry: dict) -> np.ndarray:
    """uint8 (H, W) grey or (H, W, 3) RGB picture of one preview entry."""
    values, (low, high) = np.asarray(entry["values"]), entry["range"]
    if entry["kind"] == "maps":  # channels side by side, one pixel of white between
        tiles = [_scaled(channel, low, high) for channel in values]
        gap = np.full((values.shape[1], 1), 255, dtype=np.uint8)
        parts = [part for tile in tiles for part in (tile, gap)][:-1]
        return np.concatenate(parts, axis=1)
    if entry["kind"] == "strip":  # one row per channel
        return _scaled(values, low, high)
    return _bars(values)


def _bars(values: np.ndarray, height: int = 32, width: int = 4) -> np.ndarray:
    """Each value a bar from the zero line (blue above, red below)."""
    top = max(float(np.nanmax(values)), 0.0)
    bottom = min(float(np.nanmin(values)), 0.0)
    span = (top - bottom) or 1.0
    zero = int(round(height * top / span))
    image = np.full((height, len(values) * width, 3), 255, dtype=np.uint8)
    for index, value in enumerate(np.nan_to_num(values)):
        size = int(round(height * abs(value) / span))
        rows = slice(zero - size, zero) if value >= 0 else slice(zero, zero + size)
        image[rows, index * width : index * width + width - 1] = (
            BAR_COLOUR if value >= 0 else BAR_NEGATIVE
        )
    return image


def pixmap(entry: dict) -> QPixmap:
    image = np.ascontiguousarray(picture(entry))
    h, w = image.shape[:2]
    grey = image.ndim == 2
    qimage = QImage(w, h, QImage.Format.Format_Grayscale8 if grey else QImage.Format.Format_RGB888)
    stride = qimage.bytesPerLine()
    np.frombuffer(qimage.bits(), dtype=np.uint8).reshape(h, stride)[:, : w * (1 if grey else 3)] = (
        image.reshape(h, -1)
    )
    return QPixmap.fromImage(qimage).scaled(
        WIDTH,
        HEIGHT,
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.FastTransformation,
    )


class PreviewItem(QGraphicsPixmapItem):
    """A card's preview, a child of its NodeItem (it moves with the card). A click opens the
    node's full feature maps (the Inside tab, for the latest checkpoint)."""

    def __init__(self, parent):
        super().__init__(parent)
        self.setPos(LEFT, CARD_HEIGHT + 3)
        self.setZValue(2)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.entry: dict | None = None

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt override
        views = self.scene().views() if self.scene() is not None else []
        for view in views:
            if hasattr(view, "inspect_requested"):
                view.inspect_requested.emit("feature_maps", self.parentItem().node_id)
        event.accept()

    def show_entry(self, entry: dict) -> None:
        self.entry = entry
        self.setPixmap(pixmap(entry))
        low, high = entry["range"]
        shape = "x".join(str(s) for s in entry["shape"])
        self.setToolTip(f"output {shape}, values {low:.3g} to {high:.3g}")


def set_previews(view, previews: dict[str, dict] | None) -> None:
    """Show `previews` (node id -> entry) under the cards; None removes them all."""
    for node_id, item in view.canvas_scene.nodes.items():
        child = item.preview_item
        entry = (previews or {}).get(node_id)
        if entry is None:
            if child is not None:
                child.setParentItem(None)
                view.canvas_scene.removeItem(child)
                item.preview_item = None
            continue
        if child is None:
            child = item.preview_item = PreviewItem(item)
        child.show_entry(entry)
