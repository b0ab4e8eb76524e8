"""Pooling: sliding windows (max, average), global (one value per channel) and adaptive (a fixed
output grid).

Sliding pools take PyTorch's padding, or Keras' `same` (`keras_padding`): output ceil(in / stride),
the odd pixel padded after, padding ignored by max and left out of averages as Keras does.
Global pools mirror Keras' GlobalMaxPooling1D/2D and GlobalAveragePooling1D/2D on channels-first
inputs; adaptive pools PyTorch's AdaptiveAvg/MaxPool2d (ResNet heads, VGG's 7x7 before Dense).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..registry import InputShapeError, LayerSpec, ParamError, ParamSpec, register
from ..shape_format import shape_text


class SamePool(nn.Module):
    """Keras' `padding="same"` pooling over the last len(kernel) axes (`op`: "max" or "avg")."""

    def __init__(self, op: str, kernel: tuple[int, ...], stride: tuple[int, ...]):
        super().__init__()
        self.op, self.kernel, self.stride = op, tuple(kernel), tuple(stride)

    def forward(self, x):
        pads = []  # F.pad takes the last axis first
        sizes = x.shape[2:]
        for size, k, s in reversed(list(zip(sizes, self.kernel, self.stride))):
            total = max((-(-size // s) - 1) * s + k - size, 0)
            pads += [total // 2, total - total // 2]
        rank = len(self.kernel)
        pool = (F.max_pool1d, F.max_pool2d, F.max_pool3d)[rank - 1]
        if self.op == "max":
            return pool(F.pad(x, pads, value=float("-inf")), self.kernel, self.stride)
        pool = (F.avg_pool1d, F.avg_pool2d, F.avg_pool3d)[rank - 1]
        ones = F.pad(torch.ones_like(x[:1, :1]), pads)  # 1 where a real value is
        return pool(F.pad(x, pads), self.kernel, self.stride) / pool(ones, self.kernel, self.stride)

    def extra_repr(self) -> str:
        return f"op={self.op!r}, kernel={self.kernel}, stride={self.stride}"


class GlobalAvgPool2d(nn.Module):
    """Average each channel over height and width: (C, H, W) -> (C)."""

    def forward(self, x):
        return x.mean(dim=(2, 3))


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


_POOL_PARAMS = (
    ParamSpec("kernel_size", "int", 2, "Size of the pooling window", min=1, max=1024),
    ParamSpec(
        "stride", "int", 0, "Step between windows; 0 = same as the window size", min=0, max=1024
    ),
    ParamSpec(
        "padding",
        "int",
        0,
        "Padding on each side (at most half the window; max pooling pads with -inf)",
        min=0,
        max=512,
    ),
    ParamSpec(
        "keras_padding",
        "choice",
        "explicit",
        "explicit = the padding above; same = Keras' padding='same': output ceil(in / stride), "
        "padding ignored by max and left out of averages",
        choices=("explicit", "same"),
    ),
    ParamSpec(
        "ceil_mode", "bool", False, "Round the output size up: a last, partial window is kept"
    ),
)
_COUNT_PAD = ParamSpec(
    "count_include_pad",
    "bool",
    True,
    "Count padded zeros in the averages (PyTorch's default; Keras leaves them out)",
)
_MODULES = {
    ("max", 1): nn.MaxPool1d,
    ("max", 2): nn.MaxPool2d,
    ("avg", 1): nn.AvgPool1d,
    ("avg", 2): nn.AvgPool2d,
    ("max", 3): nn.MaxPool3d,
    ("avg", 3): nn.AvgPool3d,
}
_HINTS = {
    1: "(channels, length)",
    2: "(channels, height, width)",
    3: "(channels, depth, height, width)",
}


def _pool_builder(op: str, rank: int):
    def build(p, input_shapes):
        stride = p.stride or p.kernel_size
        if p.keras_padding == "same":
            return SamePool(op, (p.kernel_size,) * rank, (stride,) * rank)
        if 2 * p.padding > p.kernel_size:
            raise ParamError(
                f"padding {p.padding} is more than half the window {p.kernel_size}; lower it, "
                "or use keras_padding same"
            )
        extra = {"count_include_pad": p.count_include_pad} if op == "avg" else {}
        module = _MODULES[(op, rank)]
        return module(
            p.kernel_size, stride=stride, padding=p.padding, ceil_mode=p.ceil_mode, **extra
        )

    return build


def _pool_label(p) -> str:
    stride = f"/{p.stride}" if p.stride not in (0, p.kernel_size) else ""
    return f"{p.kernel_size}{stride}" + (" same" if p.keras_padding == "same" else "")


def _pool_spec(name, op, rank, help_text):
    keras = name.replace("Pool", "Pooling").replace("Avg", "Average").replace("d", "D")
    return LayerSpec(
        aliases=(keras,),  # Keras: MaxPooling2D, AveragePooling1D
        name=name,
        category="Pooling",
        build=_pool_builder(op, rank),
        params=_POOL_PARAMS + ((_COUNT_PAD,) if op == "avg" else ()),
        input_rank=(rank + 1,),
        rank_hint=_HINTS[rank],
        help=help_text,
        label=_pool_label,
        example_input=(2, 6, 6, 6) if rank == 3 else None,
    )


register(
    _pool_spec("MaxPool1d", "max", 1, "Keep the largest value of each window"),
    _pool_spec(
        "MaxPool2d",
        "max",
        2,
        "Keep the largest value of each window (halves height and width with size 2)",
    ),
    _pool_spec("AvgPool1d", "avg", 1, "Average each window of a sequence"),
    _pool_spec("AvgPool2d", "avg", 2, "Average each window of an image"),
    _pool_spec("MaxPool3d", "max", 3, "Keep the largest value of each window of a volume"),
    _pool_spec("AvgPool3d", "avg", 3, "Average each window of a volume"),
    LayerSpec(
        name="GlobalAvgPool2d",
        aliases=("GlobalAveragePooling2D",),
        category="Pooling",
        build=lambda p, s: GlobalAvgPool2d(),
        input_rank=(3,),
        rank_hint="(channels, height, width)",
        help="Average each channel over the whole image: (C, H, W) -> (C)",
    ),
    _global("GlobalMaxPool1d", "GlobalMaxPooling1D", "max", 1, "Largest value"),
    _global("GlobalAvgPool1d", "GlobalAveragePooling1D", "mean", 1, "Average"),
    _global("GlobalMaxPool2d", "GlobalMaxPooling2D", "max", 2, "Largest value"),
    _adaptive("AdaptiveAvgPool2d", nn.AdaptiveAvgPool2d, "Average"),
    _adaptive("AdaptiveMaxPool2d", nn.AdaptiveMaxPool2d, "Largest value"),
)
