"""Set each Normalization layer's mean and variance from the training split when a run starts, as
Keras' `Normalization.adapt(train_x)` does before `fit`: the statistics of the values that reach the
layer (after whatever comes before it), over the axes it reduces, in float64.

Layers are adapted in graph order, so one behind another sees the first one's output already
standardised. A resumed run then loads the checkpoint's statistics over these.
"""

from __future__ import annotations

import contextlib

import torch
from torch import nn

from ..layers.norm import Normalization

BATCH = 1024


class _Reached(Exception):
    """Raised by the hook once the layer's input is recorded: the rest of the model is not run."""


def adapt_normalizations(model: nn.Module, x: torch.Tensor, device: torch.device) -> list[str]:
    """Adapt every Normalization in `model` to the training inputs `x`; the names adapted."""
    layers = [(name, m) for name, m in model.named_modules() if isinstance(m, Normalization)]
    was_training = model.training
    model.eval()
    try:
        for _, layer in layers:
            _adapt(model, layer, x, device)
    finally:
        model.train(was_training)
    return [name for name, _ in layers]


def _adapt(model: nn.Module, layer: Normalization, x: torch.Tensor, device: torch.device) -> None:
    dims = layer.reduce_dims()
    totals: dict[str, torch.Tensor | int] = {"sum": 0, "squares": 0, "count": 0}

    def record(_module, args):
        values = args[0].detach().double()
        totals["sum"] = totals["sum"] + values.sum(dim=dims)
        totals["squares"] = totals["squares"] + (values * values).sum(dim=dims)
        totals["count"] += values.numel() // max(layer.mean.numel(), 1)
        raise _Reached

    handle = layer.register_forward_pre_hook(record)
    try:
        with torch.no_grad():
            for start in range(0, len(x), BATCH):
                batch = x[start : start + BATCH].to(device)
                if batch.dtype != torch.int64:
                    batch = batch.float()
                with contextlib.suppress(_Reached):  # the layer's input is recorded
                    model(batch)
    finally:
        handle.remove()
    count = totals["count"]
    if not count:
        return
    mean = totals["sum"] / count
    variance = (totals["squares"] / count - mean * mean).clamp(min=0)
    layer.mean.copy_(mean.reshape(layer.mean.shape))
    layer.variance.copy_(variance.reshape(layer.variance.shape))
    layer.count.fill_(float(count))
