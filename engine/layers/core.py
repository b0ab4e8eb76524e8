"""Core layers: Input, Dense, Flatten, Reshape, Dropout, Embedding, Identity."""

from __future__ import annotations

import math

from torch import nn

from ..registry import AUTO, LayerSpec, ParamError, ParamSpec, register
from ..shape_format import format_shape, shape_text
from .common import activation_param, activation_suffix, with_activation


def _build_dense(p, input_shapes):
    (shape,) = input_shapes
    return with_activation(nn.Linear(shape[-1], p.units, bias=p.bias), p.activation)


def _dense_warning(input_shapes, output_shape):
    # Keras users expect Dense to see every value; on images it silently acts per row instead.
    (shape,) = input_shapes
    if len(shape) < 3:
        return None
    return (
        f"Dense receives {shape_text(shape)} and acts on the last axis only, "
        f"giving {shape_text(output_shape)}",
        "Add a Flatten before it to connect every value",
    )


class Reshape(nn.Module):
    """Reshape every sample to `shape` (batch axis kept)."""

    def __init__(self, shape: tuple[int, ...]):
        super().__init__()
        self.shape = tuple(shape)

    def forward(self, x):
        return x.reshape(x.shape[0], *self.shape)

    def extra_repr(self) -> str:
        return f"shape={self.shape}"


def _build_reshape(p, input_shapes):
    (shape,) = input_shapes
    target = p.shape
    size = math.prod(shape)
    if list(target).count(-1) > 1:
        raise ParamError("use -1 at most once in the target shape")
    if any(size < 1 and size != -1 for size in target):
        raise ParamError(f"target sizes must be positive (or -1 once), got {shape_text(target)}")
    known = math.prod(s for s in target if s != -1)
    fits = size % known == 0 if -1 in target else size == known
    if not fits:
        raise ParamError(
            f"cannot turn {size} values (input {shape_text(shape)}) into {shape_text(target)}; "
            f"the sizes must multiply to {size}"
        )
    return Reshape(target)


# class: a conditional GAN's label input, fed the class one-hot (training/gan_condition.py)
LATENT_NOISE = ("none", "normal", "uniform", "class")

INPUT = LayerSpec(
    name="Input",
    aliases=("InputLayer",),
    category="Input",
    inputs=0,
    build=None,
    help="Where data enters the network; the shape of one sample, without the batch axis",
    params=(
        ParamSpec(
            "shape",
            "shape",
            AUTO,
            "Shape of one sample, channels first (e.g. 1, 28, 28); auto = taken from the data",
            min=-1,
            auto=True,
        ),
        ParamSpec(
            "dtype",
            "choice",
            "float32",
            "Data type: float32 for features and images, int64 for token ids fed to an Embedding",
            choices=("float32", "int64"),
        ),
        ParamSpec(
            "noise",
            "choice",
            "none",
            "A generator's latent noise: the GAN step feeds this input samples of its shape "
            "from normal = N(0, 1) or uniform = U(-1, 1) (none = data); class = a conditional "
            "GAN's label, one-hot (its shape: the number of classes), in both networks",
            choices=LATENT_NOISE,
        ),
    ),
    label=lambda p: (
        ("auto" if p.shape == AUTO else format_shape(p.shape))
        + {"none": "", "class": " class label"}.get(
            getattr(p, "noise", "none"), f" {getattr(p, 'noise', '')} noise"
        )
    ),
)

DENSE = LayerSpec(
    name="Dense",
    aliases=("Linear", "FullyConnected", "fc"),
    category="Core",
    build=_build_dense,
    warning=_dense_warning,
    example_input=(8,),
    help="Fully connected layer: every output is a weighted sum of all inputs (nn.Linear)",
    params=(
        ParamSpec(
            "units",
            "int",
            64,
            "Number of output features; auto = number of classes or targets",
            min=1,
            max=1_000_000,
            auto=True,
        ),
        activation_param(),
        ParamSpec("bias", "bool", True, "Learn an additive bias"),
    ),
    label=lambda p: f"{p.units}{activation_suffix(p.activation)}",
)

FLATTEN = LayerSpec(
    name="Flatten",
    category="Reshape",
    build=lambda p, s: nn.Flatten(),
    help="Flatten each sample into one vector (e.g. 1x28x28 -> 784)",
)

RESHAPE = LayerSpec(
    name="Reshape",
    aliases=("View",),
    category="Reshape",
    build=_build_reshape,
    example_input=(1, 28, 28),  # the default target shape: 784 values
    help="Give each sample a new shape with the same number of values (-1 = infer one size)",
    params=(
        ParamSpec(
            "shape", "shape", (1, 28, 28), "Target shape of one sample, e.g. 1, 28, 28", min=-1
        ),
    ),
    label=lambda p: format_shape(p.shape),
)

DROPOUT = LayerSpec(
    name="Dropout",
    category="Core",
    build=lambda p, s: nn.Dropout(p.rate),
    shape_preserving=True,
    help="Randomly zero a fraction of the inputs while training, to reduce overfitting",
    params=(
        ParamSpec(
            "rate", "float", 0.5, "Fraction of inputs dropped while training", min=0.0, max=0.99
        ),
    ),
    label=lambda p: f"{p.rate:g}",
)

EMBEDDING = LayerSpec(
    name="Embedding",
    category="Core",
    input_dtype="int64",
    example_input=(7,),
    build=lambda p, s: nn.Embedding(
        p.num_embeddings, p.embedding_dim, padding_idx=0 if p.mask_zero else None
    ),
    help="Map integer token ids to learned vectors (input: int64 ids from an int64 Input)",
    params=(
        ParamSpec(
            "num_embeddings",
            "int",
            1000,
            "Vocabulary size: ids go from 0 to this minus 1",
            min=1,
            max=10_000_000,
        ),
        ParamSpec("embedding_dim", "int", 32, "Length of each learned vector", min=1, max=65_536),
        ParamSpec(
            "mask_zero",
            "bool",
            False,
            "Id 0 is padding (as the text tokenizer pads): its vector stays zero and learns "
            "nothing, so a recurrent layer set to skip padding stops at each text's end (Keras' "
            "mask_zero)",
        ),
    ),
    label=lambda p: f"{p.num_embeddings}->{p.embedding_dim}" + (" mask 0" if p.mask_zero else ""),
)

IDENTITY = LayerSpec(
    name="Identity",
    category="Core",
    build=lambda p, s: nn.Identity(),
    shape_preserving=True,
    help="Pass the input through unchanged (a placeholder or a skip branch)",
)

register(INPUT, DENSE, DROPOUT, EMBEDDING, IDENTITY, FLATTEN, RESHAPE)
