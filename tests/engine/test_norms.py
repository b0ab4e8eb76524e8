"""Normalisation layers against their formulas and Keras' parameter counts."""

from __future__ import annotations

import torch
from neurocanvas.engine.analysis import analyze
from neurocanvas.engine.compiler import compile_graph
from neurocanvas.engine.graph import chain
from neurocanvas.engine.summary import summarize


def group_norm_graph(groups, channels=6):
    return chain(("Input", {"shape": [channels, 5, 5]}), ("GroupNorm", {"groups": groups}))


def test_group_norm_equals_its_formula():
    x = torch.randn(3, 6, 5, 5, generator=torch.Generator().manual_seed(0)) * 2 + 1
    model = compile_graph(group_norm_graph(groups=3), seed=0).eval()
    with torch.no_grad():
        gamma, beta = (torch.rand(6) + 0.5, torch.randn(6))
        model.state_dict()["group_norm_1.weight"].copy_(gamma)
        model.state_dict()["group_norm_1.bias"].copy_(beta)
        out = model(x)
    grouped = x.reshape(3, 3, -1)  # 3 groups of 2 channels x 25 pixels
    mean = grouped.mean(-1, keepdim=True)
    var = ((grouped - mean) ** 2).mean(-1, keepdim=True)
    normal = ((grouped - mean) / torch.sqrt(var + 1e-5)).reshape(x.shape)
    expected = normal * gamma[None, :, None, None] + beta[None, :, None, None]
    torch.testing.assert_close(out, expected, rtol=1e-5, atol=1e-5)


def test_group_norm_counts_like_keras():
    # Keras GroupNormalization: gamma and beta per channel, both trainable, nothing else.
    summary = summarize(group_norm_graph(groups=2))
    assert [(row.params, row.trainable) for row in summary.rows] == [(0, 0), (2 * 6, 2 * 6)]
    assert summary.non_trainable_params == 0


def test_groups_that_do_not_divide_the_channels_are_named():
    (issue,) = analyze(group_norm_graph(groups=4)).issues
    assert (issue.node_id, issue.severity) == ("group_norm_1", "error")
    assert issue.message.startswith("GroupNorm: 4 groups do not divide the 6 channels")
