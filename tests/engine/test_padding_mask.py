"""Padding masked: an Embedding with mask_zero keeps the padding id's vector at zero, and a
recurrent layer with skip_padding stops at each sequence's last real step. Checked against the
same nn.LSTM/nn.GRU run by hand on each sequence cut to its real length, and against Keras 3
(Embedding -> Masking -> LSTM) with the weights copied."""

from __future__ import annotations

import keras_oracle as ko
import pytest
import torch
from neurocanvas.engine.compiler import compile_graph
from neurocanvas.engine.graph import chain
from neurocanvas.engine.summary import summarize

LENGTHS = [7, 3, 5, 1]  # real tokens of each sequence, then padding (id 0) to 7


def _ids(vocab: int = 50) -> torch.Tensor:
    generator = torch.Generator().manual_seed(0)
    ids = torch.zeros(len(LENGTHS), 7, dtype=torch.int64)
    for row, length in enumerate(LENGTHS):
        ids[row, :length] = torch.randint(1, vocab, (length,), generator=generator)
    return ids


def _text_model(kind: str, **rnn):
    graph = chain(
        ("Input", {"shape": [7], "dtype": "int64"}),
        ("Embedding", {"num_embeddings": 50, "embedding_dim": 6, "mask_zero": True}),
        (kind, {"hidden_size": 5, "skip_padding": True, **rnn}),
    )
    return graph, compile_graph(graph, seed=0)


def test_the_padding_vector_is_zero_and_learns_nothing():
    graph, model = _text_model("LSTM")
    table = next(m for m in model.modules() if isinstance(m, torch.nn.Embedding))
    assert table.padding_idx == 0 and table.weight[0].abs().sum() == 0
    model(_ids()).sum().backward()
    assert table.weight.grad[0].abs().sum() == 0 and table.weight.grad[1:].abs().sum() > 0
    assert summarize(graph).rows[1].params == 50 * 6  # the padding row still counts, as in Keras


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "SimpleRNN"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_the_last_state_is_the_last_real_steps(kind, bidirectional):
    graph, model = _text_model(kind, bidirectional=bidirectional)
    ids = _ids()
    out = model(ids)
    table = next(m for m in model.modules() if isinstance(m, torch.nn.Embedding))
    rnn = next(m for m in model.modules() if isinstance(m, torch.nn.RNNBase))
    for row, length in enumerate(LENGTHS):  # by hand: each sequence alone, without its padding
        _, hidden = rnn(table(ids[row : row + 1, :length]))
        hidden = hidden[0] if isinstance(hidden, tuple) else hidden
        expected = torch.cat(list(hidden[-(2 if bidirectional else 1) :]), dim=-1)[0]
        torch.testing.assert_close(out[row], expected, rtol=1e-5, atol=1e-6)


def test_return_sequences_gives_zero_outputs_after_each_end():
    _, model = _text_model("LSTM", return_sequences=True)
    out = model(_ids())
    for row, length in enumerate(LENGTHS):
        assert out[row, length:].abs().sum() == 0 and out[row, length - 1].abs().sum() > 0


def test_without_skip_padding_the_padding_is_read():
    _, masked = _text_model("LSTM")
    graph = chain(
        ("Input", {"shape": [7], "dtype": "int64"}),
        ("Embedding", {"num_embeddings": 50, "embedding_dim": 6, "mask_zero": True}),
        ("LSTM", {"hidden_size": 5}),
    )
    plain = compile_graph(graph, seed=0)
    plain.load_state_dict(masked.state_dict())
    ids = _ids()
    torch.testing.assert_close(plain(ids)[0], masked(ids)[0])  # the full-length one: the same
    assert not torch.allclose(plain(ids)[1], masked(ids)[1])  # a padded one: it reads zeros


def test_reset_before_gru_refuses_skip_padding_on_the_node():
    from neurocanvas.engine.analysis import Analyzer

    graph = chain(
        ("Input", {"shape": [7, 3]}), ("GRU", {"reset_after": False, "skip_padding": True})
    )
    issues = Analyzer().analyze(graph).issues
    (issue,) = issues
    assert issue.node_id == "gru_1" and "skip_padding needs reset_after=true" in issue.message


def test_embedding_masking_lstm_matches_keras():
    keras, layers = ko.keras, ko.keras.layers
    graph, model = _text_model("LSTM", bidirectional=True)
    ids = {n.type: n.id for n in graph.nodes.values()}
    inputs = keras.Input((7,), dtype="int64")
    x = layers.Embedding(50, 6, name=ids["Embedding"])(inputs)
    x = layers.Masking(0.0)(x)
    x = layers.Bidirectional(layers.LSTM(5), name=ids["LSTM"])(x)
    keras_model = keras.Model(inputs, x)
    ko.copy_weights(model, keras_model, {ids["Embedding"]: "Embedding", ids["LSTM"]: "LSTM"})
    assert ko.max_difference(model, keras_model, [_ids()]) < 1e-5
