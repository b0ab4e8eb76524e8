"""Convolution, upsampling and padding layers (channels first).

Kernel, stride and dilation take one number for every axis or one per axis (3x5). `same` padding
follows Keras/TensorFlow: output = ceil(input / stride), the odd pixel padded after; where that is
asymmetric (stride > 1, even kernel) an explicit pad module runs before the convolution.
ConvTranspose2d's `keras_padding` gives Keras' Conv2DTranspose sizes and crop exactly (as
TensorFlow and JAX compute it: the gradient of a `same` convolution, not PyTorch's one-pixel shift).
"""

from __future__ import annotations

from torch import nn

from ..registry import InputShapeError, LayerSpec, ParamError, ParamSpec, register
from .common import activation_param, activation_suffix, with_activation
from .reshape import Crop

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
_PAD_MODULES = {
    ("zeros", 1): lambda pads: nn.ConstantPad1d(pads, 0.0),
    ("zeros", 2): nn.ZeroPad2d,
    ("reflect", 1): nn.ReflectionPad1d,
    ("reflect", 2): nn.ReflectionPad2d,
    ("replicate", 1): nn.ReplicationPad1d,
    ("replicate", 2): nn.ReplicationPad2d,
    ("circular", 1): nn.CircularPad1d,
    ("circular", 2): nn.CircularPad2d,
    ("zeros", 3): nn.ZeroPad3d,
    ("reflect", 3): nn.ReflectionPad3d,
    ("replicate", 3): nn.ReplicationPad3d,
    ("circular", 3): nn.CircularPad3d,
}


def _ints(name, default, help_text, rank, low=1):
    return ParamSpec(name, "ints", default, help_text, min=low, max=1024, lengths=(rank,))


def _conv_params(rank: int) -> tuple[ParamSpec, ...]:
    padding = ("valid", "same", "explicit") + (("causal",) if rank == 1 else ())
    return (
        ParamSpec(
            "out_channels", "int", 16, "Number of filters (output channels)", min=1, max=65_536
        ),
        _ints("kernel_size", 3, "Size of each filter: one number, or one per axis (3, 5)", rank),
        _ints("stride", 1, "Step between filter positions (one number or one per axis)", rank),
        ParamSpec(
            "padding",
            "choice",
            "valid",
            "valid = no padding (output shrinks); same = pad so the output keeps the input size "
            "(divided by the stride), as Keras pads"
            + "; explicit = the pad sizes below (PyTorch's padding=1)"
            + ("; causal = pad only before, so step t sees no later step" if rank == 1 else ""),
            choices=padding,
        ),
        activation_param(),
        ParamSpec("bias", "bool", True, "Learn an additive bias per filter"),
        _ints(
            "dilation",
            1,
            "Spacing between kernel taps (atrous convolution; Keras' dilation_rate)",
            rank,
        ),
        ParamSpec(
            "groups",
            "int",
            1,
            "Split channels into groups convolved separately (must divide the input and output "
            "channels; groups = input channels is a depthwise convolution)",
            min=1,
            max=65_536,
        ),
        ParamSpec(
            "pad",
            "ints",
            0,
            "With padding explicit: pixels added on every side (1), per axis, or per side "
            + ("(left, right)" if rank == 1 else "(top, bottom, left, right for images)"),
            min=0,
            max=1024,
            lengths=tuple(sorted({rank, 2 * rank})),
        ),
        ParamSpec(
            "padding_mode",
            "choice",
            "zeros",
            "What the padding holds: zeros, the mirrored image (reflect), the edge pixel "
            "(replicate) or the other side (circular)",
            choices=PADDING_MODES,
        ),
    )


def per_axis(value, rank: int) -> tuple[int, ...]:
    return value if isinstance(value, tuple) else (value,) * rank


def _same_pads(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """Keras/TF 'same' padding for one axis: output = ceil(size / stride), the odd pixel after."""
    output = -(-size // stride)
    total = max((output - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def _pads(p, spatial, kernel, stride, dilation) -> list[tuple[int, int]]:
    """(before, after) padding per spatial axis."""
    effective = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    if p.padding == "valid":
        return [(0, 0)] * len(spatial)
    if p.padding == "causal":
        return [(effective[0] - 1, 0)]
    if p.padding == "explicit":
        sizes = per_axis(p.pad, len(spatial))
        if len(sizes) == len(spatial):  # one size per axis, both sides
            return [(size, size) for size in sizes]
        return list(zip(sizes[::2], sizes[1::2]))
    return [_same_pads(n, k, s) for n, k, s in zip(spatial, effective, stride)]


def _check_groups(groups: int, channels: int, out_channels: int) -> None:
    if channels % groups or out_channels % groups:
        raise InputShapeError(
            f"{groups} groups must divide both the {channels} input channels and the "
            f"{out_channels} output channels; choose groups that divide both (1 = an ordinary "
            f"convolution, {channels} = depthwise when out_channels is a multiple of {channels})"
        )


def _conv_builder(conv_cls, rank: int):
    def build(p, input_shapes):
        (shape,) = input_shapes
        _check_groups(p.groups, shape[0], p.out_channels)
        kernel, stride, dilation = (
            per_axis(v, rank) for v in (p.kernel_size, p.stride, p.dilation)
        )
        options = dict(stride=stride, dilation=dilation, groups=p.groups, bias=p.bias)
        if p.padding == "same" and all(s == 1 for s in stride):
            # PyTorch pads 'same' itself at stride 1, asymmetrically for even kernels as Keras does
            padding, pad = "same", None
        else:
            pads = _pads(p, shape[1:], kernel, stride, dilation)
            if all(before == after for before, after in pads):
                padding, pad = tuple(before for before, _ in pads), None
            else:  # asymmetric: pad explicitly; pad modules take the last axis first
                flat = tuple(amount for side in reversed(pads) for amount in side)
                padding, pad = 0, _PAD_MODULES[(p.padding_mode, rank)](flat)
        mode = p.padding_mode if pad is None else "zeros"
        conv = conv_cls(
            shape[0], p.out_channels, kernel, padding=padding, padding_mode=mode, **options
        )
        layer = conv if pad is None else nn.Sequential(pad, conv)
        return with_activation(layer, p.activation, feature_dim=1)

    return build


def _size_text(value) -> str:
    return "x".join(map(str, value)) if isinstance(value, tuple) else str(value)


def _conv_label(p) -> str:
    kernel = p.kernel_size if isinstance(p.kernel_size, tuple) else (p.kernel_size,) * 2
    stride = f"/{_size_text(p.stride)}" if p.stride != 1 else ""
    padding = getattr(p, "padding", "valid")
    extra = f" {padding}" if padding in ("same", "causal") else ""
    extra += f" pad {_size_text(p.pad)}" if padding == "explicit" else ""
    extra += f" {p.keras_padding}" if getattr(p, "keras_padding", "explicit") != "explicit" else ""
    extra += f" d{_size_text(p.dilation)}" if getattr(p, "dilation", 1) != 1 else ""
    extra += f" g{p.groups}" if getattr(p, "groups", 1) != 1 else ""
    return f"{p.out_channels}@{_size_text(kernel)}{stride}{extra}{activation_suffix(p.activation)}"


def transpose_crop(size: int, kernel: int, stride: int, padding: str) -> tuple[int, int, int]:
    """(crop before, crop after, output_padding) that turn PyTorch's full transposed output,
    (size - 1) * stride + kernel, into Keras' (TensorFlow's) valid or same output."""
    if padding == "valid":  # Keras: (size - 1) * stride + max(kernel, stride)
        return 0, 0, max(stride - kernel, 0)
    pad_len = stride + kernel - 2  # Keras' left pad on the stride-dilated input, as in JAX
    before = kernel - 1 - min(pad_len // 2 + pad_len % 2, kernel - 1)
    rest = stride - kernel + before  # > 0: extend the end (output_padding), < 0: crop it
    return before, max(-rest, 0), max(rest, 0)


def _transpose_builder(conv_cls):
    return lambda p, input_shapes: _build_conv_transpose(p, input_shapes, conv_cls)


def _build_conv_transpose(p, input_shapes, conv_cls=nn.ConvTranspose2d):
    (shape,) = input_shapes
    if p.keras_padding == "explicit":
        if p.output_padding >= p.stride:
            raise ParamError(
                f"output_padding ({p.output_padding}) must be smaller than the stride ({p.stride})"
            )
        conv = conv_cls(
            shape[0],
            p.out_channels,
            p.kernel_size,
            stride=p.stride,
            padding=p.padding,
            output_padding=p.output_padding,
            bias=p.bias,
        )
        return with_activation(conv, p.activation, feature_dim=1)
    crops = [transpose_crop(n, p.kernel_size, p.stride, p.keras_padding) for n in shape[1:]]
    conv = conv_cls(
        shape[0],
        p.out_channels,
        p.kernel_size,
        stride=p.stride,
        output_padding=tuple(extra for _, _, extra in crops),
        bias=p.bias,
    )
    sides = tuple(amount for before, after, _ in crops for amount in (before, after))
    layer = nn.Sequential(conv, Crop(sides)) if any(sides) else conv
    return with_activation(layer, p.activation, feature_dim=1)


_TRANSPOSE_PARAMS = (
    ParamSpec("out_channels", "int", 16, "Number of output channels", min=1, max=65_536),
    ParamSpec("kernel_size", "int", 2, "Width (and height) of each filter", min=1, max=1024),
    ParamSpec("stride", "int", 2, "Upsampling factor", min=1, max=1024),
    ParamSpec(
        "padding",
        "int",
        0,
        "Rows/columns removed from each side of the output (keras_padding explicit)",
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
    ParamSpec(
        "keras_padding",
        "choice",
        "explicit",
        "explicit = PyTorch's padding and output_padding above; valid / same = Keras' "
        "Conv2DTranspose padding: output (in - 1) * stride + kernel, or in * stride, "
        "cropped where Keras crops",
        choices=("explicit", "valid", "same"),
    ),
)

_IMAGE_HINT = "(channels, height, width)"
_SEQUENCE_HINT = "(channels, length)"


def _conv_spec(name, conv_cls, rank, hint, help_text, **fields):
    return LayerSpec(
        aliases=(name.replace("d", "D"),),  # Keras: Conv2D
        name=name,
        category="Convolution",
        build=_conv_builder(conv_cls, rank),
        params=_conv_params(rank),
        input_rank=(rank + 1,),
        rank_hint=hint,
        help=help_text,
        label=_conv_label,
        **fields,
    )


def _build_upsample(p, input_shapes):
    # An int stays an int (the module and its code export are unchanged for older files).
    factor = (
        tuple(float(f) for f in p.scale_factor)
        if isinstance(p.scale_factor, tuple)
        else (p.scale_factor)
    )
    return nn.Upsample(scale_factor=factor, mode=p.mode)


def _zero_pad(p, input_shapes):
    sides = [p.padding if side < 0 else side for side in (p.left, p.right, p.top, p.bottom)]
    return nn.ZeroPad2d(tuple(sides) if len(set(sides)) > 1 else sides[0])


def _pad_side(name: str) -> ParamSpec:
    return ParamSpec(
        name, "int", -1, f"Zeros on the {name} side; -1 = the padding above", min=-1, max=1024
    )


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
    _conv_spec(
        "Conv3d",
        nn.Conv3d,
        3,
        "(channels, depth, height, width)",
        "3-D convolution over volumes or video clips (channels, depth, height, width)",
        example_input=(2, 6, 6, 6),
    ),
    LayerSpec(
        name="ConvTranspose2d",
        aliases=("Conv2DTranspose", "Deconvolution", "upconv"),
        category="Convolution",
        build=_transpose_builder(nn.ConvTranspose2d),
        input_rank=(3,),
        rank_hint=_IMAGE_HINT,
        label=_conv_label,
        help="Transposed 2-D convolution: learned upsampling (decoders, GAN generators)",
        params=_TRANSPOSE_PARAMS,
    ),
    LayerSpec(
        name="ConvTranspose1d",
        aliases=("Conv1DTranspose",),
        category="Convolution",
        build=_transpose_builder(nn.ConvTranspose1d),
        input_rank=(2,),
        rank_hint=_SEQUENCE_HINT,
        label=_conv_label,
        help="Transposed 1-D convolution: learned upsampling of a sequence (channels, length)",
        params=_TRANSPOSE_PARAMS,
    ),
    LayerSpec(
        name="Upsample",
        aliases=("UpSampling2D",),
        category="Reshape",
        input_rank=(3,),
        rank_hint=_IMAGE_HINT,
        build=_build_upsample,
        help="Enlarge an image by repeating (nearest) or interpolating (bilinear) pixels",
        params=(
            ParamSpec(
                "scale_factor",
                "ints",
                2,
                "How many times larger: one number, or height and width (2, 3)",
                min=1,
                max=64,
                lengths=(2,),
            ),
            ParamSpec(
                "mode",
                "choice",
                "nearest",
                "How new pixels are filled",
                choices=("nearest", "bilinear", "bicubic"),
            ),
        ),
        label=lambda p: f"x{_size_text(p.scale_factor)} {p.mode}",
    ),
    LayerSpec(
        name="ZeroPad2d",
        aliases=("ZeroPadding2D",),
        category="Reshape",
        input_rank=(3,),
        rank_hint=_IMAGE_HINT,
        build=_zero_pad,
        help="Add a border of zeros around each image (the same on every side, or per side)",
        params=(
            ParamSpec("padding", "int", 1, "Border width in pixels on every side", min=0, max=1024),
            _pad_side("left"),
            _pad_side("right"),
            _pad_side("top"),
            _pad_side("bottom"),
        ),
        label=lambda p: str(p.padding),
    ),
)
