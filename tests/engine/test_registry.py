"""Registry-wide: every layer builds, infers its shape, round-trips through the file, compiles."""

import pytest
import torch
from neurocanvas.engine import project, registry
from neurocanvas.engine.analysis import analyze
from neurocanvas.engine.compiler import compile_graph
from neurocanvas.engine.graph import Graph
from neurocanvas.engine.registry import AUTO, ParamError, ParamSpec
from torch import nn


def graph_with(spec: registry.LayerSpec) -> Graph:
    """Input(s) of the spec's example shape wired into one node of `spec` (id "layer")."""
    shape, dtype = spec.example()
    graph = Graph()
    count = spec.input_count(spec.defaults())
    graph.add_node(spec.name, node_id="layer")
    for port in range(count):
        graph.add_node("Input", {"shape": list(shape), "dtype": dtype}, node_id=f"input_{port}")
        graph.connect((f"input_{port}", 0), ("layer", port))
    return graph


NON_SOURCE = [spec for spec in registry.all_specs() if not spec.is_source]


def test_the_issue_layer_list_is_registered():
    wanted = [
        "Input",
        "Dense",
        "Conv1d",
        "Conv2d",
        "ConvTranspose2d",
        "MaxPool1d",
        "MaxPool2d",
        "AvgPool1d",
        "AvgPool2d",
        "GlobalAvgPool2d",
        "Flatten",
        "Reshape",
        "Dropout",
        "BatchNorm1d",
        "BatchNorm2d",
        "LayerNorm",
        "Embedding",
        "SimpleRNN",
        "LSTM",
        "GRU",
        "ReLU",
        "LeakyReLU",
        "ELU",
        "GELU",
        "SiLU",
        "Sigmoid",
        "Tanh",
        "Softmax",
        "LogSoftmax",
        "Add",
        "Concatenate",
        "Multiply",
        "Upsample",
        "ZeroPad2d",
        "Identity",
    ]
    assert set(wanted) <= {spec.name for spec in registry.all_specs()}


@pytest.mark.parametrize("spec", registry.all_specs(), ids=lambda s: s.name)
def test_every_param_is_described(spec):
    assert spec.help and spec.category
    for param in spec.params:
        assert param.help, f"{spec.name}.{param.name} has no help text"
        # The default must be a valid value that coercion leaves as it is (a default that only
        # becomes valid after conversion would be written differently into every project file).
        default = param.make_default()  # a factory's fresh value (a block's body) or the default
        assert param.coerce(default) == default, f"{spec.name}.{param.name}"
        assert type(param.coerce(default)) is type(default)
        if param.kind == "choice":
            assert param.default in param.choices


@pytest.mark.parametrize("spec", NON_SOURCE, ids=lambda s: s.name)
def test_every_layer_infers_round_trips_and_compiles(spec, tmp_path):
    graph = graph_with(spec)
    analysis = analyze(graph)
    assert analysis.ok, [str(issue) for issue in analysis.issues]
    shape = analysis.shape_of("layer")
    assert shape is not None and all(size > 0 for size in shape)

    path = tmp_path / "one.json"
    project.save(project.Project("one", graph=graph), path)
    reloaded = project.load(path).graph
    assert reloaded.same_as(graph)

    model = compile_graph(reloaded, seed=0)
    inputs = []
    for node in reloaded.input_nodes():
        in_shape = tuple(node.params["shape"])
        if node.params["dtype"] == "int64":
            inputs.append(torch.randint(0, 10, (3, *in_shape)))
        else:
            inputs.append(torch.randn(3, *in_shape))
    model.eval()
    output = model(*inputs)
    assert tuple(output.shape) == (3, *shape)


def test_dense_and_conv_take_a_keras_style_activation():
    for name in ("Dense", "Conv1d", "Conv2d", "ConvTranspose2d"):
        assert "relu" in registry.get(name).param_index["activation"].choices


def test_param_coercion_names_the_problem():
    units = registry.get("Dense").param_index["units"]
    assert units.coerce("12") == 12
    assert units.coerce(AUTO) == AUTO
    with pytest.raises(ParamError, match="units must be at least 1"):
        units.coerce(0)
    with pytest.raises(ParamError, match="whole number"):
        units.coerce("twelve")
    rate = registry.get("Dropout").param_index["rate"]
    with pytest.raises(ParamError, match="at most 0.99"):
        rate.coerce(1.5)
    shape = ParamSpec("shape", "shape", (1,), "x")
    assert shape.coerce("1x28x28") == (1, 28, 28)
    with pytest.raises(ParamError, match="unknown"):
        registry.get("Dense").coerce_params({"unknown": 1})


def test_unknown_layer_is_named():
    with pytest.raises(KeyError, match="Conv4d"):
        registry.get("Conv4d")


def test_activations_and_norms_are_passed_through_by_shape_inference():
    preserving = registry.shape_preserving_types()
    for spec in registry.all_specs():
        if spec.category in ("Activation", "Normalization"):
            assert spec.shape_preserving, spec.name
            assert registry.module_type(spec) in preserving, spec.name
    assert nn.BatchNorm2d in preserving and nn.Dropout in preserving
    assert nn.Linear not in preserving and nn.Conv2d not in preserving


def test_a_layer_known_by_its_module_must_not_build_a_sequential():
    spec = registry.LayerSpec(
        name="TwoSteps",
        category="Activation",
        help="x",
        build=lambda p, s: nn.Sequential(nn.ReLU(), nn.Tanh()),
        shape_preserving=True,
    )
    with pytest.raises(ValueError, match="TwoSteps must build one module class"):
        registry.module_type(spec)


def test_output_heads_are_found_by_their_module():
    assert registry.head_of(nn.Softmax(dim=1)).kind == "softmax"
    assert registry.head_of(nn.Sigmoid()).loss == "binary_cross_entropy"
    log_softmax = registry.head_of(nn.LogSoftmax(dim=1))
    assert log_softmax.kind == "log_softmax" and not log_softmax.probabilities
    assert registry.head_of(nn.ReLU()) is None and registry.head_of(nn.Tanh()) is None


def test_activation_choices_are_the_activation_layers():
    choices = registry.get("Dense").param_index["activation"].choices
    assert choices[0] == "none"
    activations = [spec for spec in registry.all_specs() if spec.category == "Activation"]
    assert sorted(choices[1:]) == sorted(spec.fused_as for spec in activations)
    assert {"relu", "leaky_relu", "softmax", "log_softmax", "sigmoid"} <= set(choices)
    for name in ("Conv1d", "Conv2d", "ConvTranspose2d"):
        assert registry.get(name).param_index["activation"].choices == choices


def test_example_inputs_follow_the_rank_a_layer_wants():
    assert registry.get("Conv2d").example() == ((3, 12, 12), "float32")
    assert registry.get("LSTM").example() == ((6, 8), "float32")
    assert registry.get("Embedding").example() == ((7,), "int64")
    assert registry.get("Reshape").example() == ((1, 28, 28), "float32")
