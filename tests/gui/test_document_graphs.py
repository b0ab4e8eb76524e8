"""A project of several graphs in the window's Document: edits go to the main graph (a GAN's
generator), undo restores it, and saving keeps every graph in order."""

from __future__ import annotations

from neurocanvas.engine import project as project_io
from neurocanvas.engine.templates import load_template
from neurocanvas.gui.document import Document


def test_a_gan_project_edits_its_generator_and_saves_both_graphs(qtbot, tmp_path):
    document = Document(load_template("gan-ring"))
    assert document.main_graph == "generator" and document.graph is document.graphs["generator"]
    critic_before = document.graphs["discriminator"].to_dict()
    document.set_param("hidden1", "units", 32)
    assert document.graphs["generator"].nodes["hidden1"].params["units"] == 32
    assert document.graphs["discriminator"].nodes["hidden1"].params["units"] == 64
    document.undo_stack.undo()
    assert document.graphs["generator"].nodes["hidden1"].params["units"] == 64
    document.undo_stack.redo()
    path = tmp_path / "gan.json"
    document.save(path)
    again = project_io.load(path)
    assert list(again.graphs) == ["generator", "discriminator"]
    assert again.graphs["generator"].nodes["hidden1"].params["units"] == 32
    assert again.graphs["discriminator"].to_dict() == critic_before
