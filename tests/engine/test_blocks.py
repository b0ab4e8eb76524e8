"""Blocks: a node holding a sub-graph. Shapes, errors, compile names, file, copies, grouping."""

import pytest
import torch
from neurocanvas.engine import project
from neurocanvas.engine.analysis import analyze
from neurocanvas.engine.block_edit import group, ungroup
from neurocanvas.engine.blocks import set_exposed, walk
from neurocanvas.engine.compiler import compile_graph, readable_code
from neurocanvas.engine.graph import Graph, GraphError, chain
from neurocanvas.engine.graph_change import diff
from neurocanvas.engine.summary import format_table, summarize
from torch import nn

CONV = {"out_channels": 8, "kernel_size": 3, "padding": "same"}


def conv_relu_body(channels: int = 8) -> Graph:
    return chain(
        ("Input", {}), ("Conv2d", CONV | {"out_channels": channels}), "ReLU"
    )  # ids input_1, conv2d_1, re_lu_1


def with_block(body: Graph, repeat: int = 1, shape=(8, 12, 12)) -> Graph:
    graph = Graph()
    graph.add_node("Input", {"shape": shape}, node_id="x")
    graph.add_node("Block", {"graph": body, "repeat": repeat}, node_id="res1")
    graph.connect(("x", 0), ("res1", 0))
    return graph


def test_block_compiles_to_named_sub_modules_equal_to_hand_written_torch():
    graph = with_block(conv_relu_body(), repeat=2)
    model = compile_graph(graph, seed=0)
    keys = list(model.state_dict())
    assert keys == [
        "res1.0.conv2d_1.weight",
        "res1.0.conv2d_1.bias",
        "res1.1.conv2d_1.weight",
        "res1.1.conv2d_1.bias",
    ]
    reference = nn.Sequential(
        nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 8, 3, padding=1), nn.ReLU()
    )
    state = model.state_dict()
    reference[0].weight.data, reference[0].bias.data = state[keys[0]], state[keys[1]]
    reference[2].weight.data, reference[2].bias.data = state[keys[2]], state[keys[3]]
    x = torch.randn(2, 8, 12, 12)
    assert torch.allclose(model(x), reference(x), atol=1e-6)
    assert analyze(graph).shapes["res1"].param_count == sum(
        p.numel() for p in reference.parameters()
    )


def test_readable_code_shows_each_block_under_its_module_path():
    code = readable_code(compile_graph(with_block(conv_relu_body(), repeat=2)))
    assert "res1 = self.res1(x)" in code
    assert "# res1.0, res1.1" in code
    assert "conv2d_1 = self.conv2d_1(input_1)" in code


def test_a_shape_error_inside_names_the_inner_node_and_the_block():
    graph = with_block(chain(("Input", {}), ("Conv2d", {"out_channels": 8, "kernel_size": 30})))
    (issue,) = analyze(graph).errors
    assert issue.node_id == "res1"
    assert issue.message.startswith("res1 > conv2d_1: ")
    assert str(issue).startswith("res1 > conv2d_1: ")


def test_nested_blocks_name_the_whole_path():
    inner = with_block(chain(("Input", {}), ("Conv2d", {"out_channels": 8, "kernel_size": 30})))
    inner.remove_node("x")
    inner.add_node("Input", node_id="x")
    inner.connect(("x", 0), ("res1", 0))
    graph = with_block(inner)
    graph.rename_node("res1", "outer")
    (issue,) = analyze(graph).errors
    assert issue.message.startswith("outer > res1 > conv2d_1: ")


def test_repeat_needs_a_body_that_keeps_its_shape():
    graph = with_block(conv_relu_body(channels=4), repeat=3)
    (issue,) = analyze(graph).errors
    assert issue.node_id == "res1"
    assert "repeat 3" in issue.message and "(8, 12, 12)" in issue.message
    graph.set_param("res1", "repeat", 1)
    assert analyze(graph).ok and analyze(graph).shape_of("res1") == (4, 12, 12)


def test_an_edit_inside_the_body_is_seen_by_cached_inference():
    from neurocanvas.engine.analysis import Analyzer

    body = conv_relu_body()
    graph = with_block(body)
    analyzer = Analyzer()
    assert analyzer.analyze(graph).shape_of("res1") == (8, 12, 12)
    body.set_param("conv2d_1", "out_channels", 5)
    assert analyzer.analyze(graph).shape_of("res1") == (5, 12, 12)


def test_multi_input_block_takes_its_body_inputs_in_order():
    body = Graph()
    body.add_node("Input", node_id="a")
    body.add_node("Input", node_id="b")
    body.add_node("Concatenate", node_id="cat")
    body.connect(("a", 0), ("cat", 0))
    body.connect(("b", 0), ("cat", 1))
    graph = Graph()
    graph.add_node("Input", {"shape": (3,)}, node_id="x")
    graph.add_node("Input", {"shape": (5,)}, node_id="y")
    graph.add_node("Block", {"graph": body}, node_id="pair")
    assert graph.nodes["pair"].input_count() == 2
    graph.connect(("y", 0), ("pair", 0))
    graph.connect(("x", 0), ("pair", 1))
    model = compile_graph(graph)
    x, y = torch.randn(2, 3), torch.randn(2, 5)
    assert torch.equal(model(x, y), torch.cat([y, x], dim=1))


def test_project_file_round_trip_keeps_the_body_and_refuses_a_bad_one():
    graph = with_block(conv_relu_body(), repeat=2)
    loaded = project.loads(project.to_json(project.Project(graph=graph))).graph
    assert loaded.same_as(graph)
    assert loaded.nodes["res1"].params["graph"] is not graph.nodes["res1"].params["graph"]
    data = project.Project(graph=graph).to_dict()
    data["graphs"]["main"]["nodes"][1]["params"]["graph"]["nodes"][1]["type"] = "Nope"
    with pytest.raises(
        project.ProjectError,
        match=r"node 2 \(res1\) >: node 2 \(conv2d_1\): unknown layer type 'Nope'",
    ):
        project.from_dict(data)


def test_copies_and_changes_copy_bodies_deeply_and_compare_them_by_content():
    graph = with_block(conv_relu_body())
    clone = graph.copy()
    assert clone.nodes["res1"] == graph.nodes["res1"]
    clone.nodes["res1"].params["graph"].set_param("conv2d_1", "out_channels", 3)
    assert clone.nodes["res1"] != graph.nodes["res1"]
    assert graph.nodes["res1"].params["graph"].nodes["conv2d_1"].params["out_channels"] == 8

    before = graph.copy()
    set_exposed_graph = graph.copy()
    set_exposed_graph.set_params("res1", {"expose": {"filters": "conv2d_1.out_channels"}})
    set_exposed(set_exposed_graph, "res1", "filters", 16)
    change = diff(before, set_exposed_graph)
    change.apply(graph)
    assert graph.same_as(set_exposed_graph)
    assert analyze(graph).shape_of("res1") == (16, 12, 12)
    graph.nodes["res1"].params["graph"].set_param("conv2d_1", "out_channels", 2)  # live edit
    change.revert(graph)
    change.apply(graph)  # the record was not changed by the live edit
    assert analyze(graph).shape_of("res1") == (16, 12, 12)


def test_expose_pointing_nowhere_is_an_issue_on_the_block():
    graph = with_block(conv_relu_body())
    graph.set_params("res1", {"expose": {"filters": "conv9.out_channels"}})
    (issue,) = analyze(graph).errors
    assert issue.node_id == "res1" and "conv9.out_channels" in issue.message


def test_summary_folds_child_rows_under_the_block():
    graph = with_block(conv_relu_body(), repeat=2)
    summary = summarize(graph)
    names = [(row.name, row.depth, row.parent) for row in summary.rows]
    assert names == [
        ("x", 0, ""),
        ("res1", 0, ""),
        ("res1.0.conv2d_1", 1, "res1"),
        ("res1.0.re_lu_1", 1, "res1"),
        ("res1.1.conv2d_1", 1, "res1"),
        ("res1.1.re_lu_1", 1, "res1"),
    ]
    assert summary.total_params == 2 * (8 * 8 * 9 + 8)  # children are not counted twice
    assert "  res1.0.conv2d_1 (Conv2d)" in format_table(summary)


def flat_graph() -> Graph:
    graph = Graph()
    graph.add_node("Input", {"shape": (8, 12, 12)}, node_id="x")
    graph.add_node("Conv2d", CONV, node_id="a", pos=(0, 110))
    graph.add_node("ReLU", node_id="b", pos=(0, 220))
    graph.add_node("Add", node_id="add", pos=(0, 330))
    graph.add_node("Flatten", node_id="flat", pos=(0, 440))
    for src, dst, port in [("x", "a", 0), ("a", "b", 0), ("b", "add", 0), ("x", "add", 1)]:
        graph.connect((src, 0), (dst, port))
    graph.connect(("add", 0), ("flat", 0))
    return graph


def test_group_then_ungroup_gives_back_the_network():
    graph = flat_graph()
    flat_model = compile_graph(graph, seed=1)
    before = graph.copy()
    block_id = group(graph, ["a", "b", "add"], block_id="res")
    assert set(graph.nodes) == {"x", "res", "flat"}
    assert graph.nodes["res"].input_count() == 1  # x feeds two inner nodes: one port
    grouped = compile_graph(graph)
    renamed = {f"res.{key}": value for key, value in flat_model.state_dict().items()}
    grouped.load_state_dict(renamed)
    x = torch.randn(2, 8, 12, 12)
    assert torch.allclose(grouped(x), flat_model(x), atol=1e-6)
    change = diff(before, graph)  # the undo step of grouping
    ungrouped = graph.copy()
    ungroup(ungrouped, block_id)
    assert structure(ungrouped) == structure(before)
    change.revert(graph)
    assert graph.same_as(before)
    change.apply(graph)
    assert set(graph.nodes) == {"x", "res", "flat"}


def test_grouping_inside_a_body_leaves_the_bodys_input_wires_outside():
    graph = flat_graph()
    group(graph, ["a", "b", "add"], block_id="res")
    body = graph.nodes["res"].params["graph"]
    (outer_input,) = body.input_nodes()
    group(body, ["a"], block_id="inner")  # an Input named like the body's would take its wires
    inner = body.nodes["inner"].params["graph"]
    (inner_input,) = inner.input_nodes()
    assert inner_input.id != outer_input.id
    assert [(e.src[0], e.dst[0]) for e in inner.edges] == [(inner_input.id, "a")]
    assert analyze(graph).ok


def structure(graph: Graph):
    return sorted(graph.nodes), sorted((e.src, e.dst) for e in graph.edges)


def test_group_refuses_selections_a_block_cannot_hold():
    graph = flat_graph()
    with pytest.raises(GraphError, match="x is an Input"):
        group(graph, ["x", "a"])
    branched = flat_graph()
    branched.add_node("Flatten", node_id="side")
    branched.connect(("a", 0), ("side", 0))
    with pytest.raises(GraphError, match="one output.*a, b"):
        group(branched, ["a", "b"])
    with pytest.raises(GraphError, match="b lies between"):
        group(graph, ["a", "add"])


def test_walk_lists_every_node_with_its_path():
    paths = [path for path, _ in walk(with_block(conv_relu_body()))]
    assert paths == ["x", "res1", "res1.input_1", "res1.conv2d_1", "res1.re_lu_1"]


@pytest.mark.slow
def test_model_py_and_onnx_keep_the_block_hierarchy(tmp_path):
    import onnx
    from neurocanvas.engine.export import export, load_source
    from neurocanvas.engine.export.code import load_generated_module

    source = load_source(project.Project("b", graph=with_block(conv_relu_body(), repeat=2)), seed=0)
    result = export(source, "pytorch", tmp_path / "code", train_script=False)
    assert result.max_abs_diff < 1e-5
    text = (tmp_path / "code" / "model.py").read_text()
    assert text.count("class Block_res1_0(nn.Module)") == 1  # the two copies share one class
    module = load_generated_module(tmp_path / "code" / "model.py")
    assert list(module.Model().state_dict()) == list(source.model.state_dict())
    result = export(source, "onnx", tmp_path / "model.onnx")
    assert result.max_abs_diff < 1e-5
    names = [node.name for node in onnx.load(tmp_path / "model.onnx").graph.node]
    assert any(name.startswith("/res1/res1.1/conv2d_1/") for name in names), names


def test_a_frozen_block_freezes_every_layer_inside():
    graph = with_block(conv_relu_body())
    graph.set_trainable("res1", False)
    summary = summarize(graph)
    assert summary.trainable_params == 0 and summary.non_trainable_params == 8 * 8 * 9 + 8
    assert [row.trainable for row in summary.rows if row.depth] == [0, 0]
    model = compile_graph(graph)
    assert not any(p.requires_grad for p in model.parameters())


def test_hostile_bodies_become_issues_or_project_errors_naming_the_block():
    empty = Graph()
    empty.add_node("Identity", node_id="i")
    graph = Graph()
    graph.add_node("Input", {"shape": (3,)}, node_id="x")
    graph.add_node("Block", {"graph": empty}, node_id="blk")
    (issue, *_) = [i for i in analyze(graph).errors if i.node_id == "blk"]
    assert issue.message == "blk > The network has no Input layer"
    data = project.Project(graph=with_block(conv_relu_body())).to_dict()
    data["graphs"]["main"]["nodes"][1]["params"]["graph"] = {"nodes": 5}
    with pytest.raises(project.ProjectError, match=r"node 2 \(res1\) >: \"graph.nodes\" must be"):
        project.from_dict(data)
    data["graphs"]["main"]["nodes"][1]["params"] = {"graph": {}, "expose": [1]}
    with pytest.raises(project.ProjectError, match=r"\(res1\): \"expose\" must map names"):
        project.from_dict(data)


@pytest.mark.slow
def test_keras_export_writes_a_block_inline_with_path_names(tmp_path):
    from neurocanvas.engine.export import export, load_source

    graph = with_block(conv_relu_body(), repeat=2)
    graph.add_node("Flatten", node_id="flat")
    graph.connect(("res1", 0), ("flat", 0))
    source = load_source(project.Project("k", graph=graph), seed=0)
    result = export(source, "keras", tmp_path / "keras")
    assert result.max_abs_diff < 1e-5
    script = (tmp_path / "keras" / "model_keras.py").read_text()
    assert "name='res1_0_conv2d_1'" in script and "name='res1_1_conv2d_1'" in script


def test_a_block_holding_an_auto_sized_dense_gets_the_datas_units():
    """Found in a real-window trial: grouping the lstm-forecast's auto Dense made the model
    invalid ("Sizes set to 'auto' are not resolved yet")."""
    from neurocanvas.engine.block_edit import group
    from neurocanvas.engine.shapes import AutoSizes
    from neurocanvas.engine.summary import summarize
    from neurocanvas.engine.templates import load_template

    graph = load_template("lstm-forecast").graph
    auto = AutoSizes((1, 12), 1)
    before = summarize(graph, auto).total_params
    block = group(graph, ["steps", "lstm", "nonlinear"])
    assert not analyze(graph, auto).errors
    assert summarize(graph, auto).total_params == before == 4_398
    model = compile_graph(graph, auto)
    assert model(torch.randn(2, 1, 12)).shape == (2, 1)
    assert graph.nodes[block].params["graph"].nodes["nonlinear"].params["units"] == "auto"
    unsized = analyze(graph, AutoSizes((1, 12), None))  # no data yet: unknown, not an error
    assert not unsized.errors and unsized.shapes[block].shape is None


def test_grouping_after_an_input_named_like_the_bodys_own_keeps_one_wire():
    """The body's new Input is `input_1`, as chain() names the network's: no doubled wire."""
    graph = chain(("Input", {"shape": [6]}), ("Dense", {"units": 5}), ("Dense", {"units": 2}))
    group(graph, ["dense_1", "dense_2"], block_id="body")
    body = graph.nodes["body"].params["graph"]
    assert len(body.inputs_of("dense_1")) == 1
    assert analyze(graph).ok
