"""Issue 14.15 on the canvas: a layer dropped on a wire is wired into it; paste steps clear of the
last copy; Auto Layout keeps the graph in view; right-click menus on layers, wires and the canvas."""

from __future__ import annotations

from neurocanvas.engine.graph import Edge, chain
from neurocanvas.gui.canvas.context_menu import canvas_menu
from PySide6.QtCore import QPointF
from test_canvas_view import drop_layer


def graph():
    return chain(
        ("Input", {"shape": [8]}), ("Dense", {"units": 4}), ("Dense", {"units": 2}), spacing=220
    )


def wire_point(view, src: str, dst: str):
    item = next(i for i in view.edge_items() if i.edge.src[0] == src and i.edge.dst[0] == dst)
    return view.mapFromScene(item.mapToScene(item.path.pointAtPercent(0.3)))


def action(menu, *path):
    """The menu's action at `path` ("Insert layer …", "Dropout"), by the start of its text."""
    for text in path:
        found = next(a for a in menu.actions() if a.text().startswith(text))
        menu = found.menu() or found
    return menu


def test_a_layer_dropped_on_a_wire_is_wired_into_it(make_view):
    view = make_view(graph())
    document = view.document
    ids = list(document.graph.nodes)
    drop = drop_layer(view, "Dropout", wire_point(view, ids[1], ids[2]))
    assert drop.isAccepted()
    (new,) = [n for n in document.graph.nodes if n not in ids]
    edges = set(document.graph.edges)
    assert Edge((ids[1], 0), (new, 0)) in edges and Edge((new, 0), (ids[2], 0)) in edges
    assert Edge((ids[1], 0), (ids[2], 0)) not in edges
    assert document.undo_stack.undoText().startswith("Insert Dropout")
    cards = [view.node_item(n).sceneBoundingRect() for n in document.graph.nodes]
    assert not any(a.intersects(b) for i, a in enumerate(cards) for b in cards[i + 1 :])
    document.undo_stack.undo()  # one step
    assert Edge((ids[1], 0), (ids[2], 0)) in set(document.graph.edges)
    assert new not in document.graph.nodes
    # Dropped on empty canvas, a layer is only added.
    empty = view.mapFromScene(QPointF(900, 900))
    drop_layer(view, "Dropout", empty)
    assert len(document.graph.edges) == 2


def test_pasting_twice_puts_each_copy_clear_of_the_last(make_view, qapp):
    view = make_view(graph())
    first_id = list(view.document.graph.nodes)[1]
    view.select_nodes([first_id])
    view.copy_selected()
    (one,) = view.paste()
    (two,) = view.paste()
    nodes = view.document.graph.nodes
    positions = {nodes[first_id].pos, nodes[one].pos, nodes[two].pos}
    assert len(positions) == 3  # no copy on top of another


def test_auto_layout_keeps_the_graph_in_view(make_view):
    view = make_view(graph())
    view.centerOn(5000, 5000)  # looking far away
    view.auto_layout()
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    for node_id in view.document.graph.nodes:
        assert visible.contains(view.node_item(node_id).sceneBoundingRect()), node_id


def test_right_click_menus_on_a_layer_a_wire_and_the_canvas(make_view, qapp):
    view = make_view(graph())
    document = view.document
    ids = list(document.graph.nodes)
    card = view.mapFromScene(view.node_item(ids[1]).sceneBoundingRect().center())
    menu = canvas_menu(view, card)
    assert [a.text() for a in menu.actions() if a.text()][1:] == [
        "Look inside",
        "Group into block",
        "Freeze (not trainable)",
        "Replace head from here…",
        "Copy",
        "Duplicate",
        "Delete",
    ]
    assert view.selected_node_ids() == [ids[1]]
    action(menu, "Add layer after", "ReLU").trigger()
    (relu,) = [n for n in document.graph.nodes if n not in ids]
    assert Edge((ids[1], 0), (relu, 0)) in set(document.graph.edges)
    document.undo_stack.undo()
    menu = canvas_menu(view, wire_point(view, ids[0], ids[1]))
    action(menu, f"Insert layer between {ids[0]} and {ids[1]}", "BatchNorm1d").trigger()
    (norm,) = [n for n in document.graph.nodes if n not in ids]
    assert Edge((norm, 0), (ids[1], 0)) in set(document.graph.edges)
    document.undo_stack.undo()
    action(canvas_menu(view, wire_point(view, ids[0], ids[1])), "Delete wire").trigger()
    assert Edge((ids[0], 0), (ids[1], 0)) not in set(document.graph.edges)
    document.undo_stack.undo()
    empty = view.mapFromScene(QPointF(900, 900))
    menu = canvas_menu(view, empty)
    texts = [a.text() for a in menu.actions() if a.text()]
    assert texts == ["Add layer here", "Paste", "Select all", "Auto layout", "Zoom to fit"]
    action(menu, "Add layer here", "Dense").trigger()
    assert len(document.graph.nodes) == 4
    elsewhere = view.mapFromScene(QPointF(-900, -900))  # the new Dense is under `empty` now
    action(canvas_menu(view, elsewhere), "Select all").trigger()
    assert len(view.selected_node_ids()) == 4
