"""What the Keras converters share: the node they read, the Keras layer or lines they return,
and the fused activations Keras names alike (keras_layers.py holds the table of converters)."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np
import torch
from torch import nn

from .parity import ExportError

CF = "data_format='channels_first'"
# Our fused activations Keras names identically (same formula and defaults).
ACTIVATIONS = {
    "relu": "relu",
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "elu": "elu",
    "gelu": "gelu",
    "silu": "silu",
    "selu": "selu",
    "softplus": "softplus",
    "softsign": "softsign",
    "relu6": "relu6",
    "hard_sigmoid": "hard_sigmoid",
    "hard_swish": "hard_silu",
    "mish": "mish",
}


@dataclass
class Node:
    """One node as the converters see it: typed params, input shapes (batch excluded), module."""

    id: str
    type: str
    p: SimpleNamespace
    shapes: list[tuple[int, ...]]
    module: nn.Module


@dataclass
class Layer:
    """One Keras layer: `cls(args..., name=node id)` called on the node's inputs, then `then`
    (an elementwise activation layer) when the fused activation has no Keras name."""

    cls: str
    args: list[str] = field(default_factory=list)
    weights: list[np.ndarray] = field(default_factory=list)
    then: str | None = None
    merge: bool = False  # called on a list of inputs (Add, Concatenate)
    first_input_only: bool = False  # called on port 0 alone (Sampling predicts its mean)

    def constructor(self, name: str | None) -> str:
        args = self.args + ([f"name={name!r}"] if name else [])
        return f"{self.cls}({', '.join(args)})"


@dataclass
class Block:
    """Several lines of code (`{x}` the node's inputs joined, `{x0}`... each, `{out}` its variable)
    and the weights
    of each Keras layer they name; `classes` are helper classes the script must define."""

    lines: list[str]
    weights: dict[str, list[np.ndarray]]
    classes: tuple[str, ...] = ()


class Unsupported(ExportError):
    """A node Keras cannot express as it is set; the message says why."""


def to_numpy(tensor: torch.Tensor) -> np.ndarray:
    return tensor.detach().cpu().float().numpy().copy()


def core(module: nn.Module, kind) -> nn.Module:
    for child in module.modules():
        if isinstance(child, kind):
            return child
    raise LookupError(f"no {kind} in {module}")


def activation(node: Node, layer: Layer, channel_axis: bool = False) -> Layer:
    name = node.p.activation
    if name == "none":
        return layer
    if name in ACTIVATIONS:
        layer.args.append(f"activation={ACTIVATIONS[name]!r}")
    elif name == "leaky_relu":
        layer.then = "layers.LeakyReLU(negative_slope=0.01)"
    elif name in ("softmax", "log_softmax") and not channel_axis:
        layer.args.append(f"activation={name!r}")
    else:
        raise Unsupported(f"{node.id}: activation {name!r} has no Keras equivalent here", node.id)
    return layer


def ints(value) -> str:
    """3 for (3, 3), as one writes it in Keras; (3, 5) stays a tuple."""
    if isinstance(value, int):
        return repr(value)
    value = tuple(value)
    return repr(value[0]) if len(set(value)) == 1 else repr(value)
