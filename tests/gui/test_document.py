"""The Document: every kind of edit is undoable and undo/redo restore the exact graph."""

import pytest
from neurocanvas.engine import templates
from neurocanvas.engine.project import Project
from neurocanvas.gui.document import Document


@pytest.fixture
def document(qtbot):
    return Document(templates.load_template("seed-cnn"))


def edits(document):
    """One of each kind of edit, as (name, function)."""
    return [
        ("add", lambda: document.add_node("Dropout", (300.0, 40.0))),
        ("add_after", lambda: document.add_after("BatchNorm1d", "dense1")),
        ("remove", lambda: document.remove_nodes(["pool1", "flatten"])),
        ("connect", lambda: document.connect(("dense1", 0), ("dropout_1", 0))),
        ("disconnect", lambda: document.disconnect(document.graph.edges[0])),
        ("move", lambda: document.move_nodes({"conv1": (12.0, 34.0), "dense1": (0.0, 500.0)})),
        ("set_param", lambda: document.set_param("conv1", "out_channels", 8)),
        ("rename", lambda: document.rename_node("dense1", "hidden")),
        ("paste", lambda: document.duplicate(["conv1", "pool1"])),
        ("layout", document.auto_layout),
    ]


def test_undo_and_redo_restore_the_exact_graph_for_every_edit(document):
    snapshots = [document.graph.copy()]
    for name, edit in edits(document):
        edit()
        snapshots.append(document.graph.copy())
        assert not snapshots[-1].same_as(snapshots[-2]), f"{name} changed nothing"
    assert document.undo_stack.count() == len(snapshots) - 1
    for index in range(len(snapshots) - 1, 0, -1):
        document.undo_stack.undo()
        assert document.graph.same_as(snapshots[index - 1])
    for index in range(1, len(snapshots)):
        document.undo_stack.redo()
        assert document.graph.same_as(snapshots[index])


def test_undo_texts_name_the_edit(document):
    document.set_param("dense1", "units", 50)
    assert document.undo_stack.undoText() == "Set units"
    document.rename_node("dense1", "hidden")
    assert document.undo_stack.undoText() == "Rename dense1 to hidden"


def test_typing_a_value_is_one_undo_step(document):
    for value in (1, 12, 128):
        document.set_param("dense1", "units", value)
    assert document.undo_stack.count() == 1
    document.undo_stack.undo()
    assert document.graph.nodes["dense1"].params["units"] == 100


def test_add_after_inserts_between_and_reanalyses(document, qtbot):
    with qtbot.waitSignal(document.analysis_changed):
        new_id = document.add_after("Dropout", "dense1")
    assert [e.src[0] for e in document.graph.inputs_of(new_id)] == ["dense1"]
    assert [e.src[0] for e in document.graph.inputs_of("output")] == [new_id]
    assert document.analysis.ok


def test_refused_edits_push_nothing_and_say_why(document, qtbot):
    with qtbot.waitSignal(document.status_message) as message:
        assert "cycle" in document.connect(("output", 0), ("conv1", 0))
    assert "cycle" in message.args[0]
    assert "already exists" in document.rename_node("dense1", "conv1")
    assert document.undo_stack.count() == 0


def test_paste_gives_fresh_ids_and_keeps_inner_wires(document):
    text = document.copy_json(["conv1", "pool1"])
    new_ids = document.paste_json(text)
    assert len(new_ids) == 2 and not set(new_ids) & {"conv1", "pool1"}
    assert [e.src[0] for e in document.graph.inputs_of(new_ids[1])] == [new_ids[0]]
    assert document.paste_json("not json") == []


def test_modified_flag_and_save(document, tmp_path, qtbot):
    assert not document.modified
    with qtbot.waitSignal(document.modified_changed):
        document.set_param("dense1", "units", 10)
    assert document.modified
    document.save(tmp_path / "p.json")
    assert not document.modified and document.path.name == "p.json"
    reopened = Document.open(tmp_path / "p.json")
    assert reopened.graph.same_as(document.graph)


def test_empty_document_reports_missing_input(qtbot):
    document = Document(Project())
    assert not document.analysis.ok


def test_an_edit_that_would_fail_is_refused_whole(document, qtbot):
    with qtbot.waitSignal(document.status_message) as message:
        document.set_param("dense1", "no_such_param", 3)
    assert "no_such_param" in message.args[0]
    assert document.undo_stack.count() == 0
