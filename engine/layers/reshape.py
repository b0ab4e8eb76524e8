"""Reshaping layers Keras and PyTorch users reach for: Permute, RepeatVector, Cropping, ZeroPad1d,
Squeeze/Unsqueeze, UpSampling1d. Axes are counted without the batch axis; Permute's are 1-based
as in Keras (its 1 is the first axis after the batch, which is also the torch dimension number).
"""

from __future__ import annotations

from torch import nn

from ..registry import InputShapeError, LayerSpec, ParamError, ParamSpec, register
from ..shape_format import shape_text


class Permute(nn.Module):
    """Reorder the sample's axes: `dims` are 1-based (Keras), the batch axis stays first."""

    def __init__(self, dims: tuple[int, ...]):
        super().__init__()
        self.dims = tuple(dims)

    def forward(self, x):
        return x.permute(0, *self.dims)

    def extra_repr(self) -> str:
        return f"dims={self.dims}"


class RepeatVector(nn.Module):
    """(features) -> (n, features): the vector repeated n times (seq2seq decoders)."""

    def __init__(self, n: int):
        super().__init__()
        self.n = n

    def forward(self, x):
        return x.unsqueeze(1).repeat(1, self.n, 1)

    def extra_repr(self) -> str:
        return f"n={self.n}"


class Crop(nn.Module):
    """Remove rows/columns from the edges of the last axes: (top, bottom, left, right) for images,
    (left, right) for sequences."""

    def __init__(self, sides: tuple[int, ...]):
        super().__init__()
        self.sides = tuple(sides)

    def forward(self, x):
        if len(self.sides) == 2:
            left, right = self.sides
            return x[..., left : x.shape[-1] - right]
        top, bottom, left, right = self.sides
        return x[..., top : x.shape[-2] - bottom, left : x.shape[-1] - right]

    def extra_repr(self) -> str:
        return f"sides={self.sides}"


class Squeeze(nn.Module):
    """Drop axis `dim` (batch counted), which has size 1."""

    def __init__(self, dim: int):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return x.squeeze(self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Unsqueeze(nn.Module):
    """Insert an axis of size 1 at `dim` (batch counted)."""

    def __init__(self, dim: int):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return x.unsqueeze(self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


def _build_permute(p, input_shapes):
    (shape,) = input_shapes
    if sorted(p.dims) != list(range(1, len(shape) + 1)):
        raise ParamError(
            f"dims {shape_text(p.dims)} must order the axes 1 to {len(shape)} of the input "
            f"{shape_text(shape)} (1-based, as in Keras), e.g. {shape_text(_swap(len(shape)))}"
        )
    return Permute(p.dims)


def _swap(rank: int) -> tuple[int, ...]:
    return (2, 1, *range(3, rank + 1)) if rank > 1 else (1,)


def _crop_builder(names: tuple[str, ...]):
    def build(p, input_shapes):
        (shape,) = input_shapes
        sides = tuple(getattr(p, name) for name in names)
        axes = shape[-len(names) // 2 :]
        for axis, (before, after) in zip(axes, zip(sides[::2], sides[1::2])):
            if before + after >= axis:
                raise InputShapeError(
                    f"cropping {before} + {after} leaves nothing of an axis of size {axis} "
                    f"(input {shape_text(shape)}); crop less"
                )
        return Crop(sides)

    return build


def _axis(p, rank: int, inserting: bool = False) -> int:
    """The torch dim for param `axis` (batch excluded, -1 = last), checked against the rank."""
    size = rank + 1 if inserting else rank
    axis = p.axis if p.axis >= 0 else size + p.axis
    if not 0 <= axis < size:
        raise ParamError(f"axis {p.axis} does not exist for an input of rank {rank}")
    return axis + 1


def _build_squeeze(p, input_shapes):
    (shape,) = input_shapes
    dim = _axis(p, len(shape))
    if shape[dim - 1] != 1:
        raise InputShapeError(
            f"axis {p.axis} of the input {shape_text(shape)} has size {shape[dim - 1]}, not 1; "
            "only an axis of size 1 can be dropped (use Reshape or pooling otherwise)"
        )
    return Squeeze(dim)


def _side(name: str, where: str) -> ParamSpec:
    return ParamSpec(name, "int", 1, f"Pixels removed from the {where}", min=0, max=4096)


_AXIS_HELP = "Axis, not counting the batch (0 = first, -1 = last)"

register(
    LayerSpec(
        name="Permute",
        aliases=("transpose",),
        category="Reshape",
        build=_build_permute,
        example_input=(6, 8),
        help="Reorder the axes of each sample (1-based as in Keras: 2, 1 swaps the two axes)",
        params=(ParamSpec("dims", "shape", (2, 1), "New order of the axes, 1-based", min=1),),
        label=lambda p: ",".join(map(str, p.dims)),
    ),
    LayerSpec(
        name="RepeatVector",
        category="Reshape",
        build=lambda p, s: RepeatVector(p.n),
        input_rank=(1,),
        rank_hint="(features)",
        help="Repeat a vector n times: (features) -> (n, features), e.g. before a decoder RNN",
        params=(ParamSpec("n", "int", 3, "How many times", min=1, max=100_000),),
        label=lambda p: f"x{p.n}",
    ),
    LayerSpec(
        name="Cropping1d",
        aliases=("Cropping1D",),
        category="Reshape",
        build=_crop_builder(("left", "right")),
        input_rank=(2,),
        rank_hint="(channels, length)",
        help="Remove steps from the start and end of a sequence",
        params=(_side("left", "start"), _side("right", "end")),
        label=lambda p: f"{p.left},{p.right}",
    ),
    LayerSpec(
        name="Cropping2d",
        aliases=("Cropping2D",),
        category="Reshape",
        build=_crop_builder(("top", "bottom", "left", "right")),
        input_rank=(3,),
        rank_hint="(channels, height, width)",
        help="Remove rows and columns from the edges of each image",
        params=(
            _side("top", "top"),
            _side("bottom", "bottom"),
            _side("left", "left"),
            _side("right", "right"),
        ),
        label=lambda p: f"{p.top},{p.bottom},{p.left},{p.right}",
    ),
    LayerSpec(
        name="ZeroPad1d",
        aliases=("ZeroPadding1D",),
        category="Reshape",
        build=lambda p, s: nn.ConstantPad1d((p.left, p.right), 0.0),
        input_rank=(2,),
        rank_hint="(channels, length)",
        help="Add zeros at the start and end of a sequence",
        params=(
            ParamSpec("left", "int", 1, "Zeros added at the start", min=0, max=4096),
            ParamSpec("right", "int", 1, "Zeros added at the end", min=0, max=4096),
        ),
        label=lambda p: f"{p.left},{p.right}",
    ),
    LayerSpec(
        name="Squeeze",
        category="Reshape",
        build=_build_squeeze,
        example_input=(1, 8),
        help="Drop an axis of size 1: (1, 8) -> (8)",
        params=(ParamSpec("axis", "int", 0, _AXIS_HELP, min=-8, max=8),),
        label=lambda p: f"axis {p.axis}",
    ),
    LayerSpec(
        name="Unsqueeze",
        aliases=("expand_dims",),
        category="Reshape",
        build=lambda p, s: Unsqueeze(_axis(p, len(s[0]), inserting=True)),
        help="Insert an axis of size 1: (28, 28) -> (1, 28, 28) with axis 0",
        params=(ParamSpec("axis", "int", 0, _AXIS_HELP, min=-9, max=8),),
        label=lambda p: f"axis {p.axis}",
    ),
    LayerSpec(
        name="UpSampling1d",
        aliases=("UpSampling1D",),
        category="Reshape",
        build=lambda p, s: nn.Upsample(scale_factor=float(p.size), mode="nearest"),
        input_rank=(2,),
        rank_hint="(channels, length)",
        help="Repeat each step of a sequence `size` times",
        params=(ParamSpec("size", "int", 2, "How many times longer", min=1, max=64),),
        label=lambda p: f"x{p.size}",
    ),
)
