"""Between a search space and a project: what Optuna is asked for each dimension (`suggest`,
`grid_space`), and a project with one trial's values written in (`apply_values`), the one place
a tuned value reaches the graph or the training settings (the CLI's trials, "Apply best")."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import project as project_io
from ..registry import ParamSpec
from .space import Dimension, TuningConfig, TuningError, setting_spec


def spec_of(dimension: Dimension, project: project_io.Project) -> ParamSpec:
    if dimension.setting is not None:
        return setting_spec(dimension.setting, project.training)
    return project.graph.nodes[dimension.node].spec.param_index[dimension.param]


def suggest(trial, dimension: Dimension, spec: ParamSpec) -> Any:
    """The trial's value for `dimension` (Optuna's suggest_* by the spec's kind)."""
    name = dimension.key
    if dimension.choices is not None:
        return trial.suggest_categorical(name, list(dimension.choices))
    if spec.kind == "int":
        step = int(dimension.step) if dimension.step else 1
        return trial.suggest_int(
            name, int(dimension.low), int(dimension.high), step=step, log=dimension.log
        )
    return trial.suggest_float(
        name, dimension.low, dimension.high, step=dimension.step, log=dimension.log
    )


def grid_space(config: TuningConfig, project: project_io.Project) -> dict[str, list[Any]]:
    """Every dimension as the list of values a grid search walks (check_tuning made sure each
    numeric one is whole numbers or has a step)."""
    space: dict[str, list[Any]] = {}
    for d in config.dimensions:
        if d.choices is not None:
            space[d.key] = list(d.choices)
            continue
        step = d.step or 1
        values = np.arange(d.low, d.high + step / 2, step)
        is_int = spec_of(d, project).kind == "int"
        space[d.key] = [int(round(v)) if is_int else float(v) for v in values]
    return space


def apply_values(
    project: project_io.Project, config: TuningConfig, values: Mapping[str, Any]
) -> project_io.Project:
    """A copy of `project` with `values` (dimension key -> value) in its graph and settings."""
    by_key = {d.key: d for d in config.dimensions}
    result = project_io.from_dict(copy.deepcopy(project.to_dict()), project.name)
    for key, value in values.items():
        dimension = by_key.get(key)
        if dimension is None:
            raise TuningError(f"{key}: not a dimension of this search")
        if dimension.setting is not None:
            result.training = set_setting(result.training, dimension.setting, value)
        else:
            result.graph.set_param(dimension.node, dimension.param, value)
    return result


def set_setting(training: Mapping[str, Any], key: str, value: Any) -> dict[str, Any]:
    """`training` with setting `key` ("batch_size", "optimizer.lr") set to `value`."""
    updated = copy.deepcopy(dict(training))
    section, _, name = key.rpartition(".")
    if not section:
        updated[name] = value
        return updated
    nested = updated.get(section)
    if isinstance(nested, str):  # "schedule": "cosine" is short for {"type": "cosine"}
        nested = {"type": nested}
    nested = dict(nested or {})
    nested[name] = value
    updated[section] = nested
    return updated


def current_values(project: project_io.Project, config: TuningConfig) -> dict[str, Any]:
    """Each dimension's value in the project as it is (the untuned baseline)."""
    from ..training.config import TrainConfig

    training = TrainConfig.from_dict(project.training).to_dict()
    values = {}
    for d in config.dimensions:
        if d.setting is None:
            node = project.graph.nodes[d.node]
            values[d.key] = node.params.get(d.param, spec_of(d, project).default)
            continue
        section, _, name = d.setting.rpartition(".")
        holder = training.get(section) if section else training
        values[d.key] = (holder or {}).get(name, spec_of(d, project).default)
    return values
