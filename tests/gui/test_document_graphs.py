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


def test_edits_go_to_the_active_network_and_undo_shows_its_tab(qtbot):
    document = Document(load_template("gan-ring"))
    shown = []
    document.active_changed.connect(lambda: shown.append(document.active_path))
    document.open_path("discriminator")
    document.set_param("hidden1", "units", 32)
    assert document.graphs["discriminator"].nodes["hidden1"].params["units"] == 32
    assert document.graphs["generator"].nodes["hidden1"].params["units"] == 64
    document.open_path("generator")
    document.undo_stack.undo()  # the edit was in the discriminator: its tab comes back
    assert document.active_path == ("discriminator",)
    assert document.graphs["discriminator"].nodes["hidden1"].params["units"] == 64
    assert shown == [("discriminator",), ("generator",), ("discriminator",)]
    document.open_path("generator")
    document.undo_stack.redo()
    assert document.network == "discriminator"
    assert document.graphs["discriminator"].nodes["hidden1"].params["units"] == 32


def test_each_network_has_its_own_analysis(qtbot):
    document = Document(load_template("dcgan-mnist"))
    generator, critic = document.analyses["generator"], document.analyses["discriminator"]
    assert generator.shape_of("pixels") == (1, 28, 28) and critic.shape_of("real") == (1,)
    document.open_path("discriminator")
    assert document.analysis is document.analyses["discriminator"]
    document.add_after("Conv2d", "flatten")  # a Conv2d after a Flatten: an error there only
    assert [issue.node_id for issue in document.all_errors()] == ["conv2d_1"]
    assert document.analyses["generator"].ok and not document.analyses["discriminator"].ok


def test_networks_are_added_renamed_and_removed_as_undo_steps(qtbot, tmp_path):
    document = Document(load_template("gan-ring"))
    start = {name: graph.to_dict() for name, graph in document.graphs.items()}
    training = document.settings("training")
    messages = []
    document.status_message.connect(messages.append)
    assert document.add_network("extra") == "extra"
    assert list(document.graphs) == ["generator", "discriminator", "extra"]
    assert document.active_path == ("extra",)
    assert [node.type for node in document.graph] == ["Input"]
    for bad in ("2nd", "class", "generator", "with space"):
        assert document.rename_network("extra", bad) is not None
    assert ["already exists" in text for text in messages] == [False, False, True, False]
    assert all("letters, digits and _" in messages[i] for i in (0, 1, 3))
    assert document.add_network("generator") is None and "already exists" in messages[-1]
    assert document.undo_stack.count() == 1
    assert document.rename_network("discriminator", "critic") is None
    assert list(document.graphs) == ["generator", "critic", "extra"]
    assert "critic" in document.settings("training")["graphs"]
    assert "discriminator" not in document.settings("training")["graphs"]
    assert "gan training step" in messages[-1]  # it trains networks by these names
    assert document.remove_network("extra")
    assert list(document.graphs) == ["generator", "critic"] and document.network != "extra"
    path = tmp_path / "renamed.json"
    document.save(path)
    assert list(project_io.load(path).graphs) == ["generator", "critic"]
    for _ in range(3):
        document.undo_stack.undo()
    assert {name: graph.to_dict() for name, graph in document.graphs.items()} == start
    assert document.settings("training") == training
    document.undo_stack.redo()
    assert list(document.graphs)[-1] == "extra" and document.network == "extra"


def test_the_last_network_cannot_be_removed(qtbot):
    document = Document(load_template("seed-cnn"))
    messages = []
    document.status_message.connect(messages.append)
    assert not document.remove_network("main")
    assert "one network at least" in messages[-1] and document.undo_stack.count() == 0


def test_an_edit_inside_a_block_updates_its_card_and_undo_opens_the_body(qtbot):
    from nested_blocks import conv_params, nested_resnet

    document = Document(nested_resnet())
    outer_events = []
    document.graphs["main"].subscribe(outer_events.append)
    before = document.analysis.shapes["res1"].param_count
    assert document.open_block("res1") and document.active_path == ("main", "res1")
    assert document.analysis.shape_of("conv2") == (16, 32, 32)  # bound to what reaches res1
    document.set_param("conv2", "kernel_size", 5)
    document.set_param("conv2", "kernel_size", 7)  # one merged step
    assert document.undo_stack.count() == 1
    assert [(e.kind, e.node_id) for e in outer_events] == [("node_changed", "res1")] * 2
    grown = conv_params(16, 16, 7) - conv_params(16, 16, 3)
    assert document.analyses["main"].shapes["res1"].param_count == before + grown
    document.go_up()
    assert document.active_path == ("main",) and document.graph is document.graphs["main"]
    document.undo_stack.undo()
    assert document.active_path == ("main", "res1")
    assert document.graph.nodes["conv2"].params["kernel_size"] == 3
    assert document.analyses["main"].shapes["res1"].param_count == before


def test_nested_bodies_edit_by_path_and_the_stack_keeps_no_graph(qtbot):
    from nested_blocks import nested_resnet
    from neurocanvas.engine.graph import Graph

    document = Document(nested_resnet())
    document.open_path(("main", "res1", "inner"))
    document.rename_node("conv1", "first")
    inner = document.graphs["main"].nodes["res1"].params["graph"].nodes["inner"]
    assert "first" in inner.params["graph"].nodes
    assert document.analyses["main"].ok  # the outer analysis sees the renamed inner layer
    document.open_path("main")
    document.remove_nodes(["res1"])  # the body that held the edit is gone...
    document.undo_stack.undo()  # ...and back
    document.undo_stack.undo()  # the rename, replayed on the body found by its path
    assert document.active_path == ("main", "res1", "inner")
    assert "conv1" in document.graph.nodes and "first" not in document.graph.nodes
    commands = [document.undo_stack.command(i) for i in range(document.undo_stack.count())]
    assert [command.path for command in commands] == [("main", "res1", "inner"), ("main",)]
    assert not any(isinstance(value, Graph) for c in commands for value in vars(c).values())


def test_undo_of_the_grouping_leaves_the_block_it_showed(qtbot):
    document = Document(load_template("seed-cnn"))
    block_id = document.group_nodes(["conv1", "pool1"])
    document.open_block(block_id)
    document.undo_stack.undo()
    assert document.active_path == ("main",) and "conv1" in document.graph.nodes
