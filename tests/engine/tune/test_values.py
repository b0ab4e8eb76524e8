"""A trial's values: asked of Optuna by the spec's kind and written into a copy of the project."""

from __future__ import annotations

import optuna
import pytest
from neurocanvas.engine.templates import load_project_or_template
from neurocanvas.engine.training.config import TrainConfig
from neurocanvas.engine.tune.space import TuningError, tuning_from_dict
from neurocanvas.engine.tune.values import (
    apply_values,
    current_values,
    grid_space,
    set_setting,
    spec_of,
    suggest,
)

CONFIG = tuning_from_dict(
    {
        "dimensions": [
            {"node": "dense1", "param": "units", "low": 8, "high": 128, "log": True},
            {"node": "dropout1", "param": "rate", "low": 0.0, "high": 0.5, "step": 0.25},
            {"setting": "optimizer.lr", "low": 1e-4, "high": 0.1, "log": True},
            {"setting": "batch_size", "choices": [16, 64]},
            {"setting": "schedule.type", "choices": ["none", "cosine"]},
        ]
    }
)


def test_values_reach_the_graph_and_the_nested_settings_of_a_copy():
    project = load_project_or_template("tabular-mlp")
    before = project.to_dict()
    values = {
        "dense1.units": 17,
        "dropout1.rate": 0.25,
        "optimizer.lr": 0.003,
        "batch_size": 64,
        "schedule.type": "cosine",
    }
    tuned = apply_values(project, CONFIG, values)
    assert project.to_dict() == before  # the original is untouched
    assert tuned.graph.nodes["dense1"].params["units"] == 17
    assert tuned.graph.nodes["dropout1"].params["rate"] == 0.25
    config = TrainConfig.from_dict(tuned.training)
    assert (config.optimizer.lr, config.optimizer.type) == (0.003, "Adam")  # type kept
    assert config.batch_size == 64 and config.schedule == {"type": "cosine"}
    assert current_values(project, CONFIG) == {
        "dense1.units": 64,
        "dropout1.rate": 0.2,
        "optimizer.lr": 0.01,
        "batch_size": 32,
        "schedule.type": "none",
    }
    with pytest.raises(TuningError, match="nope: not a dimension"):
        apply_values(project, CONFIG, {"nope": 1})


def test_a_schedule_written_as_a_word_becomes_an_object():
    assert set_setting({"schedule": "step"}, "schedule.gamma", 0.5) == {
        "schedule": {"type": "step", "gamma": 0.5}
    }
    assert set_setting({}, "epochs", 3) == {"epochs": 3}


def test_each_dimension_is_asked_with_the_kind_and_scale_of_its_spec():
    project = load_project_or_template("tabular-mlp")
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    trial = study.ask()
    values = {d.key: suggest(trial, d, spec_of(d, project)) for d in CONFIG.dimensions}
    dists = trial.distributions
    assert dists["dense1.units"] == optuna.distributions.IntDistribution(8, 128, log=True)
    assert dists["dropout1.rate"] == optuna.distributions.FloatDistribution(0.0, 0.5, step=0.25)
    assert dists["optimizer.lr"] == optuna.distributions.FloatDistribution(1e-4, 0.1, log=True)
    assert dists["batch_size"] == optuna.distributions.CategoricalDistribution([16, 64])
    assert isinstance(values["dense1.units"], int) and values["batch_size"] in (16, 64)


def test_a_grid_lists_every_value_of_each_dimension():
    project = load_project_or_template("tabular-mlp")
    config = tuning_from_dict(
        {"dimensions": [CONFIG.dimensions[1].to_dict(), CONFIG.dimensions[3].to_dict()]}
        | {"sampler": "grid"}
    )
    assert grid_space(config, project) == {
        "dropout1.rate": [0.0, 0.25, 0.5],
        "batch_size": [16, 64],
    }
    whole = tuning_from_dict(
        {"dimensions": [{"node": "dense1", "param": "units", "low": 2, "high": 5}]}
    )
    assert grid_space(whole, project) == {"dense1.units": [2, 3, 4, 5]}
