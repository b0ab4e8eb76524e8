"""A trained generator's samples as the window shows them: new draws from a checkpoint (Try it,
the GAN view's "Draw new samples") and many samples tiled into one picture.

    generator = load_generator("runs/x/last.pt")       # the model and its noise Input
    samples = generator.draw(64, seed=3)                # (64, *sample shape) numpy, float32
    sevens = generator.draw(16, label=7)                # a conditional GAN's class 7
    picture = tile(samples)                             # uint8 (H, W) grey or (H, W, 3) colour

`sample_kind` says how a batch of samples is best drawn: "image" (C, H, W with 1 or 3 channels,
or H, W), "points" (2 numbers: a scatter over the real data) or "values" (anything else).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from .gan_condition import class_input, feed
from .gan_step import GENERATOR, draw_noise, latent_id, latent_input


@dataclass
class Generator:
    model: torch.nn.Module  # in eval mode, on the CPU
    latent_shape: tuple[int, ...]
    latent_kind: str  # "normal" or "uniform"
    code_id: str = ""  # the noise Input's node id
    label_id: str | None = None  # a conditional GAN's class Input
    classes: int = 0
    class_names: tuple[str, ...] = ()

    @torch.no_grad()
    def draw(self, n: int, seed: int | None = None, label: int | None = None) -> np.ndarray:
        """n samples from fresh codes (reproducible with `seed`); a conditional generator's of
        class `label`, or of every class in turn when None."""
        codes = torch.Generator(device="cpu")
        codes.manual_seed(seed) if seed is not None else codes.seed()
        noise = draw_noise(n, self.latent_shape, self.latent_kind, "cpu", codes)
        if self.label_id is None:
            return self.model(noise).float().numpy()
        if label is not None and not 0 <= label < self.classes:
            raise ValueError(f"class {label} is not one of the generator's {self.classes} classes")
        labels = torch.arange(n) % self.classes if label is None else torch.full((n,), label)
        hot = torch.nn.functional.one_hot(labels, self.classes).float()
        return feed(self.model, {self.code_id: noise, self.label_id: hot}).float().numpy()


def load_generator(path: str) -> Generator:
    """The generator of a GAN run's checkpoint; CheckpointError when the file holds none."""
    from . import load_checkpoint
    from .checkpoint import CheckpointError
    from .run_events import TrainingError

    model, bundle = load_checkpoint(path)
    from .. import project as project_io

    project = project_io.from_dict(bundle["project"], str(path))
    if GENERATOR not in project.graphs:
        raise CheckpointError(f"{path}: not a GAN's checkpoint (it holds no generator network)")
    graph = project.graphs[GENERATOR]
    try:
        shape, kind = latent_input(graph)
        label = class_input(graph, "generator")
    except TrainingError as error:
        raise CheckpointError(f"{path}: {error}") from None
    names = tuple(bundle.get("class_names") or ())
    if label is None:
        return Generator(model.eval(), shape, kind, latent_id(graph))
    return Generator(model.eval(), shape, kind, latent_id(graph), label[0], label[1], names)


def sample_kind(samples: Any) -> str:
    """ "image", "points" or "values" for a batch (N, ...) of generated samples."""
    shape = tuple(np.shape(samples))[1:]
    if len(shape) == 1 and shape[0] == 2:
        return "points"
    if len(shape) == 2 and min(shape) >= 4:
        return "image"
    if len(shape) == 3 and shape[0] in (1, 3) and min(shape[1:]) >= 4:
        return "image"
    return "values"


def to_unit(samples: np.ndarray) -> np.ndarray:
    """Values in [0, 1]: kept as they are when already there (a Sigmoid's pixels), else scaled
    by the batch's own range (a Tanh's [-1, 1]), so cells stay comparable with each other."""
    values = np.asarray(samples, dtype=np.float32)
    low, high = float(values.min(initial=0.0)), float(values.max(initial=1.0))
    if low >= 0.0 and high <= 1.0:
        return values
    return (values - low) / max(high - low, 1e-12)


def tile(samples: Any, columns: int | None = None, pad: int = 2) -> np.ndarray:
    """Samples (N, C, H, W) or (N, H, W) in a grid: uint8 (rows*H, columns*W) grey, or with a
    last axis of 3 for colour; cells separated by `pad` dark pixels, empty cells dark."""
    images = to_unit(np.asarray(samples))
    if images.ndim == 3:
        images = images[:, None]
    if images.ndim != 4 or images.shape[1] not in (1, 3):
        raise ValueError(f"tile takes (N, 1 or 3, H, W) or (N, H, W) samples, not {images.shape}")
    n, channels, height, width = images.shape
    columns = columns or max(1, math.ceil(math.sqrt(n)))
    rows = max(1, math.ceil(n / columns))
    grid = np.zeros(
        (channels, rows * (height + pad) + pad, columns * (width + pad) + pad), np.float32
    )
    for i in range(n):
        top = pad + (i // columns) * (height + pad)
        left = pad + (i % columns) * (width + pad)
        grid[:, top : top + height, left : left + width] = images[i]
    pixels = np.round(np.clip(grid, 0.0, 1.0) * 255).astype(np.uint8)
    return pixels[0] if channels == 1 else np.ascontiguousarray(pixels.transpose(1, 2, 0))
