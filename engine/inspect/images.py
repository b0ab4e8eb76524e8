"""Arrays to pictures: one map scaled to 0-255, a labelled grid of maps, a heat map over an image.

Pillow does the drawing and PNG writing (it comes with torchvision). Every function takes and
returns numpy arrays or PIL images, so the window can show the same pictures the CLI writes.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

# A few anchors of a dark-blue -> red -> yellow ramp (like matplotlib's "inferno"), interpolated.
_HEAT = np.array(
    [[0, 0, 4], [87, 16, 110], [188, 55, 84], [249, 142, 9], [252, 255, 164]], dtype=np.float64
)


def scale01(values: np.ndarray, low: float | None = None, high: float | None = None) -> np.ndarray:
    """`values` mapped linearly onto 0..1 (its own min and max unless given); a constant map is 0."""
    values = np.asarray(values, dtype=np.float64)
    low = float(values.min()) if low is None else low
    high = float(values.max()) if high is None else high
    if not math.isfinite(low) or not math.isfinite(high) or high <= low:
        return np.zeros_like(values)
    return np.clip((values - low) / (high - low), 0.0, 1.0)


def gray(values: np.ndarray, low: float | None = None, high: float | None = None) -> Image.Image:
    """A 2-D array as an 8-bit grey image (its own range, or low..high)."""
    return Image.fromarray((scale01(values, low, high) * 255).round().astype(np.uint8), "L")


def heat_colors(unit: np.ndarray) -> np.ndarray:
    """0..1 values -> (..., 3) uint8 colours on the heat ramp."""
    position = np.clip(unit, 0, 1) * (len(_HEAT) - 1)
    index = np.minimum(position.astype(int), len(_HEAT) - 2)
    frac = (position - index)[..., None]
    rgb = _HEAT[index] * (1 - frac) + _HEAT[index + 1] * frac
    return rgb.round().astype(np.uint8)


def heat(values: np.ndarray) -> Image.Image:
    return Image.fromarray(heat_colors(scale01(values)), "RGB")


def sample_image(sample: np.ndarray) -> Image.Image:
    """A (C, H, W) or (H, W) sample as a picture: grey for one channel, RGB for three, else the
    channels' mean."""
    sample = np.asarray(sample, dtype=np.float64)
    if sample.ndim == 2:
        return gray(sample)
    if sample.ndim == 3 and sample.shape[0] == 3:
        rgb = (scale01(sample) * 255).round().astype(np.uint8).transpose(1, 2, 0)
        return Image.fromarray(rgb, "RGB")
    if sample.ndim == 3:
        return gray(sample.mean(axis=0))
    raise ValueError(f"a sample of shape {sample.shape} is not an image")


def overlay(sample: np.ndarray, attribution: np.ndarray, alpha: float = 0.55) -> Image.Image:
    """The heat map of `attribution` (H, W) blended over the sample's picture."""
    base = sample_image(sample).convert("RGB")
    hot = heat(attribution).resize(base.size, Image.Resampling.BILINEAR)
    return Image.blend(base, hot, alpha)


def grid(
    tiles: list[Image.Image],
    labels: list[str] | None = None,
    columns: int | None = None,
    tile_size: int = 64,
) -> Image.Image:
    """Tiles (each resized to `tile_size`, nearest neighbour so pixels stay visible) in rows of
    `columns`, each with its label underneath."""
    if not tiles:
        raise ValueError("nothing to draw")
    columns = columns or math.ceil(math.sqrt(len(tiles)))
    rows = math.ceil(len(tiles) / columns)
    label_h = 12 if labels else 0
    pad = 2
    cell_w, cell_h = tile_size + pad, tile_size + label_h + pad
    sheet = Image.new("RGB", (columns * cell_w + pad, rows * cell_h + pad), (255, 255, 255))
    draw = ImageDraw.Draw(sheet)
    for index, tile in enumerate(tiles):
        row, col = divmod(index, columns)
        x, y = pad + col * cell_w, pad + row * cell_h
        sheet.paste(
            tile.convert("RGB").resize((tile_size, tile_size), Image.Resampling.NEAREST), (x, y)
        )
        if labels:
            draw.text((x, y + tile_size), labels[index][: tile_size // 6], fill=(0, 0, 0))
    return sheet


def save_png(image: Image.Image, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, format="PNG")
    return path


# Ten distinguishable colours (Tableau 10) for labels; more labels cycle through them.
PALETTE = [
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
    (188, 189, 34),
    (23, 190, 207),
]


def scatter(coords: np.ndarray, labels: np.ndarray, size: int = 480) -> Image.Image:
    """A 2-D scatter (the first two columns of `coords`), one colour per label."""
    xy = np.asarray(coords, dtype=np.float64)[:, :2]
    margin = 12
    span = np.ptp(xy, axis=0)
    span[span == 0] = 1.0
    unit = (xy - xy.min(axis=0)) / span
    pixels = margin + unit * (size - 2 * margin)
    sheet = Image.new("RGB", (size, size), (255, 255, 255))
    draw = ImageDraw.Draw(sheet)
    for (px, py), label in zip(pixels, np.asarray(labels).astype(int)):
        colour = PALETTE[label % len(PALETTE)]
        draw.ellipse((px - 2, size - py - 2, px + 2, size - py + 2), fill=colour)
    return sheet


def token_strip(tokens: list[str], values, width: int = 720) -> Image.Image:
    """Tokens in reading order, each on a background whose strength is its attribution (green
    for the class, red against), wrapped to `width` pixels."""
    values = np.asarray(values, dtype=np.float64)
    peak = float(np.abs(values).max()) or 1.0
    draw = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    boxes, x, y, line_h = [], 4, 4, 18
    for token in tokens:
        w = int(draw.textlength(token)) + 8
        if x + w > width - 4 and x > 4:
            x, y = 4, y + line_h + 4
        boxes.append((x, y, w))
        x += w + 4
    sheet = Image.new("RGB", (width, y + line_h + 8), (255, 255, 255))
    draw = ImageDraw.Draw(sheet)
    for (bx, by, w), token, value in zip(boxes, tokens, values):
        strength = min(abs(value) / peak, 1.0)
        tint = (34, 197, 94) if value >= 0 else (239, 68, 68)
        colour = tuple(int(255 - strength * (255 - c)) for c in tint)
        draw.rectangle((bx, by, bx + w, by + line_h), fill=colour)
        draw.text((bx + 4, by + 3), token, fill=(0, 0, 0))
    return sheet
