"""The search space of a tuning study, as stored in the project file under "tuning".

    "tuning": {
      "dimensions": [
        {"node": "dense1", "param": "units", "low": 8, "high": 128, "log": true},
        {"node": "dropout1", "param": "rate", "low": 0.0, "high": 0.5},
        {"node": "dense1", "param": "activation", "choices": ["relu", "tanh"]},
        {"setting": "optimizer.lr", "low": 1e-4, "high": 1e-1, "log": true},
        {"setting": "batch_size", "choices": [16, 32, 64]}
      ],
      "objective": "val_accuracy", "direction": "maximize",   # direction default: from the metric
      "trials": 30, "minutes": null,                           # budget: trials and/or minutes
      "sampler": "tpe", "pruner": "median", "folds": null, "seed": 0
    }

A dimension names a layer parameter (node id + parameter) or a training setting (its key in the
"training" section, dotted for the nested ones: "optimizer.lr", "schedule.type"); its kind comes
from that parameter's `ParamSpec` / `SettingSpec`. A numeric dimension has `low`/`high` (and
`log`, `step`); any other, or a numeric one given `choices`, is a list of choices.
`check_tuning` refuses a bad space with the dimension named ("dense1.units: low 64 is above high
8"), also one whose node or parameter no longer exists after an edit. `dimension_for` prefills a
dimension from the spec (its range, or its choices), as "Tune this..." does.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..registry import ParamError, ParamSpec
from ..setting_spec import SettingSpec

SAMPLERS = ("tpe", "random", "grid")
PRUNERS = ("median", "hyperband", "none")
DIRECTIONS = ("maximize", "minimize")
MAX_TRIALS = 100_000
_NUMERIC = ("int", "float")
# Settings a search may vary (the others are switches of the run, not hyperparameters).
_NESTED_SECTIONS = ("optimizer", "schedule", "early_stopping")


class TuningError(ValueError):
    """A search space that cannot be searched; the message names the dimension and the field."""


@dataclass(frozen=True)
class Dimension:
    """One axis of the search: a layer parameter (`node`, `param`) or a training `setting`."""

    node: str | None = None
    param: str | None = None
    setting: str | None = None
    low: float | None = None
    high: float | None = None
    log: bool = False
    step: float | None = None
    choices: tuple[Any, ...] | None = None

    @property
    def key(self) -> str:
        """The name the study uses for it: "dense1.units", "optimizer.lr"."""
        return self.setting if self.setting is not None else f"{self.node}.{self.param}"

    @property
    def is_numeric(self) -> bool:
        return self.choices is None

    def to_dict(self) -> dict[str, Any]:
        where = (
            {"setting": self.setting}
            if self.setting is not None
            else {"node": self.node, "param": self.param}
        )
        if self.choices is not None:
            return where | {"choices": list(self.choices)}
        extra = {"log": True} if self.log else {}
        extra |= {"step": self.step} if self.step is not None else {}
        return where | {"low": self.low, "high": self.high} | extra

    def renamed(self, old_id: str, new_id: str) -> Dimension:
        return replace(self, node=new_id) if self.node == old_id else self


@dataclass(frozen=True)
class TuningConfig:
    dimensions: tuple[Dimension, ...] = ()
    objective: str = "val_loss"
    direction: str | None = None  # None: from the metric (loss-like metrics are minimised)
    trials: int | None = 20
    minutes: float | None = None
    sampler: str = "tpe"
    pruner: str = "median"
    folds: int | None = None  # k-fold cross-validation per trial (the objective's mean)
    seed: int = 0

    @property
    def resolved_direction(self) -> str:
        if self.direction is not None:
            return self.direction
        from ..training.metrics import monitor_mode

        return "minimize" if monitor_mode(self.objective) == "min" else "maximize"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "dimensions": [d.to_dict() for d in self.dimensions],
            "objective": self.objective,
        }
        if self.direction is not None:
            data["direction"] = self.direction
        return data | {
            "trials": self.trials,
            "minutes": self.minutes,
            "sampler": self.sampler,
            "pruner": self.pruner,
            "folds": self.folds,
            "seed": self.seed,
        }

    def with_dimension(self, dimension: Dimension) -> TuningConfig:
        """This config with `dimension` added, or replacing the one with the same key."""
        kept = tuple(d for d in self.dimensions if d.key != dimension.key)
        return replace(self, dimensions=(*kept, dimension))


# -- reading and checking ----------------------------------------------------------------------


def tuning_from_dict(data: Any, where: str = "tuning") -> TuningConfig:
    """The "tuning" section as a `TuningConfig`; its shape is checked here, its dimensions
    against the project by `check_tuning`."""
    if not isinstance(data, Mapping):
        raise TuningError(f"{where} must be an object, got {data!r}")
    known = {
        "dimensions",
        "objective",
        "direction",
        "trials",
        "minutes",
        "sampler",
        "pruner",
        "folds",
        "seed",
    }
    unknown = sorted(set(data) - known, key=str)
    if unknown:
        raise TuningError(
            f"unknown {where} setting(s) {', '.join(map(repr, unknown))}; "
            f"known: {', '.join(sorted(known))}"
        )
    dims = data.get("dimensions", [])
    if not isinstance(dims, list):
        raise TuningError(f"{where}.dimensions must be a list of dimensions")
    dimensions = tuple(_dimension(d, f"{where}.dimensions[{i}]") for i, d in enumerate(dims))
    keys = [d.key for d in dimensions]
    doubled = sorted({k for k in keys if keys.count(k) > 1})
    if doubled:
        raise TuningError(f"{where}: {doubled[0]} is searched twice; keep one dimension for it")
    objective = data.get("objective", "val_loss")
    if not isinstance(objective, str) or not objective:
        raise TuningError(f"{where}.objective must be a metric name such as val_accuracy")
    direction = data.get("direction")
    if direction is not None and direction not in DIRECTIONS:
        raise TuningError(f"{where}.direction must be maximize or minimize, got {direction!r}")
    return TuningConfig(
        dimensions=dimensions,
        objective=objective,
        direction=direction,
        trials=_count(data.get("trials", 20), f"{where}.trials", 1, MAX_TRIALS, optional=True),
        minutes=_minutes(data.get("minutes"), f"{where}.minutes"),
        sampler=_choice(data.get("sampler", "tpe"), SAMPLERS, f"{where}.sampler"),
        pruner=_choice(data.get("pruner", "median"), PRUNERS, f"{where}.pruner"),
        folds=_count(data.get("folds"), f"{where}.folds", 2, 100, optional=True),
        seed=_count(data.get("seed", 0), f"{where}.seed", 0, 2**32 - 1),
    )


def _dimension(data: Any, where: str) -> Dimension:
    if not isinstance(data, Mapping):
        raise TuningError(f"{where} must be an object")
    allowed = {"node", "param", "setting", "low", "high", "log", "step", "choices"}
    unknown = sorted(set(data) - allowed, key=str)
    if unknown:
        raise TuningError(f"{where}: unknown field {unknown[0]!r}; known: {', '.join(allowed)}")
    setting, node, param = data.get("setting"), data.get("node"), data.get("param")
    if setting is not None:
        if node is not None or param is not None or not isinstance(setting, str):
            raise TuningError(f'{where}: give either "setting" or "node" and "param"')
        name = setting
    else:
        if not (isinstance(node, str) and isinstance(param, str)):
            raise TuningError(f'{where} needs "node" and "param" (a layer parameter) or "setting"')
        name = f"{node}.{param}"
    choices = data.get("choices")
    if choices is not None:
        if not isinstance(choices, list):
            raise TuningError(f"{name}: choices must be a list")
        if "low" in data or "high" in data:
            raise TuningError(f"{name}: give a range (low, high) or choices, not both")
        return Dimension(node, param, setting, choices=tuple(choices))
    low, high = data.get("low"), data.get("high")
    for label, value in (("low", low), ("high", high)):
        if not _is_number(value):
            raise TuningError(f"{name}: {label} must be a number, got {value!r}")
    log = data.get("log", False)
    if not isinstance(log, bool):
        raise TuningError(f"{name}: log must be true or false, got {log!r}")
    step = data.get("step")
    if step is not None and not (_is_number(step) and step > 0):
        raise TuningError(f"{name}: step must be a number above 0, got {step!r}")
    return Dimension(node, param, setting, float(low), float(high), log, step)


def check_tuning(config: TuningConfig, graph, training: Mapping[str, Any] | None = None) -> None:
    """Refuse a dimension that does not fit the project: its node or parameter gone, its kind
    not searchable, low > high, a log range through 0, no choices, a value the spec refuses."""
    for dimension in config.dimensions:
        spec = _spec(dimension, graph, training)
        _check_dimension(dimension, spec)
        endless = dimension.is_numeric and dimension.step is None and spec.kind == "float"
        if config.sampler == "grid" and endless:
            raise TuningError(f"{dimension.key}: a grid search needs a step or a list of choices")


def _check_dimension(d: Dimension, spec: ParamSpec) -> None:
    name = d.key
    if d.choices is not None:
        if not d.choices:
            raise TuningError(f"{name}: the list of choices is empty; give at least one value")
        for value in d.choices:
            _coerce(spec, value, name)
        return
    if spec.kind not in _NUMERIC:
        raise TuningError(
            f"{name} is a {spec.kind} parameter: search it with a list of choices, not a range"
        )
    if d.low > d.high:
        raise TuningError(f"{name}: low {_fmt(d.low)} is above high {_fmt(d.high)}")
    if d.log and d.low <= 0:
        raise TuningError(
            f"{name}: a log range must stay above 0 (low is {_fmt(d.low)}); raise low or drop log"
        )
    if d.log and d.step is not None:
        raise TuningError(f"{name}: a log range cannot have a step")
    if spec.kind == "int" and not (float(d.low).is_integer() and float(d.high).is_integer()):
        raise TuningError(f"{name} is a whole number: low and high must be whole numbers")
    for value in (d.low, d.high):
        _coerce(spec, int(value) if spec.kind == "int" else value, name)


def _coerce(spec: ParamSpec, value: Any, name: str) -> Any:
    try:
        return spec.coerce(value)
    except ParamError as error:
        raise TuningError(f"{name}: {error}") from None


def _spec(d: Dimension, graph, training: Mapping[str, Any] | None) -> ParamSpec:
    if d.setting is not None:
        return setting_spec(d.setting, training)
    if d.node not in graph.nodes:
        raise TuningError(
            f"{d.key}: the network has no node {d.node!r} any more (removed or renamed?); "
            "remove this dimension or point it at another node"
        )
    spec = graph.nodes[d.node].spec
    if d.param not in spec.param_index:
        raise TuningError(
            f"{d.key}: {spec.name} has no parameter {d.param!r}; known: "
            f"{', '.join(spec.param_index)}"
        )
    return spec.param_index[d.param]


def setting_spec(key: str, training: Mapping[str, Any] | None = None) -> SettingSpec:
    """The `SettingSpec` of a training setting key ("batch_size", "optimizer.lr")."""
    from ..training.settings import SECTIONS, spec_for

    section, _, name = key.rpartition(".")
    section = section or "training"
    if section not in SECTIONS or (section == "training" and name in _NESTED_SECTIONS):
        raise TuningError(f"{key}: not a training setting (e.g. optimizer.lr, batch_size)")
    schedule = (training or {}).get("schedule") or {}
    kind = schedule.get("type") if isinstance(schedule, Mapping) else schedule
    try:
        return spec_for(section, name, kind if isinstance(kind, str) else None)
    except KeyError:
        raise TuningError(f"{key}: there is no {section} setting {name!r}") from None


# -- prefilled dimensions ("Tune this...") -----------------------------------------------------


def dimension_for(spec: ParamSpec, current: Any = None, **where: str) -> Dimension:
    """A dimension for `spec` with a range or choices from it: a choice's choices, a bool's
    two values, a number's range around `current` (x/4 to x*4, on a log scale when positive)
    clipped to the spec's bounds. `where`: node= and param=, or setting=."""
    if spec.kind == "choice":
        return Dimension(**where, choices=tuple(c for c in spec.choices))
    if spec.kind == "bool":
        return Dimension(**where, choices=(False, True))
    if spec.kind not in _NUMERIC:
        raise TuningError(f"{spec.name} is a {spec.kind} parameter; it cannot be searched")
    value = current if _is_number(current) else spec.default
    value = value if _is_number(value) else (spec.min if spec.min is not None else 1)
    if spec.kind == "float" and spec.max is not None and spec.max <= 1 and (spec.min or 0) >= 0:
        low, high, log = spec.min or 0.0, spec.max, False  # a rate: its whole range
        if isinstance(spec, SettingSpec) and spec.open_min and low <= 0:
            low = min(high, 1e-6)
    elif value > 0:
        low, high, log = value / 4, value * 4, True
    else:
        low, high, log = (spec.min if spec.min is not None else 0), max(1.0, value * 4), False
    if spec.kind == "int":
        low, high = math.floor(low), math.ceil(high)
    low = max(low, spec.min) if spec.min is not None else low
    high = min(high, spec.max) if spec.max is not None else high
    log = log and low > 0
    return Dimension(**where, low=float(low), high=float(max(low, high)), log=log)


# -- small checks --------------------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _count(value: Any, where: str, low: int, high: int, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise TuningError(f"{where} must be a whole number from {low} to {high:,}, got {value!r}")
    return value


def _minutes(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if not _is_number(value) or value <= 0:
        raise TuningError(f"{where} must be a number of minutes above 0, got {value!r}")
    return float(value)


def _choice(value: Any, choices: Sequence[str], where: str) -> str:
    if value not in choices:
        raise TuningError(f"{where} must be one of {', '.join(choices)}, got {value!r}")
    return value


def _fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else f"{number:g}"
