"""What each traced PyTorch module or function becomes: a registry layer type and its params.

One table per kind of fx node: `MODULES` by module class (the module's own settings read from
its attributes), `FUNCTIONS` by function (its arguments). A mapper returns (layer type, params)
or raises `Unmappable` with the reason; the importer adds the module path.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from ..layers.core import Reshape


class Unmappable(ValueError):
    """A module or function with no NeuroCanvas layer; the message says why."""


Mapped = tuple[str, dict[str, Any]]


def _one(value: Any, what: str) -> int:
    """A size PyTorch gives per axis, as one number (NeuroCanvas pools take one)."""
    if isinstance(value, (tuple, list)):
        if len(set(value)) != 1:
            raise Unmappable(f"{what} {tuple(value)} differs per axis")
        return int(value[0])
    return int(value)


def _ints(value: Any) -> int | tuple[int, ...]:
    if isinstance(value, (tuple, list)):
        return int(value[0]) if len(set(value)) == 1 else tuple(int(v) for v in value)
    return int(value)


def _conv(m: nn.Conv2d) -> Mapped:
    if isinstance(m.padding, str):
        padding, pad = m.padding, 0
    else:
        padding, pad = "explicit", _ints(m.padding)
    return "Conv2d", {
        "out_channels": m.out_channels,
        "kernel_size": _ints(m.kernel_size),
        "stride": _ints(m.stride),
        "padding": padding,
        "pad": pad,
        "dilation": _ints(m.dilation),
        "groups": m.groups,
        "bias": m.bias is not None,
        "padding_mode": m.padding_mode,
    }


def _batch_norm(m: nn.BatchNorm2d) -> Mapped:
    if not m.track_running_stats or m.momentum is None:
        raise Unmappable("BatchNorm without running statistics (or with a cumulative average)")
    return "BatchNorm2d", {"eps": m.eps, "momentum": m.momentum, "affine": m.affine}


def _linear(m: nn.Linear) -> Mapped:
    return "Dense", {"units": m.out_features, "bias": m.bias is not None}


def _pool(layer: str) -> Callable[[nn.Module], Mapped]:
    def mapper(m) -> Mapped:
        if _one(getattr(m, "dilation", 1), "dilation") != 1:
            raise Unmappable("a dilated pooling window")
        params = {
            "kernel_size": _one(m.kernel_size, "kernel_size"),
            "stride": _one(m.stride or m.kernel_size, "stride"),
            "padding": _one(m.padding, "padding"),
            "ceil_mode": bool(m.ceil_mode),
        }
        if isinstance(m, nn.AvgPool2d):
            if m.divisor_override is not None:
                raise Unmappable("an average pool with divisor_override")
            params["count_include_pad"] = bool(m.count_include_pad)
        return layer, params

    return mapper


def _adaptive(layer: str) -> Callable[[nn.Module], Mapped]:
    def mapper(m) -> Mapped:
        return layer, {"output_size": _pair(m.output_size)}

    return mapper


def _pair(size: Any) -> tuple[int, int]:
    if isinstance(size, int):
        return (size, size)
    if any(s is None for s in size):
        raise Unmappable("an adaptive pool keeping one axis (output_size None)")
    return tuple(int(s) for s in size)


def _plain(layer: str) -> Callable[[nn.Module], Mapped]:
    return lambda m: (layer, {})


def _dropout(m: nn.Dropout) -> Mapped:
    return "Dropout", {"rate": float(m.p)}


def _flatten(m: nn.Flatten) -> Mapped:
    if m.start_dim != 1 or m.end_dim != -1:
        raise Unmappable("a Flatten that keeps axes after the batch")
    return "Flatten", {}


def _leaky_relu(m: nn.LeakyReLU) -> Mapped:
    return "LeakyReLU", {"negative_slope": float(m.negative_slope)}


def _softmax(m: nn.Softmax) -> Mapped:
    if m.dim is None or m.dim == 0:
        raise Unmappable("a softmax over the batch axis (or with no axis given)")
    return "Softmax", {"axis": m.dim - 1 if m.dim > 0 else m.dim}


def _reshape(m: Reshape) -> Mapped:
    return "Reshape", {"shape": tuple(m.shape)}


def _stochastic_depth(m) -> Mapped:
    return "StochasticDepth", {"rate": float(m.p), "mode": m.mode}


MODULES: dict[type, Callable[[Any], Mapped]] = {
    nn.Conv2d: _conv,
    nn.BatchNorm2d: _batch_norm,
    nn.Linear: _linear,
    nn.MaxPool2d: _pool("MaxPool2d"),
    nn.AvgPool2d: _pool("AvgPool2d"),
    nn.AdaptiveAvgPool2d: _adaptive("AdaptiveAvgPool2d"),
    nn.AdaptiveMaxPool2d: _adaptive("AdaptiveMaxPool2d"),
    nn.ReLU: _plain("ReLU"),
    nn.ReLU6: _plain("ReLU6"),
    nn.SiLU: _plain("SiLU"),
    nn.Sigmoid: _plain("Sigmoid"),
    nn.Tanh: _plain("Tanh"),
    nn.GELU: _plain("GELU"),
    nn.LeakyReLU: _leaky_relu,
    nn.Softmax: _softmax,
    nn.Hardswish: _plain("HardSwish"),
    nn.Hardsigmoid: _plain("HardSigmoid"),
    nn.Dropout: _dropout,
    nn.Flatten: _flatten,
    nn.Identity: _plain("Identity"),
    Reshape: _reshape,
}
try:  # torchvision's own modules (EfficientNet's stochastic depth); torchvision is optional
    from torchvision.ops import StochasticDepth as _TorchvisionStochasticDepth

    MODULES[_TorchvisionStochasticDepth] = _stochastic_depth
except ImportError:  # pragma: no cover - torchvision is installed with NeuroCanvas
    pass


def _flatten_call(args, kwargs) -> Mapped:
    start = args[1] if len(args) > 1 else kwargs.get("start_dim", 0)
    end = args[2] if len(args) > 2 else kwargs.get("end_dim", -1)
    if start != 1 or end != -1:
        raise Unmappable(f"flatten from axis {start} to {end} (only from axis 1 maps to Flatten)")
    return "Flatten", {}


def _add_call(args, kwargs) -> Mapped:
    if kwargs.get("alpha", 1) != 1:
        raise Unmappable("add with alpha")
    return "Add", {"inputs": 2}


def _cat_call(args, kwargs) -> Mapped:
    tensors = args[0]
    dim = args[1] if len(args) > 1 else kwargs.get("dim", 0)
    if dim == 0:
        raise Unmappable("concatenation along the batch axis")
    if len(tensors) == 1:  # torch.cat([x]) is x (DenseNet's first layer of each block)
        return "Identity", {}
    return "Concatenate", {"inputs": len(tensors), "axis": dim - 1 if dim > 0 else dim}


def _adaptive_call(args, kwargs) -> Mapped:
    return "AdaptiveAvgPool2d", {
        "output_size": _pair(args[1] if len(args) > 1 else kwargs["output_size"])
    }


def _mul_call(args, kwargs) -> Mapped:
    return "Scale", {}


def _relu_call(args, kwargs) -> Mapped:
    return "ReLU", {}


FUNCTIONS: dict[Any, Callable[[tuple, dict], Mapped]] = {
    torch.flatten: _flatten_call,
    operator.add: _add_call,
    operator.iadd: _add_call,
    torch.add: _add_call,
    operator.mul: _mul_call,
    torch.mul: _mul_call,
    torch.cat: _cat_call,
    torch.concat: _cat_call,
    F.adaptive_avg_pool2d: _adaptive_call,
    F.relu: _relu_call,
    torch.relu: _relu_call,
    "flatten": _flatten_call,  # methods, by name
    "relu": _relu_call,
}


def tensor_inputs(args: tuple) -> list:
    """The fx nodes among a call's arguments, in order (a list argument counted item by item)."""
    from torch import fx

    found = []
    for arg in args:
        items = arg if isinstance(arg, (list, tuple)) else [arg]
        found += [item for item in items if isinstance(item, fx.Node)]
    return found
