"""Per-batch image augmentation on the training device: random crop with padding, horizontal flip,
rotation, affine, colour jitter.

torchvision's ``transforms.v2`` classes draw ONE set of random parameters per call, so applied to a
batch every image would get the same crop and flip. Here parameters are drawn per sample, and the
pixel work is done by ``transforms.v2.functional`` ops (pad, flip, grayscale) and one batched
``grid_sample`` for the geometric transforms, so a whole batch is augmented in a few kernel calls.
Batches arrive normalised; they are un-normalised to [0, 1], augmented, and normalised again so
padding is black and jitter acts on real intensities.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F
from torchvision.transforms.v2 import functional as TF

from .config import AUGMENTATIONS
from .errors import DataError
from .preprocessing import Preprocessing


def _uniform(n: int, lo: float, hi: float, device: torch.device) -> torch.Tensor:
    return torch.rand(n, device=device) * (hi - lo) + lo


def random_flip(x: torch.Tensor) -> torch.Tensor:
    """Mirror each image left-right with probability 1/2."""
    mask = torch.rand(x.shape[0], device=x.device) < 0.5
    return torch.where(mask[:, None, None, None], TF.horizontal_flip(x), x)


def random_crop(x: torch.Tensor, padding: int | None = None) -> torch.Tensor:
    """Pad by ``padding`` (default 1/8 of the side) and crop back to size at a random offset per image."""
    n, c, h, w = x.shape
    p = padding if padding is not None else max(1, min(h, w) // 8)
    padded = TF.pad(x, [p, p, p, p], fill=0.0)
    oy = torch.randint(0, 2 * p + 1, (n,), device=x.device)
    ox = torch.randint(0, 2 * p + 1, (n,), device=x.device)
    rows = (oy[:, None] + torch.arange(h, device=x.device))[:, :, None]  # (n, h, 1)
    cols = (ox[:, None] + torch.arange(w, device=x.device))[:, None, :]  # (n, 1, w)
    batch = torch.arange(n, device=x.device)[:, None, None]
    return padded.permute(0, 2, 3, 1)[batch, rows, cols].permute(0, 3, 1, 2).contiguous()


def random_affine(
    x: torch.Tensor,
    degrees: float = 15.0,
    translate: float = 0.0,
    scale: tuple[float, float] = (1.0, 1.0),
    shear: float = 0.0,
) -> torch.Tensor:
    """Rotate by up to ±``degrees``, shift by up to ``translate`` of the size, scale and shear, per image."""
    n, device = x.shape[0], x.device
    a = _uniform(n, -degrees, degrees, device) * math.pi / 180
    s = _uniform(n, scale[0], scale[1], device)
    sh = _uniform(n, -shear, shear, device) * math.pi / 180
    t = _uniform(n * 2, -translate, translate, device).view(n, 2) * 2  # grid units span 2
    cos, sin = torch.cos(a), torch.sin(a)
    # affine_grid maps output to input coordinates: the inverse of rotate-shear-scale.
    theta = torch.zeros(n, 2, 3, device=device, dtype=x.dtype)
    theta[:, 0, 0] = cos / s
    theta[:, 0, 1] = (sin + torch.tan(sh) * cos) / s
    theta[:, 1, 0] = -sin / s
    theta[:, 1, 1] = (cos - torch.tan(sh) * sin) / s
    theta[:, :, 2] = t
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def random_color_jitter(
    x: torch.Tensor, brightness: float = 0.2, contrast: float = 0.2, saturation: float = 0.2
) -> torch.Tensor:
    """Scale brightness, contrast and (for RGB) saturation by random factors per image."""
    n, device = x.shape[0], x.device
    b = _uniform(n, 1 - brightness, 1 + brightness, device)[:, None, None, None]
    x = x * b
    gray = TF.rgb_to_grayscale(x) if x.shape[1] == 3 else x
    m = gray.mean(dim=(1, 2, 3), keepdim=True)
    c = _uniform(n, 1 - contrast, 1 + contrast, device)[:, None, None, None]
    x = (x - m) * c + m
    if x.shape[1] == 3:
        gray = TF.rgb_to_grayscale(x)
        s = _uniform(n, 1 - saturation, 1 + saturation, device)[:, None, None, None]
        x = gray + (x - gray) * s
    return x.clamp(0.0, 1.0)


_OPS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "crop": random_crop,
    "flip": random_flip,
    "rotate": lambda x: random_affine(x, degrees=15.0),
    "affine": lambda x: random_affine(x, degrees=10.0, translate=0.1, scale=(0.9, 1.1), shear=10.0),
    "color_jitter": random_color_jitter,
}
assert set(_OPS) == set(AUGMENTATIONS)


def build_augment(
    names: Sequence[str], preprocessing: Preprocessing | None = None
) -> Callable[[torch.Tensor], torch.Tensor]:
    """A function ``augment_batch(x) -> x`` for normalised image batches (N, C, H, W) on any device."""
    for name in names:
        if name not in _OPS:
            raise DataError(
                f"unknown augmentation {name!r}; choose from {', '.join(AUGMENTATIONS)}"
            )
    ops = [_OPS[name] for name in names]

    def augment_batch(x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 4:
            raise DataError(
                f"augmentation needs image batches (N, C, H, W), got shape {tuple(x.shape)}"
            )
        with torch.no_grad():
            raw = preprocessing.invert(x) if preprocessing is not None else x
            for op in ops:
                raw = op(raw)
            return preprocessing.apply(raw) if preprocessing is not None else raw

    augment_batch.names = list(names)  # type: ignore[attr-defined]
    return augment_batch
