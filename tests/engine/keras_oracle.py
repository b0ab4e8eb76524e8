"""Keras 3 as an independent oracle: import it on the torch backend and copy our weights into it.

Keras is the optional extra `neurocanvas[keras]` (`make test` installs it); without it the tests that
use this module are skipped. The Keras models in the tests are written by hand, channels first
(`data_format="channels_first"`) so that Flatten orders values as PyTorch does; only the weight
layout differs, and `copy_weights` converts it layer by layer (kernels transposed, gate order).
"""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch
from torch import nn

os.environ.setdefault("KERAS_BACKEND", "torch")  # no TensorFlow: Keras 3 runs on torch here
keras = pytest.importorskip("keras")
if keras.backend.backend() != "torch":  # pragma: no cover - a machine set up for another backend
    pytest.skip(
        f"KERAS_BACKEND is {keras.backend.backend()!r}: these oracles build Keras 3 models on the "
        "torch backend (unset KERAS_BACKEND, or set it to torch, to run them)",
        allow_module_level=True,
    )


def counts(model) -> tuple[int, int, int]:
    """(total, trainable, non-trainable) as Keras' model.summary() prints them."""
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    frozen = sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)
    return trainable + frozen, trainable, frozen


def ours(summary) -> tuple[int, int, int]:
    return summary.total_params, summary.trainable_params, summary.non_trainable_params


def _np(tensor: torch.Tensor) -> np.ndarray:
    return tensor.detach().cpu().numpy()


def core(module: nn.Module, kind: type | tuple[type, ...]) -> nn.Module:
    """The module of `kind` inside a node's module (a fused activation or padding wraps it)."""
    for child in module.modules():
        if isinstance(child, kind):
            return child
    raise LookupError(f"no {kind} in {module}")


def _gates(weight: torch.Tensor, order: tuple[int, ...]) -> torch.Tensor:
    return torch.cat([weight.chunk(len(order))[i] for i in order])


def rnn_weights(rnn: nn.Module, kind: str, suffix: str = "") -> list[np.ndarray]:
    """Keras [kernel, recurrent_kernel, bias] of one direction of layer 0 of a torch RNN.

    GRU: PyTorch's gates are (reset, update, new), Keras' (update, reset, new)."""
    order = (1, 0, 2) if kind == "GRU" else tuple(range(4 if kind == "LSTM" else 1))
    w_ih = _gates(getattr(rnn, f"weight_ih_l0{suffix}"), order)
    w_hh = _gates(getattr(rnn, f"weight_hh_l0{suffix}"), order)
    if hasattr(rnn, f"bias_l0{suffix}"):  # Keras' reset_after=False GRU: one bias
        return [_np(w_ih.t()), _np(w_hh.t()), _np(_gates(getattr(rnn, f"bias_l0{suffix}"), order))]
    b_ih = _gates(getattr(rnn, f"bias_ih_l0{suffix}"), order)
    b_hh = _gates(getattr(rnn, f"bias_hh_l0{suffix}"), order)
    if kind == "GRU":  # reset_after=True: Keras keeps both, as a (2, 3H) array
        return [_np(w_ih.t()), _np(w_hh.t()), _np(torch.stack([b_ih, b_hh]))]
    return [_np(w_ih.t()), _np(w_hh.t()), _np(b_ih + b_hh)]


def _dense(module):
    weights = [_np(module.weight.t())]
    return weights + ([_np(module.bias)] if module.bias is not None else [])


def _conv(module):
    rank = module.weight.dim()
    # torch (out, in, *k) -> Keras (*k, in, out); transposed: torch (in, out, *k) -> (*k, out, in)
    order = (*range(2, rank), 1, 0)
    weights = [_np(module.weight.permute(*order))]
    return weights + ([_np(module.bias)] if module.bias is not None else [])


def _batchnorm(module):
    tensors = [module.weight, module.bias, module.running_mean, module.running_var]
    return [_np(t) for t in tensors]


def attention_weights(module, heads, key_dim):
    """Keras MultiHeadAttention weights of our MultiHeadAttention module (heads x key_dim)."""

    def dense(linear, split_out):
        w = linear.weight.detach().t()
        shape = (w.shape[0], heads, key_dim) if split_out else (heads, key_dim, w.shape[1])
        bias = linear.bias.detach().reshape(heads, key_dim) if split_out else linear.bias.detach()
        return [w.reshape(shape).numpy(), bias.numpy()]

    parts = [dense(module.query, True), dense(module.key, True), dense(module.value, True)]
    return [w for part in parts for w in part] + dense(module.output, False)


def keras_weights(module: nn.Module, kind: str) -> list[np.ndarray]:
    """Our compiled node's weights in the layout of the Keras layer `kind` mirrors."""
    if kind in ("LSTM", "GRU", "SimpleRNN"):
        rnn = module.rnn
        weights = rnn_weights(rnn, kind)
        if rnn.bidirectional:
            weights += rnn_weights(rnn, kind, "_reverse")
        return weights
    if kind == "Dense":
        return _dense(core(module, nn.Linear))
    if kind == "Embedding":
        return [_np(core(module, nn.Embedding).weight)]
    if kind.startswith("BatchNorm"):
        return _batchnorm(core(module, nn.modules.batchnorm._BatchNorm))
    if kind.startswith(("Conv", "ConvTranspose")):
        return _conv(core(module, nn.modules.conv._ConvNd))
    raise KeyError(kind)


def copy_weights(compiled: nn.Module, keras_model, types: dict[str, str]) -> None:
    """Copy every node's weights into the Keras layer of the same name (`types`: node -> type)."""
    for name, kind in types.items():
        weights = keras_weights(compiled.get_submodule(name), kind)
        keras_model.get_layer(name).set_weights(weights)


def randomise_statistics(compiled: nn.Module, seed: int = 0) -> None:
    """BatchNorm's moving statistics start at 0 and 1; random ones make a comparison meaningful."""
    generator = torch.Generator().manual_seed(seed)
    for module in compiled.modules():
        if isinstance(module, nn.modules.batchnorm._BatchNorm) and module.running_mean is not None:
            size = module.running_mean.shape
            module.running_mean.copy_(torch.randn(size, generator=generator) * 0.1)
            module.running_var.copy_(torch.rand(size, generator=generator) + 0.5)


def predict(keras_model, inputs: list[torch.Tensor]) -> np.ndarray:
    arrays = [_np(x) for x in inputs]
    result = keras_model(arrays[0] if len(arrays) == 1 else arrays, training=False)
    return _np(result) if isinstance(result, torch.Tensor) else np.asarray(result)


def max_difference(compiled: nn.Module, keras_model, inputs: list[torch.Tensor]) -> float:
    compiled.eval()
    with torch.no_grad():
        expected = _np(compiled(*inputs))
    return float(np.abs(predict(keras_model, inputs) - expected).max())


class Positions(keras.layers.Layer):
    """The Keras tutorials' learned position embedding: one trained vector per step, added."""

    def build(self, input_shape):
        self.table = self.add_weight(shape=tuple(input_shape[1:]), name="table")

    def call(self, x):
        return x + self.table


ENCODER_PARTS = ("attention", "norm1", "norm2", "ff1", "ff2")


def encoder(x, name: str, heads: int, feedforward: int, activation="relu", norm_first=False):
    """keras_hub's TransformerEncoder from core Keras layers, named `{name}_{part}`."""
    L = keras.layers
    width = x.shape[-1]
    attention = L.MultiHeadAttention(heads, width // heads, name=f"{name}_attention")
    norm1 = L.LayerNormalization(epsilon=1e-5, name=f"{name}_norm1")
    norm2 = L.LayerNormalization(epsilon=1e-5, name=f"{name}_norm2")
    ff1 = L.Dense(feedforward, activation=activation, name=f"{name}_ff1")
    ff2 = L.Dense(width, name=f"{name}_ff2")
    drop = L.Dropout(0.1, name=f"{name}_dropout")
    if norm_first:
        y = norm1(x)
        x = L.Add()([x, drop(attention(y, y))])
        return L.Add()([x, drop(ff2(ff1(norm2(x))))])
    x = norm1(L.Add()([x, drop(attention(x, x))]))
    return norm2(L.Add()([x, drop(ff2(ff1(x)))]))


def copy_encoder(block: nn.Module, keras_model, name: str) -> None:
    """Our TransformerEncoder's weights into the layers `encoder(name=...)` made."""
    heads = block.num_heads
    get = lambda part: keras_model.get_layer(f"{name}_{part}")  # noqa: E731
    get("attention").set_weights(attention_weights(block.attention, heads, block.features // heads))
    for part in ("norm1", "norm2"):
        norm = getattr(block, part)
        get(part).set_weights([_np(norm.weight), _np(norm.bias)])
    for part in ("ff1", "ff2"):
        get(part).set_weights(_dense(getattr(block, part)))
