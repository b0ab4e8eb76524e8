"""TransformerEncoder against torch.nn.TransformerEncoderLayer and a Keras 3 composition of
MultiHeadAttention, LayerNormalization and Dense (keras_hub's TransformerEncoder, written out),
weights copied, in both norm placements."""

import keras_oracle as ko
import pytest
import torch
from neurocanvas.engine.analysis import analyze
from neurocanvas.engine.compiler import compile_graph
from neurocanvas.engine.graph import chain
from neurocanvas.engine.summary import summarize

keras = ko.keras
L = keras.layers
GEN = torch.Generator().manual_seed(0)
STEPS, WIDTH = 7, 12


def _graph(**params):
    return chain(("Input", {"shape": [STEPS, WIDTH]}), ("TransformerEncoder", params))


def _block(graph):
    model = compile_graph(graph, seed=0).eval()
    (name,) = [n.id for n in graph.nodes.values() if n.type == "TransformerEncoder"]
    return model, model.get_submodule(name)


def _torch_layer(block, norm_first, activation):
    reference = torch.nn.TransformerEncoderLayer(
        WIDTH,
        block.num_heads,
        block.feedforward,
        dropout=0.1,
        activation=activation,
        batch_first=True,
        norm_first=norm_first,
    ).eval()
    attention = block.attention
    with torch.no_grad():
        mha = reference.self_attn
        q, k, v = attention.query, attention.key, attention.value
        mha.in_proj_weight.copy_(torch.cat([q.weight, k.weight, v.weight]))
        mha.in_proj_bias.copy_(torch.cat([q.bias, k.bias, v.bias]))
        mha.out_proj.load_state_dict(attention.output.state_dict())
        for name in ("norm1", "norm2"):
            getattr(reference, name).load_state_dict(getattr(block, name).state_dict())
        reference.linear1.load_state_dict(block.ff1.state_dict())
        reference.linear2.load_state_dict(block.ff2.state_dict())
    return reference


@pytest.mark.parametrize("norm_first", [False, True], ids=["post-norm", "pre-norm"])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_equals_torch_transformer_encoder_layer(norm_first, activation):
    graph = _graph(num_heads=3, feedforward=20, norm_first=norm_first, activation=activation)
    model, block = _block(graph)
    reference = _torch_layer(block, norm_first, activation)
    x = torch.randn(4, STEPS, WIDTH, generator=GEN)
    with torch.no_grad():
        torch.testing.assert_close(model(x), reference(x), atol=1e-5, rtol=1e-5)
    assert summarize(graph).total_params == sum(p.numel() for p in reference.parameters())
    assert analyze(graph).shape_of(block_name(graph)) == (STEPS, WIDTH)


def block_name(graph):
    return next(n.id for n in graph.nodes.values() if n.type == "TransformerEncoder")


@pytest.mark.parametrize("norm_first", [False, True], ids=["post-norm", "pre-norm"])
def test_equals_keras_composition(norm_first):
    graph = _graph(num_heads=2, norm_first=norm_first, activation="gelu")
    model, block = _block(graph)
    assert block.feedforward == 4 * WIDTH  # 0 = four times the width
    inputs = keras.Input((STEPS, WIDTH))
    outputs = ko.encoder(inputs, "block", 2, block.feedforward, "gelu", norm_first)
    keras_model = keras.Model(inputs, outputs)
    ko.copy_encoder(block, keras_model, "block")
    x = torch.randn(3, STEPS, WIDTH, generator=GEN)
    assert ko.max_difference(model, keras_model, [x]) < 1e-5
    # 4 x (12 x 12 + 12) attention + 2 x 24 norms + (12 x 48 + 48) + (48 x 12 + 12)
    assert ko.ours(summarize(graph)) == ko.counts(keras_model) == (1_884, 1_884, 0)


def test_dropout_acts_only_in_training():
    graph = _graph(dropout=0.5)
    model, _ = _block(graph)
    x = torch.randn(2, STEPS, WIDTH, generator=GEN)
    with torch.no_grad():
        torch.testing.assert_close(model(x), model(x))
        model.train()
        assert not torch.allclose(model(x), model(x))


def test_heads_that_do_not_divide_the_width_are_named():
    analysis = analyze(_graph(num_heads=5))
    (issue,) = [i for i in analysis.errors]
    assert "5 heads do not divide the 12 features" in issue.message
