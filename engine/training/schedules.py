"""Learning-rate schedules from the "schedule" setting (see config.py; its settings, their
defaults and ranges are in settings.py, and `TrainConfig` has checked them).

step, cosine and warm-up are one `LambdaLR` stepped after every batch (so a warm-up combines with
any of them); one-cycle is `OneCycleLR` (per batch); plateau is `ReduceLROnPlateau` stepped once per
epoch with the monitored metric.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch
from torch.optim import lr_scheduler

from .config import ConfigError
from .metrics import monitor_mode
from .settings import spec_for


@dataclass
class Schedule:
    scheduler: Any = None
    per_batch: bool = False  # step() after every batch
    plateau: bool = False  # step(metric) after every epoch

    def state_dict(self) -> dict[str, Any] | None:
        return None if self.scheduler is None else self.scheduler.state_dict()

    def load_state_dict(self, state: dict[str, Any] | None) -> None:
        if self.scheduler is not None and state:
            self.scheduler.load_state_dict(state)


def build_schedule(
    optimizer: torch.optim.Optimizer,
    spec: dict[str, Any] | None,
    steps_per_epoch: int,
    epochs: int,
    monitor: str = "val_loss",
) -> Schedule:
    """The LR schedule `spec` describes; reduce-on-plateau watches `monitor` in its own direction
    (down for losses, up for scores)."""
    if not spec:
        return Schedule()
    spec = dict(spec)
    kind = spec.pop("type")
    _get = lambda key, kind_of: _value(spec, key, kind, kind_of)
    warmup = _get("warmup_epochs", float)
    warmup_steps = max(0, round(warmup * steps_per_epoch))
    total = max(1, steps_per_epoch * epochs)
    if kind == "one_cycle":
        max_lr = _get("max_lr", float) or optimizer.param_groups[0]["lr"]
        pct = _get("pct_start", float)
        _no_more(spec, kind)
        # A block's lr_mult (engine/training/lr_groups.py) scales its group's peak too.
        peaks = [max_lr * group.get("lr_mult", 1.0) for group in optimizer.param_groups]
        return Schedule(
            lr_scheduler.OneCycleLR(optimizer, max_lr=peaks, total_steps=total, pct_start=pct),
            per_batch=True,
        )
    if kind == "plateau":
        factor = _get("factor", float)
        patience = int(_get("patience", float))
        mode = spec.pop("mode", None) or monitor_mode(monitor)
        _no_more(spec, kind)
        return Schedule(
            lr_scheduler.ReduceLROnPlateau(optimizer, mode=mode, factor=factor, patience=patience),
            plateau=True,
        )
    if kind == "step":
        step_size = max(1, int(_get("step_size", float)))
        gamma = _get("gamma", float)
        shape = lambda step: gamma ** ((step // steps_per_epoch) // step_size)
    elif kind == "cosine":
        base = optimizer.param_groups[0]["lr"]
        floor = _get("min_lr", float) / base
        span = max(1, total - warmup_steps)
        shape = lambda step: (
            floor
            + (1 - floor)
            * 0.5
            * (1 + math.cos(math.pi * min(1.0, max(0, step - warmup_steps) / span)))
        )
    elif kind == "warmup":
        shape = lambda step: 1.0
        warmup_steps = warmup_steps or steps_per_epoch
    else:
        raise ConfigError(f"unknown schedule {kind!r}")
    _no_more(spec, kind)
    if warmup_steps:
        inner = shape
        shape = lambda step: inner(step) * min(1.0, (step + 1) / warmup_steps)
    return Schedule(lr_scheduler.LambdaLR(optimizer, shape), per_batch=True)


def _value(spec: dict[str, Any], key: str, schedule: str, kind: type) -> Any:
    """`spec[key]` (removed from it) as `kind`, or the setting's default."""
    value = spec.pop(key, spec_for("schedule", key, schedule).default)
    if value is None:
        return None
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise ConfigError(f"schedule {key} must be a number, got {value!r}") from None


def _no_more(spec: dict[str, Any], kind: str) -> None:
    if spec:
        raise ConfigError(f"unknown setting(s) for the {kind} schedule: {', '.join(sorted(spec))}")
