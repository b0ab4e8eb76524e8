"""Attention: Keras' MultiHeadAttention over (time steps, features) sequences, batch first, and the
positional embeddings a transformer adds to its token vectors (learned, or Vaswani's sinusoids).

One port is self-attention (query = key = value); two ports are query and value (the key is the
value, Keras' default); three are query, key and value. Weights are laid out as Keras holds them
(query/key/value projections to heads x key_dim with biases, an output projection back to the
query's features), so counts equal Keras'; with key_dim = features / heads they also equal
torch.nn.MultiheadAttention's.
"""

from __future__ import annotations

import torch
from torch import nn

from ..registry import InputShapeError, LayerSpec, ParamSpec, register
from ..shape_format import shape_text


class MultiHeadAttention(nn.Module):
    """Scaled dot-product attention with `num_heads` heads of size `key_dim`."""

    def __init__(
        self,
        query_dim: int,
        key_dim_in: int,
        value_dim_in: int,
        num_heads: int,
        key_dim: int,
        causal: bool = False,
    ):
        super().__init__()
        self.query_dim, self.key_dim_in, self.value_dim_in = query_dim, key_dim_in, value_dim_in
        self.num_heads, self.key_dim, self.causal = num_heads, key_dim, causal
        inner = num_heads * key_dim
        self.query = nn.Linear(query_dim, inner)
        self.key = nn.Linear(key_dim_in, inner)
        self.value = nn.Linear(value_dim_in, inner)
        self.output = nn.Linear(inner, query_dim)

    def _heads(self, x):  # (N, T, H * D) -> (N, H, T, D)
        return x.reshape(x.shape[0], x.shape[1], self.num_heads, self.key_dim).transpose(1, 2)

    def forward(self, query, *others):
        value = others[-1] if others else query
        key = others[0] if len(others) == 2 else value
        q, k, v = (
            self._heads(self.query(query)),
            self._heads(self.key(key)),
            self._heads(self.value(value)),
        )
        scores = q @ k.transpose(-2, -1) / self.key_dim**0.5
        if self.causal:  # step t attends to steps <= t only
            allowed = torch.ones(scores.shape[-2:], dtype=torch.bool, device=scores.device).tril()
            scores = scores.masked_fill(~allowed, float("-inf"))
        mixed = torch.softmax(scores, dim=-1) @ v  # (N, H, T, D)
        mixed = mixed.transpose(1, 2).reshape(query.shape[0], query.shape[1], -1)
        return self.output(mixed)

    def extra_repr(self) -> str:
        return f"num_heads={self.num_heads}, key_dim={self.key_dim}, causal={self.causal}"


class PositionalEmbedding(nn.Module):
    """Add a vector per time step: learned (`learned=True`, steps x features parameters) or the
    fixed sinusoids of Vaswani et al. 2017 (a constant, neither a parameter nor saved)."""

    def __init__(self, steps: int, features: int, learned: bool):
        super().__init__()
        self.steps, self.features, self.learned = steps, features, learned
        if learned:
            self.weight = nn.Parameter(torch.empty(steps, features))
            nn.init.normal_(self.weight, std=0.02)
        else:
            position = torch.arange(steps, dtype=torch.float32)[:, None]
            rates = torch.pow(
                10000.0, -torch.arange(0, features, 2, dtype=torch.float32) / features
            )
            table = torch.zeros(steps, features)
            table[:, 0::2] = torch.sin(position * rates)
            table[:, 1::2] = torch.cos(position * rates[: features // 2])
            self.register_buffer("weight", table, persistent=False)

    def forward(self, x):
        return x + self.weight

    def extra_repr(self) -> str:
        return f"steps={self.steps}, features={self.features}, learned={self.learned}"


def _build(p, input_shapes):
    shapes = list(input_shapes)
    query = shapes[0]
    value = shapes[-1]
    key = shapes[1] if len(shapes) == 3 else value
    if key[0] != value[0]:
        raise InputShapeError(
            f"key {shape_text(key)} and value {shape_text(value)} need the same number of steps"
        )
    if p.causal and key[0] != query[0]:
        raise InputShapeError(
            f"a causal mask needs as many query steps as key steps, got {shape_text(query)} "
            f"and {shape_text(key)}"
        )
    key_dim = p.key_dim or max(query[-1] // p.num_heads, 1)
    return MultiHeadAttention(query[-1], key[-1], value[-1], p.num_heads, key_dim, p.causal)


register(
    LayerSpec(
        name="PositionalEmbedding",
        aliases=("PositionEmbedding", "SinePositionEncoding"),
        category="Recurrent",
        build=lambda p, s: PositionalEmbedding(s[0][0], s[0][1], p.kind == "learned"),
        input_rank=(2,),
        rank_hint="(time steps, features)",
        shape_preserving=True,
        help="Add a position vector to each step so attention knows the order (after Embedding)",
        params=(
            ParamSpec(
                "kind",
                "choice",
                "learned",
                "learned = one trained vector per step (BERT, GPT); sinusoidal = Vaswani's fixed "
                "sines and cosines (no parameters)",
                choices=("learned", "sinusoidal"),
            ),
        ),
        label=lambda p: p.kind,
    ),
    LayerSpec(
        name="MultiHeadAttention",
        aliases=("Attention", "SelfAttention", "MultiheadAttention"),
        category="Recurrent",
        inputs="inputs",
        build=_build,
        input_rank=(2,),
        rank_hint="(time steps, features)",
        help="Multi-head attention (transformers): each query step mixes the value steps, "
        "weighted by how well its query matches their keys",
        params=(
            ParamSpec(
                "inputs",
                "int",
                1,
                "1 = self-attention; 2 = query and value (key = value); 3 = query, key, value",
                min=1,
                max=3,
            ),
            ParamSpec("num_heads", "int", 2, "Attention heads", min=1, max=256),
            ParamSpec(
                "key_dim",
                "int",
                0,
                "Size of each head; 0 = query features / heads (PyTorch's layout)",
                min=0,
                max=65_536,
            ),
            ParamSpec("causal", "bool", False, "Mask later steps (language models, decoders)"),
        ),
        label=lambda p: f"{p.num_heads} heads" + (" causal" if p.causal else ""),
    ),
)
