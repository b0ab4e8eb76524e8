"""The palette's My blocks: a block saved from the canvas, added back (double-click and drop),
its exposed width editable in the inspector, each insertion one undo step; block files shared."""

from __future__ import annotations

import json

from neurocanvas.engine import block_library
from neurocanvas.gui import block_actions, block_library_actions
from neurocanvas.gui.palette import BLOCK_MIME
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication
from window_fixtures import *  # noqa: F403 - the shared window fixtures


def save_seed_block(window, name="Seed features"):
    window.canvas.select_nodes(["conv1", "pool1"])
    block_id = block_actions.group_selected(window)
    return block_library_actions.save_to_palette(window, block_id, name)


def test_group_save_to_palette_add_from_palette_and_undo(window, data_dir):
    path = save_seed_block(window)
    assert path == block_library.library_dir() / "seed_features.block.json"
    assert str(block_library.library_dir()).startswith(str(data_dir))  # never the user's own
    assert window.palette.block_names() == ["Seed features"]
    document = window.document
    before = document.graph.copy()
    steps = document.undo_stack.count()
    item = window.palette.block_items()[0]
    window.palette.tree.itemActivated.emit(item, 0)  # double-click
    added = window.canvas.selected_node_ids()
    assert added == ["seed_features_1"] and document.graph.nodes["seed_features_1"].type == "Block"
    assert document.undo_stack.count() == steps + 1
    # Added after the selected block, wired in: the network still checks out.
    assert document.analysis.ok
    assert [e.src[0] for e in document.graph.inputs_of("seed_features_1")] == ["block_1"]
    # The block's width is its own field in the inspector, and edits the inner conv.
    editor = window.inspector.exposed_editors["conv1_out_channels"]
    assert editor.value() == 16
    document.set_exposed("seed_features_1", "conv1_out_channels", 4)
    body = document.graph.nodes["seed_features_1"].params["graph"]
    assert body.nodes["conv1"].params["out_channels"] == 4
    # The library's copy is untouched by the edit.
    assert (
        block_library.list_library()[0][0]
        .node.params["graph"]
        .nodes["conv1"]
        .params["out_channels"]
        == 16
    )
    document.undo_stack.undo()
    document.undo_stack.undo()
    assert document.graph.same_as(before)


def test_a_palette_block_dropped_on_the_canvas_lands_there_as_one_step(window):
    save_seed_block(window)
    mime = window.palette.tree.mimeData(window.palette.block_items())
    assert mime.hasFormat(BLOCK_MIME)
    view = window.canvas
    document = window.document
    steps = document.undo_stack.count()
    point = view.mapFromScene(QPointF(900, 900))
    actions = Qt.DropAction.CopyAction
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(point, actions, mime, buttons, mods)
    QApplication.sendEvent(view.viewport(), enter)
    assert enter.isAccepted()
    QApplication.sendEvent(
        view.viewport(), QDropEvent(QPointF(point), actions, mime, buttons, mods)
    )
    assert "seed_features_1" in document.graph.nodes
    assert document.undo_stack.count() == steps + 1
    document.undo_stack.undo()
    assert "seed_features_1" not in document.graph.nodes


def test_export_and_import_a_block_file_to_share(window, tmp_path, monkeypatch):
    window.canvas.select_nodes(["conv1", "pool1"])
    block_id = block_actions.group_selected(window)
    shared = block_library_actions.export_node(window, block_id, tmp_path / "mine.block.json")
    assert json.loads(shared.read_text())["format"] == "neurocanvas-block"
    assert window.palette.block_names() == []  # exporting does not add it to the palette
    imported = block_library_actions.import_block_file(window, shared)
    assert imported.name == "block_1" and window.palette.block_names() == ["block_1"]


def test_a_bad_block_file_is_refused_with_its_name(window, tmp_path, monkeypatch):
    errors = []
    monkeypatch.setattr(window, "show_error", lambda title, text: errors.append(text))
    bad = tmp_path / "bad.block.json"
    bad.write_text('{"format": "neurocanvas-block", "version": 1, "name": "x", "block": 3}')
    assert block_library_actions.import_block_file(window, bad) is None
    assert "bad.block.json" in errors[0] and '"block" must be a node object' in errors[0]
    assert window.palette.block_names() == []


def test_the_block_card_menu_offers_save_to_palette(window, monkeypatch):
    from neurocanvas.gui.canvas.context_menu import canvas_menu

    window.canvas.select_nodes(["conv1", "pool1"])
    block_actions.group_selected(window)
    monkeypatch.setattr(
        block_library_actions.QInputDialog, "getText", lambda *a, **k: ("From menu", True)
    )
    view = window.canvas
    point = view.mapFromScene(view.node_item("block_1").sceneBoundingRect().center())
    menu = canvas_menu(view, QPoint(point.x(), point.y()))
    action = next(a for a in menu.actions() if a.text() == "Save to palette…")
    action.trigger()
    assert window.palette.block_names() == ["From menu"]
    window.palette.search.setText("from men")
    assert [i.isHidden() for i in window.palette.block_items()] == [False]
    window.palette.search.setText("dense")
    assert window.palette.blocks_group.isHidden()
