"""Oracle tests for the activation layers: each one, alone and fused into Dense/Conv2d as
`activation=`, equals its formula written out with elementary tensor operations."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from neurocanvas.engine import registry
from neurocanvas.engine.compiler import compile_graph
from neurocanvas.engine.graph import chain


def _softmax(x, dim=-1):
    shifted = x - x.amax(dim, keepdim=True)
    return shifted.exp() / shifted.exp().sum(dim, keepdim=True)


def _log_softmax(x, dim=-1):
    shifted = x - x.amax(dim, keepdim=True)
    return shifted - shifted.exp().sum(dim, keepdim=True).log()


# Formulas by `activation=` name, with the layers' default settings.
ORACLES = {
    "relu": lambda x: torch.where(x > 0, x, 0.0),
    "leaky_relu": lambda x: torch.where(x > 0, x, 0.01 * x),
    "elu": lambda x: torch.where(x > 0, x, x.exp() - 1),
    "gelu": lambda x: 0.5 * x * (1 + torch.erf(x / math.sqrt(2))),
    "silu": lambda x: x / (1 + (-x).exp()),
    "mish": lambda x: x * torch.tanh(torch.log1p(x.exp())),
    "sigmoid": lambda x: 1 / (1 + (-x).exp()),
    "tanh": lambda x: (1 - (-2 * x).exp()) / (1 + (-2 * x).exp()),
    "relu6": lambda x: x.clamp(0, 6),
    # Klambauer et al. 2017's constants
    "selu": lambda x: (
        1.0507009873554805 * torch.where(x > 0, x, 1.6732632423543772 * (x.exp() - 1))
    ),
    "softplus": lambda x: torch.log1p(x.exp()),
    "softsign": lambda x: x / (1 + x.abs()),
    "hard_sigmoid": lambda x: ((x + 3) / 6).clamp(0, 1),
    "hard_swish": lambda x: x * ((x + 3) / 6).clamp(0, 1),
    "prelu": lambda x: torch.where(x > 0, x, 0.25 * x),
    "softmax": _softmax,
    "log_softmax": _log_softmax,
}

ACTIVATION_SPECS = [spec for spec in registry.all_specs() if spec.category == "Activation"]


def run(graph, x):
    model = compile_graph(graph, seed=0).eval()
    with torch.no_grad():
        return model, model(x)


def test_every_activation_layer_has_an_oracle():
    assert sorted(spec.fused_as for spec in ACTIVATION_SPECS) == sorted(ORACLES)


@pytest.mark.parametrize("spec", ACTIVATION_SPECS, ids=lambda s: s.name)
def test_the_layer_equals_its_formula(spec):
    x = torch.randn(4, 3, 7, generator=torch.Generator().manual_seed(0)) * 3
    _, out = run(chain(("Input", {"shape": [3, 7]}), spec.name), x)
    torch.testing.assert_close(out, ORACLES[spec.fused_as](x), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(ORACLES))
def test_dense_with_activation_equals_linear_then_the_formula(name):
    x = torch.randn(5, 8, generator=torch.Generator().manual_seed(1))
    graph = chain(("Input", {"shape": [8]}), ("Dense", {"units": 6, "activation": name}))
    model, out = run(graph, x)
    weight, bias = list(model.state_dict().values())[:2]  # PReLU adds its slope after them
    torch.testing.assert_close(out, ORACLES[name](x @ weight.T + bias), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_conv_softmax_normalises_over_the_channels(name):
    x = torch.randn(2, 3, 6, 6, generator=torch.Generator().manual_seed(2))
    graph = chain(
        ("Input", {"shape": [3, 6, 6]}),
        ("Conv2d", {"out_channels": 4, "kernel_size": 3, "activation": name}),
    )
    model, out = run(graph, x)
    weight, bias = model.state_dict().values()
    expected = ORACLES[name](F.conv2d(x, weight, bias), dim=1)
    torch.testing.assert_close(out, expected, rtol=1e-5, atol=1e-6)


def test_keras_activation_names_are_stored_as_ours():
    param = registry.get("Dense").param_index["activation"]
    assert param.coerce("swish") == "silu"
    assert param.coerce("linear") == "none"
    assert param.coerce("hard_silu") == "hard_swish"


def test_prelu_per_channel_has_one_slope_per_channel():
    graph = chain(("Input", {"shape": [5, 4, 4]}), ("PReLU", {"shared": "channel"}))
    model = compile_graph(graph, seed=0)
    assert sum(p.numel() for p in model.parameters()) == 5
    x = torch.randn(2, 5, 4, 4)
    with torch.no_grad():
        model.get_submodule(graph.topological_order()[-1]).weight.copy_(torch.arange(5.0))
        slopes = torch.arange(5.0)[None, :, None, None]
        torch.testing.assert_close(model(x), torch.where(x > 0, x, slopes * x))
