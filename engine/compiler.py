"""Compile a node graph into a `torch.fx.GraphModule` whose code is named after the user's nodes."""

from __future__ import annotations

import re
from types import SimpleNamespace

import torch
from torch import fx, nn

from .analysis import Analysis, Analyzer
from .graph import Graph
from .messages import capped_list
from .shapes import AutoSizes, freeze


class CompileError(ValueError):
    """The graph cannot be compiled; the message lists the problems by node."""

    def __init__(self, message: str, issues=()):
        super().__init__(message)
        self.issues = list(issues)


def compile_graph(
    graph: Graph,
    auto: AutoSizes | None = None,
    seed: int | None = None,
    analysis: Analysis | None = None,
    class_name: str = "NeuroCanvasModel",
    check_memory: bool = True,
) -> fx.GraphModule:
    """A trainable module for `graph` (on the CPU, freshly initialised; `seed` makes it repeatable).

    Inputs are the Input nodes in graph order; several output nodes give a tuple. A block's
    body compiles to a sub-module of its own (`check_memory` False: the outer graph checked it).
    """
    analysis = analysis or Analyzer().analyze(graph, auto)
    _check_compilable(graph, analysis)
    if check_memory:
        _check_weight_memory(graph, analysis)
    if seed is not None:
        torch.manual_seed(seed)
    root = nn.Module()
    fx_graph = fx.Graph()
    values: dict[str, fx.Node] = {}
    for node_id in graph.topological_order():
        node = graph.nodes[node_id]
        result = analysis.shapes[node_id]
        if node.spec.is_source:
            values[node_id] = fx_graph.placeholder(node_id)
            continue
        params = SimpleNamespace(**result.params)
        layer = node.spec.build(params, result.input_shapes)
        freeze(layer, node.trainable)
        root.add_module(node_id, layer)
        args = tuple(values[edge.src[0]] for edge in graph.inputs_of(node_id))
        values[node_id] = fx_graph.call_module(node_id, args)
    outputs = [values[node.id] for node in graph.output_nodes()]
    fx_graph.output(outputs[0] if len(outputs) == 1 else tuple(outputs))
    module = fx.GraphModule(root, fx_graph, class_name=class_name)
    module.input_names = [node.id for node in graph.input_nodes()]
    module.output_names = [node.id for node in graph.output_nodes()]
    return module


def _check_weight_memory(graph: Graph, analysis: Analysis) -> None:
    """Refuse, before allocating, weights that cannot fit in memory (a Dense of 10**11 units
    would otherwise be allocated and then initialised page by page until the process is killed).
    Each layer is built on the meta device first, which allocates nothing."""
    from .data.limits import human_bytes, memory_budget

    sizes: dict[str, int] = {}
    for node_id, node in graph.nodes.items():
        if node.spec.is_source:
            continue
        result = analysis.shapes[node_id]
        module = result.module  # built on meta by shape inference
        if module is None:
            with torch.device("meta"):
                module = node.spec.build(SimpleNamespace(**result.params), result.input_shapes)
        tensors = [*module.parameters(), *module.buffers()]
        sizes[node_id] = sum(t.numel() * t.element_size() for t in tensors)
    total, budget = sum(sizes.values()), memory_budget()
    if total > budget:
        biggest = max(sizes, key=sizes.get)
        raise CompileError(
            f"{biggest}: the network's weights would need {human_bytes(total)} "
            f"({human_bytes(sizes[biggest])} in {biggest}), more than the "
            f"{human_bytes(budget)} this machine can give; use fewer units or channels"
        )


def _check_compilable(graph: Graph, analysis: Analysis) -> None:
    if analysis.errors:
        listing = capped_list(analysis.errors, separator="; ")
        raise CompileError(
            f"The network has {len(analysis.errors)} problem(s): {listing}", analysis.errors
        )
    unknown = [node_id for node_id, result in analysis.shapes.items() if result.shape is None]
    if unknown:
        raise CompileError(
            f"Sizes set to 'auto' are not resolved yet ({capped_list(unknown)}); attach data "
            "or give the Input shape and output units explicitly"
        )


def readable_code(module: fx.GraphModule) -> str:
    """The module's forward as Python, without fx's memory-freeing `x = None` clutter, followed
    by each block's forward under its module path (`# res1 (res1.0, res1.1)` for repeats)."""
    parts = [_clean(module.code)]
    names_by_code: dict[str, list[str]] = {}
    for name, sub in module.named_modules():
        if sub is not module and isinstance(sub, fx.GraphModule):
            names_by_code.setdefault(_clean(sub.code), []).append(name)
    for code, names in names_by_code.items():
        parts.append(f"# {', '.join(names)}\n{code}")
    return "\n".join(parts)


def _clean(code: str) -> str:
    code = re.sub(r";\s+(?:\w+ = )+None", "", code)
    return "\n".join(line.rstrip() for line in code.strip().splitlines()) + "\n"
