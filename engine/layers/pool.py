"""Global and adaptive pooling: one value per channel (global), or a fixed output grid (adaptive).

Keras' GlobalMaxPooling1D/2D and GlobalAveragePooling1D on channels-first inputs; PyTorch's
AdaptiveAvgPool2d/AdaptiveMaxPool2d with an output size (ResNet heads, VGG's 7x7 before Dense).
"""

from __future__ import annotations

from torch import nn

from ..registry import InputShapeError, LayerSpec, ParamSpec, register
from ..shape_format import shape_text


class GlobalPool(nn.Module):
    """Reduce every axis after the channels with `op` ("max" or "mean"): (C, ...) -> (C)."""

    def __init__(self, op: str):
        super().__init__()
        self.op = op

    def forward(self, x):
        axes = tuple(range(2, x.dim()))
        return x.amax(dim=axes) if self.op == "max" else x.mean(dim=axes)

    def extra_repr(self) -> str:
        return f"op={self.op!r}"


def _global(name, keras, op, rank, what):
    return LayerSpec(
        name=name,
        aliases=(keras,),
        category="Pooling",
        build=lambda p, s: GlobalPool(op),
        input_rank=(rank + 1,),
        rank_hint="(channels, length)" if rank == 1 else "(channels, height, width)",
        help=f"{what} of each channel over the whole {'sequence' if rank == 1 else 'image'}: "
        f"(C, ...) -> (C)",
    )


def _adaptive_builder(module_cls):
    def build(p, input_shapes):
        (shape,) = input_shapes
        if len(p.output_size) != 2:
            raise InputShapeError(
                f"output_size {shape_text(p.output_size)} needs two sizes, height and width"
            )
        return module_cls(tuple(p.output_size))

    return build


def _adaptive(name, module_cls, what):
    return LayerSpec(
        name=name,
        category="Pooling",
        build=_adaptive_builder(module_cls),
        input_rank=(3,),
        rank_hint="(channels, height, width)",
        help=f"{what} over windows chosen so the output has a fixed height and width, whatever "
        "the input size (1x1 = global pooling; ONNX needs sizes dividing the input's)",
        params=(
            ParamSpec("output_size", "shape", (1, 1), "Output height and width, e.g. 7, 7", min=1),
        ),
        label=lambda p: "x".join(map(str, p.output_size)),
    )


register(
    _global("GlobalMaxPool1d", "GlobalMaxPooling1D", "max", 1, "Largest value"),
    _global("GlobalAvgPool1d", "GlobalAveragePooling1D", "mean", 1, "Average"),
    _global("GlobalMaxPool2d", "GlobalMaxPooling2D", "max", 2, "Largest value"),
    _adaptive("AdaptiveAvgPool2d", nn.AdaptiveAvgPool2d, "Average"),
    _adaptive("AdaptiveMaxPool2d", nn.AdaptiveMaxPool2d, "Largest value"),
)
