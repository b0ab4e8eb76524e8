"""Stand-alone activation layers."""

from __future__ import annotations

from torch import nn

from ..registry import LayerSpec, ParamSpec, register

_AXIS = ParamSpec(
    "axis",
    "int",
    -1,
    "Axis the probabilities are taken over, not counting the batch (-1 = last)",
    min=-8,
    max=8,
)


def _axis_dim(axis: int) -> int:
    # Params count axes without the batch; modules see the batch as dim 0.
    return axis + 1 if axis >= 0 else axis


def _simple(name, module_cls, help_text):
    return LayerSpec(
        name=name, category="Activation", build=lambda p, s: module_cls(), help=help_text
    )


register(
    _simple("ReLU", nn.ReLU, "max(0, x): the default hidden activation"),
    LayerSpec(
        name="LeakyReLU",
        category="Activation",
        build=lambda p, s: nn.LeakyReLU(p.negative_slope),
        help="Like ReLU but lets a small slope through for negative inputs",
        params=(
            ParamSpec(
                "negative_slope", "float", 0.01, "Slope for negative inputs", min=0.0, max=1.0
            ),
        ),
        label=lambda p: f"{p.negative_slope:g}",
    ),
    LayerSpec(
        name="ELU",
        category="Activation",
        build=lambda p, s: nn.ELU(p.alpha),
        help="Exponential linear unit: smooth for negative inputs",
        params=(
            ParamSpec(
                "alpha", "float", 1.0, "Saturation value for negative inputs", min=0.0, max=100.0
            ),
        ),
    ),
    _simple("GELU", nn.GELU, "Gaussian error linear unit (transformers)"),
    _simple("SiLU", nn.SiLU, "x * sigmoid(x), also called swish"),
    _simple("Sigmoid", nn.Sigmoid, "Squash to (0, 1): binary outputs and gates"),
    _simple("Tanh", nn.Tanh, "Squash to (-1, 1)"),
    LayerSpec(
        name="Softmax",
        category="Activation",
        build=lambda p, s: nn.Softmax(_axis_dim(p.axis)),
        help="Turn scores into probabilities that sum to 1 (multi-class output)",
        params=(_AXIS,),
    ),
    LayerSpec(
        name="LogSoftmax",
        category="Activation",
        build=lambda p, s: nn.LogSoftmax(_axis_dim(p.axis)),
        help="Logarithm of softmax: numerically stable log-probabilities",
        params=(_AXIS,),
    ),
)
