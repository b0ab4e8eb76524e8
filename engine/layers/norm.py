"""Normalisation layers; the feature count comes from the input shape.

`Normalization` is Keras' preprocessing layer: a mean and variance stored in the model (buffers,
non-trainable as Keras counts them), set from the training split when a run starts
(training/adapt.py), so the ONNX file and model.py standardise raw inputs themselves.
"""

from __future__ import annotations

import torch
from torch import nn

from ..registry import InputShapeError, LayerSpec, ParamSpec, register
from ..shape_format import shape_text

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


# A file that says BatchNormalization speaks Keras: its defaults are Keras' (epsilon 1e-3,
# momentum 0.99, which is PyTorch's 0.01).
_KERAS_DEFAULTS = {"BatchNormalization": {"eps": 1e-3, "momentum": 0.01}}


def _momentum_label(p) -> str:
    # Both conventions side by side, so a Keras user cannot read 0.1 as Keras' momentum.
    return f"momentum {p.momentum:g} (Keras {1 - p.momentum:.4g})"


_AFFINE = ParamSpec(
    "affine", "bool", True, "Learn a scale and shift per channel (Keras' scale and center)"
)


def _batch_norm(module_cls):
    def build(p, input_shapes):
        return module_cls(input_shapes[0][0], eps=p.eps, momentum=p.momentum, affine=p.affine)

    return build


def _build_layer_norm(p, input_shapes):
    (shape,) = input_shapes
    if p.axes > len(shape):
        raise InputShapeError(
            f"cannot normalise over the last {p.axes} axes of an input of rank {len(shape)} "
            f"{shape_text(shape)}; choose axes from 1 to {len(shape)}"
        )
    return nn.LayerNorm(tuple(shape[-p.axes :]), eps=p.eps)


def _instance_norm(module_cls):
    def build(p, input_shapes):
        return module_cls(input_shapes[0][0], eps=p.eps, affine=p.affine)

    return build


def _build_group_norm(p, input_shapes):
    channels = input_shapes[0][0]
    if channels % p.groups:
        raise InputShapeError(
            f"{p.groups} groups do not divide the {channels} channels; "
            f"choose groups that divide {channels} (1 = like LayerNorm over channels)"
        )
    return nn.GroupNorm(p.groups, channels, eps=p.eps)


NORMALIZATION_AXES = ("last", "first", "all")


class Normalization(nn.Module):
    """(x - mean) / max(sqrt(variance), eps) with statistics per feature of the kept axis.

    `shape` is one sample's shape; `axis` keeps the last axis (Keras' axis=-1), the first (the
    channels of a channels-first image, Keras' axis=1) or none (one mean, Keras' axis=None).
    `count` is how many values each statistic was adapted from (0 = not adapted yet)."""

    def __init__(self, shape: tuple[int, ...], axis: str = "last", eps: float = 1e-7):
        super().__init__()
        self.shape, self.axis, self.eps = tuple(shape), axis, eps
        view = [1] * len(self.shape)
        if axis == "last":
            view[-1] = self.shape[-1]
        elif axis == "first":
            view[0] = self.shape[0]
        self.view = (1, *view)  # with the batch axis
        size = max(view) if axis != "all" else 1
        stats = (size,) if axis != "all" else ()
        self.register_buffer("mean", torch.zeros(stats))
        self.register_buffer("variance", torch.ones(stats))
        self.register_buffer("count", torch.zeros(()))

    def reduce_dims(self) -> tuple[int, ...]:
        """The axes (batch included) each statistic is taken over."""
        kept = {"last": len(self.shape), "first": 1}.get(self.axis)
        return tuple(d for d in range(len(self.shape) + 1) if d != kept)

    def forward(self, x):
        std = torch.sqrt(self.variance).clamp(min=self.eps)
        return (x - self.mean.reshape(self.view)) / std.reshape(self.view)

    def extra_repr(self) -> str:
        return f"shape={self.shape}, axis={self.axis!r}, eps={self.eps}"


register(
    LayerSpec(
        name="BatchNorm1d",
        aliases=("BatchNormalization",),
        category="Normalization",
        shape_preserving=True,
        input_rank=(1, 2),
        rank_hint="(features) or (channels, length)",
        build=_batch_norm(nn.BatchNorm1d),
        help="Normalise each feature over the batch (after Dense or Conv1d)",
        params=(_EPS, _MOMENTUM, _AFFINE),
        label=_momentum_label,
        alias_defaults=_KERAS_DEFAULTS,
    ),
    LayerSpec(
        name="BatchNorm2d",
        aliases=("BatchNormalization",),
        category="Normalization",
        shape_preserving=True,
        input_rank=(3,),
        rank_hint="(channels, height, width)",
        build=_batch_norm(nn.BatchNorm2d),
        help="Normalise each channel over the batch and the image (after Conv2d)",
        params=(_EPS, _MOMENTUM, _AFFINE),
        label=_momentum_label,
        alias_defaults=_KERAS_DEFAULTS,
    ),
    LayerSpec(
        name="LayerNorm",
        aliases=("LayerNormalization",),
        category="Normalization",
        shape_preserving=True,
        build=_build_layer_norm,
        help="Normalise each sample over its last axes (transformers, RNNs)",
        params=(
            _EPS,
            ParamSpec(
                "axes",
                "int",
                1,
                "How many trailing axes to normalise over (1 = the last; 3 = a whole image, "
                "Keras' axis=[-3, -2, -1])",
                min=1,
                max=8,
            ),
        ),
        label=lambda p: "" if p.axes == 1 else f"last {p.axes} axes",
    ),
    LayerSpec(
        name="InstanceNorm1d",
        aliases=("InstanceNormalization1D",),
        category="Normalization",
        shape_preserving=True,
        input_rank=(2,),
        rank_hint="(channels, length)",
        build=_instance_norm(nn.InstanceNorm1d),
        help="Normalise each channel of each sample over its length (style transfer, audio)",
        params=(_EPS, _AFFINE),
    ),
    LayerSpec(
        name="InstanceNorm2d",
        aliases=("InstanceNormalization",),
        category="Normalization",
        shape_preserving=True,
        input_rank=(3,),
        rank_hint="(channels, height, width)",
        build=_instance_norm(nn.InstanceNorm2d),
        help="Normalise each channel of each image on its own (style transfer, GANs)",
        params=(_EPS, _AFFINE),
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
    LayerSpec(
        name="Normalization",
        aliases=("Standardize", "StandardScaler"),
        category="Normalization",
        shape_preserving=True,
        build=lambda p, s: Normalization(s[0], p.axis),
        help="Standardise raw inputs with a mean and variance stored in the model, taken from "
        "the training split when training starts (Keras' Normalization.adapt); they travel "
        "into ONNX and model.py",
        params=(
            ParamSpec(
                "axis",
                "choice",
                "last",
                "last = one mean per feature of the last axis (Keras' axis=-1: table columns, "
                "sequence features); first = per channel of a (channels, height, width) image "
                "(Keras' axis=1); all = one mean for every value (axis=None)",
                choices=NORMALIZATION_AXES,
            ),
        ),
        label=lambda p: {"last": "per feature", "first": "per channel", "all": "one mean"}[p.axis],
    ),
)
