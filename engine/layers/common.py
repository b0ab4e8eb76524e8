"""Pieces shared by the layer families: Keras-style fused activations and common parameters."""

from __future__ import annotations

from torch import nn

from ..registry import ParamSpec

ACTIVATIONS = (
    "none",
    "relu",
    "leaky_relu",
    "elu",
    "gelu",
    "silu",
    "sigmoid",
    "tanh",
    "softmax",
    "log_softmax",
)

_ACTIVATION_MODULES = {
    "relu": nn.ReLU,
    "leaky_relu": nn.LeakyReLU,
    "elu": nn.ELU,
    "gelu": nn.GELU,
    "silu": nn.SiLU,
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
}
_NORMALISING = {"softmax": nn.Softmax, "log_softmax": nn.LogSoftmax}


def activation_param(default: str = "none") -> ParamSpec:
    return ParamSpec(
        "activation",
        "choice",
        default,
        "Activation applied to the output (as in Keras)",
        choices=ACTIVATIONS,
    )


def with_activation(module: nn.Module, activation: str, feature_dim: int = -1) -> nn.Module:
    """`module` followed by `activation`, as one module; the bare module when activation is 'none'.

    Softmax normalises over `feature_dim`: the last axis for Dense, the channel axis (1) for convs.
    """
    if activation == "none":
        return module
    if activation in _NORMALISING:
        act = _NORMALISING[activation](dim=feature_dim)
    else:
        act = _ACTIVATION_MODULES[activation]()
    if isinstance(module, nn.Sequential):  # e.g. (pad, conv): keep one flat sequence
        return module.append(act)
    return nn.Sequential(module, act)


def activation_suffix(activation: str) -> str:
    return "" if activation == "none" else f" {activation}"
