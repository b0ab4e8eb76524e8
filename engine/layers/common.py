"""Pieces shared by the layer families: Keras-style fused activations and common parameters.

The `activation=` choices are the activation layers that name themselves with `fused_as`, so a new
activation layer becomes a choice on Dense and the convolutions without touching this file.
"""

from __future__ import annotations

from types import SimpleNamespace

from torch import nn

from .. import registry
from ..registry import ParamSpec
from . import activation as _activation  # noqa: F401 - registers the specs the choices come from

ACTIVATIONS = ("none", *registry.fused_activations())
# Keras' names for the same functions, accepted in files and the inspector and stored canonically.
ACTIVATION_SYNONYMS = {"linear": "none", "swish": "silu", "hard_silu": "hard_swish"}


def activation_param(default: str = "none") -> ParamSpec:
    return ParamSpec(
        "activation",
        "choice",
        default,
        "Activation applied to the output (as in Keras; linear = none, swish = silu)",
        choices=ACTIVATIONS,
        synonyms=ACTIVATION_SYNONYMS,
    )


def with_activation(module: nn.Module, activation: str, feature_dim: int = -1) -> nn.Module:
    """`module` followed by `activation`, as one module; the bare module when activation is 'none'.

    Softmax normalises over `feature_dim`: the last axis for Dense, the channel axis (1) for convs.
    """
    if activation == "none":
        return module
    spec = registry.fused_activations()[activation]
    params = spec.defaults()
    if "axis" in params:  # the layer's axis does not count the batch; feature_dim does
        params["axis"] = feature_dim - 1 if feature_dim > 0 else feature_dim
    act = spec.build(SimpleNamespace(**params), ())
    if isinstance(module, nn.Sequential):  # e.g. (pad, conv): keep one flat sequence
        return module.append(act)
    return nn.Sequential(module, act)


def activation_suffix(activation: str) -> str:
    return "" if activation == "none" else f" {activation}"
