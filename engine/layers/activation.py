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
    _simple("ReLU6", "relu6", nn.ReLU6, "min(max(0, x), 6): ReLU capped at 6 (MobileNet)"),
    _simple(
        "SELU",
        "selu",
        nn.SELU,
        "Scaled ELU: keeps activations normalised in deep MLPs (pair with AlphaDropout)",
    ),
    _simple("Softplus", "softplus", nn.Softplus, "log(1 + exp(x)): a smooth ReLU, always > 0"),
    _simple("Softsign", "softsign", nn.Softsign, "x / (1 + |x|): a gentler tanh"),
    _simple(
        "HardSigmoid",
        "hard_sigmoid",
        nn.Hardsigmoid,
        "relu6(x + 3) / 6: a cheap piecewise-linear sigmoid (as Keras 3 defines it)",
    ),
    _simple(
        "HardSwish",
        "hard_swish",
        nn.Hardswish,
        "x * relu6(x + 3) / 6: a cheap swish (MobileNetV3; Keras' hard_silu)",
    ),
    _activation(
        "PReLU",
        "prelu",
        lambda p, s: nn.PReLU(s[0][0] if p.shared == "channel" and s else 1, init=0.25),
        "Leaky ReLU whose negative slope is learned (starts at 0.25 as in PyTorch)",
        params=(
            ParamSpec(
                "shared",
                "choice",
                "all",
                "all = one slope for the whole layer (PyTorch's default); channel = one per "
                "channel or feature (Keras' shared_axes over the other axes)",
                choices=("all", "channel"),
            ),
        ),
        label=lambda p: "per channel" if p.shared == "channel" else "",
    ),
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
