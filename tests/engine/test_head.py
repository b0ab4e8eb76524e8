"""Replace the head: the new Dense reads what fed the old head, with the right input size; counts
and outputs against torchvision and hand-written torch.nn."""

from __future__ import annotations

import pytest
import torch
import torchvision
from neurocanvas.engine.analysis import analyze
from neurocanvas.engine.compiler import compile_graph
from neurocanvas.engine.graph import GraphError
from neurocanvas.engine.head import replace_head
from neurocanvas.engine.importer.fx_import import import_module
from neurocanvas.engine.templates import load_template
from torch import nn


def total(graph) -> int:
    """Trainable weights: torch's parameters (our count adds BatchNorm's statistics, as Keras)."""
    return sum(shape.trainable_count for shape in analyze(graph).shapes.values())


def count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def imported(name: str):
    with torch.device("meta"):  # the architecture only: nothing allocated, nothing downloaded
        model = getattr(torchvision.models, name)()
    return import_module(model, (3, 32, 32), name, copy_weights=False).project.graph


def test_an_imported_resnet18_with_a_new_head_counts_as_torchvision_with_those_classes():
    graph = imported("resnet18")
    change = replace_head(graph, "fc", 10)
    assert change.removed == ["fc"] and change.added == ["head"] and change.in_features == 512
    with torch.device("meta"):
        reference = torchvision.models.resnet18(num_classes=10)
    assert analyze(graph).shape_of("head") == (10,)
    assert total(graph) == count(reference)


def test_replacing_vgg16s_classifier_block_wires_a_dense_to_the_flattened_features():
    graph = imported("vgg16")
    change = replace_head(graph, "classifier", 10)
    assert change.removed == ["classifier"] and change.in_features == 512 * 7 * 7
    with torch.device("meta"):
        model = torchvision.models.vgg16()
        reference = nn.Sequential(model.features, nn.Linear(512 * 7 * 7, 10))
    assert total(graph) == count(reference)


def test_a_head_picked_in_the_middle_takes_what_follows_and_matches_torch():
    graph = load_template("seed-cnn").graph
    change = replace_head(graph, "dense1", 3)
    assert change.removed == ["dense1", "output"] and change.in_features == 16 * 12 * 12
    model = compile_graph(graph, seed=0)
    conv, linear = nn.Conv2d(1, 16, 5), nn.Linear(16 * 12 * 12, 3)
    conv.load_state_dict(model.conv1[0].state_dict())
    linear.load_state_dict(model.head.state_dict())
    x = torch.rand(4, 1, 28, 28)
    expected = linear(torch.flatten(nn.functional.max_pool2d(torch.relu(conv(x)), 2), 1))
    with torch.no_grad():
        assert (model(x) - expected).abs().max() < 1e-5


def test_a_feature_map_is_flattened_before_the_new_dense():
    graph = load_template("seed-cnn").graph
    change = replace_head(graph, "flatten", 5, activation="softmax")
    assert change.added == ["head_flatten", "head"]
    assert [e.src[0] for e in graph.inputs_of("head_flatten")] == ["pool1"]
    assert graph.nodes["head"].params["activation"] == "softmax"
    assert analyze(graph).shape_of("head") == (5,)


@pytest.mark.parametrize(
    ("node", "classes", "message"),
    [
        ("input", 3, "input is an Input"),
        ("output", 0, "at least 1"),
        ("skip_add", 3, "skip_add has 2 inputs"),
    ],
)
def test_a_head_that_cannot_be_replaced_is_refused_with_the_reason(node, classes, message):
    graph = load_template("residual-cnn").graph
    before = graph.copy()
    with pytest.raises(GraphError, match=message):
        replace_head(graph, node, classes)
    assert graph.same_as(before)
