"""MultiHeadAttention against Keras 3's layer (weights copied) and torch.nn.MultiheadAttention."""

import math

import keras_oracle as ko
import pytest
import torch
from neurocanvas.engine.analysis import analyze
from neurocanvas.engine.compiler import compile_graph
from neurocanvas.engine.graph import Graph, chain
from neurocanvas.engine.summary import summarize

keras = ko.keras
GEN = torch.Generator().manual_seed(0)


def _graph(shapes, params):
    graph = Graph()
    graph.add_node("MultiHeadAttention", {"inputs": len(shapes)} | params, node_id="mha")
    for port, shape in enumerate(shapes):
        graph.add_node("Input", {"shape": list(shape)}, node_id=f"in{port}")
        graph.connect((f"in{port}", 0), ("mha", port))
    return graph


@pytest.mark.parametrize(
    "shapes,params",
    [
        ([(5, 8)], {"num_heads": 2}),
        ([(5, 8)], {"num_heads": 2, "causal": True}),
        ([(4, 8), (6, 3)], {"num_heads": 3, "key_dim": 5}),
        ([(4, 8), (6, 3), (6, 7)], {"num_heads": 2, "key_dim": 4}),
    ],
    ids=["self", "causal", "query-value", "query-key-value"],
)
def test_multi_head_attention_equals_keras(shapes, params):
    graph = _graph(shapes, params)
    model = compile_graph(graph, seed=0).eval()
    module = model.get_submodule("mha")
    layer = keras.layers.MultiHeadAttention(params["num_heads"], module.key_dim)
    inputs = [keras.Input(shape) for shape in shapes]
    query, value = inputs[0], inputs[-1]  # one input: Keras' self-attention, query as value
    key = inputs[1] if len(inputs) == 3 else None
    out = layer(query, value, key=key, use_causal_mask=params.get("causal", False))
    keras_model = keras.Model(inputs if len(inputs) > 1 else query, out)
    layer.set_weights(ko.attention_weights(module, params["num_heads"], module.key_dim))
    xs = [torch.randn(2, *shape, generator=GEN) for shape in shapes]
    assert ko.max_difference(model, keras_model, xs) < 1e-5
    assert ko.ours(summarize(graph)) == ko.counts(keras_model)
    assert analyze(graph).shape_of("mha") == (shapes[0][0], shapes[0][1])


def test_self_attention_counts_like_torch_multihead_attention():
    graph = _graph([(5, 8)], {"num_heads": 2})
    reference = torch.nn.MultiheadAttention(8, 2, batch_first=True)
    assert summarize(graph).total_params == sum(p.numel() for p in reference.parameters())


def test_causal_mask_hides_later_steps():
    graph = _graph([(5, 8)], {"num_heads": 2, "causal": True})
    model = compile_graph(graph, seed=0).eval()
    x = torch.randn(1, 5, 8)
    changed = x.clone()
    changed[:, 3:] += 10  # later steps change; earlier outputs must not
    with torch.no_grad():
        torch.testing.assert_close(model(x)[:, :3], model(changed)[:, :3])


def test_sinusoidal_positions_follow_vaswani():
    graph = chain(("Input", {"shape": [6, 4]}), ("PositionalEmbedding", {"kind": "sinusoidal"}))
    model = compile_graph(graph, seed=0)
    assert summarize(graph).total_params == 0 and not list(model.parameters())
    table = model(torch.zeros(1, 6, 4))[0]
    for pos in range(6):
        for i in range(2):
            angle = pos / 10000 ** (2 * i / 4)
            assert table[pos, 2 * i].item() == pytest.approx(math.sin(angle), abs=1e-6)
            assert table[pos, 2 * i + 1].item() == pytest.approx(math.cos(angle), abs=1e-6)


def test_small_transformer_text_classifier_matches_keras():
    """Token ids -> Embedding -> positions -> self-attention + residual + LayerNorm -> Dense
    feed-forward + residual + LayerNorm -> average over steps -> Dense(2)."""
    steps, width = 10, 8
    layers = [
        ("input", "Input", {"shape": [steps], "dtype": "int64"}),
        ("tokens", "Embedding", {"num_embeddings": 50, "embedding_dim": width}),
        ("positions", "PositionalEmbedding", {}),
        ("attention", "MultiHeadAttention", {"num_heads": 2}),
        ("add1", "Add", {}),
        ("norm1", "LayerNorm", {}),
        ("ff1", "Dense", {"units": 16, "activation": "relu"}),
        ("ff2", "Dense", {"units": width}),
        ("add2", "Add", {}),
        ("norm2", "LayerNorm", {}),
        ("steps_last", "Permute", {"dims": [2, 1]}),
        ("pool", "GlobalAvgPool1d", {}),
        ("output", "Dense", {"units": 2}),
    ]
    graph = Graph()
    for node_id, kind, params in layers:
        graph.add_node(kind, params, node_id=node_id)
    chain_ids = [layer[0] for layer in layers]
    edges = list(zip(chain_ids, chain_ids[1:]))
    edges.insert(edges.index(("add1", "norm1")), ("positions", "add1"))
    edges.insert(edges.index(("add2", "norm2")), ("norm1", "add2"))
    ports: dict[str, int] = {}
    for src, dst in edges:
        graph.connect((src, 0), (dst, ports.setdefault(dst, 0)))
        ports[dst] += 1
    model = compile_graph(graph, seed=0).eval()

    L = keras.layers
    inputs = keras.Input((steps,), dtype="int64")
    x = ko.Positions(name="positions")(L.Embedding(50, width, name="tokens")(inputs))
    attention = L.MultiHeadAttention(2, width // 2, name="attention")
    y = L.LayerNormalization(epsilon=1e-5, name="norm1")(L.Add()([attention(x, x), x]))
    z = L.Dense(width, name="ff2")(L.Dense(16, activation="relu", name="ff1")(y))
    z = L.LayerNormalization(epsilon=1e-5, name="norm2")(L.Add()([z, y]))
    z = L.GlobalAveragePooling1D()(z)  # channels last: over the steps
    keras_model = keras.Model(inputs, L.Dense(2, name="output")(z))

    ko.copy_weights(
        model,
        keras_model,
        {"tokens": "Embedding", "ff1": "Dense", "ff2": "Dense", "output": "Dense"},
    )
    keras_model.get_layer("positions").set_weights([ko._np(model.positions.weight)])
    attention.set_weights(ko.attention_weights(model.attention, 2, width // 2))
    for name in ("norm1", "norm2"):
        norm = model.get_submodule(name)
        keras_model.get_layer(name).set_weights([ko._np(norm.weight), ko._np(norm.bias)])
    tokens = torch.randint(0, 50, (3, steps), generator=GEN)
    assert ko.max_difference(model, keras_model, [tokens]) < 1e-5
    assert ko.ours(summarize(graph)) == ko.counts(keras_model)
