"""Regularisation layers that act only while training: spatial dropout and noise (Keras' names).

Each keeps its input's shape and is the identity in eval mode (prediction, export).
"""

from __future__ import annotations

import torch
from torch import nn

from ..registry import LayerSpec, ParamSpec, register


class GaussianNoise(nn.Module):
    """Add zero-mean Gaussian noise of standard deviation `stddev` while training."""

    def __init__(self, stddev: float):
        super().__init__()
        self.stddev = stddev

    def forward(self, x):
        if not self.training or self.stddev == 0:
            return x
        return x + torch.randn_like(x) * self.stddev

    def extra_repr(self) -> str:
        return f"stddev={self.stddev}"


class GaussianDropout(nn.Module):
    """Multiply by Gaussian noise of mean 1 and std sqrt(rate / (1 - rate)) while training."""

    def __init__(self, rate: float):
        super().__init__()
        self.rate = rate

    def forward(self, x):
        if not self.training or self.rate == 0:
            return x
        std = (self.rate / (1.0 - self.rate)) ** 0.5
        return x * (1.0 + torch.randn_like(x) * std)

    def extra_repr(self) -> str:
        return f"rate={self.rate}"


class StochasticDepth(nn.Module):
    """Drop a residual branch while training: each sample's (`row`) or the whole batch's
    (`batch`) output is zeroed with probability `rate` and the rest scaled by 1 / (1 - rate),
    as torchvision.ops.StochasticDepth does (EfficientNet); the identity in eval mode."""

    def __init__(self, rate: float, scope: str = "row"):
        # `scope`, not torchvision's `mode`: model.py's writer keeps `mode` for train(mode).
        super().__init__()
        self.rate, self.scope = rate, scope

    def forward(self, x):
        if not self.training or self.rate == 0:
            return x
        survival = 1.0 - self.rate
        size = [x.shape[0]] + [1] * (x.ndim - 1) if self.scope == "row" else [1] * x.ndim
        noise = torch.empty(size, dtype=x.dtype, device=x.device).bernoulli_(survival)
        return x * noise.div_(survival)

    def extra_repr(self) -> str:
        return f"rate={self.rate}, scope={self.scope!r}"


def _rate(what: str) -> ParamSpec:
    return ParamSpec("rate", "float", 0.5, what, min=0.0, max=0.99)


def _noise(name, build, help_text, params, **fields):
    return LayerSpec(
        name=name,
        category="Core",
        build=build,
        shape_preserving=True,
        help=help_text,
        params=params,
        **fields,
    )


register(
    _noise(
        "SpatialDropout1d",
        lambda p, s: nn.Dropout1d(p.rate),
        "Drop whole channels of a sequence while training (neighbouring steps are correlated, "
        "so plain dropout barely regularises there)",
        (_rate("Fraction of channels dropped while training"),),
        aliases=("SpatialDropout1D", "Dropout1d"),
        input_rank=(2,),
        rank_hint="(channels, length)",
        label=lambda p: f"{p.rate:g}",
    ),
    _noise(
        "SpatialDropout2d",
        lambda p, s: nn.Dropout2d(p.rate),
        "Drop whole feature maps while training (dropout for convolutional layers)",
        (_rate("Fraction of channels dropped while training"),),
        aliases=("SpatialDropout2D", "Dropout2d"),
        input_rank=(3,),
        rank_hint="(channels, height, width)",
        label=lambda p: f"{p.rate:g}",
    ),
    _noise(
        "GaussianNoise",
        lambda p, s: GaussianNoise(p.stddev),
        "Add Gaussian noise while training (augmentation, robustness)",
        (ParamSpec("stddev", "float", 0.1, "Standard deviation of the noise", min=0.0, max=100.0),),
        label=lambda p: f"{p.stddev:g}",
    ),
    _noise(
        "GaussianDropout",
        lambda p, s: GaussianDropout(p.rate),
        "Multiply by Gaussian noise of mean 1 while training (dropout without zeros)",
        (_rate("Dropout rate the noise corresponds to: std = sqrt(rate / (1 - rate))"),),
        label=lambda p: f"{p.rate:g}",
    ),
    _noise(
        "AlphaDropout",
        lambda p, s: nn.AlphaDropout(p.rate),
        "Dropout that keeps SELU networks' mean and variance (use with SELU)",
        (_rate("Fraction of inputs dropped while training"),),
        label=lambda p: f"{p.rate:g}",
    ),
    _noise(
        "StochasticDepth",
        lambda p, s: StochasticDepth(p.rate, p.mode),
        "Drop a whole residual branch while training, per sample (row) or per batch "
        "(EfficientNet's stochastic depth); put it on the branch before the Add",
        (
            ParamSpec(
                "rate", "float", 0.2, "Probability of dropping the branch", min=0.0, max=0.99
            ),
            ParamSpec(
                "mode",
                "choice",
                "row",
                "row = drop per sample, batch = drop for the whole batch",
                choices=("row", "batch"),
            ),
        ),
        label=lambda p: f"{p.rate:g}",
    ),
)
