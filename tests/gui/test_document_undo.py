"""One command family: undo/redo of graph edits update only the canvas items concerned, settings
edits go through the Document and announce themselves with `settings_changed(section)`."""

from __future__ import annotations

import pytest
from neurocanvas.engine import templates
from neurocanvas.engine.graph import Graph
from neurocanvas.gui.document import Document


def long_graph(count: int = 300) -> Graph:
    """Input -> `count - 1` Dense layers: a big graph whose items a rebuild would all replace."""
    graph = Graph()
    previous = graph.add_node("Input", {"shape": [8]}, (0.0, 0.0)).id
    for index in range(1, count):
        node = graph.add_node("Dense", {"units": 8}, (0.0, index * 110.0))
        graph.connect((previous, 0), (node.id, 0))
        previous = node.id
    return graph


@pytest.fixture
def document(qtbot):
    document = Document(templates.load_template("seed-cnn"))
    yield document
    document.undo_stack.clear()


def test_undo_and_redo_of_a_parameter_edit_keep_every_other_item(make_view):
    view = make_view(long_graph())
    scene, stack = view.canvas_scene, view.document.undo_stack
    nodes, edges = dict(scene.nodes), dict(scene.edges)
    view.document.set_param("dense_150", "units", 7)
    for step, caption in (
        (stack.undo, "Dense 8"),
        (stack.redo, "Dense 7"),
        (stack.undo, "Dense 8"),
    ):
        step()
        assert all(scene.nodes[node_id] is item for node_id, item in nodes.items())
        assert all(scene.edges[edge] is item for edge, item in edges.items())
        assert scene.nodes["dense_150"]._lines[0] == caption
    assert scene.edges[view.document.graph.outputs_of("dense_150")[0]].label_text == "8"


def test_undoing_a_delete_brings_back_only_the_deleted_card(make_view):
    view = make_view(templates.load_template("seed-cnn"))
    scene = view.canvas_scene
    kept = {node_id: item for node_id, item in scene.nodes.items() if node_id != "pool1"}
    scene.nodes["conv1"].setSelected(True)
    view.document.remove_nodes(["pool1"])
    view.document.undo_stack.undo()
    assert set(scene.nodes) == set(view.document.graph.nodes)
    assert all(scene.nodes[node_id] is item for node_id, item in kept.items())
    assert set(scene.edges) == set(view.document.graph.edges)
    assert scene.selected_node_ids() == ["conv1"]  # the selection was never thrown away


def test_a_merged_edit_back_to_the_start_leaves_no_step(document):
    units = document.graph.nodes["dense1"].params["units"]
    for value in (50, 5, units):
        document.set_param("dense1", "units", value)
    assert document.undo_stack.count() == 0 and not document.modified
    before = dict(document.settings("training"))
    document.set_settings("training", before | {"epochs": 3}, "Set epochs")
    document.set_settings("training", before, "Set epochs")
    assert document.undo_stack.count() == 0 and not document.modified


def test_settings_edits_are_document_commands_that_say_which_section(document, qtbot):
    before = dict(document.settings("training"))
    wanted = before | {"epochs": 3}
    with qtbot.waitSignal(document.settings_changed) as changed:
        assert document.set_settings("training", wanted, "Set epochs")
    assert changed.args == ["training"] and document.project.training == wanted
    assert document.undo_stack.undoText() == "Set epochs" and document.modified
    with qtbot.waitSignal(document.settings_changed) as changed:
        document.undo_stack.undo()
    assert changed.args == ["training"] and document.settings("training") == before
    assert not document.set_settings("training", before)  # nothing to change: no step
    assert document.undo_stack.count() == 1  # the undone edit, still there to redo


def test_graph_edits_do_not_announce_a_settings_change(document, qtbot):
    heard = []
    document.settings_changed.connect(heard.append)
    document.set_param("dense1", "units", 5)
    document.undo_stack.undo()
    document.undo_stack.redo()
    assert heard == []


def test_the_training_form_refills_from_settings_changed_only(document, qtbot, monkeypatch):
    from neurocanvas.gui.training.train_panel import TrainPanel

    panel = TrainPanel(document)
    qtbot.addWidget(panel)
    document.set_settings("training", document.settings("training") | {"batch_size": 8})
    assert panel.batch_size.value() == 8  # an edit from elsewhere shows in the form
    loads = []
    monkeypatch.setattr(panel, "load_from_project", lambda: loads.append(1))
    document.set_param("dense1", "units", 5)
    document.undo_stack.undo()
    assert loads == []  # graph edits and their undo leave the form alone
    document.undo_stack.undo()
    assert loads == [1]
