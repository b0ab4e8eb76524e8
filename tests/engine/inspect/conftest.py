"""Tiny compiled networks for the inspection tests, and PyTorch's thread count restored."""

from __future__ import annotations

import pytest
import torch
from neurocanvas.engine import project as project_io
from neurocanvas.engine.compiler import compile_graph


def chain_project(layers, input_shape, name="tiny"):
    """Input -> layers (type, params with an "id") in a chain."""
    nodes = [{"id": "input", "type": "Input", "params": {"shape": list(input_shape)}}]
    edges = []
    for layer_type, params in layers:
        params = dict(params)
        node_id = params.pop("id")
        nodes.append({"id": node_id, "type": layer_type, "params": params})
        edges.append({"from": [nodes[-2]["id"], 0], "to": [node_id, 0]})
    return project_io.from_dict(
        {
            "format": "neurocanvas",
            "version": 2,
            "name": name,
            "graph": {"nodes": nodes, "edges": edges},
        }
    )


TINY_CNN = [
    ("Conv2d", {"id": "conv1", "out_channels": 3, "kernel_size": 3, "activation": "relu"}),
    ("MaxPool2d", {"id": "pool1", "kernel_size": 2}),
    ("Conv2d", {"id": "conv2", "out_channels": 4, "kernel_size": 2, "activation": "relu"}),
    ("Flatten", {"id": "flat"}),
    ("Dense", {"id": "fc", "units": 5, "activation": "softmax"}),
]


@pytest.fixture
def chain():
    """`chain_project` for tests that build their own network."""
    return chain_project


@pytest.fixture
def tiny_cnn():
    """A compiled (1, 10, 10) -> 5-class CNN with a Softmax head, in eval mode."""
    model = compile_graph(chain_project(TINY_CNN, (1, 10, 10)).graph, seed=3)
    return model.eval()


@pytest.fixture(autouse=True)
def _threads():
    previous = torch.get_num_threads()
    yield
    torch.set_num_threads(previous)
