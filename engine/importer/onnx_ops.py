"""What each ONNX operator becomes in torch: one handler per op type, reading the node's
attributes and constant inputs (weights) and adding a module or function call to the fx graph.

A handler raises `Unmappable` with the reason when the attributes ask for something the torch
module (and so the NeuroCanvas layer) cannot do: asymmetric padding, a transposed input, ...
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable

import torch
from torch import fx, nn

from ..layers.core import Reshape
from .mapping import Unmappable


def _symmetric_pads(pads, axes: int) -> tuple[int, ...]:
    pads = list(pads or [0] * 2 * axes)
    begin, end = pads[:axes], pads[axes:]
    if begin != end:
        raise Unmappable(f"asymmetric padding {pads} (a layer pads both sides alike)")
    return tuple(int(p) for p in begin)


def _same(values, what: str) -> int:
    values = list(values)
    if len(set(values)) != 1:
        raise Unmappable(f"{what} {values} differs per axis")
    return int(values[0])


def _parameter(module: nn.Module, name: str, value: torch.Tensor | None) -> None:
    if value is not None:
        getattr(module, name).data.copy_(value.reshape(getattr(module, name).shape))


def _conv(c, node, attrs):
    weight, bias = c.const(node, 1), c.const(node, 2)
    if weight.dim() != 4:
        raise Unmappable(f"a {weight.dim() - 2}-D convolution (2-D ones are imported)")
    groups = int(attrs.get("group", 1))
    padding = _conv_padding(attrs, weight.shape[2:])
    conv = nn.Conv2d(
        weight.shape[1] * groups,
        weight.shape[0],
        tuple(weight.shape[2:]),
        stride=tuple(attrs.get("strides", (1, 1))),
        padding=padding,
        dilation=tuple(attrs.get("dilations", (1, 1))),
        groups=groups,
        bias=bias is not None,
    )
    _parameter(conv, "weight", weight)
    _parameter(conv, "bias", bias)
    return c.module(node, conv, [c.tensor(node, 0)])


def _conv_padding(attrs, kernel) -> tuple[int, ...] | str:
    auto = attrs.get("auto_pad", b"NOTSET")
    auto = auto.decode() if isinstance(auto, bytes) else auto
    if auto in ("NOTSET", ""):
        return _symmetric_pads(attrs.get("pads"), 2)
    if auto == "VALID":
        return (0, 0)
    if auto.startswith("SAME") and all(s == 1 for s in attrs.get("strides", (1, 1))):
        if any(k % 2 == 0 for k in kernel):
            raise Unmappable("'same' padding of an even kernel (one side gets more)")
        return "same"
    raise Unmappable(f"auto_pad {auto} with a stride")


def _gemm(c, node, attrs):
    if attrs.get("transA", 0) or attrs.get("alpha", 1.0) != 1.0 or attrs.get("beta", 1.0) != 1.0:
        raise Unmappable("a Gemm with transA, alpha or beta (only x @ W + b maps to Dense)")
    weight = c.const(node, 1)
    weight = weight if attrs.get("transB", 0) else weight.t()
    return _linear(c, node, weight, c.const(node, 2))


def _matmul(c, node, attrs):
    weight = c.const(node, 1)
    if weight.dim() != 2:
        raise Unmappable("a MatMul whose second operand is not a weight matrix")
    return _linear(c, node, weight.t(), None)


def _linear(c, node, weight: torch.Tensor, bias: torch.Tensor | None) -> fx.Node:
    linear = nn.Linear(weight.shape[1], weight.shape[0], bias=bias is not None)
    _parameter(linear, "weight", weight)
    _parameter(linear, "bias", bias)
    return c.module(node, linear, [c.tensor(node, 0)])


def _plain(module_cls) -> Callable:
    def handler(c, node, attrs):
        created = c.module(node, module_cls(), [c.tensor(node, 0)], weight_index=None)
        if module_cls is nn.Sigmoid:
            c.sigmoid_of[created] = created.args[0]
        return created

    return handler


def _leaky_relu(c, node, attrs):
    module = nn.LeakyReLU(float(attrs.get("alpha", 0.01)))
    return c.module(node, module, [c.tensor(node, 0)], weight_index=None)


def _softmax(c, node, attrs):
    axis = int(attrs.get("axis", -1))
    return c.module(node, nn.Softmax(axis), [c.tensor(node, 0)], weight_index=None)


def _clip(c, node, attrs):
    low = c.const(node, 1, torch.tensor(attrs.get("min", -math.inf)))
    high = c.const(node, 2, torch.tensor(attrs.get("max", math.inf)))
    bounds = (float(low), float(high))
    modules = {(0.0, 6.0): nn.ReLU6, (0.0, math.inf): nn.ReLU}
    if bounds not in modules:
        raise Unmappable(f"clipping to {bounds} (only ReLU6's 0..6 and ReLU's 0.. map)")
    return c.module(node, modules[bounds](), [c.tensor(node, 0)], weight_index=None)


def _hard_sigmoid(c, node, attrs):
    if abs(attrs.get("alpha", 0.2) - 1 / 6) > 1e-6 or abs(attrs.get("beta", 0.5) - 0.5) > 1e-6:
        raise Unmappable("a HardSigmoid other than PyTorch's x / 6 + 1 / 2")
    return c.module(node, nn.Hardsigmoid(), [c.tensor(node, 0)], weight_index=None)


def _pool(module_cls):
    def handler(c, node, attrs):
        if any(d != 1 for d in attrs.get("dilations", (1, 1))):
            raise Unmappable("a dilated pooling window")
        kernel = _same(attrs["kernel_shape"], "kernel_shape")
        options = {
            "stride": _same(attrs.get("strides", attrs["kernel_shape"]), "strides"),
            "padding": _same(_symmetric_pads(attrs.get("pads"), 2), "pads"),
            "ceil_mode": bool(attrs.get("ceil_mode", 0)),
        }
        if module_cls is nn.AvgPool2d:
            options["count_include_pad"] = bool(attrs.get("count_include_pad", 0))
        module = module_cls(kernel, **options)
        return c.module(node, module, [c.tensor(node, 0)], weight_index=None)

    return handler


def _global(module_cls):
    def handler(c, node, attrs):
        return c.module(node, module_cls(1), [c.tensor(node, 0)], weight_index=None)

    return handler


def _reduce_mean(c, node, attrs):
    axes = attrs.get("axes")
    if axes is None:
        given = c.const(node, 1)
        axes = given.tolist() if given is not None else None
    rank = c.rank(node.input[0]) or 4
    if axes is None or sorted(a % rank for a in axes) != [2, 3] or rank != 4:
        raise Unmappable(f"a mean over axes {axes} (only a global average of an image maps)")
    pooled = c.module(node, nn.AdaptiveAvgPool2d(1), [c.tensor(node, 0)], weight_index=None)
    if attrs.get("keepdims", 1):
        return pooled
    return c.function(node, torch.flatten, (pooled, 1))


def _flatten(c, node, attrs):
    if int(attrs.get("axis", 1)) != 1:
        raise Unmappable(f"a Flatten at axis {attrs.get('axis')} (only axis 1 maps)")
    return c.function(node, torch.flatten, (c.tensor(node, 0), 1))


def _reshape(c, node, attrs):
    """Flatten for (batch, features), otherwise the Reshape layer with the sizes after the
    batch axis (from shape inference, or the constant target when inference left them open)."""
    sizes = c.sizes(node.output[0])
    target = c.values.get(node.input[1])
    if sizes is None and isinstance(target, torch.Tensor) and target.dim() == 1:
        sizes = [int(s) for s in target.tolist()[1:]]
        if any(s == 0 for s in sizes):
            raise Unmappable("a Reshape copying sizes from its input (0 in the target)")
    if not sizes:
        raise Unmappable("a Reshape whose target sizes are computed from the input")
    if len(sizes) == 1 and c.rank(node.input[0]) != 2:
        return c.function(node, torch.flatten, (c.tensor(node, 0), 1))
    return c.module(node, Reshape(tuple(sizes)), [c.tensor(node, 0)], weight_index=None)


def _add(c, node, attrs):
    left, right = (c.values.get(name) for name in node.input[:2])
    if isinstance(left, fx.Node) and isinstance(right, fx.Node):
        return c.function(node, operator.add, (left, right))
    tensor, constant = (left, right) if isinstance(left, fx.Node) else (right, left)
    if isinstance(tensor, fx.Node) and isinstance(constant, torch.Tensor):
        module = c.root.get_submodule(tensor.target) if tensor.op == "call_module" else None
        if isinstance(module, nn.Linear) and module.bias is None and len(tensor.users) == 0:
            # MatMul + Add: how exporters write a Linear; the constant is its bias.
            module.bias = nn.Parameter(constant.reshape(module.out_features).clone())
            return tensor
    raise Unmappable("adds a constant (no NeuroCanvas layer adds a fixed tensor)")


def _mul(c, node, attrs):
    left, right = (c.values.get(name) for name in node.input[:2])
    if not (isinstance(left, fx.Node) and isinstance(right, fx.Node)):
        raise Unmappable("multiplies by a constant (no NeuroCanvas layer scales by a fixed value)")
    for x, gate in ((left, right), (right, left)):
        if c.sigmoid_of.get(gate) is x and not gate.users:  # x * sigmoid(x) is SiLU
            return c.module(node, nn.SiLU(), [x], weight_index=None)
    return c.function(node, operator.mul, (left, right))


def _concat(c, node, attrs):
    parts = [c.tensor(node, i) for i in range(len(node.input))]
    return c.function(node, torch.cat, (parts, int(attrs.get("axis", 1))))


def _batch_norm(c, node, attrs):
    scale, shift, mean, var = (c.const(node, i) for i in range(1, 5))
    if (c.rank(node.input[0]) or 4) != 4:
        raise Unmappable("a BatchNormalization of other than images (BatchNorm2d maps)")
    # ONNX's momentum weighs the old statistics; PyTorch's weighs the new batch.
    norm = nn.BatchNorm2d(
        scale.numel(),
        eps=float(attrs.get("epsilon", 1e-5)),
        momentum=1 - attrs.get("momentum", 0.9),
    )
    for name, value in (("weight", scale), ("bias", shift)):
        _parameter(norm, name, value)
    norm.running_mean.copy_(mean)
    norm.running_var.copy_(var)
    return c.module(node, norm, [c.tensor(node, 0)])


OPS: dict[str, Callable] = {
    "Conv": _conv,
    "Gemm": _gemm,
    "MatMul": _matmul,
    "Relu": _plain(nn.ReLU),
    "Sigmoid": _plain(nn.Sigmoid),
    "Tanh": _plain(nn.Tanh),
    "HardSwish": _plain(nn.Hardswish),
    "Gelu": _plain(nn.GELU),
    "LeakyRelu": _leaky_relu,
    "Softmax": _softmax,
    "Clip": _clip,
    "HardSigmoid": _hard_sigmoid,
    "MaxPool": _pool(nn.MaxPool2d),
    "AveragePool": _pool(nn.AvgPool2d),
    "GlobalAveragePool": _global(nn.AdaptiveAvgPool2d),
    "GlobalMaxPool": _global(nn.AdaptiveMaxPool2d),
    "ReduceMean": _reduce_mean,
    "Flatten": _flatten,
    "Reshape": _reshape,
    "Add": _add,
    "Mul": _mul,
    "Concat": _concat,
    "BatchNormalization": _batch_norm,
}
