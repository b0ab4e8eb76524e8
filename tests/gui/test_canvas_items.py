"""Canvas items follow the Document: labels, issue outlines, undo/redo, clipboard, every template."""

from __future__ import annotations

import os
import warnings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from neurocanvas.engine.graph import chain  # noqa: E402
from neurocanvas.engine.project import Project  # noqa: E402
from neurocanvas.engine.templates import list_templates, load_template  # noqa: E402
from neurocanvas.gui.canvas.view import CanvasView  # noqa: E402


@pytest.fixture
def make_view(make_view):
    """The shared factory (conftest.py) at the size these label and layout tests were tuned to."""
    return lambda content=None: make_view(content, size=(800, 600))


def seed_cnn_graph():
    return chain(
        ("Input", {"shape": [1, 28, 28]}),
        ("Conv2d", {"out_channels": 16, "kernel_size": 5, "activation": "relu"}),
        ("MaxPool2d", {"kernel_size": 2}),
        "Flatten",
        ("Dense", {"units": 10}),
    )


def labels(view: CanvasView) -> dict[tuple[str, str], str]:
    return {(w.edge.src[0], w.edge.dst[0]): w.label_text for w in view.edge_items()}


def assert_items_match_graph(view: CanvasView) -> None:
    graph = view.document.graph
    scene = view.canvas_scene
    assert set(scene.nodes) == set(graph.nodes)
    assert set(scene.edges) == set(graph.edges)
    for node in graph:
        assert (scene.nodes[node.id].x(), scene.nodes[node.id].y()) == node.pos
        assert len(scene.nodes[node.id].inputs) == node.input_count()


def test_cards_show_caption_id_shape_and_params(make_view):
    view = make_view(seed_cnn_graph())
    caption, node_id, details = view.node_item("conv2d_1")._lines
    assert caption == "Conv2d 16@5x5 relu"
    assert node_id == "conv2d_1"
    assert details.startswith("16x24x24") and "416 params" in details
    assert labels(view)[("conv2d_1", "max_pool2d_1")] == "16x24x24"
    assert labels(view)[("flatten_1", "dense_1")] == "2304"
    assert "2-D convolution" in view.node_item("conv2d_1").toolTip()


def test_set_param_changes_the_downstream_wire_label(make_view):
    view = make_view(seed_cnn_graph())
    document = view.document
    document.set_param("conv2d_1", "out_channels", 8)
    assert labels(view)[("conv2d_1", "max_pool2d_1")] == "8x24x24"
    assert labels(view)[("max_pool2d_1", "flatten_1")] == "8x12x12"
    assert labels(view)[("flatten_1", "dense_1")] == "1152"
    assert view.node_item("conv2d_1")._lines[0] == "Conv2d 8@5x5 relu"
    document.undo_stack.undo()
    assert labels(view)[("flatten_1", "dense_1")] == "2304"


def test_error_outline_and_tooltip_for_conv_after_flatten(make_view):
    graph = chain(("Input", {"shape": [1, 28, 28]}), "Flatten", "Conv2d")
    view = make_view(Project(graph=graph))
    item = view.node_item("conv2d_1")
    (issue,) = view.document.analysis.issues_for("conv2d_1")
    assert item.severity == "error"
    assert issue.message in item.toolTip()
    assert issue.fix and f"Fix: {issue.fix}" in item.toolTip()
    assert view.node_item("flatten_1").severity is None
    # Fixing the graph clears the outline.
    view.document.remove_nodes(["flatten_1"])
    view.document.connect(("input_1", 0), ("conv2d_1", 0))
    assert item.severity is None
    assert "Error" not in item.toolTip()


def test_undo_redo_rebuild_items_and_keep_selection(make_view):
    view = make_view(seed_cnn_graph())
    document = view.document
    original = document.graph.copy()
    view.select_nodes(["flatten_1"])
    document.add_node("Dropout", (200, 300))
    document.connect(("dense_1", 0), ("dropout_1", 0))
    document.move_nodes({"input_1": (40, -20)})
    document.set_param("max_pool2d_1", "kernel_size", 4)
    document.rename_node("dense_1", "classifier")
    edited = document.graph.copy()
    assert_items_match_graph(view)
    assert labels(view)[("classifier", "dropout_1")] == "10"
    while document.undo_stack.canUndo():
        document.undo_stack.undo()
        assert_items_match_graph(view)
    assert document.graph.same_as(original)
    assert view.selected_node_ids() == ["flatten_1"]
    while document.undo_stack.canRedo():
        document.undo_stack.redo()
        assert_items_match_graph(view)
    assert document.graph.same_as(edited)
    assert labels(view)[("max_pool2d_1", "flatten_1")] == "16x6x6"


def test_merge_ports_follow_the_input_count(make_view):
    graph = chain(("Input", {"shape": [4]}))
    view = make_view(graph)
    document = view.document
    node_id = document.add_node("Concatenate", (0, 200))
    count = document.graph.nodes[node_id].input_count()
    assert len(view.node_item(node_id).inputs) == count
    ports = [port.scenePos().x() for port in view.node_item(node_id).inputs]
    assert ports == sorted(ports) and len(set(ports)) == count  # spread out, left to right
    document.set_param(node_id, "inputs", count + 1)
    assert len(view.node_item(node_id).inputs) == count + 1


def test_copy_paste_duplicate_cut_and_delete(make_view, qapp):
    view = make_view(seed_cnn_graph())
    document = view.document
    view.select_nodes(["conv2d_1", "max_pool2d_1"])
    view.copy_selected()
    assert '"neurocanvas-clipboard"' in qapp.clipboard().text()
    pasted = view.paste()
    assert len(pasted) == 2 and sorted(view.selected_node_ids()) == sorted(pasted)
    assert len(view.canvas_scene.nodes) == 7
    # The wire between the two copies came along; wires to the rest did not.
    inner = [e for e in document.graph.edges if e.src[0] in pasted and e.dst[0] in pasted]
    assert len(inner) == 1 and inner[0] in view.canvas_scene.edges
    duplicated = view.duplicate_selected()
    assert len(duplicated) == 2 and len(view.canvas_scene.nodes) == 9
    view.cut_selected()
    assert len(view.canvas_scene.nodes) == 7
    assert view.paste() and len(view.canvas_scene.nodes) == 9
    view.select_all()
    view.delete_selected()
    assert len(document.graph) == 0 and not view.canvas_scene.items()
    document.undo_stack.undo()
    assert len(view.canvas_scene.nodes) == 9
    assert_items_match_graph(view)


def test_delete_of_nodes_and_a_loose_wire_is_one_undo_step(make_view):
    view = make_view(seed_cnn_graph())
    document = view.document
    before = document.graph.copy()
    view.select_nodes(["input_1"])
    wire = next(w for w in view.edge_items() if w.edge.src[0] == "flatten_1")
    wire.setSelected(True)
    steps = document.undo_stack.count()
    view.delete_selected()
    assert "input_1" not in document.graph.nodes
    assert all(e.src[0] != "flatten_1" for e in document.graph.edges)
    assert document.undo_stack.count() == steps + 1
    document.undo_stack.undo()
    assert document.graph.same_as(before)


def test_labels_avoid_cards_and_each_other(make_view):
    view = make_view(load_template("inception-block"))
    cards = [item.scene_card_rect() for item in view.canvas_scene.nodes.values()]
    rects = [wire.label_rect() for wire in view.edge_items()]
    assert all(not rect.isEmpty() for rect in rects)
    for index, rect in enumerate(rects):
        assert not any(rect.intersects(card) for card in cards)
        assert not any(rect.intersects(other) for other in rects[index + 1 :])


def test_fit_all_shows_the_whole_graph(make_view):
    view = make_view(load_template("vgg-cifar10"))
    view.fit_all()
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert visible.contains(view.canvas_scene.items_rect())
    assert view.zoom() < 1.0


@pytest.mark.parametrize("name", [t.name for t in list_templates()])
def test_every_template_loads_without_warnings(make_view, name):
    # Qt warnings fail any test (qt_log_level_fail in pyproject.toml); Python ones are caught here.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        view = make_view(load_template(name))
        view.grab()  # paint every item once: painting errors surface here
    assert [str(w.message) for w in caught] == []
    assert_items_match_graph(view)
    assert all(wire.label_text for wire in view.edge_items())
    area = view.canvas_scene.items_rect()
    cards = [item.sceneBoundingRect() for item in view.canvas_scene.nodes.values()]
    assert not area.isEmpty() and all(area.contains(card) for card in cards)


def test_skip_connection_is_routed_around_the_cards_it_skips(make_view):
    from PySide6.QtGui import QPainterPathStroker

    view = make_view(load_template("residual-cnn"))
    skip = next(
        w
        for w in view.edge_items()
        if w.edge
        == next(
            e for e in view.document.graph.edges if e.src[0] == "stem" and e.dst[0] == "skip_add"
        )
    )
    stroker = QPainterPathStroker()
    stroker.setWidth(2)
    outline = stroker.createStroke(skip.path)
    for skipped in ("res_conv1", "res_conv2"):
        assert not outline.intersects(view.node_item(skipped).scene_card_rect())
    assert skip.path.pointAtPercent(0) == view.node_item("stem").output_anchor()
    assert skip.path.pointAtPercent(1) == view.node_item("skip_add").input_anchor(1)
