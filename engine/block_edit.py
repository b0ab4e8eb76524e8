"""Grouping nodes into a block and ungrouping it again, as plain graph edits.

Both go through the graph's own methods, so the window records them with `graph_change.diff`
as one undoable step. Grouping turns the wires entering the selection into the block's inputs
(one port per distinct outer source, in graph order) and needs the selection to be left by one
node at most (a block has one output); ungrouping puts the body's layers back, wired as before.
"""

from __future__ import annotations

from collections.abc import Iterable

from .blocks import BLOCK_TYPE
from .graph import Edge, Graph, GraphError
from .layout import ROW_HEIGHT


def group(graph: Graph, node_ids: Iterable[str], block_id: str | None = None) -> str:
    """Replace the nodes `node_ids` by one Block holding them; returns the block's id."""
    chosen = [node_id for node_id in graph.nodes if node_id in set(node_ids)]
    _check_groupable(graph, chosen)
    inside = set(chosen)
    entering = [e for e in graph.edges if e.dst[0] in inside and e.src[0] not in inside]
    leaving = [e for e in graph.edges if e.src[0] in inside and e.dst[0] not in inside]
    sources = list(dict.fromkeys(e.src for e in sorted(entering, key=_order(graph))))
    body, output = _body(graph, chosen, entering, sources)
    if leaving and {e.src[0] for e in leaving} != {output}:
        raise GraphError(
            "a block has one output, but the selection is left by "
            + ", ".join(sorted({e.src[0] for e in leaving}))
        )
    xs = [graph.nodes[i].pos[0] for i in chosen]
    ys = [graph.nodes[i].pos[1] for i in chosen]
    pos = (sum(xs) / len(xs), min(ys))
    for node_id in chosen:
        graph.remove_node(node_id)
    block = graph.add_node(BLOCK_TYPE, {"graph": body}, pos, node_id=block_id)
    # A frozen layer stays frozen inside: the block itself is trainable, its layers decide.
    for port, source in enumerate(sources):
        graph.add_edge(Edge(source, (block.id, port)))
    for edge in leaving:
        graph.add_edge(Edge((block.id, 0), edge.dst))
    return block.id


def _order(graph: Graph):
    rank = {node_id: i for i, node_id in enumerate(graph.topological_order() or graph.nodes)}
    return lambda edge: (rank[edge.src[0]], edge.dst[1])


def _check_groupable(graph: Graph, chosen: list[str]) -> None:
    if not chosen:
        raise GraphError("select the nodes to group into a block")
    sources = [i for i in chosen if graph.nodes[i].spec.is_source]
    if sources:
        raise GraphError(f"{sources[0]} is an Input of the network; leave it outside the block")
    inside = set(chosen)
    # A path that leaves the selection and comes back would become a cycle through the block:
    # a node outside both reachable from the selection and reaching it (two passes, not one
    # per node: an imported DenseNet groups blocks of 300 nodes).
    forward: dict[str, list[str]] = {}
    backward: dict[str, list[str]] = {}
    for edge in graph.edges:
        forward.setdefault(edge.src[0], []).append(edge.dst[0])
        backward.setdefault(edge.dst[0], []).append(edge.src[0])
    between = (_reach(forward, inside) & _reach(backward, inside)) - inside
    if between:
        node_id = sorted(between)[0]
        raise GraphError(
            f"{node_id} lies between grouped nodes (a path leaves the selection through it "
            "and comes back); include it in the block"
        )


def _reach(links: dict[str, list[str]], start: set[str]) -> set[str]:
    seen: set[str] = set()
    stack = [n for node_id in start for n in links.get(node_id, [])]
    while stack:
        current = stack.pop()
        if current not in seen:
            seen.add(current)
            stack.extend(links.get(current, []))
    return seen


def _body(graph: Graph, chosen: list[str], entering: list[Edge], sources: list) -> tuple:
    """The block's body (Inputs first, one per outer source) and the id of its output node."""
    body = Graph()
    top = min(graph.nodes[i].pos[1] for i in chosen)
    inside = set(chosen)
    inputs = {}
    for index, source in enumerate(sources):
        # Named apart from the grouped nodes and from the graph's own ids: grouping inside a
        # body whose Input is `input_1` must not take that Input's wires along.
        stem, number = "input", index + 1
        while f"{stem}_{number}" in inside or f"{stem}_{number}" in graph.nodes:
            number += 1
        node = body.add_node(
            "Input", pos=(index * 230.0, top - ROW_HEIGHT), node_id=f"{stem}_{number}"
        )
        inputs[source] = node.id
    for node_id in chosen:
        node = graph.nodes[node_id]
        body.nodes[node_id] = node.copy()  # same id: the compiled module keeps the name
    inside = set(chosen)  # not body.nodes: a new Input may share an outer source's id
    for edge in graph.edges:
        if edge.src[0] in inside and edge.dst[0] in inside:
            body.add_edge(edge)
    for edge in entering:
        body.add_edge(Edge((inputs[edge.src], 0), edge.dst))
    ends = body.output_nodes()
    if len(ends) != 1:
        raise GraphError(
            "a block has one output, but the selection ends in "
            + ", ".join(node.id for node in ends)
        )
    return body, ends[0].id


def ungroup(graph: Graph, block_id: str) -> list[str]:
    """Put the block's layers back in its place, wired as the block was; returns their ids
    (an inner id already taken outside gets the block's name in front: `res1_conv1`)."""
    block = graph.node(block_id)
    if block.type != BLOCK_TYPE:
        raise GraphError(f"{block_id} is a {block.type}, not a block")
    if block.params["repeat"] != 1:
        raise GraphError(f"{block_id} repeats its body; set repeat to 1 before ungrouping it")
    body = block.params["graph"]
    ports = {node.id: port for port, node in enumerate(body.input_nodes())}
    feeds = {edge.dst[1]: edge.src for edge in graph.inputs_of(block_id)}
    consumers = [edge.dst for edge in graph.outputs_of(block_id)]
    ends = body.output_nodes()
    if len(ends) != 1:
        raise GraphError(f"{block_id}: its body must end in one node to be ungrouped")
    top = min((n.pos[1] for n in body if n.id not in ports), default=0.0)
    graph.remove_node(block_id)
    names = {}
    for node in body:
        if node.id in ports:
            continue
        new_id = _free_id(graph, node.id, block_id)
        pos = (node.pos[0] + block.pos[0], node.pos[1] + block.pos[1] - top)
        added = graph.add_node(
            node.type, node.copy().params, pos, node_id=new_id, trainable=node.trainable
        )
        names[node.id] = added.id
    _rewire(graph, body, names, ports, feeds)
    for dst in consumers:
        graph.add_edge(Edge((names[ends[0].id], 0), dst))
    return list(names.values())


def _free_id(graph: Graph, node_id: str, block_id: str) -> str:
    if node_id not in graph.nodes:
        return node_id
    prefixed = f"{block_id}_{node_id}"
    return prefixed if prefixed not in graph.nodes else graph.unique_id(prefixed)


def _rewire(graph: Graph, body: Graph, names: dict, ports: dict, feeds: dict) -> None:
    for edge in body.edges:
        if edge.src[0] in ports:
            source = feeds.get(ports[edge.src[0]])
            if source is None:  # the block's port was unwired: so is the layer now
                continue
        else:
            source = (names[edge.src[0]], edge.src[1])
        graph.add_edge(Edge(source, (names[edge.dst[0]], edge.dst[1])))
