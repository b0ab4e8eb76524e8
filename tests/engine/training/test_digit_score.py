"""The generated-digit score: mean top-class confidence and classes present (>= 1% of the
samples), checked with a hand-made classifier and numpy's softmax."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from neurocanvas.engine.compiler import compile_graph
from neurocanvas.engine.data.preprocessing import Preprocessing
from neurocanvas.engine.graph import Graph
from neurocanvas.engine.shapes import AutoSizes
from neurocanvas.engine.training.digit_score import score_samples


def _pixel_classifier():
    """logit k = 5 x pixel k: an image lit at pixel k is a confident k."""
    graph = Graph()
    graph.add_node("Input", {"shape": (1, 28, 28)}, node_id="image")
    graph.add_node("Flatten", node_id="flat")
    graph.add_node("Dense", {"units": 10, "activation": "softmax"}, node_id="digits")
    graph.connect(("image", 0), ("flat", 0))
    graph.connect(("flat", 0), ("digits", 0))
    model = compile_graph(graph, auto=AutoSizes())
    linear = model.digits[0] if isinstance(model.digits, torch.nn.Sequential) else model.digits
    with torch.no_grad():
        linear.weight.zero_()
        linear.bias.zero_()
        linear.weight[torch.arange(10), torch.arange(10)] = 5.0
    return model.eval()


def test_confidence_and_classes_present_match_numpy():
    counts = {0: 600, 1: 381, 2: 10, 3: 9}  # 3 appears 9 times: under 1% of 1,000
    labels = np.concatenate([np.full(n, k) for k, n in counts.items()])
    rng = np.random.default_rng(0)
    images = np.zeros((len(labels), 1, 28, 28), dtype=np.float32)
    flat = images.reshape(len(labels), -1)
    flat[np.arange(len(labels)), labels] = rng.uniform(0.3, 1.0, len(labels))
    scores = score_samples(torch.from_numpy(images), _pixel_classifier(), Preprocessing())
    logits = 5.0 * flat[:, :10]
    softmax = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    assert scores["mean_confidence"] == pytest.approx(softmax.max(1).mean(), rel=1e-5)
    assert scores["classes_present"] == 3
