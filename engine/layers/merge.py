"""Merge layers: combine several inputs into one (residual and inception-style blocks)."""

from __future__ import annotations

import torch
from torch import nn

from ..registry import InputShapeError, LayerSpec, ParamSpec, register
from ..shape_format import shape_text


class Add(nn.Module):
    """Element-wise sum of all inputs (equal shapes)."""

    def forward(self, *inputs):
        result = inputs[0]
        for tensor in inputs[1:]:
            result = result + tensor
        return result


class Multiply(nn.Module):
    """Element-wise product of all inputs (equal shapes)."""

    def forward(self, *inputs):
        result = inputs[0]
        for tensor in inputs[1:]:
            result = result * tensor
        return result


class Scale(nn.Module):
    """The product of two inputs whose shapes broadcast: a feature map times per-channel
    weights (C, H, W) x (C, 1, 1), as a squeeze-and-excitation gate does."""

    def forward(self, first, second):
        return first * second


def _build_scale(p, input_shapes):
    first, second = (tuple(shape) for shape in input_shapes)
    try:
        torch.broadcast_shapes(first, second)
    except RuntimeError:
        raise InputShapeError(
            f"{shape_text(first)} and {shape_text(second)} do not broadcast: each axis must be "
            "equal or 1 in one of them (e.g. a feature map and its (C, 1, 1) channel weights)"
        ) from None
    if len(first) != len(second):
        raise InputShapeError(
            f"the inputs have ranks {len(first)} and {len(second)}; give the weights the feature "
            "map's rank, e.g. (C, 1, 1) for images"
        )
    return Scale()


class Subtract(nn.Module):
    """First input minus the second (equal shapes), as Keras' Subtract."""

    def forward(self, first, second):
        return first - second


class Average(nn.Module):
    """Element-wise mean of all inputs (equal shapes)."""

    def forward(self, *inputs):
        return torch.stack(inputs).mean(dim=0)


class Maximum(nn.Module):
    """Element-wise maximum of all inputs (equal shapes)."""

    def forward(self, *inputs):
        return torch.stack(inputs).amax(dim=0)


class Minimum(nn.Module):
    """Element-wise minimum of all inputs (equal shapes)."""

    def forward(self, *inputs):
        return torch.stack(inputs).amin(dim=0)


class Dot(nn.Module):
    """Keras' Dot for samples of rank 1 or 2: the dot product along `dim` (batch counted), the
    other axes kept as a matrix product; `normalize` makes it a cosine similarity."""

    def __init__(self, dim: int, normalize: bool):
        super().__init__()
        self.dim, self.normalize = dim, normalize

    def forward(self, first, second):
        if self.normalize:
            first = torch.nn.functional.normalize(first, dim=self.dim)
            second = torch.nn.functional.normalize(second, dim=self.dim)
        if first.dim() == 2:
            return (first * second).sum(dim=1, keepdim=True)
        if self.dim == 2:  # (N, T1, F) . (N, T2, F) -> (N, T1, T2)
            return first @ second.transpose(1, 2)
        return first.transpose(1, 2) @ second  # (N, T, F1) . (N, T, F2) -> (N, F1, F2)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, normalize={self.normalize}"


def _build_dot(p, input_shapes):
    first, second = input_shapes
    rank = len(first)
    axis = p.axis if p.axis >= 0 else rank + p.axis
    if rank not in (1, 2) or len(second) != rank or not 0 <= axis < rank:
        raise InputShapeError(
            f"Dot takes two inputs of rank 1 or 2 with the axis in both, got "
            f"{shape_text(first)} and {shape_text(second)} with axis {p.axis}"
        )
    if first[axis] != second[axis]:
        raise InputShapeError(
            f"the dot product along axis {p.axis} needs equal sizes there, got {first[axis]} "
            f"({shape_text(first)}) and {second[axis]} ({shape_text(second)})"
        )
    return Dot(axis + 1, p.normalize)


class Concatenate(nn.Module):
    """Join inputs along `dim` (batch counted)."""

    def __init__(self, dim: int):
        super().__init__()
        self.dim = dim

    def forward(self, *inputs):
        return torch.cat(inputs, dim=self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


_INPUTS = ParamSpec("inputs", "int", 2, "Number of input ports", min=2, max=16)


def _elementwise_builder(module_cls, verb):
    def build(p, input_shapes):
        first = input_shapes[0]
        for shape in input_shapes[1:]:
            if tuple(shape) != tuple(first):
                shapes = " and ".join(shape_text(s) for s in input_shapes)
                raise InputShapeError(
                    f"can only {verb} inputs of the same shape, got {shapes}; "
                    "make the branches end in the same shape"
                )
        return module_cls()

    return build


def _build_concatenate(p, input_shapes):
    rank = len(input_shapes[0])
    axis = p.axis if p.axis >= 0 else rank + p.axis
    if not 0 <= axis < rank:
        raise InputShapeError(f"axis {p.axis} does not exist for inputs of rank {rank}")
    for shape in input_shapes[1:]:
        others_agree = len(shape) == rank and all(
            a == b for i, (a, b) in enumerate(zip(shape, input_shapes[0])) if i != axis
        )
        if not others_agree:
            shapes = " and ".join(shape_text(s) for s in input_shapes)
            raise InputShapeError(
                f"inputs {shapes} differ outside axis {p.axis}; only the joined axis may differ"
            )
    return Concatenate(axis + 1)


register(
    LayerSpec(
        name="Add",
        aliases=("residual", "skip", "sum"),
        category="Merge",
        inputs="inputs",
        build=_elementwise_builder(Add, "add"),
        params=(_INPUTS,),
        help="Add inputs of the same shape (residual connections)",
    ),
    LayerSpec(
        name="Multiply",
        aliases=("product",),
        category="Merge",
        inputs="inputs",
        build=_elementwise_builder(Multiply, "multiply"),
        params=(_INPUTS,),
        help="Multiply inputs of the same shape element by element (gating)",
    ),
    LayerSpec(
        name="Subtract",
        aliases=("difference", "minus"),
        category="Merge",
        inputs=2,
        build=_elementwise_builder(Subtract, "subtract"),
        help="First input minus the second (port 0 - port 1), same shapes",
    ),
    LayerSpec(
        name="Average",
        aliases=("mean",),
        category="Merge",
        inputs="inputs",
        build=_elementwise_builder(Average, "average"),
        params=(_INPUTS,),
        help="Element-wise mean of inputs of the same shape (ensembles)",
    ),
    LayerSpec(
        name="Maximum",
        aliases=("max",),
        category="Merge",
        inputs="inputs",
        build=_elementwise_builder(Maximum, "take the maximum of"),
        params=(_INPUTS,),
        help="Element-wise maximum of inputs of the same shape",
    ),
    LayerSpec(
        name="Minimum",
        aliases=("min",),
        category="Merge",
        inputs="inputs",
        build=_elementwise_builder(Minimum, "take the minimum of"),
        params=(_INPUTS,),
        help="Element-wise minimum of inputs of the same shape",
    ),
    LayerSpec(
        name="Dot",
        aliases=("dot_product", "cosine"),
        category="Merge",
        inputs=2,
        build=_build_dot,
        input_rank=(1, 2),
        rank_hint="(features) or (steps, features)",
        example_input=(6, 8),
        help="Dot product of two inputs along an axis (similarity scores; normalize = cosine)",
        params=(
            ParamSpec(
                "axis",
                "int",
                -1,
                "Axis multiplied and summed, not counting the batch (-1 = last)",
                min=-2,
                max=1,
            ),
            ParamSpec("normalize", "bool", False, "L2-normalise both first (cosine similarity)"),
        ),
        label=lambda p: f"axis {p.axis}" + (" cosine" if p.normalize else ""),
    ),
    LayerSpec(
        name="Scale",
        aliases=("mul", "SqueezeExcitationScale"),
        category="Merge",
        inputs=2,
        build=_build_scale,
        example_input=(3, 1, 1),
        help="Multiply two inputs whose shapes broadcast: a feature map by its per-channel "
        "weights (C, H, W) x (C, 1, 1), the gate of squeeze-and-excitation",
    ),
    LayerSpec(
        name="Concatenate",
        aliases=("cat", "concat"),
        category="Merge",
        inputs="inputs",
        build=_build_concatenate,
        params=(
            # More ports than the element-wise merges: a DenseNet block joins every layer's
            # output (25 in DenseNet-121's third block).
            ParamSpec("inputs", "int", 2, "Number of input ports", min=2, max=64),
            ParamSpec(
                "axis",
                "int",
                0,
                "Axis to join along, not counting the batch: 0 = channels or features, -1 = last",
                min=-8,
                max=8,
            ),
        ),
        help="Join inputs along an axis (inception blocks, skip connections)",
        label=lambda p: f"axis {p.axis}",
    ),
)
