"""The inspector: typing a value updates shapes and the summary at once, refused values stay out
of the graph with the reason shown inline, renames, and undo/redo through the Edit menu."""

from __future__ import annotations

from neurocanvas.gui.main_window import TAB_SUMMARY
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit, QSpinBox
from window_fixtures import *  # noqa: F403 - the shared window fixtures


def _retype(widget, text: str) -> None:
    line = widget.lineEdit() if isinstance(widget, QSpinBox) else widget
    line.selectAll()
    QTest.keyClicks(line, text)


def test_form_follows_the_selection(window):
    window.canvas.select_nodes(["conv1"])
    inspector = window.inspector
    assert inspector.node_id == "conv1"
    assert set(inspector.editors) == set(window.document.graph.nodes["conv1"].params)
    assert isinstance(inspector.editors["out_channels"].widget, QSpinBox)
    assert inspector.shape_label.text() == "(16, 24, 24)"
    assert inspector.params_label.text() == "416"
    window.canvas.select_nodes([])
    assert inspector.node_id is None and not inspector.editors


def test_typing_a_value_updates_shapes_summary_and_status(window, qtbot):
    window.tabs.setCurrentIndex(TAB_SUMMARY)
    window.canvas.select_nodes(["conv1"])
    spin = window.inspector.editors["out_channels"].widget
    _retype(spin, "8")
    graph = window.document.graph
    assert graph.nodes["conv1"].params["out_channels"] == 8
    assert window.document.analysis.shape_of("pool1") == (8, 12, 12)
    assert window.inspector.shape_label.text() == "(8, 24, 24)"
    summary = window.summary_view.summary
    assert summary.total_params == window.document.analysis.shapes["conv1"].param_count + sum(
        row.params for row in summary.rows if row.name != "conv1"
    )
    table = window.summary_view.table
    shapes = {table.item(r, 0).text(): table.item(r, 2).text() for r in range(table.rowCount())}
    assert shapes["flatten"] == "(1152)"
    assert f"{summary.total_params:,} parameters" == window.params_label.text()


def test_line_edit_value_applies_on_enter_and_merges_into_one_undo_step(window):
    window.canvas.select_nodes(["dense1"])
    edit = window.inspector.editors["units"].widget
    assert isinstance(edit, QLineEdit)  # units also accepts "auto"
    _retype(edit, "32")
    QTest.keyClick(edit, Qt.Key.Key_Return)
    assert window.document.graph.nodes["dense1"].params["units"] == 32
    assert window.document.analysis.shapes["output"].param_count == 32 * 10 + 10
    assert window.undo_action.text() == "Undo Set units"
    _retype(edit, "auto")
    QTest.keyClick(edit, Qt.Key.Key_Return)
    assert window.document.graph.nodes["dense1"].params["units"] == "auto"


def test_invalid_values_are_refused_inline(window):
    graph = window.document.graph
    before = graph.copy()
    window.canvas.select_nodes(["input"])
    shape = window.inspector.editors["shape"]
    _retype(shape.widget, "1, a, 28")
    QTest.keyClick(shape.widget, Qt.Key.Key_Return)
    assert shape.error.isVisible() and "whole numbers" in shape.error.text()
    assert graph.same_as(before)

    window.canvas.select_nodes(["dense1"])
    units = window.inspector.editors["units"]
    _retype(units.widget, "0")
    QTest.keyClick(units.widget, Qt.Key.Key_Return)
    assert units.error.isVisible() and "at least 1" in units.error.text()
    assert graph.same_as(before)
    assert window.document.undo_stack.count() == 0


def test_rename_and_refused_rename(window):
    window.canvas.select_nodes(["conv1"])
    inspector = window.inspector
    inspector.name_edit.selectAll()
    QTest.keyClicks(inspector.name_edit, "features")
    QTest.keyClick(inspector.name_edit, Qt.Key.Key_Return)
    graph = window.document.graph
    assert "features" in graph.nodes and "conv1" not in graph.nodes
    assert inspector.node_id == "features"
    inspector.name_edit.selectAll()
    QTest.keyClicks(inspector.name_edit, "pool1")
    QTest.keyClick(inspector.name_edit, Qt.Key.Key_Return)
    assert inspector.name_error.isVisible() and "already exists" in inspector.name_error.text()
    assert "features" in graph.nodes


def test_undo_and_redo_from_the_edit_menu_restore_the_graph(window):
    graph = window.document.graph
    original = graph.copy()
    window.canvas.select_nodes(["conv1"])
    _retype(window.inspector.editors["out_channels"].widget, "32")
    changed = graph.copy()
    assert window.undo_action.text() == "Undo Set out_channels"
    assert window.isWindowModified()
    window.undo_action.trigger()
    assert graph.same_as(original)
    assert window.inspector.editors["out_channels"].widget.value() == 16
    assert not window.isWindowModified()
    assert window.redo_action.text() == "Redo Set out_channels"
    window.redo_action.trigger()
    assert graph.same_as(changed)
    assert window.inspector.editors["out_channels"].widget.value() == 32


def test_delete_through_the_edit_menu_is_undoable(window):
    graph = window.document.graph
    original = graph.copy()
    window.canvas.select_nodes(["pool1"])
    window.delete_action.trigger()
    assert "pool1" not in graph.nodes
    assert window.inspector.node_id is None
    window.undo_action.trigger()
    assert graph.same_as(original)
