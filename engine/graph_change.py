"""What an edit changed in a graph, so undo and redo replay only that.

`diff(before, after)` records the nodes that differ (as copies, on each side), renames, and the
node and wire order of both states. `GraphChange.apply(graph)` takes a graph in the 'before' state
to the 'after' state through the graph's own methods, so subscribers hear fine-grained events
(`node_changed`, `edge_added`, ...) and a view updates the items concerned instead of redrawing
everything; `revert` goes back. Node and wire order are restored too (silently: order is not
visible, but it is the order of the saved file and breaks ties in layouts), so a change replayed
either way gives exactly the graph it recorded.

A change holds copies of the nodes it touched and two tuples of ids and wires (references to
immutable values), so an undo step costs memory in proportion to the edit, not to the graph.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .graph import Edge, Graph, Node, content_key, copy_params, params_equal


@dataclass(frozen=True)
class GraphSide:
    """One state of the touched part of a graph: the nodes that differ, as they are on this side
    (a touched id missing here is a node absent on this side), plus the whole node and wire
    order."""

    nodes: dict[str, Node]
    order: tuple[str, ...]
    edges: tuple[Edge, ...]


@dataclass(frozen=True)
class GraphChange:
    before: GraphSide
    after: GraphSide
    renames: tuple[tuple[str, str], ...] = ()  # (old id, new id), going forward

    @property
    def empty(self) -> bool:
        return (
            not self.before.nodes
            and not self.after.nodes
            and not self.renames
            and self.before.order == self.after.order
            and self.before.edges == self.after.edges
        )

    def apply(self, graph: Graph) -> None:
        """Take `graph` from the 'before' state to the 'after' state."""
        _go(graph, self.before, self.after, self.renames)

    def revert(self, graph: Graph) -> None:
        """Take `graph` from the 'after' state back to the 'before' state."""
        _go(graph, self.after, self.before, tuple((new, old) for old, new in self.renames))


def _copy(node: Node) -> Node:
    return node.copy()  # deep for block bodies: later edits inside never reach the record


def _content(node: Node) -> tuple:
    return node.type, content_key(node.params), tuple(node.pos), node.trainable


def diff(before: Graph, after: Graph) -> GraphChange:
    """The change that takes `before` to `after` (two states of one graph, e.g. a copy taken
    before an edit and the graph after it)."""
    gone = [node_id for node_id in before.nodes if node_id not in after.nodes]
    new = [node_id for node_id in after.nodes if node_id not in before.nodes]
    renames = _renames(before, after, gone, new)
    renamed_old = {old for old, _ in renames}
    renamed_new = {new_id for _, new_id in renames}
    old_side = {i: _copy(before.nodes[i]) for i in gone if i not in renamed_old}
    new_side = {i: _copy(after.nodes[i]) for i in new if i not in renamed_new}
    for node_id, node in before.nodes.items():
        other = after.nodes.get(node_id)
        if other is not None and other != node:  # type, params (bodies by content), pos
            old_side[node_id] = _copy(node)
            new_side[node_id] = _copy(other)
    return GraphChange(
        GraphSide(old_side, tuple(before.nodes), tuple(before.edges)),
        GraphSide(new_side, tuple(after.nodes), tuple(after.edges)),
        renames,
    )


def _renames(before: Graph, after: Graph, gone: list[str], new: list[str]):
    """Pairs of a vanished and a new id with the same content: a rename, replayed as one (so a
    view keeps the node's item) rather than as a removal and an addition."""
    by_content: dict[tuple, list[str]] = {}
    for node_id in gone:
        by_content.setdefault(_content(before.nodes[node_id]), []).append(node_id)
    pairs = []
    for node_id in new:
        candidates = by_content.get(_content(after.nodes[node_id]))
        if candidates:
            pairs.append((candidates.pop(0), node_id))
    return tuple(pairs)


def _go(graph: Graph, source: GraphSide, target: GraphSide, renames) -> None:
    for old, new in renames:
        graph.rename_node(old, new)
    wanted = Counter(target.edges)
    for edge in list(graph.edges):  # wires first: a node is removed once nothing is wired to it
        if wanted[edge] > 0:
            wanted[edge] -= 1
        else:
            graph.remove_edge(edge)
    for node_id in source.nodes:
        if node_id not in target.nodes:
            graph.remove_node(node_id)
    for node in target.nodes.values():
        _put(graph, node)
    for edge, count in wanted.items():
        for _ in range(count):
            graph.add_edge(edge)
    # Same content, possibly another order: put back the recorded one without an event.
    if tuple(graph.nodes) != target.order:
        graph.nodes = {node_id: graph.nodes[node_id] for node_id in target.order}
    if tuple(graph.edges) != target.edges:
        graph.edges = list(target.edges)


def _put(graph: Graph, node: Node) -> None:
    """Make the graph's node `node.id` look like `node`: added, or changed and moved in place."""
    current = graph.nodes.get(node.id)
    if current is not None and current.type != node.type:
        graph.remove_node(node.id)
        current = None
    if current is None:
        graph.add_node(
            node.type, copy_params(node.params), node.pos, node_id=node.id, trainable=node.trainable
        )
        return
    if not params_equal(current.params, node.params):
        graph.set_params(node.id, copy_params(node.params))
    if current.trainable != node.trainable:
        graph.set_trainable(node.id, node.trainable)
    if tuple(current.pos) != tuple(node.pos):
        graph.move_node(node.id, node.pos)
