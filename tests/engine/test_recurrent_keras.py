"""Recurrent layers against Keras 3: the same counts and, after copying weights, the same outputs.

Keras keeps one bias per gate (LSTM, SimpleRNN), PyTorch two; `bias: "keras"` (the default) counts
like Keras, `bias: "pytorch"` like PyTorch, and both compute what the Keras layer computes once the
two PyTorch biases are summed into Keras' one. GRU's `reset_after` picks between Keras' two forms.
"""

import keras_oracle as ko
import pytest
import torch
from neurocanvas.engine import project
from neurocanvas.engine.compiler import compile_graph
from neurocanvas.engine.graph import chain
from neurocanvas.engine.summary import format_table, summarize
from torch import nn

keras = ko.keras
STEPS, FEATURES, UNITS = 5, 3, 4


def _ours(kind: str, params: dict):
    graph = chain(("Input", {"shape": [STEPS, FEATURES]}), (kind, {"hidden_size": UNITS} | params))
    return graph, compile_graph(graph, seed=0)


def _keras_layer(kind: str, params: dict, name: str):
    options = {"return_sequences": params.get("return_sequences", False)}
    if kind == "GRU":
        options["reset_after"] = params.get("reset_after", True)
    layer = getattr(keras.layers, kind)(UNITS, **options)
    if params.get("bidirectional"):
        return keras.layers.Bidirectional(layer, name=name)
    layer.name = name
    return layer


CASES = [
    ("LSTM", {}),
    ("LSTM", {"bias": "pytorch"}),
    ("LSTM", {"bidirectional": True, "return_sequences": True}),
    ("SimpleRNN", {}),
    ("SimpleRNN", {"bias": "pytorch", "return_sequences": True}),
    ("GRU", {}),
    ("GRU", {"reset_after": False}),
    ("GRU", {"reset_after": False, "bidirectional": True}),
]


@pytest.mark.parametrize("kind,params", CASES, ids=lambda c: str(c))
def test_recurrent_matches_keras_after_copying_weights(kind, params):
    graph, model = _ours(kind, params)
    node = next(n for n in graph.nodes if graph.nodes[n].type == kind)
    inputs = keras.Input((STEPS, FEATURES))
    keras_model = keras.Model(inputs, _keras_layer(kind, params, node)(inputs))
    ko.copy_weights(model, keras_model, {node: kind})
    x = torch.randn(7, STEPS, FEATURES, generator=torch.Generator().manual_seed(1))
    assert ko.max_difference(model, keras_model, [x]) < 1e-5
    keras_total = ko.counts(keras_model)[0]
    total = summarize(graph).total_params
    if params.get("bias") == "pytorch":  # one extra bias vector per gate and direction
        gates = {"LSTM": 4, "SimpleRNN": 1}[kind]
        directions = 2 if params.get("bidirectional") else 1
        assert total == keras_total + gates * UNITS * directions
    else:
        assert total == keras_total


def test_lstm_classifier_counts_like_keras_and_like_pytorch():
    """The issue's figures: Keras' LSTM(64) on 28 features holds 23,808, PyTorch's 24,064."""
    for bias, expected in (("keras", 23_808), ("pytorch", 24_064)):
        graph = chain(("Input", {"shape": [28, 28]}), ("LSTM", {"bias": bias}))
        assert summarize(graph).rows[-1].params == expected
    torch_lstm = nn.LSTM(28, 64)  # the hand-written PyTorch reference for the second figure
    assert sum(p.numel() for p in torch_lstm.parameters()) == 24_064


def test_keras_bias_is_no_parameter_and_not_saved():
    _, model = _ours("LSTM", {})
    names = [name for name, _ in model.named_parameters()]
    assert not any("bias_hh" in name for name in names)
    assert not any("bias_hh" in key for key in model.state_dict())
    _, torch_form = _ours("LSTM", {"bias": "pytorch"})
    assert any("bias_hh" in key for key in torch_form.state_dict())


def test_keras_bias_stays_zero_while_training():
    _, model = _ours("LSTM", {})
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    for _ in range(3):
        optimizer.zero_grad()
        model(torch.randn(4, STEPS, FEATURES)).square().sum().backward()
        optimizer.step()
    rnn = next(m for m in model.modules() if isinstance(m, nn.LSTM))
    assert torch.count_nonzero(rnn.bias_hh_l0) == 0
    assert rnn.bias_ih_l0.grad is not None


def test_summary_says_which_bias_convention_it_counts():
    graph, _ = _ours("LSTM", {})
    assert "one bias per gate" in format_table(summarize(graph))
    graph, _ = _ours("LSTM", {"bias": "pytorch"})
    assert "two biases per gate" in format_table(summarize(graph))


def test_version_1_files_keep_pytorch_biases():
    """A file from before the choice existed built PyTorch's LSTM; it must load as that."""
    data = {
        "format": "neurocanvas",
        "version": 1,
        "graph": {
            "nodes": [
                {"id": "input", "type": "Input", "params": {"shape": [STEPS, FEATURES]}},
                {"id": "lstm", "type": "LSTM", "params": {"hidden_size": UNITS}},
            ],
            "edges": [{"from": ["input", 0], "to": ["lstm", 0]}],
        },
    }
    loaded = project.from_dict(data)
    assert loaded.graph.nodes["lstm"].params["bias"] == "pytorch"
    new = project.from_dict(data | {"version": 2})  # after the choice: keras by default
    assert new.graph.nodes["lstm"].params["bias"] == "keras"  # the default for new files


def test_reset_before_gru_matches_a_hand_written_step():
    """One step of Keras' reset_after=False GRU, written out from its equations."""
    graph, model = _ours("GRU", {"reset_after": False, "return_sequences": True})
    gru = model.get_submodule(next(n for n in graph.nodes if graph.nodes[n].type == "GRU")).rnn
    x = torch.randn(2, STEPS, FEATURES)
    w_r, w_z, w_n = gru.weight_ih_l0.chunk(3)
    u_r, u_z, u_n = gru.weight_hh_l0.chunk(3)
    b_r, b_z, b_n = gru.bias_l0.chunk(3)
    h = torch.zeros(2, UNITS)
    for t in range(STEPS):
        r = torch.sigmoid(x[:, t] @ w_r.t() + h @ u_r.t() + b_r)
        z = torch.sigmoid(x[:, t] @ w_z.t() + h @ u_z.t() + b_z)
        n = torch.tanh(x[:, t] @ w_n.t() + (r * h) @ u_n.t() + b_n)
        h = (1 - z) * n + z * h
    with torch.no_grad():
        assert torch.allclose(model(x)[:, -1], h, atol=1e-6)
