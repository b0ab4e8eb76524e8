"""The transformer encoder block (Vaswani et al. 2017) over (time steps, features), batch first.

Self-attention and a two-layer feed-forward network, each wrapped in a residual connection with
dropout and a LayerNorm: after the residual (`norm_first=False`, the paper's and
torch.nn.TransformerEncoderLayer's default) or before the sublayer (`norm_first=True`, GPT-2's
pre-norm). The model width is the input's features, as in keras_hub's TransformerEncoder; the
attention is ours (Keras' MultiHeadAttention layout, key_dim = features / heads), so the parameter
count equals torch.nn.TransformerEncoderLayer's and the Keras composition's.
"""

from __future__ import annotations

from torch import nn

from ..registry import InputShapeError, LayerSpec, ParamSpec, register
from ..shape_format import shape_text
from .attention import MultiHeadAttention

ACTIVATIONS = ("relu", "gelu")


class TransformerEncoder(nn.Module):
    """One encoder block; `feedforward` hidden units, `activation` relu or gelu (exact erf)."""

    def __init__(
        self,
        features: int,
        num_heads: int,
        feedforward: int,
        dropout: float = 0.1,
        norm_first: bool = False,
        activation: str = "relu",
        eps: float = 1e-5,
    ):
        super().__init__()
        self.features, self.num_heads, self.feedforward = features, num_heads, feedforward
        self.dropout, self.norm_first, self.activation, self.eps = (
            dropout,
            norm_first,
            activation,
            eps,
        )
        self.attention = MultiHeadAttention(
            features, features, features, num_heads, features // num_heads
        )
        self.norm1 = nn.LayerNorm(features, eps=eps)
        self.norm2 = nn.LayerNorm(features, eps=eps)
        self.ff1 = nn.Linear(features, feedforward)
        self.act = nn.GELU() if activation == "gelu" else nn.ReLU()  # copied into model.py
        self.ff2 = nn.Linear(feedforward, features)
        self.drop_attention = nn.Dropout(dropout)
        self.drop_hidden = nn.Dropout(dropout)
        self.drop_output = nn.Dropout(dropout)

    def _attend(self, x):
        return self.drop_attention(self.attention(x))

    def _feed_forward(self, x):
        return self.drop_output(self.ff2(self.drop_hidden(self.act(self.ff1(x)))))

    def forward(self, x):
        if self.norm_first:
            x = x + self._attend(self.norm1(x))
            return x + self._feed_forward(self.norm2(x))
        x = self.norm1(x + self._attend(x))
        return self.norm2(x + self._feed_forward(x))

    def extra_repr(self) -> str:
        return (
            f"features={self.features}, num_heads={self.num_heads}, "
            f"feedforward={self.feedforward}, dropout={self.dropout}, "
            f"norm_first={self.norm_first}, activation={self.activation!r}"
        )


def _build(p, input_shapes):
    (shape,) = input_shapes
    features = shape[-1]
    if features % p.num_heads:
        raise InputShapeError(
            f"{p.num_heads} heads do not divide the {features} features of {shape_text(shape)}; "
            f"choose heads that divide {features}, or change the Embedding's width"
        )
    feedforward = p.feedforward or 4 * features
    return TransformerEncoder(
        features, p.num_heads, feedforward, p.dropout, p.norm_first, p.activation, p.eps
    )


def _label(p) -> str:
    ff = f"ff {p.feedforward}" if p.feedforward else "ff 4x"
    return f"{p.num_heads} heads {ff}" + (" pre-norm" if p.norm_first else "")


register(
    LayerSpec(
        name="TransformerEncoder",
        aliases=("TransformerEncoderLayer", "TransformerBlock"),
        category="Recurrent",
        build=_build,
        input_rank=(2,),
        rank_hint="(time steps, features)",
        shape_preserving=True,
        help="A transformer encoder block: self-attention and a feed-forward network, each with "
        "a residual connection, dropout and LayerNorm; its width is the input's features",
        params=(
            ParamSpec("num_heads", "int", 2, "Attention heads (must divide the features)", 1, 256),
            ParamSpec(
                "feedforward",
                "int",
                0,
                "Hidden units of the feed-forward network (Keras' intermediate_dim, PyTorch's "
                "dim_feedforward); 0 = 4 x the features, as in the original paper",
                min=0,
                max=1 << 20,
            ),
            ParamSpec("dropout", "float", 0.1, "Dropout after attention and feed-forward", 0, 0.99),
            ParamSpec(
                "norm_first",
                "bool",
                False,
                "false = LayerNorm after each residual (the paper, PyTorch's default); true = "
                "before each sublayer (pre-norm, GPT-2; Keras' normalize_first)",
            ),
            ParamSpec(
                "activation",
                "choice",
                "relu",
                "Activation of the feed-forward network",
                choices=ACTIVATIONS,
            ),
            ParamSpec("eps", "float", 1e-5, "LayerNorm's epsilon", min=0.0, max=1.0),
        ),
        label=_label,
    ),
)
