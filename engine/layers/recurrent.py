"""Recurrent layers: SimpleRNN, LSTM, GRU over (time, features) sequences, batch first."""

from __future__ import annotations

import torch
from torch import nn

from ..registry import LayerSpec, ParamSpec, register


class Recurrent(nn.Module):
    """Wraps nn.RNN/LSTM/GRU (batch_first) and returns either every step's output (N, T, H*D) or the
    final hidden state of the last layer (N, H*D), both directions joined when bidirectional."""

    def __init__(self, rnn: nn.RNNBase, return_sequences: bool):
        super().__init__()
        self.rnn = rnn
        self.return_sequences = return_sequences

    def forward(self, x):
        outputs, hidden = self.rnn(x)
        if self.return_sequences:
            return outputs
        if isinstance(hidden, tuple):  # LSTM returns (h_n, c_n)
            hidden = hidden[0]
        directions = 2 if self.rnn.bidirectional else 1
        last_layer = hidden[-directions:]  # (D, N, H)
        return torch.cat(list(last_layer), dim=-1)

    def extra_repr(self) -> str:
        return f"return_sequences={self.return_sequences}"


def _rnn_params(extra=()):
    return (
        ParamSpec("hidden_size", "int", 64, "Units: size of the hidden state", min=1, max=65_536),
        ParamSpec("num_layers", "int", 1, "Recurrent layers stacked on each other", min=1, max=16),
        ParamSpec("bidirectional", "bool", False, "Also read the sequence backwards and join both"),
        ParamSpec(
            "return_sequences",
            "bool",
            False,
            "Output every time step (for stacking another RNN) instead of only the last step",
        ),
        ParamSpec(
            "dropout",
            "float",
            0.0,
            "Dropout between stacked layers (needs num_layers > 1)",
            min=0.0,
            max=0.99,
        ),
        *extra,
    )


def _rnn_builder(rnn_cls, **fixed):
    def build(p, input_shapes):
        (shape,) = input_shapes
        extra = {"nonlinearity": p.nonlinearity} if hasattr(p, "nonlinearity") else {}
        rnn = rnn_cls(
            shape[-1],
            p.hidden_size,
            num_layers=p.num_layers,
            batch_first=True,
            bidirectional=p.bidirectional,
            dropout=p.dropout if p.num_layers > 1 else 0.0,
            **extra,
            **fixed,
        )
        return Recurrent(rnn, p.return_sequences)

    return build


def _label(p) -> str:
    parts = [str(p.hidden_size)]
    if p.num_layers > 1:
        parts.append(f"x{p.num_layers}")
    if p.bidirectional:
        parts.append("bi")
    parts.append("seq" if p.return_sequences else "last")
    return " ".join(parts)


_HINT = "(time steps, features)"

register(
    LayerSpec(
        name="SimpleRNN",
        aliases=("RNN",),
        category="Recurrent",
        build=_rnn_builder(nn.RNN),
        input_rank=(2,),
        rank_hint=_HINT,
        label=_label,
        help="Plain recurrent layer (Elman RNN) over a (time, features) sequence",
        params=_rnn_params(
            (
                ParamSpec(
                    "nonlinearity",
                    "choice",
                    "tanh",
                    "Activation of the hidden state",
                    choices=("tanh", "relu"),
                ),
            )
        ),
    ),
    LayerSpec(
        name="LSTM",
        category="Recurrent",
        build=_rnn_builder(nn.LSTM),
        input_rank=(2,),
        rank_hint=_HINT,
        label=_label,
        params=_rnn_params(),
        help="Long short-term memory: a recurrent layer that keeps long-range information",
    ),
    LayerSpec(
        name="GRU",
        category="Recurrent",
        build=_rnn_builder(nn.GRU),
        input_rank=(2,),
        rank_hint=_HINT,
        label=_label,
        params=_rnn_params(),
        help="Gated recurrent unit: a lighter LSTM",
    ),
)
