"""Blocks and freezing in the window: group / ungroup as undo steps, the trainable switch and
the card's lock, and File > Import writing and opening a project."""

from __future__ import annotations

from neurocanvas.gui import block_actions
from window_fixtures import *  # noqa: F403 - the shared window fixtures


def test_group_and_ungroup_are_single_undo_steps(window):
    document = window.document
    start = document.graph.copy()
    window.canvas.select_nodes(["conv1", "pool1"])
    block_id = block_actions.group_selected(window)
    assert block_id == "block_1" and window.canvas.selected_node_ids() == ["block_1"]
    assert document.graph.nodes["block_1"].type == "Block"
    assert document.analysis.ok and document.analysis.shape_of("block_1") == (16, 12, 12)
    assert window.canvas.node_item("block_1") is not None
    grouped = document.graph.copy()
    assert block_actions.ungroup_selected(window)
    assert {"conv1", "pool1"} <= set(document.graph.nodes)
    document.undo_stack.undo()
    assert document.graph.same_as(grouped)
    document.undo_stack.undo()
    assert document.graph.same_as(start)
    document.undo_stack.redo()
    assert document.graph.same_as(grouped)
    assert document.undo_stack.undoText() == "Group into block"


def test_grouping_a_selection_with_two_exits_is_refused_with_the_reason(window, qtbot):
    messages = []
    window.document.status_message.connect(messages.append)
    window.canvas.select_nodes(["input", "conv1"])
    assert block_actions.group_selected(window) is None
    assert "input is an Input of the network" in messages[-1]
    assert window.document.undo_stack.count() == 0


def test_trainable_switch_freezes_with_undo_and_the_card_shows_a_lock(window):
    window.canvas.select_nodes(["conv1"])
    box = window.inspector.trainable_box
    assert box.isChecked() and "Keras" in box.toolTip()
    box.setChecked(False)
    document = window.document
    assert document.graph.nodes["conv1"].trainable is False
    assert window.canvas.node_item("conv1").frozen
    assert document.analysis.shapes["conv1"].trainable_count == 0
    document.undo_stack.undo()
    assert document.graph.nodes["conv1"].trainable is True
    assert not window.canvas.node_item("conv1").frozen
    assert window.inspector.trainable_box.isChecked()


def test_import_writes_the_project_and_weights_and_opens_it(window, qtbot, tmp_path):
    source = tmp_path / "net.py"
    source.write_text(
        "from torch import nn\n"
        "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.body = nn.Sequential(nn.Linear(4, 6), nn.ReLU())\n"
        "        self.head = nn.Linear(6, 2)\n"
        "    def forward(self, x):\n"
        "        return self.head(self.body(x))\n"
    )
    out = tmp_path / "imported.json"
    assert block_actions.import_into(window, f"{source}:Net", "4", out)
    qtbot.waitUntil(lambda: window.document.path == out, timeout=20000)
    assert (tmp_path / "imported.weights.pt").exists()
    assert list(window.document.graph.nodes) == ["x", "body", "head"]


def test_import_model_file_asks_for_the_file_then_the_project(tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    asked, imports = [], []

    class Window:  # what the action needs of the window
        def maybe_save(self, purpose):
            asked.append(purpose)
            return True

    window = Window()
    model_file = tmp_path / "net.onnx"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(model_file), ""))
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "net.json"), "")
    )
    monkeypatch.setattr(block_actions, "import_into", lambda *args: imports.append(args) or True)
    assert block_actions.ask_import_file(window)
    assert asked == ["importing a model"]
    assert imports == [(window, str(model_file), "", tmp_path / "net.json")]  # its own shape


def test_summary_folds_a_blocks_layers_until_clicked(window):
    window.canvas.select_nodes(["conv1", "pool1"])
    block_actions.group_selected(window)
    view = window.summary_view
    view.refresh()
    names = [view.table.item(row, 0).text().strip() for row in range(view.table.rowCount())]
    block_row = names.index("▸ block_1")
    inner = [row for row, name in enumerate(names) if name.startswith("block_1.")]
    assert len(inner) == 2 and all(view.table.isRowHidden(row) for row in inner)
    view._toggle(block_row, 0)
    assert not any(view.table.isRowHidden(row) for row in inner)
    assert view.table.item(block_row, 0).text() == "▾ block_1"


def test_a_blocks_exposed_parameter_is_edited_in_the_inspector(window):
    document = window.document
    window.canvas.select_nodes(["conv1", "pool1"])
    block_id = block_actions.group_selected(window)
    document.graph.set_params(block_id, {"expose": {"filters": "conv1.out_channels"}})
    document.edited()
    window.canvas.select_nodes([])
    window.canvas.select_nodes([block_id])
    editor = window.inspector.exposed_editors["filters"]
    assert editor._current == 16
    editor.committed.emit(8)
    assert document.analysis.shape_of(block_id) == (8, 12, 12)
    document.undo_stack.undo()
    assert document.analysis.shape_of(block_id) == (16, 12, 12)
    assert window.inspector.exposed_editors["filters"]._current == 16


def test_import_asks_about_unsaved_changes_first_and_fits_the_screen(qtbot, monkeypatch):
    """Found in a real-window trial: the dialog was 1984 px wide (its help on one line) and the
    unsaved-changes question came after the save dialog."""
    from neurocanvas.gui import block_actions
    from PySide6.QtWidgets import QInputDialog, QWidget

    class Window(QWidget):
        def __init__(self, save_answer):
            super().__init__()
            self.save_answer, self.asked = save_answer, []

        def maybe_save(self, purpose):
            self.asked.append(purpose)
            return self.save_answer

    refusing = Window(False)
    qtbot.addWidget(refusing)
    shown = []
    monkeypatch.setattr(QInputDialog, "exec", lambda dialog: shown.append(dialog) or 0)
    assert block_actions.ask_import(refusing) is False
    assert refusing.asked == ["importing a model"] and not shown  # nothing asked after a Cancel
    willing = Window(True)
    qtbot.addWidget(willing)
    assert block_actions.ask_import(willing) is False  # the model dialog cancelled
    (dialog,) = shown
    dialog.show()
    assert dialog.width() <= 600 and "resnet18" in dialog.comboBoxItems()
    dialog.close()
    shown.clear()  # no wrapper of it outlives its parent window
