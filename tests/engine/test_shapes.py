"""Shape inference on the meta device: shapes, student-readable errors, incremental re-inference."""

from neurocanvas.engine.analysis import Analyzer, analyze
from neurocanvas.engine.graph import Graph, chain
from neurocanvas.engine.shape_format import format_shape, shape_text
from neurocanvas.engine.shapes import AutoSizes, ShapeInference
from neurocanvas.engine.templates import load_template


def shapes_of(graph):
    return {node_id: result.shape for node_id, result in ShapeInference().infer(graph).items()}


def test_seed_cnn_shapes_channels_first():
    shapes = shapes_of(load_template("seed-cnn").graph)
    assert shapes["conv1"] == (16, 24, 24)
    assert shapes["pool1"] == (16, 12, 12)
    assert shapes["flatten"] == (2304,)
    assert shapes["output"] == (10,)


def test_conv_after_flatten_is_explained_on_the_conv():
    graph = chain(("Input", {"shape": [1, 28, 28]}), "Flatten", "Conv2d")
    issues = analyze(graph).issues
    assert len(issues) == 1
    issue = issues[0]
    assert issue.node_id == "conv2d_1" and issue.is_error
    assert (
        "Conv2d expects input shaped (channels, height, width) but receives (784)" in issue.message
    )
    assert "Flatten" in issue.fix


def test_kernel_bigger_than_image_is_explained():
    graph = chain(("Input", {"shape": [1, 4, 4]}), ("Conv2d", {"kernel_size": 5}))
    (issue,) = analyze(graph).issues
    assert issue.node_id == "conv2d_1"
    assert "kernel is larger than its input" in issue.message


def test_dense_on_an_image_warns_to_flatten():
    graph = chain(("Input", {"shape": [3, 8, 8]}), "Dense")
    (issue,) = analyze(graph).issues
    assert not issue.is_error and "Flatten" in issue.fix


def test_merge_shapes_must_agree():
    graph = Graph()
    graph.add_node("Input", {"shape": [8]}, node_id="x")
    graph.add_node("Dense", {"units": 4}, node_id="a")
    graph.add_node("Dense", {"units": 5}, node_id="b")
    graph.add_node("Add", node_id="add")
    for src, dst, port in (("x", "a", 0), ("x", "b", 0), ("a", "add", 0), ("b", "add", 1)):
        graph.connect((src, 0), (dst, port))
    (issue,) = analyze(graph).issues
    assert issue.node_id == "add" and "(4) and (5)" in issue.message


def test_concatenate_joins_channels():
    analysis = analyze(load_template("inception-block").graph)
    assert analysis.ok  # the concat ends the inception block: its output is the block's
    assert analysis.shape_of("inception") == (16 + 24 + 8 + 8, 32, 32)


def test_embedding_needs_int_ids_and_rnn_shapes():
    graph = chain(
        ("Input", {"shape": [12], "dtype": "int64"}),
        ("Embedding", {"num_embeddings": 50, "embedding_dim": 8}),
        ("LSTM", {"hidden_size": 16, "bidirectional": True, "return_sequences": True}),
        ("GRU", {"hidden_size": 5}),
    )
    analysis = analyze(graph)
    assert analysis.ok
    assert analysis.shape_of("lstm_1") == (12, 32)
    assert analysis.shape_of("gru_1") == (5,)
    float_graph = chain(("Input", {"shape": [12]}), "Embedding")
    (issue,) = analyze(float_graph).issues
    assert "int64" in issue.fix


def test_auto_sizes_resolve_from_data():
    graph = load_template("tabular-mlp").graph
    analyzer = Analyzer()
    assert analyzer.analyze(graph).shape_of("output") is None
    resolved = analyzer.analyze(graph, AutoSizes(input_shape=(4,), output_units=3))
    assert resolved.complete
    assert resolved.shape_of("output") == (3,)


def test_editing_one_node_reinfers_only_downstream():
    graph = load_template("seed-cnn").graph
    inference = ShapeInference()
    inference.infer(graph)
    assert len(inference.rebuilt) == len(graph)
    graph.set_param("dense1", "units", 50)
    inference.infer(graph)
    assert inference.rebuilt == ["dense1", "output"]
    graph.set_param("dense1", "activation", "tanh")  # same output shape: stops at the edited node
    inference.infer(graph)
    assert inference.rebuilt == ["dense1"]


def test_shapes_are_written_one_way():
    assert format_shape((1, 28, 28)) == "1x28x28"
    assert format_shape(None) == "?"
    assert format_shape(()) == "scalar"
    assert shape_text((1, 28, 28)) == "(1, 28, 28)"
    assert shape_text((7,)) == "(7)"
    assert shape_text(None) == "?"


def test_same_padding_with_stride_divides_the_size_like_keras():
    for kernel in (2, 3, 4, 5):
        graph = chain(
            ("Input", {"shape": [1, 28, 28]}),
            ("Conv2d", {"kernel_size": kernel, "stride": 2, "padding": "same"}),
        )
        assert analyze(graph).shape_of("conv2d_1") == (16, 14, 14), kernel
    sequence = chain(
        ("Input", {"shape": [2, 9]}), ("Conv1d", {"kernel_size": 4, "stride": 2, "padding": "same"})
    )
    assert analyze(sequence).shape_of("conv1d_1") == (16, 5)


def test_conv_transpose_output_padding_must_be_below_stride():
    graph = chain(
        ("Input", {"shape": [4, 8, 8]}),
        ("ConvTranspose2d", {"kernel_size": 3, "stride": 2, "output_padding": 2}),
    )
    (issue,) = analyze(graph).issues
    assert issue.node_id == "conv_transpose2d_1"
    assert "output_padding (2) must be smaller than the stride (2)" in issue.message


def test_reshape_messages_name_the_layer_once():
    graph = chain(("Input", {"shape": [12]}), ("Reshape", {"shape": [0, -1]}))
    (issue,) = analyze(graph).issues
    assert issue.message.startswith("Reshape: target sizes must be positive")
    graph = chain(("Input", {"shape": [12]}), ("Reshape", {"shape": [5, 2]}))
    (issue,) = analyze(graph).issues
    assert issue.message == (
        "Reshape: cannot turn 12 values (input (12)) into (5, 2); the sizes must multiply to 12"
    )


def test_data_that_does_not_fit_the_input_is_an_error_on_the_input():
    graph = load_template("seed-cnn").graph
    (issue,) = analyze(graph, AutoSizes(input_shape=(4,), output_units=3)).errors
    assert issue.node_id == "input"
    assert "expects samples of shape (1, 28, 28) but the data's samples are (4)" in issue.message
    assert analyze(graph, AutoSizes(input_shape=(1, 28, 28), output_units=10)).ok


def test_unresolved_auto_input_is_a_warning_not_silence():
    (issue,) = analyze(load_template("tabular-mlp").graph).issues
    assert issue.node_id == "input" and not issue.is_error and "auto" in issue.message
