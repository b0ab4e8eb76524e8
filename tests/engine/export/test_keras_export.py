"""Keras 3 code export: model_keras.py + converted weights, imported under Keras (torch backend)
and compared with PyTorch; every template and every layer type that maps, and a named refusal for
the ones that do not."""

from __future__ import annotations

import os
import subprocess
import sys

import keras_oracle as ko
import pytest
import torch
from neurocanvas.engine import project, registry
from neurocanvas.engine.compiler import compile_graph
from neurocanvas.engine.export import ExportError, export, load_source
from neurocanvas.engine.export.code import load_generated_module
from neurocanvas.engine.export.keras_export import keras_code
from neurocanvas.engine.export.keras_layers import CONVERTERS
from neurocanvas.engine.graph import chain
from neurocanvas.engine.training.adapt import adapt_normalizations

from .conftest import TEMPLATES, source_for
from .test_every_layer_exports import small_graph

GEN = torch.Generator().manual_seed(1)


def _fresh_inputs(source, batch=4):
    """Inputs of the model's shapes, other than the exporter's own check uses."""
    tensors = []
    for name in source.input_names:
        shape = (batch, *source.input_shapes[name])
        if source.input_dtypes[name] == torch.int64:
            tensors.append(torch.randint(0, 50, shape, generator=GEN))
        else:
            tensors.append(torch.randn(shape, generator=GEN))
    return tensors


def _exported_difference(source, folder) -> float:
    """Export, then load the written script on its own and compare on fresh inputs."""
    result = export(source, "keras", folder)
    assert result.max_abs_diff < 1e-5
    module = load_generated_module(folder / "model_keras.py", "keras_export_under_test")
    keras_model = module.load_model(str(folder / "model_keras.weights.npz"))
    return ko.max_difference(source.model, keras_model, _fresh_inputs(source))


# Templates with a layer Keras cannot express, and the refusal that names it: torchvision's
# ResNet max pool pads with -inf on both sides, Keras' "same" pads one side only.
# Keras has no RBM layer (its features are a sigmoid Dense, but the export says so by name).
KERAS_REFUSED = {
    "resnet18": "maxpool: padding 1 is not Keras' 'same'",
    "rbm-features-mnist": "rbm: RBM has no Keras equivalent",
}


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_template_exports_to_keras(name, tmp_path):
    source = source_for(name)
    if name in KERAS_REFUSED:
        with pytest.raises(ExportError, match=KERAS_REFUSED[name]):
            export(source, "keras", tmp_path)
        return
    ko.randomise_statistics(source.model)  # BatchNorm's moving statistics must convert too
    assert _exported_difference(source, tmp_path) < 1e-5


def _cases():
    for spec in registry.all_specs():
        if not spec.is_source:
            yield pytest.param(spec, id=spec.name)


@pytest.mark.slow
@pytest.mark.parametrize("spec", _cases())
def test_every_layer_exports_to_keras_or_is_refused_by_name(spec, tmp_path):
    source = load_source(project.Project(spec.name, graph=small_graph(spec)), seed=0)
    if spec.name in CONVERTERS:
        assert _exported_difference(source, tmp_path) < 1e-5
        return
    with pytest.raises(ExportError, match=f"layer: {spec.name} has no Keras equivalent") as caught:
        export(source, "keras", tmp_path)
    assert caught.value.node == "layer"


OPTIONS = {
    "conv-explicit-pad-leaky": (
        [3, 10, 10],
        [("Conv2d", {"padding": "explicit", "pad": [2, 1], "activation": "leaky_relu"})],
    ),
    "conv-stride2-same-dilated": (
        [3, 11, 11],
        [("Conv2d", {"padding": "same", "stride": 2, "kernel_size": [3, 5]})],
    ),
    "conv1d-causal-groups": (
        [4, 12],
        [("Conv1d", {"padding": "causal", "groups": 2, "out_channels": 6, "dilation": 2})],
    ),
    "pool-same-avg": ([3, 9, 9], [("AvgPool2d", {"kernel_size": 3, "keras_padding": "same"})]),
    "channel-softmax": ([3, 4, 4], [("Conv2d", {"out_channels": 5}), ("Softmax", {"axis": 0})]),
    "layer-norm-3-axes": ([3, 4, 4], [("LayerNorm", {"axes": 3})]),
    "bn-no-affine": ([3, 4, 4], [("BatchNorm2d", {"affine": False, "momentum": 0.01})]),
    "stacked-bigru-sequences": (
        [6, 5],
        [("GRU", {"hidden_size": 4, "num_layers": 2, "bidirectional": True})],
    ),
    "lstm-pytorch-bias-sequences": (
        [6, 5],
        [("LSTM", {"hidden_size": 4, "bias": "pytorch", "return_sequences": True})],
    ),
    "simple-rnn-relu": ([6, 5], [("SimpleRNN", {"hidden_size": 3, "nonlinearity": "relu"})]),
    "causal-attention-sinusoidal": (
        [6, 8],
        [
            ("PositionalEmbedding", {"kind": "sinusoidal"}),
            ("MultiHeadAttention", {"num_heads": 2, "causal": True}),
        ],
    ),
    "pre-norm-gelu-encoder": (
        [6, 8],
        [("TransformerEncoder", {"norm_first": True, "activation": "gelu", "feedforward": 12})],
    ),
    "frames-cnn-lstm": (
        [4, 3, 8, 8],
        [
            ("TimeDistributedConv2d", {"out_channels": 4, "activation": "relu"}),
            ("TimeDistributedGlobalAvgPool2d", {}),
            ("LSTM", {"hidden_size": 5}),
        ],
    ),
    "separable-same": (
        [3, 8, 8],
        [("SeparableConv2d", {"padding": "same", "depth_multiplier": 2})],
    ),
}


@pytest.mark.parametrize("name", OPTIONS)
def test_layer_options_convert_exactly(name, tmp_path):
    shape, layers = OPTIONS[name]
    graph = chain(("Input", {"shape": shape}), *layers, ("Flatten", {}), ("Dense", {"units": 3}))
    source = load_source(project.Project(name, graph=graph), seed=0)
    ko.randomise_statistics(source.model)
    with torch.no_grad():  # unlike their initial values (PReLU's 0.25, norms' 1 and 0), every
        for parameter in source.model.parameters():  # weight then tells where it went
            parameter.add_(torch.randn(parameter.shape, generator=GEN) * 0.1)
    assert _exported_difference(source, tmp_path) < 1e-5


def test_adapted_normalization_travels(tmp_path):
    graph = chain(("Input", {"shape": [3, 5, 5]}), ("Normalization", {"axis": "first"}))
    source = load_source(project.Project("norm", graph=graph), seed=0)
    adapt_normalizations(source.model, torch.rand(50, 3, 5, 5) * 10 + 2, torch.device("cpu"))
    assert _exported_difference(source, tmp_path) < 1e-5


def test_the_script_reads_like_keras_code():
    code, weights = keras_code(load_source("seed-cnn", seed=0))
    assert (
        "conv1 = layers.Conv2D(16, 5, padding='valid', data_format='channels_first', "
        "activation='relu', name='conv1')(input)"
    ) in code
    assert "flatten = layers.Flatten(data_format='channels_last', name='flatten')(pool1)" in code
    assert weights["conv1/0"].shape == (5, 5, 1, 16)  # Keras' (kh, kw, in, out)
    assert "neurocanvas" not in code.split('"""', 2)[2].replace('name="neurocanvas"', "")


def test_a_setting_keras_cannot_express_is_named(tmp_path):
    graph = chain(("Input", {"shape": [3, 8, 8]}), ("Conv2d", {"padding_mode": "reflect"}))
    source = load_source(project.Project("reflect", graph=graph), seed=0)
    with pytest.raises(ExportError, match="conv2d_1: Keras pads convolutions with zeros only"):
        export(source, "keras", tmp_path)
    assert not (tmp_path / "model_keras.py").exists()


@pytest.mark.slow
def test_cli_writes_a_script_that_runs_on_its_own(tmp_path, capsys):
    from neurocanvas.engine import cli

    out = tmp_path / "keras"
    assert cli.main(["export", "lstm-classifier", "--format", "keras", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(f"keras: {out}") and "max abs difference" in printed
    assert sorted(p.name for p in out.iterdir()) == ["model_keras.py", "model_keras.weights.npz"]
    env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    done = subprocess.run(
        [sys.executable, "model_keras.py"],
        cwd=out,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    expected = sum(
        p.numel() for p in compile_graph(load_source("lstm-classifier").project.graph).parameters()
    )
    assert f"{expected:,}" in done.stdout  # Keras' summary: the same count


def test_spatial_dropout_1d_becomes_a_dropout_that_drops_the_same_whole_rows():
    """Ours (torch's Dropout1d on (channels, length)) zeroes whole rows; the exported Keras layer
    must too, in training, where the two would otherwise differ."""
    layer = ko.keras.layers.Dropout(0.5, noise_shape=(None, None, 1))
    x = ko.keras.ops.ones((4, 16, 8))
    kept = ko._np(layer(x, training=True)) != 0
    assert (kept == kept[:, :, :1]).all()  # each row all kept or all dropped
    assert 0 < kept[:, :, 0].mean() < 1
    ours = torch.nn.Dropout1d(0.5).train()(torch.ones(4, 16, 8)) != 0
    assert (ours == ours[:, :, :1]).all()
