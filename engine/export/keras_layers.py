"""How each NeuroCanvas layer is written as Keras 3 code, and its weights in Keras' layout.

Keras runs channels first here (`data_format="channels_first"`), as NeuroCanvas draws images, so
shapes and Flatten's order are PyTorch's and only the weights change layout: kernels transposed
(torch (out, in, kh, kw) -> Keras (kh, kw, in, out)), recurrent gates reordered (GRU) and biases
summed (LSTM/SimpleRNN in PyTorch's two-bias form), attention projections split per head.

A layer type without an entry in CONVERTERS, or with settings Keras cannot express, raises
ExportError naming the node (keras_export reports it): nothing is approximated.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from torch import nn

from .keras_base import ACTIVATIONS, CF, Block, Layer, Node, Unsupported, core
from .keras_base import activation as _activation
from .keras_base import ints as _ints
from .keras_base import to_numpy as _np
from .keras_sequence import (
    embedding,
    multi_head_attention,
    positional_embedding,
    recurrent,
    transformer_encoder,
)


def dense(node: Node) -> Layer:
    linear = core(node.module, nn.Linear)
    weights = [_np(linear.weight.t())] + ([_np(linear.bias)] if linear.bias is not None else [])
    args = [str(linear.out_features)] + ([] if node.p.bias else ["use_bias=False"])
    return _activation(node, Layer("layers.Dense", args, weights))


def conv_transpose(node: Node) -> Layer:
    """Keras' Conv2DTranspose/Conv1DTranspose: exact for keras_padding valid or same (the layer
    builds Keras' sizes and crop), and for explicit padding 0 with no output_padding (= valid)."""
    module = core(node.module, nn.modules.conv._ConvTransposeNd)
    padding = node.p.keras_padding
    if padding == "explicit":
        if node.p.padding or node.p.output_padding:
            raise Unsupported(
                f"{node.id}: Keras' transposed convolution has no explicit padding; set "
                "keras_padding to valid or same (or padding and output_padding to 0)",
                node.id,
            )
        padding = "valid"
    rank = module.weight.dim() - 2
    args = [str(module.out_channels), _ints(module.kernel_size)]
    if any(s != 1 for s in module.stride):
        args.append(f"strides={_ints(module.stride)}")
    args.append(f"padding={padding!r}")
    if module.bias is None:
        args.append("use_bias=False")
    args.append(CF)
    order = (*range(2, rank + 2), 1, 0)  # (in, out, *k) -> (*k, out, in)
    weights = [_np(module.weight.permute(*order))]
    weights += [_np(module.bias)] if module.bias is not None else []
    return _activation(
        node, Layer(f"layers.Conv{rank}DTranspose", args, weights), channel_axis=True
    )


def conv(node: Node) -> Layer:
    module = core(node.module, nn.modules.conv._ConvNd)
    if node.p.padding_mode != "zeros":
        raise Unsupported(f"{node.id}: Keras pads convolutions with zeros only", node.id)
    rank = module.weight.dim() - 2
    padding = node.p.padding
    pads = None
    if padding == "explicit":
        pads = _explicit_pads(node.p.pad, rank)
        padding = "valid"
    args = [str(module.out_channels), _ints(module.kernel_size)]
    if any(s != 1 for s in module.stride):
        args.append(f"strides={_ints(module.stride)}")
    args.append(f"padding={padding!r}")
    if any(d != 1 for d in module.dilation):
        args.append(f"dilation_rate={_ints(module.dilation)}")
    if module.groups != 1:
        args.append(f"groups={module.groups}")
    if module.bias is None:
        args.append("use_bias=False")
    args.append(CF)
    order = (*range(2, rank + 2), 1, 0)  # (out, in, *k) -> (*k, in, out)
    weights = [_np(module.weight.permute(*order))]
    weights += [_np(module.bias)] if module.bias is not None else []
    layer = _activation(node, Layer(f"layers.Conv{rank}D", args, weights), channel_axis=True)
    if pads is None or not any(side for axis in pads for side in axis):
        return layer
    if rank == 3:
        raise Unsupported(f"{node.id}: explicit padding is exported for 1-D and 2-D only", node.id)
    return _padded(node, layer, pads)


def _explicit_pads(pad, rank: int) -> list[tuple[int, int]]:
    sizes = (pad,) * rank if isinstance(pad, int) else tuple(pad)
    if len(sizes) == rank:
        return [(size, size) for size in sizes]
    return list(zip(sizes[::2], sizes[1::2]))


def _pad_text(pads: list[tuple[int, int]]) -> str:
    return repr(pads[0]) if len(pads) == 1 else repr(tuple(pads))


def _padded(node: Node, layer: Layer, pads: list[tuple[int, int]]) -> Block:
    """ZeroPadding then the layer: PyTorch's explicit padding, in Keras."""
    rank = len(pads)
    pad = f"layers.ZeroPadding{rank}D({_pad_text(pads)}, {CF}, name={node.id + '_pad'!r})"
    lines = [f"{{out}} = {pad}({{x}})", f"{{out}} = {layer.constructor(node.id)}({{out}})"]
    if layer.then:
        then = layer.then[:-1] + f", name={node.id + '_activation'!r})"
        lines.append(f"{{out}} = {then}({{out}})")
    return Block(lines, {node.id: layer.weights})


def zero_pad(node: Node) -> Layer:
    if node.type == "ZeroPad1d":
        return Layer("layers.ZeroPadding1D", [repr((node.p.left, node.p.right)), CF])
    left, right, top, bottom = node.module.padding
    return Layer("layers.ZeroPadding2D", [repr(((top, bottom), (left, right))), CF])


def cropping2d(node: Node) -> Layer:
    p = node.p
    return Layer("layers.Cropping2D", [repr(((p.top, p.bottom), (p.left, p.right))), CF])


def depthwise(node: Node) -> Layer:
    convs = [m for m in node.module.modules() if isinstance(m, nn.Conv2d)]
    spatial = convs[0]
    channels, multiplier = node.shapes[0][0], node.p.depth_multiplier
    kernel = spatial.weight.reshape(channels, multiplier, *spatial.weight.shape[2:])
    weights = [_np(kernel.permute(2, 3, 0, 1))]  # Keras (kh, kw, channels, multiplier)
    args = [] if node.type == "DepthwiseConv2d" else [str(node.p.out_channels)]
    args += [_ints(spatial.kernel_size)]
    if any(s != 1 for s in spatial.stride):
        args.append(f"strides={_ints(spatial.stride)}")
    args.append(f"padding={node.p.padding!r}")
    if multiplier != 1:
        args.append(f"depth_multiplier={multiplier}")
    if any(d != 1 for d in spatial.dilation):
        args.append(f"dilation_rate={_ints(spatial.dilation)}")
    last = convs[-1]
    if node.type == "SeparableConv2d":
        weights.append(_np(last.weight.permute(2, 3, 1, 0)))
    if last.bias is not None:
        weights.append(_np(last.bias))
    else:
        args.append("use_bias=False")
    args.append(CF)
    cls = "layers.DepthwiseConv2D" if node.type == "DepthwiseConv2d" else "layers.SeparableConv2D"
    if node.p.padding not in ("same", "valid"):
        raise Unsupported(f"{node.id}: Keras' {cls[7:]} pads same or valid only", node.id)
    return _activation(node, Layer(cls, args, weights), channel_axis=True)


def _same_as_keras(node: Node, kernel: int, stride: int) -> bool:
    """Explicit pooling padding that is exactly Keras' 'same' on these inputs."""
    for size in node.shapes[0][1:]:
        out = math.ceil(size / stride)
        total = max((out - 1) * stride + kernel - size, 0)
        floor_out = (size + 2 * node.p.padding - kernel) // stride + 1
        if total != 2 * node.p.padding or floor_out != out:
            return False
    return True


def pool(kind: str) -> Callable[[Node], Layer]:
    def convert(node: Node) -> Layer:
        p = node.p
        rank = len(node.shapes[0]) - 1
        stride = p.stride or p.kernel_size
        if p.ceil_mode:
            raise Unsupported(f"{node.id}: Keras pooling has no ceil_mode", node.id)
        padding = "same" if p.keras_padding == "same" else "valid"
        if p.keras_padding != "same" and p.padding:
            averaging_pad = kind == "Average" and p.count_include_pad
            if averaging_pad or not _same_as_keras(node, p.kernel_size, stride):
                raise Unsupported(
                    f"{node.id}: padding {p.padding} is not Keras' 'same' here; set "
                    "keras_padding to same (or padding 0)",
                    node.id,
                )
            padding = "same"
        args = [str(p.kernel_size), f"strides={stride}", f"padding={padding!r}", CF]
        return Layer(f"layers.{kind}Pooling{rank}D", args)

    return convert


def global_pool(kind: str, rank: int) -> Callable[[Node], Layer]:
    return lambda node: Layer(f"layers.Global{kind}Pooling{rank}D", [CF])


def adaptive(kind: str) -> Callable[[Node], Layer]:
    def convert(node: Node) -> Layer:
        size = node.p.output_size
        if tuple(size if isinstance(size, tuple) else (size, size)) != (1, 1):
            raise Unsupported(f"{node.id}: Keras pools adaptively to 1x1 only", node.id)
        return Layer(f"layers.Global{kind}Pooling2D", ["keepdims=True", CF])

    return convert


def batch_norm(node: Node) -> Layer:
    bn = core(node.module, nn.modules.batchnorm._BatchNorm)
    args = ["axis=1", f"epsilon={bn.eps!r}", f"momentum={1 - bn.momentum:.10g}"]
    tensors = [bn.running_mean, bn.running_var]
    if bn.affine:
        tensors = [bn.weight, bn.bias, *tensors]
    else:
        args += ["center=False", "scale=False"]
    return Layer("layers.BatchNormalization", args, [_np(t) for t in tensors])


def layer_norm(node: Node) -> Layer:
    norm = core(node.module, nn.LayerNorm)
    axes = node.p.axes
    axis = "-1" if axes == 1 else repr(list(range(-axes, 0)))
    weights = [_np(norm.weight), _np(norm.bias)]
    return Layer("layers.LayerNormalization", [f"axis={axis}", f"epsilon={norm.eps!r}"], weights)


def normalization(node: Node) -> Layer:
    layer = node.module
    axis = {"last": "-1", "first": "1", "all": "None"}[node.p.axis]
    weights = [_np(layer.mean), _np(layer.variance), np.array(int(layer.count.item()), "int32")]
    return Layer("layers.Normalization", [f"axis={axis}"], weights)


def group_norm(node: Node) -> Layer:
    norm = core(node.module, (nn.GroupNorm, nn.modules.instancenorm._InstanceNorm))
    channels = node.shapes[0][0]
    groups = norm.num_groups if isinstance(norm, nn.GroupNorm) else channels
    args = [str(groups), "axis=1", f"epsilon={norm.eps!r}"]
    if norm.affine:
        weights = [_np(norm.weight), _np(norm.bias)]
    else:
        weights, args = [], args + ["center=False", "scale=False"]
    return Layer("layers.GroupNormalization", args, weights)


def prelu(node: Node) -> Layer:
    alpha = core(node.module, nn.PReLU).weight
    rank = len(node.shapes[0])
    if node.p.shared == "channel":
        shared = list(range(2, rank + 1))
        shape = (node.shapes[0][0],) + (1,) * (rank - 1)
    else:
        shared, shape = list(range(1, rank + 1)), (1,) * rank
    args = [f"shared_axes={shared!r}"] if shared else []
    return Layer("layers.PReLU", args, [_np(alpha.reshape(shape))])


def upsample(node: Node) -> Layer:
    if node.p.mode not in ("nearest", "bilinear"):
        raise Unsupported(f"{node.id}: Keras upsamples nearest or bilinear only", node.id)
    factor = node.p.scale_factor
    factors = (factor, factor) if isinstance(factor, (int, float)) else tuple(factor)
    if any(float(f) != int(f) for f in factors):
        raise Unsupported(f"{node.id}: Keras upsamples by whole factors only", node.id)
    size = tuple(int(f) for f in factors)
    return Layer("layers.UpSampling2D", [repr(size), CF, f"interpolation={node.p.mode!r}"])


def softmax(kind: str) -> Callable[[Node], Layer]:
    def convert(node: Node) -> Layer:
        axis = node.p.axis + 1 if node.p.axis >= 0 else node.p.axis
        if kind == "Softmax":
            return Layer("layers.Softmax", [f"axis={axis}"])
        if axis not in (-1, len(node.shapes[0])):
            raise Unsupported(f"{node.id}: Keras' log_softmax is over the last axis", node.id)
        return Layer("layers.Activation", ['"log_softmax"'])

    return convert


def merge(kind: str) -> Callable[[Node], Layer]:
    return lambda node: Layer(f"layers.{kind}", [], merge=True)


def concatenate(node: Node) -> Layer:
    axis = node.p.axis + 1 if node.p.axis >= 0 else node.p.axis
    return Layer("layers.Concatenate", [f"axis={axis}"], merge=True)


def simple(cls: str, *args: str) -> Callable[[Node], Layer]:
    return lambda node: Layer(cls, list(args))


def time_distributed(inner_type: str) -> Callable[[Node], Layer]:
    def convert(node: Node) -> Layer:
        inner = Node(
            node.id,
            inner_type,
            node.p,
            [s[1:] for s in node.shapes],
            node.module.layer,
        )
        layer = CONVERTERS[inner_type](inner)
        wrapped = Layer("layers.TimeDistributed", [layer.constructor(None)], layer.weights)
        wrapped.then = layer.then
        return wrapped

    return convert


CONVERTERS: dict[str, Callable[[Node], Layer | Block]] = {
    "Dense": dense,
    "Conv1d": conv,
    "Conv2d": conv,
    "ConvTranspose1d": conv_transpose,
    "ConvTranspose2d": conv_transpose,
    "Conv3d": conv,
    "MaxPool1d": pool("Max"),
    "MaxPool2d": pool("Max"),
    "AvgPool1d": pool("Average"),
    "AvgPool2d": pool("Average"),
    "GlobalAvgPool1d": global_pool("Average", 1),
    "GlobalAvgPool2d": global_pool("Average", 2),
    "GlobalMaxPool1d": global_pool("Max", 1),
    "GlobalMaxPool2d": global_pool("Max", 2),
    "AdaptiveAvgPool2d": adaptive("Average"),
    "AdaptiveMaxPool2d": adaptive("Max"),
    "BatchNorm1d": batch_norm,
    "BatchNorm2d": batch_norm,
    "LayerNorm": layer_norm,
    "GroupNorm": group_norm,
    "InstanceNorm1d": group_norm,
    "InstanceNorm2d": group_norm,
    "PReLU": prelu,
    "Upsample": upsample,
    "Normalization": normalization,
    "LSTM": recurrent("LSTM"),
    "GRU": recurrent("GRU"),
    "SimpleRNN": recurrent("SimpleRNN"),
    "Embedding": embedding,
    "PositionalEmbedding": positional_embedding,
    "MultiHeadAttention": multi_head_attention,
    "TransformerEncoder": transformer_encoder,
    "ZeroPad1d": zero_pad,
    "ZeroPad2d": zero_pad,
    "Cropping2d": cropping2d,
    "DepthwiseConv2d": depthwise,
    "SeparableConv2d": depthwise,
    "Flatten": simple("layers.Flatten", "data_format='channels_last'"),
    "Reshape": lambda node: Layer("layers.Reshape", [repr(tuple(node.p.shape))]),
    "Permute": lambda node: Layer("layers.Permute", [repr(tuple(node.p.dims))]),
    "RepeatVector": lambda node: Layer("layers.RepeatVector", [str(node.p.n)]),
    "Identity": simple("layers.Identity"),
    # A VAE's Sampling layer predicts with its mean (port 0), as Keras VAEs predict with z_mean.
    "Sampling": lambda node: Layer("layers.Identity", first_input_only=True),
    "Dropout": lambda node: Layer("layers.Dropout", [repr(node.p.rate)]),
    "SpatialDropout2d": lambda node: Layer("layers.SpatialDropout2D", [repr(node.p.rate), CF]),
    # Ours drops whole rows of (channels, length); Keras' SpatialDropout1D drops along its last
    # axis instead, so the same thing in Keras is a Dropout broadcast over the last axis.
    "SpatialDropout1d": lambda node: Layer(
        "layers.Dropout", [repr(node.p.rate), "noise_shape=(None, None, 1)"]
    ),
    "GaussianNoise": lambda node: Layer("layers.GaussianNoise", [repr(node.p.stddev)]),
    "GaussianDropout": lambda node: Layer("layers.GaussianDropout", [repr(node.p.rate)]),
    "AlphaDropout": lambda node: Layer("layers.AlphaDropout", [repr(node.p.rate)]),
    "Rescaling": lambda node: Layer(
        "layers.Rescaling", [repr(node.p.scale), f"offset={node.p.offset!r}"]
    ),
    "ReLU": simple("layers.ReLU"),
    "LeakyReLU": lambda node: Layer(
        "layers.LeakyReLU", [f"negative_slope={node.p.negative_slope!r}"]
    ),
    "ELU": lambda node: Layer("layers.ELU", [f"alpha={node.p.alpha!r}"]),
    "Softmax": softmax("Softmax"),
    "LogSoftmax": softmax("LogSoftmax"),
    "Add": merge("Add"),
    "Subtract": merge("Subtract"),
    "Multiply": merge("Multiply"),
    "Average": merge("Average"),
    "Maximum": merge("Maximum"),
    "Minimum": merge("Minimum"),
    "Concatenate": concatenate,
}
for _ours, _keras in ACTIVATIONS.items():  # standalone activation layers
    _type = {"gelu": "GELU", "silu": "SiLU", "relu6": "ReLU6", "selu": "SELU", "elu": "ELU"}.get(
        _ours, "".join(part.capitalize() for part in _ours.split("_"))
    )
    CONVERTERS.setdefault(_type, simple("layers.Activation", repr(_keras)))
for _inner in ("Conv1d", "Conv2d", "MaxPool2d", "AvgPool2d", "GlobalAvgPool2d"):
    CONVERTERS[f"TimeDistributed{_inner}"] = time_distributed(_inner)
CONVERTERS["TimeDistributedGlobalMaxPool2d"] = time_distributed("GlobalMaxPool2d")
CONVERTERS["TimeDistributedFlatten"] = time_distributed("Flatten")


def _block_written_inline(node: Node) -> Layer:
    # keras_export writes a block's layers in its place (names by path); never called for one.
    raise Unsupported("a block is written layer by layer, not converted")


CONVERTERS["Block"] = _block_written_inline  # converts when every layer inside does
