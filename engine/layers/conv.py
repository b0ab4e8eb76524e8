"""Convolution, pooling, upsampling and padding layers (channels first)."""

from __future__ import annotations

from torch import nn

from ..registry import LayerSpec, ParamError, ParamSpec, register
from .common import activation_param, activation_suffix, with_activation

_PADDING = ParamSpec(
    "padding",
    "choice",
    "valid",
    "valid = no padding (output shrinks); same = pad so "
    "the output keeps the input size (divided by the stride)",
    choices=("valid", "same"),
)


def _conv_params(default_channels: int, default_kernel: int) -> tuple[ParamSpec, ...]:
    return (
        ParamSpec(
            "out_channels",
            "int",
            default_channels,
            "Number of filters (output channels)",
            min=1,
            max=65_536,
        ),
        ParamSpec(
            "kernel_size",
            "int",
            default_kernel,
            "Width (and height) of each filter",
            min=1,
            max=1024,
        ),
        ParamSpec("stride", "int", 1, "Step between filter positions", min=1, max=1024),
        _PADDING,
        activation_param(),
        ParamSpec("bias", "bool", True, "Learn an additive bias per filter"),
    )


def _same_pads(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """Keras/TF 'same' padding for one axis: output = ceil(size / stride), the odd pixel after."""
    output = -(-size // stride)
    total = max((output - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def _padding(p, spatial: tuple[int, ...]) -> tuple[object, nn.Module | None]:
    """(padding argument for the conv, explicit pad module or None)."""
    if p.padding == "valid":
        return 0, None
    if p.stride == 1:
        return "same", None  # PyTorch pads asymmetrically itself for even kernels
    pads = [_same_pads(size, p.kernel_size, p.stride) for size in spatial]
    if all(before == after for before, after in pads):
        return tuple(before for before, _ in pads), None
    # Asymmetric (even kernel): pad explicitly; ZeroPad2d takes (left, right, top, bottom).
    flat = [amount for before_after in reversed(pads) for amount in before_after]
    pad = nn.ZeroPad2d(tuple(flat)) if len(spatial) == 2 else nn.ConstantPad1d(tuple(flat), 0.0)
    return 0, pad


def _conv_builder(conv_cls):
    def build(p, input_shapes):
        (shape,) = input_shapes
        padding, pad = _padding(p, tuple(shape[1:]))
        conv = conv_cls(
            shape[0],
            p.out_channels,
            p.kernel_size,
            stride=p.stride,
            padding=padding,
            bias=p.bias,
        )
        layer = conv if pad is None else nn.Sequential(pad, conv)
        return with_activation(layer, p.activation, feature_dim=1)

    return build


def _conv_label(p) -> str:
    stride = f"/{p.stride}" if p.stride != 1 else ""
    same = " same" if p.padding == "same" else ""
    return f"{p.out_channels}@{p.kernel_size}x{p.kernel_size}{stride}{same}{activation_suffix(p.activation)}"


def _build_conv_transpose(p, input_shapes):
    (shape,) = input_shapes
    if p.output_padding >= p.stride:
        raise ParamError(
            f"output_padding ({p.output_padding}) must be smaller than the stride ({p.stride})"
        )
    conv = nn.ConvTranspose2d(
        shape[0],
        p.out_channels,
        p.kernel_size,
        stride=p.stride,
        padding=p.padding,
        output_padding=p.output_padding,
        bias=p.bias,
    )
    return with_activation(conv, p.activation, feature_dim=1)


_POOL_PARAMS = (
    ParamSpec("kernel_size", "int", 2, "Size of the pooling window", min=1, max=1024),
    ParamSpec(
        "stride", "int", 0, "Step between windows; 0 = same as the window size", min=0, max=1024
    ),
    ParamSpec(
        "padding", "int", 0, "Zeros added on each side (at most half the window)", min=0, max=512
    ),
)


def _pool_builder(pool_cls):
    def build(p, input_shapes):
        return pool_cls(p.kernel_size, stride=p.stride or p.kernel_size, padding=p.padding)

    return build


def _pool_label(p) -> str:
    return str(p.kernel_size) + (f"/{p.stride}" if p.stride not in (0, p.kernel_size) else "")


_IMAGE_HINT = "(channels, height, width)"
_SEQUENCE_HINT = "(channels, length)"


def _conv_spec(name, conv_cls, rank, hint, help_text):
    return LayerSpec(
        aliases=(name.replace("d", "D"),),  # Keras: Conv2D
        name=name,
        category="Convolution",
        build=_conv_builder(conv_cls),
        params=_conv_params(16, 3 if rank == 2 else 3),
        input_rank=(rank + 1,),
        rank_hint=hint,
        help=help_text,
        label=_conv_label,
    )


def _pool_spec(name, pool_cls, rank, hint, help_text):
    keras = name.replace("Pool", "Pooling").replace("Avg", "Average").replace("d", "D")
    return LayerSpec(
        aliases=(keras,),  # Keras: MaxPooling2D, AveragePooling1D
        name=name,
        category="Pooling",
        build=_pool_builder(pool_cls),
        params=_POOL_PARAMS,
        input_rank=(rank + 1,),
        rank_hint=hint,
        help=help_text,
        label=_pool_label,
    )


class GlobalAvgPool2d(nn.Module):
    """Average each channel over height and width: (C, H, W) -> (C)."""

    def forward(self, x):
        return x.mean(dim=(2, 3))


register(
    _conv_spec(
        "Conv1d",
        nn.Conv1d,
        1,
        _SEQUENCE_HINT,
        "1-D convolution over a sequence or signal (channels, length)",
    ),
    _conv_spec(
        "Conv2d",
        nn.Conv2d,
        2,
        _IMAGE_HINT,
        "2-D convolution: slides learned filters over an image (channels, height, width)",
    ),
    LayerSpec(
        name="ConvTranspose2d",
        aliases=("Conv2DTranspose", "Deconvolution", "upconv"),
        category="Convolution",
        build=_build_conv_transpose,
        input_rank=(3,),
        rank_hint=_IMAGE_HINT,
        label=_conv_label,
        help="Transposed 2-D convolution: learned upsampling (decoders, GAN generators)",
        params=(
            ParamSpec("out_channels", "int", 16, "Number of output channels", min=1, max=65_536),
            ParamSpec(
                "kernel_size", "int", 2, "Width (and height) of each filter", min=1, max=1024
            ),
            ParamSpec("stride", "int", 2, "Upsampling factor", min=1, max=1024),
            ParamSpec(
                "padding",
                "int",
                0,
                "Rows/columns removed from each side of the output",
                min=0,
                max=512,
            ),
            ParamSpec(
                "output_padding",
                "int",
                0,
                "Extra rows/columns added to one side (must be smaller than the stride)",
                min=0,
                max=512,
            ),
            activation_param(),
            ParamSpec("bias", "bool", True, "Learn an additive bias per channel"),
        ),
    ),
    _pool_spec(
        "MaxPool1d", nn.MaxPool1d, 1, _SEQUENCE_HINT, "Keep the largest value of each window"
    ),
    _pool_spec(
        "MaxPool2d",
        nn.MaxPool2d,
        2,
        _IMAGE_HINT,
        "Keep the largest value of each window (halves height and width with size 2)",
    ),
    _pool_spec("AvgPool1d", nn.AvgPool1d, 1, _SEQUENCE_HINT, "Average each window of a sequence"),
    _pool_spec("AvgPool2d", nn.AvgPool2d, 2, _IMAGE_HINT, "Average each window of an image"),
    LayerSpec(
        name="GlobalAvgPool2d",
        aliases=("GlobalAveragePooling2D",),
        category="Pooling",
        build=lambda p, s: GlobalAvgPool2d(),
        input_rank=(3,),
        rank_hint=_IMAGE_HINT,
        help="Average each channel over the whole image: (C, H, W) -> (C)",
    ),
    LayerSpec(
        name="Upsample",
        aliases=("UpSampling2D",),
        category="Reshape",
        input_rank=(3,),
        rank_hint=_IMAGE_HINT,
        build=lambda p, s: nn.Upsample(scale_factor=p.scale_factor, mode=p.mode),
        help="Enlarge an image by repeating (nearest) or interpolating (bilinear) pixels",
        params=(
            ParamSpec("scale_factor", "int", 2, "How many times larger", min=1, max=64),
            ParamSpec(
                "mode",
                "choice",
                "nearest",
                "How new pixels are filled",
                choices=("nearest", "bilinear"),
            ),
        ),
        label=lambda p: f"x{p.scale_factor} {p.mode}",
    ),
    LayerSpec(
        name="ZeroPad2d",
        aliases=("ZeroPadding2D",),
        category="Reshape",
        input_rank=(3,),
        rank_hint=_IMAGE_HINT,
        build=lambda p, s: nn.ZeroPad2d(p.padding),
        help="Add a border of zeros around each image",
        params=(
            ParamSpec("padding", "int", 1, "Border width in pixels on every side", min=0, max=1024),
        ),
        label=lambda p: str(p.padding),
    ),
)
