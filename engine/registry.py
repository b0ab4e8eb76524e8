"""The layer registry: one declarative `LayerSpec` per layer type.

The palette lists it, the inspector builds its forms from the `ParamSpec`s, the compiler calls
`build`, and the project file stores a node's `type` plus its `params`. What other modules need to
know about a layer is a field of its spec too: whether it keeps its input's shape (shape inference
skips running it), whether it is an output head the trainer folds into the loss, whether it is a
Keras-style `activation=` choice, which warnings it raises and what input the tests feed it. Adding
a layer means adding one `LayerSpec` to a module in `engine/layers/` and nothing else
(docs/adding-a-layer.md).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType, SimpleNamespace
from typing import Any

import torch
from torch import nn

AUTO = "auto"
Shape = tuple[int, ...]

PARAM_KINDS = ("int", "float", "bool", "choice", "shape", "ints", "graph", "mapping")
# Kinds that hold structure rather than a value typed in a form (a block's body and its exposed
# parameters): the inspector shows no field for them.
STRUCTURE_KINDS = ("graph", "mapping")


class ParamError(ValueError):
    """A parameter value that does not fit its `ParamSpec`; the message is for the user."""


class InputShapeError(ValueError):
    """Raised by a `build` function whose inputs cannot work together; the message is for the user."""


class BodyError(InputShapeError):
    """A problem inside a block's body: the message starts with the inner node's id, and the
    block that catches it puts its own id in front ("inception_3a > branch1x1: ...")."""

    def __init__(self, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.fix = fix


@dataclass(frozen=True)
class ParamSpec:
    """One parameter of a layer: its kind, default, valid range or choices and a help line.

    `kind` is one of PARAM_KINDS. `auto=True` also admits the string "auto" (resolved later from data).
    `ints`: one whole number for every axis (3) or one per axis (3, 5), as `lengths` allows; a
    single number stays an int, so files written when the parameter was an int still load.
    """

    name: str
    kind: str
    default: Any
    help: str
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = ()
    auto: bool = False
    synonyms: Mapping[str, str] = field(default_factory=dict)  # other names of choices (Keras')
    lengths: tuple[int, ...] = ()  # kind "ints": how many numbers a tuple may hold
    # Makes the default when it is a mutable value (a block's body), so nodes never share one.
    factory: Callable[[], Any] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in PARAM_KINDS:
            raise ValueError(f"unknown parameter kind {self.kind!r}")

    @property
    def editable(self) -> bool:
        """Whether the inspector offers a field for it (not a block's body or its mapping)."""
        return self.kind not in STRUCTURE_KINDS

    def make_default(self) -> Any:
        return self.factory() if self.factory is not None else self.default

    def coerce(self, value: Any) -> Any:
        """Return `value` converted to this parameter's type, or raise ParamError saying why."""
        if self.auto and value == AUTO:
            return AUTO
        convert = _COERCERS[self.kind]
        result = convert(self, value)
        self._check_range(result)
        return result

    def _check_range(self, value: Any) -> None:
        numbers = value if isinstance(value, tuple) else (value,)
        if self.kind not in ("int", "float", "shape", "ints"):
            return
        for number in numbers:
            if self.min is not None and number < self.min:
                raise ParamError(
                    f"{self.name} must be at least {_fmt(self.min)}, got {_fmt(number)}"
                )
            if self.max is not None and number > self.max:
                raise ParamError(
                    f"{self.name} must be at most {_fmt(self.max)}, got {_fmt(number)}"
                )

    def describe_range(self) -> str:
        """A short text of what is allowed, for tooltips and error messages."""
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        if self.min is not None and self.max is not None:
            return f"{_fmt(self.min)} to {_fmt(self.max)}"
        if self.min is not None:
            return f">= {_fmt(self.min)}"
        return self.kind


def _fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


def _coerce_int(spec: ParamSpec, value: Any) -> int:
    if isinstance(value, bool):
        raise ParamError(f"{spec.name} must be a whole number, got {value!r}")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    if isinstance(value, int):
        return value
    raise ParamError(f"{spec.name} must be a whole number, got {value!r}")


def _coerce_float(spec: ParamSpec, value: Any) -> float:
    if isinstance(value, bool):
        raise ParamError(f"{spec.name} must be a number, got {value!r}")
    try:
        result = float(value)
    except (TypeError, ValueError):
        raise ParamError(f"{spec.name} must be a number, got {value!r}") from None
    if not math.isfinite(result):
        raise ParamError(f"{spec.name} must be a finite number, got {value!r}")
    return result


def _coerce_bool(spec: ParamSpec, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ParamError(f"{spec.name} must be true or false, got {value!r}")


def _coerce_choice(spec: ParamSpec, value: Any) -> str:
    if value in spec.choices:
        return value
    if isinstance(value, str) and value in spec.synonyms:  # e.g. Keras' "swish" for "silu"
        return spec.synonyms[value]
    raise ParamError(f"{spec.name} must be one of {', '.join(spec.choices)}; got {value!r}")


def _coerce_shape(spec: ParamSpec, value: Any) -> Shape:
    if isinstance(value, str):
        parts = value.replace("x", ",").replace("(", "").replace(")", "").split(",")
        value = [part for part in (p.strip() for p in parts) if part]
    if not isinstance(value, (list, tuple)) or not value:
        raise ParamError(f"{spec.name} must be a list of sizes such as [1, 28, 28], got {value!r}")
    sizes = []
    for item in value:
        try:
            sizes.append(_coerce_int(spec, item))
        except ParamError:
            raise ParamError(f"{spec.name} must hold whole numbers, got {item!r}") from None
    return tuple(sizes)


def _coerce_ints(spec: ParamSpec, value: Any) -> int | Shape:
    if isinstance(value, (list, tuple, str)) and not (
        isinstance(value, str) and value.strip().lstrip("-").isdigit()
    ):
        sizes = _coerce_shape(spec, value)
        if len(sizes) == 1:
            return sizes[0]
        if len(sizes) not in spec.lengths:
            counts = " or ".join(str(n) for n in spec.lengths)
            raise ParamError(
                f"{spec.name} takes one number or {counts} (one per axis), got {len(sizes)}"
            )
        return sizes
    return _coerce_int(spec, value)


def _coerce_graph(spec: ParamSpec, value: Any) -> Any:
    # Duck-typed: the registry sits below graph.py, which imports it.
    if not (hasattr(value, "nodes") and hasattr(value, "edges") and hasattr(value, "to_dict")):
        raise ParamError(f"{spec.name} must be a graph (a block's body), got {value!r}")
    return value


def _coerce_mapping(spec: ParamSpec, value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping) or not all(
        isinstance(key, str) and isinstance(item, str) for key, item in value.items()
    ):
        raise ParamError(f"{spec.name} must map names to names, got {value!r}")
    return dict(value)


_COERCERS: dict[str, Callable[[ParamSpec, Any], Any]] = {
    "int": _coerce_int,
    "float": _coerce_float,
    "bool": _coerce_bool,
    "choice": _coerce_choice,
    "shape": _coerce_shape,
    "ints": _coerce_ints,
    "graph": _coerce_graph,
    "mapping": _coerce_mapping,
}

BuildFn = Callable[[SimpleNamespace, Sequence[Shape]], nn.Module]
# (input shapes, output shape) -> (message, fix) of a warning on the node, or None.
WarningFn = Callable[[Sequence[Shape], Shape], tuple[str, str] | None]

# Example sample shapes by the rank a layer wants (batch excluded), for layers that name none.
EXAMPLE_BY_RANK: Mapping[int, Shape] = MappingProxyType({1: (8,), 2: (6, 8), 3: (3, 12, 12)})


@dataclass(frozen=True)
class OutputHead:
    """A final activation the trainer folds into its loss (it trains from the logits).

    `kind` names it in objectives and checkpoints, `loss` is the loss it folds into, and
    `probabilities` is False when it outputs log-probabilities instead."""

    kind: str
    loss: str
    probabilities: bool = True


@dataclass(frozen=True)
class LayerSpec:
    """A layer type. `inputs` is the number of input ports, or the name of the int parameter that sets
    it (merges). `input_rank` is the rank (batch excluded) each input must have, when it matters, and
    `rank_hint` names those axes for messages. `label` gives the key settings shown on a node.

    `shape_preserving`: the output has the input's shape, so shape inference need not run it.
    `head`: set on a final activation that the trainer can fold into a loss.
    `fused_as`: the name under which Dense and the convolutions offer it as `activation=`; such a
    layer must build from its defaults without input shapes.
    `warning`: a check on the inferred shapes that puts a warning on the node.
    `example_input`: one sample's shape the registry-wide tests feed it (default: by `input_rank`).
    `legacy_params`: values for params missing from a project file of format version 1, when the
    param was added later with a default that builds something else (RNN biases).
    """

    name: str
    category: str
    help: str
    build: BuildFn | None
    params: tuple[ParamSpec, ...] = ()
    # A count, the name of the int param that sets it (merges), or a function of the params
    # (a block: its body's Input nodes).
    inputs: int | str | Callable[[Mapping[str, Any]], int] = 1
    input_rank: tuple[int, ...] = ()
    rank_hint: str = ""
    input_dtype: str = "float"
    label: Callable[[SimpleNamespace], str] | None = None
    aliases: tuple[str, ...] = ()  # names from Keras/PyTorch a learner may search for
    shape_preserving: bool = False
    head: OutputHead | None = None
    fused_as: str = ""
    warning: WarningFn | None = None
    example_input: Shape | None = None
    legacy_params: Mapping[str, Any] = field(default_factory=dict)
    # alias -> defaults a file naming the layer so gets (Keras' BatchNormalization: eps 1e-3)
    alias_defaults: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    param_index: Mapping[str, ParamSpec] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "param_index", MappingProxyType({p.name: p for p in self.params}))

    @property
    def is_source(self) -> bool:
        return self.inputs == 0

    def input_count(self, params: Mapping[str, Any]) -> int:
        """How many input ports a node of this type has with these params."""
        if isinstance(self.inputs, int):
            return self.inputs
        if callable(self.inputs):
            return self.inputs(params)
        spec = self.param_index[self.inputs]
        # Checked against its range: a file asking for 10**8 ports would loop for minutes.
        return spec.coerce(params.get(self.inputs, spec.default))

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.make_default() for p in self.params}

    def coerce_params(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Full, typed params (defaults filled in). Raises ParamError naming the first bad one."""
        unknown = sorted(set(params) - set(self.param_index))
        if unknown:
            known = ", ".join(self.param_index) or "none"
            raise ParamError(f"{self.name} has no parameter {unknown[0]!r} (it has: {known})")
        merged = self.defaults() | dict(params)
        return {name: self.param_index[name].coerce(value) for name, value in merged.items()}

    def example(self) -> tuple[Shape, str]:
        """(shape of one sample, dtype) of an input this layer accepts with its default params."""
        dtype = "int64" if self.input_dtype == "int64" else "float32"
        if self.example_input is not None:
            return self.example_input, dtype
        rank = self.input_rank[-1] if self.input_rank else 3
        return EXAMPLE_BY_RANK[rank], dtype

    def describe(self, params: Mapping[str, Any]) -> str:
        """The node caption, e.g. 'Conv2d 16@5x5 relu'."""
        if self.label is None:
            return self.name
        return f"{self.name} {self.label(SimpleNamespace(**params))}".strip()


_REGISTRY: dict[str, LayerSpec] = {}
_MODULE_TYPES: dict[str, type[nn.Module]] = {}
_DERIVED: dict[str, Any] = {}  # lists computed from the specs; cleared by register()


def register(*specs: LayerSpec) -> None:
    for spec in specs:
        if spec.name in _REGISTRY:
            raise ValueError(f"layer {spec.name!r} registered twice")
        if spec.fused_as and any(other.fused_as == spec.fused_as for other in _REGISTRY.values()):
            raise ValueError(f"activation name {spec.fused_as!r} used twice")
        _REGISTRY[spec.name] = spec
    _DERIVED.clear()


_LOADED = False


def _ensure_loaded() -> None:
    # The layer modules register themselves on import; importing here keeps callers simple. Once
    # done, a flag: the import statement alone cost ~2 us, on every node of every analysis.
    global _LOADED
    if not _LOADED:
        from . import layers  # noqa: F401

        _LOADED = True


def get(name: str) -> LayerSpec:
    _ensure_loaded()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown layer type {name!r}") from None


def has(name: str) -> bool:
    _ensure_loaded()
    return name in _REGISTRY


def type_candidates(name: str) -> list[str]:
    """The layer types `name` can mean in a project file: itself, or the layers listing it as an
    alias (Keras' `Conv2D`, PyTorch's `Linear`); several when layers share an alias
    (`BatchNormalization`: 1-D or 2-D, which only the input's rank tells); none when unknown."""
    _ensure_loaded()
    if name in _REGISTRY:
        return [name]
    if "aliases" not in _DERIVED:
        index: dict[str, list[str]] = {}
        for spec in _REGISTRY.values():
            for alias in spec.aliases:
                index.setdefault(alias, []).append(spec.name)
        _DERIVED["aliases"] = index
    return list(_DERIVED["aliases"].get(name, []))


def resolve_type(name: str) -> str:
    """The one canonical layer type for `name`; KeyError when unknown or shared (naming both)."""
    owners = type_candidates(name)
    if len(owners) == 1:
        return owners[0]
    if owners:
        raise KeyError(f"{name!r} could be {' or '.join(owners)}; write one of these types")
    raise KeyError(f"unknown layer type {name!r}")


def all_specs() -> list[LayerSpec]:
    _ensure_loaded()
    return list(_REGISTRY.values())


CATEGORY_ORDER = (
    "Input",
    "Core",
    "Convolution",
    "Pooling",
    "Normalization",
    "Recurrent",
    "TimeDistributed",
    "Activation",
    "Merge",
    "Reshape",
)


def by_category() -> dict[str, list[LayerSpec]]:
    """Specs grouped by category in palette order."""
    groups: dict[str, list[LayerSpec]] = {}
    for spec in all_specs():
        groups.setdefault(spec.category, []).append(spec)
    order = {name: i for i, name in enumerate(CATEGORY_ORDER)}
    return dict(sorted(groups.items(), key=lambda item: order.get(item[0], len(order))))


def fused_activations() -> dict[str, LayerSpec]:
    """The layers offered as a Keras-style `activation=` choice, by that name, in registry order."""
    return {spec.fused_as: spec for spec in all_specs() if spec.fused_as}


def module_type(spec: LayerSpec) -> type[nn.Module]:
    """The class of the module `spec` builds (from its defaults and example input, on meta)."""
    if spec.name not in _MODULE_TYPES:
        shape, _ = spec.example()
        params = SimpleNamespace(**spec.defaults())
        with torch.device("meta"):
            module = spec.build(params, [shape] * spec.input_count(spec.defaults()))
        if type(module) is nn.Sequential:
            # Modules are recognised by class (fused activations sit inside a Sequential), and
            # every Sequential would then count as this layer.
            raise ValueError(f"{spec.name} must build one module class, not an nn.Sequential")
        _MODULE_TYPES[spec.name] = type(module)
    return _MODULE_TYPES[spec.name]


def shape_preserving_types() -> tuple[type[nn.Module], ...]:
    """Module classes whose output has their input's shape (shape inference skips running them)."""
    if "shape_preserving" not in _DERIVED:
        specs = [spec for spec in all_specs() if spec.shape_preserving]
        _DERIVED["shape_preserving"] = tuple(module_type(spec) for spec in specs)
    return _DERIVED["shape_preserving"]


def output_heads() -> dict[str, LayerSpec]:
    """The layers that are output heads, by head kind."""
    return {spec.head.kind: spec for spec in all_specs() if spec.head is not None}


def head_of(module: nn.Module) -> OutputHead | None:
    """The output head `module` is (an instance of a head layer's module class), or None."""
    for spec in output_heads().values():
        if isinstance(module, module_type(spec)):
            return spec.head
    return None
