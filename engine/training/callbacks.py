"""Callbacks (Lightning-style hooks into the trainer's loop) and the built-in ones: early stopping,
JSON-lines and CSV metric logs (the TensorBoard writer is in tensorboard_log.py).

Checkpointing (best.pt and last.pt) is done by the trainer itself, so a run always leaves them;
publishing events to subscribers is a callback too (`run_events.EventPublisher`, always first).
A hook is only called on callbacks that override it, so the others cost nothing per batch.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .metrics import monitor_mode

if TYPE_CHECKING:
    import torch

    from .events import BatchEnded, RunFailed, RunFinished
    from .trainer import Trainer


class Callback:
    def on_run_start(self, trainer: Trainer) -> None: ...

    def on_epoch_start(self, trainer: Trainer, epoch: int) -> None: ...

    def on_batch_end(self, trainer: Trainer, step: int, loss: torch.Tensor) -> None:
        """After every optimizer step; `loss` is the batch's loss tensor (reading it syncs)."""

    def on_progress(self, trainer: Trainer, event: BatchEnded) -> None:
        """At most every BATCH_EVENT_INTERVAL seconds within an epoch: the mean loss since the
        last call, samples per second, the learning rate (the event subscribers get)."""

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        """`logs`: Keras-style names, "loss", "accuracy", "val_loss", "val_accuracy", "lr", ..."""

    def on_train_end(self, trainer: Trainer) -> None:
        """After the last epoch, before the final test evaluation."""

    def on_run_end(self, trainer: Trainer, event: RunFinished) -> None: ...

    def on_run_failed(self, trainer: Trainer, event: RunFailed) -> None: ...


def overrides(callback: Callback, hook: str) -> bool:
    return getattr(type(callback), hook) is not getattr(Callback, hook)


class EarlyStopping(Callback):
    """Stop when `monitor` has not improved by more than `min_delta` for `patience` epochs.
    The trainer restores the best weights at the end (its `restore_best` setting)."""

    def __init__(self, monitor: str = "val_loss", patience: int = 5, min_delta: float = 0.0):
        self.monitor, self.patience, self.min_delta = monitor, patience, abs(min_delta)
        self.best = math.nan
        self.wait = 0
        self.stopped_epoch = 0

    def on_run_start(self, trainer: Trainer) -> None:
        self.best, self.wait, self.stopped_epoch = math.nan, 0, 0

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        value = logs.get(self.monitor, logs.get(self.monitor.removeprefix("val_")))
        if value is None or math.isnan(value):
            return
        better = (
            value < self.best - self.min_delta
            if monitor_mode(self.monitor) == "min"
            else value > self.best + self.min_delta
        )
        if math.isnan(self.best) or better:
            self.best, self.wait = value, 0
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            trainer.request_stop(reason="early_stopping")


class JsonlLogger(Callback):
    """One JSON object per epoch in `path` (metrics.jsonl)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        with self.path.open("a", encoding="utf-8") as stream:
            stream.write(json.dumps({"epoch": epoch, **json_safe(logs)}) + "\n")


class CsvLogger(Callback):
    """One row per epoch in `path` (metrics.csv); the columns are those of the first epoch."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.columns: list[str] | None = None

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        row = {"epoch": epoch, **logs}
        new = self.columns is None
        if new:
            self.columns = list(row)
            if self.path.exists() and self.path.stat().st_size:  # a resumed run appends
                with self.path.open(encoding="utf-8") as stream:
                    self.columns = next(csv.reader(stream), self.columns)
                new = False
        with self.path.open("a", encoding="utf-8", newline="") as stream:
            writer = csv.DictWriter(stream, self.columns, extrasaction="ignore")
            if new:
                writer.writeheader()
            writer.writerow(row)


def json_safe(value: Any) -> Any:
    """`value` with NaN and infinities as None (strict JSON), recursively."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item) for item in value]
    return value
