"""Feature maps (every channel of one node's output for one sample) and filters (a layer's
convolution kernels), as numbers and as labelled picture grids."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image
from torch import fx, nn

from . import images
from .capture import InspectError, node_module, node_order

_CONVS = (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.ConvTranspose1d, nn.ConvTranspose2d)


@dataclass(frozen=True)
class FeatureMaps:
    """One node's output for one sample, split into channels.

    `channels` is (C, H, W) for 2-D maps, (C, 1, L) for 1-D ones and (1, 1, F) for a vector (drawn
    as one strip); `ranges` holds each channel's (min, max)."""

    node: str
    shape: tuple[int, ...]
    channels: np.ndarray

    @property
    def ranges(self) -> list[tuple[float, float]]:
        return [(float(c.min()), float(c.max())) for c in self.channels]

    def rows(self) -> list[dict]:
        """One row per channel for the CSV: index, min, max, mean, fraction of zeros."""
        return [
            {
                "channel": index,
                "min": float(c.min()),
                "max": float(c.max()),
                "mean": float(c.mean()),
                "zero_fraction": float((c == 0).mean()),
            }
            for index, c in enumerate(self.channels)
        ]

    def picture(self, tile_size: int = 56, limit: int = 256) -> Image.Image:
        """Every channel (up to `limit`) in a grid, each on its own range, labelled
        "index: min..max"."""
        shown = self.channels[:limit]
        tiles = [images.gray(c) for c in shown]
        labels = [f"{i}: {c.min():.2g}..{c.max():.2g}" for i, c in enumerate(shown)]
        if self.channels.shape[1] == 1:  # 1-D maps and vectors: strips, one a row
            return images.grid(tiles, labels, columns=1, tile_size=tile_size * 3)
        return images.grid(tiles, labels, tile_size=tile_size)


def feature_maps(node: str, output: torch.Tensor) -> FeatureMaps:
    """`output`: one sample's output of `node` (no batch axis)."""
    values = output.detach().float().cpu().numpy()
    if values.ndim == 3:
        channels = values
    elif values.ndim == 2:  # (C, L) of a Conv1d, or (L, F) of a sequence: one strip per row
        channels = values[:, None, :]
    elif values.ndim == 1:
        channels = values[None, None, :]
    elif values.ndim == 0:
        channels = values.reshape(1, 1, 1)
    else:  # 3-D volumes: channels x (depth*height) x width
        channels = values.reshape(values.shape[0], -1, values.shape[-1])
    return FeatureMaps(node, tuple(output.shape), channels)


def conv_layer(model: fx.GraphModule, node_id: str) -> nn.Module | None:
    """The convolution inside `node_id`'s module (a Conv2d built with its activation is a
    Sequential), or None."""
    module = node_module(model, node_id)
    for part in module.modules():
        if isinstance(part, _CONVS):
            return part
    return None


def is_rgb_filter(model: fx.GraphModule, node_id: str) -> bool:
    """Whether `node_id` is the first convolution and sees a 3-channel (colour) image."""
    weight = kernels(model, node_id)
    return weight.ndim == 4 and weight.shape[1] == 3 and first_conv(model) == node_id


def first_conv(model: fx.GraphModule) -> str:
    """The first node (in run order) that holds a convolution; InspectError when none does."""
    for node_id in node_order(model):
        if node_id in model._modules and conv_layer(model, node_id) is not None:
            return node_id
    raise InspectError("the network has no convolution layer, so it has no filters to show")


def kernels(model: fx.GraphModule, node_id: str) -> torch.Tensor:
    """The node's kernels: (out, in, kh, kw) for a Conv2d, (out, in, k) for a Conv1d, the weight
    matrix (out, in) for a Dense."""
    conv = conv_layer(model, node_id)
    if conv is not None:
        return conv.weight.detach().float().cpu()
    for part in node_module(model, node_id).modules():
        if isinstance(part, nn.Linear):
            return part.weight.detach().float().cpu()
    raise InspectError(f"{node_id}: this layer has no kernels or weight matrix to show")


def filter_picture(
    weight: torch.Tensor, tile_size: int = 40, limit: int = 256, rgb: bool = False
) -> Image.Image:
    """Kernels as pictures: one picture per filter for one input channel (or three, with `rgb`:
    the first layer of a colour-image network), else a grid of filter x input channel; a weight
    matrix is one map."""
    w = weight.numpy()
    if w.ndim == 2:
        return images.grid([images.gray(w)], [f"{w.shape[0]}x{w.shape[1]}"], tile_size=256)
    if w.ndim == 3:  # Conv1d: each filter's (in, k) as a small map
        tiles = [images.gray(k) for k in w[:limit]]
        return images.grid(tiles, [str(i) for i in range(len(tiles))], tile_size=tile_size)
    if rgb and w.shape[1] == 3:
        tiles = [images.sample_image(k) for k in w[:limit]]
        return images.grid(tiles, [str(i) for i in range(len(tiles))], tile_size=tile_size)
    if w.shape[1] == 1:
        tiles = [images.gray(k[0]) for k in w[:limit]]
        return images.grid(tiles, [str(i) for i in range(len(tiles))], tile_size=tile_size)
    # filter x input channel, all on one shared range so strengths compare across tiles
    low, high = float(w.min()), float(w.max())
    pairs = [(o, i) for o in range(w.shape[0]) for i in range(w.shape[1])][:limit]
    tiles = [images.gray(w[o, i], low, high) for o, i in pairs]
    return images.grid(
        tiles, [f"{o}/{i}" for o, i in pairs], columns=min(w.shape[1], 16), tile_size=tile_size
    )
