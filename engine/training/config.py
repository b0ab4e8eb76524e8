"""``TrainConfig``: how to train, as stored in the project file under "training".

The "training" section of a project (all keys optional; defaults shown)::

    {"optimizer": {"type": "Adam", "lr": 0.001, "weight_decay": 0.0,
                   "momentum": 0.0, "nesterov": false,         # SGD/RMSprop use momentum
                   "amsgrad": false},                          # Adam/AdamW
     "loss": "auto",            # auto | cross_entropy | binary_cross_entropy | mse | mae | huber
     "epochs": 10, "batch_size": 32,
     "mode": "supervised",      # or "reconstruction" (autoencoder: target = input)
     "step": "supervised",      # or "gan": the project's generator and discriminator graphs
     "gan": null,               # {"d_steps": 1, "label_smoothing": 0.0, "samples": 16}
     "graphs": null,            # per graph: {"generator": {"optimizer": {...}}, ...}
     "rbm": null,               # {"k": 1, "persistent": false} for "step": "rbm"
     "l1": 0.0, "l2": 0.0,      # penalties on weights (tensors with 2+ dimensions)
     "kl_weight": 1.0,          # a VAE's KL term (Sampling layers), per reconstructed value
     "grad_clip": null,         # max gradient norm
     "grad_clip_value": null,   # max absolute value of each gradient element
     "schedule": null,          # {"type": "step", "step_size": 10, "gamma": 0.1}
                                # {"type": "cosine", "min_lr": 0.0}
                                # {"type": "plateau", "factor": 0.1, "patience": 5}
                                # {"type": "one_cycle", "max_lr": 0.01}
                                # any of them may add "warmup_epochs": N (linear warm-up)
     "early_stopping": null,    # {"monitor": "val_loss", "patience": 5, "min_delta": 0.0,
                                #  "restore_best": true}
     "monitor": "val_loss",     # what "best" means for best.pt (val_loss, val_accuracy, ...)
     "seed": 0, "shuffle": true, "device": "auto", "amp": "auto", "num_threads": null,
     "processes": 1,            # train in N processes (DDP; batch_size is per process)
     "eval_batch_size": 1024, "checkpoint": true, "tensorboard": false,
     "restore_best": true}      # end the run with the best epoch's weights (best.pt)

Every value is checked against its `SettingSpec` in settings.py (type, range, choices), so the
messages name the field and match what the training dock's forms allow.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from ..setting_spec import check_section
from .settings import (
    EARLY_STOPPING_SETTINGS,
    GAN_SETTINGS,
    LOSS_CHOICES,
    MODE_CHOICES,
    OPTIMIZER_SETTINGS,
    OPTIMIZERS,
    RBM_SETTINGS,
    SCHEDULE_CHOICES,
    SCHEDULE_OPTIONS,
    SCHEDULE_SETTINGS,
    TRAINING_SETTINGS,
)

# The choices, under the names the rest of the app imports (the panel's combo boxes, the CLI).
LOSSES = LOSS_CHOICES
MODES = MODE_CHOICES
SCHEDULES = SCHEDULE_CHOICES
__all__ = ["OPTIMIZERS", "ConfigError", "OptimizerConfig", "TrainConfig"]
_LOSS_ALIASES = {
    "categorical_crossentropy": "cross_entropy",
    "sparse_categorical_crossentropy": "cross_entropy",
    "crossentropy": "cross_entropy",
    "ce": "cross_entropy",
    "binary_crossentropy": "binary_cross_entropy",
    "bce": "binary_cross_entropy",
    "mean_squared_error": "mse",
    "mean_absolute_error": "mae",
    "l1": "mae",
    "smooth_l1": "huber",
}
_NESTED = ("optimizer", "schedule", "early_stopping", "gan", "graphs", "rbm")


class ConfigError(ValueError):
    """A training setting that cannot be used; the message names the setting."""


@dataclass
class OptimizerConfig:
    type: str = "Adam"
    lr: float = 1e-3
    weight_decay: float = 0.0
    momentum: float = 0.0
    nesterov: bool = False
    amsgrad: bool = False

    def __post_init__(self) -> None:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        for name, value in check_section(
            "optimizer", OPTIMIZER_SETTINGS, values, ConfigError
        ).items():
            setattr(self, name, value)
        if self.nesterov and (self.type != "SGD" or self.momentum <= 0):
            raise ConfigError("nesterov needs the SGD optimizer with momentum > 0")


@dataclass
class TrainConfig:
    optimizer: OptimizerConfig = field(default_factory=OptimizerConfig)
    loss: str = "auto"
    epochs: int = 10
    batch_size: int = 32
    mode: str = "supervised"
    l1: float = 0.0
    l2: float = 0.0
    kl_weight: float = 1.0
    grad_clip: float | None = None
    grad_clip_value: float | None = None
    schedule: dict[str, Any] | None = None
    early_stopping: dict[str, Any] | None = None
    monitor: str = "val_loss"
    seed: int = 0
    shuffle: bool = True
    device: str = "auto"
    amp: str | bool = "auto"
    compile: bool = False
    num_threads: int | None = None
    processes: int = 1
    eval_batch_size: int = 1024
    restore_best: bool = True
    checkpoint: bool = True
    tensorboard: bool = False
    step: str = "supervised"
    gan: dict[str, Any] | None = None
    graphs: dict[str, Any] | None = None
    rbm: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        self.optimizer = _optimizer(self.optimizer)
        self.gan = _section("gan", GAN_SETTINGS, self.gan)
        self.rbm = _section("rbm", RBM_SETTINGS, self.rbm)
        self.graphs = _graphs(self.graphs)
        if isinstance(self.loss, str):
            self.loss = _LOSS_ALIASES.get(self.loss.lower(), self.loss.lower())
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in _NESTED}
        for name, value in check_section(
            "training", TRAINING_SETTINGS, values, ConfigError
        ).items():
            setattr(self, name, value)
        self.schedule = _schedule(self.schedule)
        self.early_stopping = _early_stopping(self.early_stopping, self.monitor)
        if self.early_stopping:
            self.monitor = self.early_stopping["monitor"]
            self.restore_best = self.restore_best and bool(self.early_stopping["restore_best"])

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> TrainConfig:
        """From the project's "training" mapping; unknown keys are refused (they are typos)."""
        if data is not None and not isinstance(data, dict):
            raise ConfigError(f"the training settings must be an object, got {data!r}")
        data = dict(data or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known, key=str)
        if unknown:
            raise ConfigError(
                f"unknown training setting(s) {', '.join(map(repr, unknown))}; "
                f"known: {', '.join(sorted(known))}"
            )
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def optimizer_for(self, graph: str) -> OptimizerConfig:
        """The optimizer settings of `graph`: its own under "graphs", else the shared ones."""
        own = (self.graphs or {}).get(graph) or {}
        return own.get("optimizer") or self.optimizer

    def replace(self, **changes: Any) -> TrainConfig:
        """A copy with `changes`; `lr=`/`optimizer_type=` change the optimizer."""
        data = self.to_dict()
        if "lr" in changes:
            data["optimizer"]["lr"] = changes.pop("lr")
        if "optimizer_type" in changes:
            data["optimizer"]["type"] = changes.pop("optimizer_type")
        data.update(changes)
        return TrainConfig.from_dict(data)


def _optimizer(value: Any) -> OptimizerConfig:
    if isinstance(value, OptimizerConfig):
        return value
    if not isinstance(value, dict):
        raise ConfigError(
            f'optimizer must be an object such as {{"type": "Adam", "lr": 0.001}}, got {value!r}'
        )
    known = {f.name for f in fields(OptimizerConfig)}
    unknown = sorted(set(value) - known, key=str)
    if unknown:
        raise ConfigError(
            f"unknown optimizer setting(s) {', '.join(map(repr, unknown))}; "
            f"known: {', '.join(sorted(known))}"
        )
    return OptimizerConfig(**value)


def _schedule(value: Any) -> dict[str, Any] | None:
    """The schedule with its type spelled canonically and every value checked; the keys stay
    those given (the schedule's own defaults fill the rest when it is built)."""
    if value in (None, "none", {}):
        return None
    if isinstance(value, str):
        value = {"type": value}
    if not isinstance(value, dict) or "type" not in value:
        raise ConfigError(f'schedule must be an object with a "type", got {value!r}')
    value = dict(value)
    (kind_spec, *common) = SCHEDULE_SETTINGS
    value.update(check_section("schedule", (kind_spec,), {"type": value["type"]}, ConfigError))
    kind = value["type"]
    if kind == "none":
        return None
    where = f"{kind} schedule"
    rest = {key: item for key, item in value.items() if key != "type"}
    return {
        "type": kind,
        **check_section(where, (*common, *SCHEDULE_OPTIONS[kind]), rest, ConfigError),
    }


def _early_stopping(value: Any, monitor: str) -> dict[str, Any] | None:
    if value in (None, False):
        return None
    if value is True:
        value = {}
    if not isinstance(value, dict):
        raise ConfigError(f"early_stopping must be an object or null, got {value!r}")
    result = {spec.name: spec.default for spec in EARLY_STOPPING_SETTINGS} | {"monitor": monitor}
    result |= check_section("early_stopping", EARLY_STOPPING_SETTINGS, value, ConfigError)
    return result


def _section(name: str, specs, value: Any) -> dict[str, Any]:
    """A step's settings ("gan", "rbm"), defaults filled in (also when another step runs)."""
    if value is None:
        value = {}
    if not isinstance(value, dict):
        example = f"{specs[0].name}: {specs[0].default!r}"
        raise ConfigError(f"{name} must be an object such as {{{example}}}, got {value!r}")
    defaults = {spec.name: spec.default for spec in specs}
    return defaults | check_section(name, specs, value, ConfigError)


def _graphs(value: Any) -> dict[str, Any] | None:
    """Per-graph settings: {graph name: {"optimizer": {...}}}; only "optimizer" so far."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ConfigError(
            f'graphs must be an object such as {{"generator": {{"optimizer": {{"lr": 0.0002}}}}}}, '
            f"got {value!r}"
        )
    result = {}
    for name, settings in value.items():
        if not isinstance(settings, dict) or set(settings) - {"optimizer"}:
            raise ConfigError(f'graphs {name!r} takes only "optimizer" settings, got {settings!r}')
        optimizer = settings.get("optimizer")
        result[name] = {"optimizer": None if optimizer is None else _optimizer(optimizer)}
    return result
