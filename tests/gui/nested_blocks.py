"""A ResNet-like project with nested blocks for the navigation tests: in `main`, block `res1`
holds the residual branch (conv1 .. relu2, the skip into skip_add), and inside it block `inner`
holds conv1, bn1, relu1."""

from __future__ import annotations

from neurocanvas.engine.block_edit import group
from neurocanvas.engine.templates import load_template

RES1 = ["conv1", "bn1", "relu1", "conv2", "bn2", "skip_add", "relu2"]


def nested_resnet():
    project = load_template("resnet-block")
    group(project.graph, RES1, block_id="res1")
    body = project.graph.nodes["res1"].params["graph"]
    group(body, ["conv1", "bn1", "relu1"], block_id="inner")
    return project


def conv_params(in_channels: int, out_channels: int, kernel: int) -> int:
    """A Conv2d's weights and bias counted by hand (the oracle for the block's card)."""
    return in_channels * out_channels * kernel * kernel + out_channels
