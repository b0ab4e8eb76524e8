"""Keras converters of the sequence layers: recurrent (gate order, biases, stacking,
bidirectional), Embedding, attention, the transformer encoder block and positional embeddings."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from .keras_base import Block, Layer, Node, Unsupported, core
from .keras_base import to_numpy as _np


def _gates(weight: torch.Tensor, order: tuple[int, ...]) -> torch.Tensor:
    return torch.cat([weight.chunk(len(order))[i] for i in order])


def _rnn_weights(rnn: nn.Module, kind: str, suffix: str) -> list[np.ndarray]:
    order = (1, 0, 2) if kind == "GRU" else tuple(range(4 if kind == "LSTM" else 1))
    w_ih = _gates(getattr(rnn, f"weight_ih{suffix}"), order)
    w_hh = _gates(getattr(rnn, f"weight_hh{suffix}"), order)
    b_ih = _gates(getattr(rnn, f"bias_ih{suffix}"), order)
    b_hh = _gates(getattr(rnn, f"bias_hh{suffix}"), order)  # a zero buffer in the Keras form
    bias = torch.stack([b_ih, b_hh]) if kind == "GRU" else b_ih + b_hh
    return [_np(w_ih.t()), _np(w_hh.t()), _np(bias)]


def recurrent(kind: str) -> Callable[[Node], Block]:
    def convert(node: Node) -> Block:
        p = node.p
        rnn = getattr(node.module, "rnn", None)
        if not isinstance(rnn, nn.RNNBase):
            raise Unsupported(f"{node.id}: GRU reset_after=false is not exported to Keras", node.id)
        lines, weights, x = [], {}, "{x}"
        if p.skip_padding:  # Keras' mask of all-zero steps: what skip_padding reads
            lines.append(f"{node.id}_masked = layers.Masking(0.0)({x})")
            x = f"{node.id}_masked"
        for index in range(p.num_layers):
            last = index == p.num_layers - 1
            name = node.id if last else f"{node.id}_layer{index + 1}"
            args = [str(p.hidden_size), f"return_sequences={bool(p.return_sequences or not last)}"]
            if kind == "SimpleRNN" and p.nonlinearity == "relu":
                args.append('activation="relu"')
            if kind == "GRU":
                args.append("reset_after=True")
            cell = f"layers.{kind}({', '.join(args)})"
            arrays = _rnn_weights(rnn, kind, f"_l{index}")
            if p.bidirectional:
                cell = f"layers.Bidirectional({cell}, name={name!r})"
                arrays += _rnn_weights(rnn, kind, f"_l{index}_reverse")
            else:
                cell = cell[:-1] + f", name={name!r})"
            target = "{out}" if last and not p.skip_padding else f"{node.id}_seq{index + 1}"
            lines.append(f"{target} = {cell}({x})")
            weights[name], x = arrays, target
        if not p.skip_padding:
            return Block(lines, weights)
        # Our layer hands plain tensors on (zeros after each end); Keras would carry the mask
        # into later layers (a pooling would skip the padded steps), so it ends here.
        lines.append(f"{{out}} = EndMask()({x})")
        return Block(lines, weights, classes=(END_MASK_CLASS,))

    return convert


END_MASK_CLASS = '''
class EndMask(layers.Layer):
    """Passes its input on without the mask a Masking layer started (as the PyTorch model has
    no mask after its recurrent layer)."""

    def compute_mask(self, inputs, mask=None):
        return None

    def call(self, x, mask=None):
        return x
'''


def embedding(node: Node) -> Layer:
    table = core(node.module, nn.Embedding)
    args = [str(table.num_embeddings), str(table.embedding_dim)]
    return Layer("layers.Embedding", args, [_np(table.weight)])


def attention_weights(module: nn.Module) -> list[np.ndarray]:
    """Keras MultiHeadAttention's kernels of our MultiHeadAttention: per head, with biases."""
    heads, size = module.num_heads, module.key_dim

    def part(linear: nn.Linear, split_out: bool) -> list[np.ndarray]:
        w = linear.weight.t()
        if split_out:
            return [_np(w.reshape(w.shape[0], heads, size)), _np(linear.bias.reshape(heads, size))]
        return [_np(w.reshape(heads, size, w.shape[1])), _np(linear.bias)]

    projections = [part(module.query, True), part(module.key, True), part(module.value, True)]
    return [w for pair in projections for w in pair] + part(module.output, False)


def multi_head_attention(node: Node) -> Block:
    module = node.module
    layer = f"layers.MultiHeadAttention({module.num_heads}, {module.key_dim}, name={node.id!r})"
    causal = ", use_causal_mask=True" if module.causal else ""
    n = len(node.shapes)
    call = {1: "{x0}, {x0}", 2: "{x0}, {x1}", 3: "{x0}, {x2}, key={x1}"}[n]
    return Block(
        [f"{{out}} = {layer}({call}{causal})"],
        {node.id: attention_weights(module)},
    )


def transformer_encoder(node: Node) -> Block:
    """keras_hub's TransformerEncoder written out with core layers, one name per part."""
    block, n = node.module, node.id
    act = block.activation
    lines = [
        f"{n}_attention = layers.MultiHeadAttention({block.num_heads}, "
        f"{block.features // block.num_heads}, name='{n}_attention')",
        f"{n}_norm1 = layers.LayerNormalization(epsilon={block.eps!r}, name='{n}_norm1')",
        f"{n}_norm2 = layers.LayerNormalization(epsilon={block.eps!r}, name='{n}_norm2')",
        f"{n}_ff1 = layers.Dense({block.feedforward}, activation={act!r}, name='{n}_ff1')",
        f"{n}_ff2 = layers.Dense({block.features}, name='{n}_ff2')",
        f"{n}_drop = layers.Dropout({block.dropout!r}, name='{n}_dropout')",
    ]
    if block.norm_first:
        lines += [
            f"{n}_y = {n}_norm1({{x}})",
            f"{n}_x = layers.Add(name='{n}_add1')([{{x}}, {n}_drop({n}_attention({n}_y, {n}_y))])",
            f"{n}_y = {n}_ff2({n}_ff1({n}_norm2({n}_x)))",
            f"{{out}} = layers.Add(name='{n}_add2')([{n}_x, {n}_drop({n}_y)])",
        ]
    else:
        lines += [
            f"{n}_y = {n}_drop({n}_attention({{x}}, {{x}}))",
            f"{n}_x = {n}_norm1(layers.Add(name='{n}_add1')([{{x}}, {n}_y]))",
            f"{n}_y = {n}_drop({n}_ff2({n}_ff1({n}_x)))",
            f"{{out}} = {n}_norm2(layers.Add(name='{n}_add2')([{n}_x, {n}_y]))",
        ]
    weights = {
        f"{n}_attention": attention_weights(block.attention),
        f"{n}_norm1": [_np(block.norm1.weight), _np(block.norm1.bias)],
        f"{n}_norm2": [_np(block.norm2.weight), _np(block.norm2.bias)],
        f"{n}_ff1": [_np(block.ff1.weight.t()), _np(block.ff1.bias)],
        f"{n}_ff2": [_np(block.ff2.weight.t()), _np(block.ff2.bias)],
    }
    return Block(lines, weights)


POSITIONS_CLASS = '''
class PositionalEmbedding(layers.Layer):
    """Adds one vector per time step: learned, or the fixed sinusoids of Vaswani et al."""

    def __init__(self, learned=True, **kwargs):
        super().__init__(**kwargs)
        self.learned = learned

    def build(self, input_shape):
        steps, features = input_shape[1], input_shape[2]
        if self.learned:
            self.table = self.add_weight(shape=(steps, features), name="table")
            return
        position = np.arange(steps, dtype="float32")[:, None]
        rates = np.power(10000.0, -np.arange(0, features, 2, dtype="float32") / features)
        table = np.zeros((steps, features), "float32")
        table[:, 0::2] = np.sin(position * rates)
        table[:, 1::2] = np.cos(position * rates[: features // 2])
        self.table = keras.ops.convert_to_tensor(table)

    def call(self, x):
        return x + self.table

    def get_config(self):
        return {**super().get_config(), "learned": self.learned}
'''


def positional_embedding(node: Node) -> Block:
    learned = node.p.kind == "learned"
    weights = {node.id: [_np(node.module.weight)]} if learned else {}
    line = f"{{out}} = PositionalEmbedding(learned={learned}, name={node.id!r})({{x}})"
    return Block([line], weights, classes=(POSITIONS_CLASS,))
