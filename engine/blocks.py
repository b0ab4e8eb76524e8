"""Blocks: a node whose params hold a sub-graph (its body), built as a nested sub-module.

A `Block` node's params are `graph` (the body: a `Graph` in memory, its dict in the file),
`expose` (a block parameter name -> "inner_node.param", shown as the block's own) and `repeat`
(copies of the body one after another, which then must keep its input's shape). The body's
`Input` nodes, in graph order, are the block's input ports; its one output node is the block's
output. Shapes come from analysing the body with the block's input shapes bound to those Inputs,
and a problem inside is reported on the block naming the inner node: "res1 > conv1: ...".
Compiling gives one `fx.GraphModule` per body, named after the inner nodes (`res1.conv1`,
repeats `res1.0.conv1`), so state-dict keys, readable code and ONNX keep the hierarchy.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from types import SimpleNamespace
from typing import Any

from torch import fx, nn

from .graph import Graph, GraphError, Node, content_key
from .registry import BodyError, InputShapeError, ParamError, Shape
from .shape_format import shape_text

BLOCK_TYPE = "Block"
MAX_REPEAT = 64


class Repeat(nn.Sequential):
    """The copies of a repeated block's body, each with its own weights (`res1.0`, `res1.1`)."""


def default_body() -> Graph:
    """What a new Block holds: one Input passed through (edit it by opening the block)."""
    body = Graph()
    body.add_node("Input", node_id="input_1")
    body.add_node("Identity", node_id="identity_1", pos=(0.0, 110.0))
    body.connect(("input_1", 0), ("identity_1", 0))
    return body


def input_count(params: Mapping[str, Any]) -> int:
    """The block's input ports: its body's Input nodes."""
    body = params.get("graph")
    return len(body.input_nodes()) if isinstance(body, Graph) else 1


def bind(body: Graph, input_shapes: Sequence[Shape]) -> Graph:
    """A copy of `body` whose Input nodes take the block's input shapes, in order."""
    inputs = body.input_nodes()
    if len(inputs) != len(input_shapes):
        raise InputShapeError(
            f"the body has {len(inputs)} Input node(s) but the block gets {len(input_shapes)} input(s)"
        )
    bound = body.copy()
    for node, shape in zip(inputs, input_shapes):
        bound.nodes[node.id].params = bound.nodes[node.id].params | {"shape": tuple(shape)}
    return bound


def exposed_targets(body: Graph, expose: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """{block param: (inner node id, param)}; ParamError naming the entry that points nowhere."""
    targets = {}
    for name, target in expose.items():
        node_id, _, param = target.partition(".")
        node = body.nodes.get(node_id)
        if node is None or param not in node.spec.param_index:
            raise ParamError(
                f"expose {name!r} points at {target!r}, which is not a parameter of a node "
                "inside the block (write inner_node.param)"
            )
        targets[name] = (node_id, param)
    return targets


_BODY_CACHE: OrderedDict[tuple, tuple] = OrderedDict()
_BODY_CACHE_SIZE = 512


def analyze_body(body: Graph, input_shapes: Sequence[Shape]):
    """(bound body, its Analysis), both to be read only; BodyError naming the first inner node
    at fault. Kept by the body's content and input shapes: shape inference, the memory check,
    compiling and the summary each ask for it, and nested blocks would otherwise be analysed
    again at every level (an imported MobileNet: 877 analyses instead of 130)."""
    key = (content_key({"graph": body}), tuple(tuple(shape) for shape in input_shapes))
    if key in _BODY_CACHE:
        _BODY_CACHE.move_to_end(key)
        return _BODY_CACHE[key]
    result = _analyze_body(body, input_shapes)
    _BODY_CACHE[key] = result
    if len(_BODY_CACHE) > _BODY_CACHE_SIZE:
        _BODY_CACHE.popitem(last=False)
    return result


def _analyze_body(body: Graph, input_shapes: Sequence[Shape]):
    from .analysis import Analyzer

    bound = bind(body, input_shapes)
    analysis = Analyzer().analyze(bound)
    if analysis.errors:
        issue = analysis.errors[0]
        nested = issue.message.startswith(f"{issue.node_id} > ")  # a block in the block
        where = f"{issue.node_id}: " if issue.node_id and not nested else ""
        raise BodyError(f"{where}{issue.message}", issue.fix)
    outputs = bound.output_nodes()
    if len(outputs) != 1:
        names = ", ".join(node.id for node in outputs) or "none"
        raise BodyError(
            f"the body must end in exactly one node, the block's output; it ends in {names}",
            "Wire the ends together (e.g. with an Add or Concatenate) or remove the extra ones",
        )
    return bound, analysis


def build_block(p: SimpleNamespace, input_shapes: Sequence[Shape]) -> nn.Module:
    """The block's module: its compiled body, or `repeat` copies of it in a `Repeat`."""
    from .compiler import compile_graph

    exposed_targets(p.graph, p.expose)
    bound, analysis = analyze_body(p.graph, input_shapes)
    if p.repeat > 1:
        out = analysis.shape_of(bound.output_nodes()[0].id)
        if len(input_shapes) != 1 or tuple(out) != tuple(input_shapes[0]):
            raise InputShapeError(
                f"repeat {p.repeat} needs a body with one input whose output keeps its shape; "
                f"this one turns {shape_text(tuple(input_shapes[0]))} into {shape_text(out)}"
            )

    def one_copy() -> fx.GraphModule:
        return compile_graph(bound, analysis=analysis, class_name="Block", check_memory=False)

    if p.repeat == 1:
        return one_copy()
    return Repeat(*(one_copy() for _ in range(p.repeat)))


def set_exposed(graph: Graph, block_id: str, name: str, value: Any) -> None:
    """Set the block's exposed parameter `name` (the inner node's param) as one node change."""
    node = graph.node(block_id)
    body = node.params["graph"].copy()
    try:
        inner_id, param = exposed_targets(body, node.params["expose"])[name]
    except KeyError:
        raise GraphError(f"{block_id} exposes no parameter {name!r}") from None
    body.set_param(inner_id, param, value)
    graph.set_params(block_id, {"graph": body})


def exposed_values(node: Node) -> dict[str, Any]:
    """The block's exposed parameters with their current values (from the inner nodes)."""
    body = node.params["graph"]
    targets = exposed_targets(body, node.params["expose"])
    return {name: body.nodes[i].params[param] for name, (i, param) in targets.items()}


def uses_auto(body: Graph) -> bool:
    """Whether a node in the body (nested bodies too) sizes itself `auto` from the data."""
    from .registry import AUTO

    return any(
        value == AUTO
        for _, node in walk(body)
        if node.type != "Input"
        for value in node.params.values()
    )


def with_units(body: Graph, units: int) -> Graph:
    """A copy of the body with every `auto` size (a Dense's units) set to the data's `units`,
    nested bodies too, as the outer graph's auto layers get them."""
    from .registry import AUTO

    out = body.copy()
    for node in out.nodes.values():
        if node.type == BLOCK_TYPE:
            node.params = node.params | {"graph": with_units(node.params["graph"], units)}
        elif node.type != "Input":
            node.params = {k: units if v == AUTO else v for k, v in node.params.items()}
    return out


def walk(graph: Graph, prefix: str = "") -> Iterator[tuple[str, Node]]:
    """Every node with its path (`res1.conv1`), blocks' bodies included, outer nodes first."""
    for node in graph.nodes.values():
        path = f"{prefix}{node.id}"
        yield path, node
        if node.type == BLOCK_TYPE:
            yield from walk(node.params["graph"], f"{path}.")
