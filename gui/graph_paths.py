"""Paths to the graphs of a project: a network's name, then the blocks opened inside it.

("discriminator",) is a network of the project (a canvas tab); ("main", "res1") is the body of
block `res1` in `main`; ("main", "res1", "inner") a block inside that body. The Document's
commands keep paths, never Graph objects, and look the graph up again on every replay.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from neurocanvas.engine.analysis import Analysis
from neurocanvas.engine.blocks import BLOCK_TYPE
from neurocanvas.engine.graph import Graph
from neurocanvas.engine.issues import Issue

GraphPath = tuple[str, ...]
SEPARATOR = " › "  # how a path reads in the breadcrumb and in messages: main › res1


def as_path(where: str | Sequence[str]) -> GraphPath:
    """A graph name is the one-item path."""
    return (where,) if isinstance(where, str) else tuple(where)


def path_text(path: Sequence[str]) -> str:
    return SEPARATOR.join(path)


def resolve(graphs: Mapping[str, Graph], path: Sequence[str]) -> Graph:
    """The graph at `path`; KeyError naming the step that is not there."""
    if not path or path[0] not in graphs:
        raise KeyError(f"no network named {path[0] if path else '(none)'!r}")
    graph = graphs[path[0]]
    for block_id in path[1:]:
        node = graph.nodes.get(block_id)
        if node is None or node.type != BLOCK_TYPE:
            raise KeyError(f"{path_text(path)}: there is no block {block_id!r} there")
        graph = node.params["graph"]
    return graph


def valid_prefix(graphs: Mapping[str, Graph], path: Sequence[str]) -> GraphPath:
    """The longest start of `path` that still leads to a graph (() when not even the network
    is there): where the window goes when an undo removed the block it showed."""
    for end in range(len(path), 0, -1):
        try:
            resolve(graphs, path[:end])
        except KeyError:
            continue
        return tuple(path[:end])
    return ()


def body_input_shapes(graph: Graph, analysis: Analysis, block_id: str) -> list | None:
    """The shapes that reach the block's input ports, in port order; None when one is not
    known (an unwired port, an error upstream)."""
    count = graph.nodes[block_id].input_count()
    edges = graph.inputs_of(block_id)
    shapes = [analysis.shape_of(edge.src[0]) for edge in edges]
    if len(shapes) != count or [edge.dst[1] for edge in edges] != list(range(count)):
        return None
    return None if any(shape is None for shape in shapes) else shapes


def issue_target(
    graphs: Mapping[str, Graph], network: str, issue: Issue
) -> tuple[GraphPath, str | None]:
    """Where an issue of `network` points: the path of the graph holding the node at fault and
    that node. A problem inside a block reads "res1 > conv1: ..." (nested: "res1 > inner >
    conv: ..."); each step is followed only while it names a block that is there."""
    path: GraphPath = (network,)
    node_id = issue.node_id
    parts = issue.message.split(" > ")
    if node_id is None or len(parts) < 2 or parts[0] != node_id:
        return path, node_id
    graph = graphs[network]
    for part in parts[1:]:
        node = graph.nodes.get(node_id)
        if node is None or node.type != BLOCK_TYPE:
            break
        path += (node_id,)
        graph = node.params["graph"]
        candidate = part.split(":", 1)[0].strip()
        node_id = candidate if candidate in graph.nodes else None
        if node_id is None:
            break
    return path, node_id
