"""The "tuning" section: its round trip through the project file, and bad search spaces refused
with the dimension named."""

from __future__ import annotations

import json

import pytest
from neurocanvas.engine import project as project_io
from neurocanvas.engine.registry import get
from neurocanvas.engine.templates import load_project_or_template
from neurocanvas.engine.training.settings import spec_for
from neurocanvas.engine.tune.space import (
    Dimension,
    TuningError,
    check_tuning,
    dimension_for,
    tuning_from_dict,
)
from neurocanvas.engine.tune.spec_text import parse_dimension

SPACE = {
    "dimensions": [
        {"node": "dense1", "param": "units", "low": 8, "high": 128, "log": True},
        {"node": "dropout1", "param": "rate", "low": 0.0, "high": 0.5},
        {"node": "dense1", "param": "activation", "choices": ["relu", "tanh"]},
        {"setting": "optimizer.lr", "low": 1e-4, "high": 0.1, "log": True},
        {"setting": "batch_size", "choices": [16, 32, 64]},
    ],
    "objective": "val_accuracy",
    "trials": 30,
    "sampler": "tpe",
    "pruner": "hyperband",
}


def tabular():
    return load_project_or_template("tabular-mlp")


def check(space: dict, project=None):
    project = project or tabular()
    check_tuning(tuning_from_dict(space), project.graph, project.training)


def test_tuning_section_round_trips_through_the_file(tmp_path):
    project = tabular()
    project.tuning = json.loads(json.dumps(SPACE))
    path = tmp_path / "p.json"
    project_io.save(project, path)
    loaded = project_io.load(path)
    assert loaded.tuning == SPACE
    assert json.loads(path.read_text())["version"] == project_io.FORMAT_VERSION
    # The config read from it writes the same dimensions back.
    assert tuning_from_dict(loaded.tuning).to_dict()["dimensions"] == SPACE["dimensions"]
    check(loaded.tuning, loaded)


def test_a_project_without_a_search_space_writes_no_tuning_key(tmp_path):
    project = tabular()
    project_io.save(project, tmp_path / "p.json")
    assert "tuning" not in json.loads((tmp_path / "p.json").read_text())
    assert project_io.load(tmp_path / "p.json").tuning == {}


def test_a_malformed_tuning_section_is_a_project_error_naming_the_field(tmp_path):
    data = tabular().to_dict() | {"tuning": {"trials": 0}}
    with pytest.raises(project_io.ProjectError, match=r"p.json: tuning.trials must be"):
        project_io.loads(json.dumps(data), "p.json")
    data["tuning"] = {"dimensions": [{"node": "dense1", "param": "units", "low": "x"}]}
    with pytest.raises(project_io.ProjectError, match="dense1.units: low must be a number"):
        project_io.loads(json.dumps(data), "p.json")


def test_a_dimension_of_a_removed_node_still_loads_but_is_refused_by_name():
    project = tabular()
    project.tuning = SPACE
    text = project_io.to_json(project)
    loaded = project_io.loads(text)
    loaded.graph.remove_node("dropout1")
    with pytest.raises(TuningError, match="dropout1.rate: the network has no node 'dropout1'"):
        check(SPACE, loaded)


@pytest.mark.parametrize(
    ("dimension", "message"),
    [
        (
            {"node": "dense1", "param": "units", "low": 64, "high": 8},
            "dense1.units: low 64 is above high 8",
        ),
        (
            {"setting": "optimizer.lr", "low": 0.0, "high": 0.1, "log": True},
            "optimizer.lr: a log range must stay above 0",
        ),
        (
            {"node": "dropout1", "param": "rate", "low": -0.5, "high": 0.5, "log": True},
            "dropout1.rate: a log range must stay above 0",
        ),
        (
            {"node": "dense1", "param": "activation", "choices": []},
            "dense1.activation: the list of choices is empty",
        ),
        (
            {"node": "dense1", "param": "kernel", "low": 1, "high": 2},
            "dense1.kernel: Dense has no parameter 'kernel'",
        ),
        (
            {"node": "dense1", "param": "activation", "low": 1, "high": 2},
            "dense1.activation is a choice parameter",
        ),
        (
            {"node": "dense1", "param": "activation", "choices": ["relu", "nope"]},
            "dense1.activation: activation must be one of",
        ),
        (
            {"node": "dense1", "param": "units", "low": 0, "high": 8},
            "dense1.units: units must be at least 1",
        ),
        (
            {"node": "dense1", "param": "units", "low": 1.5, "high": 8},
            "dense1.units is a whole number",
        ),
        (
            {"setting": "optimizer.lr", "low": 1e-4, "high": 500},
            "optimizer.lr: lr must be at most 100",
        ),
        (
            {"setting": "optimizer.betas", "low": 0, "high": 1},
            "there is no optimizer setting 'betas'",
        ),
        ({"setting": "optimizer", "choices": ["Adam"]}, "optimizer: not a training setting"),
    ],
)
def test_bad_dimensions_are_refused_naming_the_parameter(dimension, message):
    with pytest.raises(TuningError, match=message.replace("(", r"\(")):
        check({"dimensions": [dimension]})


def test_one_parameter_searched_twice_and_a_grid_over_a_float_range_are_refused():
    twice = {"dimensions": [SPACE["dimensions"][0], SPACE["dimensions"][0]]}
    with pytest.raises(TuningError, match="dense1.units is searched twice"):
        check(twice)
    grid = {"dimensions": [SPACE["dimensions"][1]], "sampler": "grid"}
    with pytest.raises(TuningError, match="dropout1.rate: a grid search needs a step"):
        check(grid)
    check({"dimensions": [SPACE["dimensions"][1] | {"step": 0.1}], "sampler": "grid"})


def test_the_direction_follows_the_metric_unless_given():
    assert tuning_from_dict({"objective": "val_loss"}).resolved_direction == "minimize"
    assert tuning_from_dict({"objective": "val_accuracy"}).resolved_direction == "maximize"
    given = tuning_from_dict({"objective": "val_mae", "direction": "maximize"})
    assert given.resolved_direction == "maximize"


def test_dimensions_are_prefilled_from_the_specs():
    units = get("Dense").param_index["units"]
    assert dimension_for(units, 64, node="d", param="units") == Dimension(
        "d", "units", low=16.0, high=256.0, log=True
    )
    activation = get("Dense").param_index["activation"]
    assert dimension_for(activation, node="d", param="activation").choices == activation.choices
    rate = get("Dropout").param_index["rate"]
    dim = dimension_for(rate, 0.2, node="drop", param="rate")
    assert (dim.low, dim.high, dim.log) == (rate.min, rate.max, False)
    lr = dimension_for(spec_for("optimizer", "lr"), 0.01, setting="optimizer.lr")
    assert (lr.low, lr.high, lr.log) == (0.0025, 0.04, True)
    kind = dimension_for(spec_for("optimizer", "type"), setting="optimizer.type")
    assert "SGD" in kind.choices and "Adam" in kind.choices
    bias = dimension_for(get("Dense").param_index["bias"], node="d", param="bias")
    assert bias.choices == (False, True)
    # Each prefilled dimension passes the checks it will meet.
    project = tabular()
    for d in (
        dimension_for(units, 64, node="dense1", param="units"),
        dimension_for(activation, node="dense1", param="activation"),
        dimension_for(rate, 0.2, node="dropout1", param="rate"),
        lr,
        kind,
    ):
        check({"dimensions": [d.to_dict()]}, project)


def test_command_line_dimensions():
    graph = tabular().graph
    assert parse_dimension("dense1.units=8..128:log", graph) == Dimension(
        "dense1", "units", low=8.0, high=128.0, log=True
    )
    assert parse_dimension("optimizer.lr=1e-4..1e-1:log", graph).setting == "optimizer.lr"
    assert parse_dimension("batch_size=16,32,64", graph).choices == (16, 32, 64)
    assert parse_dimension("dropout1.rate=0..0.5:step=0.1", graph).step == 0.1
    assert parse_dimension("dense1.bias=true,false", graph).choices == (True, False)
    with pytest.raises(TuningError, match="unknown option 'lag'"):
        parse_dimension("dense1.units=8..128:lag", graph)
    with pytest.raises(TuningError, match="'x' is not a number"):
        parse_dimension("dense1.units=x..128", graph)
