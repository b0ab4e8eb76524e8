"""The palette: search, the drag payload the canvas accepts, and double-click adding after the
selected node."""

from __future__ import annotations

from neurocanvas.gui.canvas.view import LAYER_MIME as CANVAS_MIME
from neurocanvas.gui.palette import LAYER_MIME
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from qt_compat import drag_point
from window_fixtures import *  # noqa: F403 - the shared window fixtures


def test_palette_lists_every_layer_grouped_with_help_tooltips(window):
    from neurocanvas.engine import registry

    palette = window.palette
    assert LAYER_MIME == CANVAS_MIME
    assert set(palette.visible_layers()) == {spec.name for spec in registry.all_specs()}
    item = palette.item_for("Conv2d")
    assert item.parent().text(0) == "Convolution"
    assert registry.get("Conv2d").help in item.toolTip(0)
    assert not item.icon(0).isNull()


def test_search_filters_as_you_type(window, qtbot):
    palette = window.palette
    QTest.keyClicks(palette.search, "pool")
    visible = palette.visible_layers()
    assert visible and all(
        "pool" in name.lower() or "Pooling" in palette.item_for(name).parent().text(0)
        for name in visible
    )
    assert "Dense" not in visible
    palette.search.clear()
    QTest.keyClicks(palette.search, "dense")
    assert palette.visible_layers() == ["Dense"]
    palette.search.clear()
    assert "Dense" in palette.visible_layers() and "Conv2d" in palette.visible_layers()


def test_drag_carries_the_layer_and_the_canvas_drops_it(window, qtbot):
    palette = window.palette
    mime = palette.tree.mimeData([palette.item_for("Dropout")])
    assert bytes(mime.data(LAYER_MIME)).decode() == "Dropout"
    assert palette.tree.mimeData([]).formats() == []

    viewport = window.canvas.viewport()
    before = set(window.document.graph.nodes)
    pos = drag_point(QPointF(viewport.width() / 2, viewport.height() / 3))
    copy = Qt.DropAction.CopyAction
    buttons, modifiers = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    for event in (
        QDragEnterEvent(pos, copy, mime, buttons, modifiers),
        QDragMoveEvent(pos, copy, mime, buttons, modifiers),
        QDropEvent(pos, copy, mime, buttons, modifiers),
    ):
        QApplication.sendEvent(viewport, event)
    added = set(window.document.graph.nodes) - before
    assert len(added) == 1
    assert window.document.graph.nodes[added.pop()].type == "Dropout"


def test_double_click_adds_after_the_selected_node_wired(window, qtbot):
    graph = window.document.graph
    window.canvas.select_nodes(["conv1"])
    tree = window.palette.tree
    item = window.palette.item_for("BatchNorm2d")
    tree.scrollToItem(item)
    center = tree.visualItemRect(item).center()
    # A real double-click is a click followed by a double-click event on the same item.
    QTest.mouseClick(
        tree.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, center
    )
    QTest.mouseDClick(
        tree.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, center
    )
    new_id = next(node.id for node in graph if node.type == "BatchNorm2d")
    assert [e.src[0] for e in graph.inputs_of(new_id)] == ["conv1"]
    assert graph.successors(new_id) == ["pool1"]
    assert window.canvas.selected_node_ids() == [new_id]
    assert window.document.analysis.ok
    assert window.undo_action.text() == "Undo Add BatchNorm2d"


def test_enter_in_the_search_box_adds_the_first_match(window, qtbot):
    window.canvas.select_nodes(["dense1"])
    QTest.keyClicks(window.palette.search, "dropout")
    QTest.keyClick(window.palette.search, Qt.Key.Key_Return)
    graph = window.document.graph
    new_id = next(node.id for node in graph if node.type == "Dropout")
    assert graph.successors("dense1") == [new_id]


def test_search_finds_keras_and_pytorch_names_and_says_when_nothing_matches(qtbot):
    from neurocanvas.gui.palette import Palette

    palette = Palette()
    qtbot.addWidget(palette)
    palette.search.setText("MaxPooling2D")  # also inside GlobalMaxPooling2D
    assert sorted(palette.visible_layers()) == ["GlobalMaxPool2d", "MaxPool2d"]
    palette.search.setText("linear")
    assert palette.visible_layers() == ["Dense"]
    palette.search.setText("zzz")
    assert palette.visible_layers() == [] and not palette.no_match.isHidden()
    assert "zzz" in palette.no_match.text()
