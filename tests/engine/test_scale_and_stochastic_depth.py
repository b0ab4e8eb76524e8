"""The two layers imports needed: Scale (a squeeze-and-excitation gate) and StochasticDepth."""

import re

import numpy as np
import pytest
import torch
from neurocanvas.engine.analysis import analyze
from neurocanvas.engine.compiler import compile_graph
from neurocanvas.engine.graph import Graph, chain
from neurocanvas.engine.layers.noise import StochasticDepth
from torchvision.ops import stochastic_depth


def scale_graph(first, second) -> Graph:
    graph = Graph()
    graph.add_node("Input", {"shape": first}, node_id="x")
    graph.add_node("Input", {"shape": second}, node_id="w")
    graph.add_node("Scale", node_id="s")
    graph.connect(("x", 0), ("s", 0))
    graph.connect(("w", 0), ("s", 1))
    return graph


def test_scale_multiplies_a_feature_map_by_channel_weights_like_numpy():
    model = compile_graph(scale_graph((4, 3, 5), (4, 1, 1)))
    x, w = torch.randn(2, 4, 3, 5), torch.rand(2, 4, 1, 1)
    np.testing.assert_allclose(model(x, w).numpy(), x.numpy() * w.numpy(), rtol=1e-6)
    assert analyze(scale_graph((4, 1, 1), (4, 3, 5))).shape_of("s") == (4, 3, 5)


@pytest.mark.parametrize(
    "second,message",
    [((3, 1, 1), r"\(4, 3, 5\) and \(3, 1, 1\) do not broadcast"), ((5,), "ranks 3 and 1")],
)
def test_scale_refuses_shapes_that_do_not_broadcast(second, message):
    (issue,) = analyze(scale_graph((4, 3, 5), second)).errors
    assert issue.node_id == "s"
    assert re.search(message, issue.message)


@pytest.mark.parametrize("mode", ["row", "batch"])
def test_stochastic_depth_matches_torchvision_while_training_and_is_identity_in_eval(mode):
    x = torch.randn(64, 3, 2, 2)
    layer = StochasticDepth(0.3, mode).train()
    torch.manual_seed(5)
    ours = layer(x)
    torch.manual_seed(5)
    theirs = stochastic_depth(x, 0.3, mode, training=True)
    assert torch.equal(ours, theirs)
    assert torch.equal(layer.eval()(x), x)
    model = compile_graph(
        chain(("Input", {"shape": (3, 2, 2)}), ("StochasticDepth", {"mode": mode}))
    )
    assert torch.equal(model.eval()(x), x)
