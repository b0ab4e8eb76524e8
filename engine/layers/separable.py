"""Depthwise and separable convolutions (MobileNet, Xception) and Keras' Rescaling.

DepthwiseConv2d is a Conv2d with one group per input channel (`depth_multiplier` filters each);
SeparableConv2d is that depthwise step (no bias, as in Keras) followed by a 1x1 pointwise Conv2d.
Both pad like Conv2d (`same` as Keras pads) and count exactly as Keras' layers of the same names.
"""

from __future__ import annotations

from types import SimpleNamespace

from torch import nn

from ..registry import LayerSpec, ParamSpec, register
from .common import activation_param, activation_suffix, with_activation
from .conv import _conv_builder, _conv_params

_PLAIN_CONV = _conv_builder(nn.Conv2d, 2)
_KEPT = ("kernel_size", "stride", "padding", "dilation", "bias")
_MULTIPLIER = ParamSpec("depth_multiplier", "int", 1, "Filters per input channel", min=1, max=1024)


def _depthwise(p, shape, bias: bool) -> nn.Module:
    channels = shape[0]
    settings = {name: getattr(p, name) for name in _KEPT} | {
        "out_channels": channels * p.depth_multiplier,
        "groups": channels,
        "padding_mode": "zeros",
        "activation": "none",
        "bias": bias,
    }
    return _PLAIN_CONV(SimpleNamespace(**settings), [shape])


def _build_depthwise(p, input_shapes):
    return with_activation(_depthwise(p, input_shapes[0], p.bias), p.activation, feature_dim=1)


def _build_separable(p, input_shapes):
    depthwise = _depthwise(p, input_shapes[0], bias=False)
    steps = list(depthwise) if isinstance(depthwise, nn.Sequential) else [depthwise]
    middle = input_shapes[0][0] * p.depth_multiplier
    pointwise = nn.Conv2d(middle, p.out_channels, 1, bias=p.bias)
    return with_activation(nn.Sequential(*steps, pointwise), p.activation, feature_dim=1)


def _params(with_filters: bool) -> tuple[ParamSpec, ...]:
    by_name = {param.name: param for param in _conv_params(2)}
    kept = [by_name[name] for name in ("kernel_size", "stride", "padding", "dilation")]
    filters = [by_name["out_channels"]] if with_filters else []
    bias = ParamSpec("bias", "bool", True, "Learn an additive bias per output channel")
    return (*filters, *kept, _MULTIPLIER, activation_param(), bias)


def _label(p) -> str:
    kernel = (
        "x".join(map(str, p.kernel_size))
        if isinstance(p.kernel_size, tuple)
        else (f"{p.kernel_size}x{p.kernel_size}")
    )
    filters = f"{p.out_channels}@" if hasattr(p, "out_channels") else ""
    multiplier = f" x{p.depth_multiplier}" if p.depth_multiplier != 1 else ""
    same = " same" if p.padding == "same" else ""
    return f"{filters}{kernel}{multiplier}{same}{activation_suffix(p.activation)}"


class Rescale(nn.Module):
    """x * scale + offset, Keras' Rescaling (e.g. 1/255 for pixels), part of the exported model."""

    def __init__(self, scale: float, offset: float):
        super().__init__()
        self.scale, self.offset = scale, offset

    def forward(self, x):
        return x * self.scale + self.offset

    def extra_repr(self) -> str:
        return f"scale={self.scale}, offset={self.offset}"


_IMAGE = "(channels, height, width)"

register(
    LayerSpec(
        name="DepthwiseConv2d",
        aliases=("DepthwiseConv2D",),
        category="Convolution",
        build=_build_depthwise,
        params=_params(with_filters=False),
        input_rank=(3,),
        rank_hint=_IMAGE,
        label=_label,
        help="Filter each channel on its own (depth_multiplier filters per channel): "
        "MobileNet's cheap spatial step",
    ),
    LayerSpec(
        name="SeparableConv2d",
        aliases=("SeparableConv2D",),
        category="Convolution",
        build=_build_separable,
        params=_params(with_filters=True),
        input_rank=(3,),
        rank_hint=_IMAGE,
        label=_label,
        help="Depthwise then 1x1 pointwise convolution: a Conv2d with far fewer weights (Xception)",
    ),
    LayerSpec(
        name="Rescaling",
        category="Core",
        build=lambda p, s: Rescale(p.scale, p.offset),
        shape_preserving=True,
        help="Scale and shift the input inside the model (1/255 for raw pixels), so exports "
        "take the raw values",
        params=(
            ParamSpec("scale", "float", 1 / 255, "Multiplier", min=-1e6, max=1e6),
            ParamSpec("offset", "float", 0.0, "Added after scaling", min=-1e6, max=1e6),
        ),
        label=lambda p: f"x{p.scale:.4g} + {p.offset:g}",
    ),
)
