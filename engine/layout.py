"""Canvas geometry and the automatic layered layout of a DAG, top-down: each node one row below
its deepest input.

The card size lives here, not in the GUI, because document edits place nodes with it (a new layer
one row below, copies beside the selection in free space) and those edits are engine decisions that
headless code and tests make without Qt. The canvas draws its cards at this size.
"""

from __future__ import annotations

from collections.abc import Iterable

from .graph import Graph, Node

CARD_WIDTH = 210.0  # leaves a 20 px gap at the 230 px column pitch
CARD_HEIGHT = 66.0
ROW_HEIGHT = 110.0  # one layer below another: a card plus room for the wire and its label
COLUMN_WIDTH = 230.0
CARD_MARGIN = 10.0  # copies keep at least this much space from the cards already there


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


def free_offset(graph: Graph, nodes: Iterable[Node]) -> float:
    """How far right copies of `nodes` go: past the selection's bounding box, then one column
    further while a copy would overlap a card that is there already (at most 100 columns)."""
    nodes = list(nodes)
    chosen = {node.id for node in nodes}
    others = [node.pos for node in graph if node.id not in chosen]
    xs = [node.pos[0] for node in nodes]
    dx = max(xs) - min(xs) + COLUMN_WIDTH

    def clashes(dx: float) -> bool:
        return any(
            abs(node.pos[0] + dx - x) < CARD_WIDTH + CARD_MARGIN
            and abs(node.pos[1] - y) < CARD_HEIGHT + CARD_MARGIN
            for node in nodes
            for x, y in others
        )

    for _ in range(100):
        if not clashes(dx):
            break
        dx += COLUMN_WIDTH
    return dx
