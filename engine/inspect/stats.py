"""Activation statistics per layer over a set of samples: the output's range, mean and spread, a
histogram of its values, and for ReLU layers the fraction of dead units.

A unit is one element of a sample's output (a channel at one position, or one Dense unit); it is
dead when it is zero for every sample, so no gradient reaches the weights that feed it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import fx, nn

from .capture import capture_batches, input_names, node_order

_RELUS = (nn.ReLU, nn.ReLU6)


@dataclass(frozen=True)
class LayerStats:
    node: str
    shape: tuple[int, ...]  # one sample's output shape
    mean: float
    std: float
    min: float
    max: float
    zero_fraction: float  # of all output values
    dead_fraction: float | None  # of units, for layers that end in a ReLU; None otherwise
    histogram: tuple[list[float], list[int]]  # bin edges, counts

    def row(self) -> dict:
        return {
            "node": self.node,
            "shape": "x".join(str(s) for s in self.shape),
            "mean": self.mean,
            "std": self.std,
            "min": self.min,
            "max": self.max,
            "zero_fraction": self.zero_fraction,
            "dead_fraction": self.dead_fraction,
        }


def ends_in_relu(module: nn.Module) -> bool:
    """Whether the module's last step is a ReLU (a ReLU node, or a layer built with relu)."""
    leaves = [m for m in module.modules() if not list(m.children())]
    return bool(leaves) and isinstance(leaves[-1], _RELUS)


def layer_stats(node: str, values: torch.Tensor, relu: bool, bins: int = 30) -> LayerStats:
    """Statistics of `values`, one node's outputs for N samples (N first)."""
    flat = values.detach().float().reshape(len(values), -1)
    data = flat.numpy()
    counts, edges = np.histogram(data, bins=bins)
    dead = None
    if relu and len(values):
        dead = float((flat <= 0).all(dim=0).float().mean())
    return LayerStats(
        node=node,
        shape=tuple(values.shape[1:]),
        mean=float(data.mean()),
        std=float(data.std()),
        min=float(data.min()),
        max=float(data.max()),
        zero_fraction=float((data == 0).mean()),
        dead_fraction=dead,
        histogram=([float(e) for e in edges], [int(c) for c in counts]),
    )


def activation_stats(
    model: fx.GraphModule, x: torch.Tensor, batch_size: int = 256
) -> list[LayerStats]:
    """Each layer's statistics over the samples `x`, in run order (Input nodes left out)."""
    nodes = [n for n in node_order(model) if n not in input_names(model)]
    outputs = capture_batches(model, x, nodes, batch_size)
    return [
        layer_stats(node, outputs[node], ends_in_relu(model.get_submodule(node)))
        for node in nodes
        if node in outputs
    ]
