"""Feature maps, filters and activation statistics against the layer's outputs and weights."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from neurocanvas.engine.inspect import images
from neurocanvas.engine.inspect.capture import InspectError
from neurocanvas.engine.inspect.maps import (
    conv_layer,
    feature_maps,
    filter_picture,
    first_conv,
    is_rgb_filter,
    kernels,
)
from neurocanvas.engine.inspect.stats import activation_stats, ends_in_relu


def test_feature_maps_hold_every_channel_of_the_layers_output(tiny_cnn):
    x = torch.randn(1, 1, 10, 10, generator=torch.Generator().manual_seed(2))
    c1 = conv_layer(tiny_cnn, "conv1")
    expected = F.relu(F.conv2d(x, c1.weight, c1.bias))[0].detach().numpy()
    from neurocanvas.engine.inspect.capture import capture

    maps = feature_maps("conv1", capture(tiny_cnn, x, ["conv1"])["conv1"][0])
    np.testing.assert_allclose(maps.channels, expected, rtol=1e-5, atol=1e-6)
    assert maps.ranges == [(float(c.min()), float(c.max())) for c in expected]
    rows = maps.rows()
    assert [r["channel"] for r in rows] == [0, 1, 2]
    assert rows[1]["zero_fraction"] == pytest.approx(float((expected[1] == 0).mean()))
    picture = maps.picture(tile_size=20)
    assert picture.size[0] > 2 * 20 and picture.mode == "RGB"


def test_vector_output_is_one_strip():
    maps = feature_maps("fc", torch.tensor([0.5, -1.0, 2.0]))
    assert maps.channels.shape == (1, 1, 3) and maps.ranges == [(-1.0, 2.0)]


def test_gray_maps_a_channel_onto_its_own_range():
    tile = np.asarray(images.gray(np.array([[-2.0, 0.0], [1.0, 2.0]])))
    assert tile.tolist() == [[0, 128], [191, 255]]  # (v + 2) / 4 * 255, rounded


def test_filters_are_the_first_convolutions_weights(tiny_cnn):
    assert first_conv(tiny_cnn) == "conv1"
    torch.testing.assert_close(kernels(tiny_cnn, "conv1"), tiny_cnn.state_dict()["conv1.0.weight"])
    assert kernels(tiny_cnn, "fc").shape == (5, 36)  # 4 channels x 3 x 3
    one_channel = filter_picture(kernels(tiny_cnn, "conv1"), tile_size=10)  # 3 filters: 2 x 2
    deeper = filter_picture(kernels(tiny_cnn, "conv2"), tile_size=10)  # 4 filters x 3 inputs
    cell_w, cell_h = 10 + 2, 10 + 12 + 2  # tile + padding, tile + label + padding
    assert one_channel.size == (2 * cell_w + 2, 2 * cell_h + 2)
    assert deeper.size == (3 * cell_w + 2, 4 * cell_h + 2)
    assert not is_rgb_filter(tiny_cnn, "conv2")
    with pytest.raises(InspectError, match="pool1: this layer has no kernels"):
        kernels(tiny_cnn, "pool1")


def test_dead_relu_fraction_and_distribution(tiny_cnn):
    conv2 = conv_layer(tiny_cnn, "conv2")
    with torch.no_grad():
        conv2.bias[1] = -1e6  # channel 1 can never fire: its 4 of 16 units are dead
    x = torch.randn(40, 1, 10, 10, generator=torch.Generator().manual_seed(4))
    stats = {s.node: s for s in activation_stats(tiny_cnn, x, batch_size=16)}
    assert list(stats) == ["conv1", "pool1", "conv2", "flat", "fc"]
    assert ends_in_relu(tiny_cnn.get_submodule("conv2"))
    assert not ends_in_relu(tiny_cnn.get_submodule("fc"))
    assert stats["fc"].dead_fraction is None and stats["pool1"].dead_fraction is None
    c1 = conv_layer(tiny_cnn, "conv1")
    pooled = F.max_pool2d(F.relu(F.conv2d(x, c1.weight, c1.bias)), 2)
    out = F.relu(F.conv2d(pooled, conv2.weight, conv2.bias)).detach().reshape(40, -1).numpy()
    dead = float((out <= 0).all(axis=0).mean())
    assert dead >= 0.25 and stats["conv2"].dead_fraction == pytest.approx(dead)
    assert stats["conv2"].zero_fraction == pytest.approx(float((out == 0).mean()))
    assert stats["conv2"].mean == pytest.approx(float(out.mean()), rel=1e-5)
    edges, counts = stats["conv2"].histogram
    assert sum(counts) == out.size and edges[0] == pytest.approx(float(out.min()))
