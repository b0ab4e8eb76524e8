"""``TrainConfig``: how to train, as stored in the project file under "training".

The "training" section of a project (all keys optional; defaults shown)::

    {"optimizer": {"type": "Adam", "lr": 0.001, "weight_decay": 0.0,
                   "momentum": 0.0, "nesterov": false},        # SGD/RMSprop use momentum
     "loss": "auto",            # auto | cross_entropy | binary_cross_entropy | mse | mae | huber
     "epochs": 10, "batch_size": 32,
     "mode": "supervised",      # or "reconstruction" (autoencoder: target = input)
     "l1": 0.0, "l2": 0.0,      # penalties on weights (tensors with 2+ dimensions)
     "grad_clip": null,         # max gradient norm
     "schedule": null,          # {"type": "step", "step_size": 10, "gamma": 0.1}
                                # {"type": "cosine", "min_lr": 0.0}
                                # {"type": "plateau", "factor": 0.1, "patience": 5}
                                # {"type": "one_cycle", "max_lr": 0.01}
                                # any of them may add "warmup_epochs": N (linear warm-up)
     "early_stopping": null,    # {"monitor": "val_loss", "patience": 5, "min_delta": 0.0,
                                #  "restore_best": true}
     "monitor": "val_loss",     # what "best" means for best.pt (val_loss, val_accuracy, ...)
     "seed": 0, "shuffle": true, "device": "auto", "amp": "auto", "num_threads": null,
     "eval_batch_size": 1024, "checkpoint": true, "tensorboard": false,
     "restore_best": true}      # end the run with the best epoch's weights (best.pt)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

OPTIMIZERS = ("SGD", "Adam", "AdamW", "RMSprop", "Adagrad")
LOSSES = ("auto", "cross_entropy", "binary_cross_entropy", "mse", "mae", "huber")
MODES = ("supervised", "reconstruction")
SCHEDULES = ("none", "step", "cosine", "plateau", "one_cycle", "warmup")
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
_SCHEDULE_ALIASES = {
    "onecycle": "one_cycle",
    "one-cycle": "one_cycle",
    "cos": "cosine",
    "reduce_on_plateau": "plateau",
    "linear_warmup": "warmup",
}


class ConfigError(ValueError):
    """A training setting that cannot be used; the message names the setting."""


@dataclass
class OptimizerConfig:
    type: str = "Adam"
    lr: float = 1e-3
    weight_decay: float = 0.0
    momentum: float = 0.0
    nesterov: bool = False

    def __post_init__(self) -> None:
        names = {name.lower(): name for name in OPTIMIZERS}
        if str(self.type).lower() not in names:
            raise ConfigError(
                f"unknown optimizer {self.type!r}; choose from {', '.join(OPTIMIZERS)}"
            )
        self.type = names[str(self.type).lower()]
        self.lr = _positive(self.lr, "optimizer lr")
        self.weight_decay = _non_negative(self.weight_decay, "optimizer weight_decay")
        self.momentum = _non_negative(self.momentum, "optimizer momentum")
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
    grad_clip: float | None = None
    schedule: dict[str, Any] | None = None
    early_stopping: dict[str, Any] | None = None
    monitor: str = "val_loss"
    seed: int = 0
    shuffle: bool = True
    device: str = "auto"
    amp: str | bool = "auto"
    num_threads: int | None = None
    eval_batch_size: int = 1024
    restore_best: bool = True
    checkpoint: bool = True
    tensorboard: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.optimizer, dict):
            self.optimizer = _optimizer_from_dict(self.optimizer)
        loss = str(self.loss).lower()
        self.loss = _LOSS_ALIASES.get(loss, loss)
        if self.loss not in LOSSES:
            raise ConfigError(f"unknown loss {self.loss!r}; choose from {', '.join(LOSSES)}")
        self.epochs = _count(self.epochs, "epochs")
        self.batch_size = _count(self.batch_size, "batch_size")
        self.eval_batch_size = _count(self.eval_batch_size, "eval_batch_size")
        if self.mode not in MODES:
            raise ConfigError(f"unknown mode {self.mode!r}; choose from {', '.join(MODES)}")
        self.l1 = _non_negative(self.l1, "l1")
        self.l2 = _non_negative(self.l2, "l2")
        if self.grad_clip is not None:
            self.grad_clip = _positive(self.grad_clip, "grad_clip")
        self.schedule = _schedule(self.schedule)
        self.early_stopping = _early_stopping(self.early_stopping, self.monitor)
        if self.early_stopping:
            self.monitor = self.early_stopping["monitor"]
            self.restore_best = self.restore_best and bool(self.early_stopping["restore_best"])
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise ConfigError(f"seed must be a whole number, got {self.seed!r}")
        if self.device not in ("auto", "cpu", "cuda", "mps") and not str(self.device).startswith(
            "cuda:"
        ):
            raise ConfigError(f"device must be auto, cpu, cuda or mps, got {self.device!r}")
        if self.amp not in ("auto", True, False):
            raise ConfigError(f"amp must be auto, true or false, got {self.amp!r}")
        if self.num_threads is not None:
            self.num_threads = _count(self.num_threads, "num_threads")

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> TrainConfig:
        """From the project's "training" mapping; unknown keys are refused (they are typos)."""
        data = dict(data or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(
                f"unknown training setting(s) {', '.join(map(repr, unknown))}; "
                f"known: {', '.join(sorted(known))}"
            )
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def replace(self, **changes: Any) -> TrainConfig:
        """A copy with `changes`; `lr=`/`optimizer_type=` change the optimizer."""
        data = self.to_dict()
        if "lr" in changes:
            data["optimizer"]["lr"] = changes.pop("lr")
        if "optimizer_type" in changes:
            data["optimizer"]["type"] = changes.pop("optimizer_type")
        data.update(changes)
        return TrainConfig.from_dict(data)


def _optimizer_from_dict(data: dict[str, Any]) -> OptimizerConfig:
    known = {f.name for f in fields(OptimizerConfig)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(
            f"unknown optimizer setting(s) {', '.join(map(repr, unknown))}; "
            f"known: {', '.join(sorted(known))}"
        )
    return OptimizerConfig(**data)


def _schedule(value: Any) -> dict[str, Any] | None:
    if value in (None, "none", {}):
        return None
    if isinstance(value, str):
        value = {"type": value}
    if not isinstance(value, dict) or "type" not in value:
        raise ConfigError(f'schedule must be an object with a "type", got {value!r}')
    value = dict(value)
    kind = str(value["type"]).lower()
    value["type"] = _SCHEDULE_ALIASES.get(kind, kind)
    if value["type"] not in SCHEDULES:
        raise ConfigError(f"unknown schedule {value['type']!r}; choose from {', '.join(SCHEDULES)}")
    if value["type"] == "none":
        return None
    return value


def _early_stopping(value: Any, monitor: str) -> dict[str, Any] | None:
    if value in (None, False):
        return None
    if value is True:
        value = {}
    if not isinstance(value, dict):
        raise ConfigError(f"early_stopping must be an object or null, got {value!r}")
    result = {"monitor": monitor, "patience": 5, "min_delta": 0.0, "restore_best": True}
    unknown = sorted(set(value) - set(result))
    if unknown:
        raise ConfigError(f"unknown early_stopping setting(s) {', '.join(map(repr, unknown))}")
    result.update(value)
    result["patience"] = _count(result["patience"], "early_stopping patience", minimum=0)
    return result


def _count(value: Any, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"{name} must be a whole number >= {minimum}, got {value!r}")
    return value


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise ConfigError(f"{name} must be a number, got {value!r}")
    return float(value)


def _positive(value: Any, name: str) -> float:
    number = _number(value, name)
    if number <= 0:
        raise ConfigError(f"{name} must be greater than 0, got {value!r}")
    return number


def _non_negative(value: Any, name: str) -> float:
    number = _number(value, name)
    if number < 0:
        raise ConfigError(f"{name} must be 0 or more, got {value!r}")
    return number
