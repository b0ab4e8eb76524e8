"""Recurrent layers: SimpleRNN, LSTM, GRU over (time, features) sequences, batch first.

Biases follow Keras by default (`bias: "keras"`): one bias vector per gate. PyTorch's cells add a
second, recurrent bias (`bias: "pytorch"`), which changes nothing the layer can compute but adds
parameters (lstm-classifier: 23,808 in Keras, 24,064 in PyTorch). In the Keras form the second bias
is a zero buffer that is neither a parameter nor saved, so nn.RNN/nn.LSTM still do the work.

GRU: Keras' default `reset_after=True` is PyTorch's nn.GRU (its two biases are Keras' too);
`reset_after=False` is Keras' original form (reset gate applied before the recurrent matmul, one
bias), which PyTorch has no module for, so `ResetBeforeGRU` computes it step by step.

`skip_padding`: steps at the END of a sequence whose features are all zero are padding (an
Embedding with `mask_zero` turns the padding id 0 into a zero vector); the layer packs each
sequence to its real length, so its last state is the last real step's and a bidirectional layer
reads backwards from each sequence's own end, as a Keras layer behind a mask does. With
`return_sequences` the padded steps' outputs are zero (Keras repeats the last state there).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ..registry import LayerSpec, ParamError, ParamSpec, register

BIAS_CONVENTIONS = ("keras", "pytorch")


class Recurrent(nn.Module):
    """Wraps nn.RNN/LSTM/GRU (batch_first) and returns either every step's output (N, T, H*D) or the
    final hidden state of the last layer (N, H*D), both directions joined when bidirectional.

    `keras_bias`: the recurrent biases (bias_hh_*) are fixed at zero buffers, not parameters, so
    each gate has one bias as in Keras."""

    def __init__(
        self,
        rnn: nn.Module,
        return_sequences: bool,
        keras_bias: bool = False,
        skip_padding: bool = False,
    ):
        super().__init__()
        self.rnn = rnn
        self.return_sequences = return_sequences
        self.keras_bias = keras_bias
        self.skip_padding = skip_padding
        if keras_bias:
            for name in [n for n, _ in rnn.named_parameters() if n.startswith("bias_hh")]:
                zeros = torch.zeros_like(getattr(rnn, name), requires_grad=False)
                delattr(rnn, name)
                # Not persistent: state dicts hold only what Keras holds (one bias per gate).
                rnn.register_buffer(name, zeros, persistent=False)
            rnn._init_flat_weights()  # nn.RNNBase reads its weights (and these zeros) from here

    def forward(self, x):
        if self.skip_padding and x.device.type != "meta":  # shapes alone: nothing to pack
            return self._packed(x)
        outputs, hidden = self.rnn(x)
        if self.return_sequences:
            return outputs
        return self._last(hidden)

    def _packed(self, x):
        """The RNN over each sequence's real steps (all-zero steps at its end are padding)."""
        real = x.ne(0).any(-1)  # (N, T)
        steps = torch.arange(1, x.shape[1] + 1, device=x.device)
        lengths = (real * steps).amax(1).clamp(min=1)  # an all-padding sequence reads one step
        packed = nn.utils.rnn.pack_padded_sequence(
            x, lengths.cpu(), batch_first=True, enforce_sorted=False
        )
        outputs, hidden = self.rnn(packed)
        if self.return_sequences:
            padded, _ = nn.utils.rnn.pad_packed_sequence(
                outputs, batch_first=True, total_length=x.shape[1]
            )
            return padded
        return self._last(hidden)

    def _last(self, hidden):
        if isinstance(hidden, tuple):  # LSTM returns (h_n, c_n)
            hidden = hidden[0]
        directions = 2 if self.rnn.bidirectional else 1
        last_layer = hidden[-directions:]  # (D, N, H)
        return torch.cat(list(last_layer), dim=-1)

    def extra_repr(self) -> str:
        return (
            f"return_sequences={self.return_sequences}, keras_bias={self.keras_bias}, "
            f"skip_padding={self.skip_padding}"
        )


class ResetBeforeGRU(nn.Module):
    """Keras' GRU with reset_after=False, batch first: h~ = tanh(W_h x + U_h (r * h) + b_h).

    Weights follow nn.GRU's layout and gate order (reset, update, new) so a PyTorch user reads them
    as usual; there is one bias per gate. Returns (outputs, h_n) like nn.GRU."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.0,
    ):
        super().__init__()
        self.input_size, self.hidden_size = input_size, hidden_size
        self.num_layers, self.bidirectional, self.dropout = num_layers, bidirectional, dropout
        directions = 2 if bidirectional else 1
        bound = 1.0 / math.sqrt(hidden_size)  # nn.GRU's initialisation
        for layer in range(num_layers):
            size_in = input_size if layer == 0 else hidden_size * directions
            for suffix in ("", "_reverse")[:directions]:
                for name, shape in (
                    (f"weight_ih_l{layer}{suffix}", (3 * hidden_size, size_in)),
                    (f"weight_hh_l{layer}{suffix}", (3 * hidden_size, hidden_size)),
                    (f"bias_l{layer}{suffix}", (3 * hidden_size,)),
                ):
                    weight = nn.Parameter(torch.empty(shape))
                    nn.init.uniform_(weight, -bound, bound)
                    self.register_parameter(name, weight)

    def _direction(self, x, layer: int, suffix: str):
        w_ih = getattr(self, f"weight_ih_l{layer}{suffix}")
        w_hh = getattr(self, f"weight_hh_l{layer}{suffix}")
        bias = getattr(self, f"bias_l{layer}{suffix}")
        size = self.hidden_size
        inputs = torch.nn.functional.linear(x, w_ih, bias)  # (N, T, 3H), all steps at once
        h = x.new_zeros(x.shape[0], size)
        steps = range(x.shape[1] - 1, -1, -1) if suffix else range(x.shape[1])
        outputs = [h] * x.shape[1]
        for t in steps:
            x_r, x_z, x_n = inputs[:, t].split(size, dim=-1)
            h_r, h_z = (h @ w_hh[: 2 * size].t()).split(size, dim=-1)
            r = torch.sigmoid(x_r + h_r)
            z = torch.sigmoid(x_z + h_z)
            n = torch.tanh(x_n + (r * h) @ w_hh[2 * size :].t())
            h = (1 - z) * n + z * h
            outputs[t] = h
        return torch.stack(outputs, dim=1), h

    def forward(self, x):
        finals = []
        for layer in range(self.num_layers):
            if layer and self.dropout and self.training:
                x = torch.nn.functional.dropout(x, self.dropout, True)
            results = [self._direction(x, layer, "")]
            if self.bidirectional:
                results.append(self._direction(x, layer, "_reverse"))
            x = torch.cat([out for out, _ in results], dim=-1)
            finals += [h for _, h in results]
        return x, torch.stack(finals)

    def extra_repr(self) -> str:
        return (
            f"{self.input_size}, {self.hidden_size}, num_layers={self.num_layers}, "
            f"bidirectional={self.bidirectional}, reset_after=False"
        )


_BIAS = ParamSpec(
    "bias",
    "choice",
    "keras",
    "keras = one bias per gate (Keras' counts); pytorch = PyTorch's two biases per gate "
    "(input and recurrent: more parameters, the same functions)",
    choices=BIAS_CONVENTIONS,
)


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
            "skip_padding",
            "bool",
            False,
            "All-zero steps at the end of a sequence are padding (an Embedding with mask_zero "
            "makes them): stop at each sequence's last real step, as Keras does behind a mask",
        ),
        ParamSpec(
            "dropout",
            "float",
            0.0,
            "Dropout between stacked layers (needs num_layers > 1); Keras' recurrent_dropout "
            "(on the hidden state inside a step) has no PyTorch equivalent",
            min=0.0,
            max=0.99,
        ),
        *extra,
    )


def _rnn_builder(rnn_cls):
    def build(p, input_shapes):
        (shape,) = input_shapes
        common = dict(
            num_layers=p.num_layers,
            bidirectional=p.bidirectional,
            dropout=p.dropout if p.num_layers > 1 else 0.0,
        )
        if getattr(p, "reset_after", True) is False:
            if p.skip_padding:
                raise ParamError("skip_padding needs reset_after=true (PyTorch's GRU packs)")
            return Recurrent(ResetBeforeGRU(shape[-1], p.hidden_size, **common), p.return_sequences)
        extra = {"nonlinearity": p.nonlinearity} if hasattr(p, "nonlinearity") else {}
        rnn = rnn_cls(shape[-1], p.hidden_size, batch_first=True, **common, **extra)
        keras_bias = getattr(p, "bias", "") == "keras"
        return Recurrent(rnn, p.return_sequences, keras_bias, p.skip_padding)

    return build


def bias_convention(layer_type: str, params) -> str:
    """How a recurrent node's biases are counted, for the summary's note."""
    if layer_type == "GRU":
        if params.get("reset_after", True) is False:
            return "Keras' reset_after=False GRU: one bias per gate"
        return "GRU reset_after=True: two biases per gate, the same in Keras and PyTorch"
    if params.get("bias") == "pytorch":
        return "PyTorch's two biases per gate (Keras counts one)"
    return "Keras' one bias per gate"


def _label(p) -> str:
    parts = [str(p.hidden_size)]
    if p.num_layers > 1:
        parts.append(f"x{p.num_layers}")
    if p.bidirectional:
        parts.append("bi")
    parts.append("seq" if p.return_sequences else "last")
    if getattr(p, "bias", "keras") == "pytorch":
        parts.append("torch-bias")
    if getattr(p, "reset_after", True) is False:
        parts.append("reset-before")
    if getattr(p, "skip_padding", False):
        parts.append("skip pad")
    return " ".join(parts)


_HINT = "(time steps, features)"
# Files written before the `bias` choice existed built PyTorch's two biases; they keep them.
_LEGACY = {"bias": "pytorch"}

register(
    LayerSpec(
        name="SimpleRNN",
        aliases=("RNN",),
        category="Recurrent",
        build=_rnn_builder(nn.RNN),
        input_rank=(2,),
        rank_hint=_HINT,
        label=_label,
        legacy_params=_LEGACY,
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
                _BIAS,
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
        legacy_params=_LEGACY,
        params=_rnn_params((_BIAS,)),
        help="Long short-term memory: a recurrent layer that keeps long-range information",
    ),
    LayerSpec(
        name="GRU",
        category="Recurrent",
        build=_rnn_builder(nn.GRU),
        input_rank=(2,),
        rank_hint=_HINT,
        label=_label,
        params=_rnn_params(
            (
                ParamSpec(
                    "reset_after",
                    "bool",
                    True,
                    "true = Keras' default and PyTorch's nn.GRU (reset gate after the recurrent "
                    "matmul, two biases); false = Keras' original form (one bias)",
                ),
            )
        ),
        help="Gated recurrent unit: a lighter LSTM",
    ),
)
