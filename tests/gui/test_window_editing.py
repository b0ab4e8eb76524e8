"""Main window: default size and dock sizes on the first show, the redo keys, naming an Untitled
project after its file, the unsaved-changes question before the Open dialog, where Ctrl+D puts
the copies, the summary's column widths and the export dialog's wrapped warnings."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QKeySequence
from window_fixtures import *  # noqa: F403 - the shared window fixtures


# ---- layout -------------------------------------------------------------------------------------
def test_default_size_is_80_percent_of_the_screen_but_at_least_1280x800():
    from neurocanvas.gui.main_window import default_size

    assert default_size(QRect(0, 0, 1600, 1000)) == QSize(1280, 800)
    assert default_size(QRect(0, 0, 2560, 1440)) == QSize(2048, 1152)
    assert default_size(QRect(0, 0, 1366, 740)) == QSize(1280, 700)  # what fits, frame included


def _assert_sane_layout(window):
    assert 150 <= window.palette_dock.width() <= 320
    assert 200 <= window.inspector_dock.width() <= 420
    assert 120 <= window.tabs_dock.height() <= 300
    canvas = window.canvas
    assert canvas.width() >= window.width() // 3 and canvas.height() >= window.height() // 3


def test_docks_are_sized_on_the_first_show(window, qtbot):
    qtbot.wait(50)
    _assert_sane_layout(window)


def test_docks_are_sized_when_loading_finishes_after_the_show(qtbot, data_dir):
    """The app's start-up: an empty shell is shown first and the panels come a moment later."""
    from neurocanvas.engine.templates import load_template
    from neurocanvas.gui.document import Document
    from neurocanvas.gui.main_window import MainWindow

    window = MainWindow(deferred=True)
    window.ask_save_changes = lambda: "discard"
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.finish_loading(Document(load_template("seed-cnn")))
    qtbot.wait(50)
    _assert_sane_layout(window)
    # The graph was fitted to the canvas's settled size: it fills one side of the canvas.
    canvas = window.canvas
    shown = canvas.mapFromScene(canvas.canvas_scene.items_rect()).boundingRect()
    viewport = canvas.viewport().rect()
    assert viewport.contains(shown)
    assert shown.height() >= viewport.height() * 0.6 or shown.width() >= viewport.width() * 0.6


def test_a_window_manager_resize_while_settling_resizes_the_docks_again(window, qtbot):
    window.resize(1500, 950)
    qtbot.wait(50)
    _assert_sane_layout(window)


# ---- redo ---------------------------------------------------------------------------------------
def test_redo_shortcuts_are_unique_and_include_ctrl_shift_z_and_ctrl_y(window):
    from neurocanvas.gui.main_window import redo_shortcuts

    keys = [sequence.toString() for sequence in window.redo_action.shortcuts()]
    assert len(keys) == len(set(keys))
    assert "Ctrl+Shift+Z" in keys and "Ctrl+Y" in keys
    assert [s.toString() for s in redo_shortcuts()] == keys


@pytest.mark.parametrize("key", ["Ctrl+Shift+Z", "Ctrl+Y"])
def test_redo_by_key_press(window, qtbot, key):
    document = window.document
    document.set_param("conv1", "out_channels", 12)
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert document.graph.nodes["conv1"].params["out_channels"] != 12
    sequence = QKeySequence(key)[0]
    qtbot.keyClick(window.canvas, sequence.key(), sequence.keyboardModifiers())
    assert document.graph.nodes["conv1"].params["out_channels"] == 12


# ---- files --------------------------------------------------------------------------------------
def test_an_untitled_project_is_named_after_its_file_when_first_saved(window, tmp_path):
    from neurocanvas.engine.project import Project, load
    from neurocanvas.gui.document import Document

    window.set_document(Document(Project()))
    assert window.document.project.name == "Untitled"
    window.ask_save_path = lambda: tmp_path / "mycnn.json"
    assert window.save()
    assert window.document.project.name == "mycnn" and load(tmp_path / "mycnn.json").name == "mycnn"
    window.ask_save_path = lambda: tmp_path / "copy.json"
    assert window.save_as()  # named once: a later Save As keeps the name
    assert window.document.project.name == "mycnn"


def test_a_named_project_keeps_its_name_when_saved(window, tmp_path):
    name = window.document.project.name
    window.ask_save_path = lambda: tmp_path / "other.json"
    assert window.save()
    assert window.document.project.name == name


def test_open_asks_about_unsaved_changes_before_the_file_dialog(window, tmp_path):
    window.document.set_param("conv1", "out_channels", 12)
    events = []
    window.ask_save_changes = lambda: events.append(("ask", window.save_purpose)) or "cancel"
    window.ask_open_path = lambda: events.append("dialog") or tmp_path / "x.json"
    assert not window.open_dialog()
    assert events == [("ask", "opening another project")]  # cancelled: no file dialog

    events.clear()
    window.ask_save_changes = lambda: events.append("ask") or "discard"
    window.ask_open_path = lambda: events.append("dialog") or None
    assert not window.open_dialog()
    assert events == ["ask", "dialog"]


def test_the_question_names_what_is_about_to_happen(window, monkeypatch):
    from neurocanvas.gui import window_files

    texts = []

    def question(_parent, _title, text, *_args):
        texts.append(text)
        return window_files.QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(window_files.QMessageBox, "question", question)
    del window.ask_save_changes  # the real question, with QMessageBox.question replaced
    window.document.set_param("conv1", "out_channels", 12)
    window.ask_open_path = lambda: None
    assert not window.open_dialog()
    assert texts == ["Save the changes to Seed CNN before opening another project?"]
    assert not window.close()
    assert texts[-1] == "Save the changes to Seed CNN before closing?"
    window.ask_save_changes = lambda: "discard"


# ---- editing ------------------------------------------------------------------------------------
def test_duplicate_goes_right_of_the_selection_into_free_space(window):
    from neurocanvas.gui.canvas.node_item import HEIGHT, WIDTH

    document = window.document
    window.canvas.select_nodes(["conv1", "pool1"])
    window.duplicate_action.trigger()
    new_ids = window.canvas.selected_node_ids()
    assert len(new_ids) == 2 and not {"conv1", "pool1"} & set(new_ids)
    nodes = document.graph.nodes
    right = max(nodes[n].pos[0] for n in ("conv1", "pool1")) + WIDTH / 2
    for new_id in new_ids:
        x, y = nodes[new_id].pos
        assert x - WIDTH / 2 >= right  # right of the selection's bounding box
        for other in nodes.values():  # and on top of nothing
            if other.id != new_id:
                overlaps = abs(other.pos[0] - x) < WIDTH and abs(other.pos[1] - y) < HEIGHT
                assert not overlaps, (new_id, other.id)
    # Again: the first copies are in the way, so the next go further right.
    window.canvas.select_nodes(["conv1"])
    (again,) = window.canvas.duplicate_selected()
    assert nodes[again].pos[0] > max(nodes[n].pos[0] for n in new_ids)


# ---- summary and export dialog ------------------------------------------------------------------
def test_summary_columns_fit_long_layer_names(window, qtbot):
    from neurocanvas.gui.main_window import TAB_SUMMARY

    new_id = window.document.add_after("MaxPool2d", "conv1")
    assert new_id == "max_pool2d_1"
    window.tabs.setCurrentIndex(TAB_SUMMARY)
    table = window.summary_view.table
    metrics = table.fontMetrics()
    header = table.horizontalHeader()
    for column in (0, 2, 3, 4, 5):
        widest = max(
            metrics.horizontalAdvance(table.item(row, column).text())
            for row in range(table.rowCount())
        )
        assert header.sectionSize(column) >= widest + 12, column


def test_export_dialog_shows_every_line_of_a_long_warning(window, qtbot):
    from neurocanvas.engine.export.bundle import UNTRAINED_WARNING

    dialog = window.exports.open_dialog()
    qtbot.waitExposed(dialog)
    reply = {
        "ok": True,
        "format": "onnx",
        "path": "/tmp/untitled.onnx",
        "opset": 17,
        "max_abs_diff": 1e-7,
        "batch_sizes": [1, 4],
        "size_bytes": 100_000,
        "seconds": 1.0,
        "verify_seconds": 0.5,
        "total_seconds": 1.6,
        "warnings": [UNTRAINED_WARNING],
    }
    dialog._show_result(reply)
    label = dialog.warnings_label
    qtbot.waitUntil(lambda: label.height() >= label.heightForWidth(label.width()))
    assert (
        label.wordWrap()
        and label.heightForWidth(label.width()) > label.fontMetrics().height() * 1.5
    )
    assert dialog.result_box.geometry().bottom() <= dialog.height()
