"""The node graph: plain data (nodes, edges, positions) plus change events for views.

Nodes have readable unique ids (`dense_1`) that are also Python identifiers, so the compiler can name
modules after them. Every node has one output port (0); input ports are numbered 0..n-1.
"""

from __future__ import annotations

import keyword
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from torch import fx, nn

from . import registry

Port = tuple[str, int]

TRAINABLE_HELP = (
    "Trainable: off freezes the layer (or every layer of a block): its weights keep their values, "
    "the optimizer never gets them, and the summary counts them as non-trainable. A BatchNorm "
    "in a frozen layer also keeps its statistics, running in inference mode while the rest "
    "trains (as Keras does for trainable=False); dropout still applies."
)


@dataclass
class Node:
    id: str
    type: str
    params: dict[str, Any] = field(default_factory=dict)
    pos: tuple[float, float] = (0.0, 0.0)
    # False: frozen; its weights are not trained (and a BatchNorm in it keeps its statistics).
    trainable: bool = True

    @property
    def spec(self) -> registry.LayerSpec:
        return registry.get(self.type)

    def input_count(self) -> int:
        return self.spec.input_count(self.params)

    def to_dict(self) -> dict[str, Any]:
        data = {
            "id": self.id,
            "type": self.type,
            "params": _jsonable(self.params),
            "pos": [round(self.pos[0], 2), round(self.pos[1], 2)],
        }
        if not self.trainable:  # optional in the file: absent means trainable
            data["trainable"] = False
        return data

    def copy(self) -> Node:
        """An independent copy: a block's body is copied too (edits inside one never reach the
        other, e.g. an undo step's record)."""
        return Node(self.id, self.type, copy_params(self.params), self.pos, self.trainable)

    def __eq__(self, other: object) -> bool:
        # Bodies compare by content (two copies of a block are equal), other params by value.
        if not isinstance(other, Node):
            return NotImplemented
        return (
            self.id == other.id
            and self.type == other.type
            and tuple(self.pos) == tuple(other.pos)
            and self.trainable == other.trainable
            and params_equal(self.params, other.params)
        )

    __hash__ = None  # mutable, like the dataclass it was


@dataclass(frozen=True)
class Edge:
    src: Port  # (node id, output port)
    dst: Port  # (node id, input port)

    def to_dict(self) -> dict[str, Any]:
        return {"from": [self.src[0], self.src[1]], "to": [self.dst[0], self.dst[1]]}


@dataclass(frozen=True)
class GraphEvent:
    """What changed: kind is one of node_added, node_removed, node_changed, node_moved,
    node_renamed, edge_added, edge_removed, reset. `node_id` is the node concerned (the old id for
    renames, with the new one in `new_id`)."""

    kind: str
    node_id: str | None = None
    edge: Edge | None = None
    new_id: str | None = None


class GraphError(ValueError):
    """An edit that cannot be made; the message is for the user."""


_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Node ids become attribute names on the compiled module; these would shadow its own members
# (a node named `code` would replace GraphModule.code, `eval` the eval() method, `_modules` or
# `__dict__` the module's own bookkeeping).
RESERVED_NAMES = (
    frozenset(dir(fx.GraphModule))
    | frozenset(vars(nn.Module()))
    | {
        "code",
        "graph",
        "meta",
        "training",
    }
)


def _jsonable(params: dict[str, Any]) -> dict[str, Any]:
    return {key: _jsonable_value(value) for key, value in params.items()}


def _jsonable_value(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Graph):  # a block's body
        return value.to_dict()
    if isinstance(value, dict):
        return dict(value)
    return value


def copy_params(params: dict[str, Any]) -> dict[str, Any]:
    """A copy of a node's params deep enough for value semantics: bodies and mappings copied."""
    return {
        key: value.copy() if isinstance(value, (Graph, dict)) else value
        for key, value in params.items()
    }


def params_equal(first: dict[str, Any], second: dict[str, Any]) -> bool:
    """Params equal by content; bodies compared node by node and wire by wire."""
    if first.keys() != second.keys():
        return False
    for key, value in first.items():
        other = second[key]
        if isinstance(value, Graph) or isinstance(other, Graph):
            if not (isinstance(value, Graph) and isinstance(other, Graph) and value.same_as(other)):
                return False
        elif value != other:
            return False
    return True


def content_key(params: dict[str, Any]) -> str:
    """A text that is equal for equal params (bodies included): for caches and rename matching."""
    return repr(sorted(_jsonable(params).items()))


def _position(pos: tuple[float, float]) -> tuple[float, float]:
    x, y = float(pos[0]), float(pos[1])
    if not (math.isfinite(x) and math.isfinite(y)):
        raise GraphError(f"a card's position must be two finite numbers, not {list(pos)}")
    return x, y


def default_prefix(layer_type: str) -> str:
    """`Conv2d` -> `conv2d`, `GlobalAvgPool2d` -> `global_avg_pool2d`: the stem of new node ids."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", "_", layer_type).lower()


class Graph:
    """Nodes and edges. Edits go through methods so subscribers hear about every change."""

    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}
        self.edges: list[Edge] = []
        self._listeners: list[Callable[[GraphEvent], None]] = []

    # ---- events -------------------------------------------------------------------------------
    def subscribe(self, listener: Callable[[GraphEvent], None]) -> Callable[[], None]:
        """Call `listener(event)` after every change; returns a function that unsubscribes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _emit(self, event: GraphEvent) -> None:
        for listener in list(self._listeners):
            listener(event)

    # ---- nodes --------------------------------------------------------------------------------
    def unique_id(self, stem: str) -> str:
        """The first free `stem_N` (N from 1)."""
        index = 1
        while f"{stem}_{index}" in self.nodes:
            index += 1
        return f"{stem}_{index}"

    def add_node(
        self,
        layer_type: str,
        params: dict[str, Any] | None = None,
        pos: tuple[float, float] = (0.0, 0.0),
        node_id: str | None = None,
        trainable: bool = True,
    ) -> Node:
        spec = registry.get(layer_type)
        node_id = node_id or self.unique_id(default_prefix(layer_type))
        self._check_new_id(node_id)
        full_params = spec.defaults() | dict(params or {})
        node = Node(node_id, layer_type, full_params, _position(pos), bool(trainable))
        self.nodes[node_id] = node
        self._emit(GraphEvent("node_added", node_id))
        return node

    def _check_new_id(self, node_id: str) -> None:
        if not _IDENTIFIER.match(node_id) or keyword.iskeyword(node_id):
            raise GraphError(
                f"{node_id!r} is not a valid name: use letters, digits and _, "
                "not starting with a digit"
            )
        if node_id in RESERVED_NAMES or (node_id.startswith("__") and node_id.endswith("__")):
            raise GraphError(
                f"{node_id!r} is a reserved name in PyTorch modules; choose another, "
                f"e.g. {node_id}_layer"
            )
        if node_id in self.nodes:
            raise GraphError(f"a node named {node_id!r} already exists")

    def node(self, node_id: str) -> Node:
        try:
            return self.nodes[node_id]
        except KeyError:
            raise GraphError(f"no node named {node_id!r}") from None

    def remove_node(self, node_id: str) -> list[Edge]:
        """Remove a node and its wires; returns the removed wires (for undo)."""
        self.node(node_id)
        removed = [e for e in self.edges if node_id in (e.src[0], e.dst[0])]
        for edge in removed:
            self.remove_edge(edge)
        del self.nodes[node_id]
        self._emit(GraphEvent("node_removed", node_id))
        return removed

    def set_param(self, node_id: str, name: str, value: Any) -> None:
        self.set_params(node_id, {name: value})

    def set_params(self, node_id: str, values: dict[str, Any]) -> None:
        node = self.node(node_id)
        unknown = set(values) - set(node.spec.param_index)
        if unknown:
            raise GraphError(f"{node.type} has no parameter {sorted(unknown)[0]!r}")
        node.params = node.params | values
        self._drop_edges_beyond_ports(node)
        self._emit(GraphEvent("node_changed", node_id))

    def _drop_edges_beyond_ports(self, node: Node) -> None:
        count = node.input_count()
        for edge in [e for e in self.edges if e.dst[0] == node.id and e.dst[1] >= count]:
            self.remove_edge(edge)

    def set_trainable(self, node_id: str, trainable: bool) -> None:
        """Freeze (False) or unfreeze a node or block: its weights are trained or kept."""
        node = self.node(node_id)
        if node.trainable != bool(trainable):
            node.trainable = bool(trainable)
            self._emit(GraphEvent("node_changed", node_id))

    def notify_changed(self, node_id: str) -> None:
        """Announce `node_changed` for a node changed in place: a block whose body was edited
        (the body's own events go to the body's listeners; the outer card needs redrawing)."""
        self.node(node_id)
        self._emit(GraphEvent("node_changed", node_id))

    def move_node(self, node_id: str, pos: tuple[float, float]) -> None:
        self.node(node_id).pos = _position(pos)
        self._emit(GraphEvent("node_moved", node_id))

    def rename_node(self, old_id: str, new_id: str) -> None:
        if old_id == new_id:
            return
        node = self.node(old_id)
        self._check_new_id(new_id)
        del self.nodes[old_id]
        node.id = new_id
        self.nodes[new_id] = node
        self.edges = [
            Edge(_renamed(e.src, old_id, new_id), _renamed(e.dst, old_id, new_id))
            for e in self.edges
        ]
        self._emit(GraphEvent("node_renamed", old_id, new_id=new_id))

    # ---- edges --------------------------------------------------------------------------------
    def connection_problem(self, src: Port, dst: Port) -> str | None:
        """Why the wire src -> dst cannot be made, or None when it can."""
        if src[0] not in self.nodes or dst[0] not in self.nodes:
            return "both ends must be existing nodes"
        if src[0] == dst[0]:
            return "a node cannot feed itself"
        target = self.nodes[dst[0]]
        if src[1] != 0:
            return f"{src[0]} has a single output port"
        if not 0 <= dst[1] < target.input_count():
            return f"{target.id} ({target.type}) has no input port {dst[1] + 1}"
        if dst[0] in self.ancestors(src[0]):
            return f"wiring {src[0]} into {dst[0]} would make a cycle"
        if any(e.dst == dst for e in self.edges):
            return f"input {dst[1] + 1} of {target.id} is already connected; remove that wire first"
        return None

    def connect(self, src: Port, dst: Port) -> Edge:
        problem = self.connection_problem(src, dst)
        if problem:
            raise GraphError(problem)
        return self.add_edge(Edge(tuple(src), tuple(dst)))

    def add_edge(self, edge: Edge) -> Edge:
        """Add a wire without the connection checks (loading files, undo): validation reports
        anything wrong instead."""
        for end in (edge.src[0], edge.dst[0]):
            self.node(end)
        self.edges.append(edge)
        self._emit(GraphEvent("edge_added", edge=edge))
        return edge

    def remove_edge(self, edge: Edge) -> None:
        self.edges.remove(edge)
        self._emit(GraphEvent("edge_removed", edge=edge))

    # ---- queries ------------------------------------------------------------------------------
    def inputs_of(self, node_id: str) -> list[Edge]:
        """Wires into `node_id`, ordered by input port."""
        return sorted((e for e in self.edges if e.dst[0] == node_id), key=lambda e: e.dst[1])

    def incoming(self) -> dict[str, list[Edge]]:
        """Wires into every node, ordered by input port: one pass instead of `inputs_of` per node."""
        result: dict[str, list[Edge]] = {node_id: [] for node_id in self.nodes}
        for edge in self.edges:
            result.setdefault(edge.dst[0], []).append(edge)
        for edges in result.values():
            edges.sort(key=lambda e: e.dst[1])
        return result

    def outputs_of(self, node_id: str) -> list[Edge]:
        return [e for e in self.edges if e.src[0] == node_id]

    def successors(self, node_id: str) -> list[str]:
        return [e.dst[0] for e in self.outputs_of(node_id)]

    def ancestors(self, node_id: str) -> set[str]:
        parents: dict[str, list[str]] = {}
        for edge in self.edges:
            parents.setdefault(edge.dst[0], []).append(edge.src[0])
        seen: set[str] = set()
        stack = list(parents.get(node_id, []))
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(parents.get(current, []))
        return seen

    def descendants(self, node_id: str) -> set[str]:
        children: dict[str, list[str]] = {}
        for edge in self.edges:
            children.setdefault(edge.src[0], []).append(edge.dst[0])
        seen: set[str] = set()
        stack = list(children.get(node_id, []))
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(children.get(current, []))
        return seen

    def input_nodes(self) -> list[Node]:
        return [n for n in self.nodes.values() if n.spec.is_source]

    def output_nodes(self) -> list[Node]:
        """Nodes whose output feeds nothing: the network's outputs."""
        feeding = {e.src[0] for e in self.edges}
        return [n for n in self.nodes.values() if n.id not in feeding and not n.spec.is_source]

    def topological_order(self) -> list[str] | None:
        """Node ids with every node after its inputs (stable: insertion order breaks ties), or None
        when the graph has a cycle."""
        indegree = {node_id: 0 for node_id in self.nodes}
        children: dict[str, list[str]] = {node_id: [] for node_id in self.nodes}
        for edge in self.edges:
            indegree[edge.dst[0]] += 1
            children[edge.src[0]].append(edge.dst[0])
        ready = [node_id for node_id, degree in indegree.items() if degree == 0]
        order: list[str] = []
        while ready:
            current = ready.pop(0)
            order.append(current)
            for child in children[current]:
                indegree[child] -= 1
                if indegree[child] == 0:
                    ready.append(child)
        return order if len(order) == len(self.nodes) else None

    def __iter__(self) -> Iterator[Node]:
        return iter(self.nodes.values())

    def __len__(self) -> int:
        return len(self.nodes)

    # ---- whole-graph ------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "nodes": [n.to_dict() for n in self.nodes.values()],
            "edges": [e.to_dict() for e in self.edges],
        }

    def replace_with(self, other: Graph) -> None:
        """Take `other`'s nodes and edges (keeping subscribers) and announce a reset."""
        self.nodes = other.nodes
        self.edges = other.edges
        self._emit(GraphEvent("reset"))

    def copy(self) -> Graph:
        clone = Graph()
        for node in self.nodes.values():
            clone.nodes[node.id] = node.copy()
        clone.edges = list(self.edges)
        return clone

    def same_as(self, other: Graph) -> bool:
        """Equal content (nodes, params, positions, wires, bodies), ignoring wire order."""
        return self.to_dict()["nodes"] == other.to_dict()["nodes"] and (
            sorted(map(_edge_key, self.edges)) == sorted(map(_edge_key, other.edges))
        )


def structure_key(graph: Graph) -> tuple:
    """What the network computes (layers, params, wires), ignoring canvas positions."""
    nodes = sorted((n.id, n.type, content_key(n.params)) for n in graph.nodes.values())
    return tuple(nodes), tuple(sorted(map(_edge_key, graph.edges)))


def _edge_key(edge: Edge) -> tuple:
    return (edge.src, edge.dst)


def _renamed(port: Port, old_id: str, new_id: str) -> Port:
    return (new_id, port[1]) if port[0] == old_id else port


def chain(*layers: tuple[str, dict[str, Any]] | str, spacing: float = 100.0) -> Graph:
    """A straight sequence of layers wired one after another (tests, templates, scripts)."""
    graph = Graph()
    previous: str | None = None
    for index, layer in enumerate(layers):
        layer_type, params = (layer, {}) if isinstance(layer, str) else layer
        node = graph.add_node(layer_type, params, pos=(0.0, index * spacing))
        if previous is not None:
            graph.connect((previous, 0), (node.id, 0))
        previous = node.id
    return graph


def edges_from(pairs: Iterable[tuple[str, str]]) -> list[Edge]:
    """Edges for `(src, dst)` id pairs into successive free input ports of each destination."""
    next_port: dict[str, int] = {}
    result = []
    for src, dst in pairs:
        port = next_port.get(dst, 0)
        next_port[dst] = port + 1
        result.append(Edge((src, 0), (dst, port)))
    return result
