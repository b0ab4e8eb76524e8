"""Right-click menus of the canvas: on a layer (copy, duplicate, delete, add a layer after it, look
inside the trained model at it), on
a wire (insert a layer into it, delete it) and on the empty canvas (add a layer there, paste,
select all, auto layout, fit). `canvas_menu(view, point)` builds the menu for a viewport point;
the view shows it (tests trigger its actions directly).
"""

from __future__ import annotations

from neurocanvas.engine import registry
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMenu

from .edge_item import EdgeItem
from .node_item import NodeItem

# The layers a learner reaches for most, offered in the menus' "Add"/"Insert" submenus (the
# palette has them all).
# What a block's menu asks the window for (gui/block_library_actions.py answers).
BLOCK_REQUESTS = (("save_to_palette", "Save to palette…"), ("export_block", "Export block file…"))
COMMON_LAYERS = ("Dense", "Conv2d", "MaxPool2d", "Flatten", "Dropout", "BatchNorm1d", "ReLU")


def canvas_menu(view, point) -> QMenu:
    menu = QMenu(view)
    node = next((item for item in view.items(point) if isinstance(item, NodeItem)), None)
    if node is not None:
        _node_menu(view, menu, node)
        return menu
    wire = view.wire_at(point)
    if wire is not None:
        _wire_menu(view, menu, wire, point)
        return menu
    _layers(menu, "Add layer here", lambda layer: view.add_layer_at(layer, point))
    menu.addSeparator()
    paste = menu.addAction("Paste", view.paste)
    paste.setEnabled("neurocanvas-clipboard" in QGuiApplication.clipboard().text())
    menu.addAction("Select all", view.select_all)
    menu.addSeparator()
    menu.addAction("Auto layout", view.auto_layout)
    menu.addAction("Zoom to fit", view.fit_all)
    return menu


def _node_menu(view, menu: QMenu, node: NodeItem) -> None:
    if node.node_id not in view.selected_node_ids():
        view.select_nodes([node.node_id], reveal=False)  # the menu acts on the layer clicked
    _layers(
        menu,
        f"Add layer after {node.node_id}",
        lambda layer: view.document.add_after(layer, node.node_id),
    )
    if view.shows_main_network():  # the trained model's layers are the main network's
        _look_inside(view, menu, node.node_id)
    menu.addSeparator()
    selected = view.selected_node_ids()
    menu.addAction("Group into block", lambda: view.document.group_nodes(selected))
    graph_node = view.document.graph.nodes.get(node.node_id)
    if graph_node is not None and graph_node.type == "Block":
        menu.addAction("Open block", lambda: view.document.open_block(node.node_id))
        menu.addAction("Ungroup", lambda: view.document.ungroup(node.node_id))
        for action, title in BLOCK_REQUESTS:
            menu.addAction(title, lambda a=action: view.block_requested.emit(a, node.node_id))
    if graph_node is not None and (_has_weights(view, node.node_id) or not graph_node.trainable):
        frozen = not graph_node.trainable
        menu.addAction(
            "Unfreeze (trainable)" if frozen else "Freeze (not trainable)",
            lambda: view.document.set_trainable(node.node_id, frozen),
        )
    if graph_node is not None and not graph_node.spec.is_source:
        menu.addAction(
            "Replace head from here…",
            lambda: view.block_requested.emit("replace_head", node.node_id),
        )
    menu.addSeparator()
    menu.addAction("Copy", view.copy_selected)
    menu.addAction("Duplicate", view.duplicate_selected)
    menu.addAction("Delete", view.delete_selected)


def _has_weights(view, node_id: str) -> bool:
    """Whether freezing means anything for the node (a Flatten has nothing to freeze)."""
    shapes = getattr(getattr(view.document, "analysis", None), "shapes", {}) or {}
    shape = shapes.get(node_id)
    return shape is None or shape.param_count > 0  # unknown yet: offer it


# The views of a trained model a layer's menu offers (the Training dock's Inside and Gradients
# tabs show them, for the latest run's checkpoint).
INSIDE_VIEWS = (
    ("feature_maps", "Feature maps"),
    ("filters", "Filters"),
    ("saliency", "Saliency"),
    ("ig", "Integrated Gradients"),
    ("gradcam", "Grad-CAM at this layer"),
    ("projector", "Projector of this layer"),
    ("statistics", "Activation statistics"),
    ("gradients", "Gradient norms"),
)


def _look_inside(view, menu: QMenu, node_id: str) -> QMenu:
    sub = menu.addMenu("Look inside")
    for key, title in INSIDE_VIEWS:
        sub.addAction(title, lambda key=key: view.inspect_requested.emit(key, node_id))
    return sub


def _wire_menu(view, menu: QMenu, wire: EdgeItem, point) -> None:
    edge = wire.edge
    _layers(
        menu,
        f"Insert layer between {edge.src[0]} and {edge.dst[0]}",
        lambda layer: view.add_layer_at(layer, point),
    )
    menu.addSeparator()
    menu.addAction("Delete wire", lambda: view.document.disconnect(edge))


def _layers(menu: QMenu, title: str, add) -> QMenu:
    sub = menu.addMenu(title)
    for name in COMMON_LAYERS:
        if registry.has(name):
            sub.addAction(name, lambda name=name: add(name))
    return sub
