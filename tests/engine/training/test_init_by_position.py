"""`--init-from` with a state dict from the original model: a block whose inner names differ
takes the module's weights in order when every shape matches in order, and keeps its fresh
weights otherwise (never a partial or reshuffled load)."""

from __future__ import annotations

import torch
from neurocanvas.engine.block_edit import group
from neurocanvas.engine.compiler import compile_graph
from neurocanvas.engine.graph import chain
from neurocanvas.engine.training.init_from import init_from
from torch import nn


def model_with_block():
    graph = chain(
        ("Input", {"shape": [6]}),
        ("Dense", {"units": 5}),
        ("Dense", {"units": 4}),
        ("Dense", {"units": 2}),
    )
    group(graph, ["dense_1", "dense_2"], block_id="body")
    return compile_graph(graph, seed=0)


def test_a_block_takes_the_original_modules_weights_in_order():
    model = model_with_block()
    original = nn.Sequential(nn.Linear(6, 5), nn.Linear(5, 4))  # keys 0.weight, 1.weight, ...
    state = {f"body.{key}": value for key, value in original.state_dict().items()}
    report = init_from(model, state)
    assert report.matched == ["body"] and report.by_position == ("body",)
    assert "body (by position)" in report.lines()[0] and report.unmatched == ["dense_3"]
    x = torch.randn(3, 6)
    with torch.no_grad():
        assert torch.equal(model.body(x), original(x))


def test_other_shapes_in_order_leave_the_fresh_weights():
    model = model_with_block()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    swapped = nn.Sequential(nn.Linear(6, 4), nn.Linear(4, 5))  # the same count, other shapes
    state = {f"body.{key}": value for key, value in swapped.state_dict().items()}
    report = init_from(model, state)
    assert report.matched == [] and "body" in report.unmatched
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
