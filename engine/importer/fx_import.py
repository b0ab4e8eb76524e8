"""Import a PyTorch `nn.Module` as an editable graph: trace it with torch.fx, map every module
and function to a registry layer, keep the module hierarchy as blocks, lay it out, copy weights.

Steps: (1) trace (leaf modules are the ones `mapping.MODULES` knows, plus torch's own); (2) one
node per call, its id the module path (`layer1_0_conv1`), its inputs the call's tensor
arguments; (3) every module owning two or more nodes becomes a block, deepest first
(`layer1_0` inside `layer1`), where the graph allows one (one output); (4) ids inside a block
lose the block's prefix (`conv1`); (5) the project is compiled and each node's module takes the
original module's state dict. Anything that does not map fails with the module path and why.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field

import torch
from torch import fx, nn

from ..block_edit import group
from ..blocks import BLOCK_TYPE
from ..compiler import compile_graph
from ..graph import RESERVED_NAMES, Graph, GraphError
from ..layout import apply_layout
from ..project import Project
from .mapping import FUNCTIONS, MODULES, Unmappable, tensor_inputs


class ModelImportError(ValueError):
    """A model that cannot be imported; the message names the module path and the reason."""


@dataclass
class Imported:
    project: Project
    state: dict[str, torch.Tensor]  # the compiled project's state dict (weights copied)
    sources: dict[str, str] = field(default_factory=dict)  # our module path -> original path
    max_difference: float | None = None  # against the imported file itself, where one was read
    module: nn.Module | None = None  # the compiled project holding `state`


class _Tracer(fx.Tracer):
    def is_leaf_module(self, module: nn.Module, qualified_name: str) -> bool:
        return type(module) in MODULES or super().is_leaf_module(module, qualified_name)


def _trace(model: nn.Module, name: str) -> fx.Graph:
    tracer = _Tracer()
    try:
        return tracer.trace(model)
    except Exception as error:  # noqa: BLE001 - any tracing failure is reported the same way
        where = (
            next(reversed(tracer.module_stack.values()), ("",))[0] if tracer.module_stack else ""
        )
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ModelImportError(
            f"{name}: {where or 'the model'} cannot be traced by torch.fx ({first[:300]}); "
            "control flow that depends on the input's values cannot become a graph"
        ) from None


def _identifier(text: str, taken) -> str:
    base = re.sub(r"\W", "_", text).strip("_") or "layer"
    if base[0].isdigit() or keyword.iskeyword(base) or base in RESERVED_NAMES:
        base = f"layer_{base}"
    candidate, index = base, 1
    while candidate in taken:
        candidate, index = f"{base}_{index}", index + 1
    return candidate


def _owner(node: fx.Node) -> tuple[str, ...]:
    stack = node.meta.get("nn_module_stack") or {}
    if not stack:
        return ()
    path = list(stack.values())[-1][0]
    return tuple(path.split(".")) if path else ()


def _map(model: nn.Module, node: fx.Node, name: str):
    """(layer type, params, module path of the node, the module's path for its weights)."""
    if node.op == "call_module":
        module = model.get_submodule(node.target)
        mapper = MODULES.get(type(module))
        where = f"{name}: {node.target} ({type(module).__name__})"
        if mapper is None:
            raise ModelImportError(f"{where}: no NeuroCanvas layer does what this module does")
        try:
            layer, params = mapper(module)
        except Unmappable as error:
            raise ModelImportError(f"{where}: {error}") from None
        return layer, params, tuple(node.target.split(".")), node.target
    owner = _owner(node)
    what = node.target if isinstance(node.target, str) else getattr(node.target, "__name__", "?")
    where = f"{name}: {'.'.join(owner) or 'the model'} calls {what}"
    mapper = FUNCTIONS.get(node.target)
    if mapper is None:
        raise ModelImportError(f"{where}, which no NeuroCanvas layer does")
    try:
        layer, params = mapper(node.args, node.kwargs)
    except Unmappable as error:
        raise ModelImportError(f"{where}: {error}") from None
    return layer, params, (*owner, what), None


def _flat_graph(model: nn.Module, fx_graph: fx.Graph, input_shape, name: str):
    graph = Graph()
    ids: dict[fx.Node, str] = {}
    paths: dict[str, tuple[str, ...]] = {}
    sources: dict[str, str] = {}
    for node in fx_graph.nodes:
        if node.op == "placeholder":
            if ids:
                raise ModelImportError(f"{name}: only models with one input can be imported")
            ids[node] = graph.add_node("Input", {"shape": tuple(input_shape)}, node_id="x").id
            paths["x"] = ()
            continue
        if node.op == "output":
            if not isinstance(node.args[0], fx.Node):
                raise ModelImportError(f"{name}: the model returns several values; one is needed")
            continue
        if node.op == "get_attr":
            raise ModelImportError(f"{name}: {node.target} is a tensor used directly in forward")
        layer, params, path, source = _map(model, node, name)
        inputs = tensor_inputs(node.args)
        node_id = _identifier("_".join(path), graph.nodes)
        added = graph.add_node(layer, params, node_id=node_id)
        if added.input_count() != len(inputs):  # x + 1, x * 0.5: a constant, not a layer's input
            raise ModelImportError(
                f"{name}: {'.'.join(path)} takes {len(inputs)} tensor(s) where {layer} takes "
                f"{added.input_count()} (a constant operand has no NeuroCanvas layer)"
            )
        for port, source_node in enumerate(inputs):
            graph.add_edge(_edge(ids[source_node], node_id, port))
        ids[node], paths[node_id] = node_id, path[:-1]
        if source:
            sources[node_id] = source
    return graph, paths, sources


def _edge(src: str, dst: str, port: int):
    from ..graph import Edge

    return Edge((src, 0), (dst, port))


def _group_modules(graph: Graph, paths: dict[str, tuple[str, ...]]) -> None:
    """Every module owning two or more nodes becomes a block, deepest modules first."""
    owners = {path[:depth] for path in paths.values() for depth in range(1, len(path) + 1)}
    for owner in sorted(owners, key=len, reverse=True):
        members = [i for i in graph.nodes if paths.get(i, ())[: len(owner)] == owner]
        if len(members) < 2:
            continue
        block_id = _identifier("_".join(owner), graph.nodes)
        try:
            group(graph, members, block_id=block_id)
        except GraphError:
            continue  # e.g. a module whose inner values leave it twice: kept flat
        paths[block_id] = owner


def _shorten(graph: Graph, prefix: str, path: str, sources: dict, found: dict) -> None:
    """Drop the block's prefix from ids inside it; record each weighted node's module path."""
    for node_id in list(graph.nodes):
        new_id = node_id
        short = node_id.removeprefix(prefix) if prefix else node_id
        if short != node_id and short not in graph.nodes:
            candidate = _identifier(short, graph.nodes)
            if candidate == short:
                graph.rename_node(node_id, short)
                new_id = short
        node = graph.nodes[new_id]
        if node_id in sources:
            found[f"{path}{new_id}"] = sources[node_id]
        if node.type == BLOCK_TYPE:
            body = node.params["graph"]
            _shorten(body, f"{node_id}_", f"{path}{new_id}.", sources, found)


def _lay_out(graph: Graph) -> None:
    order = graph.topological_order() or list(graph.nodes)
    graph.nodes = {node_id: graph.nodes[node_id] for node_id in order}  # the file reads in order
    apply_layout(graph)
    for node in graph:
        if node.type == BLOCK_TYPE:
            _lay_out(node.params["graph"])


def import_module(
    model: nn.Module,
    input_shape,
    name: str = "imported",
    copy_weights: bool = True,
    fx_graph: fx.Graph | None = None,
) -> Imported:
    """The project for `model` (traced in eval mode) with its weights copied (`copy_weights`
    False: the graph only, e.g. for a model built on the meta device; `state` is then empty).
    `fx_graph`: the model's graph when it is already one (an ONNX file's), not traced again."""
    model = model.eval()
    fx_graph = fx_graph if fx_graph is not None else _trace(model, name)
    graph, paths, sources = _flat_graph(model, fx_graph, input_shape, name)
    _group_modules(graph, paths)
    found: dict[str, str] = {}
    _shorten(graph, "", "", sources, found)
    _lay_out(graph)
    project = Project(name=name, description=f"Imported from {name}", graph=graph)
    if not copy_weights:
        return Imported(project, {}, found)
    compiled = compile_graph(graph, seed=0)
    for ours, theirs in found.items():
        compiled.get_submodule(ours).load_state_dict(model.get_submodule(theirs).state_dict())
    state = {key: value.detach().clone() for key, value in compiled.state_dict().items()}
    return Imported(project, state, found, module=compiled)
