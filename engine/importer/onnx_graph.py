"""An ONNX graph as a torch.fx GraphModule of standard torch modules, for the importer.

Each ONNX node becomes the torch module or function it computes (Conv -> `nn.Conv2d` holding
the initializer's weights, Add -> `operator.add`, ...), so `fx_import` maps it to a registry layer
as it maps a traced PyTorch model. Module paths come from the weights' names (`layer1.0.conv1.
weight`) or the node's scope (the TorchScript exporter's `/layer1/layer1.0/Add`, the dynamo
exporter's `namespace` metadata): the module hierarchy survives as blocks.

Values computed only from constants and shapes (`Shape`, `Gather`, `Concat` of sizes: how
`x.view(x.size(0), -1)` exports) are not tensors of the network: they are kept as `_Shape`
markers, and a Reshape fed by one takes its target from ONNX's shape inference. Anything else with no torch equivalent fails naming the ONNX node and why.
"""

from __future__ import annotations

import contextlib
import re

import torch
from torch import fx, nn

from .mapping import Unmappable


class _Shape:
    """A value derived from shapes and constants only (no tensor of the network)."""


_SHAPE = _Shape()
_PASS_THROUGH = {"Identity", "Dropout"}  # inference: the input unchanged


def _attrs(node) -> dict:
    from onnx import helper

    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def _segments(text: str) -> list[str]:
    """Module path segments from scope names, each maybe dotted in full (`layer1.0`)."""
    path: list[str] = []
    for part in text:
        if path and part.startswith(".".join(path) + "."):
            path = part.split(".")
        else:
            path += [piece for piece in part.split(".") if piece]
    return path


def _scope(node) -> list[str]:
    """The module path the node was exported from, without its own op."""
    for prop in node.metadata_props:
        if prop.key == "namespace":  # dynamo exporter: ": Root/layer1: Sequential/add: aten.add"
            names = [item.split(":")[0].strip() for item in prop.value.split("/")]
            return _segments([n for n in names[:-1] if n])
    if node.name.startswith("/"):  # TorchScript exporter: /layer1/layer1.0/conv1/Conv
        return _segments([n for n in node.name.split("/")[:-1] if n])
    return []


def _clean(segment: str) -> str:
    return re.sub(r"\W", "_", segment).strip("_") or "layer"


class OnnxConverter:
    """Walks an (inferred-shape) ONNX model once, building the fx graph and module tree."""

    def __init__(self, model, name: str):
        from onnx import numpy_helper, shape_inference

        with contextlib.suppress(Exception):  # shapes only refine Reshape: go on without them
            model = shape_inference.infer_shapes(model, data_prop=True)
        self.model, self.name = model, name
        self.graph, self.root = fx.Graph(), nn.Module()
        self.values: dict[str, object] = {
            init.name: torch.from_numpy(numpy_helper.to_array(init).copy())
            for init in model.graph.initializer
        }
        self.shapes = {
            info.name: [d.dim_value if d.HasField("dim_value") else None for d in dims]
            for info in [*model.graph.value_info, *model.graph.output, *model.graph.input]
            if info.type.tensor_type.HasField("shape")
            for dims in [info.type.tensor_type.shape.dim]
        }
        self.leaves: set[str] = set()
        self.containers: set[str] = set()
        self.sigmoid_of: dict[fx.Node, fx.Node] = {}

    # -- values ------------------------------------------------------------------------
    def tensor(self, onnx_node, index: int) -> fx.Node:
        value = self.values.get(onnx_node.input[index])
        if not isinstance(value, fx.Node):
            raise Unmappable(f"input {index} is a constant where a layer needs a tensor")
        return value

    def const(self, onnx_node, index: int, default=None) -> torch.Tensor | None:
        if index >= len(onnx_node.input) or not onnx_node.input[index]:
            return default
        value = self.values.get(onnx_node.input[index])
        if not isinstance(value, torch.Tensor):
            raise Unmappable(f"input {index} must be a constant (a weight) here")
        return value

    # -- building ----------------------------------------------------------------------
    def module(self, onnx_node, module: nn.Module, inputs, weight_index: int | None = 1):
        target = self._install(self._module_path(onnx_node, weight_index), module)
        return self.graph.call_module(target, tuple(inputs))

    def function(self, onnx_node, fn, args) -> fx.Node:
        created = self.graph.call_function(fn, tuple(args))
        scope = ".".join(_clean(s) for s in _scope(onnx_node))
        if scope:  # where fx_import looks for a function's owning module
            created.meta["nn_module_stack"] = {scope: (scope, nn.Module)}
        return created

    def _module_path(self, onnx_node, weight_index) -> list[str]:
        if weight_index is not None and weight_index < len(onnx_node.input):
            weight = onnx_node.input[weight_index]
            if weight.endswith(".weight") and re.fullmatch(r"[\w.]+", weight):
                return weight.removesuffix(".weight").split(".")
        scope = _scope(onnx_node)
        return scope or [onnx_node.op_type.lower()]

    def _install(self, segments: list[str], module: nn.Module) -> str:
        segments = [_clean(s) for s in segments]
        prefixes = {".".join(segments[:i]) for i in range(1, len(segments))}
        if prefixes & self.leaves:  # a leaf module cannot also hold others
            segments = ["_".join(segments)]
        base, index = list(segments), 1
        while ".".join(segments) in self.leaves | self.containers:
            segments = [*base[:-1], f"{base[-1]}_{index}"]
            index += 1
        parent = self.root
        for i, segment in enumerate(segments[:-1]):
            if not hasattr(parent, segment):
                parent.add_module(segment, nn.Module())
            parent = getattr(parent, segment)
            self.containers.add(".".join(segments[: i + 1]))
        parent.add_module(segments[-1], module)
        target = ".".join(segments)
        self.leaves.add(target)
        return target

    # -- the walk ----------------------------------------------------------------------
    def convert(self) -> tuple[fx.GraphModule, tuple[int, ...] | None]:
        from .onnx_ops import OPS

        inputs = [i for i in self.model.graph.input if i.name not in self.values]
        if len(inputs) != 1:
            raise Unmappable(f"the graph has {len(inputs)} inputs; one is needed")
        self.values[inputs[0].name] = self.graph.placeholder("x")
        for onnx_node in self.model.graph.node:
            where = f"{onnx_node.name or onnx_node.op_type} ({onnx_node.op_type})"
            try:
                result = self._node(onnx_node, OPS)
            except Unmappable as error:
                raise Unmappable(f"ONNX node {where}: {error}") from None
            for output in onnx_node.output[:1]:
                self.values[output] = result
        outputs = list(self.model.graph.output)
        if len(outputs) != 1 or not isinstance(self.values.get(outputs[0].name), fx.Node):
            raise Unmappable("the graph must return one tensor")
        self.graph.output(self.values[outputs[0].name])
        module = fx.GraphModule(self.root, self.graph)
        module.graph.eliminate_dead_code()  # a Sigmoid folded into SiLU
        module.delete_all_unused_submodules()
        module.recompile()
        return module, _input_shape(inputs[0])

    def _node(self, onnx_node, ops):
        op = onnx_node.op_type
        given = [self.values.get(name) for name in onnx_node.input if name]
        if op == "Constant":
            return _constant(onnx_node)
        if op in _PASS_THROUGH:
            return given[0]
        if op == "Shape" or not any(isinstance(v, fx.Node) for v in given):
            return _SHAPE  # sizes and constants only: computed by the layers themselves
        handler = ops.get(op)
        if handler is None:
            raise Unmappable("no NeuroCanvas layer computes this operator")
        return handler(self, onnx_node, _attrs(onnx_node))

    def rank(self, name: str) -> int | None:
        shape = self.shapes.get(name)
        return None if shape is None else len(shape)

    def sizes(self, name: str) -> list[int] | None:
        """A value's sizes after the batch axis, where shape inference knows them all."""
        shape = self.shapes.get(name)
        if not shape or any(size is None for size in shape[1:]):
            return None
        return [int(size) for size in shape[1:]]


def _constant(onnx_node) -> torch.Tensor:
    from onnx import numpy_helper

    attrs = {a.name: a for a in onnx_node.attribute}
    if "value" not in attrs:
        raise Unmappable("a Constant without a tensor value")
    return torch.from_numpy(numpy_helper.to_array(attrs["value"].t).copy())


def _input_shape(value_info) -> tuple[int, ...] | None:
    dims = value_info.type.tensor_type.shape.dim[1:]
    sizes = tuple(int(d.dim_value) for d in dims)
    return sizes if sizes and all(s > 0 for s in sizes) else None
