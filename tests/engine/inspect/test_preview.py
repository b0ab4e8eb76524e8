"""The canvas preview's values are the layer's own outputs for that sample."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from neurocanvas.engine.inspect.maps import conv_layer
from neurocanvas.engine.inspect.preview import MAX_CHANNELS, preview, preview_entry


def test_preview_values_equal_the_layers_output(tiny_cnn):
    x = torch.randn(1, 1, 10, 10, generator=torch.Generator().manual_seed(7))
    entries = preview(tiny_cnn, x)
    c1 = conv_layer(tiny_cnn, "conv1")
    conv1 = F.relu(F.conv2d(x, c1.weight, c1.bias))[0].detach().numpy()
    assert entries["conv1"]["kind"] == "maps" and entries["conv1"]["shape"] == (3, 8, 8)
    np.testing.assert_allclose(entries["conv1"]["values"], conv1, rtol=1e-5, atol=1e-6)
    assert entries["conv1"]["range"] == (float(conv1.min()), float(conv1.max()))
    np.testing.assert_allclose(entries["input"]["values"], x[0].numpy())
    fc = entries["fc"]
    assert fc["kind"] == "bar" and abs(float(fc["values"].sum()) - 1) < 1e-5  # softmax


def test_big_maps_are_subsampled_from_the_real_values():
    out = torch.arange(20 * 100 * 100, dtype=torch.float32).reshape(20, 100, 100)
    entry = preview_entry(out)
    assert entry["values"].shape == (MAX_CHANNELS, 25, 25)  # every 4th pixel, 8 channels
    np.testing.assert_array_equal(entry["values"], out[:MAX_CHANNELS, ::4, ::4].numpy())
    vector = preview_entry(torch.arange(1000.0))
    assert vector["kind"] == "bar" and vector["values"].tolist() == list(range(0, 1000, 16))
    strip = preview_entry(torch.ones(30, 5))
    assert strip["kind"] == "strip" and strip["values"].shape == (8, 5)
