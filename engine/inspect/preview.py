"""The canvas preview: every node's output for one sample, made small enough to send from the
training process a few times a second and draw on a card.

Each entry is {"kind", "values", "shape", "range"}: "maps" (up to MAX_CHANNELS channels of a 2-D
map, (C, H, W)), "strip" (1-D maps or a sequence, (C, L)), "bar" (a vector, (F,)). Large maps are
subsampled by taking every k-th pixel, so every value shown is one of the layer's own outputs.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
from torch import fx

from .capture import capture, node_order

MAX_CHANNELS = 8
MAX_SIDE = 32
MAX_LENGTH = 64


def _every(length: int, limit: int) -> int:
    return max(1, math.ceil(length / limit))


def preview_entry(output: torch.Tensor) -> dict[str, Any]:
    """One sample's output of a node (no batch axis) as a small preview entry."""
    full = tuple(output.shape)
    values = output.detach().float().cpu()
    if values.ndim >= 3:  # (C, H, W) (deeper volumes: their first slice of each extra axis)
        while values.ndim > 3:
            values = values[:, 0]
        step = _every(max(values.shape[1:]), MAX_SIDE)
        values, kind = values[:MAX_CHANNELS, ::step, ::step], "maps"
    elif values.ndim == 2:  # (C, L) of a Conv1d, or (L, F) of a sequence
        values = values[:MAX_CHANNELS, :: _every(values.shape[1], MAX_LENGTH)]
        kind = "strip"
    else:
        values = values.reshape(-1)
        values, kind = values[:: _every(len(values), MAX_LENGTH)], "bar"
    array = values.numpy().astype(np.float32)
    finite = array[np.isfinite(array)]
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
    return {"kind": kind, "values": array, "shape": full, "range": (low, high)}


def preview(model: fx.GraphModule, x: torch.Tensor) -> dict[str, dict[str, Any]]:
    """Every node's preview entry for the one sample `x` (batch axis of 1), Inputs included."""
    device = next(model.parameters(), torch.zeros(0)).device
    outputs = capture(model, x.to(device))
    return {node: preview_entry(outputs[node][0]) for node in node_order(model) if node in outputs}
