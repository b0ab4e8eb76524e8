"""Shape inference: build each node's module on the meta device and run it; the output is the truth.

Results are cached per node by (type, params, input shapes), so after an edit only nodes whose inputs
or params changed are rebuilt: editing one node re-infers only what is downstream of it, and stops
early where the shape comes out unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import torch
from torch import fx, nn

from . import registry
from .blocks import uses_auto as body_uses_auto
from .blocks import with_units
from .graph import Edge, Graph, Node, content_key
from .issues import Issue
from .registry import AUTO, BodyError, InputShapeError, ParamError, Shape
from .shape_format import format_shape, shape_text

META_BATCH = 2  # >1 so batch statistics (BatchNorm in train mode) would also work


@dataclass(frozen=True)
class AutoSizes:
    """What `auto` resolves to once data is attached: the Input's shape and dtype, and the units of
    any Dense set to auto (classes, or regression targets)."""

    input_shape: Shape | None = None
    output_units: int | None = None
    input_dtype: str = "float32"


@dataclass
class NodeShape:
    """What inference learned about one node. `shape` is None when unknown (auto not resolved,
    an input missing, or an error, which is then in `issue`)."""

    shape: Shape | None
    dtype: str = "float32"
    params: dict[str, Any] | None = None  # typed, auto resolved
    module: nn.Module | None = None  # built on the meta device
    param_count: int = 0
    trainable_count: int = 0
    issue: Issue | None = None
    input_shapes: tuple[Shape, ...] = ()


class ShapeInference:
    """Infers every node's output shape; keep one instance per graph to reuse its cache."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[Any, NodeShape]] = {}
        self.rebuilt: list[str] = []  # node ids rebuilt by the last run (for tests and benchmarks)

    def infer(self, graph: Graph, auto: AutoSizes | None = None) -> dict[str, NodeShape]:
        order = graph.topological_order()
        if order is None:  # validation reports the cycle; nothing downstream can be known
            return {node_id: NodeShape(None) for node_id in graph.nodes}
        self.rebuilt = []
        results: dict[str, NodeShape] = {}
        incoming = graph.incoming()
        for node_id in order:
            node = graph.nodes[node_id]
            inputs = _input_results(incoming[node_id], node, results)
            results[node_id] = self._infer_node(node, inputs, auto or AutoSizes())
        for stale in set(self._cache) - set(graph.nodes):
            del self._cache[stale]
        return results

    def _infer_node(self, node: Node, inputs: list[NodeShape] | None, auto: AutoSizes) -> NodeShape:
        key = _cache_key(node, inputs, auto)
        cached = self._cache.get(node.id)
        if cached is not None and cached[0] == key:
            return cached[1]
        self.rebuilt.append(node.id)
        result = infer_node(node, inputs, auto)
        self._cache[node.id] = (key, result)
        return result


def _input_results(
    edges: list[Edge], node: Node, results: dict[str, NodeShape]
) -> list[NodeShape] | None:
    """The inferred inputs of `node` in port order, or None when a port is not (singly) wired."""
    try:
        count = node.input_count()
    except (ValueError, TypeError):
        return None
    by_port: dict[int, list[str]] = {}
    for edge in edges:
        by_port.setdefault(edge.dst[1], []).append(edge.src[0])
    if sorted(by_port) != list(range(count)) or any(len(srcs) != 1 for srcs in by_port.values()):
        return None
    return [results[by_port[port][0]] for port in range(count)]


def _cache_key(node: Node, inputs: list[NodeShape] | None, auto: AutoSizes) -> Any:
    params = content_key(node.params)  # by content: an edit inside a block's body counts
    shapes = None if inputs is None else tuple((i.shape, i.dtype) for i in inputs)
    uses_auto = node.spec.is_source or any(
        value == AUTO or (isinstance(value, Graph) and body_uses_auto(value))
        for value in node.params.values()
    )
    return (node.type, params, node.trainable, shapes, auto if uses_auto else None)


def infer_node(node: Node, inputs: list[NodeShape] | None, auto: AutoSizes) -> NodeShape:
    """Infer one node from its inputs' results (None: some input port is not wired)."""
    spec = node.spec
    try:
        params = spec.coerce_params(node.params)
    except ParamError as error:
        return NodeShape(
            None,
            issue=Issue.error(
                node.id, f"{node.type}: {error}", "Correct the value in the inspector"
            ),
        )
    params = _resolve_auto(params, auto)
    if spec.is_source:
        return _infer_input(node, params, auto)
    if inputs is None or any(result.shape is None for result in inputs) or params is None:
        return NodeShape(None)
    shapes = tuple(result.shape for result in inputs)
    problem = _input_problem(node, spec, inputs)
    if problem:
        return NodeShape(None, issue=problem, input_shapes=shapes)
    return _run_on_meta(node, spec, params, inputs)


def _resolve_auto(params: dict[str, Any], auto: AutoSizes) -> dict[str, Any] | None:
    resolved = dict(params)
    for name, value in params.items():
        if isinstance(value, Graph) and body_uses_auto(value):  # a block's auto layers
            if auto.output_units is None:
                return None
            resolved[name] = with_units(value, auto.output_units)
            continue
        if value != AUTO:
            continue
        replacement = auto.input_shape if name == "shape" else auto.output_units
        if replacement is None:
            return None if name != "shape" else resolved
        resolved[name] = tuple(replacement) if name == "shape" else replacement
    return resolved


def _infer_input(node: Node, params: dict[str, Any] | None, auto: AutoSizes) -> NodeShape:
    if params is None or params["shape"] == AUTO:
        dtype = (params or {}).get("dtype", "float32")
        waiting = Issue.warning(
            node.id,
            "The Input shape is auto: sizes appear once data is attached",
            "Load data in the Training dock's Data tab, or type the shape of one sample",
        )
        return NodeShape(None, dtype=dtype, params=params, issue=waiting)
    shape = tuple(params["shape"])
    if any(size < 1 for size in shape):
        return NodeShape(
            None,
            issue=Issue.error(
                node.id,
                f"Input shape {shape_text(shape)} has a size below 1",
                "Give every axis a positive size",
            ),
        )
    data_shape = auto.input_shape
    latent = params.get("noise", "none") != "none"  # a generator's code: not fed the data
    if (
        node.params.get("shape") != AUTO
        and data_shape is not None
        and tuple(data_shape) != shape
        and not latent
    ):
        return NodeShape(
            None,
            issue=Issue.error(
                node.id,
                f"The Input expects samples of shape {shape_text(shape)} but the data's samples "
                f"are {shape_text(tuple(data_shape))}",
                f"Set the Input shape to auto (or {format_shape(tuple(data_shape))}), or use "
                "data that fits this network",
            ),
        )
    return NodeShape(
        shape, dtype=params["dtype"], params=params, issue=_channels_last_warning(node, shape)
    )


def _channels_last_warning(node: Node, shape: Shape) -> Issue | None:
    """An image shape typed in Keras' order (28x28x1: channels last) gets a warning offering the
    channels-first shape, instead of a Conv2d later blaming its kernel for a 1-pixel-wide image."""
    if len(shape) != 3 or shape[-1] not in (1, 2, 3, 4) or min(shape[:2]) <= 4:
        return None
    channels_first = (shape[2], shape[0], shape[1])
    return Issue.warning(
        node.id,
        f"The Input shape {shape_text(shape)} looks like Keras' channels-last order "
        "(height, width, channels); NeuroCanvas images are channels first",
        f"Set the shape to {format_shape(channels_first)} "
        f"({shape[2]} channel{'s' if shape[2] > 1 else ''} of {shape[0]}x{shape[1]})",
    )


def _input_problem(node: Node, spec: registry.LayerSpec, inputs: list[NodeShape]) -> Issue | None:
    if not inputs:  # a block whose body has no Input: its build says so
        return None
    shape = inputs[0].shape
    if spec.input_rank and len(shape) not in spec.input_rank:
        return Issue.error(
            node.id,
            f"{node.type} expects input shaped {spec.rank_hint} but receives {shape_text(shape)}",
            _rank_fix(len(shape), spec.input_rank),
        )
    wants_ids = spec.input_dtype == "int64"
    gets_ids = any(result.dtype == "int64" for result in inputs)
    if wants_ids and not gets_ids:
        return Issue.error(
            node.id,
            f"{node.type} needs integer token ids but receives float values",
            "Set the Input's dtype to int64",
        )
    if gets_ids and not wants_ids:
        return Issue.error(
            node.id,
            f"{node.type} receives integer token ids",
            "Add an Embedding before it, or set the Input's dtype to float32",
        )
    return None


def _rank_fix(got: int, wanted: tuple[int, ...]) -> str:
    if got < min(wanted):
        return "Remove the Flatten before it, or add a Reshape that restores the axes"
    return "Add a Flatten (or a pooling layer) before it"


def _run_on_meta(
    node: Node, spec: registry.LayerSpec, params: dict[str, Any], inputs: list[NodeShape]
) -> NodeShape:
    shapes = tuple(result.shape for result in inputs)
    try:
        with torch.device("meta"):  # parameters are created without memory or initialisation
            module = spec.build(SimpleNamespace(**params), shapes)
        freeze(module, node.trainable)
        module.eval()
        # Run outside the device context: inputs are meta already, and the context's Python
        # dispatch hook makes every op an order of magnitude slower.
        output = meta_forward(module, [_meta_input(result) for result in inputs])
    except BodyError as error:  # names the node inside; the block adds its own name
        return NodeShape(
            None, issue=Issue.error(node.id, f"{node.id} > {error}", error.fix), input_shapes=shapes
        )
    except (InputShapeError, ParamError) as error:
        return NodeShape(
            None, issue=Issue.error(node.id, f"{node.type}: {error}", ""), input_shapes=shapes
        )
    except Exception as error:  # any PyTorch complaint becomes a message on this node
        message, fix = explain_torch_error(node.type, shapes, error)
        return NodeShape(None, issue=Issue.error(node.id, message, fix), input_shapes=shapes)
    out_shape = tuple(output.shape[1:])
    unique = {id(p): p for p in module.parameters()}.values()
    trainable = sum(p.numel() for p in unique if p.requires_grad)
    result = NodeShape(
        out_shape,
        dtype="int64" if output.dtype == torch.int64 else "float32",
        params=params,
        module=module,
        param_count=sum(p.numel() for p in unique) + _statistics_count(module),
        trainable_count=trainable,
        input_shapes=shapes,
    )
    found = spec.warning(shapes, out_shape) if spec.warning else None
    if found:
        result.issue = Issue.warning(node.id, *found)
    return result


def freeze(module: nn.Module, trainable: bool) -> None:
    """A frozen node's module: weights without gradients (so not trained, and counted as
    non-trainable, as Keras does) and its BatchNorms kept in inference mode while the network
    trains (Keras' `trainable=False` on a BatchNormalization), by a hook that runs before each
    of their forwards. Dropout inside is unaffected, as in Keras."""
    if trainable:
        return
    module.requires_grad_(False)
    for inner in module.modules():
        if isinstance(inner, nn.modules.batchnorm._NormBase):
            inner.register_forward_pre_hook(_stay_in_inference)


def _stay_in_inference(module: nn.Module, args) -> None:
    if module.training:
        module.eval()


def _statistics_count(module: nn.Module) -> int:
    """Values of the float buffers (BatchNorm's running mean and variance): Keras counts these
    moving statistics as non-trainable parameters, PyTorch keeps them as buffers. Integer buffers
    (num_batches_tracked) have no Keras counterpart, and neither have non-persistent buffers,
    which are fixed constants rather than state (the zero recurrent bias of a Keras-style LSTM)."""
    return sum(
        buffer.numel()
        for owner in module.modules()
        for name, buffer in owner._buffers.items()
        if buffer is not None
        and buffer.is_floating_point()
        and name not in owner._non_persistent_buffers_set
    )


def meta_forward(module: nn.Module, inputs: list[torch.Tensor]) -> torch.Tensor:
    """`module(*inputs)` on meta tensors, skipping modules that cannot change the shape."""
    if type(module) is nn.Sequential:
        output = inputs
        for child in module:
            output = [meta_forward(child, output)]
        return output[0]
    # Modules of shape-preserving layers (activations, dropout, norms) have slow Python meta
    # kernels, so their input is passed through instead (their parameters, sized from the input
    # shape at build time, are still counted).
    if isinstance(module, registry.shape_preserving_types()) and len(inputs) == 1:
        return inputs[0]
    if isinstance(module, fx.GraphModule):  # a block's body: its layers one by one, as here
        return _graph_forward(module, inputs)
    if type(module) is nn.Linear:
        # F.linear's meta kernel is a slow symbolic-shape path (~ms); a matmul with the same weight
        # gives the same shape and the same errors, 50x faster.
        return inputs[0] @ module.weight.t()
    return module(*inputs)


def _graph_forward(module: fx.GraphModule, inputs: list[torch.Tensor]) -> torch.Tensor:
    """Interpret a compiled body with `meta_forward` for each layer (the fast paths above)."""
    values: dict[fx.Node, Any] = {}
    remaining = iter(inputs)
    for node in module.graph.nodes:
        if node.op == "placeholder":
            values[node] = next(remaining)
        elif node.op == "output":
            return fx.node.map_arg(node.args[0], values.__getitem__)
        else:
            args = fx.node.map_arg(node.args, values.__getitem__)
            if node.op == "call_module":
                values[node] = meta_forward(module.get_submodule(node.target), list(args))
            else:
                kwargs = fx.node.map_arg(node.kwargs, values.__getitem__)
                values[node] = node.target(*args, **kwargs)
    raise ValueError("a compiled body without an output")


def _meta_input(result: NodeShape) -> torch.Tensor:
    dtype = torch.int64 if result.dtype == "int64" else torch.float32
    return torch.empty((META_BATCH, *result.shape), dtype=dtype, device="meta")


_TRANSLATIONS = [
    (
        re.compile(r"Kernel size can't be greater than actual input size"),
        "{type}: the kernel is larger than its input {shape}",
        "Use a smaller kernel_size, padding 'same', or less pooling before it",
    ),
    (
        re.compile(r"Output size is too small|output size .* too small", re.I),
        "{type}: the input {shape} is too small for this window and stride",
        "Use a smaller kernel_size or stride, or less pooling before it",
    ),
    (
        re.compile(r"pad should be at most half", re.I),
        "{type}: padding must be at most half the kernel size",
        "Lower the padding",
    ),
    (
        re.compile(r"output padding must be smaller than", re.I),
        "{type}: output_padding must be smaller than the stride",
        "Lower output_padding",
    ),
]


def explain_torch_error(
    layer_type: str, shapes: tuple[Shape, ...], error: Exception
) -> tuple[str, str]:
    """A message and fix a student can act on, for a PyTorch error raised while building/running."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    shape = " and ".join(shape_text(s) for s in shapes)
    for pattern, message, fix in _TRANSLATIONS:
        if pattern.search(str(error)):
            return message.format(type=layer_type, shape=shape), fix
    return (
        f"{layer_type} cannot take input {shape}: {text}",
        "Check this layer's settings and the layers before it",
    )
