"""Every node's captured output equals that layer's actual output, computed by hand with
torch.nn.functional from the same weights (an independent forward)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from neurocanvas.engine.inspect.capture import InspectError, capture, capture_batches, node_order
from neurocanvas.engine.inspect.maps import conv_layer


def _by_hand(model, x):
    c1, c2 = conv_layer(model, "conv1"), conv_layer(model, "conv2")
    fc = model.get_submodule("fc")[0]
    conv1 = F.relu(F.conv2d(x, c1.weight, c1.bias))
    pool1 = F.max_pool2d(conv1, 2)
    conv2 = F.relu(F.conv2d(pool1, c2.weight, c2.bias))
    flat = conv2.reshape(len(x), -1)
    fc_out = torch.softmax(flat @ fc.weight.T + fc.bias, dim=1)
    return {"input": x, "conv1": conv1, "pool1": pool1, "conv2": conv2, "flat": flat, "fc": fc_out}


def test_captured_outputs_equal_each_layers_own_output(tiny_cnn):
    x = torch.randn(2, 1, 10, 10, generator=torch.Generator().manual_seed(0))
    captured = capture(tiny_cnn, x)
    expected = _by_hand(tiny_cnn, x)
    assert list(captured) == node_order(tiny_cnn) == list(expected)
    for node, value in expected.items():
        torch.testing.assert_close(captured[node], value.detach(), rtol=1e-5, atol=1e-6)
    assert not tiny_cnn.training


def test_capture_restores_training_mode_and_removes_hooks(tiny_cnn):
    tiny_cnn.train()
    capture(tiny_cnn, torch.zeros(1, 1, 10, 10), ["conv2"])
    assert tiny_cnn.training
    assert all(not m._forward_hooks for m in tiny_cnn.modules())


def test_capture_in_batches_matches_one_pass(tiny_cnn):
    x = torch.randn(7, 1, 10, 10, generator=torch.Generator().manual_seed(1))
    whole = capture(tiny_cnn, x, ["conv2", "fc"])
    batched = capture_batches(tiny_cnn, x, ["conv2", "fc"], batch_size=3)
    for node in ("conv2", "fc"):
        torch.testing.assert_close(batched[node], whole[node])


def test_unknown_node_is_named(tiny_cnn):
    with pytest.raises(InspectError, match="conv9: no such node.*conv1"):
        capture(tiny_cnn, torch.zeros(1, 1, 10, 10), ["conv9"])
