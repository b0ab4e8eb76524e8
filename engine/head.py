"""Replace the head: the classifier part of a network (a node or block and every layer after
it) gives way to a new Dense layer for `classes` outputs, wired to what fed the old head.

Transfer learning's first step ("remove the top layer of VGG16, make a new top layer for 10
classes"). The new layer is named `head` (not the old name), so `train --init-from` gives it
fresh weights instead of refusing the old head's shapes. A feature map (more than one axis)
is flattened first, so the Dense gets the right input size whatever fed the old head.
"""

from __future__ import annotations

from dataclasses import dataclass

from .graph import Graph, GraphError
from .layout import ROW_HEIGHT
from .shapes import AutoSizes

HEAD_ID = "head"


@dataclass(frozen=True)
class HeadChange:
    removed: list[str]  # the old head's nodes, in graph order
    added: list[str]  # the new nodes (a Flatten if needed, then the Dense)
    head: str  # the new Dense's id
    in_features: int | None  # what the new Dense reads (None while a size is unknown)


def replace_head(
    graph: Graph,
    node_id: str,
    classes: int,
    activation: str = "none",
    auto: AutoSizes | None = None,
) -> HeadChange:
    """Remove `node_id` and everything after it; wire a Dense(`classes`) to its input."""
    from .analysis import analyze

    node = graph.node(node_id)
    if node.spec.is_source:
        raise GraphError(f"{node_id} is an Input; pick the layer (or block) that classifies")
    if isinstance(classes, bool) or not isinstance(classes, int) or classes < 1:
        raise GraphError(f"the new head needs a number of classes of at least 1, not {classes!r}")
    feeds = graph.inputs_of(node_id)
    if len(feeds) != 1:
        raise GraphError(
            f"{node_id} has {len(feeds)} inputs; pick a head part that reads one tensor"
        )
    source = feeds[0].src
    shape = analyze(graph, auto or AutoSizes()).shape_of(source[0])
    removed = [i for i in graph.nodes if i == node_id or i in graph.descendants(node_id)]
    if source[0] in removed:
        raise GraphError(f"{node_id} feeds itself through a cycle")
    x, y = node.pos
    for old in removed:
        graph.remove_node(old)
    added = []
    if shape is not None and len(shape) > 1:
        flatten = graph.add_node("Flatten", None, (x, y), node_id=_free(graph, "head_flatten"))
        graph.connect(source, (flatten.id, 0))
        source, y = (flatten.id, 0), y + ROW_HEIGHT
        added.append(flatten.id)
    params = {"units": classes, "activation": activation}
    head = graph.add_node("Dense", params, (x, y), node_id=_free(graph, HEAD_ID))
    graph.connect(source, (head.id, 0))
    added.append(head.id)
    features = None
    if shape is not None:
        features = 1
        for size in shape:
            features *= size
    return HeadChange(removed, added, head.id, features)


def _free(graph: Graph, stem: str) -> str:
    return stem if stem not in graph.nodes else graph.unique_id(stem)
