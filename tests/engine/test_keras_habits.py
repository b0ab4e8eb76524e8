"""What a Keras user types is understood: channels-last shapes, Keras/PyTorch type names, `auto`
sizes in a summary, BatchNorm's momentum in both conventions."""

import json

import pytest
from neurocanvas.engine import cli, project, registry, templates
from neurocanvas.engine.analysis import analyze
from neurocanvas.engine.graph import chain
from neurocanvas.engine.summary import format_table, summarize


def test_channels_last_input_is_recognised_and_the_channels_first_shape_offered():
    graph = chain(("Input", {"shape": [28, 28, 1]}), ("Conv2d", {"kernel_size": 5}))
    issues = [i for i in analyze(graph).issues if i.node_id == graph.input_nodes()[0].id]
    assert len(issues) == 1 and not issues[0].is_error
    assert "channels-last" in issues[0].message
    assert "1x28x28" in issues[0].fix


@pytest.mark.parametrize("shape", [[1, 28, 28], [3, 32, 32], [28, 28], [4, 4, 3], [16, 8, 8]])
def test_channels_first_and_other_shapes_get_no_such_warning(shape):
    graph = chain(("Input", {"shape": shape}), "Flatten")
    assert not [i for i in analyze(graph).issues if "channels-last" in i.message]


def test_summary_of_auto_sizes_says_unknown_and_how_to_give_them():
    summary = summarize(templates.load_template("tabular-mlp").graph)
    assert not summary.sizes_known
    table = format_table(summary)
    assert "Total params: 0" not in table
    assert "Total params: unknown" in table
    assert "--input-shape" in table and "--output-units" in table and "--data" in table
    assert summary.to_dict()["total_params"] is None


def test_cli_summary_takes_the_auto_sizes(capsys):
    assert cli.main(["summary", "tabular-mlp", "--input-shape", "4", "--output-units", "3"]) == 0
    out = capsys.readouterr().out
    # Keras: Dense(64) on 4 features 320, Dense(32) 2,080, Dense(3) 99
    assert "Total params: 2,499" in out
    assert cli.main(["summary", "tabular-mlp", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total_params"] is None and data["sizes_known"] is False


def test_batchnorm_momentum_is_shown_in_both_conventions():
    spec = registry.get("BatchNorm2d")
    assert "Keras 0.9" in spec.describe(spec.defaults())
    assert "0.99 is 0.01" in spec.param_index["momentum"].help


def _file(layer_type: str, params: dict | None = None) -> dict:
    return {
        "format": "neurocanvas",
        "version": 2,  # one "graph" (version 3 names its graphs)
        "graph": {
            "nodes": [
                {"id": "input", "type": "Input", "params": {"shape": [3, 8, 8]}},
                {"id": "layer", "type": layer_type, "params": params or {}},
            ],
            "edges": [{"from": ["input", 0], "to": ["layer", 0]}],
        },
    }


@pytest.mark.parametrize(
    "alias,canonical",
    [
        ("Conv2D", "Conv2d"),
        ("Linear", "Dense"),
        ("MaxPooling2D", "MaxPool2d"),
        ("GlobalAveragePooling2D", "GlobalAvgPool2d"),
        ("LayerNormalization", "LayerNorm"),
        ("ZeroPadding2D", "ZeroPad2d"),
        ("InputLayer", "Input"),
    ],
)
def test_keras_and_pytorch_type_names_load_as_the_canonical_layer(alias, canonical):
    data = _file(alias)
    if alias == "InputLayer":
        data["graph"]["nodes"][0]["type"] = alias
        data["graph"]["nodes"][1]["type"] = "Flatten"
    loaded = project.from_dict(data)
    node = "input" if alias == "InputLayer" else "layer"
    assert loaded.graph.nodes[node].type == canonical
    assert json.loads(project.to_json(loaded))["graphs"]["main"]["nodes"][1]["type"] != alias


def test_every_listed_alias_is_accepted():
    for spec in registry.all_specs():
        for alias in spec.aliases:
            assert spec.name in registry.type_candidates(alias)


def _keras_bn_file(input_shape, before=None):
    data = _file("BatchNormalization")
    data["graph"]["nodes"][0]["params"]["shape"] = input_shape
    if before:  # Input -> before -> BatchNormalization
        data["graph"]["nodes"].insert(1, {"id": "before", "type": before[0], "params": before[1]})
        data["graph"]["edges"] = [
            {"from": ["input", 0], "to": ["before", 0]},
            {"from": ["before", 0], "to": ["layer", 0]},
        ]
    return data


@pytest.mark.parametrize(
    "shape,before,wanted",
    [
        ([3, 8, 8], None, "BatchNorm2d"),
        ([20], None, "BatchNorm1d"),
        ([1, 28, 28], ("Conv2D", {"out_channels": 4}), "BatchNorm2d"),
        ([1, 28, 28], ("Flatten", {}), "BatchNorm1d"),
    ],
)
def test_keras_batch_normalization_becomes_the_norm_its_input_needs(shape, before, wanted):
    loaded = project.from_dict(_keras_bn_file(shape, before))
    node = loaded.graph.nodes["layer"]
    assert node.type == wanted
    # Keras' defaults when the file speaks Keras: epsilon 1e-3, momentum 0.99 (= PyTorch's 0.01)
    assert node.params["eps"] == 1e-3 and node.params["momentum"] == 0.01
    assert analyze(loaded.graph).ok


def test_a_keras_name_keeps_the_settings_the_file_gives():
    data = _file("BatchNormalization", {"eps": 1e-5})
    assert project.from_dict(data).graph.nodes["layer"].params["eps"] == 1e-5
