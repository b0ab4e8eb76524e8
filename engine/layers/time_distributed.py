"""TimeDistributed: a per-sample layer applied to every time step of a (time steps, ...) input, as
Keras' `TimeDistributed(layer)` (a CNN over each video frame before an LSTM).

A node holds one layer, so instead of a wrapper node holding another node, each wrappable layer has
a TimeDistributed twin (`TimeDistributedConv2d`) with the wrapped layer's parameters, help and
label: its input has one axis more in front, folded into the batch for the wrapped layer and
unfolded after. Dense needs no twin: it already acts on the last axis of each step, which is what
`TimeDistributed(Dense)` does in Keras (tests/engine/test_time_distributed.py shows both).
"""

from __future__ import annotations

from torch import nn

from .. import registry
from ..registry import LayerSpec, register

WRAPPED = (
    "Conv1d",
    "Conv2d",
    "MaxPool2d",
    "AvgPool2d",
    "GlobalAvgPool2d",
    "GlobalMaxPool2d",
    "Flatten",
)
PREFIX = "TimeDistributed"


class TimeDistributed(nn.Module):
    """Apply `layer` to each step: (N, T, *rest) -> layer on (N * T, *rest) -> (N, T, *out)."""

    def __init__(self, layer: nn.Module):
        super().__init__()
        self.layer = layer

    def forward(self, x):
        y = self.layer(x.flatten(0, 1))
        return y.unflatten(0, (x.shape[0], x.shape[1]))


def _twin(spec: LayerSpec) -> LayerSpec:
    def build(p, input_shapes):
        return TimeDistributed(spec.build(p, [shape[1:] for shape in input_shapes]))

    ranks = spec.input_rank or (1, 2, 3)
    example = spec.example()[0]
    hint = spec.rank_hint.strip("()") if spec.rank_hint else "one sample's axes"
    return LayerSpec(
        name=PREFIX + spec.name,
        aliases=(PREFIX,),  # palette search finds every twin; a file must name one
        category=PREFIX,  # its own palette group, where the twins read "Conv2d", "Flatten", ...
        build=build,
        params=spec.params,
        input_rank=tuple(rank + 1 for rank in ranks),
        rank_hint=f"(time steps, {hint})",
        label=spec.label,
        example_input=(4, *example),
        help=f"{spec.name} applied to each time step (Keras' TimeDistributed): {spec.help}",
    )


register(*(_twin(registry.get(name)) for name in WRAPPED))
