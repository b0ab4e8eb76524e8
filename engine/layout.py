"""Automatic layered layout of a DAG, top-down: each node one row below its deepest input."""

from __future__ import annotations

from .graph import Graph

ROW_HEIGHT = 110.0
COLUMN_WIDTH = 230.0


def layered_positions(
    graph: Graph, row_height: float = ROW_HEIGHT, column_width: float = COLUMN_WIDTH
) -> dict[str, tuple[float, float]]:
    """New positions for every node: rows by longest path from a source, columns ordered by the
    mean column of each node's inputs (fewer crossings), each row centred on x = 0."""
    order = graph.topological_order() or list(graph.nodes)
    depth: dict[str, int] = {}
    for node_id in order:
        parents = [edge.src[0] for edge in graph.inputs_of(node_id) if edge.src[0] in depth]
        depth[node_id] = 1 + max((depth[p] for p in parents), default=-1)
    rows: dict[int, list[str]] = {}
    for node_id in order:
        rows.setdefault(depth[node_id], []).append(node_id)
    column: dict[str, float] = {}
    positions: dict[str, tuple[float, float]] = {}
    for row_index in sorted(rows):
        members = sorted(rows[row_index], key=lambda n: _parent_mean(graph, n, column))
        offset = (len(members) - 1) / 2
        for slot, node_id in enumerate(members):
            column[node_id] = slot - offset
            positions[node_id] = (column[node_id] * column_width, row_index * row_height)
    return positions


def _parent_mean(graph: Graph, node_id: str, column: dict[str, float]) -> float:
    parents = [column[e.src[0]] for e in graph.inputs_of(node_id) if e.src[0] in column]
    return sum(parents) / len(parents) if parents else 0.0


def apply_layout(graph: Graph) -> None:
    for node_id, pos in layered_positions(graph).items():
        graph.move_node(node_id, pos)
