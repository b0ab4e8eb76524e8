"""TimeDistributed twins against keras.layers.TimeDistributed (weights copied) and a per-step loop."""

import keras_oracle as ko
import pytest
import torch
from neurocanvas.engine import registry
from neurocanvas.engine.analysis import analyze
from neurocanvas.engine.compiler import compile_graph
from neurocanvas.engine.graph import chain
from neurocanvas.engine.summary import summarize

keras = ko.keras
L = keras.layers
CF = {"data_format": "channels_first"}
GEN = torch.Generator().manual_seed(0)
FRAMES = (5, 3, 16, 16)  # time steps, channels, height, width


def _ids(graph):
    return {n.type: n.id for n in graph.nodes.values()}


def test_cnn_over_frames_then_lstm_matches_keras():
    graph = chain(
        ("Input", {"shape": list(FRAMES)}),
        ("TimeDistributedConv2d", {"out_channels": 4, "kernel_size": 3, "activation": "relu"}),
        ("TimeDistributedMaxPool2d", {}),
        ("TimeDistributedFlatten", {}),
        ("LSTM", {"hidden_size": 6}),
        ("Dense", {"units": 2}),
    )
    ids = _ids(graph)
    inputs = keras.Input(FRAMES)
    conv = L.Conv2D(4, 3, activation="relu", **CF)
    x = L.TimeDistributed(conv, name="frames_conv")(inputs)
    x = L.TimeDistributed(L.MaxPooling2D(2, **CF))(x)
    x = L.TimeDistributed(L.Flatten())(x)
    x = L.LSTM(6, name="lstm")(x)
    keras_model = keras.Model(inputs, L.Dense(2, name="dense")(x))
    assert ko.ours(summarize(graph)) == ko.counts(keras_model)
    assert analyze(graph).shape_of(ids["TimeDistributedFlatten"]) == (5, 4 * 7 * 7)

    model = compile_graph(graph, seed=0).eval()
    conv.set_weights(ko.keras_weights(model.get_submodule(ids["TimeDistributedConv2d"]), "Conv2d"))
    keras_model.get_layer("lstm").set_weights(
        ko.keras_weights(model.get_submodule(ids["LSTM"]), "LSTM")
    )
    keras_model.get_layer("dense").set_weights(
        ko.keras_weights(model.get_submodule(ids["Dense"]), "Dense")
    )
    x = torch.randn(3, *FRAMES, generator=GEN)
    assert ko.max_difference(model, keras_model, [x]) < 1e-5


def test_each_step_is_the_wrapped_layer_on_that_step():
    graph = chain(("Input", {"shape": [4, 2, 10]}), ("TimeDistributedConv1d", {"out_channels": 3}))
    model = compile_graph(graph, seed=0).eval()
    conv = next(m for m in model.modules() if isinstance(m, torch.nn.Conv1d))
    x = torch.randn(2, 4, 2, 10, generator=GEN)
    with torch.no_grad():
        expected = torch.stack([conv(x[:, t]) for t in range(4)], dim=1)
        torch.testing.assert_close(model(x), expected)


def test_dense_already_acts_per_step_like_keras_time_distributed_dense():
    graph = chain(("Input", {"shape": [5, 8]}), ("Dense", {"units": 3}))
    inputs = keras.Input((5, 8))
    dense = L.Dense(3)
    keras_model = keras.Model(inputs, L.TimeDistributed(dense)(inputs))
    model = compile_graph(graph, seed=0).eval()
    dense.set_weights(ko.keras_weights(model.get_submodule(_ids(graph)["Dense"]), "Dense"))
    x = torch.randn(2, 5, 8, generator=GEN)
    assert ko.max_difference(model, keras_model, [x]) < 1e-5
    assert ko.ours(summarize(graph)) == ko.counts(keras_model)


def test_an_input_without_a_time_axis_is_named():
    graph = chain(("Input", {"shape": [3, 16, 16]}), ("TimeDistributedConv2d", {}))
    (issue,) = analyze(graph).errors
    assert "(time steps, channels, height, width)" in issue.message
    assert "receives (3, 16, 16)" in issue.message.replace("[", "(").replace("]", ")")


def test_the_keras_name_finds_every_twin_and_a_file_must_choose():
    owners = registry.type_candidates("TimeDistributed")
    assert {"TimeDistributedConv2d", "TimeDistributedFlatten"} <= set(owners)
    with pytest.raises(KeyError, match="TimeDistributedConv1d or TimeDistributedConv2d"):
        registry.resolve_type("TimeDistributed")
