"""Paths to graphs inside a project: resolving them, the part still there after an undo, and
where an issue inside nested blocks points."""

from __future__ import annotations

import pytest
from nested_blocks import nested_resnet
from neurocanvas.engine.analysis import analyze
from neurocanvas.engine.issues import Issue
from neurocanvas.gui.graph_paths import issue_target, resolve, valid_prefix


def test_a_path_leads_through_the_blocks_and_names_a_missing_step():
    project = nested_resnet()
    inner = resolve(project.graphs, ("main", "res1", "inner"))
    assert set(inner.nodes) == {"input_2", "conv1", "bn1", "relu1"}
    with pytest.raises(KeyError, match="no block 'conv2'"):
        resolve(project.graphs, ("main", "res1", "conv2"))  # a layer, not a block
    assert valid_prefix(project.graphs, ("main", "res1", "gone", "deeper")) == ("main", "res1")
    assert valid_prefix(project.graphs, ("critic", "res1")) == ()


def test_an_issue_inside_nested_blocks_points_at_the_inner_node():
    project = nested_resnet()
    inner = resolve(project.graphs, ("main", "res1", "inner"))
    inner.set_params("conv1", {"kernel_size": 40, "padding": "valid"})
    (error,) = analyze(project.graph).errors
    assert error.message.startswith("res1 > inner > conv1: ")
    assert issue_target(project.graphs, "main", error) == (("main", "res1", "inner"), "conv1")


def test_an_issue_of_a_body_as_a_whole_opens_the_body_without_a_node():
    project = nested_resnet()
    issue = Issue.error("res1", "res1 > the body must end in exactly one node; it ends in a, b")
    assert issue_target(project.graphs, "main", issue) == (("main", "res1"), None)
    plain = Issue.error("gap", "GlobalAvgPool2d: needs an image")
    assert issue_target(project.graphs, "main", plain) == (("main",), "gap")
