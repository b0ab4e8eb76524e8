"""Previews for the GUI's data panel: a table of the first rows, a grid of sample images (optionally
augmented), and the points of a 2-D data set for a scatter plot. Returns numpy/str only (no Qt).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from ..shape_format import format_shape
from .errors import DataError
from .info import Dataset


def preview_rows(ds: Dataset, n: int = 20) -> tuple[list[str], list[list[str]]]:
    """(column names, first ``n`` rows as strings): the file as read for CSVs, else features + label."""
    info = ds.info
    if ds.texts is not None:  # texts: what they say, their class and their length in words
        rows = [
            [_short(text), info.class_names[int(y)], str(len(text.split()))]
            for text, y in zip(ds.texts[:n], ds.y[:n].tolist())
        ]
        return ["text", "label", "words"], rows
    if ds.preview_columns:
        return list(ds.preview_columns), [list(r) for r in ds.preview_rows[:n]]
    x = ds.x[:n]
    if info.is_image or x.ndim > 2:
        columns = ["shape", "label"]
        rows = [[format_shape(info.feature_shape)] for _ in range(len(x))]
    else:
        columns = info.feature_names or [f"x{i + 1}" for i in range(x.shape[1])]
        rows = [[f"{v:.4g}" for v in row] for row in x.tolist()]
    columns = list(columns) + ([] if "label" in columns else ["target"])
    for row, y in zip(rows, ds.y[:n].tolist()):
        if info.class_names:
            row.append(info.class_names[int(y)])
        else:
            row.append(", ".join(f"{v:.4g}" for v in np.atleast_1d(y)))
    return columns, rows


def preview_images(
    ds: Dataset,
    n: int = 16,
    augmented: bool = False,
    augment: Sequence[str] | None = None,
    seed: int = 0,
) -> np.ndarray:
    """A uint8 grid of the first ``n`` images, (H, W) for grayscale or (H, W, 3) for RGB.

    With ``augmented`` the images go through ``augment`` (default crop, flip, rotate) first.
    """
    if not ds.info.is_image:
        raise DataError("this data set has no images to preview")
    x = ds.x[:n].float()
    if augmented:
        from .augment import build_augment

        torch.manual_seed(seed)  # the same preview each time the panel redraws
        x = build_augment(list(augment or ["crop", "flip", "rotate"]))(x)
    imgs = (x.clamp(0, 1) * 255).round().to(torch.uint8).numpy()  # (n, C, H, W)
    n_img, c, h, w = imgs.shape
    cols = int(np.ceil(np.sqrt(n_img)))
    rows = int(np.ceil(n_img / cols))
    pad = 2
    grid = np.zeros((rows * (h + pad) + pad, cols * (w + pad) + pad, c), dtype=np.uint8)
    for i in range(n_img):
        r, q = divmod(i, cols)
        top, left = pad + r * (h + pad), pad + q * (w + pad)
        grid[top : top + h, left : left + w] = imgs[i].transpose(1, 2, 0)
    return grid[:, :, 0] if c == 1 else grid[:, :, :3]


def scatter_points(ds: Dataset) -> tuple[np.ndarray, np.ndarray]:
    """(points (N, 2), values (N,)) for a 2-D data set; 1-feature regression plots (x, target)."""
    x = ds.x
    if ds.info.is_image or x.ndim != 2 or x.shape[1] not in (1, 2):
        raise DataError(
            f"a scatter plot needs 1 or 2 features; this data set has shape {tuple(ds.info.feature_shape)}"
        )
    y = ds.y.numpy()
    if x.shape[1] == 1:
        if ds.y.ndim != 1:
            raise DataError("a 1-feature scatter needs a single target per sample")
        pts = np.stack([x[:, 0].numpy(), y.astype(np.float32)], axis=1)
    else:
        pts = x.numpy()
    return pts.astype(np.float32), y


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
