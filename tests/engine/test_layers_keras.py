"""The layers added for Keras users, each against the Keras 3 layer it mirrors: same output shape,
same parameter counts, and the same values once weights (if any) are copied.

Keras runs channels first here where it can (`data_format="channels_first"`); where a Keras layer
is channels-last only (UpSampling1D, Cropping1D), its input and output are transposed around it.
"""

import keras_oracle as ko
import numpy as np
import pytest
import torch
from neurocanvas.engine.analysis import analyze
from neurocanvas.engine.compiler import compile_graph
from neurocanvas.engine.graph import Graph, chain
from neurocanvas.engine.summary import summarize

keras = ko.keras
L = keras.layers
CF = {"data_format": "channels_first"}
GEN = torch.Generator().manual_seed(0)


def _ours(shape, layer, params=None):
    graph = chain(("Input", {"shape": list(shape)}), (layer, params or {}))
    return graph, compile_graph(graph, seed=0).eval()


def _node(graph, layer):
    return next(n.id for n in graph.nodes.values() if n.type == layer)


def _compare(shape, layer, params, keras_layer, transpose=False, copy=None):
    graph, model = _ours(shape, layer, params)
    inputs = keras.Input(shape[::-1] if transpose else shape)
    keras_model = keras.Model(inputs, keras_layer(inputs))
    if copy:
        keras_layer.set_weights(copy(model.get_submodule(_node(graph, layer))))
    x = torch.randn(3, *shape, generator=GEN)
    with torch.no_grad():
        expected = model(x).numpy()
    given = x.transpose(1, 2) if transpose else x
    got = ko.predict(keras_model, [given])
    if transpose:
        got = np.swapaxes(got, 1, 2)
    assert got.shape == expected.shape == (3, *analyze(graph).shape_of(_node(graph, layer)))
    assert np.abs(got - expected).max() < 1e-5
    assert ko.ours(summarize(graph)) == ko.counts(keras_model)


def test_permute_and_repeat_vector():
    _compare((2, 3, 4), "Permute", {"dims": [3, 1, 2]}, L.Permute((3, 1, 2)))
    _compare((5,), "RepeatVector", {"n": 4}, L.RepeatVector(4))


def test_cropping_and_padding():
    sides = {"top": 1, "bottom": 2, "left": 0, "right": 3}
    _compare((2, 8, 9), "Cropping2d", sides, L.Cropping2D(((1, 2), (0, 3)), **CF))
    _compare((2, 9), "Cropping1d", {"left": 2, "right": 1}, L.Cropping1D((2, 1)), transpose=True)
    _compare((2, 9), "ZeroPad1d", {"left": 2, "right": 1}, L.ZeroPadding1D((2, 1)), transpose=True)
    _compare((3, 7), "UpSampling1d", {"size": 3}, L.UpSampling1D(3), transpose=True)


def test_squeeze_and_unsqueeze_against_torch():
    graph, model = _ours((1, 8), "Squeeze", {"axis": 0})
    x = torch.randn(2, 1, 8)
    assert torch.equal(model(x), x.squeeze(1))
    graph, model = _ours((28, 28), "Unsqueeze", {"axis": 0})
    assert analyze(graph).shape_of(_node(graph, "Unsqueeze")) == (1, 28, 28)
    graph = chain(("Input", {"shape": [3, 8]}), ("Squeeze", {"axis": 0}))
    (issue,) = analyze(graph).errors
    assert "size 3, not 1" in issue.message


def test_global_and_adaptive_pooling():
    _compare((3, 5, 6), "GlobalMaxPool2d", {}, L.GlobalMaxPooling2D(**CF))
    _compare((3, 7), "GlobalMaxPool1d", {}, L.GlobalMaxPooling1D(**CF))
    _compare((3, 7), "GlobalAvgPool1d", {}, L.GlobalAveragePooling1D(**CF))
    # Adaptive pooling to 2x2 on 6x6 is 3x3 pooling with stride 3 (torch.nn.functional as oracle)
    graph, model = _ours((3, 6, 6), "AdaptiveAvgPool2d", {"output_size": [2, 2]})
    x = torch.randn(2, 3, 6, 6)
    torch.testing.assert_close(model(x), torch.nn.functional.avg_pool2d(x, 3))
    graph, model = _ours((3, 6, 6), "AdaptiveMaxPool2d", {"output_size": [2, 3]})
    torch.testing.assert_close(model(x), torch.nn.functional.max_pool2d(x, (3, 2)))


def _merge_graph(layer, count):
    graph = Graph()
    graph.add_node(layer, {"inputs": count} if layer != "Subtract" else {}, node_id="merge")
    for port in range(count):
        graph.add_node("Input", {"shape": [4, 5]}, node_id=f"in{port}")
        graph.connect((f"in{port}", 0), ("merge", port))
    return graph


@pytest.mark.parametrize(
    "layer,count", [("Subtract", 2), ("Average", 3), ("Maximum", 3), ("Minimum", 2)]
)
def test_merges_equal_keras(layer, count):
    graph = _merge_graph(layer, count)
    model = compile_graph(graph, seed=0)
    xs = [torch.randn(2, 4, 5, generator=GEN) for _ in range(count)]
    inputs = [keras.Input((4, 5)) for _ in range(count)]
    keras_model = keras.Model(inputs, getattr(L, layer)()(inputs))
    assert ko.max_difference(model, keras_model, xs) < 1e-6


def test_merge_of_different_shapes_is_explained():
    graph = _merge_graph("Subtract", 2)
    graph.nodes["in1"].params["shape"] = (4, 6)
    (issue,) = analyze(graph).errors
    assert "subtract inputs of the same shape" in issue.message


def _norm_weights(module):
    return [ko._np(module.weight), ko._np(module.bias)]


def test_norms_equal_keras():
    _compare(
        (3, 4, 5),
        "LayerNorm",
        {"axes": 3},
        L.LayerNormalization(axis=[-3, -2, -1], epsilon=1e-5),
        copy=lambda m: [ko._np(m.weight), ko._np(m.bias)],
    )
    # Keras' instance norm is GroupNormalization with one group per channel
    _compare(
        (3, 4, 5),
        "InstanceNorm2d",
        {},
        L.GroupNormalization(groups=-1, axis=1, epsilon=1e-5),
        copy=_norm_weights,
    )
    bn = L.BatchNormalization(axis=1, epsilon=1e-5, center=False, scale=False)
    _compare(
        (3, 4, 5),
        "BatchNorm2d",
        {"affine": False},
        bn,
        copy=lambda m: [ko._np(m.running_mean), ko._np(m.running_var)],
    )


def test_prelu_per_channel_equals_keras_shared_axes():
    _compare(
        (3, 4, 5),
        "PReLU",
        {"shared": "channel"},
        L.PReLU(shared_axes=[2, 3]),
        copy=lambda m: [ko._np(m.weight.reshape(3, 1, 1))],
    )


@pytest.mark.parametrize(
    "layer,keras_name",
    [
        ("ReLU6", "relu6"),
        ("SELU", "selu"),
        ("Softplus", "softplus"),
        ("Softsign", "softsign"),
        ("HardSigmoid", "hard_sigmoid"),
        ("HardSwish", "hard_swish"),
    ],
)
def test_activations_equal_keras(layer, keras_name):
    _compare((4, 6), layer, {}, L.Activation(keras_name))


@pytest.mark.parametrize(
    "layer,keras_layer",
    [
        ("SpatialDropout2d", lambda: L.SpatialDropout2D(0.5, **CF)),
        ("GaussianNoise", lambda: L.GaussianNoise(0.1)),
        ("GaussianDropout", lambda: L.GaussianDropout(0.5)),
        ("AlphaDropout", lambda: L.AlphaDropout(0.5)),
    ],
)
def test_noise_layers_are_the_identity_when_predicting(layer, keras_layer):
    _compare((2, 4, 4), layer, {}, keras_layer())


def test_noise_layers_act_while_training():
    for layer, shape in (("GaussianNoise", (50,)), ("GaussianDropout", (50,))):
        _, model = _ours(shape, layer)
        model.train()
        x = torch.ones(200, *shape)
        out = model(x)
        assert not torch.equal(out, x)
        assert abs(out.mean().item() - 1.0) < 0.05  # zero-mean noise / mean-1 multiplier
    _, model = _ours((8, 4, 4), "SpatialDropout2d")
    model.train()
    out = model(torch.ones(50, 8, 4, 4))
    per_map = out.reshape(50, 8, -1)
    # whole feature maps are dropped: each map is all zeros or all 2 (scaled by 1 / (1 - 0.5))
    assert torch.all((per_map == 0).all(-1) | (per_map == 2).all(-1))


def _depthwise_kernel(conv, channels):
    """torch (C * m, 1, kh, kw) -> Keras (kh, kw, C, m): output channel c * m + j is filter j of c."""
    weight = conv.weight.detach()
    return weight.reshape(channels, -1, *weight.shape[-2:]).permute(2, 3, 0, 1).numpy()


def test_depthwise_conv_equals_keras():
    def copy(module):
        conv = ko.core(module, torch.nn.Conv2d)
        return [_depthwise_kernel(conv, 3), ko._np(conv.bias)]

    params = {"kernel_size": 3, "depth_multiplier": 2, "stride": 2, "padding": "same"}
    keras_layer = L.DepthwiseConv2D(3, strides=2, depth_multiplier=2, padding="same", **CF)
    _compare((3, 8, 8), "DepthwiseConv2d", params, keras_layer, copy=copy)


def test_separable_conv_equals_keras():
    def copy(module):
        depthwise, pointwise = [m for m in module.modules() if isinstance(m, torch.nn.Conv2d)]
        point = pointwise.weight.detach().permute(2, 3, 1, 0).numpy()
        return [_depthwise_kernel(depthwise, 3), point, ko._np(pointwise.bias)]

    params = {"out_channels": 5, "kernel_size": 3, "padding": "same", "activation": "relu"}
    keras_layer = L.SeparableConv2D(5, 3, padding="same", activation="relu", **CF)
    _compare((3, 7, 7), "SeparableConv2d", params, keras_layer, copy=copy)


def test_rescaling_equals_keras():
    _compare((3, 4), "Rescaling", {"scale": 1 / 255, "offset": -0.5}, L.Rescaling(1 / 255, -0.5))


@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
def test_upsample_per_axis_equals_keras(mode):
    keras_layer = L.UpSampling2D((2, 3), interpolation=mode, **CF)
    _compare((2, 4, 5), "Upsample", {"scale_factor": [2, 3], "mode": mode}, keras_layer)


@pytest.mark.parametrize(
    "shapes,axis,normalize",
    [
        ([(6,), (6,)], -1, False),
        ([(6,), (6,)], -1, True),
        ([(3, 5), (4, 5)], -1, False),
        ([(3, 5), (3, 2)], 0, True),
    ],
)
def test_dot_equals_keras(shapes, axis, normalize):
    graph = Graph()
    graph.add_node("Dot", {"axis": axis, "normalize": normalize}, node_id="dot")
    for port, shape in enumerate(shapes):
        graph.add_node("Input", {"shape": list(shape)}, node_id=f"in{port}")
        graph.connect((f"in{port}", 0), ("dot", port))
    model = compile_graph(graph, seed=0)
    xs = [torch.randn(2, *shape, generator=GEN) for shape in shapes]
    inputs = [keras.Input(shape) for shape in shapes]
    keras_axis = axis + 1 if axis >= 0 else len(shapes[0]) + 1 + axis  # Keras counts the batch
    keras_model = keras.Model(inputs, L.Dot(keras_axis, normalize=normalize)(inputs))
    assert ko.max_difference(model, keras_model, xs) < 1e-5
    assert analyze(graph).shape_of("dot") == tuple(keras_model.output.shape[1:])
