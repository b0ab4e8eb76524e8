"""Canvas gestures driven by real Qt events on the view's viewport: drop, wire, select, move, pan."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from neurocanvas.engine.graph import Edge, chain  # noqa: E402
from neurocanvas.gui.canvas.node_item import HEIGHT  # noqa: E402
from neurocanvas.gui.canvas.view import LAYER_MIME, CanvasView  # noqa: E402
from PySide6.QtCore import QMimeData, QPoint, QPointF, QRectF, Qt  # noqa: E402
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from qt_compat import drag_point

LEFT = Qt.MouseButton.LeftButton
NO_MOD = Qt.KeyboardModifier.NoModifier


def at(view: CanvasView, scene_point: QPointF) -> QPoint:
    return view.mapFromScene(scene_point)


def drag(view: CanvasView, start: QPoint, end: QPoint, steps: int = 4, button=LEFT) -> None:
    """Press, move in a few steps and release: what a hand does."""
    viewport = view.viewport()
    QTest.mousePress(viewport, button, NO_MOD, start)
    for step in range(1, steps + 1):
        point = start + (end - start) * step / steps
        QTest.mouseMove(viewport, point)
    QTest.mouseRelease(viewport, button, NO_MOD, end)


def drop_layer(view: CanvasView, layer: str, pos: QPoint) -> QDropEvent:
    """The canvas half of a palette drag: enter, move and drop with the palette's mime data."""
    mime = QMimeData()
    mime.setData(LAYER_MIME, layer.encode("utf-8"))
    action = Qt.DropAction.CopyAction
    pos = drag_point(pos)
    enter = QDragEnterEvent(pos, action, mime, LEFT, NO_MOD)
    QApplication.sendEvent(view.viewport(), enter)
    assert enter.isAccepted()
    move = QDragMoveEvent(pos, action, mime, LEFT, NO_MOD)
    QApplication.sendEvent(view.viewport(), move)
    assert move.isAccepted()
    drop = QDropEvent(pos, action, mime, LEFT, NO_MOD)
    QApplication.sendEvent(view.viewport(), drop)
    return drop


def test_drop_adds_layer_at_the_drop_position(make_view):
    view = make_view()
    target = view.mapFromScene(QPointF(203, 305))
    scene_at = view.mapToScene(target)
    drop = drop_layer(view, "Conv2d", target)
    assert drop.isAccepted()
    (node,) = view.document.graph
    assert node.type == "Conv2d"
    # The card's top centre snaps to the 20 px grid, with the card centred on the cursor.
    assert node.pos[0] % 20 == 0 and node.pos[1] % 20 == 0
    assert abs(node.pos[0] - scene_at.x()) <= 10
    assert abs(node.pos[1] + HEIGHT / 2 - scene_at.y()) <= 10
    assert view.selected_node_ids() == [node.id]
    assert view.node_item(node.id).pos() == QPointF(*node.pos)


def test_drop_of_unknown_payload_is_refused(make_view):
    view = make_view()
    mime = QMimeData()
    mime.setData(LAYER_MIME, b"NoSuchLayer")
    enter = QDragEnterEvent(
        drag_point(QPointF(100, 100)), Qt.DropAction.CopyAction, mime, LEFT, NO_MOD
    )
    QApplication.sendEvent(view.viewport(), enter)
    assert not enter.isAccepted()
    assert len(view.document.graph) == 0


def two_loose_nodes(make_view):
    graph = chain(("Input", {"shape": [1, 28, 28]}))
    graph.add_node("Flatten", pos=(0, 200))
    return make_view(graph)


def test_wire_by_dragging_output_port_to_input_port(make_view):
    view = two_loose_nodes(make_view)
    source = view.node_item("input_1").output.scenePos()
    target = view.node_item("flatten_1").inputs[0].scenePos()
    drag(view, at(view, source), at(view, target))
    assert view.document.graph.edges == [Edge(("input_1", 0), ("flatten_1", 0))]
    (wire,) = view.edge_items()
    assert wire.label_text == "1x28x28"
    assert view.document.undo_stack.count() == 1


def test_wire_dragged_backwards_from_input_onto_a_card(make_view):
    view = two_loose_nodes(make_view)
    source = view.node_item("flatten_1").inputs[0].scenePos()
    card_middle = view.node_item("input_1").scene_card_rect().center()
    drag(view, at(view, source), at(view, card_middle))
    assert view.document.graph.edges == [Edge(("input_1", 0), ("flatten_1", 0))]


def input_with_two_heads(make_view):
    """input_1 -> flatten_1 wired; flatten_2 beside it, loose."""
    graph = chain(("Input", {"shape": [1, 28, 28]}), "Flatten")
    graph.add_node("Flatten", pos=(240, 110), node_id="flatten_2")
    return make_view(graph)


def input_port(view, node_id: str) -> QPoint:
    return at(view, view.node_item(node_id).inputs[0].scenePos())


def test_dragging_a_connected_input_reroutes_its_wire(make_view):
    view = input_with_two_heads(make_view)
    drag(view, input_port(view, "flatten_1"), input_port(view, "flatten_2"))
    assert view.document.graph.edges == [Edge(("input_1", 0), ("flatten_2", 0))]
    (wire,) = view.edge_items()
    assert wire.isVisible() and wire.label_text == "1x28x28"
    stack = view.document.undo_stack
    assert stack.count() == 1 and stack.undoText() == "Reconnect input_1 to flatten_2"
    stack.undo()
    assert view.document.graph.edges == [Edge(("input_1", 0), ("flatten_1", 0))]
    assert all(item.isVisible() for item in view.edge_items())


def test_a_wire_dragged_off_its_input_onto_empty_canvas_is_removed(make_view):
    view = input_with_two_heads(make_view)
    empty = at(
        view, view.node_item("flatten_1").scene_card_rect().bottomLeft() + QPointF(-300, 200)
    )
    drag(view, input_port(view, "flatten_1"), empty)
    assert view.document.graph.edges == [] and view.edge_items() == []
    view.document.undo_stack.undo()
    assert view.document.graph.edges == [Edge(("input_1", 0), ("flatten_1", 0))]


def test_a_lifted_wire_dropped_back_or_refused_stays_as_it_was(make_view):
    view = input_with_two_heads(make_view)
    messages = []
    view.document.status_message.connect(messages.append)
    drag(view, input_port(view, "flatten_1"), input_port(view, "flatten_1"))
    drag(view, input_port(view, "flatten_1"), at(view, view.node_item("input_1").output.scenePos()))
    assert view.document.graph.edges == [Edge(("input_1", 0), ("flatten_1", 0))]
    assert view.document.undo_stack.count() == 0
    assert all(item.isVisible() for item in view.edge_items())
    view.document.connect(("input_1", 0), ("flatten_2", 0))
    drag(view, input_port(view, "flatten_1"), input_port(view, "flatten_2"))  # taken
    assert Edge(("input_1", 0), ("flatten_1", 0)) in view.document.graph.edges
    assert messages and messages[-1].startswith("Cannot connect")
    assert all(item.isVisible() for item in view.edge_items())


def test_refused_wire_leaves_graph_unchanged_and_says_why(make_view):
    graph = chain(("Input", {"shape": [1, 28, 28]}), "Flatten", ("Dense", {"units": 10}))
    view = make_view(graph)
    messages = []
    view.document.status_message.connect(messages.append)
    before = view.document.graph.copy()
    # Dense's output back into Flatten's (occupied) input: refused, and it would be a cycle.
    source = view.node_item("dense_1").output.scenePos()
    target = view.node_item("flatten_1").inputs[0].scenePos()
    drag(view, at(view, source), at(view, target))
    assert view.document.graph.same_as(before)
    assert view.document.undo_stack.count() == 0
    assert messages and messages[-1].startswith("Cannot connect")
    assert len(view.edge_items()) == 2
    # Output to output is refused too, with a hint.
    drag(
        view,
        at(view, view.node_item("input_1").output.scenePos()),
        at(view, view.node_item("flatten_1").output.scenePos()),
    )
    assert view.document.graph.same_as(before)
    assert "output" in messages[-1]


def test_temporary_wire_follows_mouse_and_disappears(make_view):
    view = two_loose_nodes(make_view)
    scene = view.canvas_scene
    viewport = view.viewport()
    start = at(view, view.node_item("input_1").output.scenePos())
    QTest.mousePress(viewport, LEFT, NO_MOD, start)
    QTest.mouseMove(viewport, start + QPoint(40, 60))
    temporary = [item for item in scene.items() if item.zValue() == 5]
    assert len(temporary) == 1
    QTest.mouseRelease(viewport, LEFT, NO_MOD, start + QPoint(300, 60))  # empty canvas
    assert not [item for item in scene.items() if item.zValue() == 5]
    assert view.document.graph.edges == []


def test_rubber_band_selects_enclosed_nodes(make_view):
    graph = chain(("Input", {"shape": [1, 28, 28]}), "Flatten", ("Dense", {"units": 10}))
    view = make_view(graph)
    seen = []
    view.selection_changed.connect(seen.append)
    first = view.node_item("input_1").scene_card_rect()
    second = view.node_item("flatten_1").scene_card_rect()
    start = at(view, first.topLeft() + QPointF(-30, -30))
    end = at(view, second.bottomRight() + QPointF(30, 20))
    drag(view, start, end, steps=6)
    assert sorted(view.selected_node_ids()) == ["flatten_1", "input_1"]
    assert seen and sorted(seen[-1]) == ["flatten_1", "input_1"]


def test_move_snaps_to_grid_in_one_undo_step(make_view):
    graph = chain(("Input", {"shape": [1, 28, 28]}), "Flatten", ("Dense", {"units": 10}))
    view = make_view(graph)
    view.zoom_100()
    view.select_nodes(["input_1", "flatten_1"])
    grab = view.node_item("flatten_1").scene_card_rect().center()
    drag(view, at(view, grab), at(view, grab + QPointF(53, 27)), steps=5)
    document = view.document
    assert document.undo_stack.count() == 1
    assert document.graph.nodes["input_1"].pos == (60.0, 20.0)
    assert document.graph.nodes["flatten_1"].pos == (60.0, 120.0)
    assert document.graph.nodes["dense_1"].pos == (0.0, 200.0)
    wire = next(w for w in view.edge_items() if w.edge.dst[0] == "flatten_1")
    assert wire.path.pointAtPercent(0) == view.node_item("input_1").output_anchor()
    document.undo_stack.undo()
    assert document.graph.nodes["input_1"].pos == (0.0, 0.0)
    assert view.node_item("flatten_1").pos() == QPointF(0, 100)


def test_click_selects_wire_and_delete_disconnects(make_view):
    graph = chain(("Input", {"shape": [1, 28, 28]}), "Flatten", ("Dense", {"units": 10}))
    view = make_view(graph)
    wire = next(w for w in view.edge_items() if w.edge.dst[0] == "dense_1")
    point = wire.path.pointAtPercent(0.2)  # on the curve, off the label
    QTest.mouseClick(view.viewport(), LEFT, NO_MOD, at(view, point))
    assert wire.isSelected()
    QTest.keyClick(view.viewport(), Qt.Key.Key_Delete)
    assert [e.dst[0] for e in view.document.graph.edges] == ["flatten_1"]
    assert len(view.edge_items()) == 1


def test_delete_key_removes_selected_nodes_and_undo_restores(make_view):
    graph = chain(("Input", {"shape": [1, 28, 28]}), "Flatten", ("Dense", {"units": 10}))
    view = make_view(graph)
    before = view.document.graph.copy()
    QTest.mouseClick(
        view.viewport(),
        LEFT,
        NO_MOD,
        at(view, view.node_item("flatten_1").scene_card_rect().center()),
    )
    assert view.selected_node_ids() == ["flatten_1"]
    QTest.keyClick(view.viewport(), Qt.Key.Key_Backspace)
    assert "flatten_1" not in view.document.graph.nodes
    assert set(view.canvas_scene.nodes) == {"input_1", "dense_1"}
    assert view.edge_items() == []
    view.document.undo_stack.undo()
    assert view.document.graph.same_as(before)
    assert len(view.edge_items()) == 2


@pytest.mark.parametrize("how", ["middle", "space"])
def test_pan_moves_the_view_not_the_nodes(make_view, how):
    view = make_view(chain(("Input", {"shape": [1, 28, 28]})))
    before = view.mapToScene(view.viewport().rect().center())
    start = QPoint(100, 100)
    if how == "space":
        QTest.keyPress(view.viewport(), Qt.Key.Key_Space)
        drag(view, start, start + QPoint(80, 50))
        QTest.keyRelease(view.viewport(), Qt.Key.Key_Space)
    else:
        drag(view, start, start + QPoint(80, 50), button=Qt.MouseButton.MiddleButton)
    after = view.mapToScene(view.viewport().rect().center())
    assert after.x() == pytest.approx(before.x() - 80, abs=2)
    assert after.y() == pytest.approx(before.y() - 50, abs=2)
    assert view.document.undo_stack.count() == 0
    assert view.selected_node_ids() == []


def test_wheel_zoom_has_limits_and_shortcuts_reset_it(make_view):
    view = make_view(chain(("Input", {"shape": [1, 28, 28]}), "Flatten"))
    for _ in range(30):
        view.set_zoom(view.zoom() * 1.5)
    assert view.zoom() == pytest.approx(3.0)
    for _ in range(30):
        view.set_zoom(view.zoom() / 1.5)
    assert view.zoom() == pytest.approx(0.15)
    QTest.keyClick(view.viewport(), Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom() == pytest.approx(1.0)
    view.set_zoom(0.3)
    QTest.keyClick(view.viewport(), Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom() == pytest.approx(1.0)  # a small graph fits at 100 %, not blown up
    for item in view.canvas_scene.nodes.values():
        assert (
            view.viewport()
            .rect()
            .contains(view.mapFromScene(item.sceneBoundingRect()).boundingRect())
        )


def test_wheel_zooms_around_the_cursor(make_view):
    from PySide6.QtGui import QWheelEvent

    view = make_view(chain(("Input", {"shape": [1, 28, 28]}), "Flatten"))
    view.zoom_100()
    cursor = QPointF(200, 150)
    anchor = view.mapToScene(cursor.toPoint())
    event = QWheelEvent(
        cursor,
        view.viewport().mapToGlobal(cursor),
        QPoint(),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        NO_MOD,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(view.viewport(), event)
    assert view.zoom() == pytest.approx(1.0015**120)
    after = view.mapToScene(cursor.toPoint())
    assert after.x() == pytest.approx(anchor.x(), abs=2)
    assert after.y() == pytest.approx(anchor.y(), abs=2)


def test_minimap_shows_only_while_the_graph_does_not_fit(make_view, qtbot):
    view = two_loose_nodes(make_view)
    qtbot.wait(10)  # its refresh runs on the next turn of the event loop
    assert not view.minimap.isVisible()
    view.set_zoom(3.0)
    qtbot.waitUntil(view.minimap.isVisible, timeout=1000)
    corner = view.viewport().geometry().bottomRight()
    assert view.minimap.geometry().bottomRight().x() < corner.x()
    assert view.minimap.geometry().bottomRight().y() < corner.y()
    view.fit_all()
    qtbot.waitUntil(lambda: not view.minimap.isVisible(), timeout=1000)


def test_clicking_the_minimap_moves_the_view_there(make_view, qtbot):
    layers = [("Input", {"shape": [8]})] + [("Dense", {"units": 8})] * 30
    view = make_view(chain(*layers))
    view.set_zoom(1.0)
    view.centerOn(view.node_item("input_1").scene_card_rect().center())
    qtbot.waitUntil(view.minimap.isVisible, timeout=1000)
    last = view.node_item("dense_30").scene_card_rect().center()
    spot = view.minimap.to_minimap(QRectF(last, last)).center().toPoint()
    QTest.mouseClick(view.minimap, LEFT, NO_MOD, spot)
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    assert shown.contains(last)
    assert not shown.contains(view.node_item("input_1").scene_card_rect().center())


def test_minimap_paints_the_graph_once_while_panning_and_again_after_a_move(
    make_view, qtbot, monkeypatch
):
    """Panning a big graph repaints only the frame over the cached miniature (issue 22: a
    300-node graph took 550 ms a frame when every card re-measured the whole scene), and so does
    an edit that only changes card texts; a card that moves draws the miniature again."""
    layers = [("Input", {"shape": [8]})] + [("Dense", {"units": 8})] * 30
    view = make_view(chain(*layers))
    view.set_zoom(1.0)
    qtbot.waitUntil(view.minimap.isVisible, timeout=1000)
    painted = []
    original = type(view.minimap)._paint_graph
    monkeypatch.setattr(
        type(view.minimap),
        "_paint_graph",
        lambda self, *a: painted.append(1) or original(self, *a),
    )
    x, y = view.document.graph.nodes["dense_3"].pos
    view.document.move_nodes({"dense_3": (x + 200, y)})  # the next paint draws the graph
    qtbot.wait(10)
    view.minimap.repaint()
    bar = view.verticalScrollBar()
    frames = []
    for _ in range(5):
        bar.setValue(bar.value() + 30)
        view.minimap.repaint()
        frames.append(view.minimap.grab().toImage())
    assert painted == [1]  # the miniature once; the frame moved over it
    assert frames[0] != frames[-1]  # ...and the frame did move
    view.document.set_param("dense_5", "units", 9)  # new texts and shapes, same boxes
    qtbot.wait(10)
    view.minimap.repaint()
    assert painted == [1]
    view.document.move_nodes({"dense_5": (x - 200, y)})
    qtbot.wait(10)
    view.minimap.repaint()
    assert painted == [1, 1]
