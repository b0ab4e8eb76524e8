"""Normalisation layers; the feature count comes from the input shape."""

from __future__ import annotations

from torch import nn

from ..registry import InputShapeError, LayerSpec, ParamSpec, register

_EPS = ParamSpec(
    "eps", "float", 1e-5, "Small number added to the variance for stability", min=0.0, max=1.0
)
_MOMENTUM = ParamSpec(
    "momentum",
    "float",
    0.1,
    "PyTorch's convention: the weight of each new batch in the moving statistics. Keras writes "
    "1 minus this: Keras' momentum=0.99 is 0.01 here, PyTorch's default 0.1 is Keras' 0.9",
    min=0.0,
    max=1.0,
)


def _momentum_label(p) -> str:
    # Both conventions side by side, so a Keras user cannot read 0.1 as Keras' momentum.
    return f"momentum {p.momentum:g} (Keras {1 - p.momentum:.4g})"


def _build_group_norm(p, input_shapes):
    channels = input_shapes[0][0]
    if channels % p.groups:
        raise InputShapeError(
            f"{p.groups} groups do not divide the {channels} channels; "
            f"choose groups that divide {channels} (1 = like LayerNorm over channels)"
        )
    return nn.GroupNorm(p.groups, channels, eps=p.eps)


register(
    LayerSpec(
        name="BatchNorm1d",
        aliases=("BatchNormalization",),
        category="Normalization",
        shape_preserving=True,
        input_rank=(1, 2),
        rank_hint="(features) or (channels, length)",
        build=lambda p, s: nn.BatchNorm1d(s[0][0], eps=p.eps, momentum=p.momentum),
        help="Normalise each feature over the batch (after Dense or Conv1d)",
        params=(_EPS, _MOMENTUM),
        label=_momentum_label,
    ),
    LayerSpec(
        name="BatchNorm2d",
        aliases=("BatchNormalization",),
        category="Normalization",
        shape_preserving=True,
        input_rank=(3,),
        rank_hint="(channels, height, width)",
        build=lambda p, s: nn.BatchNorm2d(s[0][0], eps=p.eps, momentum=p.momentum),
        help="Normalise each channel over the batch and the image (after Conv2d)",
        params=(_EPS, _MOMENTUM),
        label=_momentum_label,
    ),
    LayerSpec(
        name="LayerNorm",
        aliases=("LayerNormalization",),
        category="Normalization",
        shape_preserving=True,
        build=lambda p, s: nn.LayerNorm(s[0][-1], eps=p.eps),
        help="Normalise each sample over its last axis (transformers, RNNs)",
        params=(_EPS,),
    ),
    LayerSpec(
        name="GroupNorm",
        aliases=("GroupNormalization",),
        category="Normalization",
        shape_preserving=True,
        build=_build_group_norm,
        example_input=(16, 8, 8),  # channels the default 8 groups divide
        help="Normalise each sample over groups of channels: BatchNorm's job for small batches",
        params=(
            ParamSpec(
                "groups", "int", 8, "Channel groups (must divide the channels)", min=1, max=4096
            ),
            _EPS,
        ),
        label=lambda p: f"{p.groups} groups",
    ),
)
