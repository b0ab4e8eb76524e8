"""MultiHeadAttention against Keras 3's layer (weights copied) and torch.nn.MultiheadAttention."""

import keras_oracle as ko
import pytest
import torch
from neurocanvas.engine.analysis import analyze
from neurocanvas.engine.compiler import compile_graph
from neurocanvas.engine.graph import Graph
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


def _keras_weights(module, heads, key_dim):
    def dense(linear, split_out):
        w = linear.weight.detach().t()
        shape = (w.shape[0], heads, key_dim) if split_out else (heads, key_dim, w.shape[1])
        bias = linear.bias.detach().reshape(heads, key_dim) if split_out else linear.bias.detach()
        return [w.reshape(shape).numpy(), bias.numpy()]

    parts = [dense(module.query, True), dense(module.key, True), dense(module.value, True)]
    return [w for part in parts for w in part] + dense(module.output, False)


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
    layer.set_weights(_keras_weights(module, params["num_heads"], module.key_dim))
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
