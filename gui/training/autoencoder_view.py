"""The Autoencoder tab: the same test samples' inputs, (noisy inputs,) and reconstructions,
refreshed while the model trains; the bottleneck's latent space as points coloured by label
(PCA to 2-D when the code is wider), hover a point to see its sample; and for a 2-D code (the
VAE) a grid of codes across the latent plane, decoded. Its pictures come from the training
process (`Snapshot.autoencoder`, engine/session/reconstruction.py).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from neurocanvas.engine.training.gan_samples import sample_kind, tile
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from .results import pixmap_from_array

# Ten label colours (Tableau 10), a digit each.
PALETTE = [
    (31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
    (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207),
]  # fmt: skip
ROW_NAMES = (("inputs", "Input"), ("noisy", "Noisy input"), ("outputs", "Reconstruction"))


def strip(samples: np.ndarray) -> np.ndarray:
    """One row of samples as a picture: images side by side, other samples as value strips."""
    if sample_kind(samples) == "image":
        return tile(samples, columns=len(samples))
    values = np.asarray(samples, dtype=np.float32).reshape(len(samples), 1, 1, -1)
    return tile(values, columns=1, pad=1)


class AutoencoderView(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.status = QLabel("Train an autoencoder (data: reconstruct) to watch it learn.")
        self.status.setWordWrap(True)
        self.rows: dict[str, tuple[QLabel, QLabel]] = {}
        grid = QGridLayout()
        for i, (key, title) in enumerate(ROW_NAMES):
            name, picture = QLabel(f"<b>{title}</b>"), QLabel()
            name.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(name, i, 0)
            grid.addWidget(picture, i, 1)
            self.rows[key] = (name, picture)
        grid.setColumnStretch(2, 1)
        self.plane_title = QLabel("<b>Latent plane</b> (decoded codes)")
        self.plane = pg.PlotWidget(background="w")
        self.plane_image = pg.ImageItem(axisOrder="row-major")
        self.plane.addItem(self.plane_image)
        self.plane.getViewBox().setAspectLocked(True)
        self.plane.getViewBox().invertY(True)
        for axis in ("left", "bottom"):
            self.plane.getPlotItem().hideAxis(axis)
        self.latent = pg.PlotWidget(background="w")
        self.latent.showGrid(x=True, y=True, alpha=0.25)
        self.latent.setTitle("Latent space", size="11pt")
        self.scatter = pg.ScatterPlotItem(size=7, pen=None, hoverable=True, hoverSize=11)
        self.scatter.sigHovered.connect(self._hovered)
        self.latent.addItem(self.scatter)
        self.hover = QLabel("Hover a point to see its sample.")
        self.hover_picture = QLabel()
        left = QVBoxLayout()
        left.addLayout(grid)
        left.addWidget(self.plane_title)
        left.addWidget(self.plane, 1)
        hover_row = QHBoxLayout()
        hover_row.addWidget(self.hover_picture)
        hover_row.addWidget(self.hover, 1)
        right = QVBoxLayout()
        right.addWidget(self.latent, 1)
        right.addLayout(hover_row)
        body = QHBoxLayout()
        body.addLayout(left, 1)
        body.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addLayout(body, 1)
        self.reset()

    def reset(self) -> None:
        self.picture: dict | None = None
        self.epoch = 0
        for name, picture in self.rows.values():
            picture.clear()
            name.setVisible(name is not self.rows["noisy"][0])
        self.rows["noisy"][1].hide()
        self.scatter.clear()
        self.plane_image.clear()
        self.plane.hide()
        self.plane_title.hide()
        self.hover_picture.clear()

    def add_snapshot(self, snapshot) -> None:
        picture = getattr(snapshot, "autoencoder", None)
        if picture is None:
            return
        self.picture, self.epoch = picture, snapshot.epoch
        self.status.setText(f"Fixed test samples after epoch {snapshot.epoch}")
        for key, (name, label) in self.rows.items():
            samples = picture.get(key)
            name.setVisible(samples is not None)
            label.setVisible(samples is not None)
            if samples is not None:
                label.setPixmap(pixmap_from_array(strip(samples), scale=2))
        self._show_latent(picture.get("latent"))
        plane = picture.get("plane")
        self.plane.setVisible(plane is not None)
        self.plane_title.setVisible(plane is not None)
        if plane is not None and sample_kind(plane["samples"]) == "image":
            self.plane_image.setImage(
                tile(plane["samples"], columns=plane["size"], pad=0), levels=(0, 255)
            )
            self.plane.getViewBox().autoRange(padding=0.01)

    def _show_latent(self, latent: dict | None) -> None:
        if latent is None:
            self.scatter.clear()
            return
        coords, labels = np.asarray(latent["coords"]), np.asarray(latent["labels"])
        brushes = [pg.mkBrush(*PALETTE[int(label) % len(PALETTE)], 190) for label in labels]
        self.scatter.setData(
            pos=coords, brush=brushes, data=np.arange(len(coords)), hoverBrush=pg.mkBrush("k")
        )
        how = f"{latent['method']} of " if latent["method"] else ""
        explained = latent.get("explained") or []
        share = f", {sum(explained):.0%} of its variance" if explained else ""
        self.latent.setTitle(
            f"Latent space: {how}'{latent['node']}' ({latent['width']} values){share}", size="11pt"
        )

    def _hovered(self, _item, points, _event) -> None:
        if not len(points) or self.picture is None or "latent" not in self.picture:
            return
        index = int(points[0].data())
        latent = self.picture["latent"]
        self.hover.setText(f"sample {index} · label {int(latent['labels'][index])}")
        images = latent.get("images")
        if images is not None:
            self.hover_picture.setPixmap(pixmap_from_array(images[index], scale=3))

    def point_count(self) -> int:
        return len(self.scatter.data)
