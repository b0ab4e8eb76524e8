"""Edit > Replace Head… and a layer's "Replace head from here…": ask the number of classes
(the attached data's by default) and replace the picked part and what follows it by a new Dense
head, as one undo step (the engine's `engine/head.py` does the rewiring)."""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog

ASK = (
    "The new head is a Dense layer wired to what feeds {node} ({node} and every layer after "
    "it are removed). Number of classes:"
)


def default_classes(window, node_id: str) -> int:
    """The attached data's classes, else the units of the last Dense of the old head."""
    document = window.document
    if document.auto.output_units:
        return int(document.auto.output_units)
    graph = document.graph
    part = [node_id, *graph.descendants(node_id)]
    units = [graph.nodes[i].params.get("units") for i in part if graph.nodes[i].type == "Dense"]
    numbers = [u for u in units if isinstance(u, int)]
    return numbers[-1] if numbers else 10


def ask_replace_head(window, node_id: str | None = None, classes: int | None = None) -> bool:
    """Replace the head from `node_id` (the selected layer by default)."""
    if node_id is None:
        selected = window.canvas.selected_node_ids()
        if len(selected) != 1:
            window.show_message("Select the layer or block that classifies (the old head)")
            return False
        node_id = selected[0]
    if classes is None:
        value, ok = QInputDialog.getInt(
            window,
            "Replace the head",
            ASK.format(node=node_id),
            default_classes(window, node_id),
            1,
            100_000,
        )
        if not ok:
            return False
        classes = value
    head = window.document.replace_head(node_id, classes)
    if head is None:
        return False
    window.canvas.select_nodes([head])
    window.show_message(f"New head {head}: Dense {classes}, trained from fresh weights")
    return True
