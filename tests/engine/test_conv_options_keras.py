"""Convolution and pooling options against Keras 3 (channels first) and hand-written torch.

Conv2DTranspose(padding="same") with an odd kernel: Keras on the torch backend itself warns that it
differs from TensorFlow/JAX there (a one-pixel shift), so the oracle for that case is the definition
TensorFlow uses: the transposed convolution is the gradient of a `same` convolution.
"""

import keras_oracle as ko
import pytest
import torch
import torch.nn.functional as F
from neurocanvas.engine import registry
from neurocanvas.engine.analysis import analyze
from neurocanvas.engine.compiler import compile_graph
from neurocanvas.engine.graph import chain
from neurocanvas.engine.registry import ParamError
from neurocanvas.engine.summary import summarize

keras = ko.keras
L = keras.layers
CF = {"data_format": "channels_first"}


def _check(shape, layer, params, keras_layer, weighted=True):
    graph = chain(("Input", {"shape": list(shape)}), (layer, params))
    node = next(n.id for n in graph.nodes.values() if n.type == layer)
    model = compile_graph(graph, seed=0)
    inputs = keras.Input(shape)
    keras_layer.name = node
    keras_model = keras.Model(inputs, keras_layer(inputs))
    if weighted:
        ko.copy_weights(model, keras_model, {node: layer})
    x = torch.randn(2, *shape, generator=torch.Generator().manual_seed(0))
    assert ko.max_difference(model, keras_model, [x]) < 1e-5
    assert ko.ours(summarize(graph)) == ko.counts(keras_model)
    return analyze(graph).shape_of(node)


@pytest.mark.parametrize(
    "params,keras_args",
    [
        ({"kernel_size": [3, 5], "stride": [2, 1]}, {"kernel_size": (3, 5), "strides": (2, 1)}),
        (
            {"kernel_size": [3, 5], "stride": 2, "padding": "same"},
            {"kernel_size": (3, 5), "strides": 2, "padding": "same"},
        ),
        (
            {"dilation": 2, "padding": "same"},
            {"kernel_size": 3, "dilation_rate": 2, "padding": "same"},
        ),
        ({"groups": 2}, {"kernel_size": 3, "groups": 2}),
        (
            {"kernel_size": 4, "stride": 2, "padding": "same"},
            {"kernel_size": 4, "strides": 2, "padding": "same"},
        ),
    ],
    ids=["non-square", "non-square-same-stride2", "dilation", "groups", "even-kernel-same-stride2"],
)
def test_conv2d_options_match_keras(params, keras_args):
    layer = L.Conv2D(8, **keras_args, **CF)
    _check((4, 9, 10), "Conv2d", {"out_channels": 8} | params, layer)


def test_conv1d_causal_matches_keras():
    shape = _check(
        (3, 10),
        "Conv1d",
        {"out_channels": 4, "kernel_size": 3, "dilation": 2, "padding": "causal"},
        L.Conv1D(4, 3, dilation_rate=2, padding="causal", **CF),
    )
    assert shape == (4, 10)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("stride", [1, 2])
def test_padding_modes_pad_before_convolving(mode, stride):
    graph = chain(
        ("Input", {"shape": [2, 8, 8]}),
        (
            "Conv2d",
            {
                "out_channels": 3,
                "kernel_size": 4,
                "stride": stride,
                "padding": "same",
                "padding_mode": mode,
            },
        ),
    )
    model = compile_graph(graph, seed=0).eval()
    conv = ko.core(model, torch.nn.Conv2d)
    x = torch.randn(2, 2, 8, 8)
    # Keras 'same' for kernel 4: 1 before and 2 after at stride 1; 1 and 1 at stride 2 on 8
    pads = (1, 2, 1, 2) if stride == 1 else (1, 1, 1, 1)
    expected = F.conv2d(F.pad(x, pads, mode=mode), conv.weight, conv.bias, stride=stride)
    with torch.no_grad():
        torch.testing.assert_close(model(x), expected)


def test_groups_that_do_not_divide_are_named():
    graph = chain(("Input", {"shape": [3, 8, 8]}), ("Conv2d", {"groups": 2}))
    (issue,) = analyze(graph).errors
    assert "2 groups must divide both the 3 input channels" in issue.message


def test_kernel_takes_one_number_or_one_per_axis():
    kernel = registry.get("Conv2d").param_index["kernel_size"]
    assert kernel.coerce(3) == 3 and kernel.coerce("3x5") == (3, 5) and kernel.coerce([4]) == 4
    with pytest.raises(ParamError, match="one number or 2"):
        kernel.coerce([3, 3, 3])
    assert (
        registry.get("Conv2d")
        .describe({**registry.get("Conv2d").defaults(), "kernel_size": (3, 5)})
        .startswith("Conv2d 16@3x5")
    )


def _window_average(x, kernel, stride):
    """Keras/TensorFlow 'same' average pooling written out: each window's mean over the real
    values it covers (padding left out), windows placed as TF pads (the odd pixel after)."""
    size = x.shape[-1]
    out = -(-size // stride)
    before = max((out - 1) * stride + kernel - size, 0) // 2
    result = torch.empty(*x.shape[:2], out, out)
    for i in range(out):
        for j in range(out):
            top, left = i * stride - before, j * stride - before
            rows = slice(max(top, 0), min(top + kernel, size))
            cols = slice(max(left, 0), min(left + kernel, size))
            result[..., i, j] = x[..., rows, cols].mean(dim=(-2, -1))
    return result


@pytest.mark.parametrize("size,kernel,stride", [(7, 2, 2), (8, 3, 2), (9, 3, 3), (5, 3, 1)])
@pytest.mark.parametrize("op", ["max", "avg"])
def test_pooling_same_matches_keras(size, kernel, stride, op):
    layer = "MaxPool2d" if op == "max" else "AvgPool2d"
    params = {"kernel_size": kernel, "stride": stride, "keras_padding": "same"}
    graph = chain(("Input", {"shape": [2, size, size]}), (layer, params))
    x = torch.randn(2, 2, size, size, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        got = compile_graph(graph)(x)
    assert got.shape[-1] == -(-size // stride)
    if op == "avg":
        torch.testing.assert_close(got, _window_average(x, kernel, stride))
    total = max((-(-size // stride) - 1) * stride + kernel - size, 0)
    if op == "max" or total % 2 == 0:
        # Keras' torch backend replicates edge pixels where the padding is uneven, which counts
        # them in averages (TensorFlow leaves padding out); elsewhere it is an oracle too.
        keras_cls = L.MaxPooling2D if op == "max" else L.AveragePooling2D
        _check(
            (2, size, size),
            layer,
            params,
            keras_cls(kernel, strides=stride, padding="same", **CF),
            weighted=False,
        )


def test_pooling_ceil_mode_and_count_include_pad_are_pytorch_s():
    x = torch.randn(2, 3, 7, 7)
    graph = chain(
        ("Input", {"shape": [3, 7, 7]}),
        (
            "AvgPool2d",
            {
                "kernel_size": 3,
                "stride": 2,
                "padding": 1,
                "ceil_mode": True,
                "count_include_pad": False,
            },
        ),
    )
    expected = F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False)
    torch.testing.assert_close(compile_graph(graph)(x), expected)


@pytest.mark.parametrize("kernel,stride", [(2, 2), (4, 2), (3, 1), (1, 2), (3, 2), (5, 2), (3, 3)])
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_conv_transpose_keras_padding(kernel, stride, padding):
    params = {"out_channels": 3, "kernel_size": kernel, "stride": stride, "keras_padding": padding}
    graph = chain(("Input", {"shape": [2, 5, 5]}), ("ConvTranspose2d", params))
    node = next(n.id for n in graph.nodes.values() if n.type == "ConvTranspose2d")
    wanted = 5 * stride if padding == "same" else 4 * stride + max(kernel, stride)
    assert analyze(graph).shape_of(node) == (3, wanted, wanted)
    model = compile_graph(graph, seed=0).eval()
    x = torch.randn(2, 2, 5, 5, generator=torch.Generator().manual_seed(0))
    odd_same = padding == "same" and kernel % 2 == 1 and stride > 1
    if not odd_same:  # where Keras' torch backend agrees with TensorFlow: compare with it
        keras_layer = L.Conv2DTranspose(3, kernel, strides=stride, padding=padding, **CF)
        keras_layer.name = node
        inputs = keras.Input((2, 5, 5))
        keras_model = keras.Model(inputs, keras_layer(inputs))
        ko.copy_weights(model, keras_model, {node: "ConvTranspose2d"})
        assert ko.max_difference(model, keras_model, [x]) < 1e-5
        assert ko.ours(summarize(graph)) == ko.counts(keras_model)
    conv = ko.core(model, torch.nn.ConvTranspose2d)
    with torch.no_grad():
        got = model(x)
    torch.testing.assert_close(got, _tf_transpose(x, conv.weight, conv.bias, stride, padding))


def _tf_transpose(x, weight, bias, stride, padding):
    """TensorFlow's conv2d_transpose: the gradient of conv2d (same/valid as TF pads) w.r.t. its
    input, of the size Keras gives the output, plus the bias."""
    kernel = weight.shape[-1]
    size = (
        x.shape[-1] * stride
        if padding == "same"
        else (x.shape[-1] - 1) * stride + max(kernel, stride)
    )
    big = torch.zeros(x.shape[0], weight.shape[1], size, size, requires_grad=True)
    padded = big
    if padding == "same":
        total = max((x.shape[-1] - 1) * stride + kernel - size, 0)
        before = total // 2
        padded = F.pad(big, (before, total - before, before, total - before))
    forward = F.conv2d(padded, weight, stride=stride)  # (in, out, k, k): out -> in channels
    (grad,) = torch.autograd.grad(forward, big, x[..., : forward.shape[-2], : forward.shape[-1]])
    return grad + bias[None, :, None, None]


def test_conv3d_and_3d_pooling_match_keras():
    params = {"out_channels": 4, "kernel_size": [3, 3, 2], "stride": 2, "padding": "same"}
    layer = L.Conv3D(4, (3, 3, 2), strides=2, padding="same", **CF)
    assert _check((2, 6, 7, 8), "Conv3d", params, layer) == (4, 3, 4, 4)
    for ours, keras_cls in (("MaxPool3d", L.MaxPooling3D), ("AvgPool3d", L.AveragePooling3D)):
        _check((2, 4, 6, 6), ours, {}, keras_cls(2, **CF), weighted=False)


@pytest.mark.parametrize("kernel,stride,padding", [(4, 2, "same"), (3, 1, "same"), (3, 2, "valid")])
def test_conv_transpose_1d_matches_keras(kernel, stride, padding):
    params = {"out_channels": 3, "kernel_size": kernel, "stride": stride, "keras_padding": padding}
    layer = L.Conv1DTranspose(3, kernel, strides=stride, padding=padding, **CF)
    shape = _check((2, 6), "ConvTranspose1d", params, layer)
    assert shape[-1] == (6 * stride if padding == "same" else 5 * stride + max(kernel, stride))


@pytest.mark.parametrize(
    "pad,torch_pads", [(1, (1, 1, 1, 1)), ([2, 0], (0, 0, 2, 2)), ([1, 2, 0, 3], (0, 3, 1, 2))]
)
def test_explicit_padding_equals_torch_padding(pad, torch_pads):
    """PyTorch's padding=1 habit: explicit sizes, symmetric or per side (top, bottom, left, right)."""
    params = {"out_channels": 3, "kernel_size": 3, "padding": "explicit", "pad": pad}
    graph = chain(("Input", {"shape": [2, 6, 7]}), ("Conv2d", params))
    model = compile_graph(graph, seed=0).eval()
    conv = ko.core(model, torch.nn.Conv2d)
    x = torch.randn(2, 2, 6, 7)
    with torch.no_grad():
        torch.testing.assert_close(model(x), F.conv2d(F.pad(x, torch_pads), conv.weight, conv.bias))
    if pad == 1:  # the plain PyTorch layer, one module: state dicts load key for key
        assert isinstance(model.get_submodule(graph.topological_order()[-1]), torch.nn.Conv2d)
