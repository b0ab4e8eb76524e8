"""Stand-alone activation layers; each is also a Keras-style `activation=` choice (`fused_as`)."""

from __future__ import annotations

from torch import nn

from ..registry import LayerSpec, OutputHead, ParamSpec, register

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


def _activation(name, fused_as, build, help_text, **fields):
    return LayerSpec(
        name=name,
        category="Activation",
        build=build,
        help=help_text,
        fused_as=fused_as,
        shape_preserving=True,
        **fields,
    )


def _simple(name, fused_as, module_cls, help_text, **fields):
    return _activation(name, fused_as, lambda p, s: module_cls(), help_text, **fields)


register(
    _simple("ReLU", "relu", nn.ReLU, "max(0, x): the default hidden activation"),
    _activation(
        "LeakyReLU",
        "leaky_relu",
        lambda p, s: nn.LeakyReLU(p.negative_slope),
        "Like ReLU but lets a small slope through for negative inputs",
        params=(
            ParamSpec(
                "negative_slope", "float", 0.01, "Slope for negative inputs", min=0.0, max=1.0
            ),
        ),
        label=lambda p: f"{p.negative_slope:g}",
    ),
    _activation(
        "ELU",
        "elu",
        lambda p, s: nn.ELU(p.alpha),
        "Exponential linear unit: smooth for negative inputs",
        params=(
            ParamSpec(
                "alpha", "float", 1.0, "Saturation value for negative inputs", min=0.0, max=100.0
            ),
        ),
    ),
    _simple("GELU", "gelu", nn.GELU, "Gaussian error linear unit (transformers)"),
    _simple("SiLU", "silu", nn.SiLU, "x * sigmoid(x), also called swish"),
    _simple(
        "Mish",
        "mish",
        nn.Mish,
        "x * tanh(softplus(x)): smooth like SiLU, a little stronger (YOLOv4)",
    ),
    _simple(
        "Sigmoid",
        "sigmoid",
        nn.Sigmoid,
        "Squash to (0, 1): binary outputs and gates",
        head=OutputHead("sigmoid", "binary_cross_entropy"),
    ),
    _simple("Tanh", "tanh", nn.Tanh, "Squash to (-1, 1)"),
    _activation(
        "Softmax",
        "softmax",
        lambda p, s: nn.Softmax(_axis_dim(p.axis)),
        "Turn scores into probabilities that sum to 1 (multi-class output)",
        params=(_AXIS,),
        head=OutputHead("softmax", "cross_entropy"),
    ),
    _activation(
        "LogSoftmax",
        "log_softmax",
        lambda p, s: nn.LogSoftmax(_axis_dim(p.axis)),
        "Logarithm of softmax: numerically stable log-probabilities",
        params=(_AXIS,),
        head=OutputHead("log_softmax", "cross_entropy", probabilities=False),
    ),
)
